// Seeded mutations of the corpus: decode must answer Left or Right, never throw, whatever the frame.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeClientEvent, decodeServerEvent } from '../../src/protocol';

/** mulberry32: a small deterministic generator, so a failure reproduces. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const payloads = (name: string) =>
  (
    JSON.parse(readFileSync(new URL(`../fixtures/protocol/${name}`, import.meta.url), 'utf8')) as {
      payload: unknown;
    }[]
  ).map((e) => e.payload);

const VALUES = [null, 0, -1, 1.5, 1e308, '', 'x', true, [], {}, [null], { type: 'error' }, 'inf'];

function mutate(value: unknown, random: () => number, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 6) {
    return random() < 0.3 ? VALUES[Math.floor(random() * VALUES.length)] : value;
  }
  if (Array.isArray(value)) {
    const out = value.map((v) => mutate(v, random, depth + 1));
    if (random() < 0.2) out.pop();
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const r = random();
    if (r < 0.1) continue; // drop the field
    out[k] = r < 0.4 ? mutate(v, random, depth + 1) : v;
  }
  return out;
}

describe('decode under mutation', () => {
  it.each([
    ['server', payloads('server-events.json'), decodeServerEvent],
    ['client', payloads('client-events.json'), decodeClientEvent],
  ] as const)('never throws on 20 000 mutated %s frames', (_name, corpus, decode) => {
    const random = rng(20261124);
    let lefts = 0;
    for (let i = 0; i < 20_000; i++) {
      let frame = JSON.stringify(mutate(corpus[i % corpus.length], random));
      const r = random();
      if (r < 0.05)
        frame = frame.slice(0, Math.floor(random() * frame.length)); // truncated
      else if (r < 0.08)
        frame = String.fromCharCode(...Array.from({ length: 20 }, () => Math.floor(random() * 0xffff))); // noise
      let result: ReturnType<typeof decode> | undefined;
      expect(() => (result = decode(frame, random() < 0.5 ? 'preview' : 'ga'))).not.toThrow();
      expect(['Left', 'Right']).toContain(result!._tag);
      if (result!._tag === 'Left') lefts++;
    }
    expect(lefts).toBeGreaterThan(1000); // the mutations do break frames: the check can fail
  });
});

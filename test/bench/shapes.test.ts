// The benchmarks' frame shapes claim which decode path they exercise (FrameShape in bench/decode.bench.ts):
// `extra` is remembered with the envelope (the template path after a type's first delta), `spaced` misses every
// fast path (the full decode path). The decoder's own trace checks both claims, and that every shape decodes to
// the events the service's own frames decode to.
import { describe, expect, it } from 'vitest';
import { responseFrames, shaped, type FrameShape } from '../../bench/decode.bench';
import { decodeServerEvent } from '../../src/protocol/decode';
import { tracedFrameDecoder, type FramePath } from '../../src/protocol/frame';

const paths = (dialect: 'preview' | 'ga', shape: FrameShape) => {
  const seen: FramePath[] = [];
  const decode = tracedFrameDecoder(dialect, (p) => seen.push(p));
  const frames = [0, 1].flatMap((n) => responseFrames(dialect, n)).map((f) => shaped(f, shape));
  const events = frames.map((f) => {
    const r = decode(Buffer.from(f));
    if (r._tag === 'Left') throw new Error(r.left.message);
    return JSON.parse(JSON.stringify(r.right)) as { type: string };
  });
  const deltas = events.flatMap((e, i) => (e.type.endsWith('.delta') ? [seen[i]!] : []));
  return { events, deltas, seen };
};

describe.each(['preview', 'ga'] as const)('the benchmark frame shapes (%s)', (dialect) => {
  const real = paths(dialect, 'real');

  it('real frames: the deltas after the first of a part take a remembered envelope', () => {
    expect(real.deltas.length).toBeGreaterThan(50);
    expect(real.deltas.filter((p) => p === 'template').length).toBeGreaterThan(real.deltas.length * 0.9);
  });

  it('extra: the same field on every frame is remembered, so the deltas still take the template path', () => {
    const extra = paths(dialect, 'extra');
    expect(extra.deltas.filter((p) => p === 'template').length).toBeGreaterThan(extra.deltas.length * 0.9);
    expect(extra.events.map((e) => ({ ...e, x_proxy: undefined }))).toEqual(
      real.events.map((e) => ({ ...e, x_proxy: undefined })),
    );
    expect(extra.events.every((e) => (e as { x_proxy?: string }).x_proxy === 'edge-1')).toBe(true);
  });

  it('spaced: every frame takes the full decode path, and decodes to the same events', () => {
    const spaced = paths(dialect, 'spaced');
    expect(spaced.seen.length).toBe(real.seen.length);
    expect(new Set(spaced.seen)).toEqual(new Set(['full']));
    expect(spaced.events).toEqual(real.events);
  });

  it('spaced frames are what json.dumps writes: a space after every separator outside strings', () => {
    const frame = shaped(responseFrames(dialect, 0)[0]!, 'spaced');
    expect(frame.startsWith('{"type": "')).toBe(true);
    expect(JSON.parse(frame)).toEqual(JSON.parse(responseFrames(dialect, 0)[0]!));
    expect(decodeServerEvent(frame, dialect)._tag).toBe('Right');
  });
});

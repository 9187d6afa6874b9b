// Seeded mutations of the corpus (no property-testing package: a small generator, so every failure reproduces from
// its seed). Whatever the frame, decode answers Left or Right and never throws; and its answer is the reference
// one: JSON.parse, then io-ts's `decode` with the codec of the frame's type, without any shortcut.
import type * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import {
  decodeClientEvent,
  decodeServerEvent,
  decodeServerEventObject,
  isDecodeFailure,
  type Dialect,
} from '../../src/protocol';
import { clientCodec, serverCodec } from '../../src/protocol/decode';
import { BETA_SESSION, GA_SESSION, clientCorpus, outcome, rng, serverCorpus, sessionLines } from './corpus';

type Random = () => number;
const pick = <T>(random: Random, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

/** Values of every JSON type, and the edge numbers and strings (lone surrogate, quote, NUL). */
const VALUES: readonly unknown[] = [
  null,
  0,
  -1,
  1.5,
  -0,
  2 ** 53,
  1e308,
  '',
  'x',
  '0',
  '\ud800',
  '"',
  '\u0000',
  true,
  false,
  [],
  {},
  [null],
  [1, 'a'],
  { type: 'error' },
  { id: 'i' },
  'inf',
  'in_progress',
];

/** A structural mutation: drop a field, swap a value's type, truncate a string, add a field, recurse. */
function mutate(value: unknown, random: Random, depth = 0): unknown {
  if (typeof value === 'string' && random() < 0.2) return value.slice(0, Math.floor(random() * value.length));
  if (value === null || typeof value !== 'object' || depth > 8) {
    return random() < 0.3 ? pick(random, VALUES) : value;
  }
  if (Array.isArray(value)) {
    const out = value.map((v) => (random() < 0.5 ? mutate(v, random, depth + 1) : v));
    if (random() < 0.15) out.pop();
    if (random() < 0.1) out.push(pick(random, VALUES));
    return random() < 0.05 ? pick(random, VALUES) : out;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const r = random();
    if (r < 0.08) continue; // drop the field
    out[k] = r < 0.4 ? mutate(v, random, depth + 1) : v;
  }
  if (random() < 0.1)
    out[pick(random, ['extra', '__proto__', 'type', 'event_id', 'delta'])] = pick(random, VALUES);
  return random() < 0.03 ? pick(random, VALUES) : out;
}

/** A text mutation of the frame itself: truncate, insert random characters, replace one, or number spellings. */
function garble(frame: string, random: Random): string {
  const at = Math.floor(random() * frame.length);
  const r = random();
  if (r < 0.25) return frame.slice(0, at);
  if (r < 0.5) {
    const noise = Array.from({ length: 1 + Math.floor(random() * 8) }, () =>
      String.fromCharCode(Math.floor(random() * 0x10000)),
    ).join('');
    return frame.slice(0, at) + noise + frame.slice(at);
  }
  if (r < 0.75)
    return (
      frame.slice(0, at) + pick(random, ['"', '\\', '{', ']', ',', ':', ' ', '\n']) + frame.slice(at + 1)
    );
  // numbers JSON spells in several ways: all must decode as the value they are
  return frame.replace(
    /:0([,}])/,
    `:${pick(random, ['-0', '0.0', '0e5', '1e400', '-1e400', '1E0', '0.5'])}$1`,
  );
}

/**
 * What decode must answer for a frame: the reference decision, io-ts's own `decode` of the frame's codec after
 * JSON.parse. decodeServerEvent takes shortcuts (the delta hand check, the codecs' `is`); this takes none.
 */
function reference(frame: string, dialect: Dialect | undefined, side: 'server' | 'client'): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(frame);
  } catch {
    return 'invalid JSON';
  }
  const type = (parsed as { type?: unknown } | null)?.type;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || typeof type !== 'string')
    return 'not an event';
  const codec = (side === 'server' ? serverCodec : clientCodec)(type, dialect);
  return codec === undefined ? 'unknown' : codec.decode(parsed)._tag === 'Right' ? 'known' : 'Left';
}

function check(frame: string, dialect: Dialect | undefined, side: 'server' | 'client'): string {
  const decode = side === 'server' ? decodeServerEvent : decodeClientEvent;
  let result: ReturnType<typeof decode> | undefined;
  expect(() => (result = decode(frame, dialect))).not.toThrow();
  const got = outcome(result!);
  const want = reference(frame, dialect, side);
  if (result!._tag === 'Left') {
    expect(isDecodeFailure(result!.left)).toBe(true);
    expect(result!.left.raw).toBe(frame);
  }
  if (want === 'invalid JSON') {
    expect(got).toMatch(/^Left: invalid JSON: /);
    expect(got).not.toMatch(/\(line \d+ column \d+\)$/);
  } else if (want === 'not an event') expect(got).toMatch(/^Left: (expected a JSON object|invalid event: )/);
  else if (want === 'Left') {
    expect(got).toMatch(/^Left: /);
    // the same failure, message included, as the object decoder (which never takes the delta shortcut) gives
    if (side === 'server') expect(got).toBe(outcome(decodeServerEventObject(JSON.parse(frame), dialect)));
  } else expect(got).toBe(want);
  if (result!._tag === 'Right') expect(JSON.stringify(result!.right)).toBe(JSON.stringify(JSON.parse(frame)));
  return got;
}

const DIALECTS = ['preview', 'ga', undefined] as const;

describe('decode under mutation', () => {
  it.each([
    ['server', serverCorpus.map((e) => e.payload), 20240901],
    ['client', clientCorpus.map((e) => e.payload), 20250828],
  ] as const)(
    'answers the reference outcome, never throwing, on 15 000 mutated %s frames',
    (side, corpus, seed) => {
      const random = rng(seed);
      const tally = { known: 0, unknown: 0, Left: 0 };
      for (let i = 0; i < 15_000; i++) {
        let frame = JSON.stringify(mutate(corpus[i % corpus.length], random));
        if (random() < 0.15) frame = garble(frame, random);
        const got = check(frame, pick(random, DIALECTS), side);
        tally[got.startsWith('Left') ? 'Left' : (got as 'known' | 'unknown')]++;
      }
      // the mutations do reach every outcome, so the checks above can fail
      expect(tally.known).toBeGreaterThan(2000);
      expect(tally.Left).toBeGreaterThan(2000);
      expect(tally.unknown).toBeGreaterThan(100);
    },
  );

  it('answers the reference outcome on random byte strings', () => {
    const random = rng(7);
    for (let i = 0; i < 5000; i++) {
      const length = Math.floor(random() * 40);
      const text = Array.from({ length }, () =>
        String.fromCharCode(Math.floor(random() * (random() < 0.5 ? 0x80 : 0x10000))),
      ).join('');
      check(text, pick(random, DIALECTS), 'server');
      check(`{"type":${JSON.stringify(text)}}`, pick(random, DIALECTS), 'server');
    }
  });
});

describe('the delta fast path', () => {
  const DELTA_TYPES = [
    'response.audio.delta',
    'response.output_audio.delta',
    'response.audio_transcript.delta',
    'response.output_audio_transcript.delta',
    'response.text.delta',
    'response.output_text.delta',
  ];
  const FIELD_VALUES: readonly unknown[] = [
    'x',
    '',
    0,
    1,
    -1,
    0.5,
    -0,
    2 ** 53,
    1e21,
    null,
    true,
    [],
    {},
    ['x'],
    '0',
    undefined,
  ];

  it('covers deltas whose codec is exactly the part reference plus delta, with optional event_id', () => {
    for (const type of DELTA_TYPES) {
      for (const dialect of DIALECTS) {
        const codec = serverCodec(type, dialect) as t.IntersectionType<
          [t.InterfaceType<t.Props>, t.PartialType<t.Props>]
        >;
        if (codec === undefined) continue;
        const [required, optional] = codec.types;
        expect(Object.entries(required.props).map(([k, c]) => `${k}: ${c.name}`)).toEqual([
          `type: "${type}"`,
          'response_id: string',
          'item_id: string',
          'output_index: integer',
          'content_index: integer',
          'delta: string',
        ]);
        expect(Object.entries(optional.props).map(([k, c]) => `${k}: ${c.name}`)).toEqual([
          'event_id: (string | null)',
        ]);
      }
    }
  });

  it('decides as the codec does for every value of every field, in every dialect', () => {
    const base = {
      type: '',
      event_id: 'event_1',
      response_id: 'resp_1',
      item_id: 'item_1',
      output_index: 0,
      content_index: 0,
      delta: 'AAAA',
    };
    let lefts = 0;
    for (const type of DELTA_TYPES)
      for (const field of ['event_id', 'response_id', 'item_id', 'output_index', 'content_index', 'delta'])
        for (const value of FIELD_VALUES)
          for (const dialect of DIALECTS) {
            const frame = JSON.stringify({ ...base, type, [field]: value });
            if (check(frame, dialect, 'server').startsWith('Left')) lefts++;
          }
    expect(lefts).toBeGreaterThan(500);
  });

  it('decides as the codec does on the deltas of the corpus and the sessions, and on their mutations', () => {
    const deltas = [
      ...serverCorpus.map((e) => JSON.stringify(e.payload)),
      ...sessionLines(BETA_SESSION),
      ...sessionLines(GA_SESSION),
    ].filter((frame) => DELTA_TYPES.some((type) => frame.includes(`"${type}"`)));
    expect(deltas.length).toBeGreaterThan(80);
    const random = rng(100);
    for (let i = 0; i < 10_000; i++) {
      const source = deltas[i % deltas.length]!;
      let frame = i < deltas.length ? source : JSON.stringify(mutate(JSON.parse(source), random));
      if (random() < 0.2) frame = garble(frame, random);
      check(frame, pick(random, DIALECTS), 'server');
    }
  });
});

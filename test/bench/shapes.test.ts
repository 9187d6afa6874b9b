// The benchmarks' frame shapes claim which decode path they exercise (FrameShape in bench/decode.bench.ts):
// `extra` and `spaced` are remembered with the envelope (the template path after a type's first delta), `nested`
// takes the envelope path on every delta, `escaped` (PHP's `\/`) is remembered too, `full` sends every frame down
// the full decode path. The decoder's own trace checks each claim, and that every shape decodes to the events the
// service's own frames decode to.
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

  it('spaced: the envelope path reads JSON whitespace, so the deltas take the template path, to the same events', () => {
    const spaced = paths(dialect, 'spaced');
    expect(spaced.seen.length).toBe(real.seen.length);
    expect(spaced.deltas).toEqual(real.deltas);
    expect(spaced.events).toEqual(real.events);
  });

  it('nested: an object field is parsed with each delta’s envelope, never copied from a template', () => {
    const nested = paths(dialect, 'nested');
    expect(new Set(nested.deltas)).toEqual(new Set(['envelope']));
    expect(nested.events.map((e) => ({ ...e, x_trace: undefined }))).toEqual(
      real.events.map((e) => ({ ...e, x_trace: undefined })),
    );
    expect(nested.events.every((e) => (e as { x_trace?: unknown }).x_trace !== undefined)).toBe(true);
  });

  it('escaped: PHP’s escaped slashes are read from each delta’s own token, then from the template, to the same events', () => {
    const escaped = paths(dialect, 'escaped');
    const frames = [0, 1].flatMap((n) => responseFrames(dialect, n)).map((f) => shaped(f, 'escaped'));
    const audio = escaped.events.flatMap((e, i) => (e.type.endsWith('audio.delta') ? [i] : []));
    expect(audio.length).toBeGreaterThan(50);
    // each audio delta is written with escapes
    expect(audio.every((i) => frames[i]!.includes('\\/'))).toBe(true);
    expect(escaped.deltas).toEqual(real.deltas);
    // the same strings: `\/` is `/`
    expect(escaped.events).toEqual(real.events);
  });

  it('full: a delta key spelled with an escape sends every delta down the full decode path, to the same events', () => {
    const full = paths(dialect, 'full');
    expect(new Set(full.seen)).toEqual(new Set(['full']));
    expect(full.events).toEqual(real.events);
  });

  it('spaced frames are what json.dumps writes: a space after every separator outside strings', () => {
    const frame = shaped(responseFrames(dialect, 0)[0]!, 'spaced');
    expect(frame.startsWith('{"type": "')).toBe(true);
    expect(JSON.parse(frame)).toEqual(JSON.parse(responseFrames(dialect, 0)[0]!));
    expect(decodeServerEvent(frame, dialect)._tag).toBe('Right');
  });
});

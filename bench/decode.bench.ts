// decodeServerEvent against bare JSON.parse on the same realistic frames, in both dialects (issue 2, "Speed").
// What one spoken response looks like on the wire (../shared/protocol/README.md §6): the response, item and part
// events, 50 audio deltas of 100 ms each interleaved with 50 transcript deltas, the done events, response.done
// with usage and rate_limits.updated. Ratios only: absolute numbers do not carry between runs.
import { bytesToBase64 } from '../src/audio/base64';
import { decodeServerEvent, frameDecoder, type Dialect } from '../src/protocol';
import { compare, type Comparison } from './harness';

/** 100 ms of 24 kHz mono PCM16: 2400 samples, 4800 bytes, 6400 base64 characters (§1 "Audio formats"). */
const AUDIO_BYTES_PER_DELTA = 4800;
const DELTAS_PER_RESPONSE = 50;

/**
 * One response's frames, in the order the service sends them (§6, "Audio response, beta" / "…, GA"), with
 * `deltas` audio deltas of 100 ms (default 50: a 5 s reply).
 */
export function responseFrames(dialect: Dialect, n = 0, deltas = DELTAS_PER_RESPONSE): string[] {
  const ga = dialect === 'ga';
  const r = `resp_${n}`;
  const i = `item_${n}`;
  const ref = { response_id: r, item_id: i, output_index: 0, content_index: 0 };
  const pcm = new Uint8Array(AUDIO_BYTES_PER_DELTA);
  for (let k = 0; k < pcm.length; k++) pcm[k] = (k * 31 + n) & 0xff;
  const audio = bytesToBase64(pcm);
  const ev = (type: string, fields: object, k: number) =>
    JSON.stringify({ type, event_id: `event_${n}_${k}`, ...fields });
  const transcript = 'word '.repeat(deltas);
  const item = {
    id: i,
    object: 'realtime.item',
    type: 'message',
    status: 'in_progress',
    role: 'assistant',
    content: [],
  };
  const doneItem = {
    ...item,
    status: 'completed',
    content: [{ type: ga ? 'output_audio' : 'audio', transcript }],
  };
  const usage = {
    total_tokens: 300,
    input_tokens: 100,
    output_tokens: 200,
    input_token_details: { cached_tokens: 0, text_tokens: 100, audio_tokens: 0 },
    output_token_details: { text_tokens: 20, audio_tokens: 180 },
  };
  const response = (status: string, extra: object) => ({
    response: { object: 'realtime.response', id: r, status, status_details: null, metadata: null, ...extra },
  });
  const frames = [
    ev('response.created', response('in_progress', { output: [], usage: null }), 0),
    ev('response.output_item.added', { response_id: r, output_index: 0, item }, 1),
    ev(ga ? 'conversation.item.added' : 'conversation.item.created', { previous_item_id: null, item }, 2),
    ev('response.content_part.added', { ...ref, part: { type: 'audio', transcript: '' } }, 3),
  ];
  for (let k = 0; k < deltas; k++) {
    const transcriptDelta = ga ? 'response.output_audio_transcript.delta' : 'response.audio_transcript.delta';
    // real GA transcript deltas add `obfuscation`, random padding after `delta` (§7, [rec-GA])
    const obfuscation = ga ? { obfuscation: `Ob${((n * 7919 + k * 104729) % 1e9).toString(36)}xQ` } : {};
    frames.push(ev(transcriptDelta, { ...ref, delta: 'word ', ...obfuscation }, 10 + 2 * k));
    frames.push(
      ev(ga ? 'response.output_audio.delta' : 'response.audio.delta', { ...ref, delta: audio }, 11 + 2 * k),
    );
  }
  frames.push(
    ev(ga ? 'response.output_audio.done' : 'response.audio.done', ref, 200),
    ev(
      ga ? 'response.output_audio_transcript.done' : 'response.audio_transcript.done',
      { ...ref, transcript },
      201,
    ),
    ev('response.content_part.done', { ...ref, part: { type: 'audio', transcript } }, 202),
    ev('response.output_item.done', { response_id: r, output_index: 0, item: doneItem }, 203),
    ...(ga ? [ev('conversation.item.done', { previous_item_id: null, item: doneItem }, 204)] : []),
    ev('response.done', response('completed', { output: [doneItem], usage }), 205),
    ev(
      'rate_limits.updated',
      {
        rate_limits: [
          { name: 'requests', limit: 1000, remaining: 999, reset_seconds: 0.06 },
          { name: 'tokens', limit: 40000, remaining: 39700, reset_seconds: 0.45 },
        ],
      },
      206,
    ),
  );
  return frames;
}

/**
 * How the benchmarks' server frames are written:
 * - `real`: as the service writes them (compact JSON, `type` first);
 * - `extra`: one field more, right after `type` (`"x_proxy":"edge-1"`), as a proxy or a field the service adds
 *   tomorrow would. The same field on every frame, so a connection's decoder remembers it with the envelope:
 *   after a delta type's first frame this is the template path again, not the full one;
 * - `spaced`: the separators of Python's `json.dumps` (`", "` and `": "`), as a relay that re-serialises each
 *   event writes them. The envelope path reads JSON whitespace, so this is the template path too;
 * - `nested`: an object right after `type` (`"x_trace":{"hop":1}`), as a relay's trace context would be. A
 *   remembered envelope's copies would share it, so every delta takes the envelope path (its envelope parsed,
 *   its delta cut out), never a template;
 * - `escaped`: every `/` written `\/`, as PHP's `json_encode` writes it by default (a relay in PHP). Base64 holds
 *   `/`, so every audio delta holds escapes: the envelope path reads the delta from its own token (JSON.parse of
 *   the string alone) and remembers the envelope, so this is the template path too, with the unescaping;
 * - `full`: the `delta` key itself spelled with an escape (`"delt\u0061"`, the same key to JSON.parse). The fast
 *   paths look for the key's plain bytes: every delta searches for it, finds none and takes the full decode path
 *   (JSON.parse of the whole frame, the codec's check, base64). The worst case, not a shape any relay is known to
 *   write.
 * `test/bench/shapes.test.ts` checks each claim with the decoder's trace.
 */
export type FrameShape = (typeof FRAME_SHAPES)[number];
export const FRAME_SHAPES = ['real', 'extra', 'spaced', 'nested', 'escaped', 'full'] as const;

/** `x` as a frame shape, or a clear error naming the shapes. */
export function frameShape(x: string | undefined): FrameShape {
  const shape = (x ?? 'real') as FrameShape;
  if (!FRAME_SHAPES.includes(shape))
    throw new Error(`--shape must be one of ${FRAME_SHAPES.join(', ')}, got ${x}`);
  return shape;
}

/** The frame in `shape` (see {@link FrameShape}). */
export function shaped(frame: string, shape: FrameShape): string {
  if (shape === 'extra') return frame.replace(/^(\{"type":"[^"]*",)/, '$1"x_proxy":"edge-1",');
  if (shape === 'spaced') return spacedJson(JSON.parse(frame));
  if (shape === 'nested') return frame.replace(/^(\{"type":"[^"]*",)/, '$1"x_trace":{"hop":1},');
  // outside its strings JSON has no `/`: every one is in a string, and `\/` is the same string
  if (shape === 'escaped') return frame.replaceAll('/', '\\/');
  if (shape === 'full') return frame.replace('"delta":', '"delt\\u0061":');
  return frame;
}

/** JSON with `json.dumps`'s default separators, keys in their order (non-ASCII kept as is). */
function spacedJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(spacedJson).join(', ')}]`;
  if (typeof v === 'object' && v !== null)
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}: ${spacedJson(x)}`)
      .join(', ')}}`;
  return JSON.stringify(v);
}

/** Keeps every result reachable so that no work can be optimised away. */
let sink: unknown;

/** `decodeServerEvent` vs `JSON.parse`, frame for frame: preview, GA, and GA decoded without a dialect. */
export async function benchDecode(): Promise<Comparison[]> {
  const cases: [label: string, frames: string[], dialect: Dialect | undefined][] = [
    ['preview', responseFrames('preview'), 'preview'],
    ['GA', responseFrames('ga'), 'ga'],
    ['GA, no dialect given', responseFrames('ga'), undefined],
  ];
  for (const [, frames, dialect] of cases) {
    // a benchmark of the wrong thing is worse than none: every frame must decode to a known event
    for (const frame of frames) {
      const result = decodeServerEvent(frame, dialect);
      if (result._tag === 'Left') throw new Error(`bench frame does not decode: ${result.left.message}`);
    }
  }
  const rows = cases.map(([label, frames, dialect]) =>
    compare(
      `decodeServerEvent vs JSON.parse (${label}; ${frames.length} frames a response)`,
      () => {
        for (const frame of frames) sink = decodeServerEvent(frame, dialect);
      },
      () => {
        for (const frame of frames) sink = JSON.parse(frame);
      },
      { unit: 'events', perCall: frames.length, rounds: 7 },
    ),
  );
  // What a socket hands over is bytes: a connection's frameDecoder on them, against what a raw client does with
  // them (UTF-8 text, JSON.parse, and the audio deltas' base64 decoded, as the decoder does at the edge).
  // The last cases (see FrameShape): every frame with one field more than the service's or with spaced
  // separators (both remembered with the envelope: the template path), with a nested field (the envelope path on
  // every delta), with PHP's escaped slashes (templates that unescape) and with the delta key spelled with an escape
  // (the full decode path on every frame).
  for (const [label, dialect, shape] of [
    ['preview', 'preview', 'real'],
    ['GA', 'ga', 'real'],
    ['GA, every frame with an extra field', 'ga', 'extra'],
    ['GA, spaced separators', 'ga', 'spaced'],
    ['GA, a nested field: the envelope path', 'ga', 'nested'],
    ["GA, PHP's escaped slashes", 'ga', 'escaped'],
    ['GA, the delta key spelled with an escape: the full decode path', 'ga', 'full'],
  ] as const) {
    const bytes = Array.from({ length: 20 }, (_, n) => responseFrames(dialect, n))
      .flat()
      .map((frame) => Buffer.from(shaped(frame, shape)));
    const audio = dialect === 'ga' ? 'response.output_audio.delta' : 'response.audio.delta';
    rows.push(
      compare(
        `frameDecoder on the bytes vs JSON.parse(text) + base64 of the audio (${label}; 20 responses)`,
        () => {
          const decode = frameDecoder(dialect);
          for (const frame of bytes) sink = decode(frame);
        },
        () => {
          for (const frame of bytes) {
            const e = JSON.parse(frame.toString('utf8')) as { type: string; delta: string };
            sink = e.type === audio ? Buffer.from(e.delta, 'base64') : e;
          }
        },
        { unit: 'events', perCall: bytes.length, rounds: 7 },
      ),
    );
  }
  if (sink === undefined) throw new Error('unreachable');
  return rows;
}

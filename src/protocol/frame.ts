/**
 * Decoding a frame's bytes, as a socket hands them over, with a fast path for the content-part deltas.
 *
 * It's like `decodeServerEvent(bytes.toString('utf8'))`, and it gives the same answer for every input, but the
 * deltas (`response.audio.delta` / `response.output_audio.delta`, 6.4 kB of base64 for 100 ms of 24 kHz PCM16,
 * and the transcript and text deltas beside them: nearly every frame of a session) are not parsed character by
 * character:
 *
 * - an audio delta's base64 is decoded from the frame (its Latin-1 text, which becomes the event's `delta`),
 *   which also proves it is a plain JSON string (only base64 characters: no quote, escape, control or non-ASCII
 *   byte); the event carries that audio in a private field, which `audioDeltas()` takes
 *   ({@link takeDecodedAudio}) instead of decoding `delta` again;
 * - only the small rest of the frame (the envelope: type, ids, indices) goes through `JSON.parse` and the codec;
 * - a {@link frameDecoder} (one per connection) also remembers the envelope of the last delta of each type: the
 *   next one whose bytes are the same but for `event_id`, `delta` and `obfuscation` (the rest of a part's
 *   deltas) is a copy of that checked envelope with the new strings, without parsing at all: the frame's Latin-1
 *   text is compared with the envelope's fixed parts (`===`, a memcmp) and the new strings are cut out of it.
 *
 * Anything unexpected (another event, whitespace, an escape or a nested value in the envelope, base64 that is not
 * standard, a shape the codec refuses) takes the full path: `test/protocol/frame.test.ts` holds the paths to the
 * same answers on the corpus, the sessions and byte-level mutations of real deltas.
 */
import * as E from 'fp-ts/lib/Either.js';
import { decodeServerEvent, isServerPartDelta, type ServerEvent } from './decode';
import type { DecodeFailure } from './decodeFailure';
import { wireNamesOf, type Dialect } from './dialect';
import { isUnknownEvent } from './unknownEvent';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Decodes one frame of one connection; see {@link frameDecoder}. */
export type FrameDecoder = (frame: Uint8Array | string) => E.Either<DecodeFailure, ServerEvent>;

/**
 * An audio delta decoded from its bytes, carrying its decoded audio. The audio is in private fields, so the event's
 * own keys are exactly what `JSON.parse` makes (in its order) and JSON, `toEqual` and spreads see nothing more; a
 * copy (`{ ...event, delta }`) has no private field and is decoded again, and so is an event whose `delta` was
 * replaced (the audio is of the delta it was made with). The audio is handed over once (see
 * {@link takeDecodedAudio}). (A `WeakMap` by event and a non-enumerable property were measured: each cost 2–2.5 % of
 * a session's CPU.)
 */
class DecodedAudioDelta {
  readonly #delta: string;
  #audio: Uint8Array | undefined;
  /** The decoder whose last audio delta this is, until its audio goes (then it holds the event no longer). */
  #owner: Connection | undefined;
  /** Only private fields: the public ones are copied in afterwards, in the frame's order. */
  constructor(delta: string, audio: Uint8Array, owner: Connection | undefined) {
    this.#delta = delta;
    this.#audio = audio;
    this.#owner = owner;
  }
  static audioOf(event: unknown): Uint8Array | undefined {
    return typeof event === 'object' &&
      event !== null &&
      #audio in event &&
      (event as { delta?: unknown }).delta === event.#delta
      ? event.#audio
      : undefined;
  }
  static drop(event: DecodedAudioDelta): void {
    event.#audio = undefined;
    if (event.#owner !== undefined && event.#owner.last === event) event.#owner.last = undefined;
    event.#owner = undefined;
  }
}

/**
 * What one connection's decoder keeps: the envelopes it remembers, and its last audio delta while that one's audio
 * has not been taken. When the next audio delta is decoded, that one's audio is dropped: a socket's frames are
 * handed down a synchronous pipeline, so `audioDeltas()` has taken it by then, and an event held back (`delay`,
 * `observeOn`, a buffer, a log) keeps no view into a slab alive; its delta is decoded when asked.
 */
interface Connection {
  readonly templates: Template[];
  last: DecodedAudioDelta | undefined;
  /**
   * Audio deltas, and text deltas of a part (transcript, text), in a row that the fast paths missed (the full path
   * decoded them); see {@link MISSES}. Counted apart: a shape the fast paths cannot read may hold only one kind.
   */
  readonly misses: [audio: number, text: number];
}

/**
 * After this many audio deltas in a row that the fast paths missed, a connection tries them on one audio delta
 * in {@link RETRY} only: a relay whose every audio delta takes the full path (a shape the fast paths do not read)
 * then pays the full path alone, not a search through each 6.4 kB frame first. The same, counted apart, for the
 * text deltas of a part (transcript and text deltas: ~250 bytes, whose envelope attempt costs about what their
 * parse does). Skipping a fast path never changes an answer (the full path is the reference); the retries learn
 * a shape that turns readable again. Other deltas (`response.function_call_arguments.delta`, input transcription
 * deltas: never read by the fast paths) are always tried and do not count, so that they never hold back a part's
 * deltas from the envelope path.
 */
const MISSES = 16;
const RETRY = 64;

/** Whether a counted delta goes to the envelope path: while fewer than MISSES in a row missed, else on retries. */
function retryDue(misses: Connection['misses'], i: Counted): boolean {
  return misses[i] < MISSES || ++misses[i] === MISSES + RETRY;
}

/** One more counted delta missed; after a retry, RETRY deltas again before the next. */
function missed(misses: Connection['misses'], i: Counted): void {
  misses[i] = misses[i] < MISSES ? misses[i] + 1 : MISSES;
}

/** Which count of {@link Connection.misses} a delta of a kind is in (-1: not counted). */
type Counted = 0 | 1;
const countedAs = (kind: Kind): Counted | -1 => (kind === AUDIO_DELTA ? 0 : kind === TEXT_DELTA ? 1 : -1);

/** `"delta"` in bytes (a plain array: nothing touches `Buffer` at import time). */
const DELTA_NAME = new Uint8Array([0x22, 0x64, 0x65, 0x6c, 0x74, 0x61, 0x22]);

const AUDIO_DELTAS = wireNamesOf('audioDelta');
const TEXT_DELTAS = wireNamesOf('transcriptDelta', 'textDelta');

/**
 * A delta's checked envelope, cut at the string values that change from one delta of a part to the next:
 * `fixed[0]`, slot 0, `fixed[1]`, slot 1, … `fixed[n]`. The slots are `delta` and, when present, `event_id` and
 * GA's `obfuscation` (random padding on transcript deltas); `fixed[i > 0]` starts
 * with the quote that ends slot i - 1.
 */
// source: protocol README ../shared/protocol/README.md §7
interface Template {
  /** The fixed bytes as `latin1` text (one character a byte: equal text is equal bytes). */
  readonly fixed: readonly string[];
  readonly slots: readonly string[];
  /** A byte of the first fixed part that tells the delta types apart, checked before anything else. */
  readonly probe: number;
  /** The decoded event (own copy, primitive values only); each copy gets its own slot values. */
  readonly event: Readonly<Record<string, unknown>>;
  readonly audio: boolean;
  /**
   * Its delta held escapes: the next ones are unescaped first (a relay that escapes one escapes them all, as PHP
   * writes every `/` as `\/`), instead of being refused by the plain slice first (for audio a decode thrown away).
   */
  readonly escaped: boolean;
}

/** The string fields besides `delta` whose values change from one delta to the next. */
const VARYING = ['event_id', 'obfuscation'] as const;

/** At most this many envelopes are remembered per connection (there are six delta types, two or three at a time). */
const TEMPLATES = 4;

// -------------------------------------------------------------------------------------
// decoders
// -------------------------------------------------------------------------------------

/**
 * Decodes one server frame given as its UTF-8 bytes (what `ws` hands over for a text frame) or as a string.
 * Same answers as {@link decodeServerEvent} on the text; an audio delta's audio is decoded from the bytes (into a
 * buffer of its own: there is no connection to own a slab) and carried by the event (see {@link decodedAudio}).
 *
 * @example
 * ```ts
 * import { decodeServerFrame } from 'rx-realtime';
 * socket.on('message', (bytes: Buffer) => {
 *   const result = decodeServerFrame(bytes, 'ga');
 *   if (result._tag === 'Right') handle(result.right);
 * });
 * ```
 */
export function decodeServerFrame(
  frame: Uint8Array | string,
  dialect?: Dialect,
): E.Either<DecodeFailure, ServerEvent> {
  return decodeWith(frame, dialect, undefined, undefined);
}

/**
 * A decoder for the frames of one connection: {@link decodeServerFrame} that also remembers the envelope of the
 * last delta of each type, so that the next deltas of the same part (same bytes but for `event_id` and `delta`)
 * are copies of it with their own two strings. It holds at most four envelopes of a few hundred bytes, and its
 * last audio delta until that one's audio is taken.
 *
 * @example
 * ```ts
 * import { frameDecoder } from 'rx-realtime';
 * const decode = frameDecoder('ga');
 * socket.on('message', (bytes: Buffer) => handle(decode(bytes)));
 * ```
 */
export function frameDecoder(dialect?: Dialect): FrameDecoder {
  return tracedFrameDecoder(dialect);
}

/** Which path decoded a frame: a remembered envelope, the envelope of this frame, or the full decoder. */
export type FramePath = 'template' | 'envelope' | 'full';

/** {@link frameDecoder} that reports the path each frame took (internal: the tests hold every path to account). */
export function tracedFrameDecoder(dialect?: Dialect, trace?: (path: FramePath) => void): FrameDecoder {
  const connection: Connection = { templates: [], last: undefined, misses: [0, 0] };
  return (frame) => decodeWith(frame, dialect, connection, trace);
}

/**
 * The audio an audio delta from {@link decodeServerFrame} / {@link frameDecoder} carries, when its `delta` is
 * unchanged, it was not taken, and (from a `frameDecoder`) no later audio delta was decoded by the same decoder;
 * `undefined` for any other value (then decode `delta`).
 */
export const decodedAudio = (event: unknown): Uint8Array | undefined => DecodedAudioDelta.audioOf(event);

/**
 * {@link decodedAudio}, handed over once: the event lets go of it, so that a second consumer of the same event
 * (two `audioDeltas()` on one shared stream) decodes its own copy and no two consumers ever hold the same bytes
 * (one of them may change its chunk in place).
 */
export const takeDecodedAudio = (event: unknown): Uint8Array | undefined => {
  const audio = DecodedAudioDelta.audioOf(event);
  if (audio !== undefined) DecodedAudioDelta.drop(event as DecodedAudioDelta);
  return audio;
};

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

function decodeWith(
  frame: Uint8Array | string,
  dialect: Dialect | undefined,
  connection: Connection | undefined,
  trace: ((path: FramePath) => void) | undefined,
): E.Either<DecodeFailure, ServerEvent> {
  if (typeof frame === 'string') {
    trace?.('full');
    return decodeServerEvent(frame, dialect);
  }
  // anything else is reported by the full path as what it is
  if (!(frame instanceof Uint8Array)) return decodeServerEvent(frame as unknown as string, dialect);
  if (typeof Buffer === 'undefined') return decodeServerEvent(new TextDecoder().decode(frame), dialect);
  const bytes = Buffer.isBuffer(frame)
    ? frame
    : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  if (dialect === undefined || dialect === 'preview' || dialect === 'ga') {
    if (connection !== undefined) {
      const { templates } = connection;
      // the frame as latin1 text, made once and only when a template's probe byte matches: the templates
      // compare it with their own text (memcmp instead of a loop over bytes) and cut their slots out of it
      let text: string | undefined;
      for (let i = 0; i < templates.length; i++) {
        const t = templates[i]!;
        if (bytes[t.probe] !== t.fixed[0]!.charCodeAt(t.probe)) continue;
        text ??= latin1(bytes, 0, bytes.length);
        const event = fromTemplate(bytes, text, t, connection);
        if (event !== undefined) {
          connection.misses[t.audio ? 0 : 1] = 0;
          trace?.('template');
          return E.right(event);
        }
      }
    }
    const kind = typeKind(bytes);
    // a connection's part deltas count their misses (audio and text apart); other deltas are always tried
    const misses = connection?.misses;
    const slot = misses !== undefined ? countedAs(kind) : -1;
    if (kind !== OTHER && (slot === -1 || retryDue(misses!, slot))) {
      const event = partDelta(bytes, dialect, connection);
      if (event !== undefined) {
        if (slot !== -1) misses![slot] = 0;
        trace?.('envelope');
        return E.right(event);
      }
      if (slot !== -1) missed(misses!, slot);
    }
  }
  trace?.('full');
  return withAudio(decodeServerEvent(bytes.toString('utf8'), dialect), connection);
}

/**
 * A fully decoded audio delta with its audio decoded here, as the fast paths do (into the connection's slab,
 * when there is a connection): a frame the fast paths miss (a relay's separators, reordered keys) costs one
 * base64 decode into a slab, not an allocation per delta in `audioDeltas()`. Base64 that is not standard is
 * left to `audioDeltas()`, which reports it.
 */
function withAudio(
  result: E.Either<DecodeFailure, ServerEvent>,
  connection: Connection | undefined,
): E.Either<DecodeFailure, ServerEvent> {
  // an event of the other dialect stays an unknown event: connect() reports a DialectMismatchError from it
  if (E.isLeft(result) || isUnknownEvent(result.right)) return result;
  const event = result.right as unknown as Record<string, unknown>;
  const delta = event['delta'];
  if (typeof delta !== 'string' || !AUDIO_DELTAS.has(event['type'] as string) || hasOwn(event, '__proto__'))
    return result;
  const bytes = base64Audio(delta, connection !== undefined ? pool : undefined);
  return bytes === undefined ? result : E.right(audioEvent(event, delta, bytes, connection));
}

const hasOwn = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/** `"type"` in bytes. */
const TYPE_NAME = new Uint8Array([0x22, 0x74, 0x79, 0x70, 0x65, 0x22]);
/** `.delta"` in bytes. */
const DELTA_TYPE_END = new Uint8Array([0x2e, 0x64, 0x65, 0x6c, 0x74, 0x61, 0x22]);

/**
 * JSON's whitespace, allowed before and after every structural character (RFC 8259 §2): space, tab, line feed,
 * carriage return. The service writes none; a relay that re-serialises events (Python's `json.dumps` writes
 * `", "` and `": "`) or pretty-prints them does.
 */
const isSpace = (b: number | undefined): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/**
 * Just after the opening quote of a string value whose key's closing quote is at `i - 1` (`:` and `"`, JSON
 * whitespace allowed around the colon), or -1 when something else follows the key.
 */
function stringValueAt(frame: Buffer, i: number): number {
  while (isSpace(frame[i])) i++;
  if (frame[i] !== 0x3a) return -1; // :
  i++;
  while (isSpace(frame[i])) i++;
  return frame[i] === 0x22 ? i + 1 : -1;
}

/**
 * True when the byte before the quote at `i`, whitespace skipped, is `{` or `,`: an escaped quote (`\"`) is
 * preceded by its backslash, so this quote opens a string, and in JSON that parses, a string after `{` or `,`
 * is a key.
 */
function afterSeparator(frame: Buffer, i: number): boolean {
  i--;
  while (i > 0 && isSpace(frame[i])) i--;
  return i >= 0 && (frame[i] === 0x2c || frame[i] === 0x7b);
}

/**
 * True when the byte at `key` (a quote) lies outside every string and directly inside the object that opens at
 * byte 0, reading the bytes before it as JSON reads strings (a backslash escapes the next byte) and brackets.
 * Bytes that are not JSON are left to the parse that follows.
 */
function atTopLevel(frame: Buffer, key: number): boolean {
  let depth = 1;
  for (let i = 1; i < key; i++) {
    const b = frame[i];
    if (b === 0x22) {
      // a string: on to its closing quote, which must come before `key`
      for (i++; i < key; i++) {
        const c = frame[i];
        if (c === 0x5c) i++;
        else if (c === 0x22) break;
      }
      if (i >= key) return false;
    } else if (b === 0x7b || b === 0x5b) depth++;
    else if ((b === 0x7d || b === 0x5d) && --depth < 1) return false;
  }
  return depth === 1;
}

function sameBytes(frame: Buffer, at: number, bytes: Uint8Array): boolean {
  for (let k = 0; k < bytes.length; k++) if (frame[at + k] !== bytes[k]) return false;
  return true;
}

/** Just after the opening quote of the `type` value when `type` is the frame's first key, else -1. */
function typeValueAt(frame: Buffer): number {
  if (frame[0] !== 0x7b) return -1; // {
  let i = 1;
  while (isSpace(frame[i])) i++;
  if (!sameBytes(frame, i, TYPE_NAME)) return -1;
  return stringValueAt(frame, i + TYPE_NAME.length);
}

/**
 * Delta types' names with their closing quote, in bytes (ASCII; no TextEncoder at import time: an
 * AudioWorkletGlobalScope, where the browser build's worklets run, has none).
 */
const typeNames = (names: ReadonlySet<string>) =>
  [...names].map((name) => Uint8Array.from(`${name}"`, (c) => c.charCodeAt(0)));
const AUDIO_TYPE_NAMES = typeNames(AUDIO_DELTAS);
const TEXT_TYPE_NAMES = typeNames(TEXT_DELTAS);

/**
 * What a frame's first key says it is ({@link typeKind}): not a delta (its type does not end in `.delta`: the
 * fast paths need not search it), an audio delta, a part's text delta (transcript, text), or a delta of another
 * type or a frame whose first key is not `type` (searched as any delta).
 */
type Kind = typeof OTHER | typeof DELTA | typeof AUDIO_DELTA | typeof TEXT_DELTA;
const OTHER = 0;
const DELTA = 1;
const AUDIO_DELTA = 2;
const TEXT_DELTA = 3;

/**
 * The kind of frame `type` says, when it is the first key (the service writes it first: the recorded sessions
 * in ../shared/protocol/sessions); a frame that does not is searched as before.
 */
function typeKind(frame: Buffer): Kind {
  const start = typeValueAt(frame);
  if (start < 0) return DELTA;
  const end = frame.indexOf(0x22, start) + 1; // just after the type's closing quote
  if (end < start + DELTA_TYPE_END.length) return OTHER;
  for (let i = 0; i < DELTA_TYPE_END.length; i++)
    if (frame[end - DELTA_TYPE_END.length + i] !== DELTA_TYPE_END[i]) return OTHER;
  for (const name of AUDIO_TYPE_NAMES)
    if (end - start === name.length && sameBytes(frame, start, name)) return AUDIO_DELTA;
  for (const name of TEXT_TYPE_NAMES)
    if (end - start === name.length && sameBytes(frame, start, name)) return TEXT_DELTA;
  return DELTA;
}

/** What the envelope path parses in place of the delta's value: `\u0000`, a NUL (see partDelta). */
const CUT = '\\u0000';

/**
 * The envelope path, or `undefined` to take the full one. Why each check is enough:
 * - `"delta"` is followed by `:` and a quote and preceded by `{` or `,` (JSON whitespace allowed in between, as
 *   the full path allows it), and the bytes before it, read as JSON's strings and brackets, leave it outside
 *   every string and in the object that opens at the first byte: so, once the rest parses, those bytes are a key
 *   of the top-level object, not text in a string (a quote in a string is escaped, `\"`) nor a key of a nested
 *   object (a relay's trace context, a field the service adds tomorrow: nested values before the delta are
 *   parsed with the envelope);
 * - the value runs to the first `"` after an even run of backslashes (`closingQuote`), so it is one JSON string
 *   token. Without a backslash its bytes hold no control byte (text deltas; UTF-8 is decoded as the full path
 *   decodes the whole frame) or are standard base64 (audio deltas, checked by decoding them): its value is those
 *   bytes. With one (PHP's `\/` in base64, a transcript's `\"` or `\n`), `escapedSlice` reads the token as
 *   JSON.parse does: audio unescapes `\/` and must then be plain base64, anything else is the token parsed;
 * - the frame with that value replaced by `\u0000` parses, its `delta` is NUL (the field we cut out: a later
 *   duplicate key, which JSON.parse would keep, could spell NUL only as `\u0000`, and no such text follows the
 *   value) and, as `''`, it passes the codec's check: the full path accepts the frame with the same fields.
 *   Escapes after the value (a key spelled with one, a value's `caf\u00e9`) are read by the parse.
 */
function partDelta(frame: Buffer, dialect: Dialect | undefined, connection: Connection | undefined) {
  // the first `"delta"` followed by a colon and a string (an earlier one is a value, as in `"name":"delta"`)
  let key = frame.indexOf(DELTA_NAME);
  let start = -1;
  while (key > 0 && (start = stringValueAt(frame, key + DELTA_NAME.length)) === -1)
    key = frame.indexOf(DELTA_NAME, key + 1);
  if (key <= 0 || frame[0] !== 0x7b || !afterSeparator(frame, key) || !atTopLevel(frame, key))
    return undefined;
  const end = closingQuote(frame, start);
  if (end < 0) return undefined;
  const head = frame.toString('utf8', 0, start);
  const tail = frame.toString('utf8', end);
  // JSON.parse keeps the last of duplicate keys: a later `delta` (spelled out or with escapes) would be the
  // frame's. The cut-out value is NUL, which no later string can equal without spelling `\u0000` (JSON allows
  // no raw control byte in a string, RFC 8259 §7): a delta of NUL after the parse is the field we cut out.
  if (tail.indexOf('u0000') !== -1) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(head + CUT + tail);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const event = parsed as Record<string, unknown>;
  const type = event['type'];
  if (event['delta'] !== '\u0000' || typeof type !== 'string') return undefined;
  event['delta'] = '';
  if (!isServerPartDelta(event, type, dialect)) return undefined;
  const audio = AUDIO_DELTAS.has(type);
  if (!audio && !TEXT_DELTAS.has(type)) return undefined;
  // an own `__proto__` key would be lost in the copy onto a DecodedAudioDelta (Object.assign sets the prototype)
  if (audio && hasOwn(event, '__proto__')) return undefined;
  const slab = connection !== undefined ? pool : undefined;
  const plain = plainSlice(frame, undefined, start, end, audio, slab);
  const value: { text: string; bytes?: Uint8Array } | undefined =
    plain ?? escapedSlice(frame, start, end, audio, slab);
  if (value === undefined) return undefined;
  if (connection !== undefined)
    remember(connection.templates, frame, start, end, head, tail, event, audio, plain === undefined);
  if (value.bytes === undefined) {
    event['delta'] = value.text;
    return event as ServerEvent;
  }
  return audioEvent(event, value.text, value.bytes, connection);
}

/**
 * The event of a frame whose bytes are `template`'s but for its slot values, or `undefined`. `text` is the frame
 * as latin1 (a character a byte), so equal text is equal bytes. The template's fixed bytes hold no escape, so
 * every quote in them opens or closes a string, and equal bytes are equal JSON; a new `event_id` or
 * `obfuscation` must be printable ASCII without a quote or escape (the same JSON string as its bytes), a new
 * `delta` passes the envelope path's own check.
 */
function fromTemplate(
  frame: Buffer,
  text: string,
  t: Template,
  connection: Connection,
): ServerEvent | undefined {
  const { fixed, slots } = t;
  let at = 0;
  let id: string | undefined;
  let obfuscation: string | undefined;
  let delta: { text: string; bytes?: Uint8Array } | undefined;
  for (let i = 0; ; i++) {
    const part = fixed[i]!;
    if (text.substring(at, at + part.length) !== part) return undefined;
    at += part.length;
    if (i === slots.length) break;
    // An audio delta in the last slot ends where the last fixed part begins (compared next): no search through
    // its 6.4 kB for the closing quote, as decoding it proves it holds none (a byte outside the base64 alphabet
    // leaves the decoded length short).
    const end =
      t.audio && i === slots.length - 1
        ? text.length - fixed[i + 1]!.length
        : slots[i] === 'delta'
          ? closingQuote(frame, at)
          : text.indexOf('"', at);
    if (end < at) return undefined;
    // the bytes after an audio delta first, so that a frame with a field more does not cost a decode
    if (end === text.length - fixed[i + 1]!.length && !text.endsWith(fixed[i + 1]!)) return undefined;
    if (slots[i] === 'delta') {
      delta = t.escaped
        ? (escapedSlice(frame, at, end, t.audio, pool) ?? plainSlice(frame, text, at, end, t.audio, pool))
        : (plainSlice(frame, text, at, end, t.audio, pool) ?? escapedSlice(frame, at, end, t.audio, pool));
      if (delta === undefined) return undefined;
    } else {
      // printable ASCII up to the closing quote
      for (let k = at; k < end; k++) {
        const c = text.charCodeAt(k);
        if (c < 0x20 || c > 0x7e || c === 0x5c) return undefined;
      }
      // A substring of 13 characters or more is a view into `text` that keeps all of it alive: for an audio frame
      // (6.4 kB) the id is copied instead, so that keeping an event's id does not keep its frame.
      const value = t.audio ? latin1(frame, at, end) : text.substring(at, end);
      if (slots[i] === 'event_id') id = value;
      else obfuscation = value;
    }
    at = end;
  }
  if (at !== text.length || delta === undefined) return undefined;
  if (delta.bytes !== undefined)
    return audioEvent(t.event, delta.text, delta.bytes, connection, id, obfuscation);
  const event: Record<string, unknown> = { ...t.event };
  if (id !== undefined) event['event_id'] = id;
  if (obfuscation !== undefined) event['obfuscation'] = obfuscation;
  event['delta'] = delta.text;
  return event as ServerEvent;
}

/** Keeps a template of a decoded delta when its envelope is plain (see {@link fromTemplate}). */
function remember(
  templates: Template[],
  frame: Buffer,
  start: number,
  end: number,
  head: string,
  tail: string,
  event: Record<string, unknown>,
  audio: boolean,
  escaped: boolean,
): void {
  // the fixed bytes hold no escape (see fromTemplate); partDelta has refused a later `delta` key (so the same
  // tail has none)
  if (head.indexOf('\\') !== -1 || tail.indexOf('\\') !== -1) return;
  for (const key in event) {
    const v = event[key];
    if (typeof v === 'object' && v !== null) return; // copies must not share a nested value
  }
  // byte spans of the slot values; ASCII keys are found at the same places in the bytes as in the text
  const spans: [number, number, string][] = [[start, end, 'delta']];
  for (const key of VARYING) {
    const value = event[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') return;
    const quoted = `"${key}"`;
    const inHead = head.indexOf(quoted);
    const inTail = tail.indexOf(quoted);
    // one key, a string after `{` or `,` and before `:` (whitespace allowed): the top-level key (no escapes, no
    // nested values); the only occurrence in the text is the first in the bytes (UTF-8 puts no ASCII byte in a
    // multibyte character)
    if ((inHead === -1) === (inTail === -1)) return;
    const text = inHead !== -1 ? head : tail;
    const at = inHead !== -1 ? inHead : inTail;
    if (text.indexOf(quoted, at + 1) !== -1) return;
    const keyAt = frame.indexOf(quoted, inHead !== -1 ? 0 : end, 'latin1');
    if (keyAt < 0 || !afterSeparator(frame, keyAt)) return;
    const valueStart = stringValueAt(frame, keyAt + quoted.length);
    if (valueStart < 0) return;
    const valueEnd = frame.indexOf(0x22, valueStart);
    if (valueEnd < 0) return;
    spans.push([valueStart, valueEnd, key]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  // made at their length (kept for the connection's life: an array grown by push reserves 17 slots)
  const fixed = Array.from({ length: spans.length + 1 }, (_, i) =>
    latin1(frame, i === 0 ? 0 : spans[i - 1]![1], i < spans.length ? spans[i]![0] : frame.length),
  );
  // the last character of the type's name when `type` is the first key (a delta type of another length has
  // something else there: for the six delta types, part of `"event_id"` or of the name); else the `{`
  const typeStart = typeValueAt(frame);
  const typeEnd = typeStart > 0 ? typeStart + (event['type'] as string).length : 1;
  const probe = typeEnd - 1 < fixed[0]!.length ? typeEnd - 1 : 0;
  const slots = spans.map((s) => s[2]);
  const template: Template = { fixed, slots, probe, event: { ...event }, audio, escaped };
  const index = templates.findIndex((t) => t.event['type'] === event['type']);
  if (index !== -1) templates[index] = template;
  else if (templates.length < TEMPLATES) templates.push(template);
  else templates[0] = template;
}

/**
 * The audio delta of checked `fields` (copied, in their order) with its `delta` text and decoded audio; the
 * connection's previous audio delta lets go of its audio (see {@link Connection}).
 */
function audioEvent(
  fields: Readonly<Record<string, unknown>>,
  delta: string,
  audio: Uint8Array,
  connection: Connection | undefined,
  id?: string,
  obfuscation?: string,
): ServerEvent {
  const event = Object.assign(new DecodedAudioDelta(delta, audio, connection), fields) as unknown as Record<
    string,
    unknown
  >;
  if (id !== undefined) event['event_id'] = id;
  if (obfuscation !== undefined) event['obfuscation'] = obfuscation;
  event['delta'] = delta;
  if (connection !== undefined) {
    if (connection.last !== undefined) DecodedAudioDelta.drop(connection.last);
    connection.last = event as unknown as DecodedAudioDelta;
  }
  return event as ServerEvent;
}

/**
 * The text of `frame[start, end)` when it holds no escape or control byte (else the full path decides); `whole`,
 * when given, is the frame as latin1, to cut ASCII text out of.
 */
function textSlice(
  frame: Buffer,
  whole: string | undefined,
  start: number,
  end: number,
): { text: string } | undefined {
  let high = 0;
  for (let i = start; i < end; i++) {
    const c = frame[i]!;
    if (c < 0x20 || c === 0x5c) return undefined;
    high |= c;
  }
  if (high >= 0x80) return { text: frame.toString('utf8', start, end) };
  return { text: whole !== undefined ? whole.substring(start, end) : latin1(frame, start, end) };
}

/** The delta `frame[start, end)` read without unescaping (see base64Slice and textSlice), or `undefined`. */
const plainSlice = (
  frame: Buffer,
  text: string | undefined,
  start: number,
  end: number,
  audio: boolean,
  slab: Slab | undefined,
) => (audio ? base64Slice(frame, text, start, end, slab) : textSlice(frame, text, start, end));

/**
 * The first quote at or after `start` that closes the string `start` is in (one after an even run of
 * backslashes: `\\"` closes, `\"` does not), or -1.
 */
function closingQuote(frame: Buffer, start: number): number {
  let end = frame.indexOf(0x22, start);
  while (end > start && frame[end - 1] === 0x5c) {
    let k = end - 1;
    while (k > start && frame[k - 1] === 0x5c) k--;
    if ((end - k) % 2 === 0) break; // the backslashes escape each other
    end = frame.indexOf(0x22, end + 1);
  }
  return end;
}

/**
 * The value of the JSON string `frame[start, end)` that holds escapes (PHP's `json_encode` writes every `/` of a
 * base64 delta as `\/`, a transcript holds `\"` or `\n`), and for audio its bytes; `undefined` when it holds no
 * backslash (the plain slices have refused it for something else) or is not a JSON string. A string token's
 * value does not depend on what is around it: JSON.parse of the token alone is the value JSON.parse of the
 * whole frame gives the field, without parsing the rest again.
 */
function escapedSlice(
  frame: Buffer,
  start: number,
  end: number,
  audio: boolean,
  slab: Slab | undefined,
): { text: string; bytes?: Uint8Array } | undefined {
  const backslash = frame.indexOf(0x5c, start);
  if (backslash === -1 || backslash >= end) return undefined;
  if (audio) {
    // `\/` the only escape: the value is the text without its backslashes (base64Audio refuses anything else
    // that is not base64, a quote or a control byte included), no parse needed
    const plain = latin1(frame, start, end).replaceAll('\\/', '/');
    if (plain.indexOf('\\') === -1) {
      const bytes = base64Audio(plain, slab);
      return bytes === undefined ? undefined : { text: plain, bytes };
    }
  }
  let text: unknown;
  try {
    text = JSON.parse(frame.toString('utf8', start - 1, end + 1));
  } catch {
    return undefined;
  }
  if (typeof text !== 'string') return undefined;
  if (!audio) return { text };
  const bytes = base64Audio(text, slab);
  return bytes === undefined ? undefined : { text, bytes };
}

/**
 * The decoders' audio is carved out of slabs of this size instead of a buffer per delta: an allocator shared by
 * the process, as `Buffer.allocUnsafe` carves small Buffers out of its own 8 KiB pool. Nothing is handed over
 * through it (each view belongs to the event it was made for); one slab per decoder instead was 64 KiB a
 * connection, 25 MB at 400 sessions.
 */
const SLAB_BYTES = 64 * 1024;
interface Slab {
  buffer: Buffer | undefined;
  used: number;
}
const pool: Slab = { buffer: undefined, used: 0 };

/**
 * The base64 text of `frame[start, end)` and its bytes, or `undefined` when it is not standard base64 (padding
 * optional). `Buffer`'s decoder skips characters outside the alphabet and takes the URL-safe `-` `_`: a decoded
 * length short of what the text implies, or a `-`/`_`, means it was not (as `base64ToBytes` checks). `whole`, when
 * given, is the frame as latin1: the text is cut out of it and searched there. Without a `slab` (or for a delta
 * too large for one) the audio gets a buffer of its own.
 */
function base64Slice(
  frame: Buffer,
  whole: string | undefined,
  start: number,
  end: number,
  slab: Slab | undefined,
): { text: string; bytes: Uint8Array } | undefined {
  const length = end - start;
  if (length % 4 === 1) return undefined;
  let data = end;
  if (data > start && frame[data - 1] === 0x3d) data--; // =
  if (data > start && frame[data - 1] === 0x3d) data--;
  if (data !== end && length % 4 !== 0) return undefined;
  const dash = whole !== undefined ? whole.indexOf('-', start) : frame.indexOf(0x2d, start);
  if (dash !== -1 && dash < end) return undefined;
  const underscore = whole !== undefined ? whole.indexOf('_', start) : frame.indexOf(0x5f, start);
  if (underscore !== -1 && underscore < end) return undefined;
  const expected = Math.floor(((data - start) * 3) / 4);
  const text = whole !== undefined ? whole.substring(start, end) : latin1(frame, start, end);
  const bytes = decodeInto(text, expected, slab);
  return bytes === undefined ? undefined : { text, bytes };
}

/** The bytes of base64 `text` (a JSON string's value), or `undefined` when it is not standard base64. */
function base64Audio(text: string, slab: Slab | undefined): Uint8Array | undefined {
  const length = text.length;
  if (length % 4 === 1) return undefined;
  let data = length;
  if (data > 0 && text.charCodeAt(data - 1) === 0x3d) data--; // =
  if (data > 0 && text.charCodeAt(data - 1) === 0x3d) data--;
  if (data !== length && length % 4 !== 0) return undefined;
  if (text.indexOf('-') !== -1 || text.indexOf('_') !== -1) return undefined;
  // a character outside the alphabet (skipped by Buffer's decoder) shows as a short decoded length
  return decodeInto(text, Math.floor((data * 3) / 4), slab);
}

/** `expected` bytes decoded from base64 `text` into `slab` (or a buffer of their own), or `undefined` if short. */
function decodeInto(text: string, expected: number, slab: Slab | undefined): Uint8Array | undefined {
  if (slab === undefined || expected > SLAB_BYTES / 4) {
    const bytes = Buffer.from(text, 'base64');
    return bytes.length === expected ? view(bytes, 0, expected) : undefined;
  }
  if (slab.buffer === undefined || slab.buffer.length - slab.used < expected) {
    slab.buffer = Buffer.allocUnsafe(SLAB_BYTES);
    slab.used = 0;
  }
  const written = base64Write(slab.buffer, text, slab.used, expected);
  if (written !== expected) return undefined;
  const bytes = view(slab.buffer, slab.used, expected);
  // the next view starts 8-byte aligned, so that an Int16Array or Float32Array over a delta needs no copy
  slab.used += (expected + 7) & ~7;
  return bytes;
}

/**
 * `Buffer`'s own per-encoding methods, under its documented `toString`/`write`: these run for every delta, and in
 * a real session (one frame per socket read, the code cold) the argument handling of the documented wrappers
 * costs more than the copy itself (2–3 % of a session's CPU in a profile). Both exist on every `Buffer` since
 * Node's first versions; the documented calls remain the fallback.
 */
interface EncodingMethods {
  latin1Slice?(start: number, end: number): string;
  base64Write?(text: string, offset: number, length: number): number;
}
const latin1 = (frame: Buffer, start: number, end: number): string => {
  const own = frame as EncodingMethods;
  return own.latin1Slice !== undefined ? own.latin1Slice(start, end) : frame.toString('latin1', start, end);
};
const base64Write = (buffer: Buffer, text: string, offset: number, length: number): number => {
  const own = buffer as EncodingMethods;
  return own.base64Write !== undefined
    ? own.base64Write(text, offset, length)
    : buffer.write(text, offset, length, 'base64');
};

const view = (buffer: Buffer, offset: number, length: number) =>
  new Uint8Array(buffer.buffer, buffer.byteOffset + offset, length);

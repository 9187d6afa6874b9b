/**
 * Decoding frames into typed events: the one place of the library that calls `JSON.parse` on a server frame.
 *
 * It's like `JSON.parse` followed by a codec's `decode`, but it never throws, keeps every unknown field, lets
 * unknown event types through, and reports failures as values that name the path and the expected type.
 *
 * Sections, in the io-ts order: model, registries, decoders, utils.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { wireNamesOf, type Dialect } from './dialect';
import { decodeFailure, type DecodeFailure, type DecodeIssue } from './decodeFailure';
import { markUnknownEvent, type UnknownEvent } from './unknownEvent';
import { gaServerCodecs, previewServerCodecs, type KnownServerEvent } from './serverEvents';
import { gaClientCodecs, previewClientCodecs, type ClientEvent } from './clientEvents';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A decoded server event: a known event of either dialect, or an {@link UnknownEvent}. */
export type ServerEvent = KnownServerEvent | UnknownEvent;

/** What a connection's server stream carries: events, and frames that did not decode. */
// source: protocol README CONTRACT.md
export type ServerMessage = ServerEvent | DecodeFailure;

/** At most this many issues are kept on a failure (the message still counts them all): nothing unbounded. */
const MAX_ISSUES = 20;

// -------------------------------------------------------------------------------------
// registries: wire name → codec, per dialect (§7 tables)
// -------------------------------------------------------------------------------------

interface Entry {
  readonly codec: t.Mixed;
  /**
   * True for the content-part deltas, whose codec is exactly `{ type, response_id: string, item_id: string,
   * output_index: integer, content_index: integer, delta: string }` + optional `event_id: string | null`.
   * They are most of a session's frames (50 audio + 50 transcript deltas per spoken response), so
   * {@link isPartDelta} checks them by hand; see there for why that is the same check as the codec's.
   */
  readonly partDelta: boolean;
}
type Registry = ReadonlyMap<string, Entry>;

/** The deltas whose codec is `serverEvent(type, { ...partRef, delta: t.string })` in serverEvents.ts. */
const PART_DELTAS = wireNamesOf('audioDelta', 'transcriptDelta', 'textDelta');

const registry = (...lists: readonly (readonly t.Mixed[])[]): Registry => {
  const map = new Map<string, Entry>();
  // Earlier lists win: the dialect-free registries list the lenient preview codec first (e.g. GA's
  // `response.function_call_arguments.done` requires `name`, the preview one does not).
  for (const list of lists)
    for (const codec of list) {
      const type = wireType(codec);
      if (!map.has(type)) map.set(type, { codec, partDelta: PART_DELTAS.has(type) });
    }
  return map;
};

/** The `type` literal of an event codec: every one is `intersection([type({ type: literal(X), … }), partial(…)])`. */
export function wireType(codec: t.Mixed): string {
  const head = (codec as unknown as t.IntersectionType<[t.InterfaceType<t.Props>]>).types[0];
  return (head.props['type'] as t.LiteralType<string>).value;
}

const serverRegistries: Readonly<Record<Dialect | 'any', Registry>> = {
  preview: registry(previewServerCodecs),
  ga: registry(gaServerCodecs),
  any: registry(previewServerCodecs, gaServerCodecs),
};
const clientRegistries: Readonly<Record<Dialect | 'any', Registry>> = {
  preview: registry(previewClientCodecs),
  ga: registry(gaClientCodecs),
  any: registry(previewClientCodecs, gaClientCodecs),
};

/** The codec that checks `type` in `dialect` (no dialect: either), or `undefined` when the type is unknown there. */
export const serverCodec = (type: string, dialect?: Dialect): t.Mixed | undefined =>
  serverRegistries[dialect ?? 'any'].get(type)?.codec;

/** The client-event codec of `type` in `dialect` (no dialect: either), or `undefined`. */
export const clientCodec = (type: string, dialect?: Dialect): t.Mixed | undefined =>
  clientRegistries[dialect ?? 'any'].get(type)?.codec;

// -------------------------------------------------------------------------------------
// decoders
// -------------------------------------------------------------------------------------

/**
 * Decodes one server frame. Without a `dialect`, events of either dialect decode (their names do not collide).
 *
 * - invalid JSON, a binary frame, a non-object, a missing or non-string `type`, or a known `type` with a wrong
 *   shape → `Left(DecodeFailure)` that keeps the raw frame and names the path and the expected type;
 * - a well-formed event of an unknown `type` → `Right` of an {@link UnknownEvent} with all its fields;
 * - otherwise `Right` of the event: the parsed object itself, unknown extra fields included.
 *
 * It never throws, whatever the input (any string, a `Buffer`, `undefined`, 100 000 nested arrays …), and it
 * changes nothing on the parsed object but a non-enumerable brand on unknown events.
 *
 * @example
 * ```ts
 * import { decodeServerEvent, isUnknownEvent } from 'rx-realtime';
 *
 * const result = decodeServerEvent('{"type":"response.done","event_id":"e1","response":{"status":"completed"}}', 'preview');
 * if (result._tag === 'Left') console.warn(result.left.message);
 * else if (isUnknownEvent(result.right)) console.log('a newer event type; passed through');
 * else if (result.right.type === 'response.done') console.log(result.right.response.status); // 'completed'
 * ```
 */
export const decodeServerEvent = (data: string, dialect?: Dialect): E.Either<DecodeFailure, ServerEvent> =>
  decodeFrame(data, dialect, serverRegistries) as E.Either<DecodeFailure, ServerEvent>;

/**
 * Decodes one client frame (what a server, such as the emulator, receives). Same rules as
 * {@link decodeServerEvent}; an unknown `type` is a `Right` of an {@link UnknownEvent}, which a server should
 * answer with an `invalid_request_error`.
 *
 * @example
 * ```ts
 * import { decodeClientEvent } from 'rx-realtime';
 * const result = decodeClientEvent('{"type":"input_audio_buffer.commit"}', 'ga'); // Right
 * ```
 */
export const decodeClientEvent = (
  data: string,
  dialect?: Dialect,
): E.Either<DecodeFailure, ClientEvent | UnknownEvent> =>
  decodeFrame(data, dialect, clientRegistries) as E.Either<DecodeFailure, ClientEvent | UnknownEvent>;

/**
 * Validates an already-parsed value as a server event (for transports that hand over objects). Same rules as
 * {@link decodeServerEvent}; `raw` is kept on a failure.
 *
 * @example
 * ```ts
 * import { decodeServerEventObject } from 'rx-realtime';
 * const result = decodeServerEventObject({ type: 'input_audio_buffer.cleared', event_id: 'e1' }, 'ga'); // Right
 * ```
 */
export const decodeServerEventObject = (
  value: unknown,
  dialect?: Dialect,
  raw: string | Uint8Array = '',
): E.Either<DecodeFailure, ServerEvent> => {
  try {
    const codecs = pickRegistry(serverRegistries, dialect);
    if (typeof codecs === 'string') return E.left(decodeFailure(codecs, raw));
    return decodeParsed(value, raw, codecs, false) as E.Either<DecodeFailure, ServerEvent>;
  } catch (e) {
    return E.left(decodeFailure(`could not decode: ${errorText(e)}`, raw));
  }
};

/**
 * True when `parsed` (an object made by `JSON.parse`) is a valid content-part delta of `type` in `dialect`: the
 * check {@link decodeServerEvent} makes for it. Internal, for the frame fast path (frame.ts).
 */
export function isServerPartDelta(parsed: Record<string, unknown>, type: string, dialect?: Dialect): boolean {
  const entry = serverRegistries[dialect ?? 'any'].get(type);
  return entry !== undefined && entry.partDelta && isPartDelta(parsed);
}

function decodeFrame(
  data: unknown,
  dialect: unknown,
  registries: Readonly<Record<Dialect | 'any', Registry>>,
): E.Either<DecodeFailure, unknown> {
  try {
    const codecs = pickRegistry(registries, dialect);
    if (typeof codecs === 'string') return E.left(decodeFailure(codecs, rawOf(data)));
    if (typeof data !== 'string') return E.left(notText(data));
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch (e) {
      return E.left(decodeFailure(`invalid JSON: ${jsonErrorText(e)}`, data));
    }
    return decodeParsed(parsed, data, codecs, true);
  } catch (e) {
    // Nothing above throws on a string; this keeps the promise for whatever a caller hands in at run time
    // (a revoked Proxy, an object whose toString throws).
    return E.left(decodeFailure(`could not decode: ${errorText(e)}`, rawOf(data)));
  }
}

function decodeParsed(
  parsed: unknown,
  raw: string | Uint8Array,
  codecs: Registry,
  fromJson: boolean,
): E.Either<DecodeFailure, unknown> {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return E.left(decodeFailure(`expected a JSON object with a "type", got ${describe(parsed)}`, raw));
  }
  const type = (parsed as { type?: unknown }).type;
  if (typeof type !== 'string') {
    const issue: DecodeIssue = { path: 'type', expected: 'string', actual: render(type) };
    return E.left(
      decodeFailure(`invalid event: expected string at type, got ${issue.actual}`, raw, undefined, [issue]),
    );
  }
  const entry = codecs.get(type);
  if (entry === undefined) return E.right(markUnknownEvent(parsed as Record<string, unknown>));
  // The hot path, only for what JSON.parse made (a plain object, own data properties): the hand check accepts
  // exactly what the codec accepts; anything else goes on to the codec, which also writes the failure message.
  if (fromJson && entry.partDelta && isPartDelta(parsed as Record<string, unknown>)) return E.right(parsed);
  // Every codec here is a plain check (no defaults, no transforms), built from io-ts types whose `is` tests
  // exactly what their `validate` accepts, without building a context per field or an Either per value
  // (3 to 4 times faster). `decode` runs only for a frame that fails, to write the failure's message.
  if (entry.codec.is(parsed)) return E.right(parsed);
  const result = entry.codec.decode(parsed);
  if (E.isRight(result)) return E.right(parsed); // not reached while `is` and `decode` agree; decode has the say
  const { issues, count } = toIssues(result.left);
  const first = issues[0]!;
  const more = count > 1 ? ` (and ${count - 1} more)` : '';
  return E.left(
    decodeFailure(
      `${type}: expected ${first.expected} at ${first.path || '(root)'}, got ${first.actual}${more}`,
      raw,
      type,
      issues,
    ),
  );
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The codec's own check of a content-part delta, written out. Equivalent for an object from `JSON.parse`:
 * - `t.type` first asks for an `UnknownRecord` (`[object Object]`): a non-array object from JSON.parse is one;
 * - `t.string` is `typeof === 'string'`; `Int` (codec.ts) is `typeof === 'number' && Number.isInteger`, and
 *   `Number.isInteger` is false for any non-number;
 * - the `t.partial` member accepts an absent (`undefined`) `event_id`, `null`, or a string;
 * - `type` was matched by the registry lookup, which is the literal's check.
 * test/protocol/fuzz.test.ts ("the delta fast path") holds this to the codec on the corpus and mutated frames.
 */
function isPartDelta(e: Record<string, unknown>): boolean {
  const eventId = e['event_id'];
  return (
    typeof e['delta'] === 'string' &&
    typeof e['response_id'] === 'string' &&
    typeof e['item_id'] === 'string' &&
    Number.isInteger(e['output_index']) &&
    Number.isInteger(e['content_index']) &&
    (eventId === undefined || eventId === null || typeof eventId === 'string')
  );
}

/** The registry of a dialect, or the failure message when `dialect` is not one (a caller's run-time mistake). */
function pickRegistry(
  registries: Readonly<Record<Dialect | 'any', Registry>>,
  dialect: unknown,
): Registry | string {
  if (dialect === undefined) return registries.any;
  if (dialect === 'preview' || dialect === 'ga') return registries[dialect];
  return `unknown dialect ${render(dialect)}: expected "preview", "ga" or none`;
}

/** V8's JSON.parse message without the " (line 1 column 8)" that Node 22 appends and Node 20 does not. */
function jsonErrorText(e: unknown): string {
  return errorText(e).replace(/ \(line \d+ column \d+\)$/, '');
}

function errorText(e: unknown): string {
  try {
    return e instanceof Error ? e.message : String(e);
  } catch {
    return 'an unprintable error';
  }
}

/** The failure for a frame that is not a string: a binary frame (ws hands `Buffer`, `ArrayBuffer` or `Buffer[]`). */
function notText(data: unknown): DecodeFailure {
  const bytes = toBytes(data);
  return bytes
    ? decodeFailure(
        `binary frame (${bytes.byteLength} bytes): the Realtime protocol sends only JSON text frames`,
        bytes,
      )
    : decodeFailure(`expected a text frame (string), got ${describe(data)}`, rawOf(data));
}

/** What a failure keeps as `raw` for any input, without calling a possibly hostile `toString`. */
function rawOf(data: unknown): string | Uint8Array {
  if (typeof data === 'string') return data;
  try {
    const bytes = toBytes(data);
    if (bytes) return bytes;
  } catch {
    // a revoked Proxy: fall through
  }
  return render(data);
}

/** io-ts errors → one issue per path (at most {@link MAX_ISSUES} kept), naming the type expected there. */
function toIssues(errors: t.Errors): { issues: DecodeIssue[]; count: number } {
  const seen = new Set<string>();
  const issues: DecodeIssue[] = [];
  for (const error of errors) {
    const keys: string[] = [];
    let expected = error.context[error.context.length - 1]?.type.name ?? 'unknown';
    for (let i = 1; i < error.context.length; i++) {
      const parent = error.context[i - 1]!.type;
      // keys under an intersection or a union are member indices, not data keys
      if (parent instanceof t.IntersectionType || parent instanceof t.UnionType) continue;
      keys.push(error.context[i]!.key);
      expected = error.context[i]!.type.name;
    }
    const path = keys.join('.');
    if (seen.has(path)) continue;
    seen.add(path);
    if (issues.length < MAX_ISSUES) issues.push({ path, expected, actual: render(error.value) });
  }
  return { issues, count: seen.size };
}

/**
 * A short JSON-like rendering of a value for a message: at most 60 characters, built with a budget so that a
 * 15 MB array or 100 000 nested arrays cost no more than the 60 characters shown. Non-finite numbers (JSON's
 * `1e400` parses to `Infinity`) show as `Infinity`, not as JSON's `null`.
 */
function render(value: unknown): string {
  const LIMIT = 60;
  let out = '';
  const full = (): boolean => out.length > LIMIT;
  const write = (v: unknown): void => {
    if (full()) return;
    if (v === null) out += 'null';
    else if (typeof v === 'string') out += JSON.stringify(v.length > LIMIT ? v.slice(0, LIMIT + 1) : v);
    else if (typeof v === 'number')
      out += String(v); // like JSON for finite numbers; `Infinity` for 1e400
    else if (typeof v === 'boolean') out += String(v);
    else if (v === undefined) out += 'undefined';
    else if (Array.isArray(v)) {
      out += '[';
      for (let i = 0; i < v.length && !full(); i++) {
        if (i > 0) out += ',';
        const item: unknown = v[i];
        write(item === undefined || typeof item === 'function' ? null : item);
      }
      out += ']';
    } else if (typeof v === 'object') {
      out += '{';
      let first = true;
      for (const key of Object.keys(v)) {
        if (full()) break;
        const item = (v as Record<string, unknown>)[key];
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
        out += `${first ? '' : ','}${JSON.stringify(key)}:`;
        first = false;
        write(item);
      }
      out += '}';
    } else out += typeof v === 'bigint' ? `${v}n` : typeof v === 'symbol' ? v.toString() : `[${typeof v}]`;
  };
  try {
    write(value);
  } catch {
    return `[unprintable ${typeof value}]`;
  }
  return out.length > LIMIT ? `${out.slice(0, LIMIT - 3)}...` : out;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'function' ? 'a function' : `${typeof value} ${render(value)}`;
}

function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data) && data.length > 0 && data.every((d) => d instanceof Uint8Array)) {
    // ws delivers fragmented binary messages as Buffer[]
    const total = data.reduce((n: number, d: Uint8Array) => n + d.byteLength, 0);
    const out = new Uint8Array(total);
    let offset = 0;
    for (const d of data as Uint8Array[]) {
      out.set(d, offset);
      offset += d.byteLength;
    }
    return out;
  }
  return undefined;
}

/**
 * Decoding frames into typed events: the one place of the library that calls `JSON.parse` on a server frame.
 *
 * It's like `JSON.parse` followed by a codec's `decode`, but it never throws, keeps every unknown field, lets
 * unknown event types through, and reports failures as values that name the path and the expected type.
 */
import * as t from 'io-ts';
import { either as E } from 'fp-ts';
import type { Dialect } from './dialect';
import { decodeFailure, type DecodeFailure, type DecodeIssue } from './decodeFailure';
import { markUnknownEvent, type UnknownEvent } from './unknownEvent';
import { gaServerCodecs, previewServerCodecs, type KnownServerEvent } from './serverEvents';
import { gaClientCodecs, previewClientCodecs, type ClientEvent } from './clientEvents';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A decoded server event: a known event of either dialect, or an {@link UnknownEvent}. */
export type ServerEvent = KnownServerEvent | UnknownEvent;

/** What a connection's server stream carries: events, and frames that did not decode (CONTRACT.md). */
export type ServerMessage = ServerEvent | DecodeFailure;

type Registry = ReadonlyMap<string, t.Mixed>;

const registry = (...lists: readonly (readonly t.Mixed[])[]): Registry => {
  const map = new Map<string, t.Mixed>();
  // Earlier lists win: the dialect-free registries list the lenient preview codec first (e.g. GA's
  // `response.function_call_arguments.done` requires `name`, the preview one does not).
  for (const list of lists)
    for (const codec of list) map.set(wireType(codec), map.get(wireType(codec)) ?? codec);
  return map;
};

function wireType(codec: t.Mixed): string {
  // Every event codec is `intersection([type({ type: literal(X), … }), partial(…)])`.
  const head = (codec as unknown as t.IntersectionType<[t.InterfaceType<t.Props>]>).types[0];
  return (head.props['type'] as t.LiteralType<string>).value;
}

const serverRegistries: Record<Dialect | 'any', Registry> = {
  preview: registry(previewServerCodecs),
  ga: registry(gaServerCodecs),
  any: registry(previewServerCodecs, gaServerCodecs),
};
const clientRegistries: Record<Dialect | 'any', Registry> = {
  preview: registry(previewClientCodecs),
  ga: registry(gaClientCodecs),
  any: registry(previewClientCodecs, gaClientCodecs),
};

// -------------------------------------------------------------------------------------
// decoders
// -------------------------------------------------------------------------------------

/**
 * Decodes one server frame. Without a `dialect`, events of either dialect decode (their names do not collide).
 *
 * - invalid JSON, a non-object, a missing or non-string `type`, or a known `type` with a wrong shape →
 *   `Left(DecodeFailure)` that keeps the raw frame;
 * - a well-formed event of an unknown `type` → `Right` of an {@link UnknownEvent} with all its fields;
 * - otherwise `Right` of the event, the parsed object itself (unknown extra fields stay on it).
 *
 * It never throws, whatever the input.
 *
 * @example
 * ```ts
 * import { decodeServerEvent, isUnknownEvent } from 'rx-realtime';
 * const result = decodeServerEvent('{"type":"response.done","event_id":"e1","response":{}}', 'preview');
 * if (result._tag === 'Right' && result.right.type === 'response.done') console.log(result.right.response.status);
 * ```
 */
export const decodeServerEvent = (data: string, dialect?: Dialect): E.Either<DecodeFailure, ServerEvent> =>
  decodeWith(data, serverRegistries[dialect ?? 'any']) as E.Either<DecodeFailure, ServerEvent>;

/**
 * Decodes one client frame (what a server, such as the emulator, receives). Same rules as
 * {@link decodeServerEvent}; an unknown `type` is a `Right` of an {@link UnknownEvent}, which a server should
 * answer with an `invalid_request_error`.
 */
export const decodeClientEvent = (
  data: string,
  dialect?: Dialect,
): E.Either<DecodeFailure, ClientEvent | UnknownEvent> =>
  decodeWith(data, clientRegistries[dialect ?? 'any']) as E.Either<DecodeFailure, ClientEvent | UnknownEvent>;

/**
 * Validates an already-parsed value as a server event (for transports that hand over objects). Same rules as
 * {@link decodeServerEvent}; `raw` is kept on a failure.
 */
export const decodeServerEventObject = (
  value: unknown,
  dialect?: Dialect,
  raw: string | Uint8Array = '',
): E.Either<DecodeFailure, ServerEvent> =>
  decodeParsed(value, raw, serverRegistries[dialect ?? 'any']) as E.Either<DecodeFailure, ServerEvent>;

function decodeWith(data: unknown, codecs: Registry): E.Either<DecodeFailure, unknown> {
  if (typeof data !== 'string') {
    const bytes = toBytes(data);
    return E.left(
      decodeFailure(
        bytes
          ? `binary frame (${bytes.byteLength} bytes): the Realtime protocol sends only JSON text frames`
          : `expected a text frame (string), got ${describe(data)}`,
        bytes ?? String(data),
      ),
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch (e) {
    return E.left(decodeFailure(`invalid JSON: ${(e as Error).message}`, data));
  }
  return decodeParsed(parsed, data, codecs);
}

function decodeParsed(
  parsed: unknown,
  raw: string | Uint8Array,
  codecs: Registry,
): E.Either<DecodeFailure, unknown> {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return E.left(decodeFailure(`expected a JSON object with a "type", got ${describe(parsed)}`, raw));
  }
  const type = (parsed as { type?: unknown }).type;
  if (typeof type !== 'string') {
    const issue = { path: 'type', expected: 'string', actual: render(type) };
    return E.left(
      decodeFailure(`invalid event: expected string at type, got ${issue.actual}`, raw, undefined, [issue]),
    );
  }
  const codec = codecs.get(type);
  if (codec === undefined) return E.right(markUnknownEvent(parsed as Record<string, unknown>));
  // The hot path: deltas are most of a session's frames. This check accepts exactly what their codec accepts
  // (same fields, same types); anything else goes to the codec, which also writes the failure message.
  if (DELTAS.has(type) && isDeltaShape(parsed as Record<string, unknown>)) return E.right(parsed);
  let result: t.Validation<unknown>;
  try {
    result = codec.decode(parsed);
  } catch (e) {
    // io-ts does not throw on data; this guards the promise "never throws" against a getter or a proxy.
    return E.left(decodeFailure(`${type}: ${(e as Error).message}`, raw, type));
  }
  if (E.isRight(result)) return E.right(parsed); // codecs do not transform: the parsed object keeps every field
  const issues = toIssues(result.left);
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
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

/** Delta events whose codec is `{type, response_id, item_id, output_index, content_index, delta}` + optional `event_id`. */
const DELTAS = new Set([
  'response.audio.delta',
  'response.output_audio.delta',
  'response.audio_transcript.delta',
  'response.output_audio_transcript.delta',
  'response.text.delta',
  'response.output_text.delta',
]);

function isDeltaShape(e: Record<string, unknown>): boolean {
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

/** io-ts errors → one issue per path, naming the type that was expected at that path. */
function toIssues(errors: t.Errors): DecodeIssue[] {
  const byPath = new Map<string, DecodeIssue>();
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
    if (!byPath.has(path)) byPath.set(path, { path, expected, actual: render(error.value) });
  }
  return [...byPath.values()];
}

function render(value: unknown): string {
  if (value === undefined) return 'undefined';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${render(value)}`;
}

function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data) && data.every((d) => d instanceof Uint8Array)) {
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

/**
 * Encoding client events into frames.
 */
import type { ClientEvent } from './clientEvents';
import type { Dialect } from './dialect';

/**
 * Turns a client event into the JSON text frame to send.
 *
 * It's like `JSON.stringify`, but it knows the one difference between the dialects' client events: both share
 * the event names, and with `dialect: 'ga'` a `session.update` whose session
 * has no `type` gets `type: "realtime"`, which the GA protocol requires. Nothing else changes, and the event
 * is never mutated. A value JSON cannot hold (a `bigint`, a cycle) throws `JSON.stringify`'s `TypeError`: the
 * caller handed in something that is not an event.
 *
 * @example
 * ```ts
 * import { encodeClientEvent } from 'rx-realtime';
 *
 * encodeClientEvent({ type: 'response.create' });
 * // '{"type":"response.create"}'
 * encodeClientEvent({ type: 'session.update', session: { instructions: 'Be brief.' } }, 'ga');
 * // '{"type":"session.update","session":{"type":"realtime","instructions":"Be brief."}}'
 * ```
 */
// source: protocol README §4, §5
export const encodeClientEvent = (event: ClientEvent, dialect?: Dialect): string => {
  if (event.type === 'input_audio_buffer.append' && isTrustedAppend(event)) {
    // The upload hot path: `audio` is base64 this library encoded itself (see markBase64Append), which needs no
    // JSON escaping, so the frame is built without a second pass over the audio; the same text JSON.stringify
    // writes for `{ type, audio }`.
    return `{"type":"input_audio_buffer.append","audio":"${event.audio}"}`;
  }
  if (dialect === 'ga' && event.type === 'session.update' && event.session.type === undefined) {
    return JSON.stringify({ ...event, session: { type: 'realtime', ...event.session } });
  }
  return JSON.stringify(event);
};

/** Append events whose `audio` this library base64-encoded itself, with that audio: weakly held, nothing accumulates. */
const TRUSTED_APPENDS = new WeakMap<object, string>();

/**
 * Marks an `{ type: 'input_audio_buffer.append', audio }` event (exactly those two keys, in that order) whose
 * audio came from `bytesToBase64`, so {@link encodeClientEvent} may write it without escaping. Internal.
 */
export function markBase64Append<E extends { type: 'input_audio_buffer.append'; audio: string }>(
  event: E,
): E {
  TRUSTED_APPENDS.set(event, event.audio);
  return event;
}

/**
 * Still exactly what was marked: a caller may have added a field (`event_id`) or replaced `audio` since, and then
 * the event goes through `JSON.stringify` like any other. Comparing the string is a pointer check when unchanged.
 */
function isTrustedAppend(event: { readonly audio: string }): boolean {
  const audio = TRUSTED_APPENDS.get(event);
  return audio !== undefined && audio === event.audio && Object.keys(event).length === 2;
}

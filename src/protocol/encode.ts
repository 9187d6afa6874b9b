/**
 * Encoding client events into frames.
 */
import type { ClientEvent } from './clientEvents';
import type { Dialect } from './dialect';

/**
 * Turns a client event into the JSON text frame to send.
 *
 * Both dialects share the client event names (`../shared/protocol/README.md` §5). With `dialect: 'ga'`, a
 * `session.update` whose session has no `type` gets `type: "realtime"`, which the GA protocol requires (§4);
 * nothing else changes. It is `JSON.stringify`: a value JSON cannot hold (a `bigint`, a cycle) throws its
 * `TypeError`, as the caller handed in something that is not an event.
 *
 * @example
 * ```ts
 * import { encodeClientEvent } from 'rx-realtime';
 * socket.send(encodeClientEvent({ type: 'response.create' }));
 * ```
 */
export const encodeClientEvent = (event: ClientEvent, dialect?: Dialect): string => {
  if (event.type === 'input_audio_buffer.append' && TRUSTED_APPENDS.has(event)) {
    // The upload hot path: `audio` is base64 we encoded ourselves (see markBase64Append), which needs no JSON
    // escaping, so the frame is built without a second pass over the audio; the same text JSON.stringify writes.
    return `{"type":"input_audio_buffer.append","audio":"${event.audio}"}`;
  }
  if (dialect === 'ga' && event.type === 'session.update' && event.session.type === undefined) {
    return JSON.stringify({ ...event, session: { type: 'realtime', ...event.session } });
  }
  return JSON.stringify(event);
};

/** Append events whose `audio` this library base64-encoded itself: weakly held, so nothing accumulates. */
const TRUSTED_APPENDS = new WeakSet<object>();

/**
 * Marks an `{ type: 'input_audio_buffer.append', audio }` event (exactly those two keys, in that order) whose
 * audio came from `bytesToBase64`, so {@link encodeClientEvent} may write it without escaping. Internal.
 */
export function markBase64Append<E extends { type: 'input_audio_buffer.append'; audio: string }>(
  event: E,
): E {
  TRUSTED_APPENDS.add(event);
  return event;
}

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
    // The upload hot path: `audio` is base64 this library encoded itself (see base64Append), which needs no
    // JSON escaping, so the frame is built without a second pass over the audio; the same text JSON.stringify
    // writes for `{ type, audio }`.
    return `{"type":"input_audio_buffer.append","audio":"${event.audio}"}`;
  }
  if (dialect === 'ga' && event.type === 'session.update' && event.session.type === undefined) {
    return JSON.stringify({ ...event, session: { type: 'realtime', ...event.session } });
  }
  return JSON.stringify(event);
};

/**
 * An append event whose `audio` this library base64-encoded itself: the mark is the value's own class, so the
 * hand-off needs no table. (A WeakMap of marked events kept every append alive through young-generation GCs, which
 * the append-path benchmark measured as 2.4× the raw client's heap.) Its own keys are `type` and `audio`, in that
 * order, so it serialises, spreads and compares as the plain `{ type, audio }`; the audio it was made with is kept
 * in a private field, so a caller who replaces `audio` gets the general path.
 */
class TrustedAppend {
  readonly type = 'input_audio_buffer.append' as const;
  readonly audio: string;
  readonly #encoded: string;
  constructor(audio: string) {
    this.audio = audio;
    this.#encoded = audio;
  }
  /** Still exactly what was made: no field added (`event_id`), `audio` not replaced. */
  static holds(event: object): boolean {
    return (
      event instanceof TrustedAppend && event.#encoded === event.audio && Object.keys(event).length === 2
    );
  }
}

/**
 * The `{ type: 'input_audio_buffer.append', audio }` event of base64 audio that came from `bytesToBase64`, which
 * {@link encodeClientEvent} may write without escaping. Internal.
 */
export function base64Append(audio: string): {
  readonly type: 'input_audio_buffer.append';
  readonly audio: string;
} {
  return new TrustedAppend(audio);
}

function isTrustedAppend(event: object): boolean {
  return TrustedAppend.holds(event);
}

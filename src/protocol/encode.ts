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
  if (dialect === 'ga' && event.type === 'session.update' && event.session.type === undefined) {
    return JSON.stringify({ ...event, session: { type: 'realtime', ...event.session } });
  }
  return JSON.stringify(event);
};

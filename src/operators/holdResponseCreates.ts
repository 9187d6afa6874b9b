import { Observable, type Observable as Obs, type OperatorFunction } from 'rxjs';
import type { ClientEvent, ServerMessage } from '../protocol';
import { isReconnecting, type SessionState } from './sessionState';

/**
 * Holds each `response.create` (for the default conversation) while a response is in flight, and sends it when
 * `response.done` arrives, so that a pipeline never hits `conversation_already_has_active_response`
 * (the service refuses a second one). Every other client event passes at once, in order; out-of-band creates
 * (`response.conversation: "none"`) are never held.
 *
 * It's like `concatMap` that waits for the previous response, but only `response.create` waits, and a response
 * started by server VAD counts as in flight too. A create counts as in flight from the moment it is released
 * until the server's `response.created` … `response.done`.
 *
 * ```text
 * server:  ---c-----------D--------|     c = response.created, D = response.done
 * client:  -r----x--r--------------|     r = response.create, x = another client event
 * output:  -r----x--------r--------|
 * ```
 *
 * A create the server refuses (an `error` whose `error.event_id` names it, such as `decimal_above_max_value`)
 * never starts a response: it releases the next one. So that a refusal can be matched, a create released
 * without an `event_id` gets one (`rx_create_<n>`).
 *
 * Over `session()`'s stream, a `reconnecting` state (the socket dropped) ends the responses that were in flight on
 * the old socket; creates released but not yet acknowledged stay counted, as `session()` sends them again.
 *
 * Completes when the client events complete and nothing is held; errors with either source. Held creates are
 * at most the ones the user sent during one response (they are released one per `response.done`).
 *
 * @example
 * ```ts
 * import { holdResponseCreates } from 'rx-realtime';
 * const safe$ = userEvents$.pipe(holdResponseCreates(server$));
 * ```
 */
// source: protocol README §6
export function holdResponseCreates(
  server: Obs<ServerMessage | SessionState>,
): OperatorFunction<ClientEvent, ClientEvent> {
  return (client) =>
    new Observable<ClientEvent>((subscriber) => {
      const held: ClientEvent[] = [];
      let inFlight = 0; // responses created (or requested) and not done
      // the event_ids of creates released whose response.created has not come yet, oldest first: a refusal
      // (an `error` whose `error.event_id` names one) means that response never starts
      const awaiting: string[] = [];
      let created = 0; // creates released so far, for the event_ids given to creates that have none
      let clientDone = false;
      const release = () => {
        while (held.length > 0 && inFlight === 0) {
          const next = held.shift()!;
          const eventId = next.event_id ?? `rx_create_${++created}`;
          subscriber.next(next.event_id === undefined ? { ...next, event_id: eventId } : next);
          inFlight++;
          awaiting.push(eventId);
        }
        if (clientDone && held.length === 0) subscriber.complete();
      };
      const serverSub = server.subscribe({
        next(e) {
          if (isReconnecting(e)) {
            // session(): the socket dropped, and the responses in flight on it with it; the creates released and
            // not yet acknowledged are still counted, since session() sends them again on the new socket.
            inFlight = awaiting.length;
            release();
          } else if (e.type === 'response.created') {
            if (awaiting.length > 0) awaiting.shift();
            else inFlight++; // started by server VAD
          } else if (e.type === 'error') {
            const refused = awaiting.indexOf(e.error.event_id ?? '');
            if (refused < 0) return;
            awaiting.splice(refused, 1);
            inFlight = Math.max(0, inFlight - 1);
            release();
          } else if (e.type === 'response.done') {
            inFlight = Math.max(0, inFlight - 1);
            release();
          }
        },
        error: (err) => subscriber.error(err),
      });
      const clientSub = client.subscribe({
        next(e) {
          if (e.type === 'response.create' && e.response?.conversation !== 'none') {
            held.push(e);
            release();
          } else subscriber.next(e);
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          clientDone = true;
          release();
        },
      });
      return () => {
        clientSub.unsubscribe();
        serverSub.unsubscribe();
      };
    });
}

import { Observable, type Observable as Obs, type OperatorFunction } from 'rxjs';
import type { ClientEvent, ServerMessage } from '../protocol';

/**
 * Holds each `response.create` (for the default conversation) while a response is in flight, and sends it when
 * `response.done` arrives, so that a pipeline never hits `conversation_already_has_active_response`
 * (protocol README §6). Every other client event passes at once, in order; out-of-band creates
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
 * Completes when the client events complete and nothing is held; errors with either source. Held creates are
 * at most the ones the user sent during one response (they are released one per `response.done`).
 *
 * @example
 * ```ts
 * import { holdResponseCreates } from 'rx-realtime';
 * const safe$ = userEvents$.pipe(holdResponseCreates(server$));
 * ```
 */
export function holdResponseCreates(server: Obs<ServerMessage>): OperatorFunction<ClientEvent, ClientEvent> {
  return (client) =>
    new Observable<ClientEvent>((subscriber) => {
      const held: ClientEvent[] = [];
      let inFlight = 0; // responses created (or requested) and not done
      let awaitingCreated = 0; // creates released whose response.created has not come yet
      let clientDone = false;
      const release = () => {
        while (held.length > 0 && inFlight === 0) {
          subscriber.next(held.shift()!);
          inFlight++;
          awaitingCreated++;
        }
        if (clientDone && held.length === 0) subscriber.complete();
      };
      const serverSub = server.subscribe({
        next(e) {
          if (e.type === 'response.created') {
            if (awaitingCreated > 0) awaitingCreated--;
            else inFlight++; // started by server VAD
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

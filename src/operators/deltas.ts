// Internal: the shared shape of textDeltas / transcriptDeltas / audioDeltas.
import { Observable, type OperatorFunction } from 'rxjs';
import { eventMatcher, type NeutralEventName, type NeutralEvents, type ServerMessage } from '../protocol';
import type { SessionState } from './sessionState';
import { sourceObserver } from './sourceObserver';

/**
 * `filter(e => isEvent(e, name))` then `map(project)`, in one step: these run on every event of a session, so
 * one subscriber instead of two. A `project` that throws errors the stream, as `map`'s would.
 */
export const deltasOf = <K extends NeutralEventName, R>(
  name: K,
  project: (event: NeutralEvents[K]) => R,
): OperatorFunction<ServerMessage | SessionState, R> => {
  const matches = eventMatcher(name);
  return (source) =>
    new Observable<R>((subscriber) =>
      source.subscribe(
        sourceObserver<ServerMessage | SessionState>({
          next(event) {
            if (!matches(event)) return;
            let value: R;
            try {
              value = project(event);
            } catch (err) {
              subscriber.error(err);
              return;
            }
            subscriber.next(value);
          },
          error: (err) => subscriber.error(err),
          complete: () => subscriber.complete(),
        }),
      ),
    );
};

// Internal: the shared shape of textDeltas / transcriptDeltas / audioDeltas.
import { Observable, Subscription, type Observer, type OperatorFunction, type Subscriber } from 'rxjs';
import { eventMatcher, type NeutralEventName, type NeutralEvents, type ServerMessage } from '../protocol';
import type { SessionState } from './sessionState';

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
    new Observable<R>((subscriber) => source.subscribe(new Deltas(matches, project, subscriber)));
};

/**
 * The subscriber `deltasOf` gives its source: one object, called by the source directly (see
 * `sourceObserver`, whose guarantees it keeps: nothing after an ending or an unsubscribe, and a throw in
 * `project` becomes the stream's error).
 */
class Deltas<K extends NeutralEventName, R>
  extends Subscription
  implements Observer<ServerMessage | SessionState>
{
  private stopped = false;

  constructor(
    private readonly matches: (
      event: { readonly type: unknown } | null | undefined,
    ) => event is NeutralEvents[K],
    private readonly project: (event: NeutralEvents[K]) => R,
    private readonly subscriber: Subscriber<R>,
  ) {
    super();
  }

  next(event: ServerMessage | SessionState): void {
    if (this.stopped || this.closed || !this.matches(event)) return;
    let value: R;
    try {
      value = this.project(event);
    } catch (err) {
      this.error(err);
      return;
    }
    this.subscriber.next(value);
  }

  error(err: unknown): void {
    if (this.stopped || this.closed) return;
    this.stopped = true;
    try {
      this.subscriber.error(err);
    } finally {
      this.unsubscribe();
    }
  }

  complete(): void {
    if (this.stopped || this.closed) return;
    this.stopped = true;
    try {
      this.subscriber.complete();
    } finally {
      this.unsubscribe();
    }
  }
}

// Internal: the shared shape of textDeltas / transcriptDeltas / audioDeltas.
import { Observable, type OperatorFunction, type Subscriber } from 'rxjs';
import { eventMatcher, type NeutralEventName, type NeutralEvents, type ServerMessage } from '../protocol';
import type { SessionState } from './sessionState';
import { SourceSubscriber } from './sourceObserver';

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

/** The subscriber `deltasOf` gives its source: one object, called by the source directly. */
class Deltas<K extends NeutralEventName, R> extends SourceSubscriber<ServerMessage | SessionState> {
  constructor(
    private readonly matches: (
      event: { readonly type: unknown } | null | undefined,
    ) => event is NeutralEvents[K],
    private readonly project: (event: NeutralEvents[K]) => R,
    private readonly subscriber: Subscriber<R>,
  ) {
    super();
  }

  protected onNext(event: ServerMessage | SessionState): void {
    if (this.matches(event)) this.subscriber.next(this.project(event));
  }

  protected onError(err: unknown): void {
    this.subscriber.error(err);
  }

  protected onComplete(): void {
    this.subscriber.complete();
  }
}

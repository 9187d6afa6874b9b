// Internal: how the per-event operators subscribe to their source.
import { Subscription, type Observer } from 'rxjs';

/**
 * The subscriber an operator gives its source: a `Subscription` with `next`, `error` and `complete`, which rxjs's
 * `subscribe` takes as a subscriber as it is, where it wraps a plain observer in two objects of its own (a
 * SafeSubscriber and a ConsumerObserver). Two objects fewer on every event's way through an operator is what
 * matters when hundreds of sessions interleave (each event then meets another session's objects, out of the CPU's
 * caches: BENCHMARKS.md, "interleave"). Should a version of rxjs wrap it after all, it is still a correct plain
 * observer.
 *
 * What the wrapper did is done here, once for every operator: nothing is delivered after `error`, `complete` or an
 * unsubscribe (a source that does not look at `closed` may call on), either ending unsubscribes (the source's
 * teardown runs), and an exception thrown by `onNext` goes to `onError` (as rxjs's own operators do) instead of
 * unwinding into the source, where it would cut a `Subject`'s other subscribers off.
 *
 * The operators on every event of every session (the splitters, the delta operators) extend it, so that a
 * subscription is one object with its fields rather than a handlers object and its closures; the others use
 * {@link sourceObserver}.
 */
export abstract class SourceSubscriber<T> extends Subscription implements Observer<T> {
  private stopped = false;

  protected abstract onNext(value: T): void;
  protected abstract onError(err: unknown): void;
  protected abstract onComplete(): void;

  next(value: T): void {
    if (this.stopped || this.closed) return;
    try {
      this.onNext(value);
    } catch (err) {
      this.error(err);
    }
  }

  error(err: unknown): void {
    if (this.stopped || this.closed) return;
    this.stopped = true;
    try {
      this.onError(err);
    } finally {
      this.unsubscribe();
    }
  }

  complete(): void {
    if (this.stopped || this.closed) return;
    this.stopped = true;
    try {
      this.onComplete();
    } finally {
      this.unsubscribe();
    }
  }
}

/** {@link SourceSubscriber} calling `handlers`. */
class SourceObserver<T> extends SourceSubscriber<T> {
  constructor(private readonly handlers: Observer<T>) {
    super();
  }

  protected onNext(value: T): void {
    this.handlers.next(value);
  }

  protected onError(err: unknown): void {
    this.handlers.error(err);
  }

  protected onComplete(): void {
    this.handlers.complete();
  }
}

/** `handlers` as the subscriber an operator gives its source (see {@link SourceSubscriber}). */
export const sourceObserver = <T>(handlers: Observer<T>): Observer<T> & Subscription =>
  new SourceObserver(handlers);

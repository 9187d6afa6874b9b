// Internal: how the per-event operators subscribe to their source.
import { Subscription, type Observer } from 'rxjs';

/**
 * The observer an operator subscribes to its source with: `handlers` as a Subscription that has `next`, `error`
 * and `complete`. rxjs's `subscribe` takes such an object as a subscriber as it is, where it wraps a plain observer
 * in two objects of its own (a SafeSubscriber and a ConsumerObserver). Two objects fewer on every event's way
 * through an operator is what matters when hundreds of sessions interleave (each event then meets another
 * session's objects, out of the CPU's caches: BENCHMARKS.md, "interleave"). Should a version of rxjs wrap it after
 * all, it is still a correct plain observer.
 *
 * What the wrapper did is done here: nothing is delivered after `error`, `complete` or an unsubscribe (a source
 * that does not look at `closed` may call on), either ending unsubscribes (the source's teardown runs), and an exception thrown by `handlers.next` goes to `handlers.error` (as rxjs's own
 * operators do) instead of unwinding into the source, where it would cut a `Subject`'s other subscribers off.
 */
class SourceObserver<T> extends Subscription implements Observer<T> {
  private stopped = false;

  constructor(private readonly handlers: Observer<T>) {
    super();
  }

  next(value: T): void {
    if (this.stopped || this.closed) return;
    try {
      this.handlers.next(value);
    } catch (err) {
      this.error(err);
    }
  }

  error(err: unknown): void {
    if (this.stopped || this.closed) return;
    this.stopped = true;
    try {
      this.handlers.error(err);
    } finally {
      this.unsubscribe();
    }
  }

  complete(): void {
    if (this.stopped || this.closed) return;
    this.stopped = true;
    try {
      this.handlers.complete();
    } finally {
      this.unsubscribe();
    }
  }
}

/** `handlers` as the subscriber an operator gives its source (see {@link SourceObserver}). */
export const sourceObserver = <T>(handlers: Observer<T>): Observer<T> & Subscription =>
  new SourceObserver(handlers);

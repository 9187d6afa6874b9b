// What a test keeps of a stream it subscribed to: every value, how it ended, and a wait for a condition on them
// that wakes on each value (no polling) and fails with what the stream said when it times out.
import type { Observable, Subscription } from 'rxjs';

export interface Recorder<T> {
  readonly events: T[];
  readonly subscription: Subscription;
  error(): unknown;
  ended(): boolean;
  /**
   * Resolves when `check()` holds (tried now and at each value or ending); rejects with what `check` throws, or
   * after `timeoutMs` with `what` and the events seen so far.
   */
  until(check: () => boolean, what: string | (() => string), timeoutMs?: number): Promise<void>;
}

/** Subscribes to `stream` and records it; `label` names an event in a timeout's message. */
export function record<T>(stream: Observable<T>, label: (event: T) => string): Recorder<T> {
  const events: T[] = [];
  let error: unknown;
  let ended = false;
  const waiters = new Set<() => void>();
  const wake = () => [...waiters].forEach((w) => w());
  const subscription = stream.subscribe({
    next: (e) => {
      events.push(e);
      wake();
    },
    error: (e: unknown) => {
      error = e;
      ended = true;
      wake();
    },
    complete: () => {
      ended = true;
      wake();
    },
  });
  const until = (check: () => boolean, what: string | (() => string), timeoutMs = 10_000) =>
    new Promise<void>((resolve, reject) => {
      const settle = (outcome: () => void) => {
        waiters.delete(attempt);
        clearTimeout(timer);
        outcome();
      };
      const attempt = () => {
        let done: boolean;
        try {
          done = check();
        } catch (err) {
          return settle(() => reject(err as Error));
        }
        if (done) settle(resolve);
      };
      const timer = setTimeout(() => {
        waiters.delete(attempt);
        const name = typeof what === 'string' ? what : what();
        reject(new Error(`timed out waiting for ${name}; saw ${events.map(label).join(', ')}`));
      }, timeoutMs);
      waiters.add(attempt);
      attempt();
    });
  return { events, subscription, error: () => error, ended: () => ended, until };
}

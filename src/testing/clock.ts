/**
 * The emulator's time: the wall clock for `expires_at`, and the timers of session expiry and of response pacing.
 * Injected (`startEmulator({ clock })`), so that a test can drive time instead of waiting for it.
 */

/** A timer started by a {@link Clock}. */
export type TimerHandle = unknown;

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once after `ms`. A timer of the system clock does not keep the process alive when `unref`. */
  setTimeout(fn: () => void, ms: number, options?: { readonly unref?: boolean }): TimerHandle;
  clearTimeout(timer: TimerHandle): void;
}

/** Node's clock and timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms, options) => {
    const timer = setTimeout(fn, ms);
    if (options?.unref) timer.unref?.();
    return timer;
  },
  clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
};

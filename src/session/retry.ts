/**
 * Which endings of a socket `session()` reconnects after, and how long it waits: exponential backoff with full
 * jitter (AWS Architecture Blog, "Exponential Backoff And Jitter": the delay is uniform in [0, min(max, base·2ⁿ)],
 * which spreads the reconnects of many clients dropped at once).
 */
import {
  ConnectionClosedError,
  CredentialError,
  HandshakeError,
  SessionTimeoutError,
} from '../client/errors';

/** Options of the reconnect policy; every property has a default. */
export interface ReconnectOptions {
  /** The cap of the first delay, in ms (the delay is uniform in [0, cap]). Default 250. */
  readonly initialDelayMs?: number | undefined;
  /** The largest cap, in ms. Default 15 000. */
  readonly maxDelayMs?: number | undefined;
  /** Attempts after one drop before the session gives up with the last error. Default 10. */
  readonly maxAttempts?: number | undefined;
  /** A socket open this long (ms) counts as healthy: the next drop starts again at attempt 1. Default 30 000. */
  readonly resetAfterMs?: number | undefined;
  /** Random numbers in [0, 1), for the jitter. Default `Math.random` (a test passes a seeded one). */
  readonly random?: (() => number) | undefined;
}

/** The policy with its defaults filled in. */
export interface ReconnectPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxAttempts: number;
  readonly resetAfterMs: number;
  readonly random: () => number;
}

export const reconnectPolicy = (options: ReconnectOptions = {}): ReconnectPolicy => ({
  initialDelayMs: Math.max(0, options.initialDelayMs ?? 250),
  maxDelayMs: Math.max(0, options.maxDelayMs ?? 15_000),
  maxAttempts: Math.max(1, Math.floor(options.maxAttempts ?? 10)),
  resetAfterMs: Math.max(0, options.resetAfterMs ?? 30_000),
  random: options.random ?? Math.random,
});

/** The delay before attempt `attempt` (1-based): uniform in [0, min(maxDelayMs, initialDelayMs · 2^(attempt-1))]. */
export const backoffDelay = (policy: ReconnectPolicy, attempt: number): number => {
  const cap = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(30, attempt - 1));
  return Math.floor(policy.random() * cap);
};

/**
 * Close codes after which a new socket can succeed (RFC 6455 section 7.4.1 and the IANA registry): 1001 going away (the
 * service's `session_expired`), 1005 no status, 1006 dropped without a close
 * frame, 1011 server error, 1012 service restart, 1013 try again later. 1000 is a normal end, 1008 a policy
 * violation (auth, a bad request): a new socket would fail the same way.
 */
// source: protocol README §1 "Session length"
const RETRYABLE_CLOSE = new Set([1001, 1005, 1006, 1011, 1012, 1013]);

/**
 * True when a new socket may succeed where this one ended: the retryable closes above; at the handshake HTTP 408,
 * 429 and 5xx, and network failures (no status: DNS, TCP, TLS, a timeout); a `session.created` that never came; a
 * credential that failed (token sources fail transiently: IMDS, a CLI; a fresh token is asked every attempt).
 * Never: HTTP 401/403/404 and other 4xx, configuration errors, backpressure, a dialect mismatch, an error of the
 * input stream.
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof ConnectionClosedError) return RETRYABLE_CLOSE.has(err.code);
  if (err instanceof HandshakeError)
    return err.status === undefined || err.status === 408 || err.status === 429 || err.status >= 500;
  return err instanceof SessionTimeoutError || err instanceof CredentialError;
}

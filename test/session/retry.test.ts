// The reconnect policy: which endings are retried, and the full-jitter backoff's bounds (property-based).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BackpressureError,
  ConfigurationError,
  ConnectionClosedError,
  CredentialError,
  DialectMismatchError,
  HandshakeError,
  SessionTimeoutError,
} from '../../src/client';
import { backoffDelay, isRetryable, reconnectPolicy } from '../../src/session/retry';

describe('isRetryable', () => {
  const closed = (code: number) => new ConnectionClosedError(code, '', undefined);
  const refused = (status: number | undefined, code?: string) =>
    new HandshakeError('refused', status, code, 'wss://x/openai/realtime');

  it.each([1001, 1005, 1006, 1011, 1012, 1013])('retries a close with %i', (code) => {
    expect(isRetryable(closed(code))).toBe(true);
  });
  it.each([1000, 1002, 1003, 1007, 1008, 1009, 1010, 4000])('does not retry a close with %i', (code) => {
    expect(isRetryable(closed(code))).toBe(false);
  });
  it.each([408, 429, 500, 502, 503, 504])('retries a handshake refused with HTTP %i', (status) => {
    expect(isRetryable(refused(status))).toBe(true);
  });
  it.each([400, 401, 403, 404, 409])('does not retry a handshake refused with HTTP %i', (status) => {
    expect(isRetryable(refused(status))).toBe(false);
  });
  it('retries network failures, a missing session.created and a failing token source', () => {
    expect(isRetryable(refused(undefined, 'ECONNREFUSED'))).toBe(true);
    expect(isRetryable(new SessionTimeoutError(1000))).toBe(true);
    expect(isRetryable(new CredentialError('token source failed'))).toBe(true);
  });
  it('never retries configuration, backpressure, a dialect mismatch or a plain error', () => {
    expect(isRetryable(new ConfigurationError('no deployment'))).toBe(false);
    expect(isRetryable(new BackpressureError('full'))).toBe(false);
    expect(isRetryable(new DialectMismatchError('preview', 'response.output_audio.delta'))).toBe(false);
    expect(isRetryable(new Error('input failed'))).toBe(false);
  });
});

describe('backoffDelay (full jitter)', () => {
  it('stays in [0, min(max, initial·2^(attempt-1))] and reaches both ends', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 1, max: 64 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (initialDelayMs, maxDelayMs, attempt, r) => {
          const policy = reconnectPolicy({ initialDelayMs, maxDelayMs, random: () => r });
          const cap = Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1));
          const delay = backoffDelay(policy, attempt);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(cap);
          expect(delay).toBe(Math.floor(r * cap));
        },
      ),
    );
  });
  it('has the documented defaults', () => {
    const policy = reconnectPolicy();
    expect(policy).toMatchObject({
      initialDelayMs: 250,
      maxDelayMs: 15_000,
      maxAttempts: 10,
      resetAfterMs: 30_000,
    });
    expect(backoffDelay({ ...policy, random: () => 0.999999 }, 20)).toBe(14_999);
  });
});

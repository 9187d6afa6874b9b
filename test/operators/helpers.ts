import { map, type OperatorFunction } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { SessionState } from '../../src/operators';
import { expect } from 'vitest';

/** A TestScheduler whose assertions are vitest's deep equality. */
export const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

export const DIALECTS = ['preview', 'ga'] as const;

/** A downstream callback that throws: the operator under test must let go of its source when it does. */
export const throwing = <T>(err: unknown): OperatorFunction<T, never> =>
  map((): never => {
    throw err;
  });

/** What `session()` puts on its stream when the socket under it drops (see src/operators/sessionState.ts). */
export const reconnecting: SessionState = {
  type: 'rx-realtime.session_state',
  state: 'reconnecting',
  attempt: 1,
  reason: 'ConnectionClosedError: connection closed with 1006',
};

/**
 * The state values `session()` puts in its output stream. They live with the operators because the operators
 * that hold per-socket state read them: at `reconnecting` (the socket under a session dropped) the splits end
 * their open inner streams with `IncompleteStreamError`, `holdResponseCreates` forgets the response that died with
 * the socket, and `conversation()` marks the items that were still streaming as `incomplete`. A pipeline rebuilt
 * from the public operators over `session()`'s stream behaves as `session()` does.
 */

/** A change of a session's state (see `session()`), recognised by {@link isSessionState}. */
export interface SessionState {
  readonly type: 'rx-realtime.session_state';
  /**
   * - `connecting`: the first socket is opening;
   * - `open`: a socket's `session.created` arrived (every socket: the first, each reconnect, each rollover);
   * - `reconnecting`: the socket ended with a retryable error; `attempt` (1, 2, …) and `reason` say which and why;
   * - `replayed`: the new socket has the config and the conversation again (`items` replayed, `skipped` left out);
   * - `rolled_over`: a second socket took over before the service's session limit, and the first closed with 1000;
   * - `closed`: the session ended (unsubscribed, completed, or a fatal error follows).
   */
  readonly state: 'connecting' | 'open' | 'reconnecting' | 'replayed' | 'rolled_over' | 'closed';
  /** `reconnecting`: the attempt this is (1 = the first after a drop). */
  readonly attempt?: number;
  /** `reconnecting`: why the socket ended (the error's name and message, never a secret). */
  readonly reason?: string;
  /** `reconnecting`: the delay before this attempt, in ms. */
  readonly delayMs?: number;
  /** `replayed`, `rolled_over`: the conversation items replayed on the new socket. */
  readonly items?: number;
  /** `replayed`, `rolled_over`: the items left out (over the budget, or nothing to replay: audio without transcript). */
  readonly skipped?: number;
}

/** True for a {@link SessionState} value. */
export const isSessionState = (value: unknown): value is SessionState =>
  (value as { type?: unknown } | null)?.type === 'rx-realtime.session_state';

/** True for the `reconnecting` state: the socket under the session dropped. */
export const isReconnecting = (value: unknown): value is SessionState =>
  isSessionState(value) && value.state === 'reconnecting';

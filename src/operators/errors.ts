/**
 * Errors that the operators put on their inner streams.
 */

/**
 * An inner stream (a response, an item, a content part, a collected value) whose `done` never came: the source
 * completed, errored or was unsubscribed first. Inner streams error with it rather than hang or complete as if
 * they had finished.
 */
export class IncompleteStreamError extends Error {
  override readonly name = 'IncompleteStreamError';
  constructor(
    /** What was cut short: `'response'`, `'item'`, `'content part'`. */
    readonly kind: string,
    /** Its key: the response id, the item id, or `itemId:contentIndex`. */
    readonly id: string,
    /**
     * Why: `'source completed'`, `'unsubscribed'`, or `'source errored: '` and the error's name and message, which
     * for a connection that ended names its close code, e.g.
     * `'source errored: ConnectionClosedError: connection closed with 1006'`.
     */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${kind} ${id} ended before its done event: ${reason}`, options);
  }
}

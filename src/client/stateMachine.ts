/**
 * The life of one connection as an explicit state machine: which step may follow which.
 */

/** The states of a connection, in the order they may come (`idle`: subscribed, nothing started; never reported). */
export type Phase = 'idle' | 'connecting' | 'open' | 'closing' | 'closed';

/** The steps each state allows. `closed` is final; `closing` is the caller's own close under way. */
const NEXT: Record<Phase, readonly Phase[]> = {
  idle: ['connecting', 'closing', 'closed'],
  connecting: ['open', 'closing', 'closed'],
  open: ['closing', 'closed'],
  closing: ['closed'],
  closed: [],
};

/**
 * One connection's state. It's like ws's `readyState`, but the transitions are a table: a step the table does not
 * allow is refused (`false`), so that a late socket callback after the end (a 'close' after an error, a message
 * after unsubscribe) can never reopen or re-end a connection.
 *
 * ```text
 * idle --> connecting --open--> open --closing--> closing --closed--> closed
 *      \                  \_________________________________/^
 *       \________________________________________________/
 * ```
 */
export class ConnectionMachine {
  private current: Phase = 'idle';

  constructor(
    private readonly onChange: (
      phase: Exclude<Phase, 'idle'>,
      extra: { code?: number; reason?: string } | undefined,
    ) => void = () => undefined,
  ) {}

  get phase(): Phase {
    return this.current;
  }

  /** True once the connection has ended or is ending: nothing more is reported. */
  get ended(): boolean {
    return this.current === 'closing' || this.current === 'closed';
  }

  /**
   * Moves to `next` when the table allows it, and reports it with `extra` (a close's code and reason) unless
   * `silent` (an ending that is reported as the stream's error instead); `false` and nothing happens otherwise.
   */
  to(next: Phase, extra?: { code?: number; reason?: string }, silent = false): boolean {
    if (!NEXT[this.current].includes(next)) return false;
    this.current = next;
    if (!silent && next !== 'idle') this.onChange(next, extra);
    return true;
  }
}

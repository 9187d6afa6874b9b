import type { Observable, OperatorFunction } from 'rxjs';
import type { ServerMessage } from '../protocol';
import { field, nestedId, splitGroups, type GroupSpec } from './groups';
import type { SessionState } from './sessionState';

/** One response's events, from `response.created` to `response.done` inclusive. */
export interface ResponseStream extends Observable<ServerMessage> {
  readonly responseId: string;
  /**
   * The response's `metadata` as `response.created` carried it (`null` when none): how out-of-band responses
   * created with `conversation: "none"` are told apart.
   */
  // source: protocol README §6
  readonly metadata: Readonly<Record<string, unknown>> | null;
}

/**
 * Splits the server stream into one inner Observable per response.
 *
 * It's like `groupBy(e => e.response_id)`, but it knows where a response starts and ends: each inner stream
 * opens at `response.created`, carries every event of that response (those with its `response_id`, and the
 * `conversation.item.*` events of its output items), and completes at `response.done`. Interleaved responses
 * (out-of-band) split exactly, by id, never by arrival order.
 *
 * ```text
 * source:  --c--o--p--d--t--P--O--D--|      c = response.created, d = its delta, D = response.done …
 * output:  --r-----------------------|      r = the response's stream:
 *   r:       c--o--p--d--t--P--O--D|
 * ```
 *
 * - completes when the source completes; every response still open then errors with an
 *   `IncompleteStreamError` (it never hangs, never completes as if it had finished);
 * - errors when the source errors (a dropped socket, any close but 1000), after erroring the open responses
 *   with an `IncompleteStreamError` whose reason names that error (and its close code);
 * - an event for a response whose `response.created` was not seen opens its stream (nothing is lost);
 *   a straggler for a response already done is dropped;
 * - unsubscribing keeps the source subscribed while a response already handed over has a subscriber (as rxjs
 *   `groupBy` does, so `splitResponses(), take(1)` gets that whole response), and lets it go when the last one
 *   leaves; a response nobody subscribed to errors with reason `'unsubscribed'`.
 *
 * @example
 * ```ts
 * import { splitResponses, collectText } from 'rx-realtime';
 * server$.pipe(splitResponses(), mergeMap((r) => r.pipe(collectText())));
 * ```
 */
// source: protocol README §9.9
export function splitResponses(): OperatorFunction<ServerMessage | SessionState, ResponseStream> {
  return splitGroups<ResponseStream>(() => new ResponseSpec());
}

/** How `splitResponses` groups events; one per subscription (it holds the items of the open responses). */
class ResponseSpec implements GroupSpec<ResponseStream> {
  readonly kind = 'response';
  // item id → response id, for the conversation.item.* events that carry no response_id; entries live while their
  // response is open (dropped at response.done), so memory is flat however long the session.
  private readonly responseOf = new Map<string, string>();
  private readonly itemsOf = new Map<string, string[]>();

  opens(e: ServerMessage): string | undefined {
    return e.type === 'response.created' ? nestedId(e, 'response') : undefined;
  }

  keyOf(e: ServerMessage): string | undefined {
    if (e.type === 'response.done') return nestedId(e, 'response');
    // read here rather than through `field`: a load of its own at this site (every event passes here)
    const rid = (e as { response_id?: unknown }).response_id;
    if (typeof rid === 'string') return rid;
    const itemId = nestedId(e, 'item') ?? field(e, 'item_id');
    return itemId !== undefined ? this.responseOf.get(itemId) : undefined;
  }

  closes(e: ServerMessage): boolean {
    return e.type === 'response.done';
  }

  observe(e: ServerMessage): void {
    if (e.type !== 'response.output_item.added') return;
    const rid = field(e, 'response_id');
    const iid = nestedId(e, 'item');
    if (rid === undefined || iid === undefined) return;
    this.responseOf.set(iid, rid);
    this.itemsOf.set(rid, [...(this.itemsOf.get(rid) ?? []), iid]);
  }

  forget(key: string): void {
    for (const iid of this.itemsOf.get(key) ?? []) this.responseOf.delete(iid);
    this.itemsOf.delete(key);
  }

  make(responseId: string, events: Observable<ServerMessage>, first: ServerMessage): ResponseStream {
    const metadata =
      first.type === 'response.created'
        ? ((first.response.metadata as Record<string, unknown> | null | undefined) ?? null)
        : null;
    return Object.assign(events, { responseId, metadata });
  }
}

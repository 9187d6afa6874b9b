import type { Observable, OperatorFunction } from 'rxjs';
import type { ServerMessage } from '../protocol';
import { field, nestedId, splitGroups, type GroupSpec } from './groups';
import type { SessionState } from './sessionState';

/** One output item's events, from `response.output_item.added` to `response.output_item.done` inclusive. */
export interface ItemStream extends Observable<ServerMessage> {
  readonly itemId: string;
  /** The item's `type` as `output_item.added` gave it: `message`, `function_call`, … (`undefined` if unseen). */
  readonly type: string | undefined;
  /** The response the item belongs to (`undefined` if unseen). */
  readonly responseId: string | undefined;
}

/**
 * Splits a server stream (or one response's stream) into one inner Observable per output item.
 *
 * It's like `groupBy(e => e.item_id)`, but each inner stream opens at `response.output_item.added`, carries the
 * events with that `item_id` (content parts, deltas, function-call arguments) and the `conversation.item.*`
 * events of the item, and completes at `response.output_item.done`.
 *
 * ```text
 * source:  --a--p--d--e--A--f--F--|     a/e = output_item.added/done of item 1, A/F of item 2
 * output:  --i-----------j--------|
 *   i:       a--p--d--e|
 *   j:                   A--f--F|
 * ```
 *
 * Completion, errors and teardown as {@link splitResponses}: open items error with `IncompleteStreamError`
 * when the source ends first (the reason names the error that ended it); an item already handed over and
 * subscribed stays alive after the outer unsubscribes; an event for an unseen item opens its stream; a straggler after done is dropped.
 *
 * @example
 * ```ts
 * import { splitItems } from 'rx-realtime';
 * response$.pipe(splitItems(), filter((item) => item.type === 'function_call'));
 * ```
 */
export function splitItems(): OperatorFunction<ServerMessage | SessionState, ItemStream> {
  return splitGroups<ItemStream>(() => ITEMS);
}

/** How `splitItems` groups events: it keeps no state, so every subscription shares this one. */
const ITEMS: GroupSpec<ItemStream> = {
  kind: 'item',
  opens: (e) => (e.type === 'response.output_item.added' ? nestedId(e, 'item') : undefined),
  keyOf: (e) => field(e, 'item_id') ?? nestedId(e, 'item'),
  closes: (e) => e.type === 'response.output_item.done',
  make: (itemId, events, first) => {
    const added = first.type === 'response.output_item.added' ? first : undefined;
    return Object.assign(events, {
      itemId,
      type: added?.item.type,
      responseId: added?.response_id ?? field(first, 'response_id'),
    });
  },
};

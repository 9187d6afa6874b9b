import type { Observable, OperatorFunction } from 'rxjs';
import type { ServerMessage } from '../protocol';
import { field, numberField, splitGroups, type GroupSpec } from './groups';
import type { SessionState } from './sessionState';
import { partKeys } from './partKey';

/** One content part's events, from `response.content_part.added` to `response.content_part.done` inclusive. */
export interface ContentPartStream extends Observable<ServerMessage> {
  readonly itemId: string;
  readonly contentIndex: number;
  /** The part's type as `content_part.added` gave it (`text`, `audio`; GA parts keep these names). */
  // source: protocol README §5
  readonly type: string | undefined;
  readonly responseId: string | undefined;
}

/**
 * Splits a server stream (or one item's stream) into one inner Observable per content part.
 *
 * It's like `groupBy(e => e.item_id + ':' + e.content_index)`, but each inner stream opens at
 * `response.content_part.added`, carries the part's deltas and dones (audio, transcript, text), and completes at
 * `response.content_part.done`.
 *
 * ```text
 * source:  --p--a--t--x--q--P--T--Q--|     p/q = content_part.added/done of part 1, P/Q of part 2
 * output:  --s--------------S--------|
 *   s:       p--a--t--x--q|
 *   S:                      P--T--Q|
 * ```
 *
 * Completion, errors and teardown as {@link splitResponses}: open parts error with `IncompleteStreamError` when
 * the source ends first (the reason names the error that ended it); a part already handed over and subscribed
 * stays alive after the outer unsubscribes; an event for an unseen part of a response opens its stream; a
 * straggler after done is dropped.
 *
 * @example
 * ```ts
 * import { splitContentParts, textDeltas } from 'rx-realtime';
 * item$.pipe(splitContentParts(), mergeMap((part) => part.pipe(textDeltas())));
 * ```
 */
export function splitContentParts(): OperatorFunction<ServerMessage | SessionState, ContentPartStream> {
  return splitGroups<ContentPartStream>(() => new PartSpec());
}

/** How `splitContentParts` groups events; one per subscription (its keyer remembers the last key). */
class PartSpec implements GroupSpec<ContentPartStream> {
  readonly kind = 'content part';
  readonly keyOf = partKeys();

  opens(e: ServerMessage): string | undefined {
    return e.type === 'response.content_part.added' ? this.keyOf(e) : undefined;
  }

  closes(e: ServerMessage): boolean {
    return e.type === 'response.content_part.done';
  }

  make(_key: string, events: Observable<ServerMessage>, first: ServerMessage): ContentPartStream {
    return Object.assign(events, {
      itemId: field(first, 'item_id') as string,
      contentIndex: numberField(first, 'content_index') as number,
      type: first.type === 'response.content_part.added' ? first.part.type : undefined,
      responseId: field(first, 'response_id'),
    });
  }
}

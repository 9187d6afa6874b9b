import type { Observable, OperatorFunction } from 'rxjs';
import type { ServerMessage } from '../protocol';
import { field, numberField, splitGroups } from './groups';

/** One content part's events, from `response.content_part.added` to `response.content_part.done` inclusive. */
export interface ContentPartStream extends Observable<ServerMessage> {
  readonly itemId: string;
  readonly contentIndex: number;
  /** The part's type as `content_part.added` gave it (`text`, `audio`; GA parts keep these names, §5). */
  readonly type: string | undefined;
  readonly responseId: string | undefined;
}

const keyOf = (e: ServerMessage): string | undefined => {
  const itemId = field(e, 'item_id');
  const index = numberField(e, 'content_index');
  return itemId !== undefined && index !== undefined ? `${itemId}:${index}` : undefined;
};

/**
 * Splits a server stream (or one response's or item's stream) into one inner Observable per content part.
 *
 * It's like `groupBy(e => [e.item_id, e.content_index])`, but each inner stream opens at
 * `response.content_part.added`, carries that part's deltas and `*.done` events (text, audio, transcript, in
 * either dialect), and completes at `response.content_part.done`.
 *
 * ```text
 * source:  --p--a--t--a--t--x--y--q--|   p/q = content_part.added/done, a = audio delta, t = transcript delta,
 * output:  --s-----------------------|   x = audio done, y = transcript done
 *   s:       p--a--t--a--t--x--y--q|
 * ```
 *
 * Completion, errors and teardown as {@link splitResponses}.
 *
 * @example
 * ```ts
 * import { splitContentParts, audioDeltas } from 'rx-realtime';
 * item$.pipe(splitContentParts(), mergeMap((part) => part.pipe(audioDeltas())));
 * ```
 */
export function splitContentParts(): OperatorFunction<ServerMessage, ContentPartStream> {
  return splitGroups<ContentPartStream>(() => ({
    kind: 'content part',
    opens: (e) => (e.type === 'response.content_part.added' ? keyOf(e) : undefined),
    keyOf,
    closes: (e) => e.type === 'response.content_part.done',
    make: (_key, events, first) =>
      Object.assign(events, {
        itemId: field(first, 'item_id') as string,
        contentIndex: numberField(first, 'content_index') as number,
        type: first.type === 'response.content_part.added' ? first.part.type : undefined,
        responseId: field(first, 'response_id'),
      }),
  }));
}

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

/**
 * `item_id:content_index`, or undefined. Per subscription: the last key is kept, so that the events of one part
 * (nearly all in a row) reuse one string instead of building one each.
 */
const partKeys = () => {
  let lastItem: string | undefined;
  let lastIndex: number | undefined;
  let lastKey: string | undefined;
  return (e: ServerMessage): string | undefined => {
    // read here rather than through `field`: a load of its own at this site (every event passes here)
    const itemId = (e as { item_id?: unknown }).item_id;
    const index = (e as { content_index?: unknown }).content_index;
    if (typeof itemId !== 'string' || typeof index !== 'number') return undefined;
    if (itemId !== lastItem || index !== lastIndex) {
      lastItem = itemId;
      lastIndex = index;
      lastKey = `${itemId}:${index}`;
    }
    return lastKey;
  };
};

export function splitContentParts(): OperatorFunction<ServerMessage, ContentPartStream> {
  return splitGroups<ContentPartStream>(() => {
    const keyOf = partKeys();
    return {
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
    };
  });
}

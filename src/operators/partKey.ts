// Internal: the one key of a content part, shared by splitContentParts and the collectors.
import type { ServerMessage } from '../protocol';

/**
 * Makes a keyer of content parts: `item_id:content_index` of an event, or `undefined` when it has no part. Call
 * it once per subscription: it keeps the last key, so that the events of one part (nearly all in a row) reuse
 * one string instead of building one each.
 */
export const partKeys = (): ((event: ServerMessage) => string | undefined) => {
  let lastItem: string | undefined;
  let lastIndex: number | undefined;
  let lastKey: string | undefined;
  return (e) => {
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

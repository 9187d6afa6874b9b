/**
 * The default conversation of one emulated session: its items in order, with `previous_item_id` semantics of
 * `conversation.item.create` (append, `"root"`, or after a given item; an unknown one is an error), bounded so that
 * a long session holds flat memory.
 */
import type { ConversationItem } from '../protocol';

/** An item as the conversation keeps it: the wire item and what the emulator needs to remember about it. */
export interface StoredItem {
  item: ConversationItem;
  /** Milliseconds of assistant audio in content 0 (what `conversation.item.truncate` may cut). */
  audioMs?: number;
  /** Milliseconds of user audio (input_audio items). */
  inputAudioMs?: number;
}

export class Conversation {
  private readonly items: StoredItem[] = [];

  /** `maxItems`: beyond it the oldest items are forgotten (the service truncates old context too). */
  constructor(private readonly maxItems: number) {}

  /** The ID of the last item, or null for an empty conversation. */
  lastId(): string | null {
    return this.items.at(-1)?.item.id ?? null;
  }

  has(id: string): boolean {
    return this.items.some((s) => s.item.id === id);
  }

  get(id: string): StoredItem | undefined {
    return this.items.find((s) => s.item.id === id);
  }

  /**
   * Adds an item: at the end (`previous` undefined or null), first (`"root"`), or after `previous`. Returns the ID
   * of the item now before it (the `previous_item_id` to report), or `undefined` when `previous` is not found.
   */
  insert(stored: StoredItem, previous?: string | null): { previousId: string | null } | undefined {
    let at: number;
    if (previous === undefined || previous === null) at = this.items.length;
    else if (previous === 'root') at = 0;
    else {
      const index = this.items.findIndex((s) => s.item.id === previous);
      if (index < 0) return undefined;
      at = index + 1;
    }
    this.items.splice(at, 0, stored);
    const previousId = at === 0 ? null : (this.items[at - 1]!.item.id ?? null);
    if (this.items.length > this.maxItems) this.items.shift();
    return { previousId };
  }

  /** Removes an item; false when it is not there. */
  delete(id: string): boolean {
    const index = this.items.findIndex((s) => s.item.id === id);
    if (index < 0) return false;
    this.items.splice(index, 1);
    return true;
  }

  /** True when an assistant item holds audio (the voice may then no longer change, protocol README §3). */
  hasAssistantAudio(): boolean {
    return this.items.some((s) => s.audioMs !== undefined);
  }

  /** Every item, oldest first (for token estimates). */
  all(): readonly StoredItem[] {
    return this.items;
  }
}

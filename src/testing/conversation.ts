/**
 * The default conversation of one emulated session: its items in order, with `previous_item_id` semantics of
 * `conversation.item.create` (append, `"root"`, or after a given item; an unknown one is an error), bounded so that
 * a long session holds flat memory.
 */
import type { ConversationItem } from '../protocol';
import type { ReplyContext } from './replies';

/** An item as the conversation keeps it: the wire item and what the emulator needs to remember about it. */
export interface StoredItem {
  item: ConversationItem;
  /** Milliseconds of assistant audio in content 0 (what `conversation.item.truncate` may cut). */
  audioMs?: number | undefined;
  /** Milliseconds of user audio (input_audio items). */
  inputAudioMs?: number | undefined;
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

  /** True when an assistant item holds audio (the voice may then no longer change). */
  // source: protocol README §3
  hasAssistantAudio(): boolean {
    return this.items.some((s) => s.audioMs !== undefined);
  }

  /** Every item, oldest first (for token estimates). */
  all(): readonly StoredItem[] {
    return this.items;
  }
}

/** The input of an out-of-band response: its last user message text, or none. */
export function inputOf(items: readonly ConversationItem[]): ReplyContext['input'] {
  for (const item of [...items].reverse()) {
    if (item.type !== 'message' || item.role !== 'user') continue;
    const text = (item.content ?? [])
      .map((c) => c.text ?? '')
      .join(' ')
      .trim();
    if (text) return { kind: 'text', text };
  }
  return { kind: 'none' };
}

/** What the service refuses in `conversation.item.create.item` (required fields per item type). */
export function itemProblem(
  item: ConversationItem,
): { code: string; message: string; param: string } | undefined {
  const missing = (field: string) => ({
    code: 'missing_required_parameter',
    message: `Missing required parameter: 'item.${field}'.`,
    param: `item.${field}`,
  });
  if (item.type === undefined) return missing('type');
  switch (item.type) {
    case 'message':
      if (item.role === undefined) return missing('role');
      if (!['user', 'assistant', 'system'].includes(item.role))
        return {
          code: 'invalid_value',
          message: `Invalid value: '${item.role}'. Supported values are: 'user', 'assistant', and 'system'.`,
          param: 'item.role',
        };
      if (item.content === undefined) return missing('content');
      return undefined;
    case 'function_call':
      if (item.call_id === undefined) return missing('call_id');
      if (item.name === undefined) return missing('name');
      return undefined;
    case 'function_call_output':
      if (item.call_id === undefined) return missing('call_id');
      if (item.output === undefined || item.output === null) return missing('output');
      return undefined;
    default:
      return {
        code: 'invalid_value',
        message: `Invalid value: '${item.type}'. Supported values are: 'message', 'function_call', and 'function_call_output'.`,
        param: 'item.type',
      };
  }
}

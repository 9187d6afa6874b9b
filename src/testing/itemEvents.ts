/**
 * The client's conversation events (`conversation.item.create`, `.retrieve`, `.delete`, `.truncate`) against the
 * items a session holds, and the announcement of an item in its dialect: beta
 * `conversation.item.created`; GA `conversation.item.added` then `.done`.
 */
// source: protocol README §5, §6
import type { ConversationItem, Dialect } from '../protocol';
import type { AudioFormat } from './config';
import type { Conversation } from './conversation';
import { itemProblem } from './conversation';
import { newId } from './ids';
import type { EmitServerEvent, Problem } from './serverEvent';

/** What the item events need from their session. */
export interface ItemPort {
  readonly dialect: Dialect;
  readonly conversation: Conversation;
  readonly emit: EmitServerEvent;
  /** Sends the `error` event; returns nothing, so that a refusal can end any method. */
  refuse(problem: Problem, eventId: string | null): undefined;
  inputFormat(): AudioFormat;
}

export class ItemEvents {
  constructor(private readonly port: ItemPort) {}

  /** `conversation.item.retrieve`. */
  retrieve(itemId: string, eventId: string | null): void {
    const stored = this.port.conversation.get(itemId);
    if (!stored) return this.notFound(itemId, eventId);
    this.port.emit('conversation.item.retrieved', { item: structuredClone(stored.item) });
  }

  /** `conversation.item.delete`. */
  delete(itemId: string, eventId: string | null): void {
    if (!this.port.conversation.delete(itemId)) return this.notFound(itemId, eventId);
    this.port.emit('conversation.item.deleted', { item_id: itemId });
  }

  /** `conversation.item.create`: the item as stored and announced, or undefined when refused. */
  create(
    given: ConversationItem,
    previous: string | undefined,
    eventId: string | null,
  ): { item: ConversationItem; inputAudioMs: number | undefined } | undefined {
    const problem = itemProblem(given);
    if (problem) return this.port.refuse(problem, eventId);
    if (given.id !== undefined && this.port.conversation.has(given.id)) {
      return this.port.refuse(
        {
          code: 'invalid_value',
          message: `Item with item_id '${given.id}' already exists.`,
          param: 'item.id',
        },
        eventId,
      );
    }
    const ga = this.port.dialect === 'ga';
    let inputAudioMs: number | undefined;
    const content = given.content?.map((part) => {
      if (part.type !== 'input_audio') return { ...part };
      // the audio is not echoed back (only its transcript, null until transcribed)
      const { audio, ...rest } = part;
      const bytesPerMs = this.port.inputFormat() === 'pcm16' ? 48 : 8;
      if (typeof audio === 'string') inputAudioMs = (inputAudioMs ?? 0) + (audio.length * 3) / 4 / bytesPerMs;
      return { ...rest, transcript: part.transcript ?? null };
    });
    const item: ConversationItem = {
      id: given.id ?? newId('item'),
      ...(ga ? {} : { object: 'realtime.item' }),
      ...given,
      ...(content ? { content } : {}),
      status: given.status ?? 'completed',
    };
    const placed = this.port.conversation.insert({ item, inputAudioMs }, previous);
    if (!placed) {
      return this.port.refuse(
        {
          code: 'invalid_value',
          message: `Invalid 'previous_item_id': no item with id '${previous}' in the conversation.`,
          param: 'previous_item_id',
        },
        eventId,
      );
    }
    this.announce(item, placed.previousId);
    return { item, inputAudioMs };
  }

  /** `conversation.item.truncate`. */
  // source: protocol README §6 barge-in
  truncate(itemId: string, contentIndex: number, audioEndMs: number, eventId: string | null): void {
    const stored = this.port.conversation.get(itemId);
    if (!stored) return this.notFound(itemId, eventId);
    const part = stored.item.content?.[contentIndex];
    if (stored.item.role !== 'assistant' || !part || stored.audioMs === undefined) {
      return this.port.refuse(
        {
          code: 'invalid_value',
          message: `Invalid 'content_index': item ${itemId} has no assistant audio at content_index ${contentIndex}.`,
          param: 'content_index',
        },
        eventId,
      );
    }
    if (audioEndMs > stored.audioMs) {
      return this.port.refuse(
        {
          code: 'invalid_value',
          message: `Audio content of ${stored.audioMs}ms is shorter than requested audio_end_ms of ${audioEndMs}ms.`,
          param: 'audio_end_ms',
        },
        eventId,
      );
    }
    // the service drops the transcript so that no text the user did not hear stays in context ([AZ-ref])
    part.transcript = '';
    stored.audioMs = audioEndMs;
    this.port.emit('conversation.item.truncated', {
      item_id: itemId,
      content_index: contentIndex,
      audio_end_ms: audioEndMs,
    });
  }

  /** Beta: `conversation.item.created`; GA: `conversation.item.added` then `.done` for a finished item. */
  // source: protocol README §5
  announce(item: ConversationItem, previousId: string | null): void {
    const fields = { previous_item_id: previousId, item: structuredClone(item) };
    if (this.port.dialect === 'preview') return this.port.emit('conversation.item.created', fields);
    this.port.emit('conversation.item.added', fields);
    this.port.emit('conversation.item.done', structuredClone(fields));
  }

  private notFound(itemId: string, eventId: string | null): void {
    this.port.refuse(
      { code: 'item_not_found', message: `Item with item_id '${itemId}' not found.`, param: 'item_id' },
      eventId,
    );
  }
}

import { Observable, type OperatorFunction } from 'rxjs';
import { isEvent, type ConversationItem as WireItem, type ServerMessage } from '../protocol';
import { isSessionState, type SessionState } from './sessionState';
import { sourceObserver } from './sourceObserver';

/**
 * One item of the conversation as the server holds it (the state of {@link conversation}).
 *
 * Named `ConversationItemState` so that it does not clash with the protocol's `ConversationItem`, the wire
 * shape of an item inside events.
 */
export interface ConversationItemState {
  readonly id: string;
  /** `'message'`, `'function_call'`, `'function_call_output'` (or a later type, such as GA's MCP items). */
  readonly type: string;
  /** `'user'`, `'assistant'` or `'system'` for messages. */
  readonly role?: string | undefined;
  /** `'in_progress'`, `'completed'` or `'incomplete'`, as the server last said. */
  readonly status?: string | undefined;
  /**
   * The message's text, or the transcript of its audio; after a truncation, cut back to the words that were
   * heard (see {@link conversation}). `''` for items without text.
   */
  readonly text: string;
  /**
   * Milliseconds of audio: the assistant audio received (after a truncation: the audio the server kept), or
   * the user's speech as server VAD measured it. `0` for items without audio.
   */
  readonly audioMs: number;
  /** Function calls and their outputs: the call's id. */
  readonly callId?: string | undefined;
  /** Function calls: the tool's name. */
  readonly name?: string | undefined;
  /** Function calls: the arguments as JSON text, growing while they stream. */
  readonly arguments?: string | undefined;
  /** Function call outputs: the output text. */
  readonly output?: string | undefined;
}

/** The state {@link conversation} emits. */
export interface ConversationState {
  /** The items in server order (oldest first). Frozen. */
  readonly items: readonly ConversationItemState[];
  /** The item this update added or changed; `undefined` for the initial state and after a delete. */
  readonly changed?: ConversationItemState | undefined;
}

/** Options of {@link conversation}; every property has a default. */
export interface ConversationOptions {
  /**
   * The item budget: at most this many items are kept; beyond it the oldest are forgotten (the server may
   * still hold them). Default 1000.
   */
  readonly maxItems?: number | undefined;
  /** Bytes per millisecond of the output audio: 48 for PCM16 24 kHz (default), 8 for G.711 at 8 kHz. */
  readonly bytesPerMs?: number | undefined;
}

/** Items per chunk of the persistent list: a per-item update copies one chunk and the list of chunks. */
const CHUNK = 32;

/**
 * The conversation as the server holds it, as state: `{ items }` in server order, where each item is a message
 * (with its text, or the transcript of its audio), a function call (name, arguments) or a function call output.
 *
 * It's like `scan` over the server events into a list of items, but placed where the server says
 * (`previous_item_id`; `null` means first), updated per item as deltas stream (text, transcripts, audio
 * length, call arguments, the user's input transcription), cut at `conversation.item.truncated` and shrunk at
 * `conversation.item.deleted`, in both dialects (preview `conversation.item.created`, GA
 * `conversation.item.added` / `.done`). Items of out-of-band responses never enter it, as on the server.
 *
 * ```text
 * source:  --i---p--a--t--u--I--T--|     i, I = item added (audio message, text message), a/t/u/T = deltas
 * output:  s-1------2--3--4--5--6--|     s = { items: [] }, 1 = [item_1], 2 = audioMs, 3 = "Hi", … 6 = [item_1, item_2 "Yes"]
 * ```
 *
 * A truncation keeps `audio_end_ms` of the audio, and the words of the transcript in proportion to the audio
 * kept, cut back to a word boundary: an estimate of what the user heard (the service keeps no timing per word;
 * OpenAI's reference says truncating deletes the unheard transcript server-side,
 * https://platform.openai.com/docs/api-reference/realtime-client-events/conversation/item/truncate).
 *
 * Bounded: at most `maxItems` (default 1000) items, the oldest forgotten first. A delta costs one item and one
 * chunk of 32 items (the list is a persistent list of chunks, shared between states), never a copy of the whole
 * list; reading `items` of a state flattens the chunks once, and reading `changed` costs nothing.
 *
 * Over `session()`'s stream the state carries across reconnects: at a `reconnecting` state the items that were
 * still `in_progress` (a response cut by the drop) become `incomplete`; the replayed items keep their ids.
 *
 * Emits `{ items: [] }` at subscription, then one state per event that changed the conversation. Completes and
 * errors with the source.
 *
 * @example
 * ```ts
 * import { conversation } from 'rx-realtime';
 * server$.pipe(conversation()).subscribe(({ items }) => console.log(items.map((i) => `${i.role}: ${i.text}`)));
 * ```
 */
export function conversation(
  options: ConversationOptions = {},
): OperatorFunction<ServerMessage | SessionState, ConversationState> {
  const maxItems = Math.max(1, Math.floor(options.maxItems ?? 1000));
  const bytesPerMs = options.bytesPerMs ?? 48;
  return (source) =>
    new Observable<ConversationState>((subscriber) => {
      // Per subscription: the persistent list, an id → index map (rebuilt at structural changes only), and the
      // side facts of items that are not part of the public state.
      let chunks: (readonly ConversationItemState[])[] = [];
      let index = new Map<string, number>();
      const audioBytes = new Map<string, number>(); // assistant audio received, in bytes, per item
      const truncated = new Set<string>(); // items cut by a truncation: a later item.done keeps the cut text
      // speech_started → its audio_start_ms; lengths measured at speech_stopped, waiting for their user item
      const speechStart = new Map<string, number>();
      const speechMs = new Map<string, number>();

      const emit = (changed: ConversationItemState | undefined) => subscriber.next(state(chunks, changed));
      const get = (id: string) => {
        const i = index.get(id);
        return i === undefined ? undefined : chunks[(i / CHUNK) | 0]![i % CHUNK];
      };
      const replace = (id: string, item: ConversationItemState) => {
        const i = index.get(id)!;
        const c = (i / CHUNK) | 0;
        const chunk = chunks[c]!.slice();
        chunk[i % CHUNK] = item;
        chunks = chunks.slice();
        chunks[c] = chunk;
        emit(item);
      };
      /** Structural change: flatten, change, and cut into chunks again (once per item, never per delta). */
      const restructure = (change: (items: ConversationItemState[]) => void) => {
        const items = chunks.flat();
        change(items);
        while (items.length > maxItems) forget(items.shift()!.id);
        chunks = [];
        for (let i = 0; i < items.length; i += CHUNK) chunks.push(items.slice(i, i + CHUNK));
        index = new Map(items.map((item, i) => [item.id, i]));
      };
      const forget = (id: string) => {
        audioBytes.delete(id);
        truncated.delete(id);
      };
      const update = (
        id: string | undefined,
        change: (item: ConversationItemState) => ConversationItemState,
      ) => {
        if (id === undefined) return;
        const item = get(id);
        if (item === undefined) return;
        const next = change(item);
        if (next !== item) replace(id, next);
      };

      const place = (wire: WireItem, previous: string | null | undefined) => {
        const id = wire.id;
        if (id === undefined) return;
        const known = get(id);
        if (known !== undefined) {
          replace(id, merge(known, wire, truncated.has(id)));
          return;
        }
        const item = merge(undefined, wire, false);
        restructure((items) => {
          if (previous === null) items.unshift(item);
          else {
            const at = previous === undefined ? undefined : index.get(previous);
            if (at === undefined) items.push(item);
            else items.splice(at + 1, 0, item);
          }
        });
        emit(get(id));
      };

      subscriber.next(state(chunks, undefined));
      const subscription = source.subscribe(
        sourceObserver({
          next(e) {
            if (isSessionState(e)) {
              // session(): the socket dropped; what was still streaming on it was cut and will not finish
              if (e.state !== 'reconnecting') return;
              for (const item of chunks.flat())
                if (item.status === 'in_progress') update(item.id, (i) => ({ ...i, status: 'incomplete' }));
              return;
            }
            if (isEvent(e, 'itemAdded') || isEvent(e, 'itemDone')) {
              place(e.item, e.previous_item_id);
            } else if (e.type === 'conversation.item.retrieved' || e.type === 'response.output_item.done') {
              // only items the conversation holds: an out-of-band response's items never enter it
              const id = e.item.id;
              if (id !== undefined && index.has(id)) place(e.item, undefined);
            } else if (e.type === 'conversation.item.deleted') {
              if (!index.has(e.item_id)) return;
              forget(e.item_id);
              restructure((items) => items.splice(index.get(e.item_id)!, 1));
              emit(undefined);
            } else if (isEvent(e, 'textDelta') || isEvent(e, 'transcriptDelta')) {
              update(e.item_id, (item) => ({ ...item, text: item.text + e.delta }));
            } else if (isEvent(e, 'textDone')) {
              // the full text (the deltas may have been joined mid-stream); one-part messages only
              if (e.content_index === 0 && !truncated.has(e.item_id))
                update(e.item_id, (item) => (item.text === e.text ? item : { ...item, text: e.text }));
            } else if (isEvent(e, 'transcriptDone')) {
              if (e.content_index === 0 && !truncated.has(e.item_id))
                update(e.item_id, (item) =>
                  item.text === e.transcript ? item : { ...item, text: e.transcript },
                );
            } else if (isEvent(e, 'audioDelta')) {
              if (!index.has(e.item_id) || truncated.has(e.item_id)) return;
              const bytes = (audioBytes.get(e.item_id) ?? 0) + base64Length(e.delta);
              audioBytes.set(e.item_id, bytes);
              update(e.item_id, (item) => ({ ...item, audioMs: Math.floor(bytes / bytesPerMs) }));
            } else if (e.type === 'conversation.item.truncated') {
              if (!index.has(e.item_id)) return;
              truncated.add(e.item_id);
              update(e.item_id, (item) => cut(item, e.audio_end_ms));
            } else if (e.type === 'response.function_call_arguments.delta') {
              update(e.item_id, (item) => ({ ...item, arguments: (item.arguments ?? '') + e.delta }));
            } else if (e.type === 'response.function_call_arguments.done') {
              update(e.item_id, (item) => ({ ...item, arguments: e.arguments }));
            } else if (e.type === 'conversation.item.input_audio_transcription.delta') {
              update(e.item_id, (item) => ({ ...item, text: item.text + (e.delta ?? '') }));
            } else if (e.type === 'conversation.item.input_audio_transcription.completed') {
              update(e.item_id, (item) => ({ ...item, text: e.transcript }));
            } else if (e.type === 'input_audio_buffer.speech_started') {
              speechStart.clear(); // one speech at a time: a start whose stop never came is forgotten
              speechStart.set(e.item_id, e.audio_start_ms);
            } else if (e.type === 'input_audio_buffer.speech_stopped') {
              const start = speechStart.get(e.item_id);
              speechStart.delete(e.item_id);
              if (start === undefined) return;
              const ms = Math.max(0, e.audio_end_ms - start);
              speechMs.set(e.item_id, ms);
              if (speechMs.size > 8) speechMs.delete(speechMs.keys().next().value!);
              update(e.item_id, (item) => ({ ...item, audioMs: ms }));
            }
            // the user's item is created after speech_stopped: give it the measured length then
            if ((isEvent(e, 'itemAdded') || isEvent(e, 'itemDone')) && e.item.id !== undefined) {
              const ms = speechMs.get(e.item.id);
              if (ms !== undefined) {
                speechMs.delete(e.item.id);
                update(e.item.id, (item) => ({ ...item, audioMs: ms }));
              }
            }
          },
          error: (err) => subscriber.error(err),
          complete: () => subscriber.complete(),
        }),
      );
      return () => {
        subscription.unsubscribe();
        chunks = [];
        index.clear();
        audioBytes.clear();
        truncated.clear();
        speechStart.clear();
        speechMs.clear();
      };
    });
}

/** A state whose `items` are flattened from the chunks once, when first read. */
function state(
  chunks: readonly (readonly ConversationItemState[])[],
  changed: ConversationItemState | undefined,
): ConversationState {
  let items: readonly ConversationItemState[] | undefined;
  const value = {} as { items: readonly ConversationItemState[]; changed?: ConversationItemState };
  Object.defineProperty(value, 'items', {
    enumerable: true,
    get: () => (items ??= Object.freeze(chunks.flat())),
  });
  if (changed !== undefined) value.changed = changed;
  return Object.freeze(value);
}

/** The item with the wire item's fields taken in (those it carries). */
function merge(
  known: ConversationItemState | undefined,
  wire: WireItem,
  keepText: boolean,
): ConversationItemState {
  const content = wire.content?.map((c) => c.text ?? c.transcript ?? '').join('') ?? '';
  const item: {
    -readonly [K in keyof ConversationItemState]: ConversationItemState[K];
  } = known ? { ...known } : { id: wire.id!, type: wire.type ?? 'message', text: '', audioMs: 0 };
  if (wire.type !== undefined) item.type = wire.type;
  if (wire.role !== undefined) item.role = wire.role;
  if (wire.status !== undefined) item.status = wire.status;
  // an item event's content is the whole text so far; an empty one (an item just added) adds nothing
  if (content !== '' && !keepText) item.text = content;
  if (wire.call_id !== undefined) item.callId = wire.call_id;
  if (wire.name !== undefined) item.name = wire.name;
  if (wire.arguments !== undefined && wire.arguments !== '') item.arguments = wire.arguments;
  else if (wire.arguments === '' && item.arguments === undefined) item.arguments = '';
  if (typeof wire.output === 'string') item.output = wire.output;
  return item;
}

/** The item after the server kept `audioEndMs` of its audio: the transcript cut in proportion, at a word. */
function cut(item: ConversationItemState, audioEndMs: number): ConversationItemState {
  if (audioEndMs >= item.audioMs) return item;
  const kept = item.audioMs > 0 ? Math.round((item.text.length * audioEndMs) / item.audioMs) : 0;
  let end = kept;
  // a word the user heard only in part is not kept: back to the last whitespace at or before the cut
  if (end < item.text.length && !/\s/.test(item.text[end]!)) {
    const space = item.text.lastIndexOf(' ', end);
    end = space < 0 ? 0 : space;
  }
  return { ...item, text: item.text.slice(0, end).trimEnd(), audioMs: audioEndMs };
}

/** Decoded length of a base64 string, without decoding it. */
function base64Length(b64: string): number {
  let padding = 0;
  if (b64.endsWith('==')) padding = 2;
  else if (b64.endsWith('=')) padding = 1;
  return Math.max(0, Math.floor((b64.length * 3) / 4) - padding);
}

/**
 * What a new socket is sent before anything else, so that the new server session is the old one again: the
 * config the server last confirmed, then the conversation items in order, within a budget.
 *
 * Decisions (README "Staying connected"):
 * - **User audio is replayed as its transcript** (an `input_text` part), not as audio: the service takes no
 *   assistant audio back either (a client may create assistant items with text only), a transcript is a few hundred
 *   bytes where the audio of a 10 s turn is 640 kB of base64, and the replay then fits in one round trip. A user
 *   audio item with no transcript (input transcription off, or failed) has nothing to replay: it is skipped and
 *   counted in the `replayed` state's `skipped`. Turn input transcription on for faithful replays.
 * - **Assistant turns are replayed as the text of what was heard**: `conversation()` cuts a truncated item's
 *   transcript to the words heard.
 * - Items the drop cut (`in_progress` / `incomplete`) are not replayed: the user's turn they answered is answered
 *   again instead (`answerAgain`).
 * - Items keep their ids, so a later `conversation.item.truncate` / `.delete` naming one still works.
 */
import type { ClientEvent, Dialect } from '../protocol';
import type { ConversationItemState } from '../operators/conversation';
import { SESSION_READ_ONLY_FIELDS } from '../protocol/resources';

/** Options of the replay; every property has a default. */
export interface ReplayOptions {
  /** Most conversation items replayed (the most recent ones). Default 200. */
  readonly maxItems?: number | undefined;
  /** Most characters of item text, arguments and outputs replayed (about 4 per token). Default 60 000. */
  readonly maxChars?: number | undefined;
  /** After a drop that cut a response (or came before it), ask for the user's last turn to be answered. Default true. */
  readonly answerAgain?: boolean | undefined;
  /** Most milliseconds of uncommitted input audio (PCM16 24 kHz) sent again to a new socket. Default 15 000. */
  readonly resendAudioMs?: number | undefined;
}

/**
 * The `session.update` that makes a new session what `view` (the last `session.updated` / `session.created`
 * session) says: the read-only fields left out, and the `null`s the service reports for unset optional fields
 * (GA: `tracing`, `prompt`, `include`, `transcription`, `noise_reduction`) left out, except
 * `turn_detection: null`, which means manual turns.
 */
// source: protocol README §4
export function configEvent(view: Record<string, unknown>, eventId: string): ClientEvent {
  const session = strip(view, true) as Record<string, unknown>;
  return { type: 'session.update', event_id: eventId, session } as ClientEvent;
}

function strip(value: unknown, top: boolean): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (top && SESSION_READ_ONLY_FIELDS.includes(key)) continue;
    if (v === null && key !== 'turn_detection') continue;
    out[key] = key === 'tools' || key === 'parameters' ? v : strip(v, false);
  }
  return out;
}

/** The events that replay the conversation, and how many items were left out. */
export interface HistoryReplay {
  readonly events: readonly ClientEvent[];
  /** The ids of the items the events create (their echoes are not shown again). */
  readonly ids: readonly string[];
  readonly skipped: number;
  /** True when the last item is the user's (or a tool's output) with no answer after it. */
  readonly awaitsAnswer: boolean;
}

const cutByDrop = (item: ConversationItemState) =>
  item.status === 'in_progress' || item.status === 'incomplete';

export function historyEvents(
  items: readonly ConversationItemState[],
  dialect: Dialect,
  options: { readonly maxItems: number; readonly maxChars: number },
  eventId: (n: number) => string,
): HistoryReplay {
  const candidates: { item: ConversationItemState; chars: number }[] = [];
  let skipped = 0;
  for (const item of items) {
    const chars = replayable(item);
    if (chars === undefined) skipped++;
    else candidates.push({ item, chars });
  }
  // the most recent items within the budget
  let start = candidates.length;
  let chars = 0;
  while (start > 0 && candidates.length - start < options.maxItems) {
    const next = candidates[start - 1]!;
    if (chars + next.chars > options.maxChars) break;
    chars += next.chars;
    start--;
  }
  // an output whose call is left out cannot stand first (the service checks call_id against the calls it holds)
  while (start < candidates.length && candidates[start]!.item.type === 'function_call_output') start++;
  skipped += start;
  const kept = candidates.slice(start).map((c) => c.item);
  const events = kept.map((item, n) => createEvent(item, dialect, eventId(n)));
  const last = items.filter((i) => !cutByDrop(i) || i.role === 'user').at(-1);
  const awaitsAnswer =
    last !== undefined &&
    ((last.type === 'message' && last.role === 'user') || last.type === 'function_call_output');
  return { events, ids: kept.map((i) => i.id), skipped, awaitsAnswer };
}

/** The characters an item costs, or undefined when it has nothing to replay. */
function replayable(item: ConversationItemState): number | undefined {
  if (item.type === 'message') {
    if (item.role === 'assistant' && cutByDrop(item)) return undefined;
    return item.text === '' ? undefined : item.text.length;
  }
  if (item.type === 'function_call') {
    if (cutByDrop(item) || item.callId === undefined || item.name === undefined) return undefined;
    return (item.arguments ?? '').length + item.name.length;
  }
  if (item.type === 'function_call_output') {
    if (item.callId === undefined) return undefined;
    return (item.output ?? '').length;
  }
  return undefined; // later item types (MCP …) are not replayed
}

function createEvent(item: ConversationItemState, dialect: Dialect, eventId: string): ClientEvent {
  let wire: Record<string, unknown>;
  if (item.type === 'function_call') {
    wire = {
      id: item.id,
      type: 'function_call',
      call_id: item.callId,
      name: item.name,
      arguments: item.arguments ?? '{}',
    };
  } else if (item.type === 'function_call_output') {
    wire = { id: item.id, type: 'function_call_output', call_id: item.callId, output: item.output ?? '' };
  } else {
    const role = item.role ?? 'user';
    // a client creates assistant content as `text` (beta) / `output_text` (GA), user and system content as
    // `input_text` in both (protocol README §5, the beta → GA table: content types)
    const type = role === 'assistant' ? (dialect === 'ga' ? 'output_text' : 'text') : 'input_text';
    wire = { id: item.id, type: 'message', role, content: [{ type, text: item.text }] };
  }
  return { type: 'conversation.item.create', event_id: eventId, item: wire } as ClientEvent;
}

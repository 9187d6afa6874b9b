/**
 * The two dialects of the Realtime protocol, and the one table that says which names mean the same thing in both.
 *
 * Operators never hard-code one dialect's strings: they ask {@link isEvent} with a neutral name, so
 * `isEvent(e, 'audioDelta')` is true for `response.audio.delta` (preview) and `response.output_audio.delta` (GA).
 * Source of the mapping: the beta → GA migration notes of Azure and OpenAI.
 */
// source: protocol README §5 (beta → GA
import type * as S from './serverEvents';
import { isUnknownEvent } from './unknownEvent';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * `preview`: Azure `api-version=2025-04-01-preview` (and 2024-10-01-preview, 2024-12-17), the beta event names.
 * `ga`: Azure `/openai/v1/realtime` and OpenAI's GA protocol, the `response.output_*` names.
 */
export type Dialect = 'preview' | 'ga';

/** The dialect-neutral names of the server events whose wire name differs between dialects. */
export interface NeutralEvents {
  textDelta: S.ResponseTextDelta | S.ResponseOutputTextDelta;
  textDone: S.ResponseTextDone | S.ResponseOutputTextDone;
  audioDelta: S.ResponseAudioDelta | S.ResponseOutputAudioDelta;
  audioDone: S.ResponseAudioDone | S.ResponseOutputAudioDone;
  transcriptDelta: S.ResponseAudioTranscriptDelta | S.ResponseOutputAudioTranscriptDelta;
  transcriptDone: S.ResponseAudioTranscriptDone | S.ResponseOutputAudioTranscriptDone;
  /** An item entered the conversation: beta `conversation.item.created`, GA `conversation.item.added`. */
  itemAdded: S.ConversationItemCreated | S.ConversationItemAdded;
  /**
   * An item is final in the conversation: GA `conversation.item.done`. Beta has no separate event; its
   * `conversation.item.created` carries the item as it is (≈), so it counts here too.
   */
  // source: protocol README §5
  itemDone: S.ConversationItemCreated | S.ConversationItemDone;
}
export type NeutralEventName = keyof NeutralEvents;

/** neutral name → the wire names that mean it, per dialect. */
// source: protocol README §5
export const EVENT_NAMES: {
  readonly [K in NeutralEventName]: { readonly preview: string; readonly ga: string };
} = {
  textDelta: { preview: 'response.text.delta', ga: 'response.output_text.delta' },
  textDone: { preview: 'response.text.done', ga: 'response.output_text.done' },
  audioDelta: { preview: 'response.audio.delta', ga: 'response.output_audio.delta' },
  audioDone: { preview: 'response.audio.done', ga: 'response.output_audio.done' },
  transcriptDelta: {
    preview: 'response.audio_transcript.delta',
    ga: 'response.output_audio_transcript.delta',
  },
  transcriptDone: { preview: 'response.audio_transcript.done', ga: 'response.output_audio_transcript.done' },
  itemAdded: { preview: 'conversation.item.created', ga: 'conversation.item.added' },
  itemDone: { preview: 'conversation.item.created', ga: 'conversation.item.done' },
};

/** Both dialects' wire names of some neutral events: the one list every hand-written set is made from. */
export const wireNamesOf = (...names: readonly NeutralEventName[]): ReadonlySet<string> =>
  new Set(names.flatMap((n) => [EVENT_NAMES[n].preview, EVENT_NAMES[n].ga]));

/**
 * Content types that mean "text" / "audio" in either dialect: GA items say `output_text`/`output_audio` while
 * GA `content_part.*` parts keep `text`/`audio`. Accept all in both places.
 */
// source: protocol README §5, §9.4
export const CONTENT_TYPES = {
  text: ['text', 'output_text'],
  audio: ['audio', 'output_audio'],
} as const;

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/** neutral name → its wire names: a Map, so that a name from outside the table (`'__proto__'`) finds nothing. */
const neutralToWire: ReadonlyMap<string, { readonly preview: string; readonly ga: string }> = new Map(
  Object.entries(EVENT_NAMES),
);

const wireToNeutral = new Map<string, NeutralEventName[]>();
for (const [neutral, names] of neutralToWire) {
  for (const wire of new Set([names.preview, names.ga])) {
    wireToNeutral.set(wire, [...(wireToNeutral.get(wire) ?? []), neutral as NeutralEventName]);
  }
}

/**
 * True when `event` is the neutral event `name` in either dialect; narrows to both dialects' types.
 *
 * It's like comparing `event.type` with a string, but with the one name that holds in both dialects, so an
 * operator written once works on preview and GA streams alike. A `DecodeFailure` is never an event here.
 *
 * @example
 * ```ts
 * import { isEvent, type ServerMessage } from 'rx-realtime';
 *
 * const audioChunks = (message: ServerMessage): string[] => (isEvent(message, 'audioDelta') ? [message.delta] : []);
 * ```
 */
// source: protocol README §5
export const isEvent = <K extends NeutralEventName>(
  event: { readonly type: unknown } | null | undefined,
  name: K,
): event is NeutralEvents[K] => {
  const names = neutralToWire.get(name);
  if (names === undefined || event === null || event === undefined) return false;
  const type = event.type;
  // An unknown event carrying the other dialect's name (a GA frame on a preview connection) was never
  // validated: it is not the neutral event, so operators never read unchecked fields from it.
  return (type === names.preview || type === names.ga) && !isUnknownEvent(event);
};

/**
 * {@link isEvent} for one neutral name, with the name's wire names looked up once: for code that asks the same
 * question of every event of a stream.
 *
 * @example
 * ```ts
 * import { eventMatcher } from 'rx-realtime';
 * const isAudio = eventMatcher('audioDelta');
 * server$.pipe(filter(isAudio));
 * ```
 */
export const eventMatcher = <K extends NeutralEventName>(
  name: K,
): ((event: { readonly type: unknown } | null | undefined) => event is NeutralEvents[K]) => {
  const names = neutralToWire.get(name);
  if (names === undefined) return (_event): _event is NeutralEvents[K] => false;
  const { preview, ga } = names;
  return (event): event is NeutralEvents[K] => {
    if (event === null || event === undefined) return false;
    const type = event.type;
    return (type === preview || type === ga) && !isUnknownEvent(event);
  };
};

/**
 * The wire name of a neutral event in a dialect. Throws a `RangeError` for a name or dialect outside the table,
 * which the types already rule out.
 *
 * @example
 * ```ts
 * import { wireName } from 'rx-realtime';
 * wireName('audioDelta', 'ga'); // 'response.output_audio.delta'
 * wireName('itemAdded', 'preview'); // 'conversation.item.created'
 * ```
 */
export const wireName = (name: NeutralEventName, dialect: Dialect): string => {
  const names = neutralToWire.get(name);
  if (names === undefined)
    throw new RangeError(`wireName: unknown neutral event name ${JSON.stringify(name)}`);
  if (dialect !== 'preview' && dialect !== 'ga')
    throw new RangeError(`wireName: unknown dialect ${JSON.stringify(dialect)}: expected "preview" or "ga"`);
  return names[dialect];
};

/** The neutral names a wire name stands for (empty when it is the same in both dialects or unknown). */
export const neutralNames = (wire: string): readonly NeutralEventName[] => wireToNeutral.get(wire) ?? [];

/** True for a text content type of either dialect (`text`, `output_text`). */
export const isTextContent = (type: unknown): boolean => type === 'text' || type === 'output_text';
/** True for an audio content type of either dialect (`audio`, `output_audio`). */
export const isAudioContent = (type: unknown): boolean => type === 'audio' || type === 'output_audio';

/**
 * io-ts codecs of every client event of both dialects.
 *
 * Both dialects share the client event names; the one difference in shape is `session.update`, whose GA session
 * requires `type: "realtime" | "transcription"`. Without a dialect, a session of either shape is accepted.
 */
// source: protocol README §4, §7
import * as t from 'io-ts';
import { clientEvent, Int, nullable } from './codec';
import { ConversationItem, GaSession, ResponseCreateParams, Session } from './resources';

export const SessionUpdate = clientEvent('session.update', { session: Session });
export interface SessionUpdate extends t.TypeOf<typeof SessionUpdate> {}
/** GA `session.update`: `session.type` is required. Used when the dialect is `'ga'`. */
// source: protocol README §4
export const GaSessionUpdate = clientEvent('session.update', {
  session: t.intersection([GaSession, t.type({ type: t.string })], 'GaSessionWithType'),
});
export interface GaSessionUpdate extends t.TypeOf<typeof GaSessionUpdate> {}
export const TranscriptionSessionUpdate = clientEvent('transcription_session.update', { session: Session });
export interface TranscriptionSessionUpdate extends t.TypeOf<typeof TranscriptionSessionUpdate> {}
export const InputAudioBufferAppend = clientEvent('input_audio_buffer.append', { audio: t.string });
export interface InputAudioBufferAppend extends t.TypeOf<typeof InputAudioBufferAppend> {}
export const InputAudioBufferCommit = clientEvent('input_audio_buffer.commit', {});
export interface InputAudioBufferCommit extends t.TypeOf<typeof InputAudioBufferCommit> {}
export const InputAudioBufferClear = clientEvent('input_audio_buffer.clear', {});
export interface InputAudioBufferClear extends t.TypeOf<typeof InputAudioBufferClear> {}
/** WebRTC/SIP only; accepted so that a client can send it. */
// source: protocol README §5
export const OutputAudioBufferClear = clientEvent('output_audio_buffer.clear', {});
export interface OutputAudioBufferClear extends t.TypeOf<typeof OutputAudioBufferClear> {}
export const ConversationItemCreate = clientEvent(
  'conversation.item.create',
  { item: ConversationItem },
  { previous_item_id: nullable(t.string) },
);
export interface ConversationItemCreate extends t.TypeOf<typeof ConversationItemCreate> {}
export const ConversationItemRetrieve = clientEvent('conversation.item.retrieve', { item_id: t.string });
export interface ConversationItemRetrieve extends t.TypeOf<typeof ConversationItemRetrieve> {}
export const ConversationItemTruncate = clientEvent('conversation.item.truncate', {
  item_id: t.string,
  content_index: Int,
  audio_end_ms: Int,
});
export interface ConversationItemTruncate extends t.TypeOf<typeof ConversationItemTruncate> {}
export const ConversationItemDelete = clientEvent('conversation.item.delete', { item_id: t.string });
export interface ConversationItemDelete extends t.TypeOf<typeof ConversationItemDelete> {}
export const ResponseCreate = clientEvent('response.create', {}, { response: ResponseCreateParams });
export interface ResponseCreate extends t.TypeOf<typeof ResponseCreate> {}
export const ResponseCancel = clientEvent('response.cancel', {}, { response_id: t.string });
export interface ResponseCancel extends t.TypeOf<typeof ResponseCancel> {}

const shared = [
  TranscriptionSessionUpdate,
  InputAudioBufferAppend,
  InputAudioBufferCommit,
  InputAudioBufferClear,
  OutputAudioBufferClear,
  ConversationItemCreate,
  ConversationItemRetrieve,
  ConversationItemTruncate,
  ConversationItemDelete,
  ResponseCreate,
  ResponseCancel,
] as const;

/** Every client event codec of the preview (beta) dialect, in the order the service lists them. */
export const previewClientCodecs = [SessionUpdate, ...shared] as const;
/** Every client event codec of the GA dialect. */
export const gaClientCodecs = [GaSessionUpdate, ...shared] as const;

/** Every client event of either dialect (a narrowable union on `type`). */
export type ClientEvent = t.TypeOf<(typeof previewClientCodecs)[number]>;
/** The wire names of every client event. */
export type ClientEventType = ClientEvent['type'];

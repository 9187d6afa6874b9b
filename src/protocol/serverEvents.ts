/**
 * io-ts codecs of every server event of both dialects, the single source of truth for their types.
 *
 * Required fields follow the published event tables, with these decisions:
 * `previous_item_id` is `string | null` and optional, GA transcription `usage` is optional, `event_id` is optional.
 * Events whose name and shape are shared by both dialects have one codec; the few that differ (GA's
 * `response.function_call_arguments.done` requires `name`) have one per dialect.
 */
// source: protocol README §7, §9
import * as t from 'io-ts';
import { AnyObject, Int, nullable, serverEvent } from './codec';
import { ConversationItem, ContentPart, ErrorDetails, RateLimit, Response, Session } from './resources';

const previous = { previous_item_id: nullable(t.string) };
const partRef = { response_id: t.string, item_id: t.string, output_index: Int, content_index: Int };
const itemRef = { response_id: t.string, output_index: Int, item: ConversationItem };

// -------------------------------------------------------------------------------------
// shared by both dialects (§5 "Unchanged in both protocols")
// -------------------------------------------------------------------------------------

export const ErrorEvent = serverEvent('error', { error: ErrorDetails });
export interface ErrorEvent extends t.TypeOf<typeof ErrorEvent> {}
export const SessionCreated = serverEvent('session.created', { session: Session });
export interface SessionCreated extends t.TypeOf<typeof SessionCreated> {}
export const SessionUpdated = serverEvent('session.updated', { session: Session });
export interface SessionUpdated extends t.TypeOf<typeof SessionUpdated> {}
export const TranscriptionSessionCreated = serverEvent('transcription_session.created', { session: Session });
export interface TranscriptionSessionCreated extends t.TypeOf<typeof TranscriptionSessionCreated> {}
export const TranscriptionSessionUpdated = serverEvent('transcription_session.updated', { session: Session });
export interface TranscriptionSessionUpdated extends t.TypeOf<typeof TranscriptionSessionUpdated> {}
export const ConversationCreated = serverEvent('conversation.created', { conversation: AnyObject });
export interface ConversationCreated extends t.TypeOf<typeof ConversationCreated> {}
export const ConversationItemCreated = serverEvent(
  'conversation.item.created',
  { item: ConversationItem },
  previous,
);
export interface ConversationItemCreated extends t.TypeOf<typeof ConversationItemCreated> {}
export const ConversationItemRetrieved = serverEvent('conversation.item.retrieved', {
  item: ConversationItem,
});
export interface ConversationItemRetrieved extends t.TypeOf<typeof ConversationItemRetrieved> {}
export const ConversationItemTruncated = serverEvent('conversation.item.truncated', {
  item_id: t.string,
  content_index: Int,
  audio_end_ms: Int,
});
export interface ConversationItemTruncated extends t.TypeOf<typeof ConversationItemTruncated> {}
export const ConversationItemDeleted = serverEvent('conversation.item.deleted', { item_id: t.string });
export interface ConversationItemDeleted extends t.TypeOf<typeof ConversationItemDeleted> {}
export const ConversationItemInputAudioTranscriptionCompleted = serverEvent(
  'conversation.item.input_audio_transcription.completed',
  { item_id: t.string, content_index: Int, transcript: t.string },
  { usage: AnyObject, logprobs: nullable(t.array(AnyObject)), languages: t.array(t.unknown) },
);
export interface ConversationItemInputAudioTranscriptionCompleted extends t.TypeOf<
  typeof ConversationItemInputAudioTranscriptionCompleted
> {}
export const ConversationItemInputAudioTranscriptionDelta = serverEvent(
  'conversation.item.input_audio_transcription.delta',
  { item_id: t.string },
  { content_index: Int, delta: t.string, logprobs: nullable(t.array(AnyObject)) },
);
export interface ConversationItemInputAudioTranscriptionDelta extends t.TypeOf<
  typeof ConversationItemInputAudioTranscriptionDelta
> {}
export const ConversationItemInputAudioTranscriptionFailed = serverEvent(
  'conversation.item.input_audio_transcription.failed',
  { item_id: t.string, content_index: Int, error: ErrorDetails },
);
export interface ConversationItemInputAudioTranscriptionFailed extends t.TypeOf<
  typeof ConversationItemInputAudioTranscriptionFailed
> {}
export const InputAudioBufferCommitted = serverEvent(
  'input_audio_buffer.committed',
  { item_id: t.string },
  previous,
);
export interface InputAudioBufferCommitted extends t.TypeOf<typeof InputAudioBufferCommitted> {}
export const InputAudioBufferCleared = serverEvent('input_audio_buffer.cleared', {});
export interface InputAudioBufferCleared extends t.TypeOf<typeof InputAudioBufferCleared> {}
export const InputAudioBufferSpeechStarted = serverEvent('input_audio_buffer.speech_started', {
  audio_start_ms: Int,
  item_id: t.string,
});
export interface InputAudioBufferSpeechStarted extends t.TypeOf<typeof InputAudioBufferSpeechStarted> {}
export const InputAudioBufferSpeechStopped = serverEvent('input_audio_buffer.speech_stopped', {
  audio_end_ms: Int,
  item_id: t.string,
});
export interface InputAudioBufferSpeechStopped extends t.TypeOf<typeof InputAudioBufferSpeechStopped> {}
export const OutputAudioBufferStarted = serverEvent('output_audio_buffer.started', { response_id: t.string });
export interface OutputAudioBufferStarted extends t.TypeOf<typeof OutputAudioBufferStarted> {}
export const OutputAudioBufferStopped = serverEvent('output_audio_buffer.stopped', { response_id: t.string });
export interface OutputAudioBufferStopped extends t.TypeOf<typeof OutputAudioBufferStopped> {}
export const OutputAudioBufferCleared = serverEvent('output_audio_buffer.cleared', { response_id: t.string });
export interface OutputAudioBufferCleared extends t.TypeOf<typeof OutputAudioBufferCleared> {}
export const RateLimitsUpdated = serverEvent('rate_limits.updated', { rate_limits: t.array(RateLimit) });
export interface RateLimitsUpdated extends t.TypeOf<typeof RateLimitsUpdated> {}
export const ResponseCreated = serverEvent('response.created', { response: Response });
export interface ResponseCreated extends t.TypeOf<typeof ResponseCreated> {}
export const ResponseDone = serverEvent('response.done', { response: Response });
export interface ResponseDone extends t.TypeOf<typeof ResponseDone> {}
export const ResponseOutputItemAdded = serverEvent('response.output_item.added', itemRef);
export interface ResponseOutputItemAdded extends t.TypeOf<typeof ResponseOutputItemAdded> {}
export const ResponseOutputItemDone = serverEvent('response.output_item.done', itemRef);
export interface ResponseOutputItemDone extends t.TypeOf<typeof ResponseOutputItemDone> {}
export const ResponseContentPartAdded = serverEvent('response.content_part.added', {
  ...partRef,
  part: ContentPart,
});
export interface ResponseContentPartAdded extends t.TypeOf<typeof ResponseContentPartAdded> {}
export const ResponseContentPartDone = serverEvent('response.content_part.done', {
  ...partRef,
  part: ContentPart,
});
export interface ResponseContentPartDone extends t.TypeOf<typeof ResponseContentPartDone> {}
export const ResponseFunctionCallArgumentsDelta = serverEvent('response.function_call_arguments.delta', {
  response_id: t.string,
  item_id: t.string,
  output_index: Int,
  call_id: t.string,
  delta: t.string,
});
export interface ResponseFunctionCallArgumentsDelta extends t.TypeOf<
  typeof ResponseFunctionCallArgumentsDelta
> {}
/** Beta shape: `name` optional. Without a dialect this one decodes (it accepts the GA shape too). */
export const ResponseFunctionCallArgumentsDone = serverEvent(
  'response.function_call_arguments.done',
  { response_id: t.string, item_id: t.string, output_index: Int, call_id: t.string, arguments: t.string },
  { name: t.string },
);
export interface ResponseFunctionCallArgumentsDone extends t.TypeOf<
  typeof ResponseFunctionCallArgumentsDone
> {}
/** GA shape: the same plus required `name`. Used when the dialect is `'ga'`. */
// source: protocol README §5
export const GaResponseFunctionCallArgumentsDone = serverEvent('response.function_call_arguments.done', {
  response_id: t.string,
  item_id: t.string,
  output_index: Int,
  call_id: t.string,
  arguments: t.string,
  name: t.string,
});
export interface GaResponseFunctionCallArgumentsDone extends t.TypeOf<
  typeof GaResponseFunctionCallArgumentsDone
> {}

// -------------------------------------------------------------------------------------
// preview (beta) names
// -------------------------------------------------------------------------------------

export const ResponseTextDelta = serverEvent('response.text.delta', { ...partRef, delta: t.string });
export interface ResponseTextDelta extends t.TypeOf<typeof ResponseTextDelta> {}
export const ResponseTextDone = serverEvent('response.text.done', { ...partRef, text: t.string });
export interface ResponseTextDone extends t.TypeOf<typeof ResponseTextDone> {}
export const ResponseAudioDelta = serverEvent('response.audio.delta', { ...partRef, delta: t.string });
export interface ResponseAudioDelta extends t.TypeOf<typeof ResponseAudioDelta> {}
export const ResponseAudioDone = serverEvent('response.audio.done', partRef);
export interface ResponseAudioDone extends t.TypeOf<typeof ResponseAudioDone> {}
export const ResponseAudioTranscriptDelta = serverEvent('response.audio_transcript.delta', {
  ...partRef,
  delta: t.string,
});
export interface ResponseAudioTranscriptDelta extends t.TypeOf<typeof ResponseAudioTranscriptDelta> {}
export const ResponseAudioTranscriptDone = serverEvent('response.audio_transcript.done', {
  ...partRef,
  transcript: t.string,
});
export interface ResponseAudioTranscriptDone extends t.TypeOf<typeof ResponseAudioTranscriptDone> {}

// -------------------------------------------------------------------------------------
// GA names
// -------------------------------------------------------------------------------------

export const ResponseOutputTextDelta = serverEvent('response.output_text.delta', {
  ...partRef,
  delta: t.string,
});
export interface ResponseOutputTextDelta extends t.TypeOf<typeof ResponseOutputTextDelta> {}
export const ResponseOutputTextDone = serverEvent('response.output_text.done', {
  ...partRef,
  text: t.string,
});
export interface ResponseOutputTextDone extends t.TypeOf<typeof ResponseOutputTextDone> {}
export const ResponseOutputAudioDelta = serverEvent('response.output_audio.delta', {
  ...partRef,
  delta: t.string,
});
export interface ResponseOutputAudioDelta extends t.TypeOf<typeof ResponseOutputAudioDelta> {}
export const ResponseOutputAudioDone = serverEvent('response.output_audio.done', partRef);
export interface ResponseOutputAudioDone extends t.TypeOf<typeof ResponseOutputAudioDone> {}
/** Real GA deltas add `obfuscation: string`; open codecs keep it. */
// source: protocol README §5
export const ResponseOutputAudioTranscriptDelta = serverEvent('response.output_audio_transcript.delta', {
  ...partRef,
  delta: t.string,
});
export interface ResponseOutputAudioTranscriptDelta extends t.TypeOf<
  typeof ResponseOutputAudioTranscriptDelta
> {}
export const ResponseOutputAudioTranscriptDone = serverEvent('response.output_audio_transcript.done', {
  ...partRef,
  transcript: t.string,
});
export interface ResponseOutputAudioTranscriptDone extends t.TypeOf<
  typeof ResponseOutputAudioTranscriptDone
> {}
export const ConversationItemAdded = serverEvent(
  'conversation.item.added',
  { item: ConversationItem },
  previous,
);
export interface ConversationItemAdded extends t.TypeOf<typeof ConversationItemAdded> {}
export const ConversationItemDone = serverEvent(
  'conversation.item.done',
  { item: ConversationItem },
  previous,
);
export interface ConversationItemDone extends t.TypeOf<typeof ConversationItemDone> {}
export const ConversationItemInputAudioTranscriptionSegment = serverEvent(
  'conversation.item.input_audio_transcription.segment',
  {
    item_id: t.string,
    content_index: Int,
    text: t.string,
    id: t.string,
    speaker: t.string,
    start: t.number,
    end: t.number,
  },
);
export interface ConversationItemInputAudioTranscriptionSegment extends t.TypeOf<
  typeof ConversationItemInputAudioTranscriptionSegment
> {}
/** SIP only; the GA spec gives it no `event_id`. */
// source: protocol README §7
export const InputAudioBufferDtmfEventReceived = serverEvent('input_audio_buffer.dtmf_event_received', {
  event: t.string,
  received_at: Int,
});
export interface InputAudioBufferDtmfEventReceived extends t.TypeOf<
  typeof InputAudioBufferDtmfEventReceived
> {}
export const InputAudioBufferTimeoutTriggered = serverEvent('input_audio_buffer.timeout_triggered', {
  audio_start_ms: Int,
  audio_end_ms: Int,
  item_id: t.string,
});
export interface InputAudioBufferTimeoutTriggered extends t.TypeOf<typeof InputAudioBufferTimeoutTriggered> {}
export const McpListToolsInProgress = serverEvent('mcp_list_tools.in_progress', { item_id: t.string });
export interface McpListToolsInProgress extends t.TypeOf<typeof McpListToolsInProgress> {}
export const McpListToolsCompleted = serverEvent('mcp_list_tools.completed', { item_id: t.string });
export interface McpListToolsCompleted extends t.TypeOf<typeof McpListToolsCompleted> {}
export const McpListToolsFailed = serverEvent('mcp_list_tools.failed', { item_id: t.string });
export interface McpListToolsFailed extends t.TypeOf<typeof McpListToolsFailed> {}
export const ResponseMcpCallArgumentsDelta = serverEvent(
  'response.mcp_call_arguments.delta',
  { response_id: t.string, item_id: t.string, output_index: Int, delta: t.string },
  { obfuscation: nullable(t.string) },
);
export interface ResponseMcpCallArgumentsDelta extends t.TypeOf<typeof ResponseMcpCallArgumentsDelta> {}
export const ResponseMcpCallArgumentsDone = serverEvent('response.mcp_call_arguments.done', {
  response_id: t.string,
  item_id: t.string,
  output_index: Int,
  arguments: t.string,
});
export interface ResponseMcpCallArgumentsDone extends t.TypeOf<typeof ResponseMcpCallArgumentsDone> {}
export const ResponseMcpCallInProgress = serverEvent('response.mcp_call.in_progress', {
  output_index: Int,
  item_id: t.string,
});
export interface ResponseMcpCallInProgress extends t.TypeOf<typeof ResponseMcpCallInProgress> {}
export const ResponseMcpCallCompleted = serverEvent('response.mcp_call.completed', {
  output_index: Int,
  item_id: t.string,
});
export interface ResponseMcpCallCompleted extends t.TypeOf<typeof ResponseMcpCallCompleted> {}
export const ResponseMcpCallFailed = serverEvent('response.mcp_call.failed', {
  output_index: Int,
  item_id: t.string,
});
export interface ResponseMcpCallFailed extends t.TypeOf<typeof ResponseMcpCallFailed> {}

// -------------------------------------------------------------------------------------
// registries: wire name → codec, one per dialect (§7 tables)
// -------------------------------------------------------------------------------------

const shared = [
  ErrorEvent,
  SessionCreated,
  SessionUpdated,
  TranscriptionSessionUpdated,
  ConversationCreated,
  ConversationItemCreated,
  ConversationItemRetrieved,
  ConversationItemTruncated,
  ConversationItemDeleted,
  ConversationItemInputAudioTranscriptionCompleted,
  ConversationItemInputAudioTranscriptionDelta,
  ConversationItemInputAudioTranscriptionFailed,
  InputAudioBufferCommitted,
  InputAudioBufferCleared,
  InputAudioBufferSpeechStarted,
  InputAudioBufferSpeechStopped,
  OutputAudioBufferStarted,
  OutputAudioBufferStopped,
  OutputAudioBufferCleared,
  RateLimitsUpdated,
  ResponseCreated,
  ResponseDone,
  ResponseOutputItemAdded,
  ResponseOutputItemDone,
  ResponseContentPartAdded,
  ResponseContentPartDone,
  ResponseFunctionCallArgumentsDelta,
] as const;

/** Every server event codec of the preview (beta) dialect. */
export const previewServerCodecs = [
  ...shared,
  ResponseFunctionCallArgumentsDone,
  TranscriptionSessionCreated,
  ResponseTextDelta,
  ResponseTextDone,
  ResponseAudioDelta,
  ResponseAudioDone,
  ResponseAudioTranscriptDelta,
  ResponseAudioTranscriptDone,
] as const;

/** Every server event codec of the GA dialect. */
export const gaServerCodecs = [
  ...shared,
  GaResponseFunctionCallArgumentsDone,
  ResponseOutputTextDelta,
  ResponseOutputTextDone,
  ResponseOutputAudioDelta,
  ResponseOutputAudioDone,
  ResponseOutputAudioTranscriptDelta,
  ResponseOutputAudioTranscriptDone,
  ConversationItemAdded,
  ConversationItemDone,
  ConversationItemInputAudioTranscriptionSegment,
  InputAudioBufferDtmfEventReceived,
  InputAudioBufferTimeoutTriggered,
  McpListToolsInProgress,
  McpListToolsCompleted,
  McpListToolsFailed,
  ResponseMcpCallArgumentsDelta,
  ResponseMcpCallArgumentsDone,
  ResponseMcpCallInProgress,
  ResponseMcpCallCompleted,
  ResponseMcpCallFailed,
] as const;

/** Every known server event, of either dialect: the narrowable union (`switch (event.type)` works). */
export type KnownServerEvent =
  t.TypeOf<(typeof previewServerCodecs)[number]> | t.TypeOf<(typeof gaServerCodecs)[number]>;

/** The wire names of every known server event. */
export type ServerEventType = KnownServerEvent['type'];

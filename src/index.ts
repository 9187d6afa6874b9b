// rx-realtime: the public names, one per line, by layer. Nothing is re-exported with `export *`.

/**
 * The Azure OpenAI / OpenAI Realtime API as a duplex of RxJS Observables: the protocol codecs, `connect()`, the
 * operators, audio helpers, errors and telemetry.
 *
 * @packageDocumentation
 * @module rx-realtime
 */

// Protocol
export { ServerEvents, ClientEvents, Resources } from './protocol';
export { decodeServerEvent } from './protocol';
export { decodeClientEvent } from './protocol';
export { decodeServerEventObject } from './protocol';
export { decodeServerFrame } from './protocol';
export { frameDecoder } from './protocol';
export { encodeClientEvent } from './protocol';
export { isDecodeFailure } from './protocol';
export { isUnknownEvent } from './protocol';
export { unknownEventType } from './protocol';
export { isEvent } from './protocol';
export { eventMatcher } from './protocol';
export { wireName } from './protocol';
export { neutralNames } from './protocol';
export { isTextContent } from './protocol';
export { isAudioContent } from './protocol';
export { EVENT_NAMES } from './protocol';
export { CONTENT_TYPES } from './protocol';
export type { Dialect } from './protocol';
export type { ServerEvent } from './protocol';
export type { ServerMessage } from './protocol';
export type { KnownServerEvent } from './protocol';
export type { ServerEventType } from './protocol';
export type { ClientEvent } from './protocol';
export type { ClientEventType } from './protocol';
export type { DecodeFailure } from './protocol';
export type { FrameDecoder } from './protocol';
export type { DecodeIssue } from './protocol';
export type { UnknownEvent } from './protocol';
export type { UnknownEventType } from './protocol';
export type { NeutralEvents } from './protocol';
export type { NeutralEventName } from './protocol';
export type { OpenEnum } from './protocol';
export type { ConversationItem } from './protocol';
export type { ContentPart } from './protocol';
export type { Response } from './protocol';
export type { Usage } from './protocol';
export type { StatusDetails } from './protocol';
export type { Session } from './protocol';
export type { BetaSession } from './protocol';
export type { GaSession } from './protocol';
export type { TurnDetection } from './protocol';
export type { Tool } from './protocol';
export type { RateLimit } from './protocol';
export type { ErrorDetails } from './protocol';
export type { ResponseCreateParams } from './protocol';
export { sessionUpdate } from './protocol';
export { userMessage } from './protocol';
export type { SessionConfig } from './protocol';
export type { NotInDialect } from './protocol';
export type { PreviewVoiceName } from './protocol';
export type { GaVoiceName } from './protocol';
export type { VoiceConfig } from './protocol';
export type { AudioFormatName } from './protocol';
export type { OutputModality } from './protocol';
export type { ServerVadConfig } from './protocol';
export type { SemanticVadConfig } from './protocol';
export type { TurnDetectionConfig } from './protocol';
export type { InputTranscriptionConfig } from './protocol';
export type { FunctionToolConfig } from './protocol';
export type { ToolChoiceConfig } from './protocol';
export type { TracingConfig } from './protocol';
export type { TruncationConfig } from './protocol';
export type { PromptConfig } from './protocol';
export type { UserMessageOptions } from './protocol';

// Client
export { connect } from './client';
export { connectWithState } from './client';
export { isConnectionState } from './client';
export { realtimeUrl } from './client';
export { redactUrl } from './client';
export { DEFAULT_API_VERSION } from './client';
export { createClientSecret } from './client';
export type { ConnectOptions } from './client';
export type { ConnectionState } from './client';
export type { TokenCredential } from './client';
export type { WebSocketConstructor } from './client';
export { whatwgTransport } from './client';
export type { Transport } from './client';
export type { TransportRequest } from './client';
export type { TransportEvents } from './client';
export type { TransportSocket } from './client';
export type { HandshakeFailure } from './client';
export type { Target } from './client';
export type { ClientSecret } from './client';
export type { ClientSecretOptions } from './client';
export type { FetchLike } from './client';

// Operators
export { ofType } from './operators';
export { splitResponses } from './operators';
export { splitItems } from './operators';
export { splitContentParts } from './operators';
export { textDeltas } from './operators';
export { transcriptDeltas } from './operators';
export { audioDeltas } from './operators';
export { collectText } from './operators';
export { collectAudio } from './operators';
export { userSpeaking } from './operators';
export { userSpeech } from './operators';
export { assistantSpeaking } from './operators';
export { functionCalls } from './operators';
export { functionCallOutput } from './operators';
export { interruptOnSpeech } from './operators';
export { holdResponseCreates } from './operators';
export { conversation } from './operators';
export { audioAppends } from './operators';
export { writeAudio } from './operators';
export { runTools } from './operators';
export type { ResponseStream } from './operators';
export type { ItemStream } from './operators';
export type { ContentPartStream } from './operators';
export type { CollectedText } from './operators';
export type { CollectedAudio } from './operators';
export type { UserSpeech } from './operators';
export type { FunctionCall } from './operators';
export type { InvalidFunctionCall } from './operators';
export type { InterruptOptions } from './operators';
export type { ConversationItemState } from './operators';
export type { ConversationState } from './operators';
export type { ConversationOptions } from './operators';
export type { AudioAppendsOptions } from './operators';
export type { AudioSink } from './operators';
export type { WriteAudioOptions } from './operators';
export type { ToolHandler } from './operators';
export type { Tools } from './operators';
export type { RunToolsOptions } from './operators';

export { isAudioDecodeFailure } from './operators';
export { audioDecodeFailure } from './operators';
export type { AudioDecodeFailure } from './operators';
export type { CollectedAudioStatus } from './operators';
export { inputTranscripts } from './operators';
export type { InputTranscript } from './operators';
export { functionCallArguments } from './operators';
export type { FunctionCallArgumentsDelta } from './operators';
export { turnMetrics } from './operators';
export type { TurnMetrics } from './operators';
export type { TurnMetricsOptions } from './operators';

// Session
export { session } from './session';
export { isRetryable } from './session';
export { isSessionState } from './operators';
export type { SessionState } from './operators';
export type { SessionInput } from './session';
export type { SessionOptions } from './session';
export type { ReconnectOptions } from './session';
export type { RolloverOptions } from './session';
export type { ReplayOptions } from './session';

// Audio
export { readWav } from './audio';
export { writeWav } from './audio';
export { wavHeader } from './audio';
export { toPcm16Mono24k } from './audio';
export { pcm16ToFloat32 } from './audio';
export { float32ToPcm16 } from './audio';
export { pcm16ToInt16 } from './audio';
export { int16ToPcm16 } from './audio';
export { pcm16DurationMs } from './audio';
export { pcm16BytesForMs } from './audio';
export { resample } from './audio';
export { createResampler } from './audio';
export { encodeMuLaw } from './audio';
export { decodeMuLaw } from './audio';
export { encodeALaw } from './audio';
export { decodeALaw } from './audio';
export { bytesToBase64 } from './audio';
export { base64ToBytes } from './audio';
export type { WavAudio } from './audio';
export type { WriteWavOptions } from './audio';
export type { Resampler } from './audio';

// Errors
export { RealtimeConnectionError } from './client';
export { ConfigurationError } from './client';
export { HandshakeError } from './client';
export { ConnectionClosedError } from './client';
export { CredentialError } from './client';
export { SessionTimeoutError } from './client';
export { BackpressureError } from './client';
export { DialectMismatchError } from './client';
export { ClientSecretError } from './client';
export { IncompleteStreamError } from './operators';
export { WavError } from './audio';
export { SessionConfigError } from './protocol';

// Telemetry (OpenTelemetry, from the tracer and meter you pass; @opentelemetry/api is never imported)
export { instrument } from './telemetry';
export type { TelemetryOptions } from './telemetry';
export type { TracerLike } from './telemetry';
export type { MeterLike } from './telemetry';
export type { SpanLike } from './telemetry';
export type { ContextLike } from './telemetry';
export type { HistogramLike } from './telemetry';
export type { CounterLike } from './telemetry';
export type { Attributes } from './telemetry';
export type { AttributeValue } from './telemetry';

// The protocol layer: io-ts codecs, decode/encode, dialect names. No rxjs, no sockets.
import * as ServerEvents from './serverEvents';
import * as ClientEvents from './clientEvents';
import * as Resources from './resources';

/** The io-ts codecs (values) and their derived types, by wire name in PascalCase. */
export { ServerEvents, ClientEvents, Resources };

export { decodeServerEvent, decodeClientEvent, decodeServerEventObject } from './decode';
export { decodeServerFrame, frameDecoder, decodedAudio, takeDecodedAudio } from './frame';
export type { FrameDecoder } from './frame';
export type { ServerEvent, ServerMessage } from './decode';
export { encodeClientEvent } from './encode';
export { isDecodeFailure, decodeFailure } from './decodeFailure';
export type { DecodeFailure, DecodeIssue } from './decodeFailure';
export { isUnknownEvent, unknownEventType, markUnknownEvent } from './unknownEvent';
export type { UnknownEvent, UnknownEventType } from './unknownEvent';
export {
  EVENT_NAMES,
  CONTENT_TYPES,
  isEvent,
  eventMatcher,
  wireName,
  neutralNames,
  isTextContent,
  isAudioContent,
} from './dialect';
export type { Dialect, NeutralEvents, NeutralEventName } from './dialect';
export type { KnownServerEvent, ServerEventType } from './serverEvents';
export type { ClientEvent, ClientEventType } from './clientEvents';
export type {
  ConversationItem,
  ContentPart,
  Response,
  Usage,
  StatusDetails,
  Session,
  BetaSession,
  GaSession,
  TurnDetection,
  Tool,
  RateLimit,
  ErrorDetails,
  ResponseCreateParams,
} from './resources';
export type { OpenEnum } from './codec';
export { sessionUpdate, SessionConfigError } from './sessionConfig';
export type {
  SessionConfig,
  NotInDialect,
  PreviewVoiceName,
  GaVoiceName,
  VoiceConfig,
  AudioFormatName,
  OutputModality,
  ServerVadConfig,
  SemanticVadConfig,
  TurnDetectionConfig,
  InputTranscriptionConfig,
  FunctionToolConfig,
  ToolChoiceConfig,
  TracingConfig,
  TruncationConfig,
  PromptConfig,
} from './sessionConfig';
export { userMessage } from './userMessage';
export type { UserMessageOptions } from './userMessage';

// rx-realtime: the public names, one per line, by layer. Nothing is re-exported with `export *`.

// Protocol
export { ServerEvents, ClientEvents, Resources } from './protocol';
export { decodeServerEvent } from './protocol';
export { decodeClientEvent } from './protocol';
export { decodeServerEventObject } from './protocol';
export { encodeClientEvent } from './protocol';
export { isDecodeFailure } from './protocol';
export { isUnknownEvent } from './protocol';
export { unknownEventType } from './protocol';
export { isEvent } from './protocol';
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

// Client

// Operators

// Audio

// Errors

/**
 * What the emulator sends, typed by the library's own server-event codecs (`src/protocol/serverEvents.ts`): an
 * event name that no codec knows, or fields of the wrong shape for it, is a compile error, not a frame the client
 * decodes as a failure. And the one builder of the service's `error` events.
 */
import {
  wireName,
  type Dialect,
  type KnownServerEvent,
  type NeutralEventName,
  type NeutralEvents,
  type ServerEventType,
} from '../protocol';

/** The fields of the server event `T` besides `type` and `event_id` (which `emit` adds). Distributes over unions. */
export type FieldsOf<T extends ServerEventType> = T extends ServerEventType
  ? Omit<Extract<KnownServerEvent, { type: T }>, 'type' | 'event_id'>
  : never;

/** Sends one server event of a known type with its fields. */
export type EmitServerEvent = <T extends ServerEventType>(type: T, fields: FieldsOf<T>) => void;

/** {@link wireName}, typed: the wire names of the neutral event `K` (both dialects'). */
export const wireType = <K extends NeutralEventName>(name: K, dialect: Dialect): NeutralEvents[K]['type'] =>
  wireName(name, dialect) as NeutralEvents[K]['type'];

/** A refusal as the service words it: `code`, `message`, and the offending `param` or null. */
// source: protocol README §3 `error`
export interface Problem {
  readonly code: string | null;
  readonly message: string;
  readonly param?: string | null | undefined;
}

/**
 * The fields of an `error` event: `type` (default `invalid_request_error`), `code`, `message`, `param` and the
 * offending client event's `event_id` (null when no client event caused it).
 */
// source: protocol README §3
export function errorFields(
  problem: Problem,
  eventId: string | null,
  type = 'invalid_request_error',
): FieldsOf<'error'> {
  return {
    error: {
      type,
      code: problem.code,
      message: problem.message,
      param: problem.param ?? null,
      event_id: eventId,
    },
  };
}

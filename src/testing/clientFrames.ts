/**
 * The first check of every client frame, before the session acts on it: the library's own codecs decide whether
 * it is a known, well-formed client event of the session's dialect. What they refuse becomes the service's
 * `invalid_request_error`, in its wording where the wording is known: "The 'type' field is missing." (the spec's
 * example, in the corpus), "Missing required parameter: 'session.type'." (GA), "Invalid value: 'x'. Supported values
 * are: …" (an unknown type).
 */
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { gaClientCodecs, previewClientCodecs } from '../protocol/clientEvents';
import { wireType } from '../protocol/decode';
import {
  decodeClientEvent,
  isUnknownEvent,
  unknownEventType,
  type ClientEvent,
  type Dialect,
} from '../protocol';

/** A refused frame: what the `error` event says, and the offending `event_id` when the frame had one. */
export type FrameCheck =
  | { readonly event: ClientEvent; readonly eventId: string | null }
  | {
      readonly error: { readonly code: string; readonly message: string; readonly param: string | null };
      readonly eventId: string | null;
    };

/** Client event types each dialect serves, for the "Supported values" of an unknown type: the codecs' own. */
const typesOf = (codecs: readonly t.Mixed[]) => [...new Set(codecs.map(wireType))];
// GA has the same events but for transcription_session.update (session.update with type "transcription", §5)
const CLIENT_TYPES: Record<Dialect, readonly string[]> = {
  preview: typesOf(previewClientCodecs),
  ga: typesOf(gaClientCodecs).filter((type) => type !== 'transcription_session.update'),
};

/** Decodes a client frame for a session of `dialect`, or says why the service would refuse it. */
export function checkClientFrame(frame: string, dialect: Dialect): FrameCheck {
  const parsed = parseObject(frame);
  const eventId = typeof parsed?.['event_id'] === 'string' ? parsed['event_id'] : null;
  if (parsed && parsed['type'] === undefined)
    return {
      error: { code: 'invalid_event', message: "The 'type' field is missing.", param: null },
      eventId,
    };
  if (
    dialect === 'ga' &&
    parsed?.['type'] === 'session.update' &&
    isObject(parsed['session']) &&
    parsed['session']['type'] === undefined
  ) {
    return {
      error: {
        code: 'missing_required_parameter',
        message: "Missing required parameter: 'session.type'.",
        param: 'session.type',
      },
      eventId,
    };
  }
  const decoded = decodeClientEvent(frame, dialect);
  if (E.isLeft(decoded)) {
    return {
      error: { code: 'invalid_event', message: `Invalid client event: ${decoded.left.message}`, param: null },
      eventId,
    };
  }
  const event = decoded.right;
  if (isUnknownEvent(event)) {
    const types = CLIENT_TYPES[dialect];
    const list = `${types
      .slice(0, -1)
      .map((t) => `'${t}'`)
      .join(', ')}, and '${types.at(-1)}'`;
    return {
      error: {
        code: 'invalid_value',
        message: `Invalid value: '${unknownEventType(event)}'. Supported values are: ${list}.`,
        param: 'type',
      },
      eventId,
    };
  }
  return { event, eventId };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function parseObject(frame: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(frame);
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

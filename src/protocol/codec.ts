/**
 * Small io-ts building blocks shared by every codec of the protocol layer.
 *
 * Sections, in the io-ts order: model (the open-enum and nullable helpers), constructors (`serverEvent`,
 * `clientEvent`), utils.
 */
import * as t from 'io-ts';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A string field whose documented values are `K`, but which accepts any string at run time.
 *
 * Why: the services add enum values before the specs do (`in_progress` on beta responses, `audio` content on beta
 * items, voices `marin`/`cedar`). The type keeps autocompletion for the
 * known values and `(string & {})` keeps the rest legal.
 */
// source: protocol README see  §9.4.
export type OpenEnum<K extends string> = K | (string & {});

/** The codec of an {@link OpenEnum}: validates "is a string", types as the known values or any string. */
export const openEnum = <K extends string>(name: string): t.Type<OpenEnum<K>, string, unknown> =>
  new t.Type<OpenEnum<K>, string, unknown>(
    name,
    (u): u is OpenEnum<K> => typeof u === 'string',
    (u, c) => (typeof u === 'string' ? t.success(u) : t.failure(u, c)),
    (a) => a,
  );

/** `T | null`: real servers send `null` where the specs say string or object. */
// source: protocol README §9.2
export const nullable = <C extends t.Mixed>(codec: C) => t.union([codec, t.null]);

/**
 * A JSON object with any fields (an open object, for shapes nobody routes by). It is io-ts's
 * `UnknownRecord` under the name `object`, so that a failure reads "expected object at conversation".
 */
// source: protocol README §9.3
export const AnyObject = new t.Type<{ [key: string]: unknown }, { [key: string]: unknown }, unknown>(
  'object',
  t.UnknownRecord.is,
  (u, c) => (t.UnknownRecord.is(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
);

/** An integer (JSON number without fraction). Kept as `number` in the type. */
export const Int = new t.Type<number, number, unknown>(
  'integer',
  (u): u is number => typeof u === 'number' && Number.isInteger(u),
  (u, c) => (typeof u === 'number' && Number.isInteger(u) ? t.success(u) : t.failure(u, c)),
  (a) => a,
);

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A server event codec: `type` literal + required props, with `event_id` optional at the codec level.
 *
 * Why optional: the top-level `event_id` is expected but not required (the GA DTMF event has
 * none). Codecs are open: `t.type`/`t.partial` keep unknown fields on the decoded object.
 */
// source: protocol README §9, §9.1
export const serverEvent = <T extends string, R extends t.Props, O extends t.Props = {}>(
  type: T,
  required: R,
  optional?: O,
) =>
  t.intersection(
    [
      t.type({ type: t.literal(type), ...required }),
      t.partial({ event_id: nullable(t.string), ...((optional ?? {}) as O) }),
    ],
    pascal(type),
  );

/** A client event codec: `type` literal + required props; `event_id` is optional and client-chosen. */
// source: protocol README §2
export const clientEvent = serverEvent;

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/** `response.content_part.done` → `ResponseContentPartDone` (STYLE.md habit 2: codec names are the wire name). */
export const pascal = (wire: string): string =>
  wire
    .split(/[._]/)
    .filter((s) => s.length > 0)
    .map((s) => s[0]!.toUpperCase() + s.slice(1))
    .join('');

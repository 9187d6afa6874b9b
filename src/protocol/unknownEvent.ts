/**
 * A well-formed server event of a `type` the codecs do not know: the object with all its fields as received.
 *
 * The GA spec grew about 15 event types after launch; a client must let
 * such events through rather than fail. Near misses (a `type` with a leading space) land here too.
 */
// source: protocol README §9.1, §9.7

const BRAND: unique symbol = Symbol.for('rx-realtime.UnknownEvent') as never;
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- a type-only brand, never a value
declare const unknownTypeBrand: unique symbol;

/**
 * The static type of an unknown event's `type`. At run time it is the string the server sent; the type system
 * sees an opaque value so that `switch (event.type)` keeps narrowing the known events (a plain `string` member
 * would stop TypeScript from narrowing the union). Read it with {@link unknownEventType}.
 */
export type UnknownEventType = typeof unknownTypeBrand;

/** An event of a type the codecs do not know; every field is kept. */
export interface UnknownEvent {
  readonly type: UnknownEventType;
  readonly event_id?: unknown;
  readonly [field: string]: unknown;
}

/**
 * Marks a parsed object as an unknown event, without adding an enumerable field (JSON stays as received).
 * A frozen or sealed object (only possible through `decodeServerEventObject`) cannot take the brand, so a
 * shallow copy with the same fields is marked instead.
 */
export const markUnknownEvent = (object: Record<string, unknown>): UnknownEvent => {
  const target = Object.isExtensible(object) ? object : { ...object };
  Object.defineProperty(target, BRAND, { value: true, enumerable: false });
  return target as unknown as UnknownEvent;
};

/** True for an event whose `type` the codecs do not know. */
export const isUnknownEvent = (value: unknown): value is UnknownEvent =>
  typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;

/** The wire `type` string of an unknown event. */
export const unknownEventType = (event: UnknownEvent): string => event.type as unknown as string;

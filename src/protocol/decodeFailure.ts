/**
 * The value a frame becomes when it does not decode: invalid JSON, a binary frame, a missing or non-string
 * `type`, or a known `type` with a wrong shape. It is a value, never a thrown error.
 */
// source: protocol README CONTRACT.md

/** Brand shared across module copies (ESM and CJS builds loaded together still agree). */
const BRAND: unique symbol = Symbol.for('rx-realtime.DecodeFailure') as never;

/** One reason a frame failed: where, what was expected, what was there. */
export interface DecodeIssue {
  /** Dotted path from the event root, e.g. `response.output.0.status`; `''` for the root. */
  readonly path: string;
  /** The expected type, as the codec names it (`string`, `integer`, `(string | null)`, …). */
  readonly expected: string;
  /** A short rendering of the value found (truncated to 60 characters). */
  readonly actual: string;
}

/**
 * A frame that did not decode. Its `type` is `'rx-realtime.decode_failure'` so that it sits in the event stream
 * beside server events and `switch (event.type)` still narrows; no server sends that name.
 */
export interface DecodeFailure {
  readonly type: 'rx-realtime.decode_failure';
  /** A person-readable reason naming the path and the expected type. */
  readonly message: string;
  /** The event `type` when the frame had one. */
  readonly eventType: string | undefined;
  /** Every issue found (empty for invalid JSON and binary frames). */
  readonly issues: readonly DecodeIssue[];
  /** The frame exactly as received. */
  readonly raw: string | Uint8Array;
  readonly [BRAND]: true;
}

/** Builds a {@link DecodeFailure}. */
export const decodeFailure = (
  message: string,
  raw: string | Uint8Array,
  eventType?: string,
  issues: readonly DecodeIssue[] = [],
): DecodeFailure => ({
  type: 'rx-realtime.decode_failure',
  message,
  eventType,
  issues,
  raw,
  [BRAND]: true,
});

/** True for a {@link DecodeFailure}: how a stream consumer tells a bad frame from a server event. */
export const isDecodeFailure = (value: unknown): value is DecodeFailure =>
  typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;

/**
 * Base64 ⇄ bytes, safe and fast at any size: Node's `Buffer` when present, otherwise a table-driven codec that
 * never spreads a large array into `String.fromCharCode` (which overflows the call stack past ~100k arguments).
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

type BufferLike = {
  from(data: ArrayBufferLike, offset: number, length: number): { toString(enc: 'base64'): string };
  from(data: string, enc: 'base64'): Uint8Array;
};
// Looked up through an object so the tests can exercise the portable path on Node too.
const impl: { buffer: BufferLike | undefined } = { buffer: (globalThis as { Buffer?: BufferLike }).Buffer };

/**
 * Encodes bytes as standard base64 (with padding), as the Realtime protocol carries audio (`audio`, `delta`).
 *
 * @example
 * ```ts
 * import { bytesToBase64 } from 'rx-realtime';
 * bytesToBase64(new Uint8Array([1, 2, 3])); // 'AQID'
 * ```
 */
export function bytesToBase64(bytes: Uint8Array): string {
  const NodeBuffer = impl.buffer;
  if (NodeBuffer) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let out = '';
  const CHUNK = 0x3000; // a multiple of 3, small enough for String.fromCharCode.apply
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const end = Math.min(bytes.length, start + CHUNK);
    const codes: number[] = [];
    let i = start;
    for (; i + 2 < end; i += 3) {
      const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
      codes.push(
        ALPHABET.charCodeAt(n >> 18),
        ALPHABET.charCodeAt((n >> 12) & 63),
        ALPHABET.charCodeAt((n >> 6) & 63),
        ALPHABET.charCodeAt(n & 63),
      );
    }
    const rest = end - i;
    if (rest === 1) {
      const n = bytes[i]! << 16;
      codes.push(ALPHABET.charCodeAt(n >> 18), ALPHABET.charCodeAt((n >> 12) & 63), 61, 61);
    } else if (rest === 2) {
      const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
      codes.push(
        ALPHABET.charCodeAt(n >> 18),
        ALPHABET.charCodeAt((n >> 12) & 63),
        ALPHABET.charCodeAt((n >> 6) & 63),
        61,
      );
    }
    out += String.fromCharCode.apply(null, codes);
  }
  return out;
}

/**
 * Decodes standard base64 (padding optional, no whitespace) into bytes. Invalid input throws a `RangeError`
 * naming the offending position; it never silently drops characters as `Buffer.from(…, 'base64')` does.
 *
 * @example
 * ```ts
 * import { base64ToBytes } from 'rx-realtime';
 * base64ToBytes('AQID'); // Uint8Array [1, 2, 3]
 * ```
 */
export function base64ToBytes(b64: string): Uint8Array {
  let end = b64.length;
  if (end % 4 === 1) throw new RangeError(`invalid base64: length ${b64.length} cannot be base64`);
  if (end > 0 && b64.charCodeAt(end - 1) === 61) end--;
  if (end > 0 && b64.charCodeAt(end - 1) === 61) end--;
  if (b64.length % 4 !== 0 && end !== b64.length) {
    throw new RangeError(`invalid base64: padding at position ${end} in a string of length ${b64.length}`);
  }
  const NodeBuffer = impl.buffer;
  if (NodeBuffer) {
    // Buffer skips characters outside the alphabet (and takes the URL-safe '-' '_'), so a decoded length short of
    // what the string implies, or a '-' / '_', means the string was not standard base64: the scan below then
    // says where. Valid input (every audio delta) never pays for a character-by-character loop in JS.
    const buf = NodeBuffer.from(b64, 'base64');
    if (buf.byteLength === Math.floor((end * 3) / 4) && b64.indexOf('-') === -1 && b64.indexOf('_') === -1) {
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    assertAlphabet(b64, end);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  assertAlphabet(b64, end);
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let o = 0;
  let i = 0;
  for (; i + 3 < end; i += 4) {
    const n =
      (LOOKUP[b64.charCodeAt(i)]! << 18) |
      (LOOKUP[b64.charCodeAt(i + 1)]! << 12) |
      (LOOKUP[b64.charCodeAt(i + 2)]! << 6) |
      LOOKUP[b64.charCodeAt(i + 3)]!;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  const rest = end - i;
  if (rest >= 2) {
    const n =
      (LOOKUP[b64.charCodeAt(i)]! << 18) |
      (LOOKUP[b64.charCodeAt(i + 1)]! << 12) |
      (rest === 3 ? LOOKUP[b64.charCodeAt(i + 2)]! << 6 : 0);
    out[o++] = n >> 16;
    if (rest === 3) out[o++] = (n >> 8) & 255;
  }
  return out;
}

/** Runs `fn` with the portable (no `Buffer`) path: for tests. */
export function _withoutBuffer<T>(fn: () => T): T {
  const saved = impl.buffer;
  impl.buffer = undefined;
  try {
    return fn();
  } finally {
    impl.buffer = saved;
  }
}

/** Throws a RangeError naming the first character before `end` that is not standard base64. */
function assertAlphabet(b64: string, end: number): void {
  for (let i = 0; i < end; i++) {
    const c = b64.charCodeAt(i);
    if (c >= 128 || LOOKUP[c] === -1) {
      throw new RangeError(`invalid base64: unexpected character ${JSON.stringify(b64[i])} at position ${i}`);
    }
  }
}

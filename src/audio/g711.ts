/**
 * G.711 µ-law and A-law (ITU-T G.711), the 8 kHz telephony encodings the Realtime API accepts as
 * `g711_ulaw` / `g711_alaw` (preview) and `audio/pcmu` / `audio/pcma` (GA)
 */
// source: protocol README §1.

const BIAS = 0x84;
const CLIP = 32635;

function ulawByte(sample: number): number {
  let s = sample;
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > CLIP) s = CLIP;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function ulawSample(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

function alawByte(sample: number): number {
  let s = sample;
  let mask = 0xd5; // sign bit set (positive) with the even-bit inversion 0x55
  if (s < 0) {
    mask = 0x55;
    s = -s - 1;
  }
  if (s > 32767) s = 32767;
  let exponent = 7;
  for (let m = 0x4000; (s & m) === 0 && exponent > 0; m >>= 1) exponent--;
  const mantissa = exponent === 0 ? (s >> 4) & 0x0f : (s >> (exponent + 3)) & 0x0f;
  return ((exponent << 4) | mantissa) ^ mask;
}

function alawSample(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  let magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  if ((a & 0x80) === 0) magnitude = -magnitude;
  return magnitude;
}

/** Int16 samples → µ-law bytes (one per sample). */
export function encodeMuLaw(pcm: Int16Array): Uint8Array {
  const out = new Uint8Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = ulawByte(pcm[i]!);
  return out;
}

/** µ-law bytes → Int16 samples. */
export function decodeMuLaw(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = ulawSample(bytes[i]!);
  return out;
}

/** Int16 samples → A-law bytes (one per sample). */
export function encodeALaw(pcm: Int16Array): Uint8Array {
  const out = new Uint8Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = alawByte(pcm[i]!);
  return out;
}

/** A-law bytes → Int16 samples. */
export function decodeALaw(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = alawSample(bytes[i]!);
  return out;
}

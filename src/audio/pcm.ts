/**
 * PCM16 (16-bit signed little-endian, the Realtime protocol's `pcm16` / `audio/pcm`) ⇄ Float32 samples.
 */

/** PCM16 little-endian bytes → samples in [-1, 1). Works on unaligned views (any `byteOffset`). */
export function pcm16ToFloat32(pcm: Uint8Array): Float32Array {
  const count = pcm.byteLength >> 1;
  const out = new Float32Array(count);
  const view = new DataView(pcm.buffer, pcm.byteOffset, count * 2);
  for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, true) / 32768;
  return out;
}

/** Samples → PCM16 little-endian bytes, clamped to [-1, 1] and rounded. */
export function float32ToPcm16(samples: Float32Array): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]!));
    view.setInt16(i * 2, Math.round(s < 0 ? s * 32768 : s * 32767), true);
  }
  return out;
}

/** PCM16 bytes → Int16 samples (a copy, so alignment never matters). */
export function pcm16ToInt16(pcm: Uint8Array): Int16Array {
  const count = pcm.byteLength >> 1;
  const out = new Int16Array(count);
  const view = new DataView(pcm.buffer, pcm.byteOffset, count * 2);
  for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}

/** Int16 samples → PCM16 little-endian bytes. */
export function int16ToPcm16(samples: Int16Array): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) view.setInt16(i * 2, samples[i]!, true);
  return out;
}

/** Milliseconds of mono PCM16 audio in `byteLength` bytes at `sampleRate` (default 24 kHz). */
export function pcm16DurationMs(byteLength: number, sampleRate = 24000): number {
  return ((byteLength >> 1) * 1000) / sampleRate;
}

/** Bytes of mono PCM16 audio for `ms` milliseconds at `sampleRate` (default 24 kHz): always even. */
export function pcm16BytesForMs(ms: number, sampleRate = 24000): number {
  return Math.round((ms * sampleRate) / 1000) * 2;
}

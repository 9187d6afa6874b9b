/**
 * The input audio buffer of one emulated session: counts every millisecond of audio the client wrote (what
 * `audio_start_ms` / `audio_end_ms` count), and keeps only the audio still needed (the current
 * turn, for the transcriber) as 24 kHz PCM16, never more than `maxKeptMs`.
 */
// source: protocol README §1

import { decodeALaw, decodeMuLaw } from '../audio/g711';
import { float32ToPcm16, int16ToPcm16, pcm16ToFloat32 } from '../audio/pcm';
import { createResampler, type Resampler } from '../audio/resample';
import type { AudioFormat } from './config';

const BYTES_PER_MS = 48; // 24 kHz × 2 bytes

interface Chunk {
  /** Session time (ms of audio received) of its first sample. */
  readonly startMs: number;
  readonly ms: number;
  readonly pcm: Uint8Array;
}

export class InputAudioBuffer {
  private chunks: Chunk[] = [];
  private keptMs = 0;
  private receivedMs = 0;
  private bufferStartMs = 0;

  constructor(private readonly maxKeptMs: number) {}

  /** Milliseconds of audio written during the session. */
  get totalMs(): number {
    return this.receivedMs;
  }

  /** Milliseconds in the buffer since the last commit or clear (what a commit needs at least 100 of). */
  get bufferMs(): number {
    return this.receivedMs - this.bufferStartMs;
  }

  /** Adds `ms` of received audio, as 24 kHz PCM16. */
  append(pcm24: Uint8Array, ms: number): void {
    this.chunks.push({ startMs: this.receivedMs, ms, pcm: pcm24 });
    this.receivedMs += ms;
    this.keptMs += ms;
    while (this.keptMs > this.maxKeptMs && this.chunks.length > 1) this.keptMs -= this.chunks.shift()!.ms;
  }

  /** Forgets audio that ends before `ms` (server VAD keeps only the prefix padding before speech). */
  forgetBefore(ms: number): void {
    while (this.chunks.length > 1 && this.chunks[0]!.startMs + this.chunks[0]!.ms < ms)
      this.keptMs -= this.chunks.shift()!.ms;
  }

  /**
   * Commits the buffer up to `toMs` (default: all of it): returns the kept audio from `fromMs` (default: the
   * buffer's start) to `toMs`, and leaves what comes after `toMs` in the buffer.
   */
  commit(fromMs = this.bufferStartMs, toMs = this.receivedMs): Uint8Array {
    const parts: Uint8Array[] = [];
    for (const c of this.chunks) {
      const from = Math.max(fromMs, c.startMs);
      const to = Math.min(toMs, c.startMs + c.ms);
      if (to <= from) continue;
      const a = Math.min(c.pcm.byteLength, Math.round((from - c.startMs) * BYTES_PER_MS) & ~1);
      const b = Math.min(c.pcm.byteLength, Math.round((to - c.startMs) * BYTES_PER_MS) & ~1);
      parts.push(c.pcm.subarray(a, b));
    }
    this.bufferStartMs = Math.min(Math.max(toMs, this.bufferStartMs), this.receivedMs);
    this.forgetBefore(this.bufferStartMs);
    if (this.chunks.length === 1 && this.chunks[0]!.startMs + this.chunks[0]!.ms <= this.bufferStartMs) {
      this.chunks = [];
      this.keptMs = 0;
    }
    return concat(parts);
  }

  /** Empties the buffer (`input_audio_buffer.clear`). */
  clear(): void {
    this.chunks = [];
    this.keptMs = 0;
    this.bufferStartMs = this.receivedMs;
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

/**
 * Turns appended bytes of the session's input format into 24 kHz PCM16 and the milliseconds they hold: PCM16 as
 * is (an odd trailing byte waits for the next append, so samples stay aligned), G.711 at 8 kHz decoded and
 * resampled with one streaming resampler per format (no clicks at chunk edges).
 */
export class InputDecoder {
  private oddByte: number | undefined;
  private g711: { format: AudioFormat; resampler: Resampler } | undefined;

  decode(bytes: Uint8Array, format: AudioFormat): { pcm24: Uint8Array; ms: number } {
    if (format === 'pcm16') {
      this.g711 = undefined;
      let data = bytes;
      if (this.oddByte !== undefined) {
        data = new Uint8Array(bytes.byteLength + 1);
        data[0] = this.oddByte;
        data.set(bytes, 1);
        this.oddByte = undefined;
      }
      if (data.byteLength % 2 === 1) {
        this.oddByte = data[data.byteLength - 1];
        data = data.subarray(0, data.byteLength - 1);
      }
      return { pcm24: data, ms: bytes.byteLength / BYTES_PER_MS };
    }
    if (this.g711?.format !== format) this.g711 = { format, resampler: createResampler(8000, 24000) };
    const samples = format === 'g711_ulaw' ? decodeMuLaw(bytes) : decodeALaw(bytes);
    const pcm24 = float32ToPcm16(this.g711.resampler.push(pcm16ToFloat32(int16ToPcm16(samples))));
    return { pcm24, ms: bytes.byteLength / 8 };
  }
}

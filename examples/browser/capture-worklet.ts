/**
 * The microphone side of the page, on the audio thread: whatever the AudioContext's rate (44.1 or 48 kHz as a
 * rule), the first input channel is resampled to the service's 24 kHz (a windowed-sinc resampler from
 * rx-realtime, so no aliasing when it downsamples) and posted to the page as 100 ms chunks of PCM16 mono
 * little-endian, the only PCM input the service takes (protocol README §1: `pcm16`, 24 kHz, mono).
 *
 * ```text
 * mic ─► 128-frame quanta at sampleRate ─► resample to 24 kHz ─► 2400 samples ─► port: PCM16 (4800 bytes)
 * ```
 */
import { createResampler, float32ToPcm16 } from 'rx-realtime';
import { scope } from './worklet-scope.js';

/** Samples per chunk: 100 ms at 24 kHz, Azure's advice for appends (§1). */
const CHUNK = 2400;

class Capture extends scope.AudioWorkletProcessor {
  private readonly resampler = createResampler(scope.sampleRate, 24000);
  private readonly pending = new Float32Array(CHUNK);
  private filled = 0;

  process(inputs: Float32Array[][]): boolean {
    const channel = inputs[0]?.[0];
    if (channel === undefined) return true; // no input connected (yet): keep the node alive
    const resampled = this.resampler.push(channel);
    let at = 0;
    while (at < resampled.length) {
      const n = Math.min(CHUNK - this.filled, resampled.length - at);
      this.pending.set(resampled.subarray(at, at + n), this.filled);
      this.filled += n;
      at += n;
      if (this.filled === CHUNK) {
        const pcm = float32ToPcm16(this.pending);
        this.port.postMessage(pcm.buffer, [pcm.buffer]);
        this.filled = 0;
      }
    }
    return true;
  }
}

scope.registerProcessor('rx-capture', Capture);

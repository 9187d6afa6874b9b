// The upload path (WAV bytes → 24 kHz PCM16 → 100 ms chunks → base64 → append frames) against plain
// Buffer.toString('base64') of the same PCM; and the resampler's real-time factor.
import { readFileSync } from 'node:fs';
import { audioAppends } from '../src/operators/audioAppends';
import { resample, resampleChunked } from '../src/audio/resample';
import { toPcm16Mono24k } from '../src/audio/wav';
import { encodeClientEvent } from '../src/protocol';
import { compare, type Comparison } from './harness';

export async function benchUpload(): Promise<Comparison[]> {
  const wav = new Uint8Array(readFileSync(new URL('../test/fixtures/audio/hello.wav', import.meta.url)));
  const pcm = toPcm16Mono24k(wav);
  return [
    compare(
      'upload: 24 kHz WAV → append frames vs Buffer.toString("base64")',
      () => {
        // what a user's pipeline does: the WAV through audioAppends (fast pace) and each event through the encoder
        // Buffer.byteLength flattens the frame as ws.send does (a template string may stay a rope until then).
        audioAppends(toPcm16Mono24k(wav), { pace: 'fast' }).subscribe((event) =>
          Buffer.byteLength(encodeClientEvent(event)),
        );
      },
      () => {
        Buffer.byteLength(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength).toString('base64'));
      },
      { unit: 'files', minMs: 300 },
    ),
  ];
}

/** 60 s of a 44.1 kHz (or other rate) test signal: two tones and a little noise. */
function signal(rate: number, seconds: number): Float32Array {
  const out = new Float32Array(rate * seconds);
  let seed = 1;
  for (let i = 0; i < out.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    out[i] =
      0.4 * Math.sin((2 * Math.PI * 440 * i) / rate) +
      0.2 * Math.sin((2 * Math.PI * 3000 * i) / rate) +
      0.01 * (seed / 2 ** 32 - 0.5);
  }
  return out;
}

/**
 * The resampler's real-time factor (seconds of audio per second of CPU, target ≥ 100×) for 60 s of input at
 * 44.1, 16 and 8 kHz to 24 kHz, median of 5 runs, with the exact output length checked; and the longest the
 * event loop is held by `resampleChunked` (the time between its pauses) on the 44.1 kHz input.
 */
export async function benchResample(): Promise<{ name: string; value: string; details: string }[]> {
  const rows: { name: string; value: string; details: string }[] = [];
  const SECONDS = 60;
  for (const rate of [44100, 16000, 8000]) {
    const input = signal(rate, SECONDS);
    const times: number[] = [];
    for (let run = 0; run < 6; run++) {
      const t0 = performance.now();
      const out = resample(input, rate, 24000);
      const ms = performance.now() - t0;
      if (out.length !== 24000 * SECONDS)
        throw new Error(`resample ${rate} → 24000 gave ${out.length} samples, expected ${24000 * SECONDS}`);
      if (run > 0) times.push(ms); // the first run compiles
    }
    times.sort((a, b) => a - b);
    const ms = times[times.length >> 1]!;
    rows.push({
      name: `resample() 60 s of ${rate / 1000} kHz → 24 kHz: real-time factor (target ≥ 100×)`,
      value: `${((SECONDS * 1000) / ms).toFixed(0)}× (${ms.toFixed(0)} ms)`,
      details: `median of 5 runs after one; output exactly ${24000 * SECONDS} samples`,
    });
  }
  const input = signal(44100, SECONDS);
  const holds: number[] = [];
  let last = performance.now();
  const out = await resampleChunked(input, 44100, 24000, {
    pause: async () => {
      holds.push(performance.now() - last);
      await new Promise((resolve) => setTimeout(resolve, 0));
      last = performance.now();
    },
  });
  holds.push(performance.now() - last);
  if (out.length !== 24000 * SECONDS) throw new Error(`resampleChunked gave ${out.length} samples`);
  holds.sort((a, b) => a - b);
  rows.push({
    name: 'resampleChunked() 60 s of 44.1 kHz → 24 kHz: hold of the event loop, median / longest',
    value: `${holds[holds.length >> 1]!.toFixed(1)} / ${holds.at(-1)!.toFixed(1)} ms`,
    details: `default chunk (16384 input samples), ${holds.length} holds (the time between its pauses; the last one with the flush)`,
  });
  return rows;
}

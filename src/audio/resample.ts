/**
 * Sample-rate conversion with a windowed-sinc low-pass (Blackman window), so that going down in rate removes what
 * the new rate cannot hold instead of folding it back as aliases (plain sample dropping does that).
 */

/** Taps on each side of the centre of the interpolation kernel: quality vs cost. */
const HALF_TAPS = 16;

/** A resampler for chunked input: `push` returns what is ready, `flush` the tail. */
export interface Resampler {
  push(chunk: Float32Array): Float32Array;
  flush(): Float32Array;
}

/** Kernel tables are built for rate pairs with at most this many phases (24 kHz ↔ 44.1 kHz has 80). */
const MAX_PHASES = 4096;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Creates a streaming resampler from `fromRate` to `toRate`. Feeding chunks gives the same output as feeding the
 * whole signal at once; the state held is the kernel width, whatever the length of the stream. After `flush`,
 * the output holds exactly `ceil(n × toRate / fromRate)` samples for `n` input samples (`3n` for 8 kHz → 24 kHz).
 */
export function createResampler(fromRate: number, toRate: number): Resampler {
  if (!(fromRate > 0) || !(toRate > 0))
    throw new RangeError(`resample: rates must be > 0, got ${fromRate} → ${toRate}`);
  if (fromRate === toRate) return { push: (c) => c.slice(), flush: () => new Float32Array(0) };
  const cutoff = Math.min(1, toRate / fromRate); // normalised to the input Nyquist
  const width = Math.ceil(HALF_TAPS / cutoff);
  const taps = 2 * width;
  const kernel = (x: number) => {
    if (x === 0) return cutoff;
    if (Math.abs(x) >= width) return 0;
    const w = 0.42 + 0.5 * Math.cos((Math.PI * x) / width) + 0.08 * Math.cos((2 * Math.PI * x) / width);
    return (Math.sin(Math.PI * cutoff * x) / (Math.PI * x)) * w;
  };
  // Output sample j sits at input position j × F / T (integers, so positions never drift): its integer part q and
  // phase r / T. Integer rates with few phases get one table of taps per phase (no trigonometry per sample).
  const integral = Number.isInteger(fromRate) && Number.isInteger(toRate);
  const g = integral ? gcd(fromRate, toRate) : 1;
  const F = integral ? fromRate / g : fromRate;
  const T = integral ? toRate / g : toRate;
  let table: Float32Array | undefined;
  if (integral && T <= MAX_PHASES) {
    table = new Float32Array(T * taps);
    for (let r = 0; r < T; r++)
      for (let m = 0; m < taps; m++) table[r * taps + m] = kernel(width - 1 - m + r / T);
  }

  // history holds input samples [base, base + length), in a buffer that grows as needed
  let history = new Float32Array(width * 4);
  let length = width; // virtual zeros before the signal
  let base = -width;
  let j = 0; // index of the next output sample
  let total = 0; // input samples seen

  const render = (final: boolean): Float32Array => {
    // ceil(total × toRate / fromRate), in integers when the rates are
    const count = !final ? 0 : integral ? Math.floor((total * T + F - 1) / F) : Math.ceil((total * T) / F);
    // non-final: the output samples whose whole kernel lies in what was seen
    const bound = final ? count : Math.ceil((total * T) / F) + 1;
    const out = new Float32Array(Math.max(0, bound - j));
    let o = 0;
    for (; j < bound; j++, o++) {
      const q = Math.floor((j * F) / T);
      if (!final && q + width >= total) break;
      let acc = 0;
      const first = q - width + 1 - base;
      const inside = first >= 0 && first + taps <= length && q - width + 1 >= 0 && q + width < total;
      if (table !== undefined && inside) {
        // the common case: every tap on a real sample
        const row = (j * F - q * T) * taps;
        for (let m = 0; m < taps; m++) acc += history[first + m]! * table[row + m]!;
      } else if (table !== undefined) {
        const row = (j * F - q * T) * taps;
        for (let m = 0; m < taps; m++) {
          const idx = first + m;
          const k = idx + base;
          if (k >= 0 && k < total && idx >= 0 && idx < length) acc += history[idx]! * table[row + m]!;
        }
      } else {
        const pos = (j * F) / T;
        for (let m = 0; m < taps; m++) {
          const idx = first + m;
          const k = idx + base;
          if (k >= 0 && k < total && idx >= 0 && idx < length) acc += history[idx]! * kernel(pos - k);
        }
      }
      out[o] = acc;
    }
    // drop history no longer needed
    const keepFrom = Math.floor((j * F) / T) - width - base;
    if (keepFrom > 0 && keepFrom <= length) {
      history.copyWithin(0, keepFrom, length);
      length -= keepFrom;
      base += keepFrom;
    }
    return o === out.length ? out : out.slice(0, o);
  };
  return {
    push(chunk) {
      if (length + chunk.length > history.length) {
        const grown = new Float32Array(Math.max(history.length * 2, length + chunk.length));
        grown.set(history.subarray(0, length));
        history = grown;
      }
      history.set(chunk, length);
      length += chunk.length;
      total += chunk.length;
      return render(false);
    },
    flush() {
      return render(true);
    },
  };
}

/**
 * Resamples `samples` from `fromRate` to `toRate` (e.g. 44.1 kHz or 16 kHz to the service's 24 kHz).
 * Identity (a copy) when the rates are equal.
 *
 * @example
 * ```ts
 * import { resample } from 'rx-realtime';
 * const at24k = resample(samplesAt16k, 16000, 24000);
 * ```
 */
export function resample(samples: Float32Array, fromRate: number, toRate: number): Float32Array {
  const r = createResampler(fromRate, toRate);
  const a = r.push(samples);
  const b = r.flush();
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * {@link resample} for long inputs, in chunks of `chunkSamples` input samples with a pause between them, so that
 * resampling minutes of audio never holds the event loop for more than one chunk (a few milliseconds). Same
 * output as {@link resample}.
 *
 * @example
 * ```ts
 * import { resampleChunked } from 'rx-realtime';
 * const at24k = await resampleChunked(samplesAt44k, 44100, 24000);
 * ```
 */
export async function resampleChunked(
  samples: Float32Array,
  fromRate: number,
  toRate: number,
  options: { readonly chunkSamples?: number; readonly pause?: () => Promise<void> } = {},
): Promise<Float32Array> {
  const chunk = options.chunkSamples ?? 16384;
  if (!(chunk > 0)) throw new RangeError(`resampleChunked: chunkSamples must be > 0, got ${chunk}`);
  const pause = options.pause ?? (() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
  const r = createResampler(fromRate, toRate);
  const parts: Float32Array[] = [];
  let length = 0;
  for (let at = 0; at < samples.length; at += chunk) {
    const part = r.push(samples.subarray(at, at + chunk));
    parts.push(part);
    length += part.length;
    if (at + chunk < samples.length) await pause();
  }
  const tail = r.flush();
  parts.push(tail);
  length += tail.length;
  const out = new Float32Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

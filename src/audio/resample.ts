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

/**
 * Creates a streaming resampler from `fromRate` to `toRate`. Feeding chunks gives the same output as feeding the
 * whole signal at once; the state held is the kernel width, whatever the length of the stream.
 */
export function createResampler(fromRate: number, toRate: number): Resampler {
  if (!(fromRate > 0) || !(toRate > 0))
    throw new RangeError(`resample: rates must be > 0, got ${fromRate} → ${toRate}`);
  if (fromRate === toRate) return { push: (c) => c.slice(), flush: () => new Float32Array(0) };
  const step = fromRate / toRate; // input samples per output sample
  const cutoff = Math.min(1, toRate / fromRate); // normalised to the input Nyquist
  const width = Math.ceil(HALF_TAPS / cutoff);
  // history holds input samples [base, base + history.length)
  let history = new Float32Array(0);
  let base = -width; // virtual zeros before the signal
  history = new Float32Array(width);
  let next = 0; // position (in input samples) of the next output sample
  let total = 0; // input samples seen

  const kernel = (x: number) => {
    if (x === 0) return cutoff;
    if (Math.abs(x) >= width) return 0;
    const w = 0.42 + 0.5 * Math.cos((Math.PI * x) / width) + 0.08 * Math.cos((2 * Math.PI * x) / width);
    return (Math.sin(Math.PI * cutoff * x) / (Math.PI * x)) * w;
  };
  const render = (limit: number): Float32Array => {
    const out: number[] = [];
    while (limit === Infinity ? next < total : next + width < limit) {
      const centre = Math.floor(next);
      let acc = 0;
      for (let k = centre - width + 1; k <= centre + width; k++) {
        const idx = k - base;
        const s = k >= 0 && k < total && idx >= 0 && idx < history.length ? history[idx]! : 0;
        acc += s * kernel(next - k);
      }
      out.push(acc);
      next += step;
    }
    // drop history no longer needed
    const keepFrom = Math.floor(next) - width - base;
    if (keepFrom > 0 && keepFrom <= history.length) {
      history = history.slice(keepFrom);
      base += keepFrom;
    }
    return Float32Array.from(out);
  };
  return {
    push(chunk) {
      const joined = new Float32Array(history.length + chunk.length);
      joined.set(history);
      joined.set(chunk, history.length);
      history = joined;
      total += chunk.length;
      return render(total);
    },
    flush() {
      return render(Infinity);
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

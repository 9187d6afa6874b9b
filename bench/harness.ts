// Interleaved, round-by-round comparisons: A B A B … so that machine noise hits both sides alike; the result is
// the median (and min–max) of the per-round throughput ratios. Absolute numbers do not carry between runs.

export interface Comparison {
  readonly name: string;
  /** Median of per-round ratios (candidate throughput / baseline throughput). */
  readonly ratio: number;
  readonly min: number;
  readonly max: number;
  readonly details: string;
}

export function compare(
  name: string,
  candidate: () => void,
  baseline: () => void,
  options: { rounds?: number; minMs?: number; unit?: string; perCall?: number } = {},
): Comparison {
  const rounds = options.rounds ?? 7;
  const minMs = options.minMs ?? 300;
  const time = (fn: () => void) => {
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < minMs) {
      fn();
      calls++;
      elapsed = performance.now() - start;
    }
    return calls / elapsed; // calls per ms
  };
  time(candidate); // warm-up
  time(baseline);
  const ratios: number[] = [];
  let lastRate = 0;
  for (let r = 0; r < rounds; r++) {
    const b = time(baseline);
    const c = time(candidate);
    ratios.push(c / b);
    lastRate = c;
  }
  ratios.sort((x, y) => x - y);
  const per = options.perCall ?? 1;
  return {
    name,
    ratio: ratios[Math.floor(ratios.length / 2)]!,
    min: ratios[0]!,
    max: ratios.at(-1)!,
    details: `${rounds} rounds; last round ${Math.round(lastRate * 1000 * per).toLocaleString('en-US')} ${options.unit ?? 'ops'}/s`,
  };
}

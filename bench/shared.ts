// What the benchmark files share: the row every benchmark returns to bench/run.ts, the median of a round's samples,
// and the esbuild bundle every measured piece of code runs as.

/** One line of `npm run bench`'s table: a ratio (median and min–max of the rounds) or a measured value. */
export interface Row {
  readonly name: string;
  readonly ratio?: number;
  readonly min?: number;
  readonly max?: number;
  /** A measured value, shown as it is (latency, memory). */
  readonly value?: string;
  readonly details: string;
}

/** The middle sample (the upper one of an even count). */
export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/**
 * `entry` bundled by esbuild into `outfile` (ESM for Node 20, packages left to `node_modules`): how the benchmarks
 * run the code they measure, as the package ships it. Not through tsx: tsx compiles with esbuild's `keepNames`,
 * which wraps each named closure in a call that redefines its `name`, and that turns each closure made at run time
 * into a function with a property dictionary of its own (256 bytes, and a call, per closure: measured with
 * `%HasFastProperties`). An operator's closures are made per subscription and per response, so code run through
 * tsx is not the code that ships.
 */
export async function bundle(entry: string, outfile: string): Promise<void> {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
  });
}

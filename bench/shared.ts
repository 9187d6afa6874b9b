// What the benchmark files share: the row every benchmark returns to bench/run.ts, the median of a round's samples,
// the replay server's paths and event-id stamps, and the esbuild bundle every measured piece of code runs as.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dialect } from '../src/protocol';

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

/**
 * The clients the latency benchmark can set beside the raw one (`--candidate`): rx-realtime, raw itself (the
 * measure's own noise), or raw's events split with rxjs alone (bench/raw-split.ts).
 */
export const LATENCY_CANDIDATES = ['rx', 'raw', 'rawRxSplit'] as const;
export type LatencyCandidate = (typeof LATENCY_CANDIDATES)[number];

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

/**
 * `bench/<name>.ts` bundled by {@link bundle} into a directory of its own under bench/.build (gitignored), for a
 * client process to run with plain `node`; the caller removes the directory (`dirname` of the path) when done.
 */
export async function buildBundle(name: string): Promise<string> {
  const dir = fileURLToPath(new URL('./.build/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const outfile = join(mkdtempSync(join(dir, `${name}-`)), `${name}.mjs`);
  await bundle(fileURLToPath(new URL(`./${name}.ts`, import.meta.url)), outfile);
  return outfile;
}

/** The replay server's realtime path in each dialect (it answers the dialect the path names). */
export const path = (dialect: Dialect): string =>
  dialect === 'preview'
    ? '/openai/realtime?api-version=2025-04-01-preview&deployment=bench'
    : '/openai/v1/realtime?model=bench';

/** The clock every benchmark process reads, as the replay server stamps its frames with it: ms, µs resolution. */
export const now = (): number => performance.timeOrigin + performance.now();

/** The send time the replay server appended to an event id (`event_x@<ms>`, with `stamp=1`). */
export const sentAt = (eventId: unknown): number => {
  const id = String(eventId);
  return Number(id.slice(id.lastIndexOf('@') + 1));
};

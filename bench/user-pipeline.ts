// What a user of rx-realtime writes, shared by the benchmarks' rx-realtime clients (the bursts' and the memory and
// latency benchmarks' own processes). rx-realtime comes as an argument and rxjs is imported when a pipeline starts:
// a bundle that holds this file holds neither, so a client process that runs another client (raw, openai) loads
// neither. (esbuild lifts a lazily imported bundled module's own imports of packages to the bundle's top: an
// `import('../src/index')` here would load rxjs, io-ts and fp-ts in every process.)
import type { Dialect, ServerMessage } from '../src/protocol';

/** The package's exports (the sources bundled, or dist/), as `import()` gives them. */
export type RxRealtime = typeof import('../src/index');
import { path } from './shared';

export interface Server {
  readonly port: number;
  readonly cert: string;
}

/** Hooks into {@link userPipeline}: the audio chunks, the transcript deltas, and optional points to measure at. */
export interface PipelineHooks {
  audio(pcm: Uint8Array): void;
  transcript?(text: string): void;
  /** Each event of a content part, just before `audioDeltas()` sees it (synchronous: the same event). */
  partEvent?(event: ServerMessage): void;
  /** Each response's end. */
  responseDone?(): void;
}

/**
 * `connect()` → `share()` → `splitResponses()` → `splitContentParts()` → `audioDeltas()`, and
 * `transcriptDeltas()` beside it, against the replay server at `query`; resolves when the server closes.
 */
export async function userPipeline(
  rx: RxRealtime,
  { port, cert }: Server,
  dialect: Dialect,
  query: string,
  hooks: PipelineHooks,
): Promise<void> {
  const { connect, splitResponses, splitContentParts, audioDeltas, transcriptDeltas } = rx;
  const rxjs = await import('rxjs');
  const { NEVER, lastValueFrom, mergeMap, share, merge, ignoreElements, tap } = rxjs;
  const server$ = connect({
    url: `wss://127.0.0.1:${port}${path(dialect)}${query}`,
    dialect,
    ca: cert,
    pingIntervalMs: 0,
  })(NEVER).pipe(share());
  const partEvent = hooks.partEvent;
  await lastValueFrom(
    merge(
      server$.pipe(
        splitResponses(),
        mergeMap((r) => {
          const parts = r.pipe(splitContentParts());
          const done = hooks.responseDone;
          return done ? parts.pipe(tap({ complete: done })) : parts;
        }),
        mergeMap((p) => (partEvent ? p.pipe(tap(partEvent)) : p).pipe(audioDeltas())),
        tap((pcm) => hooks.audio(pcm)),
      ),
      server$.pipe(
        transcriptDeltas(),
        tap((t) => hooks.transcript?.(t)),
      ),
    ).pipe(ignoreElements()),
    { defaultValue: undefined },
  );
}

// Memory over one hour of audio: one rx-realtime pipeline (connect → splitResponses → splitContentParts →
// audioDeltas, transcript collected) receives 720 responses of 5 s each (3600 s of 24 kHz PCM16, 36 000 audio
// deltas, about 230 MB of base64) as fast as the socket allows. Heap (after a full GC) and RSS at the start, every
// ten minutes of audio, and at the end; the start is measured after a warm-up session, so that compiled code and
// lazily made module state are already there.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { NEVER, ignoreElements, lastValueFrom, merge, mergeMap, share, tap } from 'rxjs';
import { connect } from '../src/client';
import { audioDeltas, splitContentParts, splitResponses, transcriptDeltas } from '../src/operators';
import type { Dialect } from '../src/protocol';
import { path, startServer } from './pipeline.bench';

const HOUR_RESPONSES = 720; // 720 × 50 deltas × 100 ms = 3600 s
const MiB = 2 ** 20;

function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function session(
  port: number,
  cert: string,
  dialect: Dialect,
  responses: number,
  onResponse: (n: number) => void,
): Promise<{ bytes: number; transcript: number }> {
  const out = { bytes: 0, transcript: 0 };
  let done = 0;
  const server$ = connect({
    url: `wss://127.0.0.1:${port}${path(dialect)}&responses=${responses}`,
    dialect,
    ca: cert,
    pingIntervalMs: 0,
  })(NEVER).pipe(share());
  await lastValueFrom(
    merge(
      server$.pipe(
        splitResponses(),
        mergeMap((r) =>
          r.pipe(
            splitContentParts(),
            mergeMap((p) => p.pipe(audioDeltas())),
            tap({ complete: () => onResponse(++done) }),
          ),
        ),
        tap((pcm) => (out.bytes += pcm.byteLength)),
      ),
      server$.pipe(
        transcriptDeltas(),
        tap((t) => (out.transcript += t.length)),
      ),
    ).pipe(ignoreElements()),
    { defaultValue: undefined },
  );
  return out;
}

export interface MemoryRow {
  readonly name: string;
  readonly value: string;
  readonly details: string;
}

/** Heap and RSS before and after one hour of audio through the pipeline (target: heap within 1 MB). */
export async function benchMemory(dialect: Dialect = 'ga'): Promise<MemoryRow[]> {
  const gc = exposeGc();
  const { child, port, cert } = await startServer();
  try {
    const measure = () => {
      gc();
      gc();
      const m = process.memoryUsage();
      return { heap: m.heapUsed / MiB, rss: m.rss / MiB };
    };
    await session(port, cert, dialect, 40, () => undefined); // warm-up
    const start = measure();
    const samples: number[] = [];
    const t0 = performance.now();
    const result = await session(port, cert, dialect, HOUR_RESPONSES, (n) => {
      if (n % 120 === 0) samples.push(measure().heap); // every ten minutes of audio
    });
    const seconds = (performance.now() - t0) / 1000;
    const end = measure();
    const audioSeconds = result.bytes / 48_000;
    if (Math.round(audioSeconds) !== 3600)
      throw new Error(`expected one hour of audio, got ${audioSeconds} s`);
    const detail = `${dialect}; ${audioSeconds.toFixed(0)} s of audio (${(result.bytes / MiB).toFixed(0)} MiB PCM) in ${seconds.toFixed(1)} s`;
    return [
      {
        name: 'heap after one hour of audio − heap at start (rx-realtime pipeline)',
        value: `${end.heap - start.heap >= 0 ? '+' : ''}${(end.heap - start.heap).toFixed(2)} MB (${start.heap.toFixed(1)} → ${end.heap.toFixed(1)})`,
        details: `${detail}; every 10 min: ${samples.map((h) => h.toFixed(1)).join(', ')} MB`,
      },
      {
        name: 'RSS after one hour of audio − RSS at start',
        value: `${end.rss - start.rss >= 0 ? '+' : ''}${(end.rss - start.rss).toFixed(1)} MB (${start.rss.toFixed(0)} → ${end.rss.toFixed(0)})`,
        details: detail,
      },
    ];
  } finally {
    child.kill('SIGTERM');
  }
}

// Memory over one hour of audio: one rx-realtime pipeline (connect → splitResponses → splitContentParts →
// audioDeltas, transcript collected) receives 720 responses of 5 s each (3600 s of 24 kHz PCM16, 36 000 audio
// deltas, about 230 MB of base64) as fast as the socket allows. Heap (after a full GC) and RSS at the start, every
// ten minutes of audio, and at the end; the start is measured after a warm-up session, so that compiled code and
// lazily made module state are already there.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Dialect } from '../src/protocol';
import { startServer, userPipeline, type Server } from './pipeline.bench';

const HOUR_RESPONSES = 720; // 720 × 50 deltas × 100 ms = 3600 s
const MiB = 2 ** 20;

function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function session(
  server: Server,
  dialect: Dialect,
  responses: number,
  onResponse: (n: number) => void,
): Promise<{ bytes: number; transcript: number }> {
  const out = { bytes: 0, transcript: 0 };
  let done = 0;
  await userPipeline(server, dialect, `&responses=${responses}`, {
    audio: (pcm) => (out.bytes += pcm.byteLength),
    transcript: (t) => (out.transcript += t.length),
    responseDone: () => onResponse(++done),
  });
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
  const { child, ...server } = await startServer();
  try {
    const measure = () => {
      gc();
      gc();
      const m = process.memoryUsage();
      return { heap: m.heapUsed / MiB, rss: m.rss / MiB };
    };
    await session(server, dialect, 40, () => undefined); // warm-up
    const start = measure();
    const samples: number[] = [];
    const t0 = performance.now();
    const result = await session(server, dialect, HOUR_RESPONSES, (n) => {
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

// Memory over one hour of audio, each client in a process of its own (bench/solo-client.ts): the raw client
// (ws + JSON.parse + base64), the rx-realtime pipeline (connect → splitResponses → splitContentParts →
// audioDeltas, transcriptDeltas beside it) and openai@6 each receive 720 responses of 5 s (3600 s of 24 kHz
// PCM16, 36 000 audio deltas, about 230 MB of base64) as fast as the socket allows. Heap (after two full GCs) and
// RSS after a warm-up session, every ten minutes of audio, and at the end. Rounds rotate the clients' order; the
// figures are medians of the rounds, and rx-realtime's RSS is compared with the raw client's of the same round.
import { rmSync } from 'node:fs';
import type { Dialect } from '../src/protocol';
import { startServer, type Server } from './pipeline.bench';
import { median, type Row } from './shared';
import { runSolo, soloBundle } from './solo';
import type { MemoryResult, SoloClient } from './solo-client';

const HOUR_RESPONSES = 720; // 720 × 50 deltas × 100 ms = 3600 s
const CLIENTS: readonly SoloClient[] = ['raw', 'rx', 'openai'];
const NAMES: Record<SoloClient, string> = {
  raw: 'raw client',
  rawRxSplit: 'raw events split with rxjs alone',
  rx: 'rx-realtime pipeline',
  openai: 'openai@6 OpenAIRealtimeWS',
};

const signed = (x: number, digits: number) => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;

/**
 * Per client: heap growth over the hour (target: flat, ≤ +1 MB) and RSS at the end; rx-realtime's RSS at the end
 * minus the raw client's (target: within 20 MB), median and range of the rounds.
 */
export async function benchMemory(dialect: Dialect = 'ga', rounds = 3): Promise<Row[]> {
  const { child, ...server } = await startServer();
  const bundled = await soloBundle();
  try {
    const results = new Map<SoloClient, MemoryResult[]>(CLIENTS.map((c) => [c, []]));
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < CLIENTS.length; i++) {
        const client = CLIENTS[(i + r) % CLIENTS.length]!;
        const result = await runSolo<MemoryResult>(
          bundled,
          {
            ...(server as Server),
            client,
            dialect,
            task: 'memory',
            warmup: 40,
            responses: HOUR_RESPONSES,
            sampleEvery: 120,
          },
          300_000,
        );
        const audioSeconds = result.bytes / 48_000;
        if (Math.round(audioSeconds) !== 3600)
          throw new Error(`the ${client} client got ${audioSeconds} s of audio, not one hour`);
        results.get(client)!.push(result);
      }
    }
    const rows: Row[] = [];
    const base = results.get('raw')!;
    for (const client of CLIENTS) {
      const runs = results.get(client)!;
      const growth = runs.map((m) => m.end.heap - m.start.heap);
      const rss = runs.map((m) => m.end.rss);
      const last = runs.at(-1)!;
      const detail = `${dialect}; ${rounds} rounds, a process each; 3600 s of audio in ${median(runs.map((m) => m.seconds)).toFixed(1)} s (median)`;
      rows.push(
        {
          name: `heap after one hour of audio − heap at start: ${NAMES[client]} (target rx ≤ +1 MB)`,
          value: `${signed(median(growth), 2)} MB (rounds ${signed(Math.min(...growth), 2)} to ${signed(Math.max(...growth), 2)}; last ${last.start.heap.toFixed(1)} → ${last.end.heap.toFixed(1)})`,
          details: `${detail}; last round every 10 min: ${last.samples.map((h) => h.toFixed(1)).join(', ')} MB`,
        },
        {
          name: `RSS after one hour of audio: ${NAMES[client]}`,
          value: `${median(rss).toFixed(1)} MB (rounds ${Math.min(...rss).toFixed(1)}–${Math.max(...rss).toFixed(1)}; at start ${median(runs.map((m) => m.start.rss)).toFixed(1)}, highest sampled ${median(runs.map((m) => m.rssMax)).toFixed(1)}; heap reserved ${median(runs.map((m) => m.start.heapTotal)).toFixed(1)} → ${median(runs.map((m) => m.end.heapTotal)).toFixed(1)})`,
          details: detail,
        },
      );
      if (client === 'raw') continue;
      const diff = runs.map((m, i) => m.end.rss - base[i]!.end.rss);
      rows.push({
        name: `RSS after one hour of audio: ${NAMES[client]} − raw client (target rx within 20 MB)`,
        value: `${signed(median(diff), 1)} MB (rounds ${signed(Math.min(...diff), 1)} to ${signed(Math.max(...diff), 1)})`,
        details: detail,
      });
    }
    return rows;
  } finally {
    child.kill('SIGTERM');
    rmSync(bundled.dir, { recursive: true, force: true });
  }
}

// Memory over one hour of audio, each client in a process of its own (bench/solo-client.ts): the raw client
// (ws + JSON.parse + base64), the rx-realtime pipeline (connect → splitResponses → splitContentParts →
// audioDeltas, transcriptDeltas beside it) and openai@6 each receive 720 responses of 5 s (3600 s of 24 kHz
// PCM16, 36 000 audio deltas, about 230 MB of base64) as fast as the socket allows. Heap (after two full GCs) and
// RSS after a warm-up session, every ten minutes of audio, and at the end. Rounds rotate the clients' order; the
// figures are medians of the rounds, and rx-realtime's RSS is compared with the raw client's of the same round.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dialect } from '../src/protocol';
import { startServer, type Server } from './pipeline.bench';
import { bundle, median, type Row } from './shared';
import type { MemoryResult, SoloClient, SoloConfig } from './solo-client';

const HOUR_RESPONSES = 720; // 720 × 50 deltas × 100 ms = 3600 s
const CLIENTS: readonly SoloClient[] = ['raw', 'rx', 'openai'];
const NAMES: Record<SoloClient, string> = {
  raw: 'raw client',
  rx: 'rx-realtime pipeline',
  openai: 'openai@6 OpenAIRealtimeWS',
};

/** bench/solo-client.ts bundled by esbuild (as the package ships: no tsx), in bench/.build. */
export async function soloBundle(): Promise<string> {
  const dir = fileURLToPath(new URL('./.build/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const outfile = join(mkdtempSync(join(dir, 'solo-')), 'solo-client.mjs');
  await bundle(fileURLToPath(new URL('./solo-client.ts', import.meta.url)), outfile);
  return outfile;
}

/** Runs one task in a fresh client process and resolves with the one JSON line it prints. */
export function runSolo<T>(bundled: string, config: SoloConfig, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', bundled], {
      stdio: ['ignore', 'pipe', 'inherit'],
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...process.env, BENCH_SOLO_CLIENT: JSON.stringify(config) },
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    // a client that hangs (a socket that never closes) is killed, and the run fails with its name
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      // the result is the last line (a library's notice on stdout before it must not break the parse)
      if (code === 0) resolve(JSON.parse(out.trim().split('\n').at(-1)!) as T);
      else
        reject(
          new Error(
            signal === 'SIGKILL'
              ? `the ${config.client} client gave no result in ${timeoutMs / 1000} s`
              : `the ${config.client} client exited with ${code ?? signal}`,
          ),
        );
    });
  });
}

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
    rmSync(dirname(bundled), { recursive: true, force: true });
  }
}

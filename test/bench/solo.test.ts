// The memory and latency benchmarks' client processes (bench/solo-client.ts) at tiny scale, so that they cannot rot
// unnoticed: each client in its own process against the replay server, a few responses. Nothing here is about speed
// or size (no figure is asserted); it checks that every client got every audio byte, reported well-formed
// measurements, and that a client that cannot connect fails its run with its name instead of hanging.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Server } from '../../bench/pipeline.bench';
import { runSolo, soloBundle, type SoloBundle } from '../../bench/solo';
import type { LatencyResult, MemoryResult, SoloClient } from '../../bench/solo-client';

let server: Server & { child: { kill(): void } };
let bundled: SoloBundle;
beforeAll(async () => {
  server = await startServer();
  bundled = await soloBundle();
}, 60_000);
afterAll(() => {
  server?.child.kill();
  if (bundled) rmSync(bundled.dir, { recursive: true, force: true });
});

const at = () => ({ port: server.port, cert: server.cert });
const clients: SoloClient[] = ['raw', 'rawRxSplit', 'rx', 'openai'];
const OWN: Record<SoloClient, string[]> = {
  raw: ['ws'],
  rawRxSplit: ['rxjs', 'ws'],
  rx: ['fp-ts', 'io-ts', 'rxjs', 'ws'],
  // openai@6 itself loads as ES modules, which the CommonJS cache does not list
  openai: ['ws'],
};

describe.each(['preview', 'ga'] as const)('the solo client processes (%s)', (dialect) => {
  it.each(clients)('%s: the memory task reads every response and samples the heap', async (client) => {
    const m = await runSolo<MemoryResult>(
      bundled,
      { ...at(), client, dialect, task: 'memory', warmup: 1, responses: 4, sampleEvery: 2 },
      60_000,
    );
    // 50 audio deltas of 100 ms (4800 bytes of 24 kHz PCM16) a response
    expect(m.bytes).toBe(4 * 50 * 4800);
    expect(m.transcript).toBeGreaterThan(0);
    expect(m.samples).toHaveLength(2);
    for (const x of [m.start.heap, m.start.rss, m.end.heap, m.end.rss, m.rssMax, ...m.samples])
      expect(Number.isFinite(x) && x > 0).toBe(true);
    expect(m.rssMax).toBeGreaterThanOrEqual(m.start.rss);
    // a process's RSS holds its own client's libraries, not the others'
    expect(m.packages).toEqual(OWN[client]);
  });

  it.each(clients)('%s: the latency task stamps every audio delta of every session', async (client) => {
    const l = await runSolo<LatencyResult>(
      bundled,
      {
        ...at(),
        client,
        dialect,
        task: 'latency',
        warmup: 1,
        sessions: 2,
        query: '&pace=realtime&stamp=1&responses=1&turn=50&deltas=3',
      },
      60_000,
    );
    expect(l.samples).toHaveLength(2 * 3);
    // the send time rode in the event id: a latency that parsed is finite and small
    for (const ms of l.samples) expect(Number.isFinite(ms) && ms >= 0 && ms < 60_000).toBe(true);
  });
});

it('fails the run of a client that cannot connect, with its name, and does not hang', async () => {
  const { createServer } = await import('node:net');
  // a port that was free a moment ago: nothing listens there
  const closed = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
  await expect(
    runSolo(
      bundled,
      {
        port: closed,
        cert: server.cert,
        client: 'raw',
        dialect: 'ga',
        task: 'memory',
        warmup: 1,
        responses: 1,
        sampleEvery: 1,
      },
      30_000,
    ),
  ).rejects.toThrow('the raw client exited with 1');
});

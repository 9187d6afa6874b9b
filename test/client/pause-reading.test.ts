// pauseReading: demand for server events reaches the server as TCP backpressure, on real sockets. While paused
// the client reads nothing more (the server's send buffer fills instead of our heap); resumed, every frame arrives,
// in order, and a pause that outlasts the keep-alive interval does not drop the socket.
import { spawn } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BehaviorSubject, NEVER, type Subscription } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { connect } from '../../src/client';
import type { ServerMessage } from '../../src/protocol';
import { SESSION_CREATED, wsServer, type TestServer } from './servers';

const servers: TestServer[] = [];
const subscriptions: Subscription[] = [];
afterEach(async () => {
  for (const s of subscriptions.splice(0)) s.unsubscribe();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const FRAMES = 3000;
const PAD = 'x'.repeat(8 * 1024); // 8 KiB a frame: 24 MB in all, far more than socket buffers hold
const frame = (n: number) =>
  JSON.stringify({ type: 'rate_limits.updated', event_id: `e_${n}`, rate_limits: [], pad: PAD });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('connect({ pauseReading })', () => {
  it('stops reading while paused (the server buffers), and delivers everything in order once resumed', async () => {
    let server!: WebSocket;
    const s = await wsServer((socket) => {
      server = socket;
      socket.send(SESSION_CREATED);
      for (let n = 0; n < FRAMES; n++) socket.send(frame(n));
    });
    servers.push(s);
    const paused = new BehaviorSubject(true);
    const events: ServerMessage[] = [];
    subscriptions.push(
      connect({
        endpoint: s.endpoint,
        deployment: 'd',
        apiKey: 'k',
        pingIntervalMs: 100,
        pauseReading: paused,
      })(NEVER).subscribe({ next: (e) => events.push(e), error: (e) => events.push(e as never) }),
    );
    await sleep(400); // paused from open on; frames read before the pause took hold may still come
    const whilePaused = events.length;
    await sleep(400); // 4 keep-alive intervals with no pong read: the socket must survive
    expect(events.length).toBe(whilePaused);
    expect(whilePaused).toBeLessThan(FRAMES / 2);
    // the rest waits at the server, not in our process: the bound measured, for 24 MB sent
    expect(server.bufferedAmount).toBeGreaterThan(4 * 1024 * 1024);

    paused.next(false);
    for (let i = 0; i < 200 && events.length < FRAMES + 1; i++) await sleep(20);
    expect(String(events.at(-1) instanceof Error ? events.at(-1) : 'ok')).toBe('ok');
    expect(events.length).toBe(FRAMES + 1);
    const ids = events.slice(1).map((e) => (e as { event_id: string }).event_id);
    expect(ids).toEqual(Array.from({ length: FRAMES }, (_, n) => `e_${n}`));
  }, 30_000);

  it('pauses and resumes as often as the signal says', async () => {
    const s = await wsServer((socket) => {
      socket.send(SESSION_CREATED);
      for (let n = 0; n < FRAMES; n++) socket.send(frame(n));
    });
    servers.push(s);
    const paused = new BehaviorSubject(false);
    const counts: number[] = [];
    let received = 0;
    subscriptions.push(
      connect({
        endpoint: s.endpoint,
        deployment: 'd',
        apiKey: 'k',
        pingIntervalMs: 0,
        pauseReading: paused,
      })(NEVER).subscribe(() => {
        received++;
        if (received % 500 === 0) paused.next(true); // a bounded consumer: stop every 500 frames
      }),
    );
    while (received < FRAMES + 1) {
      await sleep(50);
      if (paused.value) {
        counts.push(received);
        await sleep(100);
        counts.push(received); // nothing (or only the few frames already read) while paused
        paused.next(false);
      }
    }
    expect(counts.length).toBeGreaterThanOrEqual(8);
    for (let i = 0; i < counts.length; i += 2) expect(counts[i + 1]! - counts[i]!).toBeLessThan(100);
  }, 30_000);

  it('holds the client heap flat while paused under a 48 MB flood (the server in its own process)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // a flooding server in another process, so that what it queues is not counted in this heap
    const script = `
      import { WebSocketServer } from 'ws';
      const pad = 'x'.repeat(8192);
      const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
      wss.on('listening', () => console.log(wss.address().port));
      wss.on('connection', (ws) => {
        ws.send(${JSON.stringify(SESSION_CREATED)});
        for (let n = 0; n < 6000; n++)
          ws.send(JSON.stringify({ type: 'rate_limits.updated', event_id: 'e_' + n, rate_limits: [], pad }));
      });`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const port = await new Promise<number>((resolve) =>
        child.stdout.once('data', (d) => resolve(Number(String(d).trim()))),
      );
      gc();
      const before = process.memoryUsage().heapUsed;
      const paused = new BehaviorSubject(true);
      let received = 0;
      subscriptions.push(
        connect({
          url: `ws://127.0.0.1:${port}/v1/realtime?model=m`,
          dialect: 'ga',
          bearerToken: 'test-key-123',
          pingIntervalMs: 0,
          pauseReading: paused,
        })(NEVER).subscribe(() => received++),
      );
      await sleep(1000);
      gc();
      const growth = process.memoryUsage().heapUsed - before;
      expect(received).toBeLessThan(3000);
      expect(growth).toBeLessThan(8 * 1024 * 1024); // of 48 MB sent
      paused.next(false);
      for (let i = 0; i < 500 && received < 6001; i++) await sleep(20);
      expect(received).toBe(6001);
    } finally {
      child.kill();
    }
  }, 30_000);
});

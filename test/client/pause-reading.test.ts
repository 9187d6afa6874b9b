// pauseReading: demand for server events reaches the server as TCP backpressure, on real sockets. While paused
// the client reads nothing more (the server's send buffer fills instead of our heap); resumed, every frame arrives,
// in order, and a pause that outlasts the keep-alive interval does not drop the socket.
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
    // the rest waits at the server, not in our process
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
});

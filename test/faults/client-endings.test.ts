// Every way a connection ends, on real sockets on 127.0.0.1 (a ws server, an HTTP refusal, the TCP proxy), and
// after each nothing is left behind: no socket, server or timer.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { NEVER, Subject, asyncScheduler, firstValueFrom, type SchedulerLike } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BackpressureError,
  ConnectionClosedError,
  CredentialError,
  DialectMismatchError,
  HandshakeError,
  connect,
  type ConnectOptions,
  type TokenCredential,
} from '../../src/client';
import type { ClientEvent } from '../../src/protocol';
import { SESSION_CREATED, httpStatusServer, run, wsServer } from '../client/servers';
import { activeResources, expectResourcesBackTo, tcpProxy } from './proxy';

const KEY = 'sk-faults-SECRET-KEY-456';
const TOKEN = 'eyJ-faults-SECRET-TOKEN-789';
const cleanups: (() => Promise<void>)[] = [];
let baseline: Record<string, number>;
beforeEach(() => {
  baseline = activeResources();
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
  await expectResourcesBackTo(baseline);
});
const later = <T extends { close(): Promise<void> }>(s: T): T => {
  cleanups.push(() => s.close());
  return s;
};
const credential = (getToken: TokenCredential['getToken']): TokenCredential => ({ getToken });
const tokenOf = credential(async () => ({ token: TOKEN, expiresOnTimestamp: Date.now() + 60_000 }));

describe('faults: the handshake', () => {
  it.each([401, 403, 404, 429, 500])(
    'ends with HandshakeError %i and leaves nothing behind',
    async (status) => {
      const h = later(await httpStatusServer(status, `{"error":{"message":"denied"}}`));
      const { error } = await run(connect({ endpoint: h.endpoint, deployment: 'd', apiKey: KEY })(NEVER));
      expect(error).toBeInstanceOf(HandshakeError);
      expect((error as HandshakeError).status).toBe(status);
    },
  );

  it('scrubs every secret the connection holds from a refusal that echoes them', async () => {
    const h = later(
      await httpStatusServer(
        401,
        JSON.stringify({ error: { message: `bad key ${KEY} and token ${TOKEN}` } }),
      ),
    );
    const withKey = await run(connect({ endpoint: h.endpoint, deployment: 'd', apiKey: KEY })(NEVER));
    expect((withKey.error as Error).message).toContain('bad key *** and token');
    const withToken = await run(
      connect({ endpoint: h.endpoint, deployment: 'd', credential: tokenOf })(NEVER),
    );
    expect((withToken.error as Error).message).toContain('token ***');
    for (const [e, secret] of [
      [withKey.error, KEY],
      [withToken.error, TOKEN],
    ] as const)
      for (const text of [String(e), JSON.stringify(e), (e as Error).stack ?? ''])
        expect(text).not.toContain(secret);
  });

  it('bounds a getToken() that never settles by handshakeTimeoutMs', async () => {
    const s = later(await wsServer());
    const hanging = credential(() => new Promise(() => undefined));
    const { error } = await run(
      connect({ endpoint: s.endpoint, deployment: 'd', credential: hanging, handshakeTimeoutMs: 200 })(NEVER),
    );
    expect(error).toBeInstanceOf(CredentialError);
    expect((error as Error).message).toBe(
      'the credential returned no token for https://cognitiveservices.azure.com/.default within 200 ms',
    );
    expect(s.requests).toHaveLength(0);
  });

  it('ends with CredentialError when the credential throws', async () => {
    const failing = credential(async () => Promise.reject(new Error(`boom ${KEY}`)));
    const s = later(await wsServer());
    const { error } = await run(
      connect({ endpoint: s.endpoint, deployment: 'd', apiKey: KEY, credential: failing })(NEVER),
    );
    expect(error).toBeInstanceOf(CredentialError);
    expect((error as Error).message).not.toContain(KEY);
  });

  it('times out a black-holed handshake with ETIMEDOUT', async () => {
    const s = later(await wsServer());
    const p = later(await tcpProxy(s.port, { blackHole: true }));
    const { error } = await run(
      connect({ endpoint: p.endpoint, deployment: 'd', apiKey: KEY, handshakeTimeoutMs: 200 })(NEVER),
    );
    expect(error).toBeInstanceOf(HandshakeError);
    expect((error as HandshakeError).code).toBe('ETIMEDOUT');
  });
});

describe('faults: after open', () => {
  const opts = (endpoint: string, more: Partial<ConnectOptions> = {}): ConnectOptions => ({
    endpoint,
    deployment: 'd',
    apiKey: KEY,
    pingIntervalMs: 0,
    ...more,
  });

  it('says a keep-alive drop was the missing pong (black hole after open)', async () => {
    const s = later(await wsServer());
    const p = later(await tcpProxy(s.port));
    const stream = connect(opts(p.endpoint, { pingIntervalMs: 50 }))(NEVER);
    const result = run(stream);
    await new Promise((r) => setTimeout(r, 100));
    p.blackHole();
    const { values, error } = await result;
    expect(values.map((v) => v.type)).toEqual(['session.created']);
    expect((error as ConnectionClosedError).code).toBe(1006);
    expect((error as Error).message).toBe('connection closed with 1006 (keep-alive: no pong within 50 ms)');
  });

  it('ends with 1006 on a cut, the last server error a field and not the message', async () => {
    const s = later(
      await wsServer((socket) => {
        socket.send(SESSION_CREATED);
        socket.send(
          JSON.stringify({
            type: 'error',
            event_id: 'e',
            error: { type: 'rate_limit_error', code: 'rate_limit_exceeded', message: 'slow down' },
          }),
        );
      }),
    );
    const p = later(await tcpProxy(s.port));
    const result = run(connect(opts(p.endpoint))(NEVER));
    await new Promise((r) => setTimeout(r, 100));
    p.cut();
    const { error } = await result;
    expect((error as ConnectionClosedError).code).toBe(1006);
    expect((error as Error).message).toBe('connection closed with 1006');
    expect((error as ConnectionClosedError).lastErrorCode).toBe('rate_limit_exceeded');
  });

  it('closes with 1009 on an oversized frame and 1007 on invalid UTF-8', async () => {
    const big = later(
      await wsServer((socket) => {
        socket.send(SESSION_CREATED);
        socket.send('x'.repeat(4096));
      }),
    );
    const oversized = await run(connect(opts(big.endpoint, { maxPayload: 1024 }))(NEVER));
    expect((oversized.error as ConnectionClosedError).code).toBe(1009);
    const bad = later(
      await wsServer((socket) => {
        socket.send(SESSION_CREATED);
        // a raw unmasked text frame whose payload is not UTF-8
        (socket as unknown as { _socket: import('node:net').Socket })._socket.write(
          Buffer.from([0x81, 2, 0xc3, 0x28]),
        );
      }),
    );
    const invalid = await run(connect(opts(bad.endpoint))(NEVER));
    expect((invalid.error as ConnectionClosedError).code).toBe(1007);
  });

  it('terminates the socket at BackpressureError: no pending write, no close timer', async () => {
    const s = later(
      await wsServer((socket) => {
        socket.send(SESSION_CREATED);
        (socket as unknown as { _socket: import('node:net').Socket })._socket.pause(); // reads nothing
      }),
    );
    const before = activeResources();
    const client = new Subject<ClientEvent>();
    const result = run(
      connect(opts(s.endpoint, { highWaterMark: 64 * 1024, maxQueuedBytes: 1024 * 1024 }))(client),
    );
    await new Promise((r) => setTimeout(r, 50));
    const audio = 'A'.repeat(256 * 1024);
    let ended = false;
    void result.then(() => (ended = true));
    while (!ended) {
      client.next({ type: 'input_audio_buffer.append', audio });
      await new Promise((r) => setImmediate(r));
    }
    expect((await result).error).toBeInstanceOf(BackpressureError);
    // the server's own accepted socket stays (it is paused); the client's socket and any timer are gone
    await expectResourcesBackTo({ ...before, TCPSocketWrap: (before.TCPSocketWrap ?? 0) + 1 });
  });

  it('keeps one drain poll, not one scheduled action per poll, while the socket is stalled', async () => {
    const s = later(
      await wsServer((socket) => {
        socket.send(SESSION_CREATED);
        (socket as unknown as { _socket: import('node:net').Socket })._socket.pause();
      }),
    );
    let scheduled = 0;
    const counting: SchedulerLike = {
      now: () => asyncScheduler.now(),
      schedule: (work: never, delay?: number, state?: never) => {
        scheduled++;
        return asyncScheduler.schedule(work, delay, state);
      },
    } as SchedulerLike;
    const client = new Subject<ClientEvent>();
    const sub = connect(
      opts(s.endpoint, {
        scheduler: counting,
        highWaterMark: 1024,
        sessionCreatedTimeoutMs: 0,
        handshakeTimeoutMs: 0,
      }),
    )(client).subscribe({ error: () => undefined });
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 200; i++)
      client.next({ type: 'input_audio_buffer.append', audio: 'A'.repeat(64 * 1024) });
    const atStall = scheduled;
    await new Promise((r) => setTimeout(r, 500)); // ~50 polls
    expect(scheduled - atStall).toBeLessThanOrEqual(1);
    sub.unsubscribe();
  });
});

describe('faults: dialects', () => {
  it("sends OpenAI-Beta for dialect: 'preview' on a custom /v1/realtime URL", async () => {
    const s = later(await wsServer());
    await firstValueFrom(
      connect({ url: `ws://127.0.0.1:${s.port}/v1/realtime?model=m`, dialect: 'preview', bearerToken: KEY })(
        NEVER,
      ),
    );
    expect(s.requests[0]!.headers['openai-beta']).toBe('realtime=v1');
  });

  it('errors with DialectMismatchError when the events are of the other dialect', async () => {
    const s = later(
      await wsServer((socket) => {
        socket.send(SESSION_CREATED);
        socket.send(
          JSON.stringify({
            type: 'response.output_audio.delta',
            event_id: 'e',
            response_id: 'r',
            item_id: 'i',
            output_index: 0,
            content_index: 0,
            delta: 'AAAA',
          }),
        );
      }),
    );
    const { error } = await run(
      connect({ url: `ws://127.0.0.1:${s.port}/v1/realtime?model=m`, dialect: 'preview', bearerToken: KEY })(
        NEVER,
      ),
    );
    expect(error).toBeInstanceOf(DialectMismatchError);
    expect((error as Error).message).toBe(
      "the server speaks the ga dialect (response.output_audio.delta) but this connection expects preview: set dialect: 'ga'",
    );
  });
});

describe('faults: many connections', () => {
  it('holds heap near its baseline after 500 connect/close cycles', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const s = later(await wsServer());
    const cycle = () =>
      firstValueFrom(
        connect({ endpoint: s.endpoint, deployment: 'd', apiKey: KEY, pingIntervalMs: 0 })(NEVER),
      );
    for (let i = 0; i < 50; i++) await cycle(); // warm up
    gc();
    const start = process.memoryUsage().heapUsed;
    for (let i = 0; i < 500; i++) await cycle();
    await new Promise((r) => setTimeout(r, 100));
    gc();
    const growth = process.memoryUsage().heapUsed - start;
    expect(growth).toBeLessThan(8 * 1024 * 1024);
  });
});

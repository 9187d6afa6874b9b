import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { NEVER, Subject, firstValueFrom, lastValueFrom, from, retry, take, toArray, filter } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BackpressureError,
  ConnectionClosedError,
  CredentialError,
  HandshakeError,
  SessionTimeoutError,
  connect,
  connectWithState,
  isConnectionState,
  type ConnectOptions,
  type TokenCredential,
} from '../../src/client';
import { isDecodeFailure, type ClientEvent } from '../../src/protocol';
import { SESSION_CREATED, httpStatusServer, run, wsServer, type TestServer } from './servers';

const KEY = 'sk-test-SECRET-KEY-123';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
async function server(onConnection?: Parameters<typeof wsServer>[0]): Promise<TestServer> {
  const s = await wsServer(onConnection);
  cleanups.push(() => s.close());
  return s;
}
const opts = (s: { endpoint: string }, more: Partial<ConnectOptions> = {}): ConnectOptions => ({
  endpoint: s.endpoint,
  deployment: 'dep',
  apiKey: KEY,
  pingIntervalMs: 0,
  ...more,
});
const waitFor = async (cond: () => boolean, ms = 3000) => {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};
/** No secret in any rendering of an error. */
function expectNoSecret(err: unknown, ...secrets: string[]) {
  const e = err as Error;
  for (const text of [String(e), e.stack ?? '', JSON.stringify(e), e.message]) {
    for (const secret of secrets) expect(text).not.toContain(secret);
  }
}

describe('connect: where and how it authenticates', () => {
  it('opens the preview path with the api-key header, a request id and a User-Agent', async () => {
    const s = await server();
    const events = await firstValueFrom(connect(opts(s))(NEVER));
    expect(events.type).toBe('session.created');
    const req = s.requests[0]!;
    expect(req.url).toBe('/openai/realtime?api-version=2025-04-01-preview&deployment=dep');
    expect(req.headers['api-key']).toBe(KEY);
    expect(req.headers['authorization']).toBeUndefined();
    expect(req.headers['x-ms-client-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(req.headers['user-agent']).toMatch(/^rx-realtime\/0\.1\.0 Node\/v\d+/);
  });

  it('opens the GA path with the key as a query parameter when asked', async () => {
    const s = await server();
    await firstValueFrom(connect(opts(s, { dialect: 'ga', apiKeyIn: 'query' }))(NEVER));
    expect(s.requests[0]!.url).toBe(`/openai/v1/realtime?model=dep&api-key=${KEY}`);
    expect(s.requests[0]!.headers['api-key']).toBeUndefined();
  });

  it('sends a bearer token, and a fresh token from the credential for every connection (retry)', async () => {
    let n = 0;
    const scopes: unknown[] = [];
    const credential: TokenCredential = {
      getToken: async (scope) => {
        scopes.push(scope);
        return { token: `token-${++n}`, expiresOnTimestamp: Date.now() + 60_000 };
      },
    };
    let connections = 0;
    const s = await server((socket) => {
      connections++;
      if (connections === 1) socket.close(1011, 'internal error');
      else socket.send(SESSION_CREATED);
    });
    const first = await firstValueFrom(
      connect({ endpoint: s.endpoint, deployment: 'dep', credential, pingIntervalMs: 0 })(NEVER).pipe(
        retry(1),
      ),
    );
    expect(first.type).toBe('session.created');
    expect(s.requests.map((r) => r.headers['authorization'])).toEqual(['Bearer token-1', 'Bearer token-2']);
    expect(scopes).toEqual([
      'https://cognitiveservices.azure.com/.default',
      'https://cognitiveservices.azure.com/.default',
    ]);

    const b = await server();
    await firstValueFrom(
      connect({
        url: b.endpoint.replace('http', 'ws') + '/v1/realtime?model=m',
        bearerToken: 'ek_123',
        pingIntervalMs: 0,
      })(NEVER),
    );
    expect(b.requests[0]!.headers['authorization']).toBe('Bearer ek_123');
  });

  it('errors with CredentialError when the credential fails, without opening a socket', async () => {
    const s = await server();
    const credential: TokenCredential = {
      getToken: async () => Promise.reject(new Error('AADSTS700016: app not found')),
    };
    const { error } = await run(connect({ endpoint: s.endpoint, deployment: 'dep', credential })(NEVER));
    expect(error).toBeInstanceOf(CredentialError);
    expect((error as Error).message).toBe(
      'the credential failed to get a token for https://cognitiveservices.azure.com/.default: AADSTS700016: app not found',
    );
    expect(s.requests).toHaveLength(0);
  });
});

describe('connect: how it lives', () => {
  it('does nothing before subscription', async () => {
    const s = await server();
    connect(opts(s))(NEVER);
    await new Promise((r) => setTimeout(r, 50));
    expect(s.requests).toHaveLength(0);
  });

  it('holds client events until open, sends them in order, and keeps the socket open after they complete', async () => {
    const received: string[] = [];
    const s = await server((socket) => {
      socket.on('message', (m) => {
        received.push(JSON.parse(m.toString()).type);
        if (received.length === 3) socket.send(SESSION_CREATED);
      });
    });
    const client = from<ClientEvent[]>([
      { type: 'session.update', session: { instructions: 'x' } },
      { type: 'input_audio_buffer.append', audio: 'AAAA' },
      { type: 'input_audio_buffer.commit' },
    ]);
    const first = await firstValueFrom(connect(opts(s))(client));
    expect(first.type).toBe('session.created');
    expect(received).toEqual(['session.update', 'input_audio_buffer.append', 'input_audio_buffer.commit']);
    await waitFor(() => s.closes.length === 1); // firstValueFrom unsubscribed: closed by us, not by completion
    expect(s.closes).toEqual([1000]);
  });

  it('closes with 1000 when unsubscribed', async () => {
    // the client must have seen the socket open (its first event), not only the server its upgrade: before open
    // there is no close handshake to do, and the socket is terminated (1006)
    const s = await server((socket) => socket.send(SESSION_CREATED));
    let seen = 0;
    const sub = connect(opts(s))(NEVER).subscribe(() => seen++);
    await waitFor(() => seen === 1);
    sub.unsubscribe();
    await waitFor(() => s.closes.length === 1);
    expect(s.closes).toEqual([1000]);
  });

  it('completes only when the server closes with 1000', async () => {
    const s = await server((socket) => {
      socket.send(SESSION_CREATED);
      socket.close(1000, 'bye');
    });
    const { values, error } = await run(connect(opts(s))(NEVER));
    expect(error).toBeUndefined();
    expect(values.map((v) => v.type)).toEqual(['session.created']);
  });

  it.each([
    [1001, 'going away'],
    [1008, 'policy violation'],
    [1011, 'internal error'],
  ])('errors with ConnectionClosedError on a close with %i', async (code, reason) => {
    const s = await server((socket) => {
      socket.send(SESSION_CREATED);
      socket.close(code, reason);
    });
    const { error } = await run(connect(opts(s))(NEVER));
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as ConnectionClosedError).code).toBe(code);
    expect((error as Error).message).toBe(`connection closed with ${code} (${reason})`);
  });

  it('names session_expired when the close follows it, and keeps the error event as a value', async () => {
    const s = await server((socket) => {
      socket.send(SESSION_CREATED);
      socket.send(
        JSON.stringify({
          type: 'error',
          event_id: 'event_x',
          error: {
            type: 'invalid_request_error',
            code: 'session_expired',
            message: 'Your session hit the maximum duration of 30 minutes.',
            param: null,
            event_id: null,
          },
        }),
      );
      socket.close(1001, '');
    });
    const { values, error } = await run(connect(opts(s))(NEVER));
    expect(values.map((v) => v.type)).toEqual(['session.created', 'error']);
    expect((error as Error).message).toBe('connection closed with 1001');
    expect((error as ConnectionClosedError).lastErrorCode).toBe('session_expired');
  });

  it('errors with 1006 when the socket drops without a close frame', async () => {
    const s = await server((socket) => {
      socket.send(SESSION_CREATED);
      setTimeout(() => socket.terminate(), 20);
    });
    const { error } = await run(connect(opts(s))(NEVER));
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as ConnectionClosedError).code).toBe(1006);
  });

  it('turns frames that do not decode into values and goes on', async () => {
    const s = await server((socket) => {
      socket.send(SESSION_CREATED);
      socket.send('not json');
      socket.send(Buffer.from([1, 2, 3]), { binary: true });
      socket.send(JSON.stringify({ type: 'response.done', event_id: 'e', response: 5 }));
      socket.send(JSON.stringify({ type: 'input_audio_buffer.cleared', event_id: 'e2' }));
      socket.close(1000);
    });
    const { values, error } = await run(connect(opts(s))(NEVER));
    expect(error).toBeUndefined();
    expect(values.map((v) => (isDecodeFailure(v) ? v.message : v.type))).toEqual([
      'session.created',
      'invalid JSON: Unexpected token \'o\', "not json" is not valid JSON',
      'binary frame (3 bytes): the Realtime protocol sends only JSON text frames',
      'response.done: expected Response at response, got 5',
      'input_audio_buffer.cleared',
    ]);
  });

  it('errors with SessionTimeoutError when session.created does not come', async () => {
    const s = await server(() => {});
    const { error } = await run(connect(opts(s, { sessionCreatedTimeoutMs: 50 }))(NEVER));
    expect(error).toBeInstanceOf(SessionTimeoutError);
    expect((error as Error).message).toBe('no session.created within 50 ms of the socket opening');
  });

  it('reports its states: connecting, open, closed with code and reason', async () => {
    const s = await server((socket) => {
      socket.send(SESSION_CREATED);
      socket.close(1000, 'done');
    });
    const states = await lastValueFrom(
      connectWithState(opts(s))(NEVER).pipe(filter(isConnectionState), toArray()),
    );
    expect(states.map((st) => [st.state, st.code, st.reason])).toEqual([
      ['connecting', undefined, undefined],
      ['open', undefined, undefined],
      ['closed', 1000, 'done'],
    ]);
  });

  it('errors the stream and closes with 1000 when the client events error', async () => {
    const s = await server();
    const client = new Subject<ClientEvent>();
    const result = run(connect(opts(s))(client));
    await waitFor(() => s.sockets.length === 1);
    client.error(new Error('microphone unplugged'));
    expect((await result).error).toEqual(new Error('microphone unplugged'));
    await waitFor(() => s.closes.length === 1);
    expect(s.closes).toEqual([1000]);
  });
});

describe('connect: failed handshakes', () => {
  it.each([
    [
      401,
      '{"error":{"code":"401","message":"Access denied due to invalid subscription key."}}',
      'Access denied due to invalid subscription key.',
    ],
    [
      404,
      '{"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist."}}',
      'The API deployment for this resource does not exist.',
    ],
    [429, 'Too Many Requests', 'Too Many Requests'],
    [500, '', ''],
  ])('errors with HandshakeError carrying HTTP %i and the service message', async (status, body, message) => {
    const h = await httpStatusServer(status, body);
    cleanups.push(h.close);
    const { error } = await run(connect({ endpoint: h.endpoint, deployment: 'dep', apiKey: KEY })(NEVER));
    expect(error).toBeInstanceOf(HandshakeError);
    expect((error as HandshakeError).status).toBe(status);
    const url = `ws://127.0.0.1:${new URL(h.endpoint).port}/openai/realtime?api-version=2025-04-01-preview&deployment=dep`;
    expect((error as Error).message).toBe(
      `handshake to ${url} answered HTTP ${status} Status${message ? `: ${message}` : ''}`,
    );
    expectNoSecret(error, KEY);
  });

  it('never shows a query key in an error', async () => {
    const h = await httpStatusServer(401, '{"error":{"message":"bad key"}}');
    cleanups.push(h.close);
    const { error } = await run(
      connect({ endpoint: h.endpoint, deployment: 'dep', apiKey: KEY, apiKeyIn: 'query' })(NEVER),
    );
    expect((error as HandshakeError).url).toContain('api-key=***');
    expectNoSecret(error, KEY);
  });

  it('errors with HandshakeError, the cause kept and the key scrubbed, when the transport throws', async () => {
    const thrown = new Error(`this transport opens nothing (it was given ${KEY})`);
    const { error } = await run(
      connect({
        endpoint: 'https://example.invalid',
        deployment: 'd',
        apiKey: KEY,
        transport: {
          sendsHeaders: true,
          open: () => {
            throw thrown;
          },
        },
      })(NEVER),
    );
    expect(error).toBeInstanceOf(HandshakeError);
    expect((error as Error).message).toContain('the transport threw: this transport opens nothing');
    expect((error as Error).cause).toBe(thrown);
    expect((error as Error).message).not.toContain(KEY);
  });

  it('errors with a network code when the host does not resolve or refuses', async () => {
    const dns = await run(
      connect({ endpoint: 'https://no-such-host.invalid', deployment: 'd', apiKey: KEY })(NEVER),
    );
    expect(dns.error).toBeInstanceOf(HandshakeError);
    expect((dns.error as HandshakeError).code).toMatch(/ENOTFOUND|EAI_AGAIN/);
    expect(((dns.error as Error).cause as NodeJS.ErrnoException).code).toBe(
      (dns.error as HandshakeError).code,
    );
    expectNoSecret(dns.error, KEY);

    const net: NetServer = createNetServer();
    await new Promise<void>((r) => net.listen(0, '127.0.0.1', r));
    const port = (net.address() as AddressInfo).port;
    await new Promise<void>((r) => net.close(() => r()));
    const refused = await run(
      connect({ endpoint: `http://127.0.0.1:${port}`, deployment: 'd', apiKey: KEY })(NEVER),
    );
    expect((refused.error as HandshakeError).code).toBe('ECONNREFUSED');
  });

  it('errors when TLS is spoken to a plain server', async () => {
    const s = await server();
    const { error } = await run(
      connect({ url: `wss://127.0.0.1:${s.port}/v1/realtime?model=m`, apiKey: KEY })(NEVER),
    );
    expect(error).toBeInstanceOf(HandshakeError);
    expect((error as HandshakeError).code).toBeDefined();
  });

  it('times out a handshake that never answers', async () => {
    const accepted: import('node:net').Socket[] = [];
    const net: NetServer = createNetServer((socket) => accepted.push(socket)); // accepts TCP, never answers HTTP
    await new Promise<void>((r) => net.listen(0, '127.0.0.1', r));
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          for (const socket of accepted) socket.destroy();
          net.close(() => r());
        }),
    );
    const port = (net.address() as AddressInfo).port;
    const { error } = await run(
      connect({
        endpoint: `http://127.0.0.1:${port}`,
        deployment: 'd',
        apiKey: KEY,
        handshakeTimeoutMs: 100,
      })(NEVER),
    );
    expect(error).toBeInstanceOf(HandshakeError);
    expect((error as HandshakeError).code).toBe('ETIMEDOUT');
  });
});

describe('connect: many messages', () => {
  it('delivers every frame in order', async () => {
    const s = await server((socket) => {
      socket.send(SESSION_CREATED);
      for (let i = 0; i < 500; i++)
        socket.send(JSON.stringify({ type: 'input_audio_buffer.cleared', event_id: `e${i}` }));
      socket.close(1000);
    });
    const ids = await lastValueFrom(connect(opts(s))(NEVER).pipe(take(501), toArray()));
    expect(ids.slice(1).map((e) => (e as { event_id: string }).event_id)).toEqual(
      Array.from({ length: 500 }, (_, i) => `e${i}`),
    );
  });
});

describe('connect: limits and transports', () => {
  it('drops a peer that stops answering pings (1006)', async () => {
    const s = await wsServer((socket) => socket.send(SESSION_CREATED));
    cleanups.push(() => s.close());
    // a second server whose sockets never answer pings
    const { WebSocketServer } = await import('ws');
    const silent = new WebSocketServer({ port: 0, host: '127.0.0.1', autoPong: false });
    await new Promise((r) => silent.once('listening', r));
    silent.on('connection', (socket) => socket.send(SESSION_CREATED));
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          for (const c of silent.clients) c.terminate();
          silent.close(() => r());
        }),
    );
    const port = (silent.address() as AddressInfo).port;
    const { values, error } = await run(
      connect({ url: `ws://127.0.0.1:${port}/v1/realtime?model=m`, apiKey: KEY, pingIntervalMs: 30 })(NEVER),
    );
    expect(values.map((v) => v.type)).toEqual(['session.created']);
    expect((error as ConnectionClosedError).code).toBe(1006);
  });

  it('closes with 1009 on a frame above maxPayload', async () => {
    const s = await server((socket) => {
      socket.send(SESSION_CREATED);
      socket.send(JSON.stringify({ type: 'input_audio_buffer.cleared', event_id: 'x'.repeat(2000) }));
    });
    const { error } = await run(connect(opts(s, { maxPayload: 1024 }))(NEVER));
    expect((error as ConnectionClosedError).code).toBe(1009);
    expect((error as Error).message).toBe('connection closed with 1009 (Max payload size exceeded)');
  });

  it('errors with BackpressureError instead of queueing without bound, dropping nothing before', async () => {
    const s = await server(() => {}); // never sends session.created; events wait for open meanwhile
    const appends = Array.from({ length: 10 }, (): ClientEvent => ({
      type: 'input_audio_buffer.append',
      audio: 'A'.repeat(400),
    }));
    const { error } = await run(connect(opts(s, { maxQueuedBytes: 2000 }))(from(appends)));
    expect(error).toBeInstanceOf(BackpressureError);
    expect((error as Error).message).toMatch(
      /^\d+ bytes of client events are waiting to be sent \(maxQueuedBytes 2000\): the socket cannot drain$/,
    );
  });

  it('works over a WHATWG-style WebSocket constructor, with the key in the query', async () => {
    const s = await server();
    const { WebSocket: WS } = await import('ws');
    const first = await firstValueFrom(
      connect(opts(s, { apiKeyIn: 'query', WebSocket: WS as unknown as ConnectOptions['WebSocket'] }))(NEVER),
    );
    expect(first.type).toBe('session.created');
    expect(s.requests[0]!.url).toContain(`api-key=${KEY}`);
    expect(s.requests[0]!.headers['api-key']).toBeUndefined();
  });

  it('sends OpenAI-Beta only to OpenAI on the preview dialect', async () => {
    const { handshakeHeaders } = await import('../../src/client/handshake');
    const { realtimeUrl } = await import('../../src/client/url');
    const headers = async (o: ConnectOptions) =>
      (await handshakeHeaders(o, realtimeUrl(o), 'rid'))['OpenAI-Beta'];
    expect(await headers({ model: 'gpt-4o-realtime-preview', dialect: 'preview', bearerToken: 'k' })).toBe(
      'realtime=v1',
    );
    expect(await headers({ model: 'gpt-realtime', bearerToken: 'k' })).toBeUndefined();
    expect(
      await headers({ endpoint: 'https://r.openai.azure.com', deployment: 'd', apiKey: 'k' }),
    ).toBeUndefined();
  });
});

// Ephemeral keys end to end on real sockets: createClientSecret() mints one at the emulator (OpenAI and Azure GA
// paths), the key opens a WebSocket the way a page sends it (subprotocols) until it expires, and every failure is
// a typed error without a key.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { ClientSecretError, createClientSecret, type FetchLike } from '../../src/client/clientSecrets';
import { ConfigurationError } from '../../src/client/errors';
import { clientSecrets } from '../../src/testing/clientSecrets';
import { startEmulator, type Emulator } from '../../src/testing/emulator';
import { authorize, refuse } from '../../src/testing/routes';

/** Opens a WebSocket with these subprotocols (what a page's `new WebSocket(url, protocols)` sends). */
function open(url: string, protocols: string[], headers: Record<string, string> = {}) {
  return new Promise<{ status: number; protocol?: string; first?: string }>((resolve) => {
    const ws = new WebSocket(url, protocols, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.on('message', (data) => {
      resolve({ status: 101, protocol: ws.protocol, first: JSON.parse(data.toString()).type });
      ws.close();
    });
    ws.on('error', () => undefined);
  });
}

const page = (key: string) => ['realtime', `openai-insecure-api-key.${key}`];

describe('ephemeral keys at the emulator', () => {
  let emulator: Emulator;
  let ws: string;
  beforeAll(async () => {
    emulator = await startEmulator({ pace: 'fast', speech: 'builtin' });
    ws = emulator.endpoint.replace('http', 'ws');
  });
  afterAll(() => emulator.close());

  it('mints a key at the Azure GA path that opens a GA session through the subprotocols', async () => {
    const secret = await createClientSecret({
      endpoint: emulator.endpoint,
      apiKey: emulator.apiKey,
      deployment: 'my-realtime',
      expiresAfterSeconds: 120,
    });
    expect(secret.value).toMatch(/^ek_[0-9a-f]{32}$/);
    expect(secret.expiresAt - Math.floor(Date.now() / 1000)).toBeGreaterThanOrEqual(118);
    expect(secret.expiresAt - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(121);
    expect(secret.session).toMatchObject({
      type: 'realtime',
      object: 'realtime.session',
      model: 'my-realtime',
    });
    expect(await open(`${ws}/openai/v1/realtime?model=my-realtime`, page(secret.value))).toEqual({
      status: 101,
      protocol: 'realtime',
      first: 'session.created',
    });
  });

  it('mints a key at the OpenAI path with a bearer key; it opens /v1/realtime, beta subprotocol included', async () => {
    const secret = await createClientSecret({
      url: `${emulator.endpoint}/v1/realtime/client_secrets`,
      bearerToken: emulator.apiKey,
      session: { type: 'realtime', model: 'gpt-realtime', instructions: 'Be brief.' },
    });
    expect(secret.session).toMatchObject({ model: 'gpt-realtime', instructions: 'Be brief.' });
    expect(await open(`${ws}/v1/realtime?model=gpt-realtime`, page(secret.value))).toMatchObject({
      status: 101,
    });
    expect(
      await open(`${ws}/v1/realtime?model=gpt-realtime`, [...page(secret.value), 'openai-beta.realtime-v1']),
    ).toMatchObject({ status: 101, first: 'session.created' });
    // and as a bearer header, as a server would send it
    expect(
      await open(`${ws}/v1/realtime?model=gpt-realtime`, [], { authorization: `Bearer ${secret.value}` }),
    ).toMatchObject({ status: 101 });
  });

  it('refuses a key it never minted, and a minted key on the preview path (401 before the upgrade)', async () => {
    const secret = await createClientSecret({
      endpoint: emulator.endpoint,
      apiKey: emulator.apiKey,
      deployment: 'd',
    });
    expect(await open(`${ws}/openai/v1/realtime?model=d`, page('ek_not-minted-here'))).toEqual({
      status: 401,
    });
    expect(await open(`${ws}/v1/realtime?model=d`, page('ek_not-minted-here'))).toEqual({ status: 401 });
    expect(
      await open(`${ws}/openai/realtime?api-version=2025-04-01-preview&deployment=d`, [], {
        authorization: `Bearer ${secret.value}`,
      }),
    ).toEqual({ status: 401 });
  });

  it('answers a wrong api key with 401 as a typed error that never holds the key', async () => {
    const err = await createClientSecret({
      endpoint: emulator.endpoint,
      apiKey: 'wrong-key-1234567890',
      deployment: 'd',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientSecretError);
    const e = err as ClientSecretError;
    expect(e.status).toBe(401);
    expect(e.url).toBe(`${emulator.endpoint}/openai/v1/realtime/client_secrets`);
    expect(e.message).toBe(
      `${emulator.endpoint}/openai/v1/realtime/client_secrets answered HTTP 401 Unauthorized: Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.`,
    );
    expect(JSON.stringify(e) + e.message + String(e.stack)).not.toContain('wrong-key-1234567890');
  });

  it('passes on the endpoint 400 for a missing session.model on Azure and an out-of-range lifetime', async () => {
    const err = (await createClientSecret({ endpoint: emulator.endpoint, apiKey: emulator.apiKey }).catch(
      (e: unknown) => e,
    )) as ClientSecretError;
    expect([err.status, err.code]).toEqual([400, 'invalid_value']);
    expect(err.message).toMatch(
      /answered HTTP 400 Bad Request: Missing required parameter: 'session.model'\.$/,
    );
    await expect(
      createClientSecret({ endpoint: emulator.endpoint, apiKey: emulator.apiKey, expiresAfterSeconds: 5 }),
    ).rejects.toThrow(
      new ConfigurationError('expiresAfterSeconds must be an integer from 10 to 7200, got 5'),
    );
  });
});

describe('createClientSecret', () => {
  it('sends the Azure api-key header, the GA body and the expiry to the GA path (injected fetch)', async () => {
    const calls: Parameters<FetchLike>[] = [];
    const fetch: FetchLike = async (...args) => {
      calls.push(args);
      return { status: 200, statusText: 'OK', text: async () => '{"value":"ek_1","expires_at":1700000000}' };
    };
    const secret = await createClientSecret({
      endpoint: 'https://r.openai.azure.com/',
      apiKey: 'k',
      deployment: 'gpt-realtime',
      expiresAfterSeconds: 300,
      fetch,
    });
    expect(secret).toEqual({ value: 'ek_1', expiresAt: 1700000000, session: {} });
    expect(calls).toEqual([
      [
        'https://r.openai.azure.com/openai/v1/realtime/client_secrets',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'api-key': 'k' },
          body: '{"expires_after":{"anchor":"created_at","seconds":300},"session":{"type":"realtime","model":"gpt-realtime"}}',
        },
      ],
    ]);
  });

  it('goes to OpenAI with a bearer when there is no endpoint, and an Entra token as a bearer to Azure', async () => {
    const urls: string[] = [];
    const auth: (string | undefined)[] = [];
    const fetch: FetchLike = async (url, init) => {
      urls.push(url);
      auth.push(init.headers['authorization']);
      return { status: 200, statusText: 'OK', text: async () => '{"value":"ek_2","expires_at":1}' };
    };
    await createClientSecret({ bearerToken: 'sk-x', fetch });
    const scopes: unknown[] = [];
    await createClientSecret({
      endpoint: 'https://r.openai.azure.com',
      deployment: 'd',
      credential: { getToken: async (s) => (scopes.push(s), { token: 'entra', expiresOnTimestamp: 0 }) },
      fetch,
    });
    expect(urls).toEqual([
      'https://api.openai.com/v1/realtime/client_secrets',
      'https://r.openai.azure.com/openai/v1/realtime/client_secrets',
    ]);
    expect(auth).toEqual(['Bearer sk-x', 'Bearer entra']);
    expect(scopes).toEqual(['https://cognitiveservices.azure.com/.default']);
  });

  it('reports a network failure with the key scrubbed, and an answer without a key', async () => {
    const failing: FetchLike = async () => {
      throw new TypeError('fetch failed for secret-key-42');
    };
    const err = (await createClientSecret({
      endpoint: 'https://r.openai.azure.com',
      apiKey: 'secret-key-42',
      fetch: failing,
    }).catch((e: unknown) => e)) as ClientSecretError;
    expect(err).toBeInstanceOf(ClientSecretError);
    expect(err.message).toBe(
      'cannot reach https://r.openai.azure.com/openai/v1/realtime/client_secrets: fetch failed for ***',
    );
    const empty: FetchLike = async () => ({ status: 200, statusText: 'OK', text: async () => '{}' });
    await expect(createClientSecret({ bearerToken: 'x', fetch: empty })).rejects.toThrow(
      'https://api.openai.com/v1/realtime/client_secrets answered HTTP 200 without a key: expected { value: string, expires_at: number }',
    );
  });

  it('refuses options that cannot mint: no auth, plain http to a remote host', async () => {
    await expect(createClientSecret({ endpoint: 'https://r.openai.azure.com' })).rejects.toThrow(
      'no apiKey, bearerToken or credential: the endpoint needs one to mint a key',
    );
    await expect(createClientSecret({ url: 'http://example.com/x', apiKey: 'k' })).rejects.toThrow(
      'refusing plain http:// to example.com: the key would travel unencrypted (use https://, or allowInsecure: true)',
    );
  });
});

describe('the emulator keeps a minted key until it expires', () => {
  // the store's clock is injected: a small server on 127.0.0.1 serves it and authorizes upgrades with it
  let now = 1_700_000_000_000;
  const store = clientSecrets(() => now);
  const apiKey = 'store-key';
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const wss = new WebSocketServer({ noServer: true });
    server = createServer((req, res) => {
      if (!store.serve(req, res, { apiKey })) res.writeHead(404).end();
    });
    server.on('upgrade', (req, socket: Socket, head) => {
      const denied = authorize(
        req,
        { flavour: 'azure-ga', dialect: 'ga', model: 'm' },
        { apiKey, ephemeral: store.accepts },
      );
      if (denied) return refuse(socket, denied);
      wss.handleUpgrade(req, socket, head, (ws) => ws.send('{"type":"session.created"}'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('accepts the key up to its expiry, then answers 401', async () => {
    const secret = await createClientSecret({
      endpoint: `http://${base}`,
      apiKey,
      deployment: 'm',
      expiresAfterSeconds: 10,
    });
    expect(secret.expiresAt).toBe(1_700_000_010);
    now += 9_999;
    expect(await open(`ws://${base}/openai/v1/realtime?model=m`, page(secret.value))).toMatchObject({
      status: 101,
    });
    now += 1;
    expect(await open(`ws://${base}/openai/v1/realtime?model=m`, page(secret.value))).toEqual({
      status: 401,
    });
    expect(store.accepts(secret.value)).toBe(false);
  });

  it('does not let a minted key mint another', async () => {
    const secret = await createClientSecret({ endpoint: `http://${base}`, apiKey, deployment: 'm' });
    const err = (await createClientSecret({
      endpoint: `http://${base}`,
      bearerToken: secret.value,
      deployment: 'm',
    }).catch((e: unknown) => e)) as ClientSecretError;
    expect(err.status).toBe(401);
    expect(err.message).not.toContain(secret.value);
  });
});

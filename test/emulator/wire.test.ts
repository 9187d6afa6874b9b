// The emulator on the wire, with raw `ws` clients: paths, auth and refusals before the upgrade, TLS, frames the
// library's client would never send, replay, and close().
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { lastValueFrom, NEVER, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connect, ConnectionClosedError } from '../../src/client';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/testing/emulator';
import { selfSignedCertificate } from '../../src/testing/tls';
import { emulatorFixture, handshake, notKnown, useSessions, userText, type Ev } from './harness';

const emulators: Emulator[] = [];
afterEach(async () => {
  for (const e of emulators.splice(0)) await e.close();
});
async function emulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const e = await startEmulator({ pace: 'fast', speech: 'builtin', apiKey: 'the-key', ...options });
  emulators.push(e);
  return e;
}
const ws = (e: Emulator) => e.endpoint.replace(/^http/, 'ws');

const INVALID_KEY =
  'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.';

describe('handshakes', () => {
  it('opens the Azure preview path with the api-key header or query, and names the deployment as the model', async () => {
    const e = await emulator();
    const header = await handshake(
      `${ws(e)}/openai/realtime?api-version=2025-04-01-preview&deployment=my-dep`,
      {
        headers: { 'api-key': 'the-key' },
      },
    );
    expect(header).toMatchObject({
      first: { type: 'session.created', session: { model: 'my-dep', object: 'realtime.session' } },
    });
    const first = (header as { first: Ev }).first;
    expect(notKnown([first as never], 'preview')).toEqual([]);
    expect('type' in (first['session'] as object)).toBe(false); // a beta session has no type (§4)
    for (const version of ['2024-10-01-preview', '2024-12-17']) {
      const query = await handshake(
        `${ws(e)}/openai/realtime?api-version=${version}&deployment=d&api-key=the-key`,
      );
      expect(query).toMatchObject({ first: { type: 'session.created' } });
    }
  });

  it("takes the contract's connect() options as they are: endpoint, deployment 'any', the dated api-version, the key", async () => {
    const e = await emulator();
    const first = await new Promise<string>((resolve, reject) => {
      const sub = connect({
        endpoint: e.endpoint,
        deployment: 'any',
        apiVersion: '2025-04-01-preview',
        apiKey: e.apiKey,
      })(NEVER).subscribe({
        next: (ev) => {
          resolve(ev.type as string);
          sub.unsubscribe();
        },
        error: reject,
      });
    });
    expect(first).toBe('session.created');
  });

  it('refuses like Azure, before the upgrade: status and JSON body', async () => {
    const e = await emulator({ verifyToken: (t) => t === 'entra-token' });
    const preview = `${ws(e)}/openai/realtime?api-version=2025-04-01-preview&deployment=d`;
    expect(await handshake(preview, { headers: { 'api-key': 'wrong' } })).toEqual({
      status: 401,
      body: { error: { code: '401', message: INVALID_KEY } },
    });
    expect(await handshake(preview)).toEqual({
      status: 401,
      body: {
        error: {
          code: '401',
          message:
            'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.',
        },
      },
    });
    expect(await handshake(preview, { headers: { authorization: 'Bearer not-it' } })).toEqual({
      status: 401,
      body: {
        error: {
          code: '401',
          message:
            'Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com), or have expired.',
        },
      },
    });
    // the key is not a bearer token on the preview path
    expect(await handshake(preview, { headers: { authorization: 'Bearer the-key' } })).toMatchObject({
      status: 401,
    });
    expect(await handshake(preview, { headers: { authorization: 'Bearer entra-token' } })).toMatchObject({
      first: { type: 'session.created' },
    });
    // an api-version on the v1 (GA) path is a 401 [AZ-mig]
    expect(
      await handshake(`${ws(e)}/openai/v1/realtime?model=d&api-version=2025-04-01-preview`, {
        headers: { 'api-key': 'the-key' },
      }),
    ).toEqual({
      status: 401,
      body: {
        error: {
          code: '401',
          message: 'The api-version query parameter is not allowed when using /v1 path.',
        },
      },
    });
    expect(
      await handshake(`${ws(e)}/openai/realtime?api-version=2099-01-01&deployment=d&api-key=the-key`),
    ).toEqual({
      status: 404,
      body: { error: { code: '404', message: 'Resource not found' } },
    });
    expect(
      await handshake(`${ws(e)}/openai/realtime?api-version=2025-04-01-preview&api-key=the-key`),
    ).toMatchObject({
      status: 404,
      body: { error: { code: 'DeploymentNotFound' } },
    });
    expect(await handshake(`${ws(e)}/openai/v1/realtime?api-key=the-key`)).toEqual({
      status: 400,
      body: {
        error: {
          message: "Missing required parameter: 'model'.",
          type: 'invalid_request_error',
          param: 'model',
          code: 'missing_required_parameter',
        },
      },
    });
    expect(await handshake(`${ws(e)}/somewhere/else?api-key=the-key`)).toMatchObject({ status: 404 });
  });

  it('opens the Azure GA path with the api-key, or the key as a bearer', async () => {
    const e = await emulator();
    const url = `${ws(e)}/openai/v1/realtime?model=gpt-realtime`;
    for (const headers of [{ 'api-key': 'the-key' }, { authorization: 'Bearer the-key' }] as Record<
      string,
      string
    >[]) {
      const r = await handshake(url, { headers });
      expect(r).toMatchObject({
        first: { type: 'session.created', session: { type: 'realtime', model: 'gpt-realtime' } },
      });
      expect(notKnown([(r as { first: never }).first], 'ga')).toEqual([]);
    }
  });

  it("serves OpenAI's /v1/realtime: GA by default, beta with the OpenAI-Beta header or subprotocol", async () => {
    const e = await emulator();
    const url = `${ws(e)}/v1/realtime?model=gpt-realtime`;
    const ga = await handshake(url, { headers: { authorization: 'Bearer the-key' } });
    expect(ga).toMatchObject({ first: { session: { type: 'realtime', output_modalities: ['audio'] } } });
    const beta = await handshake(url, {
      headers: { authorization: 'Bearer the-key', 'openai-beta': 'realtime=v1' },
    });
    expect(beta).toMatchObject({ first: { session: { modalities: ['audio', 'text'] } } });
    // browsers: the key and the beta flag in subprotocols; the server picks "realtime"
    const socket = new WebSocket(url, [
      'realtime',
      'openai-insecure-api-key.the-key',
      'openai-beta.realtime-v1',
    ]);
    const first = await new Promise<Ev>((resolve, reject) => {
      socket.once('message', (d) => resolve(JSON.parse(d.toString()) as Ev));
      socket.once('error', reject);
    });
    expect(socket.protocol).toBe('realtime');
    expect((first['session'] as Record<string, unknown>)['modalities']).toEqual(['audio', 'text']);
    socket.close();
    // OpenAI takes no api-key header, and never echoes a key
    expect(await handshake(url, { headers: { 'api-key': 'the-key' } })).toEqual({
      status: 401,
      body: {
        error: {
          message:
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      },
    });
    expect(await handshake(url, { headers: { authorization: 'Bearer sk-wrong' } })).toEqual({
      status: 401,
      body: {
        error: {
          message: 'Incorrect API key provided.',
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      },
    });
  });

  it('forces a dialect with the dialect option, and answers plain HTTP with 426', async () => {
    const e = await emulator({ dialect: 'ga' });
    expect(e.url).toBe(`${ws(e)}/openai/v1/realtime?model=emulator`);
    const r = await handshake(`${ws(e)}/openai/realtime?api-version=2025-04-01-preview&deployment=d`, {
      headers: { 'api-key': 'the-key' },
    });
    expect(r).toMatchObject({ first: { session: { type: 'realtime' } } });
    const res = await fetch(`${e.endpoint}/openai/realtime`);
    expect(res.status).toBe(426);
  });
});

/** A raw socket to a preview or GA session, with the frames received. */
async function rawSession(e: Emulator, path: string) {
  const socket = new WebSocket(`${ws(e)}${path}`, { headers: { 'api-key': 'the-key' } });
  const frames: Ev[] = [];
  const waiting: (() => void)[] = [];
  socket.on('message', (d) => {
    frames.push(JSON.parse(d.toString()) as Ev);
    waiting.splice(0).forEach((w) => w());
  });
  await new Promise((r) => socket.once('open', r));
  const next = async (type: string) => {
    for (;;) {
      const found = frames.find((f) => f.type === type);
      if (found) {
        frames.splice(frames.indexOf(found), 1);
        return found;
      }
      await new Promise<void>((r) => waiting.push(r));
    }
  };
  return { socket, frames, next };
}

describe('frames only a raw client sends', () => {
  it('answers a binary frame and invalid JSON with errors, and goes on', async () => {
    const e = await emulator();
    const s = await rawSession(e, '/openai/realtime?api-version=2025-04-01-preview&deployment=d');
    s.socket.send(Buffer.from([1, 2, 3]));
    expect((await s.next('error'))['error']).toEqual({
      type: 'invalid_request_error',
      code: 'invalid_event',
      message: 'Binary frames are not supported: send each event as a JSON text frame.',
      param: null,
      event_id: null,
    });
    s.socket.send('{"type": "session.update", ');
    expect(((await s.next('error'))['error'] as { message: string }).message).toMatch(
      /^Invalid client event: /,
    );
    s.socket.send(JSON.stringify({ type: 'session.update', session: { instructions: 'still here' } }));
    expect(((await s.next('session.updated'))['session'] as { instructions: string }).instructions).toBe(
      'still here',
    );
    s.socket.close();
  });

  it("refuses a GA session.update without session.type, in the service's words", async () => {
    const e = await emulator();
    const s = await rawSession(e, '/openai/v1/realtime?model=d');
    s.socket.send(
      JSON.stringify({ type: 'session.update', event_id: 'evt_1', session: { instructions: 'x' } }),
    );
    expect((await s.next('error'))['error']).toEqual({
      type: 'invalid_request_error',
      code: 'missing_required_parameter',
      message: "Missing required parameter: 'session.type'.",
      param: 'session.type',
      event_id: 'evt_1',
    });
    s.socket.close();
  });

  it('sends conversation.created after session.created only when asked', async () => {
    const e = await emulator({ sendConversationCreated: true });
    const s = await rawSession(e, '/openai/realtime?api-version=2025-04-01-preview&deployment=d');
    await s.next('conversation.created');
    const plain = await emulator();
    const p = await rawSession(plain, '/openai/realtime?api-version=2025-04-01-preview&deployment=d');
    p.socket.send(JSON.stringify({ type: 'input_audio_buffer.clear' }));
    await p.next('input_audio_buffer.cleared');
    expect(p.frames.map((f) => f.type)).toEqual(['session.created']); // and no conversation.created
    s.socket.close();
    p.socket.close();
  });
});

describe('TLS', () => {
  const start = useSessions();

  it('makes a certificate for 127.0.0.1 and localhost that a client trusting it accepts, and others refuse', async () => {
    const e = await emulator({ tls: true });
    expect(e.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(e.url).toMatch(
      /^wss:\/\/127\.0\.0\.1:\d+\/openai\/realtime\?api-version=2025-04-01-preview&deployment=emulator$/,
    );
    const cert = new X509Certificate(e.certificate!);
    expect(cert.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.verify(cert.publicKey)).toBe(true); // self-signed
    expect(new Date(cert.validFrom).getTime()).toBeLessThanOrEqual(Date.now());
    const trusted = await handshake(e.url, { headers: { 'api-key': 'the-key' }, ca: e.certificate });
    expect(trusted).toMatchObject({ first: { type: 'session.created' } });
    await expect(handshake(e.url, { headers: { 'api-key': 'the-key' } })).rejects.toThrow(
      'self-signed certificate',
    );
  });

  it('takes a { key, cert } of your own', async () => {
    const mine = selfSignedCertificate(1);
    expect(createPrivateKey(mine.key).asymmetricKeyType).toBe('ec');
    const e = await emulator({ tls: mine });
    expect(e.certificate).toBe(mine.cert);
    expect(await handshake(e.url, { headers: { 'api-key': 'the-key' }, ca: mine.cert })).toMatchObject({
      first: { type: 'session.created' },
    });
  });

  it('runs a whole turn through connect() with the certificate as its ca', async () => {
    const s = await start('ga', { tls: true, reply: [{ text: 'Over TLS.' }] });
    s.send(userText('hi'), { type: 'response.create' });
    const done = await s.next('response.done');
    expect(
      (done['response'] as { output: { content: { transcript: string }[] }[] }).output[0]!.content[0]!
        .transcript,
    ).toBe('Over TLS.');
  });
});

describe('replay', () => {
  const lines = emulatorFixture('ga-openai-gpt-realtime-vad-turn.bravedigger-sip-gateway.jsonl')
    .split('\n')
    .filter(Boolean);

  it('plays a recorded session to every client as recorded, then closes with 1000', async () => {
    const e = await emulator({ replay: lines });
    for (let i = 0; i < 2; i++) {
      const events = await lastValueFrom(
        connect({
          endpoint: e.endpoint,
          deployment: 'd',
          dialect: 'ga',
          apiKey: e.apiKey,
          sessionCreatedTimeoutMs: 0,
          pingIntervalMs: 0,
        })(NEVER).pipe(toArray()),
      );
      expect(events.map((x) => JSON.stringify(x))).toEqual(lines.map((l) => JSON.stringify(JSON.parse(l))));
    }
  });

  it('takes JSONL text, and paces audio deltas by their duration in realtime pace', async () => {
    const delta = (n: number) =>
      JSON.stringify({
        type: 'response.output_audio.delta',
        event_id: `e${n}`,
        response_id: 'r',
        item_id: 'i',
        output_index: 0,
        content_index: 0,
        delta: Buffer.alloc(480).toString('base64'),
      });
    const e = await emulator({ replay: `${delta(1)}\n${delta(2)}\n\n${delta(3)}\n`, pace: 'realtime' });
    const events = await lastValueFrom(
      connect({
        endpoint: e.endpoint,
        deployment: 'd',
        dialect: 'ga',
        apiKey: e.apiKey,
        sessionCreatedTimeoutMs: 0,
        pingIntervalMs: 0,
      })(NEVER).pipe(toArray()),
    );
    expect(events.map((x) => (x as { event_id?: unknown }).event_id)).toEqual(['e1', 'e2', 'e3']);
  });
});

describe('close()', () => {
  it('closes every socket with 1001 going away (no uncaught 1006), resolves, and frees the port', async () => {
    const e = await startEmulator({ pace: 'realtime', speech: 'builtin' });
    const errors: unknown[] = [];
    const opened: Promise<void>[] = [];
    for (let i = 0; i < 3; i++) {
      opened.push(
        new Promise((resolve) => {
          connect({ endpoint: e.endpoint, deployment: 'd', apiKey: e.apiKey, pingIntervalMs: 0 })(
            NEVER,
          ).subscribe({
            next: (ev) => ev.type === 'session.created' && resolve(),
            error: (err) => errors.push(err),
          });
        }),
      );
    }
    await Promise.all(opened);
    expect(e.sessions()).toBe(3);
    const closing = e.close();
    expect(e.close()).toBe(closing);
    await closing;
    expect(e.sessions()).toBe(0);
    await expect.poll(() => errors.length).toBe(3);
    expect(
      errors.map((err) => [(err as ConnectionClosedError).code, (err as ConnectionClosedError).reason]),
    ).toEqual([
      [1001, 'going away'],
      [1001, 'going away'],
      [1001, 'going away'],
    ]);
    await expect(handshake(e.url)).rejects.toThrow(/ECONNREFUSED/);
  });
});

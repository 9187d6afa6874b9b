/**
 * `startEmulator()`: a local server that speaks the Realtime protocol like the Azure OpenAI endpoint does, so
 * that pipelines run and are tested offline (as Azurite does for Azure Storage).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Dialect } from '../protocol';
import {
  EmulatedSession,
  type Reply,
  type ReplyContext,
  type ReplyPolicy,
  type Transcriber,
} from './session';
import { selfSignedCertificate } from './tls';

export interface EmulatorOptions {
  /** Forces the dialect; default: the one the path implies (preview for `/openai/realtime`, GA for `/openai/v1/realtime`; on `/v1/realtime`, preview with the `OpenAI-Beta: realtime=v1` header, else GA). `url` uses this (default `'preview'`). */
  readonly dialect?: Dialect;
  /** Port on 127.0.0.1; default `0` (any free port). */
  readonly port?: number;
  /** `true`: HTTPS/WSS with a self-signed certificate made here (see `Emulator.certificate`); or your `{ key, cert }`. Default `false`. */
  readonly tls?: boolean | { readonly key: string; readonly cert: string };
  /** The key clients must send (`api-key` header or query, or as bearer on GA). Default: a random one. */
  readonly apiKey?: string;
  /** Accepts an `Authorization: Bearer` token (Entra tokens, OpenAI keys). Default: only the api key, on GA and OpenAI paths. */
  readonly verifyToken?: (token: string) => boolean;
  /** How it answers: a policy function, or a list of scripted replies used in turn (then the default policy). Default: {@link defaultReply}. */
  readonly reply?: ReplyPolicy | readonly Reply[];
  /** `'realtime'`: paced like the service (first audio after ~200 ms, audio at twice real time). `'fast'`: no waits. Default `'realtime'`. */
  readonly pace?: 'realtime' | 'fast';
  /** Input transcription, when the session enables it. Default: {@link placeholderTranscriber}. */
  readonly transcriber?: Transcriber;
  /** Session length before `session_expired` and a 1001 close. Default 30 minutes (Azure, protocol README §1). */
  readonly maxSessionMs?: number;
  /** Send the beta spec's `conversation.created` after `session.created` (real services do not). Default `false`. */
  readonly sendConversationCreated?: boolean;
  /** `'auto'`: espeak-ng when installed, else the built-in voice; `'builtin'`: always the built-in voice. Default `'auto'`. */
  readonly speech?: 'auto' | 'builtin';
  /** Replay mode: instead of a live session, send these recorded server events (JSONL lines or objects) to every client, then close with 1000. */
  readonly replay?: readonly (string | object)[];
}

export interface Emulator {
  /** `http(s)://127.0.0.1:<port>`: the "Azure resource endpoint" to give to `connect()`. */
  readonly endpoint: string;
  /** The full `ws(s)://` realtime URL of its default dialect, query included (no key in it). */
  readonly url: string;
  readonly apiKey: string;
  /** The PEM certificate to trust when `tls` is on. */
  readonly certificate: string | undefined;
  /** Sessions open now. */
  readonly sessions: () => number;
  /** Closes every socket and the server. */
  close(): Promise<void>;
}

/** The default policy: a spoken sentence about what it heard or read. It says it is the emulator. */
export const defaultReply: ReplyPolicy = (context: ReplyContext): Reply => {
  if (context.functionOutputs.length > 0) {
    return {
      text: `The function returned ${context.functionOutputs.map((o) => o.output).join(', ')}. This is the rx-realtime emulator.`,
    };
  }
  const input = context.input;
  if (input.kind === 'text')
    return { text: `You said: ${input.text}. This is the rx-realtime emulator answering.` };
  if (input.kind === 'audio') {
    const seconds = ((input.audioMs ?? 0) / 1000).toFixed(1);
    return {
      text: `I heard about ${seconds} seconds of speech. This is the rx-realtime emulator answering.`,
    };
  }
  return { text: 'Hello from the rx-realtime emulator.' };
};

/** The default transcriber: deterministic, and it says it is not a real transcription. */
export const placeholderTranscriber: Transcriber = (_pcm, ms) =>
  `[emulator: ${(ms / 1000).toFixed(1)} s of speech, not transcribed]`;

/** Preview api-versions Azure serves (protocol README §1). */
const PREVIEW_VERSIONS = /^\d{4}-\d{2}-\d{2}(-preview)?$/;

/**
 * Starts an emulator on 127.0.0.1.
 *
 * @example
 * ```ts
 * import { connect } from 'rx-realtime';
 * import { startEmulator } from 'rx-realtime/testing';
 * const emulator = await startEmulator();
 * const realtime = connect({ endpoint: emulator.endpoint, deployment: 'any', apiVersion: '2025-04-01-preview', apiKey: emulator.apiKey });
 * // …
 * await emulator.close();
 * ```
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const apiKey = options.apiKey ?? `emulator-${randomBytes(12).toString('hex')}`;
  const tls = options.tls === true ? selfSignedCertificate() : options.tls || undefined;
  const server: Server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }) : createHttpServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 32 * 1024 * 1024 });
  const sockets = new Set<WebSocket>();
  const rawSockets = new Set<Socket>();
  const scripted = Array.isArray(options.reply) ? [...(options.reply as Reply[])] : undefined;
  const policy: ReplyPolicy =
    typeof options.reply === 'function'
      ? options.reply
      : (ctx) => (scripted && scripted.length > 0 ? scripted.shift()! : defaultReply(ctx));

  server.on('connection', (s: Socket) => {
    rawSockets.add(s);
    s.on('close', () => rawSockets.delete(s));
  });
  server.on('request', (_req, res) => {
    res.writeHead(426, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ error: { code: 'UpgradeRequired', message: 'This endpoint speaks WebSocket.' } }),
    );
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const route = routeOf(req, options.dialect);
    if ('status' in route) return refuse(socket, route.status, route.code, route.message);
    if (!authorized(req, route.ga, apiKey, options.verifyToken)) {
      return refuse(
        socket,
        401,
        '401',
        'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
      );
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      if (options.replay) return replay(ws, options.replay);
      const session = new EmulatedSession({
        dialect: route.dialect,
        model: route.model,
        pace: options.pace ?? 'realtime',
        reply: policy,
        transcriber: options.transcriber ?? placeholderTranscriber,
        maxSessionMs: options.maxSessionMs ?? 30 * 60_000,
        sendConversationCreated: options.sendConversationCreated ?? false,
        speech: options.speech ?? 'auto',
        send: (frame) => {
          if (ws.readyState === ws.OPEN) ws.send(frame);
        },
        drop: () => ws.terminate(),
        close: (code, reason) => ws.close(code, reason),
      });
      ws.on('message', (data, isBinary) => {
        if (isBinary) {
          ws.send(
            JSON.stringify({
              type: 'error',
              event_id: `event_${randomBytes(8).toString('hex')}`,
              error: {
                type: 'invalid_request_error',
                code: 'invalid_event',
                message: 'Binary frames are not supported: send JSON text frames.',
                param: null,
                event_id: null,
              },
            }),
          );
          return;
        }
        session.receive(data.toString('utf8'));
      });
      ws.on('close', () => session.dispose());
      session.start();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const scheme = tls ? 'https' : 'http';
  const endpoint = `${scheme}://127.0.0.1:${port}`;
  const ws = tls ? 'wss' : 'ws';
  const url =
    (options.dialect ?? 'preview') === 'preview'
      ? `${ws}://127.0.0.1:${port}/openai/realtime?api-version=2025-04-01-preview&deployment=emulator`
      : `${ws}://127.0.0.1:${port}/openai/v1/realtime?model=emulator`;
  let closing: Promise<void> | undefined;
  return {
    endpoint,
    url,
    apiKey,
    certificate: tls?.cert,
    sessions: () => sockets.size,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        for (const s of sockets) s.terminate();
        for (const s of rawSockets) s.destroy();
        wss.close();
        server.close(() => resolve());
      })),
  };
}

type Route =
  { dialect: Dialect; ga: boolean; model: string } | { status: number; code: string; message: string };

/** Paths and queries as Azure and OpenAI serve them (protocol README §1, §8). */
function routeOf(req: IncomingMessage, forced: Dialect | undefined): Route {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const path = url.pathname.replace(/\/+$/, '');
  const q = url.searchParams;
  if (path === '/openai/realtime') {
    const version = q.get('api-version');
    if (!version || !PREVIEW_VERSIONS.test(version)) {
      return {
        status: 404,
        code: '404',
        message: `Resource not found: api-version ${version ?? '(missing)'} is not served on /openai/realtime.`,
      };
    }
    const deployment = q.get('deployment');
    if (!deployment)
      return {
        status: 404,
        code: 'DeploymentNotFound',
        message: 'The API deployment for this resource does not exist.',
      };
    return { dialect: forced ?? 'preview', ga: false, model: deployment };
  }
  if (path === '/openai/v1/realtime') {
    // Azure's v1 endpoint refuses an api-version with 401 (protocol README §1, [AZ-mig])
    if (q.has('api-version'))
      return { status: 401, code: '401', message: 'api-version is not allowed on /openai/v1 endpoints.' };
    const model = q.get('model');
    if (!model)
      return { status: 400, code: 'invalid_request_error', message: 'Missing required parameter: model.' };
    return { dialect: forced ?? 'ga', ga: true, model };
  }
  if (path === '/v1/realtime') {
    const model = q.get('model');
    if (!model)
      return { status: 400, code: 'invalid_request_error', message: 'Missing required parameter: model.' };
    const beta = /realtime=v1/.test(String(req.headers['openai-beta'] ?? ''));
    return { dialect: forced ?? (beta ? 'preview' : 'ga'), ga: true, model };
  }
  return { status: 404, code: '404', message: 'Resource not found' };
}

function authorized(
  req: IncomingMessage,
  ga: boolean,
  apiKey: string,
  verifyToken?: (token: string) => boolean,
): boolean {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const given = String(req.headers['api-key'] ?? url.searchParams.get('api-key') ?? '');
  if (given && same(given, apiKey)) return true;
  const auth = String(req.headers['authorization'] ?? '');
  const bearer = /^Bearer (.+)$/i.exec(auth)?.[1];
  if (bearer) {
    if (verifyToken?.(bearer)) return true;
    if (ga && same(bearer, apiKey)) return true; // Azure's v1 endpoint takes the key as a bearer too
  }
  // browsers: openai-node passes the key in a subprotocol (protocol README §1, Auth)
  const protocols = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim());
  const inSubprotocol = protocols
    .find((p) => p.startsWith('openai-insecure-api-key.'))
    ?.slice('openai-insecure-api-key.'.length);
  return inSubprotocol !== undefined && same(inSubprotocol, apiKey);
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function refuse(socket: Socket, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found' }[status] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

function replay(ws: WebSocket, events: readonly (string | object)[]): void {
  let i = 0;
  const next = () => {
    while (i < events.length && ws.readyState === ws.OPEN) {
      const e = events[i++]!;
      ws.send(typeof e === 'string' ? e : JSON.stringify(e));
      if (ws.bufferedAmount > 1024 * 1024) return void setImmediate(next); // let the socket drain
    }
    if (ws.readyState === ws.OPEN) ws.close(1000, 'replay finished');
  };
  next();
}

/**
 * `startEmulator()`: a local server that speaks the Realtime protocol like the Azure OpenAI endpoint does, so that
 * pipelines run and are tested offline.
 *
 * It's like Azurite for Azure Storage, but for the Realtime API: the paths, auth, events and their order are the
 * service's; the answers come from a reply policy instead of a
 * model, and the speech from an offline synthesiser.
 */
// source: protocol README §1, §3, §4, §6, §8
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Dialect } from '../protocol';
import {
  defaultReply,
  placeholderTranscriber,
  scriptedReplies,
  type Reply,
  type ReplyPolicy,
  type Transcriber,
} from './replies';
import { FaultPlan, refusalBody, type EmulatorFaults, type FaultOptions, type FaultTarget } from './faults';
import { recordingFrames, replay, type Recording } from './replay';
import { clientSecrets } from './clientSecrets';
import { authorize, isRefusal, refuse, routeOf } from './routes';
import { systemClock, type Clock } from './clock';
import { EmulatedSession } from './session';
import { selfSignedCertificate } from './tls';

// kept importable from here (the testing index exports them from this file)
export { defaultReply, placeholderTranscriber };

export interface EmulatorOptions extends FaultOptions {
  /**
   * Forces the dialect of every session. Default: the one the path implies (preview on `/openai/realtime`, GA on
   * `/openai/v1/realtime`; on `/v1/realtime`, preview with the `OpenAI-Beta: realtime=v1` header, else GA).
   * `emulator.url` is the URL of this dialect (default `'preview'`).
   */
  readonly dialect?: Dialect | undefined;
  /** Port on 127.0.0.1. Default `0` (any free port). */
  readonly port?: number | undefined;
  /**
   * `true`: HTTPS/WSS with a self-signed certificate made at start (see `Emulator.certificate`); or your own
   * `{ key, cert }` (PEM). Default `false` (plain HTTP/WS).
   */
  readonly tls?: boolean | { readonly key: string; readonly cert: string } | undefined;
  /** The key clients must send (`api-key` header or query, or as a bearer on GA paths). Default: a random one. */
  readonly apiKey?: string | undefined;
  /** Accepts an `Authorization: Bearer` token (an Entra token, an OpenAI key). Default: no token is valid. */
  readonly verifyToken?: ((token: string) => boolean) | undefined;
  /**
   * How it answers: a policy `(context) => Reply`, or a list of scripted replies used in turn across the
   * emulator's sessions, then {@link defaultReply}. Default {@link defaultReply}.
   */
  readonly reply?: ReplyPolicy | readonly Reply[] | undefined;
  /**
   * `'realtime'`: paced like the service (first audio after ~200 ms, then 100 ms of audio every 50 ms, a text word
   * every 30 ms). `'fast'`: no waits (tests, benchmarks). Default `'realtime'`.
   */
  readonly pace?: 'realtime' | 'fast' | undefined;
  /** Input transcription, when a session turns it on. Default {@link placeholderTranscriber}. */
  readonly transcriber?: Transcriber | undefined;
  /** Session length before the `session_expired` error and a 1001 close. Default 30 minutes (Azure). */
  // source: protocol README §1
  readonly maxSessionMs?: number | undefined;
  /** Sends the beta spec's `conversation.created` after `session.created` (real services do not). Default `false`. */
  // source: protocol README §6
  readonly sendConversationCreated?: boolean | undefined;
  /** `'auto'`: espeak-ng when installed, else the built-in voice; `'builtin'`: always the built-in voice. Default `'auto'`. */
  readonly speech?: 'auto' | 'builtin' | undefined;
  /**
   * Replay mode: every client gets these recorded server events (JSONL text, its lines, or objects) instead of a
   * live session, paced by `pace`, then a 1000 close. Default: none (live sessions).
   */
  readonly replay?: Recording | undefined;
  /** Conversation items kept per session; the oldest are forgotten beyond. Default `500`. */
  readonly maxItems?: number | undefined;
  /** Input audio kept per user turn for the transcriber (the rest is counted, not kept). Default `60000` ms. */
  readonly maxTurnAudioMs?: number | undefined;
  /** A TCP connection that has not completed a WebSocket handshake by then is closed. Default `10000` ms. */
  readonly upgradeTimeoutMs?: number | undefined;
  /**
   * The clock of `expires_at`, session expiry and response pacing: a test's own to drive time (the upgrade timeout
   * and `close()`'s grace stay on Node's timers). Default: Node's clock and timers.
   */
  readonly clock?: Clock | undefined;
}

/** How long `close()` waits for clients to answer its close frame before it cuts their sockets. */
const CLOSE_GRACE_MS = 2000;

export interface Emulator {
  /** `http(s)://127.0.0.1:<port>`: the "Azure resource endpoint" to give to `connect()`. */
  readonly endpoint: string;
  /** The full `ws(s)://` realtime URL of its default dialect, query included (the key is not in it). */
  readonly url: string;
  /** The key clients must send. */
  readonly apiKey: string;
  /** The PEM certificate to trust when `tls` is on (`connect({ ca })`, `new WebSocket(url, { ca })`). */
  readonly certificate: string | undefined;
  /** How many sockets are open now. */
  readonly sessions: () => number;
  /**
   * Fault injection: drop, close with 1011 or stall sessions at an event, after a time or at seeded random
   * points, and refuse handshakes with 429 or 5xx (see {@link EmulatorFaults}).
   */
  readonly faults: EmulatorFaults;
  /**
   * Closes every socket with a close frame (1001, going away; a client that does not answer within 2 s is cut) and
   * the server; resolves when all are gone.
   */
  close(): Promise<void>;
}

/**
 * Starts an emulator on 127.0.0.1.
 *
 * ```text
 * client ──handshake──► 401/404 before upgrade, or ──► session.created … (the session) … close
 * ```
 *
 * @example
 * ```ts
 * import { connect } from 'rx-realtime';
 * import { startEmulator } from 'rx-realtime/testing';
 *
 * const emulator = await startEmulator({ pace: 'fast' });
 * const realtime = connect({
 *   endpoint: emulator.endpoint,
 *   deployment: 'any',
 *   apiVersion: '2025-04-01-preview',
 *   apiKey: emulator.apiKey,
 * });
 * // … your pipeline and its assertions …
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
  const policy: ReplyPolicy =
    typeof options.reply === 'function'
      ? options.reply
      : scriptedReplies((options.reply as readonly Reply[] | undefined) ?? []);
  const frames = options.replay === undefined ? undefined : recordingFrames(options.replay);
  const pace = options.pace ?? 'realtime';
  const faults = new FaultPlan(options);
  const clock = options.clock ?? systemClock;
  let opened = 0;
  const secrets = clientSecrets();

  const upgraded = new WeakSet<Socket>();
  const upgradeTimeoutMs = options.upgradeTimeoutMs ?? 10_000;
  server.on('connection', (s: Socket) => {
    rawSockets.add(s);
    // a peer's reset (ECONNRESET …) ends its own socket, never the process
    s.on('error', () => undefined);
    // a connection that never completes a handshake is closed (a port scanner, a half-open client)
    const timer = setTimeout(() => {
      if (!upgraded.has(s)) s.destroy();
    }, upgradeTimeoutMs);
    s.on('close', () => {
      clearTimeout(timer);
      rawSockets.delete(s);
    });
  });
  server.on('request', (req, res) => {
    if (secrets.serve(req, res, { apiKey, verifyToken: options.verifyToken })) return;
    res.writeHead(426, { 'content-type': 'application/json', upgrade: 'websocket' });
    res.end(
      JSON.stringify({ error: { code: 'UpgradeRequired', message: 'This endpoint speaks WebSocket.' } }),
    );
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const refused = faults.refusal();
    if (refused !== undefined) return refuse(socket, { status: refused, body: refusalBody(refused) });
    const route = routeOf(req, options.dialect);
    if (isRefusal(route)) return refuse(socket, route);
    const denied = authorize(req, route, {
      apiKey,
      verifyToken: options.verifyToken,
      ephemeral: secrets.accepts,
    });
    if (denied) return refuse(socket, denied);
    upgraded.add(socket);
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      // a protocol violation (invalid UTF-8, an oversized or unmasked frame, a reserved opcode, RSV1, close code
      // 1005, a fragmented control frame …): ws closes this socket with 1002/1007/1009; only this client loses it
      ws.on('error', () => undefined);
      ws.on('close', () => sockets.delete(ws));
      if (frames) return void replay(ws, frames, pace);
      const target: FaultTarget = { index: opened++, hit: (action) => session.hit(action) };
      const session = new EmulatedSession({
        dialect: route.dialect,
        model: route.model,
        pace,
        reply: policy,
        transcriber: options.transcriber ?? placeholderTranscriber,
        maxSessionMs: options.maxSessionMs ?? 30 * 60_000,
        sendConversationCreated: options.sendConversationCreated ?? false,
        speech: options.speech ?? 'auto',
        maxItems: options.maxItems ?? 500,
        maxTurnAudioMs: options.maxTurnAudioMs ?? 60_000,
        clock,
        kind: route.intent ?? 'realtime',
        send: (frame) => {
          if (ws.readyState === ws.OPEN) ws.send(frame);
        },
        drop: () => ws.terminate(),
        close: (code, reason) => ws.close(code, reason),
        pause: () => ws.pause(),
        resume: () => ws.resume(),
        buffered: () => ws.bufferedAmount,
        stall: () => ws.pause(),
        fault: (type) => faults.at(target, type),
      });
      ws.on('message', (data, isBinary) => {
        if (isBinary) session.receiveBinary();
        else session.receive(data.toString());
      });
      ws.on('close', () => {
        faults.closed(target);
        session.dispose();
      });
      faults.opened(target);
      session.start();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const wsBase = `${tls ? 'wss' : 'ws'}://127.0.0.1:${port}`;
  const url =
    (options.dialect ?? 'preview') === 'preview'
      ? `${wsBase}/openai/realtime?api-version=2025-04-01-preview&deployment=emulator`
      : `${wsBase}/openai/v1/realtime?model=emulator`;
  let closing: Promise<void> | undefined;
  return {
    endpoint,
    url,
    apiKey,
    certificate: tls?.cert,
    sessions: () => sockets.size,
    faults,
    close: () =>
      (closing ??= (async () => {
        // every session is disposed (timers, VAD, responses) by the time close() resolves
        const gone = [...sockets].map((s) => new Promise((r) => s.once('close', r)));
        faults.dispose();
        // a close frame first (1001, going away), so a client still subscribed sees a clean ending; a peer that
        // does not answer it (or reads nothing) is cut after CLOSE_GRACE_MS
        for (const s of sockets) s.close(1001, 'going away');
        const grace = setTimeout(() => {
          for (const s of sockets) s.terminate();
        }, CLOSE_GRACE_MS);
        // connections that never upgraded have nothing to close
        for (const s of rawSockets) if (!upgraded.has(s)) s.destroy();
        wss.close();
        await Promise.all(gone);
        clearTimeout(grace);
        for (const s of rawSockets) s.destroy();
        await new Promise((r) => server.close(r));
      })()),
  };
}

/**
 * `connect()`: the Realtime WebSocket as a duplex of Observables.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { Observable, asyncScheduler, type Subscription } from 'rxjs';
import * as E from 'fp-ts/lib/Either.js';
import {
  decodeServerEvent,
  encodeClientEvent,
  frameDecoder,
  type ClientEvent,
  type Dialect,
  type ServerMessage,
} from '../protocol';
import {
  BackpressureError,
  ConnectionClosedError,
  CredentialError,
  HandshakeError,
  RealtimeConnectionError,
  SessionTimeoutError,
} from './errors';
import type { ConnectOptions } from './options';
import { realtimeUrl, redactUrl, type Target } from './url';
import { VERSION } from './version';

/** A change of the connection's state, a value in the stream of {@link connectWithState}. */
export interface ConnectionState {
  readonly type: 'rx-realtime.connection_state';
  readonly state: 'connecting' | 'open' | 'closing' | 'closed';
  /** The redacted URL. */
  readonly url: string;
  readonly dialect: Dialect;
  /** The `x-ms-client-request-id` of this connection. */
  readonly requestId: string;
  /** On `closed`: the close code (1006 = dropped) and reason. */
  readonly code?: number;
  readonly reason?: string;
}

/** True for a {@link ConnectionState} value. */
export const isConnectionState = (value: unknown): value is ConnectionState =>
  (value as { type?: unknown } | null)?.type === 'rx-realtime.connection_state';

const DEFAULT_SCOPE = 'https://cognitiveservices.azure.com/.default';

/** The close codes ws sends for its own protocol errors (RFC 6455 §7.4.1). */
const WS_ERROR_CLOSE_CODES: Record<string, number> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 1009,
  WS_ERR_INVALID_UTF8: 1007,
  WS_ERR_INVALID_OPCODE: 1002,
  WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH: 1002,
  WS_ERR_UNEXPECTED_MASK: 1002,
  WS_ERR_UNEXPECTED_RSV_1: 1002,
  WS_ERR_UNEXPECTED_RSV_2_3: 1002,
  WS_ERR_INVALID_CLOSE_CODE: 1002,
};

/**
 * Connects to the Realtime API: returns a function from client events to server events. Subscribing opens the
 * WebSocket; client events are sent in order as they come (held until the socket is open); unsubscribing closes
 * with 1000. Nothing happens before a subscription, and every subscription is a new connection (so `retry()`
 * reconnects, with a fresh token).
 *
 * It's like rxjs's `webSocket()`, but the two directions are separate Observables, every frame is decoded and
 * typed, a bad frame is a value (`isDecodeFailure`) instead of the end of the stream, and every way a connection
 * ends is a typed error carrying the code or status and reason, never a secret.
 *
 * ```text
 * clientEvents: --u------a-a-a----r--------     (held until open, then sent in order)
 * output:       ----s--U---------c--d--...--|   (| only when the server closes with 1000)
 * ```
 *
 * - completes only when the server closes with 1000 (the completion of `clientEvents` does not close anything);
 * - errors with `HandshakeError` (HTTP status / network code), `ConnectionClosedError` (1001, 1006, 1008, 1011…),
 *   `CredentialError`, `SessionTimeoutError`, `BackpressureError`, `ConfigurationError`, or the client events'
 *   own error (after closing the socket with 1000);
 * - server `error` events are values, never stream errors.
 *
 * @example
 * ```ts
 * import { connect } from 'rx-realtime';
 * import { DefaultAzureCredential } from '@azure/identity';
 * const realtime = connect({
 *   endpoint: 'https://my-resource.openai.azure.com',
 *   deployment: 'gpt-4o-mini-realtime-preview',
 *   credential: new DefaultAzureCredential(),
 * });
 * realtime(clientEvents$).subscribe((event) => console.log(event.type));
 * ```
 */
export function connect(
  options: ConnectOptions,
): (clientEvents: Observable<ClientEvent>) => Observable<ServerMessage> {
  return realtime(options, false) as (clientEvents: Observable<ClientEvent>) => Observable<ServerMessage>;
}

/**
 * Like {@link connect}, with the connection's state changes (`connecting`, `open`, `closing`, `closed` with code
 * and reason) as values in the same stream, recognised by {@link isConnectionState}.
 *
 * ```text
 * output:  g--o--s-U--…--k-(x|)     g = connecting, o = open, s = session.created, k = closing, x = closed
 * ```
 */
export function connectWithState(
  options: ConnectOptions,
): (clientEvents: Observable<ClientEvent>) => Observable<ServerMessage | ConnectionState> {
  return realtime(options, true);
}

/** Both: `withState` says whether the state changes go in the stream (one implementation, no extra layer). */
function realtime(
  options: ConnectOptions,
  withState: boolean,
): (clientEvents: Observable<ClientEvent>) => Observable<ServerMessage | ConnectionState> {
  return (clientEvents) =>
    new Observable<ServerMessage | ConnectionState>((subscriber) => {
      const scheduler = options.scheduler ?? asyncScheduler;
      const requestId = randomUUID();
      let target: Target;
      try {
        target = realtimeUrl(options);
      } catch (err) {
        subscriber.error(err);
        return;
      }
      const shownUrl = redactUrl(target.url);
      const state = (s: ConnectionState['state'], extra: { code?: number; reason?: string } = {}) =>
        withState &&
        subscriber.next({
          type: 'rx-realtime.connection_state',
          state: s,
          url: shownUrl,
          dialect: target.dialect,
          requestId,
          ...extra,
        });

      // Per-connection state, all released in teardown.
      let socket: WebSocket | globalThis.WebSocket | undefined;
      let finished = false; // the output stream has ended (or we are tearing down)
      let opened = false;
      let lastErrorCode: string | undefined;
      let socketError: NodeJS.ErrnoException | undefined; // what ws reported before a close without a frame
      const queue: string[] = []; // frames waiting for open or for the socket to drain
      let queuedBytes = 0;
      const timers: Subscription[] = [];
      const client: { subscription?: Subscription } = {}; // set below; read by cleanup, which may run first
      const highWaterMark = options.highWaterMark ?? 4 * 1024 * 1024;
      const maxQueued = options.maxQueuedBytes ?? 32 * 1024 * 1024;

      const fail = (err: unknown) => {
        if (finished) return;
        finished = true;
        cleanup();
        subscriber.error(err);
      };
      const cleanup = () => {
        for (const t of timers) t.unsubscribe();
        timers.length = 0;
        client.subscription?.unsubscribe();
        queue.length = 0;
        queuedBytes = 0;
      };
      const closeSocket = (code: number, reason: string) => {
        const s = socket;
        if (!s) return;
        if (s.readyState === s.CONNECTING) {
          if (s instanceof WebSocket) s.terminate();
          else s.close();
        } else if (s.readyState === s.OPEN) {
          s.close(code, reason);
        }
      };

      const bufferedAmount = () => socket?.bufferedAmount ?? 0;
      const flush = () => {
        while (
          queue.length > 0 &&
          socket &&
          socket.readyState === socket.OPEN &&
          bufferedAmount() < highWaterMark
        ) {
          const frame = queue.shift()!;
          queuedBytes -= frame.length;
          socket.send(frame);
        }
        if (queue.length > 0 && opened && !finished) {
          // the socket is above its high-water mark: look again shortly (ws emits no 'drain' on the socket)
          timers.push(scheduler.schedule(flush, 10));
        }
      };
      const send = (event: ClientEvent) => {
        let frame: string;
        try {
          frame = encodeClientEvent(event, target.dialect);
        } catch (err) {
          fail(
            new RealtimeConnectionError(
              `client event ${String((event as { type?: unknown }).type)} cannot be encoded: ${(err as Error).message}`,
              { requestId, cause: err },
            ),
          );
          return;
        }
        if (queue.length === 0 && opened && socket && bufferedAmount() < highWaterMark) {
          socket.send(frame);
          return;
        }
        // Held (before open, or while the socket drains). Nothing is dropped: audio and control events wait in
        // order; past maxQueuedBytes the stream errors rather than grow without bound.
        queue.push(frame);
        queuedBytes += frame.length;
        if (queuedBytes > maxQueued) {
          fail(
            new BackpressureError(
              `${queuedBytes} bytes of client events are waiting to be sent (maxQueuedBytes ${maxQueued}): the socket cannot drain`,
              { requestId },
            ),
          );
          closeSocket(1000, 'backpressure');
          return;
        }
        if (opened && queue.length === 1) flush();
      };

      // remembers the envelopes of this connection's deltas (see frameDecoder)
      const decodeFrame = frameDecoder(target.dialect);
      const onMessage = (data: unknown, isBinary: boolean) => {
        if (finished) return;
        // ws hands a text frame's UTF-8 bytes over as a Buffer (Buffer[] when fragmented); a WHATWG socket, a
        // string. frameDecoder reads deltas straight from the bytes.
        const result = isBinary
          ? decodeServerEvent(data as string, target.dialect) // reported as a binary frame
          : typeof data === 'string' || data instanceof Uint8Array
            ? decodeFrame(data)
            : Array.isArray(data)
              ? decodeFrame(Buffer.concat(data as Buffer[]))
              : decodeFrame(data instanceof ArrayBuffer ? new Uint8Array(data) : (data as string));
        if (E.isLeft(result)) return subscriber.next(result.left);
        const value = result.right;
        if (value.type === 'session.created') sessionCreated();
        else if (value.type === 'error')
          lastErrorCode = (value as { error?: { code?: unknown } }).error?.code as string | undefined;
        subscriber.next(value);
      };
      let sessionTimer: Subscription | undefined;
      const sessionCreated = () => {
        sessionTimer?.unsubscribe();
        sessionTimer = undefined;
      };
      const onOpen = () => {
        if (finished) return;
        opened = true;
        state('open');
        const timeout = options.sessionCreatedTimeoutMs ?? 15000;
        if (timeout > 0) {
          sessionTimer = scheduler.schedule(() => {
            fail(new SessionTimeoutError(timeout, { requestId }));
            closeSocket(1000, 'session.created timeout');
          }, timeout);
          timers.push(sessionTimer);
        }
        const ping = options.pingIntervalMs ?? 30000;
        const s = socket;
        if (ping > 0 && s instanceof WebSocket) {
          let alive = true;
          s.on('pong', () => (alive = true));
          timers.push(
            scheduler.schedule(function (this: { schedule(state?: unknown, delay?: number): void }) {
              if (!alive) {
                s.terminate(); // no pong since the last ping: the peer is gone (close 1006)
                return;
              }
              alive = false;
              s.ping();
              this.schedule(undefined, ping);
            }, ping),
          );
        }
        flush();
      };
      const onClose = (rawCode: number, rawReason: string) => {
        if (finished) return;
        // ws closes with 1006 after a protocol error of its own (a frame above maxPayload, bad UTF-8): report the
        // close code it sent and why, rather than a bare 1006
        const code =
          rawCode === 1006 && socketError ? (WS_ERROR_CLOSE_CODES[socketError.code ?? ''] ?? 1006) : rawCode;
        const reason = rawReason || (socketError ? socketError.message : '');
        state('closed', { code, reason });
        if (code === 1000) {
          finished = true;
          cleanup();
          subscriber.complete();
        } else fail(new ConnectionClosedError(code, reason, lastErrorCode, { requestId }));
      };

      const open = (headers: Record<string, string>) => {
        if (finished) return;
        state('connecting');
        if (options.WebSocket) {
          // A WHATWG WebSocket cannot send headers: auth must be in the URL (apiKeyIn: 'query').
          const ws = new options.WebSocket(target.url);
          ws.binaryType = 'arraybuffer';
          socket = ws;
          ws.onopen = onOpen;
          ws.onmessage = (m: MessageEvent) => onMessage(m.data, typeof m.data !== 'string');
          ws.onerror = () => {
            if (!opened)
              fail(
                new HandshakeError(
                  `WebSocket to ${shownUrl} failed to open`,
                  undefined,
                  undefined,
                  shownUrl,
                  { requestId },
                ),
              );
          };
          ws.onclose = (c: CloseEvent) => (opened ? onClose(c.code, c.reason) : undefined);
          return;
        }
        const ws = new WebSocket(target.url, {
          headers,
          maxPayload: options.maxPayload ?? 16 * 1024 * 1024,
          handshakeTimeout: options.handshakeTimeoutMs ?? 30000,
          perMessageDeflate: false,
          ...(options.ca !== undefined ? { ca: options.ca as string | string[] } : {}),
        });
        socket = ws;
        ws.on('open', onOpen);
        ws.on('message', (data, isBinary) => onMessage(data, isBinary));
        ws.on('close', (code, reason) => onClose(code, reason.toString('utf8')));
        ws.on('unexpected-response', (_req, res) => {
          // The handshake got an HTTP answer instead of 101: keep its status and the service's message.
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            if (size < 64 * 1024) chunks.push(c);
            size += c.length;
          });
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            fail(
              new HandshakeError(
                handshakeMessage(status, res.statusMessage, body, shownUrl),
                status,
                undefined,
                shownUrl,
                { requestId },
              ),
            );
            ws.terminate();
          });
          res.on('error', () => {
            fail(
              new HandshakeError(
                `handshake to ${shownUrl} answered HTTP ${res.statusCode}`,
                res.statusCode,
                undefined,
                shownUrl,
                { requestId },
              ),
            );
          });
        });
        ws.on('error', (err: NodeJS.ErrnoException) => {
          if (finished) return;
          if (!opened) {
            const code = err.code ?? (/timed out/i.test(err.message) ? 'ETIMEDOUT' : undefined);
            fail(
              new HandshakeError(
                `cannot open ${shownUrl}: ${scrub(err.message, options)}`,
                undefined,
                code,
                shownUrl,
                // the system error (DNS, TCP, TLS) stays reachable; it names hosts and codes, never our headers
                { requestId, cause: err },
              ),
            );
          }
          // after open, 'close' follows with its code (1006 when the socket dropped)
          socketError = err;
        });
      };

      // Client events: subscribed at once, held until open. Their completion does not close the socket.
      client.subscription = clientEvents.subscribe({
        next: send,
        error: (err) => {
          fail(err);
          closeSocket(1000, 'client events errored');
        },
      });
      if (finished) return;

      handshakeHeaders(options, target, requestId).then(open, (err) => fail(err));

      return () => {
        const wasFinished = finished;
        finished = true;
        cleanup();
        if (
          !wasFinished &&
          socket &&
          (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING)
        ) {
          state('closing');
        }
        closeSocket(1000, '');
      };
    });
}

/** The handshake headers of a connection (auth, request id, User-Agent, OpenAI-Beta). Internal; exported for tests. */
export async function handshakeHeaders(
  options: ConnectOptions,
  target: Target,
  requestId: string,
): Promise<Record<string, string>> {
  const headers: Record<string, string> = {
    'x-ms-client-request-id': requestId,
    'User-Agent': `rx-realtime/${VERSION} Node/${process.version}`,
    ...options.headers,
  };
  if (target.service === 'openai' && target.dialect === 'preview') headers['OpenAI-Beta'] = 'realtime=v1';
  if (options.apiKey !== undefined && options.apiKeyIn !== 'query') headers['api-key'] = options.apiKey;
  if (options.bearerToken !== undefined) headers['Authorization'] = `Bearer ${options.bearerToken}`;
  if (options.credential) {
    let token: { token: string } | null;
    try {
      token = await options.credential.getToken(options.scope ?? DEFAULT_SCOPE);
    } catch (err) {
      throw new CredentialError(
        `the credential failed to get a token for ${options.scope ?? DEFAULT_SCOPE}: ${(err as Error)?.message ?? String(err)}`,
        { requestId, cause: err },
      );
    }
    if (!token?.token)
      throw new CredentialError(`the credential returned no token for ${options.scope ?? DEFAULT_SCOPE}`, {
        requestId,
      });
    headers['Authorization'] = `Bearer ${token.token}`;
  }
  return headers;
}

/** `HTTP 401 Unauthorized: <the service's message>` (the message from a JSON `error.message` when present). */
function handshakeMessage(status: number, statusText: string | undefined, body: string, url: string): string {
  let detail = body.trim();
  try {
    const json = JSON.parse(body) as { error?: { message?: unknown; code?: unknown }; message?: unknown };
    const m = json.error?.message ?? json.message;
    if (typeof m === 'string') detail = m;
  } catch {
    // not JSON: keep the text
  }
  if (detail.length > 500) detail = `${detail.slice(0, 497)}...`;
  return `handshake to ${url} answered HTTP ${status}${statusText ? ` ${statusText}` : ''}${detail ? `: ${detail}` : ''}`;
}

/** Removes any secret of the options from a message that came from elsewhere. */
function scrub(message: string, options: ConnectOptions): string {
  let out = message;
  for (const secret of [options.apiKey, options.bearerToken]) {
    if (secret) out = out.split(secret).join('***');
  }
  return out;
}

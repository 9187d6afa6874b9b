/**
 * `connect()`: the Realtime WebSocket as a duplex of Observables.
 */
import { Observable, asyncScheduler, type Subscription } from 'rxjs';
import * as E from 'fp-ts/lib/Either.js';
import {
  EVENT_NAMES,
  decodeServerEvent,
  isUnknownEvent,
  encodeClientEvent,
  frameDecoder,
  type ClientEvent,
  type Dialect,
  type ServerMessage,
} from '../protocol';
import { defaultTransport } from './defaultTransport';
import {
  BackpressureError,
  ConnectionClosedError,
  CredentialError,
  DialectMismatchError,
  HandshakeError,
  RealtimeConnectionError,
  SessionTimeoutError,
} from './errors';
import { DEFAULT_SCOPE, credentialToken, handshake, handshakeTarget, scrub } from './handshake';
import type { ConnectOptions } from './options';
import { SendQueue } from './sendQueue';
import { ConnectionMachine } from './stateMachine';
import type { HandshakeFailure, Transport, TransportSocket } from './transport';
import { redactUrl, type Target } from './url';
import { sourceObserver } from '../operators/sourceObserver';
import { whatwgTransport } from './whatwgTransport';

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

/** The wire names only one dialect has (names both use, such as `conversation.item.created`, are left out). */
const ONLY_IN: Record<Dialect, ReadonlySet<string>> = (() => {
  const preview = new Set(Object.values(EVENT_NAMES).map((n) => n.preview));
  const ga = new Set(Object.values(EVENT_NAMES).map((n) => n.ga));
  return {
    preview: new Set([...preview].filter((n) => !ga.has(n))),
    ga: new Set([...ga].filter((n) => !preview.has(n))),
  };
})();

/** The transport of these options: `transport`, else a WHATWG one over `WebSocket`, else this environment's default. */
const transportOf = (options: ConnectOptions): Transport =>
  options.transport ?? (options.WebSocket ? whatwgTransport(options.WebSocket) : defaultTransport);

/** Both: `withState` says whether the state changes go in the stream (one implementation, no extra layer). */
function realtime(
  options: ConnectOptions,
  withState: boolean,
): (clientEvents: Observable<ClientEvent>) => Observable<ServerMessage | ConnectionState> {
  return (clientEvents) =>
    new Observable<ServerMessage | ConnectionState>((subscriber) => {
      const scheduler = options.scheduler ?? asyncScheduler;
      const requestId = globalThis.crypto.randomUUID();
      const transport = transportOf(options);
      let target: Target;
      try {
        target = handshakeTarget(options, transport.sendsHeaders);
      } catch (err) {
        subscriber.error(err);
        return;
      }
      const shownUrl = redactUrl(target.url);
      const machine = new ConnectionMachine(
        (state, extra) =>
          withState &&
          subscriber.next({
            type: 'rx-realtime.connection_state',
            state,
            url: shownUrl,
            dialect: target.dialect,
            requestId,
            ...extra,
          }),
      );
      // every secret this connection holds; the credential's token joins once it arrives
      let secrets: readonly string[] = [options.apiKey, options.bearerToken].filter((s): s is string => !!s);

      // Per-connection state, all released in teardown.
      let socket: TransportSocket | undefined;
      let finished = false; // the output stream has ended (or we are tearing down)
      let lastErrorCode: string | undefined;
      let dialectSeen = false; // an event only this connection's dialect has arrived
      let deadline: Subscription | undefined; // the one timer between subscribe and session.created
      const queue = new SendQueue(
        scheduler,
        options.highWaterMark ?? 4 * 1024 * 1024,
        options.maxQueuedBytes ?? 32 * 1024 * 1024,
      );
      const client: { subscription?: Subscription } = {}; // set below; read by cleanup, which may run first
      let demand: Subscription | undefined; // options.pauseReading, from open on

      const cleanup = () => {
        deadline?.unsubscribe();
        deadline = undefined;
        demand?.unsubscribe();
        demand = undefined;
        client.subscription?.unsubscribe();
        queue.stop();
      };
      const fail = (err: unknown) => {
        if (finished) return;
        finished = true;
        machine.to('closed', undefined, true);
        cleanup();
        subscriber.error(err);
      };
      const handshakeFailed = (failure: HandshakeFailure) => {
        const message =
          failure.status !== undefined
            ? handshakeMessage(failure.status, failure.statusText, failure.body ?? '', shownUrl)
            : `cannot open ${shownUrl}: ${failure.detail ?? 'the connection failed'}`;
        fail(
          new HandshakeError(scrub(message, secrets), failure.status, failure.code, shownUrl, {
            requestId,
            // the system error (DNS, TCP, TLS) stays reachable; it names hosts and codes, never our headers
            ...(failure.cause !== undefined ? { cause: failure.cause } : {}),
          }),
        );
      };

      const send = (event: ClientEvent) => {
        if (finished) return;
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
          socket?.close(1000, 'client event cannot be encoded');
          return;
        }
        // Held (before open, or while the socket drains). Nothing is dropped: audio and control events wait in
        // order; past maxQueuedBytes the stream errors rather than grow without bound.
        if (!queue.push(frame)) {
          const waiting = queue.queuedBytes;
          const s = socket;
          fail(
            new BackpressureError(
              `${waiting} bytes of client events are waiting to be sent (maxQueuedBytes ${queue.maxQueuedBytes}): the socket cannot drain`,
              { requestId },
            ),
          );
          // a graceful close cannot finish with a peer that reads nothing: end the socket now
          s?.terminate();
        }
      };

      // remembers the envelopes of this connection's deltas (see frameDecoder)
      const decodeFrame = frameDecoder(target.dialect);
      const onMessage = (data: string | Uint8Array, isBinary: boolean) => {
        if (finished) return;
        const result = isBinary
          ? decodeServerEvent(data as string, target.dialect) // reported as a binary frame
          : decodeFrame(data);
        if (E.isLeft(result)) return subscriber.next(result.left);
        const value = result.right;
        if (!dialectSeen) {
          const type = String(value.type);
          if (ONLY_IN[target.dialect].has(type)) dialectSeen = true;
          else if (isUnknownEvent(value) && ONLY_IN[other(target.dialect)].has(type)) {
            const s = socket;
            fail(new DialectMismatchError(target.dialect, type, { requestId }));
            s?.close(1000, 'dialect mismatch');
            return;
          }
        }
        if (value.type === 'session.created') {
          deadline?.unsubscribe();
          deadline = undefined;
        } else if (value.type === 'error')
          lastErrorCode = (value as { error?: { code?: unknown } }).error?.code as string | undefined;
        subscriber.next(value);
      };
      const onOpen = () => {
        if (finished || !machine.to('open')) return;
        deadline?.unsubscribe();
        deadline = undefined;
        const timeout = options.sessionCreatedTimeoutMs ?? 15000;
        if (timeout > 0) {
          deadline = scheduler.schedule(() => {
            const s = socket;
            fail(new SessionTimeoutError(timeout, { requestId }));
            s?.close(1000, 'session.created timeout');
          }, timeout);
        }
        queue.attach(socket!);
        const s = socket!;
        demand = options.pauseReading?.subscribe((paused) => (paused ? s.pause?.() : s.resume?.()));
      };
      const onClose = (code: number, rawReason: string) => {
        if (finished) return;
        const reason = scrub(rawReason, secrets);
        machine.to('closed', { code, reason });
        if (code === 1000) {
          finished = true;
          cleanup();
          subscriber.complete();
        } else fail(new ConnectionClosedError(code, reason, lastErrorCode, { requestId }));
      };

      const open = (token: string | undefined) => {
        if (finished) return;
        const hs = handshake(options, target, requestId, transport.sendsHeaders, token);
        secrets = hs.secrets;
        try {
          socket = openSocket(hs);
        } catch (err) {
          // a transport that throws instead of reporting `failed` (a custom one, a WebSocket constructor that
          // refuses its arguments): the stream errors, with the cause, rather than hang
          handshakeFailed({
            detail: `the transport threw: ${(err as Error)?.message ?? String(err)}`,
            cause: err,
          });
        }
      };
      const openSocket = (hs: ReturnType<typeof handshake>) =>
        transport.open(
          {
            url: target.url,
            headers: hs.headers,
            protocols: hs.protocols,
            maxPayload: options.maxPayload ?? 16 * 1024 * 1024,
            pingIntervalMs: options.pingIntervalMs ?? 30000,
            ca:
              options.ca === undefined
                ? undefined
                : typeof options.ca === 'string'
                  ? [options.ca]
                  : options.ca,
            scheduler,
          },
          { open: onOpen, message: onMessage, close: onClose, failed: handshakeFailed },
        );

      // Client events: subscribed at once, held until open. Their completion does not close the socket.
      client.subscription = clientEvents.subscribe(
        sourceObserver<ClientEvent>({
          next: send,
          error: (err) => {
            const s = socket;
            fail(err);
            s?.close(1000, 'client events errored');
          },
          complete: () => {},
        }),
      );
      if (finished) return;

      // One bound covers the way to an open socket, the credential's token included (a getToken() that never
      // settles must not hang the stream); after open, sessionCreatedTimeoutMs bounds the wait for session.created.
      const handshakeTimeout = options.handshakeTimeoutMs ?? 30000;
      let waitingForToken = options.credential !== undefined;
      if (handshakeTimeout > 0) {
        deadline = scheduler.schedule(() => {
          const s = socket;
          if (waitingForToken)
            fail(
              new CredentialError(
                `the credential returned no token for ${options.scope ?? DEFAULT_SCOPE} within ${handshakeTimeout} ms`,
                { requestId },
              ),
            );
          else
            fail(
              new HandshakeError(
                `handshake to ${shownUrl} did not open within ${handshakeTimeout} ms`,
                undefined,
                'ETIMEDOUT',
                shownUrl,
                { requestId },
              ),
            );
          s?.terminate();
        }, handshakeTimeout);
      }
      machine.to('connecting');
      credentialToken(options, requestId).then(
        (token) => {
          waitingForToken = false;
          open(token);
        },
        (err) => fail(err),
      );

      return () => {
        const wasFinished = finished;
        finished = true;
        cleanup();
        if (!wasFinished) machine.to('closing');
        socket?.close(1000, '');
      };
    });
}

const other = (dialect: Dialect): Dialect => (dialect === 'preview' ? 'ga' : 'preview');

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

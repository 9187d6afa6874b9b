/**
 * The seam between a connection and a WebSocket implementation: what `connect()` needs from a socket, nothing more.
 */
import type { SchedulerLike } from 'rxjs';

/** What a transport is asked to open: everything the handshake decided, in the transport's own terms. */
export interface TransportRequest {
  /** The URL to open (it may hold an `api-key` query value: never print it). */
  readonly url: string;
  /** Handshake headers. A transport that cannot send headers (a browser's WebSocket) ignores them. */
  readonly headers: Readonly<Record<string, string>>;
  /** WebSocket subprotocols, the only auth a browser's WebSocket can carry. Empty when none. */
  readonly protocols: readonly string[];
  /** Largest frame accepted from the server, in bytes (where the implementation can enforce it). */
  readonly maxPayload: number;
  /** Milliseconds between keep-alive pings; `0` disables (where the implementation can ping). */
  readonly pingIntervalMs: number;
  /** Extra trusted CA certificates (PEM), added to the platform's roots (where the implementation can take them). */
  readonly ca: readonly string[] | undefined;
  /** The scheduler for the transport's own timers (keep-alive). */
  readonly scheduler: SchedulerLike;
}

/** Why a handshake did not open, as raw facts; `connect()` turns them into a scrubbed `HandshakeError`. */
export interface HandshakeFailure {
  /** The HTTP status, when the server answered with one instead of 101. */
  readonly status?: number | undefined;
  readonly statusText?: string | undefined;
  /** The body of that HTTP answer (bounded), as text. */
  readonly body?: string | undefined;
  /** A system error code (`ECONNREFUSED`, `ENOTFOUND`, `ETIMEDOUT`, a TLS code…). */
  readonly code?: string | undefined;
  /** A sentence on what went wrong, when there is no status. */
  readonly detail?: string | undefined;
  /** The underlying error, kept as `cause`. */
  readonly cause?: unknown | undefined;
}

/** What a transport reports, each at most as the socket's life allows: `open` once, then messages, then `close`. */
export interface TransportEvents {
  /** The handshake succeeded. */
  open(): void;
  /** One frame from the server: a text frame's UTF-8 bytes or text, or a binary frame (`isBinary`). */
  message(data: string | Uint8Array, isBinary: boolean): void;
  /** The socket closed after `open` (1006 = no close frame), with the reason the peer or the transport gave. */
  close(code: number, reason: string): void;
  /** The socket never opened. Reported instead of `open`, once; no `close` follows. */
  failed(failure: HandshakeFailure): void;
}

/** An open (or opening) socket, as `connect()` drives it. */
export interface TransportSocket {
  /** Sends one text frame. Only called after `open`. */
  send(frame: string): void;
  /** Bytes accepted by `send` and not yet written to the network. */
  readonly bufferedAmount: number;
  /** Starts a graceful close with a close frame (or abandons a handshake under way). */
  close(code: number, reason: string): void;
  /** Ends the socket at once: no close handshake, no timer left behind. */
  terminate(): void;
  /** Stops reading frames from the network until {@link TransportSocket.resume} (absent: cannot pause). */
  pause?(): void;
  resume?(): void;
}

/**
 * A {@link TransportSocket} of `calls` whose `bufferedAmount` reads `buffered()`. Not an object literal with a
 * getter, nor a getter defined on each object: V8 keeps either as a dictionary-mode object (an own hash table of
 * ~450 bytes, and a hash lookup on each read, which every send makes), since a getter that differs from object to
 * object cannot share a shape. Here the getter is the class's, one for all.
 */
export const socketOf = (
  calls: Omit<TransportSocket, 'bufferedAmount'>,
  buffered: () => number,
): TransportSocket => new Socket(calls, buffered);

class Socket implements TransportSocket {
  readonly send: TransportSocket['send'];
  readonly close: TransportSocket['close'];
  readonly terminate: TransportSocket['terminate'];
  readonly pause?: () => void;
  readonly resume?: () => void;

  constructor(
    calls: Omit<TransportSocket, 'bufferedAmount'>,
    private readonly buffered: () => number,
  ) {
    this.send = calls.send;
    this.close = calls.close;
    this.terminate = calls.terminate;
    // every transport of the package has both; a socket without them keeps them absent ("cannot pause")
    if (calls.pause !== undefined) this.pause = calls.pause;
    if (calls.resume !== undefined) this.resume = calls.resume;
  }

  get bufferedAmount(): number {
    return this.buffered();
  }
}

/**
 * A WebSocket implementation: opens one socket per call and reports on it through `events`. It's like the
 * constructor a WebSocket library exports, but narrowed to what a Realtime connection needs, so that `ws` in Node
 * and the platform's `WebSocket` in browsers, Deno, Bun and workers are interchangeable.
 *
 * ```text
 * open(request, events):  ----open--message--message--...--close(code, reason)
 *                         --------failed({ status: 401 })              (or, when it never opened)
 * ```
 *
 * `sendsHeaders` says whether `request.headers` reach the server; when it is false, the handshake puts auth where
 * such a socket can carry it (the query and the subprotocols).
 *
 * @example
 * ```ts
 * import { connect, whatwgTransport } from 'rx-realtime';
 * const realtime = connect({ url: 'wss://example.com/v1/realtime?model=m', transport: whatwgTransport(WebSocket) });
 * ```
 */
export interface Transport {
  readonly sendsHeaders: boolean;
  open(request: TransportRequest, events: TransportEvents): TransportSocket;
}

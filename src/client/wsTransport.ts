/**
 * The Node transport, on the `ws` package: the only file that imports it. `ws` (and `node:tls`) load when the first
 * socket opens, not when the package is imported: a process that uses the operators, the codecs or the testing kit
 * and never connects does not pay for them (about a third of the package's `import()` time; BENCHMARKS.md).
 */
import {
  socketOf,
  type TransportEvents,
  type TransportRequest,
  type TransportSocket,
  type HandshakeFailure,
  type Transport,
} from './transport';

type WebSocketClass = typeof import('ws').default;
type Tls = typeof import('node:tls');
interface Loaded {
  readonly WebSocket: WebSocketClass;
  readonly tls: Tls;
}

let loaded: Loaded | undefined;
let loading: Promise<Loaded> | undefined;
/**
 * `ws` and the root certificates, imported once per process (a bundler follows these imports). A failed import is
 * not kept: that connection fails saying so, and the next one imports again (a package installed meanwhile, a
 * transient file-system error), instead of every later connection of the process failing with the first error.
 */
const load = (): Promise<Loaded> =>
  (loading ??= Promise.all([import('ws'), import('node:tls')]).then(
    ([ws, tls]) => {
      loaded = { WebSocket: ws.default, tls };
      return loaded;
    },
    (err: unknown) => {
      loading = undefined;
      throw err;
    },
  ));

/** The close codes ws sends for its own protocol errors (RFC 6455 section 7.4.1), reported instead of a bare 1006. */
const WS_ERROR_CLOSE_CODES: Record<string, number> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 1009,
  WS_ERR_INVALID_UTF8: 1007,
  WS_ERR_INVALID_OPCODE: 1002,
  WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH: 1002,
  WS_ERR_UNEXPECTED_MASK: 1002,
  WS_ERR_UNEXPECTED_RSV_1: 1002,
  WS_ERR_UNEXPECTED_RSV_2_3: 1002,
  WS_ERR_INVALID_CLOSE_CODE: 1002,
  WS_ERR_EXPECTED_FIN: 1002,
  WS_ERR_EXPECTED_MASK: 1002,
};

/** Most bytes of an HTTP refusal's body kept for the error message. */
const MAX_REFUSAL_BODY = 64 * 1024;

/**
 * The `ws` transport (Node): sends the handshake headers, pings to keep the connection honest, enforces
 * `maxPayload`, trusts `ca` in addition to Node's root certificates, and can pause reading.
 *
 * It's like `new WebSocket(url, { headers })` of `ws`, but every ending is reported once, as a fact
 * (`failed` with the HTTP status and body, or `close` with the code ws sent for its own protocol error, or
 * `1006` with "keep-alive: no pong…" when the peer stopped answering pings).
 *
 * ```text
 * ping:   ----p----p----p----X        X = no pong since the last ping: terminate, close(1006, 'keep-alive: …')
 * pause:  ----P~~~~~~~~R-----         while paused no ping is judged: unread frames prove the peer is there
 * ```
 *
 * It is `connect()`'s default in Node and not exported from the package, so that a browser bundle never holds `ws`.
 *
 * @example
 * ```ts
 * import { connect } from 'rx-realtime';
 * const realtime = connect({ model: 'gpt-realtime', bearerToken: 'sk-…' }); // Node: over ws
 * ```
 */
export const wsTransport: Transport = {
  sendsHeaders: true,
  open(request, events) {
    if (loaded) return openWith(loaded, request, events);
    return deferred(request, events);
  },
};

/**
 * The socket of an `open` made before `ws` has loaded: it opens when the import is done, unless it was closed
 * first (then nothing is opened and nothing reported: `connect()` has already left). `send` is never called
 * before `open` is reported, so there is nothing to hold.
 */
function deferred(request: TransportRequest, events: TransportEvents): TransportSocket {
  let socket: TransportSocket | undefined;
  let closed = false;
  let paused = false;
  load().then(
    (modules) => {
      if (closed) return;
      try {
        socket = openWith(modules, request, events);
      } catch (err) {
        // thrown here it would be an unhandled rejection and a connection that never ends: report it
        closed = true;
        events.failed({
          detail: `ws refused the socket: ${(err as Error)?.message ?? String(err)}`,
          cause: err,
        });
        return;
      }
      if (paused) socket.pause?.();
    },
    (err: unknown) => {
      if (closed) return;
      closed = true;
      events.failed({
        detail: `the ws package could not be loaded (${err instanceof Error ? err.message : String(err)})`,
        cause: err,
      });
    },
  );
  return socketOf(
    {
      send: (frame) => socket?.send(frame),
      close: (code, reason) => {
        closed = true;
        socket?.close(code, reason);
      },
      terminate: () => {
        closed = true;
        socket?.terminate();
      },
      pause: () => {
        paused = true;
        socket?.pause?.();
      },
      resume: () => {
        paused = false;
        socket?.resume?.();
      },
    },
    () => socket?.bufferedAmount ?? 0,
  );
}

/** Distinct `ca` lists whose TLS context is kept (a process talks to one or two endpoints). */
const SECURE_CONTEXTS = 4;
const secureContexts = new Map<string, import('node:tls').SecureContext>();

/**
 * The TLS context trusting Node's roots and `ca`, made once per distinct `ca` list: building one parses the ~140
 * root certificates (25–40 ms of CPU, measured on Node 20), which a service opening 400 sessions would otherwise
 * pay 400 times. `ca` alone would replace Node's trust store (`tls.createSecureContext`): a corporate CA would then
 * break every public endpoint, hence the roots as well.
 */
function secureContext(tls: Tls, ca: readonly string[]): import('node:tls').SecureContext {
  const key = ca.join('\n');
  let context = secureContexts.get(key);
  if (context === undefined) {
    context = tls.createSecureContext({ ca: [...tls.rootCertificates, ...ca] });
    if (secureContexts.size >= SECURE_CONTEXTS) secureContexts.delete(secureContexts.keys().next().value!);
    secureContexts.set(key, context);
  }
  return context;
}

function openWith(
  { WebSocket, tls }: Loaded,
  request: TransportRequest,
  events: TransportEvents,
): TransportSocket {
  const ws = new WebSocket(request.url, request.protocols.length > 0 ? [...request.protocols] : [], {
    headers: { ...request.headers },
    maxPayload: request.maxPayload,
    perMessageDeflate: false,
    ...(request.ca !== undefined ? { secureContext: secureContext(tls, request.ca) } : {}),
  });
  let opened = false;
  let ended = false; // `failed` or `close` was reported
  let socketError: (Error & { code?: string }) | undefined;
  let pongMissing = false;
  let paused = false;
  // the peer showed it is there since the last ping: a pong, or any frame (after a pause the pong can sit behind
  // megabytes of frames not yet read; they prove the peer as well as the pong would)
  let alive = true;
  const fail = (failure: HandshakeFailure) => {
    if (ended) return;
    ended = true;
    keepAlive?.unsubscribe();
    events.failed(failure);
  };
  let keepAlive: { unsubscribe(): void } | undefined;

  ws.on('open', () => {
    if (ended) return;
    opened = true;
    const interval = request.pingIntervalMs;
    if (interval > 0) {
      ws.on('pong', () => (alive = true));
      keepAlive = request.scheduler.schedule(function (this: { schedule(s?: unknown, d?: number): void }) {
        if (paused) {
          // reads are paused by us: a pong cannot be read, and the unread frames show the peer is alive
          alive = true;
        } else if (!alive) {
          pongMissing = true;
          ws.terminate(); // 'close' follows with 1006
          return;
        } else {
          alive = false;
          ws.ping();
        }
        this.schedule(undefined, interval);
      }, interval);
    }
    events.open();
  });
  ws.on('message', (data, isBinary) => {
    if (ended) return;
    alive = true;
    const bytes = Array.isArray(data)
      ? Buffer.concat(data)
      : data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : data;
    events.message(bytes, isBinary);
  });
  ws.on('close', (rawCode, rawReason) => {
    keepAlive?.unsubscribe();
    if (!opened || ended) return;
    ended = true;
    if (pongMissing) {
      events.close(1006, `keep-alive: no pong within ${request.pingIntervalMs} ms`);
      return;
    }
    // after a protocol error of its own (a frame above maxPayload, bad UTF-8) ws closes with 1006: report the
    // close code it sent and why
    const code =
      rawCode === 1006 && socketError ? (WS_ERROR_CLOSE_CODES[socketError.code ?? ''] ?? 1006) : rawCode;
    events.close(code, rawReason.toString('utf8') || (socketError ? socketError.message : ''));
  });
  ws.on('unexpected-response', (_req, res) => {
    // The handshake got an HTTP answer instead of 101: keep its status and the service's message.
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      if (size < MAX_REFUSAL_BODY) chunks.push(c.subarray(0, MAX_REFUSAL_BODY - size));
      size += c.length;
    });
    const refuse = () => {
      fail({
        status: res.statusCode ?? 0,
        statusText: res.statusMessage,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      ws.terminate();
    };
    res.on('end', refuse);
    res.on('error', refuse);
    res.on('aborted', refuse);
  });
  ws.on('error', (err: Error & { code?: string }) => {
    if (!opened) {
      fail({ code: err.code, detail: err.message, cause: err });
      return;
    }
    // after open, 'close' follows with its code (1006 when the socket dropped)
    socketError = err;
  });
  return socketOf(
    {
      send: (frame) => ws.send(frame),
      close: (code, reason) => {
        if (ws.readyState === ws.CONNECTING) ws.terminate();
        else if (ws.readyState === ws.OPEN) ws.close(code, reason);
      },
      terminate: () => {
        keepAlive?.unsubscribe();
        ws.terminate();
      },
      pause: () => {
        paused = true;
        ws.pause();
      },
      resume: () => {
        paused = false;
        ws.resume();
      },
    },
    () => ws.bufferedAmount,
  );
}

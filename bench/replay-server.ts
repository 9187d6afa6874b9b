// The benchmarks' replay server, in its own process, TLS on 127.0.0.1 with a certificate it makes (the openai
// client speaks only wss). On each WebSocket connection it sends `session.created`, then realistic audio
// responses (`responseFrames`, ../shared/protocol/README.md §6), then closes with 1000. The dialect follows the
// path: `/openai/realtime` (or an `OpenAI-Beta` header) is preview, anything else GA.
//
// Query parameters (the openai client, which builds its URL itself, passes them in `model`, after a `?`):
// - `responses=N`: how many responses (default: BENCH_RESPONSES from the environment, else 200);
// - `pace=realtime`: each response takes the time its audio lasts (50 deltas of 100 ms, one delta every 100 ms
//   with its transcript delta), instead of a burst as fast as the socket drains;
// - `turn=MS`: in paced mode, the first response starts MS after `session.created` (a reply follows a user's turn;
//   default 0);
// - `stamp=1`: every frame carries its send time at the end of its `event_id`, `"event_id":"event_x@<ms since the
//   epoch, µs resolution>"`, for the latency benchmark;
// - `deltas=N`: audio deltas (of 100 ms) per response (default 50, a 5 s reply);
// - `shape=extra`: every frame carries one field more, right after its `type` (`"x_proxy":"edge-1"`), as a proxy
//   or a field the service adds tomorrow would (a decoder remembers it with the envelope);
// - `shape=spaced`, `nested`, `escaped`, `full`: the other frame shapes (see FrameShape in decode.bench.ts:
//   json.dumps's separators, an object field, PHP's escaped slashes, the delta key spelled with an escape); an unknown
//   shape is refused with a 400.
//
// It reads what the client sends (RFC 6455 §5.2 frames, masked): it counts the client's text frames (the service
// benchmark's appends) by the connection's `tag` query parameter, and answers a client's close frame with its
// own. A line `stats` on stdin is answered on stdout with `{"received": {<tag>: <client text frames so far>},
// "open": <sockets>, "lag": {p50, p99, max, n} }`, where lag
// is how late (ms) the paced audio deltas left against their schedule since the last `stats`: the server's own
// share of any delay.
//
// A burst is written as pre-built WebSocket frames straight to the TLS socket, 1 MiB at a time, so that the
// server is never what limits a client: RFC 6455 §5.2 framing (FIN + text opcode, no mask from a server) done
// once per (dialect, responses) and cached. The handshake is RFC 6455 §4.2.2, done here for the same reason.
//
// Prints `{"port": …, "cert": "…"}` on stdout when it listens. Usage: tsx bench/replay-server.ts
import { createHash } from 'node:crypto';
import { createServer } from 'node:https';
import { createHistogram } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { Duplex } from 'node:stream';
import { selfSignedCertificate } from '../src/testing/tls';
import { frameShape, responseFrames, shaped, type FrameShape } from './decode.bench';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'; // RFC 6455 §1.3
const CHUNK = 1024 * 1024;

/** One unmasked text frame (RFC 6455 §5.2): FIN|opcode, then the 7-bit, 16-bit or 64-bit payload length. */
export function textFrame(payload: Buffer, opcode = 0x1): Buffer {
  const n = payload.length;
  const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const out = Buffer.allocUnsafe(head + n);
  out[0] = 0x80 | opcode;
  if (n < 126) out[1] = n;
  else if (n < 65536) {
    out[1] = 126;
    out.writeUInt16BE(n, 2);
  } else {
    out[1] = 127;
    out.writeBigUInt64BE(BigInt(n), 2);
  }
  payload.copy(out, head);
  return out;
}

const closeFrame = () => {
  const body = Buffer.alloc(2 + 4);
  body.writeUInt16BE(1000, 0);
  body.write('done', 2);
  return textFrame(body, 0x8);
};

const sessionCreated = JSON.stringify({
  type: 'session.created',
  event_id: 'event_s',
  session: { id: 'sess_bench', object: 'realtime.session' },
});

type Dialect = 'preview' | 'ga';

/**
 * The frames of response `n` (of the 20 distinct ones), made once: making them (50 audio deltas of 6.4 kB of
 * base64) takes the server about a millisecond, and at real-time pace with 100 sessions that stall landed on the
 * first audio delta of whichever responses were being sent meanwhile (the service sends without such a pause).
 */
const frameSets = new Map<string, readonly string[]>();
function framesOf(dialect: Dialect, n: number, deltas = 50, shape: FrameShape = 'real'): readonly string[] {
  const key = `${dialect}:${n % 20}:${deltas}:${shape}`;
  let frames = frameSets.get(key);
  if (!frames) {
    frames = responseFrames(dialect, n % 20, deltas);
    if (shape !== 'real') frames = frames.map((f) => shaped(f, shape));
    frameSets.set(key, frames);
  }
  return frames;
}

const bursts = new Map<string, Buffer>();
/** The whole burst of a (dialect, responses), framed: session.created, the responses, the close frame. */
function burst(dialect: Dialect, responses: number): Buffer {
  const key = `${dialect}:${responses}`;
  let out = bursts.get(key);
  if (!out) {
    const parts = [textFrame(Buffer.from(sessionCreated))];
    for (let n = 0; n < responses; n++)
      for (const f of framesOf(dialect, n)) parts.push(textFrame(Buffer.from(f)));
    parts.push(closeFrame());
    out = Buffer.concat(parts);
    bursts.set(key, out);
  }
  return out;
}

/**
 * The frame with its send time (ms since the epoch, µs resolution) appended to its `event_id`, `event_x@<time>`:
 * the frame keeps the service's fields, and `event_id` is the field that changes with every event anyway.
 */
const stamped = (frame: string) =>
  Buffer.from(
    frame.replace(
      /"event_id":( ?)"([^"]*)"/,
      (_, space: string, id: string) =>
        `"event_id":${space}"${id}@${(performance.timeOrigin + performance.now()).toFixed(3)}"`,
    ),
  );

/** Writes `data` in 1 MiB chunks, waiting for 'drain' when the socket's buffer is full. */
async function writeAll(socket: Duplex, data: Buffer): Promise<void> {
  for (let at = 0; at < data.length && !socket.destroyed; at += CHUNK) {
    if (!socket.write(data.subarray(at, at + CHUNK))) await drained(socket);
  }
}

/** Resolves at the socket's next 'drain' (or 'close'), leaving no listener behind. */
const drained = (socket: Duplex) =>
  new Promise<void>((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });

/** How late the paced audio deltas left against their schedule (ns), since the last `stats`. */
const lag = createHistogram();
/** Client text frames received, by the connections' `tag` query parameter. */
const received = new Map<string, number>();

interface Paced {
  readonly dialect: Dialect;
  readonly responses: number;
  readonly deltas: number;
  readonly shape: FrameShape;
  readonly stamp: boolean;
  readonly realtime: boolean;
  readonly turn: number;
  /** True once the connection is closing (either side sent its close frame). */
  readonly stopped: () => boolean;
}

/**
 * Frame by frame (for `stamp`, whose frames differ at each send), at real-time pace when `realtime`: one audio
 * delta (100 ms) and its transcript delta every 100 ms, the other events between.
 */
async function paced(socket: Duplex, o: Paced): Promise<void> {
  let audioSent = 0;
  const send = async (frame: string) => {
    if (!socket.write(textFrame(o.stamp ? stamped(frame) : Buffer.from(frame)))) await drained(socket);
  };
  await send(sessionCreated);
  if (o.turn > 0) await new Promise((resolve) => setTimeout(resolve, o.turn));
  const start = performance.now();
  for (let n = 0; n < o.responses; n++) {
    for (const frame of framesOf(o.dialect, n, o.deltas, o.shape)) {
      if (socket.destroyed || o.stopped()) return;
      if (o.realtime && frame.includes('audio.delta"')) {
        // the audio delta that starts at audioSent × 100 ms goes out then
        const due = start + audioSent * 100;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (socket.destroyed || o.stopped()) return;
        lag.record(Math.max(1, Math.round((performance.now() - due) * 1e6)));
        audioSent++;
      }
      await send(frame);
    }
  }
  socket.write(closeFrame());
}

/**
 * Reads the client's frames (RFC 6455 §5.2; a client's are masked): counts its text frames and calls `onClose`
 * at its close frame. Payloads are skipped, never unmasked: only the headers are read.
 */
function clientFrames(tag: string, onClose: () => void): (chunk: Buffer) => void {
  let pending: Buffer | undefined; // an incomplete header
  let skip = 0; // payload bytes of the current frame still to come
  return (chunk) => {
    const data = pending ? Buffer.concat([pending, chunk]) : chunk;
    pending = undefined;
    let at = 0;
    while (at < data.length) {
      if (skip > 0) {
        const n = Math.min(skip, data.length - at);
        skip -= n;
        at += n;
        continue;
      }
      if (data.length - at < 2) break;
      const opcode = data[at]! & 0x0f;
      const masked = (data[at + 1]! & 0x80) !== 0;
      let length = data[at + 1]! & 0x7f;
      let head = 2;
      if (length === 126) head = 4;
      else if (length === 127) head = 10;
      head += masked ? 4 : 0;
      if (data.length - at < head) break;
      if (length === 126) length = data.readUInt16BE(at + 2);
      else if (length === 127) length = Number(data.readBigUInt64BE(at + 2));
      at += head;
      skip = length;
      if (opcode === 0x1) received.set(tag, (received.get(tag) ?? 0) + 1);
      else if (opcode === 0x8) onClose();
    }
    if (at < data.length) pending = Buffer.from(data.subarray(at));
  };
}

const tls = selfSignedCertificate();
const https = createServer({ key: tls.key, cert: tls.cert });
const sockets = new Set<Duplex>();

https.on('upgrade', (req, socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', () => socket.destroy());
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || req.headers.upgrade?.toLowerCase() !== 'websocket') {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    return;
  }
  const url = new URL(req.url ?? '/', 'http://x');
  // the openai client builds its URL itself: the parameters ride in its `model`, after a `?`
  const model = url.searchParams.get('model') ?? '';
  if (model.includes('?'))
    for (const [k, v] of new URLSearchParams(model.slice(model.indexOf('?') + 1))) url.searchParams.set(k, v);
  const dialect: Dialect =
    url.pathname.startsWith('/openai/realtime') || req.headers['openai-beta'] ? 'preview' : 'ga';
  const responses = Number(url.searchParams.get('responses') ?? process.env['BENCH_RESPONSES'] ?? 200);
  const stamp = url.searchParams.get('stamp') === '1';
  const realtime = url.searchParams.get('pace') === 'realtime';
  const deltas = Number(url.searchParams.get('deltas') ?? 50);
  let shape: FrameShape;
  try {
    shape = frameShape(url.searchParams.get('shape') ?? undefined);
  } catch (e) {
    // a benchmark of an unknown shape would measure the real frames under another name
    socket.end(`HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n${(e as Error).message}`);
    return;
  }
  const accept = createHash('sha1')
    .update(key + GUID)
    .digest('base64');
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  (socket as import('node:net').Socket).setNoDelay(true);
  // After our close frame the client answers with its own (RFC 6455 §5.5.1), and the TCP connection ends; a
  // client that closes first gets our close frame back.
  let closing = false;
  let clientClosed = false;
  socket.on(
    'data',
    clientFrames(url.searchParams.get('tag') ?? '', () => {
      if (clientClosed) return;
      clientClosed = true;
      if (!closing) {
        closing = true;
        socket.write(closeFrame());
      }
      socket.end();
    }),
  );
  const sent =
    realtime || stamp || shape !== 'real' || deltas !== 50
      ? paced(socket, {
          dialect,
          responses,
          deltas,
          shape,
          stamp,
          realtime,
          turn: Number(url.searchParams.get('turn') ?? 0),
          stopped: () => closing,
        })
      : writeAll(socket, burst(dialect, responses));
  sent.then(
    () => {
      closing = true;
      setTimeout(() => socket.destroy(), 5000).unref();
    },
    () => socket.destroy(),
  );
});

if (!process.stdin.isTTY) {
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() !== 'stats') return;
    const ms = (ns: number) => Number((ns / 1e6).toFixed(3));
    const out = {
      received: Object.fromEntries(received),
      open: sockets.size,
      lag: lag.count
        ? { p50: ms(lag.percentile(50)), p99: ms(lag.percentile(99)), max: ms(lag.max), n: lag.count }
        : { p50: 0, p99: 0, max: 0, n: 0 },
    };
    lag.reset();
    process.stdout.write(`${JSON.stringify(out)}\n`);
  });
}

https.listen(0, '127.0.0.1', () => {
  const address = https.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port, cert: tls.cert })}\n`);
});
process.on('SIGTERM', () => {
  for (const s of sockets) s.destroy();
  https.close(() => process.exit(0));
});

// The benchmarks' replay server, in its own process, TLS on 127.0.0.1 with a certificate it makes (the openai
// client speaks only wss). On each WebSocket connection it sends `session.created`, then realistic audio
// responses (`responseFrames`, ../shared/protocol/README.md §6), then closes with 1000. The dialect follows the
// path: `/openai/realtime` (or an `OpenAI-Beta` header) is preview, anything else GA.
//
// Query parameters:
// - `responses=N`: how many responses (default: BENCH_RESPONSES from the environment, else 200);
// - `pace=realtime`: each response takes the time its audio lasts (50 deltas of 100 ms, one delta every 100 ms
//   with its transcript delta), instead of a burst as fast as the socket drains;
// - `turn=MS`: in paced mode, the first response starts MS after `session.created` (a reply follows a user's turn;
//   default 0);
// - `stamp=1`: every frame carries its send time at the end of its `event_id`, `"event_id":"event_x@<ms since the
//   epoch, µs resolution>"`, for the latency benchmark.
//
// A burst is written as pre-built WebSocket frames straight to the TLS socket, 1 MiB at a time, so that the
// server is never what limits a client: RFC 6455 §5.2 framing (FIN + text opcode, no mask from a server) done
// once per (dialect, responses) and cached. The handshake is RFC 6455 §4.2.2, done here for the same reason.
//
// Prints `{"port": …, "cert": "…"}` on stdout when it listens. Usage: tsx bench/replay-server.ts
import { createHash } from 'node:crypto';
import { createServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { selfSignedCertificate } from '../src/testing/tls';
import { responseFrames } from './decode.bench';

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
function framesOf(dialect: Dialect, n: number): readonly string[] {
  const key = `${dialect}:${n % 20}`;
  let frames = frameSets.get(key);
  if (!frames) {
    frames = responseFrames(dialect, n % 20);
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
      /"event_id":"([^"]*)"/,
      (_, id: string) => `"event_id":"${id}@${(performance.timeOrigin + performance.now()).toFixed(3)}"`,
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

/**
 * Frame by frame (for `stamp`, whose frames differ at each send), at real-time pace when `realtime`: one audio
 * delta (100 ms) and its transcript delta every 100 ms, the other events between.
 */
async function paced(
  socket: Duplex,
  dialect: Dialect,
  responses: number,
  stamp: boolean,
  realtime: boolean,
  turn: number,
): Promise<void> {
  let audioSent = 0;
  const send = async (frame: string) => {
    if (!socket.write(textFrame(stamp ? stamped(frame) : Buffer.from(frame)))) await drained(socket);
  };
  await send(sessionCreated);
  if (turn > 0) await new Promise((resolve) => setTimeout(resolve, turn));
  const start = performance.now();
  for (let n = 0; n < responses && !socket.destroyed; n++) {
    for (const frame of framesOf(dialect, n)) {
      if (socket.destroyed) return;
      if (realtime && frame.includes('audio.delta"')) {
        // the audio delta that starts at audioSent × 100 ms goes out then
        const due = start + audioSent * 100 - performance.now();
        if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
        audioSent++;
      }
      await send(frame);
    }
  }
  socket.write(closeFrame());
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
  const accept = createHash('sha1')
    .update(key + GUID)
    .digest('base64');
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  (socket as import('node:net').Socket).setNoDelay(true);
  const url = new URL(req.url ?? '/', 'http://x');
  const dialect: Dialect =
    url.pathname.startsWith('/openai/realtime') || req.headers['openai-beta'] ? 'preview' : 'ga';
  const responses = Number(url.searchParams.get('responses') ?? process.env['BENCH_RESPONSES'] ?? 200);
  const stamp = url.searchParams.get('stamp') === '1';
  const realtime = url.searchParams.get('pace') === 'realtime';
  // After our close frame, the client answers with its own (RFC 6455 §5.5.1); then the TCP connection ends.
  let closing = false;
  socket.on('data', () => {
    if (closing) socket.end();
  });
  const sent =
    realtime || stamp
      ? paced(socket, dialect, responses, stamp, realtime, Number(url.searchParams.get('turn') ?? 0))
      : writeAll(socket, burst(dialect, responses));
  sent.then(
    () => {
      closing = true;
      setTimeout(() => socket.destroy(), 5000).unref();
    },
    () => socket.destroy(),
  );
});

https.listen(0, '127.0.0.1', () => {
  const address = https.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port, cert: tls.cert })}\n`);
});
process.on('SIGTERM', () => {
  for (const s of sockets) s.destroy();
  https.close(() => process.exit(0));
});

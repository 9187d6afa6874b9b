// The benchmark's replay server, in its own process: on each connection it sends session.created, then
// `responses` realistic audio responses (see responseFrames) as fast as the socket drains, then closes with 1000.
// Prints its port on stdout. Usage: tsx bench/replay-server.ts
import { createServer } from 'node:https';
import { WebSocketServer } from 'ws';
import { selfSignedCertificate } from '../src/testing/tls';
import { responseFrames } from './decode.bench';

// TLS on loopback, as clients meet the service (and the openai client only speaks wss)
const tls = selfSignedCertificate();
const https = createServer({ key: tls.key, cert: tls.cert });
const wss = new WebSocketServer({ server: https, perMessageDeflate: false });
const cache = new Map<string, string[]>();

wss.on('connection', (socket, req) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const dialect =
    url.pathname.startsWith('/openai/realtime') || req.headers['openai-beta'] ? 'preview' : 'ga';
  const responses = Number(process.env['BENCH_RESPONSES'] ?? 200);
  const stamp = url.searchParams.get('stamp') === '1';
  const key = `${dialect}:${responses}`;
  let frames = stamp ? undefined : cache.get(key);
  if (!frames) {
    frames = [];
    for (let n = 0; n < responses; n++) frames.push(...responseFrames(dialect, n % 20));
    if (!stamp) cache.set(key, frames);
  }
  const all = frames;
  socket.send(
    JSON.stringify({
      type: 'session.created',
      event_id: 'event_s',
      session: { id: 'sess_bench', object: 'realtime.session' },
    }),
  );
  let i = 0;
  const pump = () => {
    while (i < all.length && socket.readyState === socket.OPEN) {
      const frame = all[i++]!;
      // latency mode: the send time goes in an extra field (decoders keep unknown fields)
      socket.send(
        stamp ? `${frame.slice(0, -1)},"sent_at":${performance.timeOrigin + performance.now()}}` : frame,
      );
      if (socket.bufferedAmount > 4 * 1024 * 1024) return void setImmediate(pump);
    }
    if (socket.readyState === socket.OPEN) socket.close(1000, 'done');
  };
  pump();
});

https.listen(0, '127.0.0.1', () => {
  const address = https.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port, cert: tls.cert })}\n`);
});
process.on('SIGTERM', () => {
  for (const c of wss.clients) c.terminate();
  wss.close(() => https.close(() => process.exit(0)));
});

// Latency at 50 concurrent sessions in one process, at real-time pace: the replay server (its own process) sends
// each session's audio deltas as the audio plays (one 100 ms delta every 100 ms, with its transcript delta) and
// stamps each frame's event_id with its send time; the client records, at the user's handler of each audio
// chunk, now − send time. Raw client and rx-realtime pipeline run in the same rounds, 50 sessions each, started
// alternately 1 ms apart (which one first alternates by round).
// Both processes read the same clock (performance.timeOrigin + performance.now(), µs resolution).
import WebSocket from 'ws';
import type { Dialect } from '../src/protocol';
import { path, startServer, userPipeline } from './pipeline.bench';

const SESSIONS = 50;
const now = () => performance.timeOrigin + performance.now();
// the reply starts 1 s after session.created, as it follows a user's turn: the 50 TLS handshakes of a round are
// over by then, and what is measured is the audio's way through the client, not connection set-up
const query = '&pace=realtime&stamp=1&responses=1&turn=1000';

/** The send time the replay server appended to the event id (`event_x@<ms>`). */
const sentAt = (eventId: unknown) => Number(String(eventId).slice(String(eventId).lastIndexOf('@') + 1));

type Session = (port: number, cert: string, dialect: Dialect, record: (ms: number) => void) => Promise<void>;

const raw: Session = (port, cert, dialect, record) =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${port}${path(dialect)}${query}`, {
      perMessageDeflate: false,
      ca: cert,
    });
    ws.on('message', (data: Buffer) => {
      const e = JSON.parse(data.toString()) as { type: string; delta?: string; event_id?: string };
      if (e.type === 'response.audio.delta' || e.type === 'response.output_audio.delta') {
        const pcm = Buffer.from(e.delta!, 'base64');
        if (pcm.length > 0) record(now() - sentAt(e.event_id));
      }
    });
    ws.on('close', () => resolve());
    ws.on('error', reject);
  });

const rx: Session = async (port, cert, dialect, record) => {
  let sent = 0;
  await userPipeline({ port, cert }, dialect, query, {
    // the stamp of the event audioDeltas is about to turn into bytes (synchronous: the same event)
    partEvent: (e) => (sent = sentAt((e as { event_id?: unknown }).event_id)),
    audio: (pcm) => {
      if (pcm.byteLength > 0) record(now() - sent);
    },
  });
};

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

export interface LatencyRow {
  readonly name: string;
  readonly value: string;
  readonly details: string;
}

/**
 * p50/p99/max of both clients per dialect over all rounds, and rx's p99 minus raw's: the median of the rounds'
 * differences (target ≤ 0.3 ms), their range, and the difference over all samples.
 */
export async function benchLatency(rounds = 6): Promise<LatencyRow[]> {
  const { child, port, cert } = await startServer();
  try {
    const rows: LatencyRow[] = [];
    for (const dialect of ['preview', 'ga'] as const) {
      const samples = { raw: [] as number[], rx: [] as number[] };
      // Both clients in the same round, 50 sessions each, started alternately 1 ms apart: a pause of the machine
      // (GC, the other process, the OS) hits both alike, so the difference is the clients' own. Which client
      // starts each pair alternates from round to round: the server's frames of a pair leave in start order, and
      // the second waits for the first whenever the server's timers fire together.
      const run = async (into: { raw: number[]; rx: number[] }, rxFirst: boolean) => {
        const sessions: Promise<void>[] = [];
        const start = {
          raw: () => sessions.push(raw(port, cert, dialect, (ms) => into.raw.push(ms))),
          rx: () => sessions.push(rx(port, cert, dialect, (ms) => into.rx.push(ms))),
        };
        for (let i = 0; i < SESSIONS; i++) {
          for (const client of rxFirst ? (['rx', 'raw'] as const) : (['raw', 'rx'] as const)) {
            start[client]();
            await new Promise((resolve) => setTimeout(resolve, 1));
          }
        }
        await Promise.all(sessions);
      };
      const stats = (xs: number[]) => {
        const s = [...xs].sort((a, b) => a - b);
        return { p50: percentile(s, 0.5), p99: percentile(s, 0.99), max: s.at(-1)!, n: s.length };
      };
      // a warm-up round, not recorded: compiled code, not the compiler, is measured
      await run({ raw: [], rx: [] }, false);
      // the p99 difference of each round, as the other benchmarks take a ratio per round: a round in which a
      // pause of the machine happened to hit more sessions of one client moves one value, not the result
      const differences: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const round = { raw: [] as number[], rx: [] as number[] };
        await run(round, r % 2 === 1);
        differences.push(stats(round.rx).p99 - stats(round.raw).p99);
        samples.raw.push(...round.raw);
        samples.rx.push(...round.rx);
      }
      const a = stats(samples.raw);
      const b = stats(samples.rx);
      const fmt = (x: { p50: number; p99: number; max: number }) =>
        `${x.p50.toFixed(2)} / ${x.p99.toFixed(2)} / ${x.max.toFixed(1)} ms`;
      const ms = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
      const sorted = [...differences].sort((x, y) => x - y);
      const detail = `${SESSIONS} + ${SESSIONS} sessions at once × ${rounds} rounds, ${a.n} + ${b.n} audio deltas`;
      rows.push(
        {
          name: `latency p50 / p99 / max at ${SESSIONS} sessions: raw client (${dialect})`,
          value: fmt(a),
          details: detail,
        },
        {
          name: `latency p50 / p99 / max at ${SESSIONS} sessions: rx-realtime pipeline (${dialect})`,
          value: fmt(b),
          details: detail,
        },
        {
          name: `latency p99: rx-realtime − raw client, median of the rounds (${dialect})`,
          value: `${ms(sorted[sorted.length >> 1]!)} ms (rounds ${ms(sorted[0]!)} to ${ms(sorted.at(-1)!)}; all samples ${ms(b.p99 - a.p99)})`,
          details: detail,
        },
      );
    }
    return rows;
  } finally {
    child.kill('SIGTERM');
  }
}

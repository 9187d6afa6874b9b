// Latency at 50 concurrent sessions at real-time pace, each client in a process of its own (bench/solo-client.ts):
// the replay server (its own process) sends each session's audio deltas as the audio plays (one 100 ms delta every
// 100 ms, with its transcript delta) and stamps each frame's event_id with its send time; the client records, at
// the user's handler of each audio chunk, now − send time. In each round the raw client's and rx-realtime's
// processes run at once, 50 sessions each: a pause of the machine (the OS, the server) hits both alike, and
// neither's event loop delays the other's events (in one process each one's GC and bursts of frames would, and
// the difference could not be seen). Both processes read the same clock (performance.timeOrigin +
// performance.now(), µs resolution).
import { startServer, type Server } from './pipeline.bench';
import { runSolo, soloBundle } from './solo';
import type { LatencyResult } from './solo-client';
import { rmSync } from 'node:fs';
import { median, type LatencyCandidate } from './shared';

const SESSIONS = 50;
// the reply starts 1 s after session.created, as it follows a user's turn: the 50 TLS handshakes of a round are
// over by then, and what is measured is the audio's way through the client, not connection set-up
const query = '&pace=realtime&stamp=1&responses=1&turn=1000';

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

export interface LatencyRow {
  readonly name: string;
  readonly value: string;
  readonly details: string;
}

const CANDIDATE_LABEL: Record<LatencyCandidate, [row: string, difference: string]> = {
  rx: ['rx-realtime pipeline', 'rx-realtime'],
  raw: ['raw client beside raw (self-comparison)', 'raw (self)'],
  rawRxSplit: ['raw events split with rxjs alone (groupBy, mergeMap)', 'rxjs split'],
};

export interface LatencyOptions {
  /** Rounds per dialect (default 6). */
  readonly rounds?: number;
  /**
   * Which client is compared with the raw one: rx-realtime (default), raw itself (the measure's noise), or raw's
   * events split with rxjs alone (bench/raw-split.ts: what the split costs without rx-realtime).
   */
  readonly candidate?: LatencyCandidate;
}

/**
 * p50/p99/max of both clients per dialect over all rounds, and the candidate's p99 minus raw's: the median of the
 * rounds' differences (target ≤ 0.3 ms), their range, and the difference over all samples. With `candidate: 'raw'`
 * two raw processes run side by side, and the difference is what the measure reads when there is none.
 */
export async function benchLatency(options: LatencyOptions = {}): Promise<LatencyRow[]> {
  const rounds = options.rounds ?? 6;
  const candidate = options.candidate ?? 'rx';
  const { child, ...server } = await startServer();
  const bundled = await soloBundle();
  try {
    const rows: LatencyRow[] = [];
    for (const dialect of ['preview', 'ga'] as const) {
      // [candidate, baseline]: by position, as the two may be the same client
      const pair = [candidate, 'raw'] as const;
      const samples: [number[], number[]] = [[], []];
      // Which client's process starts first alternates from round to round: the server's frames leave in the
      // order the sessions opened, and when its timers fire together the later sessions wait for the earlier.
      const run = async (into: [number[], number[]], candidateFirst: boolean) => {
        const order = candidateFirst ? ([0, 1] as const) : ([1, 0] as const);
        const results = await Promise.all(
          order.map((i) =>
            runSolo<LatencyResult>(
              bundled,
              {
                ...(server as Server),
                client: pair[i],
                dialect,
                task: 'latency',
                warmup: 20,
                sessions: SESSIONS,
                query,
              },
              120_000,
            ),
          ),
        );
        order.forEach((i, k) => into[i].push(...results[k]!.samples));
      };
      const stats = (xs: number[]) => {
        const s = [...xs].sort((a, b) => a - b);
        return { p50: percentile(s, 0.5), p99: percentile(s, 0.99), max: s.at(-1)!, n: s.length };
      };
      // the p99 difference of each round, as the other benchmarks take a ratio per round: a round in which a
      // pause of the machine happened to hit more sessions of one client moves one value, not the result
      const differences: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const round: [number[], number[]] = [[], []];
        await run(round, r % 2 === 1);
        differences.push(stats(round[0]).p99 - stats(round[1]).p99);
        samples[0].push(...round[0]);
        samples[1].push(...round[1]);
      }
      const cand = stats(samples[0]);
      const base = stats(samples[1]);
      const fmt = (x: { p50: number; p99: number; max: number }) =>
        `${x.p50.toFixed(2)} / ${x.p99.toFixed(2)} / ${x.max.toFixed(1)} ms`;
      const ms = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
      const detail = `${SESSIONS} + ${SESSIONS} sessions at once, a process each, × ${rounds} rounds, ${cand.n} + ${base.n} audio deltas`;
      const [label, short] = CANDIDATE_LABEL[candidate];
      rows.push(
        {
          name: `latency p50 / p99 / max at ${SESSIONS} sessions: raw client (${dialect})`,
          value: fmt(base),
          details: detail,
        },
        {
          name: `latency p50 / p99 / max at ${SESSIONS} sessions: ${label} (${dialect})`,
          value: fmt(cand),
          details: detail,
        },
        {
          name: `latency p99: ${short} − raw client, median of the rounds (${dialect})`,
          value: `${ms(median(differences))} ms (rounds ${ms(Math.min(...differences))} to ${ms(Math.max(...differences))}; all samples ${ms(cand.p99 - base.p99)})`,
          details: detail,
        },
      );
    }
    return rows;
  } finally {
    child.kill('SIGTERM');
    rmSync(bundled.dir, { recursive: true, force: true });
  }
}

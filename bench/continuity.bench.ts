// Continuity: (1) the time from a dropped socket to a replayed, ready session holding 50 items of history, against
// a fresh connect in the same run (both to the emulator on 127.0.0.1, reconnect delay 0, so that what is measured
// is the replay and not the backoff); (2) the audio path across a rollover: the gaps between input appends as they
// arrive at the server, with rollovers every 3 s against none, at real-time pace (20 ms chunks).
//
// The servers run in this process (the emulator, and for (2) a small `ws` server that only opens sessions and
// timestamps appends): what is compared is one client against itself, so both sides share the same loop.
import { Subject, type Subscription } from 'rxjs';
import { WebSocketServer } from 'ws';
import { isSessionState, type SessionState } from '../src/operators/sessionState';
import type { ServerMessage } from '../src/protocol';
import { session, type SessionInput, type SessionOptions } from '../src/session';
import { startEmulator } from '../src/testing/emulator';
import { median, type Row } from './shared';

const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;

/** Waits for the first output value that `match` accepts. */
function until(
  events: (ServerMessage | SessionState)[],
  match: (e: ServerMessage | SessionState) => boolean,
  from: number,
) {
  return new Promise<number>((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      for (let i = from; i < events.length; i++) if (match(events[i]!)) return resolve(i);
      if (Date.now() - started > 20_000) return reject(new Error('timed out'));
      setImmediate(poll);
    };
    poll();
  });
}

async function replayVersusFresh(rounds: number): Promise<Row> {
  const emulator = await startEmulator({ pace: 'fast', speech: 'builtin', reply: () => ({ text: 'ok' }) });
  const base: SessionOptions = {
    endpoint: emulator.endpoint,
    deployment: 'bench',
    apiKey: emulator.apiKey,
    pingIntervalMs: 0,
    config: { outputModalities: ['text'] },
    reconnect: { initialDelayMs: 0, maxDelayMs: 0, maxAttempts: 1000 },
    rollover: false,
  };
  const subscriptions: Subscription[] = [];
  try {
    // the session with history: 25 text turns = 50 items
    const input = new Subject<SessionInput>();
    const events: (ServerMessage | SessionState)[] = [];
    subscriptions.push(session(base)(input).subscribe((e) => events.push(e)));
    for (let t = 0; t < 25; t++) {
      const from = events.length;
      input.next(`turn ${t}`);
      await until(events, (e) => !isSessionState(e) && e.type === 'response.done', from);
    }
    const fresh: number[] = [];
    const replay: number[] = [];
    let items = 0;
    for (let r = 0; r < rounds; r++) {
      // a fresh session to `open` (interleaved with the replays, so that noise hits both alike)
      const freshEvents: (ServerMessage | SessionState)[] = [];
      const t0 = performance.now();
      const sub = session(base)(new Subject<SessionInput>()).subscribe((e) => freshEvents.push(e));
      await until(freshEvents, (e) => isSessionState(e) && e.state === 'open', 0);
      fresh.push(performance.now() - t0);
      sub.unsubscribe();
      // a drop, to `replayed`
      const from = events.length;
      const t1 = performance.now();
      emulator.faults.dropAll();
      const at = await until(events, (e) => isSessionState(e) && e.state === 'replayed', from);
      replay.push(performance.now() - t1);
      items = (events[at] as SessionState).items ?? 0;
    }
    const ratios = replay.map((x, i) => x / fresh[i]!);
    return {
      name: 'drop → replayed (50 items) / fresh connect → open',
      ratio: median(ratios),
      min: Math.min(...ratios),
      max: Math.max(...ratios),
      details: `${rounds} rounds; median ${median(replay).toFixed(1)} ms vs ${median(fresh).toFixed(1)} ms; ${items} items replayed`,
    };
  } finally {
    for (const s of subscriptions) s.unsubscribe();
    await emulator.close();
  }
}

/**
 * A server that only opens sessions (lasting `sessionMs`, server VAD on) and records when each input chunk first
 * arrives: every chunk carries its sequence number in its first 4 bytes, so that audio sent again at a switch
 * (the pre-roll) is told from the live audio.
 */
async function appendServer(sessionMs: number) {
  const firstArrival = new Map<number, number>();
  let appends = 0;
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  let n = 0;
  wss.on('connection', (ws) => {
    const id = `sess_${++n}`;
    const expires_at = Math.floor((Date.now() + sessionMs) / 1000);
    const turn_detection = {
      type: 'server_vad',
      threshold: 0.5,
      prefix_padding_ms: 300,
      silence_duration_ms: 500,
    };
    const view = {
      id,
      object: 'realtime.session',
      model: 'bench',
      modalities: ['text'],
      turn_detection,
      expires_at,
    };
    ws.send(JSON.stringify({ type: 'session.created', event_id: `e${n}`, session: view }));
    ws.on('message', (data) => {
      const event = JSON.parse(data.toString()) as { type: string; audio?: string };
      if (event.type === 'input_audio_buffer.append') {
        appends++;
        const seq = Buffer.from(event.audio!, 'base64').readUInt32LE(0);
        if (!firstArrival.has(seq)) firstArrival.set(seq, performance.now());
      } else if (event.type === 'session.update')
        ws.send(JSON.stringify({ type: 'session.updated', event_id: `u${n}`, session: view }));
    });
  });
  const port = (wss.address() as { port: number }).port;
  return {
    firstArrival,
    appends: () => appends,
    url: `ws://127.0.0.1:${port}/openai/realtime?api-version=2025-04-01-preview&deployment=b`,
    connections: () => n,
    close: () => new Promise<void>((r) => wss.close(() => r())),
  };
}

async function streamThrough(sessionMs: number, rollover: SessionOptions['rollover'], ms: number) {
  const server = await appendServer(sessionMs);
  const input = new Subject<SessionInput>();
  const sub = session({ url: server.url, apiKey: 'k', pingIntervalMs: 0, rollover })(input).subscribe();
  const started = performance.now();
  const sent = ms / 20;
  for (let seq = 0; seq < sent; seq++) {
    const chunk = new Uint8Array(20 * 48);
    new DataView(chunk.buffer).setUint32(0, seq, true);
    input.next(chunk);
    await new Promise((r) => setTimeout(r, Math.max(0, started + (seq + 1) * 20 - performance.now())));
  }
  await new Promise((r) => setTimeout(r, 200));
  sub.unsubscribe();
  await server.close();
  const times = [...server.firstArrival.entries()].sort((a, b) => a[0] - b[0]).map(([, t]) => t);
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  return {
    gaps,
    received: server.firstArrival.size,
    appends: server.appends(),
    sent,
    connections: server.connections(),
  };
}

async function rolloverAudioPath(ms: number): Promise<Row[]> {
  const rolled = await streamThrough(5000, { leadMs: 2000 }, ms);
  const steady = await streamThrough(3_600_000, false, ms);
  const p99 = (r: typeof rolled) => quantile(r.gaps, 0.99);
  return [
    {
      name: 'audio path: p99 gap between live chunks at the server, rollovers / none (target ≈ 1×)',
      ratio: p99(rolled) / p99(steady),
      details:
        `p99 ${p99(rolled).toFixed(1)} vs ${p99(steady).toFixed(1)} ms; max ${Math.max(...rolled.gaps).toFixed(1)} vs ` +
        `${Math.max(...steady.gaps).toFixed(1)} ms; ${rolled.connections} sockets vs ${steady.connections}; chunks ` +
        `received ${rolled.received}/${rolled.sent} vs ${steady.received}/${steady.sent}; appends sent again ` +
        `(pre-roll) ${rolled.appends - rolled.received}`,
    },
  ];
}

export async function benchContinuity(): Promise<Row[]> {
  const rounds = Number(process.env['BENCH_CONTINUITY_ROUNDS'] ?? 15);
  const ms = Number(process.env['BENCH_ROLLOVER_MS'] ?? 10_000);
  return [await replayVersusFresh(rounds), ...(await rolloverAudioPath(ms))];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await benchContinuity()) console.log(JSON.stringify(row));
}

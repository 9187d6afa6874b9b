// The service regime (issue 18): many concurrent sessions at real-time pace, as a Node service runs them, each
// client in its own process and the replay server in another. One round runs each client once, alone with the
// server (the order rotates from round to round); its ratios and differences are taken against the raw client
// of the same round, and the rows give the median round and the range.
//
// Why the replay server (bench/replay-server.ts) and not the emulator: the emulator runs a VAD over every append
// and synthesises its replies, so at 400 sessions its own CPU and its pauses (on the same 2 cores) would be much
// of what is measured, and would differ from run to run with what its VAD decides. The replay server does the
// service's part of the wire and nothing else: it sends frames made once (the §6 shapes of a spoken GA reply, in
// the recorded field order, `obfuscation` included), paced by the clock, stamps each with its send time, and
// only counts what it receives. Every client gets the same frames at the same times, so the differences are
// the clients'. test/fixtures holds no recorded audio reply to replay (the GA recording stops at its first
// transcript delta, the beta one is text only), hence frames made in the recorded shapes.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ClientName, ServiceConfig, ServiceResult } from './service-client';
import type { FrameShape } from './decode.bench';
import { bundle, type Row } from './shared';

const SHAPE_NAMES: Readonly<Record<FrameShape, string>> = {
  real: 'real frames',
  extra: 'frames with an extra field',
  spaced: 'spaced frames',
  nested: 'frames with a nested field (the envelope path)',
  escaped:
    "PHP's escaped slashes (\\/): each delta read from its own token, then from templates that unescape",
  full: 'frames whose delta key is spelled with an escape (the full decode path)',
};

const root = new URL('..', import.meta.url);
const file = (relative: string) => fileURLToPath(new URL(relative, root));

export interface ServiceOptions {
  /** Concurrent sessions per client. Default 400. */
  readonly sessions?: number;
  /** Length of the measured window, ms. Default 20 000. */
  readonly measureMs?: number;
  /** Rounds (each client once per round). Default 5. */
  readonly rounds?: number;
  /** `'dist'`: rx-realtime as shipped (needs `npm run build`). `'src'`: the sources, bundled by esbuild. Default dist. */
  readonly source?: 'dist' | 'src';
  /** The server frames' shape (see {@link FrameShape}; `'spaced'` is the full decode path). Default `'real'`. */
  readonly shape?: FrameShape;
  /** Audio deltas per response (100 ms each). Default 50 (5 s replies). */
  readonly deltas?: number;
  /** Sessions open over this long, ms. Default sessions × 5 ms, at least 200. */
  readonly rampMs?: number;
  /** After the ramp and the first turn, this long before the window opens, ms. Default 3000. */
  readonly warmupMs?: number;
  /** The server's pause before a session's first response, ms. Default 1000. */
  readonly turnMs?: number;
  readonly clients?: readonly ClientName[];
  /** Whether the sessions send their caller's audio (see {@link ServiceConfig.uplink}). Default `true`. */
  readonly uplink?: boolean;
  /** A line on stderr after each client's run. Default `false` (`npm run bench` sets it). */
  readonly progress?: boolean;
}

/** One client's result in one round, with the server's view of the same run and what is wrong with it. */
export interface ServiceRun extends ServiceResult {
  /** Client text frames the server received during this client's run. */
  readonly serverReceived: number;
  /** How late the server's paced audio deltas left (ms). */
  readonly serverLag: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Why this result is not a valid measurement (empty when it is). */
  readonly problems: readonly string[];
}

/** A heap space's used / reserved MB, for the progress lines. */
const spaceMB = (r: ServiceResult, name: string) => {
  const space = r.spaces[name];
  return space ? `${space.usedMB.toFixed(0)}/${space.sizeMB.toFixed(0)}` : '–';
};

interface ServerStats {
  received: Record<string, number>;
  open: number;
  lag: { p50: number; p99: number; max: number };
}

/**
 * The programs, built by esbuild into a fresh folder under bench/.build (plain `node` runs them: no TypeScript
 * loader in the measured processes): the replay server, the client, and for `source: 'src'` the sources as one
 * module. Packages stay imports, resolved from node_modules as a user's are; `dist` is the package as shipped.
 */
async function prepare(source: 'dist' | 'src') {
  const dist = file('dist/index.js');
  if (source === 'dist' && !existsSync(dist))
    throw new Error('the service benchmark measures dist/: run `npm run build` first (or pass source: src)');
  mkdirSync(file('bench/.build'), { recursive: true });
  const dir = mkdtempSync(join(file('bench/.build'), 'service-'));
  const bundled = (entry: string, out: string) => bundle(file(entry), join(dir, out));
  await Promise.all([
    bundled('bench/replay-server.ts', 'replay-server.mjs'),
    bundled('bench/service-client.ts', 'service-client.mjs'),
    ...(source === 'src' ? [bundled('src/index.ts', 'rx-realtime.mjs')] : []),
  ]);
  return {
    server: join(dir, 'replay-server.mjs'),
    client: join(dir, 'service-client.mjs'),
    rxModule: pathToFileURL(source === 'src' ? join(dir, 'rx-realtime.mjs') : dist).href,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The replay server in its own process, with a `stats()` that asks it over stdin. */
async function startServer(script: string) {
  const child = spawn(process.execPath, [script], {
    cwd: fileURLToPath(root),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = () => new Promise<string>((resolve) => waiting.push(resolve));
  const { port, cert } = JSON.parse(await next()) as { port: number; cert: string };
  return {
    port,
    cert,
    async stats(): Promise<ServerStats> {
      const line = next();
      child.stdin.write('stats\n');
      return JSON.parse(await line) as ServerStats;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * One client process. The server's certificate is trusted through NODE_EXTRA_CA_CERTS, as a service trusts its
 * endpoint's through the default store: a `ca` option on each connection makes Node build a secure context per
 * connection (tens of ms of CPU each), which at 400 sessions was seconds of set-up in every client.
 */
function runClient(args: string[], config: ServiceConfig, caFile: string): Promise<ServiceResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: fileURLToPath(root),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BENCH_SERVICE: JSON.stringify(config), NODE_EXTRA_CA_CERTS: caFile },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as ServiceResult);
      else reject(new Error(`${config.client} client exited with ${code}: ${err.trim().slice(-2000)}`));
    });
  });
}

/** What a valid result must show; each miss is a sentence. */
function problemsOf(r: ServiceResult, config: ServiceConfig, received: number): string[] {
  const problems: string[] = [];
  const deltas = config.sessions * config.responses * config.deltas;
  if (r.errors.length) problems.push(`sessions failed: ${r.errors.join('; ')}`);
  if (r.unfinished) problems.push(`${r.unfinished} sessions did not end`);
  if (r.openAtStart !== config.sessions)
    problems.push(`${r.openAtStart} of ${config.sessions} sessions open when the window began`);
  if (r.endedInWindow) problems.push(`${r.endedInWindow} sessions ended before the window closed`);
  if (r.audioDeltas !== deltas) problems.push(`${r.audioDeltas} audio deltas, expected ${deltas}`);
  if (r.audioBytes !== deltas * 4800) problems.push(`${r.audioBytes} audio bytes, expected ${deltas * 4800}`);
  // each transcript delta is "word " (bench/decode.bench.ts)
  if (r.transcriptChars !== deltas * 5)
    problems.push(`${r.transcriptChars} transcript characters, expected ${deltas * 5}`);
  // an append may be counted in the tick that races the server's close frame: one per session at most
  if (received > r.appendsSent || received < r.appendsSent - config.sessions)
    problems.push(`the server received ${received} appends, the client sent ${r.appendsSent}`);
  const minimum = config.uplink ? (config.sessions * config.measureMs) / 20 / 2 : 0;
  if (r.appendsSent < minimum) problems.push(`only ${r.appendsSent} appends sent`);
  if (!config.uplink && r.appendsSent > 0) problems.push(`${r.appendsSent} appends sent without an uplink`);
  if (!(r.latency.n > 0) || !Number.isFinite(r.latency.p99)) problems.push('no latency sample in the window');
  for (const [name, x] of Object.entries({
    cpuMs: r.cpuMs,
    rssMB: r.rssMB,
    heapMB: r.heapMB,
    eld: r.eventLoopDelay.p99,
  }))
    if (!(Number.isFinite(x) && x > 0)) problems.push(`${name} is ${x}`);
  return problems;
}

/** Every round's results, each client's beside the others'. */
export async function runService(options: ServiceOptions = {}): Promise<{
  readonly config: Omit<ServiceConfig, 'client' | 'port' | 'rxModule' | 'tag'>;
  readonly rounds: readonly Record<ClientName, ServiceRun>[];
}> {
  const sessions = options.sessions ?? 400;
  const measureMs = options.measureMs ?? 20_000;
  const deltas = options.deltas ?? 50;
  const rampMs = options.rampMs ?? Math.max(200, sessions * 5);
  const warmupMs = options.warmupMs ?? 3000;
  const turnMs = options.turnMs ?? 1000;
  const clients = options.clients ?? (['raw', 'rx', 'openai', 'floor'] as const);
  // enough responses that the first session is still streaming when the window closes
  // (a ramp's length to spare, at least 0.5 s: the window waits for late handshakes)
  const spare = Math.max(500, rampMs);
  const responses = Math.ceil((rampMs + warmupMs + measureMs + spare) / (deltas * 100));
  const shape = options.shape ?? 'real';
  const uplink = options.uplink ?? true;
  const base = { sessions, responses, deltas, turnMs, rampMs, warmupMs, measureMs, shape, uplink };
  const built = await prepare(options.source ?? 'dist');
  const { rxModule } = built;
  const args = [built.client];
  const server = await startServer(built.server);
  const caFile = join(dirname(built.server), 'ca.pem');
  writeFileSync(caFile, server.cert);
  try {
    const rounds: Record<ClientName, ServiceRun>[] = [];
    for (let round = 0; round < (options.rounds ?? 5); round++) {
      const results = {} as Record<ClientName, ServiceRun>;
      // the order rotates: no client always runs first (a cold machine) or last (after the others' garbage)
      const order = clients.map((_, i) => clients[(i + round) % clients.length]!);
      const run = async (client: ClientName) => {
        const tag = `${client}-${round}`;
        const config: ServiceConfig = {
          ...base,
          client,
          port: server.port,
          rxModule,
          tag,
        };
        await server.stats(); // resets the lag histogram
        const result = await runClient(args, config, caFile);
        // the server's count is final once the client's sockets are gone
        let after = await server.stats();
        for (let i = 0; i < 50 && after.open > 0; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          after = await server.stats();
        }
        const received = after.received[tag] ?? 0;
        results[client] = {
          ...result,
          serverReceived: received,
          serverLag: after.lag,
          problems: problemsOf(result, config, received),
        };
        if (options.progress) {
          const r = results[client];
          process.stderr.write(
            `service round ${round + 1} ${client}: CPU ${r.cpuPercent.toFixed(1)} %, RSS ${r.rssMB.toFixed(0)} MB, ` +
              `heap ${r.heapMB.toFixed(0)}/${r.heapTotalMB.toFixed(0)} MB (young ${spaceMB(r, 'new_space')}, old ` +
              `${spaceMB(r, 'old_space')}), external ${r.externalMB.toFixed(0)} MB, ` +
              `latency p99 ${r.latency.p99.toFixed(2)} ms, p99.9 ${r.latency.p999.toFixed(1)} ms, server lag p99 ` +
              `${r.serverLag.p99.toFixed(1)} ms${r.problems.length ? `; INVALID: ${r.problems.join('; ')}` : ''}\n`,
          );
        }
      };
      for (const client of order) await run(client);
      rounds.push(results);
    }
    return { config: base, rounds };
  } finally {
    await server.stop();
    built.cleanup();
  }
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const range = (xs: readonly number[]) => [Math.min(...xs), Math.max(...xs)] as const;
const signed = (x: number, digits = 2) => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;

const LABEL: Record<ClientName, string> = {
  raw: 'raw ws + JSON.parse + Buffer base64',
  rawAgain: 'raw ws + JSON.parse + Buffer base64, again (raw beside raw: the noise)',
  rawRx: 'raw ws + JSON.parse + Buffer base64, composed with rxjs (share, filter, map, tap)',
  rawRxSplit:
    'raw ws + JSON.parse + Buffer base64, split with rxjs alone (groupBy per response and per part, mergeMap)',
  rx: 'rx-realtime connect() + operators',
  rxFlat: 'rx-realtime connect() + audioDeltas() on the stream, no split',
  openai: 'openai@6 OpenAIRealtimeWS',
  floor: 'floor: ws, frames located by byte search, nothing parsed or decoded',
  floorDecode: 'floor + each audio delta base64-decoded and each transcript made a string',
};

/** `npm run bench` rows: each client's medians, and its ratios and differences against the raw client. */
export async function benchService(options: ServiceOptions = {}): Promise<Row[]> {
  const { config, rounds } = await runService(options);
  // every figure of every round, for a closer look (bench/results is not committed)
  mkdirSync(file('bench/results'), { recursive: true });
  writeFileSync(
    file(`bench/results/service-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
    JSON.stringify({ config, rounds }, null, 1),
  );
  const clients = Object.keys(rounds[0]!) as ClientName[];
  const valid = rounds.filter((r) => clients.every((c) => r[c].problems.length === 0));
  const invalid = rounds.length - valid.length;
  const problems = rounds.flatMap((r, i) =>
    clients.flatMap((c) => r[c].problems.map((p) => `round ${i + 1} ${c}: ${p}`)),
  );
  const tag = `${config.sessions} sessions, GA, ${SHAPE_NAMES[config.shape]}${config.uplink ? '' : ', no uplink'}`;
  const detail =
    `${valid.length} valid rounds of ${rounds.length}; window ${(config.measureMs / 1000).toFixed(0)} s; ` +
    `server lag p99 ${median(valid.map((r) => r.raw.serverLag.p99)).toFixed(1)} ms` +
    (invalid ? `; INVALID: ${problems.slice(0, 3).join('; ')}` : '');
  if (valid.length === 0) return [{ name: `service (${tag})`, value: 'no valid round', details: detail }];
  const rows: Row[] = [];
  for (const c of clients) {
    const m = (f: (r: ServiceRun) => number) => median(valid.map((r) => f(r[c])));
    const cpu = m((r) => r.cpuPercent);
    rows.push({
      name: `service (${tag}): ${LABEL[c]}`,
      value:
        `CPU ${cpu.toFixed(1)} % of a core (${m((r) => r.cpuMsPerSessionMinute).toFixed(1)} ms/session-min, ` +
        `${Math.round((config.sessions * 100) / cpu)} sessions/core); RSS ${m((r) => r.rssMB).toFixed(0)} MB; ` +
        `loop delay p99 ${m((r) => r.eventLoopDelay.p99).toFixed(1)} ms; latency p50 / p99 / p99.9 ` +
        `${m((r) => r.latency.p50).toFixed(2)} / ${m((r) => r.latency.p99).toFixed(2)} / ${m((r) => r.latency.p999).toFixed(1)} ms`,
      details: `medians; ${detail}`,
    });
  }
  // above the floor (the transport's cost, the same for every client): each client's own work, in ms of CPU in
  // the window (a difference, not a ratio: raw's own work is within the rounds' noise of zero at saturation)
  if (clients.includes('floor')) {
    const own = (x: ClientName) => valid.map((r) => r[x].cpuMs - r.floor.cpuMs);
    const shown = clients
      .filter((x) => x !== 'floor')
      .map((x) => {
        const [a, b] = range(own(x));
        return `${x} ${signed(median(own(x)), 0)} ms (rounds ${signed(a, 0)} to ${signed(b, 0)})`;
      });
    rows.push({
      name: `service CPU above the floor (${tag}): each client's own work in the window`,
      value: shown.join('; '),
      details:
        `floor ${median(valid.map((r) => r.floor.cpuMs)).toFixed(0)} ms of CPU in the window, ` +
        `${median(valid.map((r) => r.floor.cpuMs / r.raw.cpuMs)).toFixed(2)}× raw's; ${detail}`,
    });
  }
  for (const c of clients.filter((x) => x !== 'raw' && x !== 'floor')) {
    const ratios = valid.map((r) => r[c].cpuMs / r.raw.cpuMs);
    const [lo, hi] = range(ratios);
    rows.push({
      name: `service CPU (${tag}): ${LABEL[c]} / raw (target rx ≤ 0.85×)`,
      ratio: median(ratios),
      min: lo,
      max: hi,
      details: detail,
    });
    const diff = (label: string, f: (r: ServiceRun) => number, target: string, unit = 'ms') => {
      const d = valid.map((r) => f(r[c]) - f(r.raw));
      const [a, b] = range(d);
      rows.push({
        name: `service ${label} (${tag}): ${LABEL[c]} − raw (target rx ${target})`,
        value: `${signed(median(d))} ${unit} (rounds ${signed(a)} to ${signed(b)})`,
        details: detail,
      });
    };
    diff('latency p99', (r) => r.latency.p99, '≤ +1 ms');
    diff('latency p99.9', (r) => r.latency.p999, '≤ +3 ms');
    diff('loop delay p99', (r) => r.eventLoopDelay.p99, '–');
    diff('RSS', (r) => r.rssMB, 'within 20 MB', 'MB');
  }
  return rows;
}

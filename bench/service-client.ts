// One client of the service benchmark, in a process of its own (bench/service.bench.ts starts it): `sessions`
// concurrent sessions against the replay server at real-time pace. Each session sends 20 ms of 24 kHz PCM16 as
// an `input_audio_buffer.append` every 20 ms, as a telephony or browser gateway forwards a caller's audio, and
// receives the assistant's audio deltas (one of 100 ms, with its transcript delta, every 100 ms). Over a window
// after the sessions are up and warm, it measures its own CPU time (process.cpuUsage), RSS and heap, the event
// loop's delay (perf_hooks.monitorEventLoopDelay) and each audio delta's delivery latency: the time at the user's
// handler minus the send time the server wrote into the frame's `event_id` (both processes read
// performance.timeOrigin + performance.now()). It prints one JSON line, {@link ServiceResult}, and exits.
//
// The three clients do the same work: encode and send the appends, decode every frame, hand over each audio
// delta as bytes and each transcript delta as a string.
// - raw:    `ws`, JSON.stringify + Buffer.toString('base64') out, JSON.parse + Buffer.from(base64) in;
// - rx:     rx-realtime as a user writes it: connect() fed by audioAppends() over the microphone's chunks, then
//           share() → splitResponses() → splitContentParts() → audioDeltas(), and transcriptDeltas() beside it;
// - rxFlat: rx-realtime without the split: audioDeltas() and transcriptDeltas() on the shared stream itself. Not in
//           the default rounds (`--clients` names it): beside `rx` it tells the library's own cost from that of
//           the per-response and per-part composition (two splitters, two mergeMaps, a tap per part);
// - rawAgain: the raw client again, in a process of its own: beside raw, what a difference reads when there is
//           none (the noise of the tail and CPU figures at this load). Not in the default rounds.
// - rawRx:  the raw client composed with rxjs as rxFlat is, without rx-realtime: the socket's frames
//           (JSON.parse) in an Observable, share(), filter + map (Buffer base64) + tap for the audio, filter + tap
//           for the transcripts, the uplink an interval. Not in the default rounds: beside rxFlat it tells
//           rx-realtime's own cost from what composing a session with rxjs costs anyway.
// - rawRxSplit: rawRx with the split as plain rxjs writes it (bench/raw-split.ts: a groupBy per response, one per
//           content part, a mergeMap each). Not in the default rounds: beside rx it tells what rx-realtime's
//           split operators cost from what splitting a session with rxjs alone costs.
// - openai: openai@6 OpenAIRealtimeWS (GA), send() out and its typed `on(type)` events in;
// - floor:  not a client but the cost every client pays: `ws`, one append frame encoded once and sent every 20 ms,
//           each received frame's type, event id and delta found by byte search, nothing parsed or decoded. What
//           is left of a client's CPU above it is the client's own work (JSON, base64, its pipeline).
// - floorDecode: the floor plus what no client that hands over bytes and strings can skip: each audio delta's
//           base64 decoded to bytes (`Buffer.from(text, 'base64')` on its Latin-1 text) and each transcript delta
//           made a string. Not in the default rounds: the lower bound of any client's CPU in this regime.
//
// Plain `node` runs this file once esbuild has built it (service.bench.ts does), with rx-realtime from dist/ (the
// package as shipped) or from the sources bundled alike; it imports nothing relative at run time, and each
// client loads only its own libraries (a process holds one client's code, not three).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { writeFileSync } from 'node:fs';
import { Session as Inspector } from 'node:inspector';
import type { FrameShape } from './decode.bench';
import { rawEvents, rawSplitAudio } from './raw-split';
import { now, path, sentAt } from './shared';

/** Every client a round can run (`--clients`); the default rounds run raw, rx, openai and floor. */
export const CLIENT_NAMES = [
  'raw',
  'rawAgain',
  'rawRx',
  'rawRxSplit',
  'rx',
  'rxFlat',
  'openai',
  'floor',
  'floorDecode',
] as const;
export type ClientName = (typeof CLIENT_NAMES)[number];

export interface ServiceConfig {
  readonly client: ClientName;
  readonly port: number;
  readonly sessions: number;
  /** Responses per session, back to back, each `deltas` × 100 ms long; the server closes with 1000 after them. */
  readonly responses: number;
  readonly deltas: number;
  /** The server starts a session's first response this long after its `session.created`. */
  readonly turnMs: number;
  /** Session i opens at i × rampMs / sessions. */
  readonly rampMs: number;
  /** The window starts rampMs + turnMs + warmupMs after the first session opens, and lasts measureMs. */
  readonly warmupMs: number;
  readonly measureMs: number;
  /** The server frames' shape (see {@link FrameShape} and replay-server.ts). */
  readonly shape: FrameShape;
  /** The module rx-realtime is imported from: dist/index.js (the shipped package) or the sources bundled. */
  readonly rxModule: string;
  /** Sent as the `tag` query parameter: the server counts the appends it receives by tag. */
  readonly tag: string;
  /**
   * Whether each session sends its caller's audio (a 20 ms append every 20 ms). `false`, a diagnosis: the receive
   * path alone, without the TLS writes of 20 000 appends a second that are most of every client's CPU and most of
   * the noise between rounds (BENCHMARKS.md, 2026-12-04).
   */
  readonly uplink: boolean;
}

export interface ServiceResult {
  readonly client: ClientName;
  readonly sessions: number;
  readonly windowMs: number;
  /** CPU time (user + system) in the window, ms. */
  readonly cpuMs: number;
  readonly userMs: number;
  readonly systemMs: number;
  /** CPU time per session-minute in the window, ms. */
  readonly cpuMsPerSessionMinute: number;
  /** CPU time in the window / wall time of the window, in % of one core. */
  readonly cpuPercent: number;
  /** At the end of the window, MB (2^20 bytes); the RSS maximum sampled each second. */
  readonly rssMB: number;
  readonly rssMaxMB: number;
  readonly heapMB: number;
  /** Heap reserved by V8 (heapTotal), and memory outside it (external, of which ArrayBuffers), MB. */
  readonly heapTotalMB: number;
  readonly externalMB: number;
  readonly arrayBuffersMB: number;
  /** V8's heap spaces at the end of the window (size reserved / used, MB): the young generation grows with the
   * allocation rate, the old generation with what is kept. */
  readonly spaces: Readonly<Record<string, { readonly sizeMB: number; readonly usedMB: number }>>;
  /** Event-loop delay in the window beyond the monitor's 10 ms interval, ms. */
  readonly eventLoopDelay: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Delivery latency of the audio deltas that arrived in the window, ms. */
  readonly latency: {
    readonly p50: number;
    readonly p99: number;
    readonly p999: number;
    readonly max: number;
    readonly n: number;
  };
  /** Over the sessions' whole life: audio deltas, their PCM bytes, transcript characters, appends sent. */
  readonly audioDeltas: number;
  readonly audioBytes: number;
  readonly transcriptChars: number;
  readonly appendsSent: number;
  /** Sessions open when the window began (all of them, or set-up work was measured). */
  readonly openAtStart: number;
  /** Sessions that had ended when the window closed (none, or the window saw fewer sessions). */
  readonly endedInWindow: number;
  /** Sessions that ended by an error (each message once, with its count). */
  readonly errors: readonly string[];
  /** Sessions that did not end by themselves before the deadline. */
  readonly unfinished: number;
}

/** What every session reports into: counters, and latency samples only inside the window. */
interface Sink {
  audio(bytes: number, eventId: unknown): void;
  transcript(chars: number): void;
  append(): void;
  /** The session's socket is open (rx-realtime: its first event, `session.created`, arrived). */
  open(): void;
}

type Session = (url: string, sink: Sink, pcm: Uint8Array) => Promise<void>;

const params = (c: ServiceConfig) =>
  `pace=realtime&stamp=1&responses=${c.responses}&deltas=${c.deltas}&turn=${c.turnMs}&tag=${c.tag}` +
  (c.shape === 'real' ? '' : `&shape=${c.shape}`);
/** A session's URL on the replay server at `base`: its GA path with the config's parameters. */
const sessionUrl = (base: string, c: ServiceConfig) => `${base}${path('ga')}&${params(c)}`;

async function rawSession(config: ServiceConfig): Promise<Session> {
  const { default: WebSocket } = await import('ws');
  return (base, sink, pcm) => {
    const audio = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
    return wsSession(
      new WebSocket(sessionUrl(base, config), { perMessageDeflate: false }),
      sink,
      config.uplink
        ? () => JSON.stringify({ type: 'input_audio_buffer.append', audio: audio.toString('base64') })
        : undefined,
      (data) => {
        const e = JSON.parse(data.toString()) as { type: string; delta?: string; event_id?: string };
        if (e.type === 'response.output_audio.delta')
          sink.audio(Buffer.from(e.delta!, 'base64').length, e.event_id);
        else if (e.type === 'response.output_audio_transcript.delta') sink.transcript(e.delta!.length);
      },
    );
  };
}

async function rawRxSession(config: ServiceConfig, split = false): Promise<Session> {
  const { default: WebSocket } = await import('ws');
  const rxjs = await import('rxjs');
  const { interval, lastValueFrom, map, filter, merge, share, take, tap, ignoreElements } = rxjs;
  const audioType = 'response.output_audio.delta';
  return (base, sink, pcm) => {
    const audio = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
    const uplink = (ws: import('ws').WebSocket) => {
      const appends = interval(20)
        .pipe(
          map(() => JSON.stringify({ type: 'input_audio_buffer.append', audio: audio.toString('base64') })),
        )
        .subscribe((frame) => {
          if (ws.readyState !== ws.OPEN) return;
          ws.send(frame);
          sink.append();
        });
      return () => appends.unsubscribe();
    };
    const server$ = rawEvents(
      rxjs,
      () => new WebSocket(sessionUrl(base, config), { perMessageDeflate: false }),
      config.uplink ? uplink : undefined,
    ).pipe(share());
    return lastValueFrom(
      merge(
        (split
          ? rawSplitAudio(rxjs, server$, audioType)
          : server$.pipe(
              filter((e) => e.type === audioType),
              map((e) => ({ pcm: Buffer.from(e.delta!, 'base64'), eventId: e.event_id })),
            )
        ).pipe(tap(({ pcm, eventId }) => sink.audio(pcm.length, eventId))),
        server$.pipe(
          filter((e) => e.type === 'response.output_audio_transcript.delta'),
          tap((e) => sink.transcript(e.delta!.length)),
        ),
        server$.pipe(
          take(1),
          tap(() => sink.open()),
        ),
      ).pipe(ignoreElements()),
      { defaultValue: undefined },
    );
  };
}

/**
 * A session of the clients on plain `ws` (raw, floor): once open, `append()`'s frame every 20 ms, as a gateway
 * forwards a caller's audio; each received frame to `onMessage`; settles when the socket closes or fails.
 */
function wsSession(
  ws: import('ws').WebSocket,
  sink: Sink,
  append: (() => string) | undefined,
  onMessage: (data: Buffer) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setInterval> | undefined;
    ws.on('open', () => {
      sink.open();
      if (append === undefined) return;
      timer = setInterval(() => {
        if (ws.readyState !== ws.OPEN) return;
        ws.send(append());
        sink.append();
      }, 20);
    });
    ws.on('message', onMessage);
    ws.on('close', () => {
      clearInterval(timer);
      resolve();
    });
    ws.on('error', (err) => {
      clearInterval(timer);
      reject(err);
    });
  });
}

async function floorSession(config: ServiceConfig, decode = false): Promise<Session> {
  const { default: WebSocket } = await import('ws');
  // `key` is `"name":`; the value's opening quote may follow a space (the `spaced` shape)
  const field = (data: Buffer, key: string) => {
    const at = data.indexOf(key);
    if (at === -1) return undefined;
    const start = at + key.length + (data[at + key.length] === 0x20 ? 2 : 1);
    return { start, end: data.indexOf(0x22, start) };
  };
  return (base, sink, pcm) => {
    const frame = JSON.stringify({
      type: 'input_audio_buffer.append',
      audio: Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength).toString('base64'),
    });
    return wsSession(
      new WebSocket(sessionUrl(base, config), { perMessageDeflate: false }),
      sink,
      config.uplink ? () => frame : undefined,
      (data) => {
        const type = field(data, '"type":');
        if (!type) return;
        const name = data.toString('latin1', type.start, type.end);
        if (name !== 'response.output_audio.delta' && name !== 'response.output_audio_transcript.delta')
          return;
        // the `full` shape spells the key with an escape
        const delta = field(data, config.shape === 'full' ? '"delt\\u0061":' : '"delta":')!;
        if (name === 'response.output_audio_transcript.delta') {
          // ASCII words: one byte a character
          sink.transcript(
            decode ? data.toString('utf8', delta.start, delta.end).length : delta.end - delta.start,
          );
          return;
        }
        let padding = 0;
        if (data[delta.end - 1] === 0x3d) padding++;
        if (data[delta.end - 2] === 0x3d) padding++;
        // the `escaped` shape writes each `/` as `\/`: a backslash is no base64 character
        let escapes = 0;
        for (
          let i = data.indexOf(0x5c, delta.start);
          i !== -1 && i < delta.end;
          i = data.indexOf(0x5c, i + 2)
        )
          escapes++;
        const id = field(data, '"event_id":')!;
        if (decode) {
          const text = data.toString('latin1', delta.start, delta.end);
          const bytes = Buffer.from(escapes === 0 ? text : text.replaceAll('\\/', '/'), 'base64');
          sink.audio(bytes.length, data.toString('latin1', id.start, id.end));
          return;
        }
        const chars = delta.end - delta.start - escapes;
        sink.audio((chars * 3) / 4 - padding, data.toString('latin1', id.start, id.end));
      },
    );
  };
}

async function rxSession(config: ServiceConfig, split = true): Promise<Session> {
  const rx = (await import(config.rxModule)) as typeof import('../src/index');
  const { NEVER, interval, lastValueFrom, map, merge, mergeMap, share, take, tap, ignoreElements } =
    await import('rxjs');
  return async (base, sink, pcm) => {
    // the microphone: a 20 ms chunk every 20 ms, as a gateway hands them over
    const mic$ = interval(20).pipe(map(() => pcm));
    const appends$ = config.uplink
      ? rx.audioAppends(mic$, { chunkMs: 20 }).pipe(tap(() => sink.append()))
      : NEVER;
    const server$ = rx
      .connect({ url: sessionUrl(base, config), dialect: 'ga', pingIntervalMs: 0 })(appends$)
      .pipe(share());
    let eventId: unknown;
    // the stamp of the event audioDeltas() is about to turn into bytes (synchronous: the same event)
    const stamped = (events: import('rxjs').Observable<import('../src/index').ServerMessage>) =>
      events.pipe(
        tap((e) => (eventId = (e as { event_id?: unknown }).event_id)),
        rx.audioDeltas(),
      );
    await lastValueFrom(
      merge(
        (split
          ? server$.pipe(
              rx.splitResponses(),
              mergeMap((r) => r.pipe(rx.splitContentParts())),
              mergeMap(stamped),
            )
          : stamped(server$)
        ).pipe(tap((chunk) => sink.audio(chunk.byteLength, eventId))),
        server$.pipe(
          rx.transcriptDeltas(),
          tap((t) => sink.transcript(t.length)),
        ),
        server$.pipe(
          take(1),
          tap(() => sink.open()),
        ),
      ).pipe(ignoreElements()),
      { defaultValue: undefined },
    );
  };
}

async function openaiSession(config: ServiceConfig): Promise<Session> {
  const { OpenAI } = await import('openai');
  const { OpenAIRealtimeWS } = await import('openai/realtime/ws');
  let client: InstanceType<typeof OpenAI> | undefined;
  return (base, sink, pcm) =>
    new Promise((resolve, reject) => {
      client ??= new OpenAI({ apiKey: 'bench', baseURL: `${base.replace(/^wss:/, 'https:')}/openai/v1` });
      // the openai client builds its own URL: the replay server reads the parameters from `model`
      const rt = new OpenAIRealtimeWS(
        { model: `bench?${params(config)}`, options: { perMessageDeflate: false } },
        client,
      );
      const audio = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
      let timer: ReturnType<typeof setInterval> | undefined;
      rt.socket.on('open', () => {
        sink.open();
        if (!config.uplink) return;
        timer = setInterval(() => {
          if (rt.socket.readyState !== 1) return;
          rt.send({ type: 'input_audio_buffer.append', audio: audio.toString('base64') });
          sink.append();
        }, 20);
      });
      rt.on('response.output_audio.delta', (e) =>
        sink.audio(Buffer.from(e.delta, 'base64').length, e.event_id),
      );
      rt.on('response.output_audio_transcript.delta', (e) => sink.transcript(e.delta.length));
      rt.on('error', (err) => {
        clearInterval(timer);
        reject(new Error(String(err.message)));
      });
      rt.socket.on('close', () => {
        clearInterval(timer);
        resolve();
      });
    });
}

const sessionOf: Record<ClientName, (c: ServiceConfig) => Promise<Session>> = {
  raw: rawSession,
  rawAgain: rawSession,
  rawRx: (config) => rawRxSession(config, false),
  rawRxSplit: (config) => rawRxSession(config, true),
  rx: rxSession,
  rxFlat: (config) => rxSession(config, false),
  openai: openaiSession,
  floor: floorSession,
  floorDecode: (config) => floorSession(config, true),
};

/** 20 ms of 24 kHz mono PCM16 (480 samples, 960 bytes): a 440 Hz tone. */
function micChunk(): Uint8Array {
  const pcm = new Int16Array(480);
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 24000));
  return new Uint8Array(pcm.buffer);
}

const MiB = 2 ** 20;

/** Starts V8's CPU profiler (1 ms samples); the function it gives stops it and writes the profile. */
async function startProfile(): Promise<(file: string) => Promise<void>> {
  const inspector = new Inspector();
  inspector.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      inspector.post(method, params, (err, result) => (err ? reject(err) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 1000 });
  await post('Profiler.start');
  return async (file) => {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    writeFileSync(file, JSON.stringify(profile));
    inspector.disconnect();
  };
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export async function runClient(config: ServiceConfig): Promise<ServiceResult> {
  const session = await sessionOf[config.client](config);
  const base = `wss://127.0.0.1:${config.port}`;
  const pcm = micChunk();
  // latency samples of the window, preallocated: the sink must not allocate more for one client than another
  const capacity = Math.ceil(config.sessions * (config.measureMs / 100 + 20));
  const samples = new Float64Array(capacity);
  let n = 0;
  let inWindow = false;
  let opened = 0;
  const counts = { audioDeltas: 0, audioBytes: 0, transcriptChars: 0, appendsSent: 0 };
  const sink: Sink = {
    audio(bytes, eventId) {
      counts.audioDeltas++;
      counts.audioBytes += bytes;
      if (inWindow && n < capacity) samples[n++] = now() - sentAt(eventId);
    },
    transcript(chars) {
      counts.transcriptChars += chars;
    },
    append() {
      counts.appendsSent++;
    },
    open() {
      opened++;
    },
  };

  const errors = new Map<string, number>();
  let finished = 0;
  const t0 = performance.now();
  const all: Promise<void>[] = [];
  for (let i = 0; i < config.sessions; i++) {
    await sleep(t0 + (i * config.rampMs) / config.sessions - performance.now());
    all.push(
      session(base, sink, pcm).then(
        () => void finished++,
        (err: unknown) => {
          finished++;
          const message = err instanceof Error ? err.message : String(err);
          errors.set(message, (errors.get(message) ?? 0) + 1);
        },
      ),
    );
  }

  await sleep(t0 + config.rampMs + config.turnMs + config.warmupMs - performance.now());
  // when the handshakes took longer than the ramp, the window waits for the last one (and a little warm-up)
  const openBy = performance.now() + 10_000;
  while (opened + finished < config.sessions && performance.now() < openBy) await sleep(50);
  if (performance.now() - t0 > config.rampMs + config.turnMs + config.warmupMs + 100) await sleep(1000);
  const eld = monitorEventLoopDelay({ resolution: 10 });
  let rssMax = 0;
  const rssTimer = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage.rss())), 1000);
  eld.enable();
  const openAtStart = opened;
  // a diagnosis, not a measurement: BENCH_CPU_PROF=<dir> profiles the client's CPU over the window
  const profile = process.env['BENCH_CPU_PROF'] ? await startProfile() : undefined;
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  inWindow = true;
  await sleep(config.measureMs);
  inWindow = false;
  if (profile)
    await profile(`${process.env['BENCH_CPU_PROF']}/${config.client}-${config.sessions}.cpuprofile`);
  const endedInWindow = finished;
  const cpu = process.cpuUsage(cpu0);
  const windowMs = performance.now() - w0;
  eld.disable();
  clearInterval(rssTimer);
  const memory = process.memoryUsage();
  rssMax = Math.max(rssMax, memory.rss);
  const spaces = Object.fromEntries(
    getHeapSpaceStatistics().map((s) => [
      s.space_name,
      { sizeMB: s.space_size / MiB, usedMB: s.space_used_size / MiB },
    ]),
  );
  // a diagnosis, not a measurement: BENCH_HEAP_SNAPSHOT=<dir> writes the client's heap at the window's end
  const snapshots = process.env['BENCH_HEAP_SNAPSHOT'];
  if (snapshots) writeHeapSnapshot(`${snapshots}/${config.client}-${config.sessions}.heapsnapshot`);

  // the sessions end when the server closes after their last response; a deadline keeps a hung one from
  // hanging the benchmark (it is reported, not waited for)
  const deadline = (config.responses * config.deltas * 100 + config.turnMs + config.rampMs) * 1.5 + 10_000;
  await Promise.race([Promise.all(all), sleep(deadline - (performance.now() - t0))]);

  const sorted = samples.subarray(0, n).sort();
  const at = (p: number) => (n === 0 ? NaN : sorted[Math.min(n - 1, Math.floor(n * p))]!);
  // the histogram holds the time between the monitor's ticks: the delay is what exceeds its interval
  const ms = (ns: number) => Math.max(0, ns / 1e6 - 10);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    client: config.client,
    sessions: config.sessions,
    windowMs,
    cpuMs,
    userMs: cpu.user / 1000,
    systemMs: cpu.system / 1000,
    cpuMsPerSessionMinute: cpuMs / (config.sessions * (windowMs / 60_000)),
    cpuPercent: (100 * cpuMs) / windowMs,
    rssMB: memory.rss / MiB,
    rssMaxMB: rssMax / MiB,
    heapMB: memory.heapUsed / MiB,
    heapTotalMB: memory.heapTotal / MiB,
    externalMB: memory.external / MiB,
    arrayBuffersMB: memory.arrayBuffers / MiB,
    spaces,
    eventLoopDelay: { p50: ms(eld.percentile(50)), p99: ms(eld.percentile(99)), max: ms(eld.max) },
    latency: { p50: at(0.5), p99: at(0.99), p999: at(0.999), max: n ? sorted[n - 1]! : NaN, n },
    ...counts,
    openAtStart,
    endedInWindow,
    errors: [...errors].map(([message, count]) => `${count}× ${message}`),
    unfinished: config.sessions - finished,
  };
}

// run as a program: the config in BENCH_SERVICE, the result on stdout
if (process.env['BENCH_SERVICE']) {
  runClient(JSON.parse(process.env['BENCH_SERVICE']) as ServiceConfig).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}

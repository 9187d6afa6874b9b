// One client of the memory and latency benchmarks in a process of its own (bench/memory.bench.ts and
// bench/latency.bench.ts start it, bundled by esbuild, with `--expose-gc`): a client in a process shared with
// another cannot be measured apart from it. Its RSS holds the other's heap and code, and each one's stalls (a GC,
// a burst of frames) delay the other's events. The task and the client come in BENCH_SOLO_CLIENT; it prints one
// JSON line ({@link MemoryResult} or {@link LatencyResult}) and exits.
//
// The clients do the same work: decode every frame, hand over each audio delta as bytes and each transcript delta
// as a string, and note each response's end.
// - raw:    `ws`, JSON.parse + Buffer.from(base64);
// - rx:     rx-realtime as a user writes it (bench/user-pipeline.ts, as the burst benchmark runs it);
// - rawRxSplit: raw's events split as plain rxjs writes it (bench/raw-split.ts), without rx-realtime: beside rx, what
//           rx-realtime's split costs against splitting with rxjs alone;
// - openai: openai@6 OpenAIRealtimeWS (GA) or its beta client (preview), its typed `on(type)` events.
// Each client loads only its own libraries (imported when its session starts), so a process's RSS holds one
// client's code, not three.
import { createRequire } from 'node:module';
import type { Dialect } from '../src/protocol';
import { now, path, sentAt } from './shared';
import { rawEvents, rawSplitAudio } from './raw-split';
import { userPipeline, type RxRealtime, type Server } from './user-pipeline';

export type SoloClient = 'raw' | 'rawRxSplit' | 'rx' | 'openai';

export type SoloConfig = Server & {
  readonly client: SoloClient;
  readonly dialect: Dialect;
  /** The file URL of rx-realtime's bundle, imported by the rx client only (bench/solo.ts sets it). */
  readonly rxModule: string;
} & (
    | {
        readonly task: 'memory';
        /** The responses of the warm-up session and of the measured one (720 × 5 s = one hour of audio). */
        readonly warmup: number;
        readonly responses: number;
        /** Heap sampled after every `sampleEvery` responses. */
        readonly sampleEvery: number;
      }
    | {
        readonly task: 'latency';
        /** Responses of a burst session first, unmeasured: compiled code, not the compiler, is measured. */
        readonly warmup: number;
        readonly sessions: number;
        readonly query: string;
      }
  );

/** `process.memoryUsage()` after two full GCs, MB: heap used and reserved, memory outside the heap, RSS. */
export interface Usage {
  readonly heap: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
  readonly rss: number;
}

/** What every task reports besides its figures. */
export interface Loaded {
  /**
   * The packages this process loaded as CommonJS (rxjs, io-ts, fp-ts and ws load so; openai@6 loads as ES
   * modules, which no cache lists): one client's only.
   */
  readonly packages: readonly string[];
}

export interface MemoryResult extends Loaded {
  /** After two full GCs, MB (2^20 bytes): after the warm-up session, and after the measured one. */
  readonly start: Usage;
  readonly end: Usage;
  /** Heap after two full GCs every `sampleEvery` responses, MB. */
  readonly samples: readonly number[];
  /** The highest RSS seen at a sample, MB. */
  readonly rssMax: number;
  readonly bytes: number;
  readonly transcript: number;
  readonly seconds: number;
}

export interface LatencyResult extends Loaded {
  /** Per audio delta: the time at the user's handler minus the send time the server wrote in its event id, ms. */
  readonly samples: readonly number[];
}

interface Hooks {
  audio(bytes: number, eventId: unknown): void;
  transcript(chars: number): void;
  responseDone(): void;
}

type Session = (server: Server, dialect: Dialect, query: string, hooks: Hooks) => Promise<void>;

const audioType = (d: Dialect) => (d === 'ga' ? 'response.output_audio.delta' : 'response.audio.delta');
const transcriptType = (d: Dialect) =>
  d === 'ga' ? 'response.output_audio_transcript.delta' : 'response.audio_transcript.delta';

const raw: Session = async ({ port, cert }, dialect, query, hooks) => {
  const { default: WebSocket } = await import('ws');
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${port}${path(dialect)}${query}`, {
      perMessageDeflate: false,
      ca: cert,
    });
    const audio = audioType(dialect);
    const transcript = transcriptType(dialect);
    ws.on('message', (data: Buffer) => {
      const e = JSON.parse(data.toString()) as { type: string; delta?: string; event_id?: string };
      if (e.type === audio) hooks.audio(Buffer.from(e.delta!, 'base64').length, e.event_id);
      else if (e.type === transcript) hooks.transcript(e.delta!.length);
      else if (e.type === 'response.done') hooks.responseDone();
    });
    ws.on('close', () => resolve());
    ws.on('error', reject);
  });
};

const rawRxSplit: Session = async ({ port, cert }, dialect, query, hooks) => {
  const { default: WebSocket } = await import('ws');
  const rxjs = await import('rxjs');
  const { filter, ignoreElements, lastValueFrom, merge, share, tap } = rxjs;
  const server$ = rawEvents(
    rxjs,
    () =>
      new WebSocket(`wss://127.0.0.1:${port}${path(dialect)}${query}`, {
        perMessageDeflate: false,
        ca: cert,
      }),
  ).pipe(share());
  const transcript = transcriptType(dialect);
  await lastValueFrom(
    merge(
      rawSplitAudio(rxjs, server$, audioType(dialect)).pipe(
        tap(({ pcm, eventId }) => hooks.audio(pcm.length, eventId)),
      ),
      server$.pipe(
        filter((e) => e.type === transcript),
        tap((e) => hooks.transcript(e.delta!.length)),
      ),
      server$.pipe(
        filter((e) => e.type === 'response.done'),
        tap(() => hooks.responseDone()),
      ),
    ).pipe(ignoreElements()),
    { defaultValue: undefined },
  );
};

const rx: Session = async (server, dialect, query, hooks) => {
  const rxRealtime = (await import(config.rxModule)) as RxRealtime;
  let eventId: unknown;
  await userPipeline(rxRealtime, server, dialect, query, {
    // the id of the event audioDeltas() is about to turn into bytes (synchronous: the same event)
    partEvent: (e) => (eventId = (e as { event_id?: unknown }).event_id),
    audio: (pcm) => hooks.audio(pcm.byteLength, eventId),
    transcript: (t) => hooks.transcript(t.length),
    responseDone: () => hooks.responseDone(),
  });
};

let openaiClient: import('openai').OpenAI | undefined;
const openai: Session = async ({ port, cert }, dialect, query, hooks) => {
  const { OpenAI } = await import('openai');
  const { OpenAIRealtimeWS } = await import('openai/realtime/ws');
  const { OpenAIRealtimeWS: BetaRealtimeWS } = await import('openai/beta/realtime/ws');
  return new Promise((resolve, reject) => {
    openaiClient ??= new OpenAI({ apiKey: 'bench', baseURL: `https://127.0.0.1:${port}/v1` });
    const options = { perMessageDeflate: false, ca: cert };
    // the openai client builds its own URL: the replay server reads the parameters from `model`, after a `?`
    const model = `bench?${query.replace(/^&/, '')}`;
    // GA: openai/realtime/ws; preview: the beta client (it sends OpenAI-Beta: realtime=v1, so the server speaks beta)
    const rt =
      dialect === 'ga'
        ? new OpenAIRealtimeWS({ model, options }, openaiClient)
        : new BetaRealtimeWS({ model, options }, openaiClient);
    const on = rt.on.bind(rt) as (type: string, fn: (e: { delta: string; event_id: string }) => void) => void;
    on(audioType(dialect), (e) => hooks.audio(Buffer.from(e.delta, 'base64').length, e.event_id));
    on(transcriptType(dialect), (e) => hooks.transcript(e.delta.length));
    on('response.done', () => hooks.responseDone());
    (rt.on as (type: 'error', fn: (err: Error) => void) => void)('error', (err) =>
      reject(new Error(String(err.message))),
    );
    rt.socket.on('close', () => resolve());
  });
};

const sessions: Record<SoloClient, Session> = { raw, rawRxSplit, rx, openai };

/** A warm-up session's hooks: nothing kept. */
const ignore: Hooks = { audio: () => undefined, transcript: () => undefined, responseDone: () => undefined };

const MiB = 2 ** 20;

async function memory(config: Extract<SoloConfig, { task: 'memory' }>): Promise<MemoryResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('the memory client needs --expose-gc');
  const session = sessions[config.client];
  let rssMax = 0;
  const measure = () => {
    gc();
    gc();
    const m = process.memoryUsage();
    rssMax = Math.max(rssMax, m.rss / MiB);
    return {
      heap: m.heapUsed / MiB,
      heapTotal: m.heapTotal / MiB,
      external: m.external / MiB,
      arrayBuffers: m.arrayBuffers / MiB,
      rss: m.rss / MiB,
    };
  };
  // compiled code, lazily made module state and the first TLS context exist before the start is measured
  await session(config, config.dialect, `&responses=${config.warmup}`, ignore);
  const start = measure();
  rssMax = start.rss;
  const samples: number[] = [];
  let bytes = 0;
  let transcript = 0;
  let done = 0;
  const t0 = performance.now();
  await session(config, config.dialect, `&responses=${config.responses}`, {
    audio: (n) => (bytes += n),
    transcript: (n) => (transcript += n),
    responseDone: () => {
      if (++done % config.sampleEvery === 0) samples.push(measure().heap);
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  return { start, end: measure(), samples, rssMax, bytes, transcript, seconds, packages: packages() };
}

async function latency(config: Extract<SoloConfig, { task: 'latency' }>): Promise<LatencyResult> {
  const session = sessions[config.client];
  const samples: number[] = [];
  const hooks: Hooks = {
    audio: (n, eventId) => {
      if (n > 0) samples.push(now() - sentAt(eventId));
    },
    transcript: () => undefined,
    responseDone: () => undefined,
  };
  await session(config, config.dialect, `&responses=${config.warmup}`, ignore);
  const all: Promise<void>[] = [];
  for (let i = 0; i < config.sessions; i++) {
    all.push(session(config, config.dialect, config.query, hooks));
    // 1 ms apart, as sessions arrive at a service rather than all in one tick
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(all);
  return { samples, packages: packages() };
}

/** The packages under node_modules in the CommonJS cache (an ES module's import of a CommonJS one lands there too). */
function packages(): string[] {
  const names = new Set<string>();
  for (const file of Object.keys(createRequire(import.meta.url).cache)) {
    const at = file.lastIndexOf('/node_modules/');
    if (at === -1) continue;
    const [scope, name] = file.slice(at + '/node_modules/'.length).split('/');
    names.add(scope!.startsWith('@') ? `${scope}/${name}` : scope!);
  }
  return [...names].sort();
}

const config = JSON.parse(process.env['BENCH_SOLO_CLIENT'] ?? '') as SoloConfig;
(config.task === 'memory' ? memory(config) : latency(config)).then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

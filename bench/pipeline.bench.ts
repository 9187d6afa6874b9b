// Full pipelines over a real socket against a replay server in its own process, interleaved round by round:
// the raw client (ws + JSON.parse + Buffer.from(base64)), openai's OpenAIRealtimeWS, and rx-realtime doing what
// a user does: connect() → splitResponses() → splitContentParts() → audioDeltas() summing bytes, transcript
// collected. Ratios of throughput and of CPU time against the raw client of the same round. Each client runs in a
// process of its own (bench/pipeline-client.ts), as the service benchmark's do.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpenAI } from 'openai';
import { OpenAIRealtimeWS as BetaRealtimeWS } from 'openai/beta/realtime/ws';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import WebSocket from 'ws';
import * as rxRealtime from '../src/index';
import type { Dialect } from '../src/protocol';
import { buildBundle, path } from './shared';
import { userPipeline, type Server } from './user-pipeline';

export type { Server } from './user-pipeline';

export interface PipelineRow {
  readonly name: string;
  readonly throughput: { median: number; min: number; max: number };
  readonly cpu: { median: number; min: number; max: number };
  readonly detail: string;
}

interface Result {
  bytes: number;
  transcript: number;
}
type Client = (server: Server, dialect: Dialect) => Promise<Result>;

// the replay server sends RESPONSES responses (it reads BENCH_RESPONSES from the environment it inherits)
export const RESPONSES = Number(process.env.BENCH_RESPONSES ?? 200);

/** The ceiling: a client that receives the frames and reads nothing in them (ws + TLS only). */
const framesOnly: Client = ({ port, cert }, dialect) =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${port}${path(dialect)}`, {
      perMessageDeflate: false,
      ca: cert,
    });
    let frames = 0;
    ws.on('message', () => frames++);
    ws.on('close', () => resolve({ bytes: -1, transcript: frames }));
    ws.on('error', reject);
  });

/** `Buffer`'s own per-encoding methods (as `src/protocol/frame.ts` uses them). */
interface EncodingMethods {
  latin1Slice(start: number, end: number): string;
  base64Write(text: string, offset: number, length: number): number;
}

/**
 * The floor of any client that hands each delta over as a string and each audio delta's audio as bytes: for the
 * deltas only the string copied out of the frame and the base64 decoded (`latin1Slice` + `base64Write`, into a
 * 64 KiB slab as rx-realtime does); no parse, no check, no event object. What a typed, validating client can add
 * to the raw client's speed lies between the raw client and this. Shared by the socket and the stages benches.
 */
export function floorReader(dialect: Dialect): { read(frame: Buffer): void; out: Result } {
  const out = { bytes: 0, transcript: 0 };
  const key = Buffer.from('"delta":"');
  // the frames' `type` is their first field: `{"type":"response.` is 18 bytes, then `audio.delta` /
  // `output_audio.delta` or a transcript delta
  const audioType = Buffer.from(dialect === 'ga' ? 'output_audio.delta"' : 'audio.delta"');
  let slab = Buffer.allocUnsafe(65536);
  let used = 0;
  const read = (frame: Buffer) => {
    const at = frame.indexOf(key);
    if (at < 0) return;
    const start = at + key.length;
    const end = frame.indexOf(0x22, start);
    const text = (frame as unknown as EncodingMethods).latin1Slice(start, end);
    if (frame.compare(audioType, 0, audioType.length, 18, 18 + audioType.length) === 0) {
      const n = ((end - start) * 3) >> 2;
      if (slab.length - used < n) {
        slab = Buffer.allocUnsafe(65536);
        used = 0;
      }
      out.bytes += (slab as unknown as EncodingMethods).base64Write(text, used, n);
      used += (n + 7) & ~7;
    } else out.transcript += text.length;
  };
  return { read, out };
}

/** {@link floorReader} on `ws`. */
const floor: Client = ({ port, cert }, dialect) =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${port}${path(dialect)}`, {
      perMessageDeflate: false,
      ca: cert,
    });
    const { read, out } = floorReader(dialect);
    ws.on('message', read);
    ws.on('close', () => resolve(out));
    ws.on('error', reject);
  });

export const raw: Client = ({ port, cert }, dialect) =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${port}${path(dialect)}`, {
      perMessageDeflate: false,
      ca: cert,
    });
    const out = { bytes: 0, transcript: 0 };
    ws.on('message', (data) => {
      const e = JSON.parse(data.toString()) as { type: string; delta?: string };
      if (e.type === 'response.audio.delta' || e.type === 'response.output_audio.delta')
        out.bytes += Buffer.from(e.delta!, 'base64').length;
      else if (
        e.type === 'response.audio_transcript.delta' ||
        e.type === 'response.output_audio_transcript.delta'
      )
        out.transcript += e.delta!.length;
    });
    ws.on('close', () => resolve(out));
    ws.on('error', reject);
  });

export const rx: Client = async (server, dialect) => {
  const out = { bytes: 0, transcript: 0 };
  await userPipeline(rxRealtime, server, dialect, '', {
    audio: (pcm) => (out.bytes += pcm.byteLength),
    transcript: (t) => (out.transcript += t.length),
  });
  return out;
};

const openai: Client = ({ port, cert }, dialect) =>
  new Promise((resolve, reject) => {
    const out = { bytes: 0, transcript: 0 };
    const client = new OpenAI({ apiKey: 'bench', baseURL: `https://127.0.0.1:${port}/v1` });
    const options = { perMessageDeflate: false, ca: cert };
    // GA: openai/realtime/ws; preview: the beta client (it sends OpenAI-Beta: realtime=v1, so the server speaks beta)
    const rt =
      dialect === 'ga'
        ? new OpenAIRealtimeWS({ model: 'bench', options }, client)
        : new BetaRealtimeWS({ model: 'bench', options }, client);
    const on = rt.on.bind(rt) as (type: string, fn: (e: { delta: string }) => void) => void;
    on(
      dialect === 'ga' ? 'response.output_audio.delta' : 'response.audio.delta',
      (e) => (out.bytes += Buffer.from(e.delta, 'base64').length),
    );
    on(
      dialect === 'ga' ? 'response.output_audio_transcript.delta' : 'response.audio_transcript.delta',
      (e) => (out.transcript += e.delta.length),
    );
    (rt.on as (type: 'error', fn: (err: Error) => void) => void)('error', (err) =>
      reject(new Error(String(err.message))),
    );
    rt.socket.on('close', () => resolve(out));
  });

export async function startServer(): Promise<Server & { child: ChildProcess }> {
  const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
  const child = spawn(tsx, [fileURLToPath(new URL('./replay-server.ts', import.meta.url))], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_RESPONSES: String(RESPONSES) },
  });
  const line = await new Promise<string>((resolve) =>
    createInterface({ input: child.stdout! }).once('line', resolve),
  );
  return { ...(JSON.parse(line) as Server), child };
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s.at(-1)! };
};

/** The clients of the burst benchmark, by the name its client processes are given. */
export const clients = { raw, rx, openai, floor, framesOnly } as const;
export type ClientName = keyof typeof clients;

/** What a client process prints: its measured run. */
export interface ClientRun {
  readonly ms: number;
  readonly cpuMs: number;
  readonly result: Result;
}

/** A client's process: `run()` asks it for one run of the burst and resolves with what it measured. */
interface ClientProcess {
  run(): Promise<ClientRun>;
  close(): void;
}

function clientProcess(bundle: string, server: Server, client: ClientName, dialect: Dialect): ClientProcess {
  const child = spawn(process.execPath, [bundle], {
    stdio: ['pipe', 'pipe', 'inherit'],
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...process.env, BENCH_PIPELINE_CLIENT: JSON.stringify({ ...server, client, dialect }) },
  });
  const waiting: { resolve(r: ClientRun): void; reject(err: Error): void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) =>
    waiting.shift()?.resolve(JSON.parse(line) as ClientRun),
  );
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`the ${client} client exited with ${code}`));
  });
  return {
    // a child that hangs (a socket that never closes) is killed, and the run fails with its name, not the bench
    run: () =>
      new Promise<ClientRun>((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`the ${client} client gave no result in ${RUN_TIMEOUT_MS / 1000} s`));
        }, RUN_TIMEOUT_MS);
        waiting.push({
          resolve: (r) => (clearTimeout(timer), resolve(r)),
          reject: (err) => (clearTimeout(timer), reject(err)),
        });
        child.stdin!.write('run\n');
      }),
    close: () => child.stdin!.end(),
  };
}

/** How long one burst run may take before its client process is taken for hung (a run takes seconds). */
const RUN_TIMEOUT_MS = 120_000;

/**
 * Each client in a process of its own, kept for all the rounds and asked for one run at a time (never two clients
 * at once): `warmups` rounds first, unmeasured, then `rounds`, the order rotating (no client always first or
 * last). Ratios against the raw client of the same round.
 */
export async function benchPipelines(rounds = 11, warmups = 2): Promise<PipelineRow[]> {
  const { child, ...server } = await startServer();
  const bundle = await buildBundle('pipeline-client');
  const processes: ClientProcess[] = [];
  try {
    const rows: PipelineRow[] = [];
    for (const dialect of ['preview', 'ga'] as const) {
      const named: [string, ClientName][] = [
        ['raw ws + JSON.parse + Buffer.from', 'raw'],
        ['rx-realtime pipeline', 'rx'],
        [dialect === 'ga' ? 'openai@6 OpenAIRealtimeWS' : 'openai@6 beta OpenAIRealtimeWS', 'openai'],
        ['deltas copied and decoded, nothing parsed or checked (the floor of a typed client)', 'floor'],
        ['frames only, nothing parsed (the ceiling)', 'framesOnly'],
      ];
      const running = new Map(
        named.map(([, client]) => [client, clientProcess(bundle, server, client, dialect)] as const),
      );
      processes.push(...running.values());
      const ratios = new Map<string, { t: number[]; c: number[] }>(named.map(([n]) => [n, { t: [], c: [] }]));
      let check = '';
      for (let r = 0; r < warmups + rounds; r++) {
        const runs = new Map<ClientName, ClientRun>();
        for (let i = 0; i < named.length; i++) {
          const client = named[(i + r) % named.length]![1];
          runs.set(client, await running.get(client)!.run());
        }
        if (r < warmups) continue;
        const base = runs.get('raw')!;
        for (const [name, client] of named.slice(1)) {
          const m = runs.get(client)!;
          if (
            client !== 'framesOnly' &&
            (m.result.bytes !== base.result.bytes || m.result.transcript !== base.result.transcript)
          ) {
            throw new Error(
              `${name} saw ${JSON.stringify(m.result)}, the raw client ${JSON.stringify(base.result)}`,
            );
          }
          ratios.get(name)!.t.push(base.ms / m.ms);
          ratios.get(name)!.c.push(m.cpuMs / base.cpuMs);
        }
        check = `${(base.result.bytes / 2 ** 20).toFixed(0)} MiB of audio in ${RESPONSES} responses`;
      }
      for (const p of running.values()) p.close();
      for (const [name] of named.slice(1)) {
        rows.push({
          name: `${name} (${dialect})`,
          throughput: stats(ratios.get(name)!.t),
          cpu: stats(ratios.get(name)!.c),
          detail: `${rounds} rounds after ${warmups} unmeasured, each client in a process of its own; ${check}`,
        });
      }
    }
    return rows;
  } finally {
    for (const p of processes) p.close();
    child.kill('SIGTERM');
    rmSync(dirname(bundle), { recursive: true, force: true });
  }
}

/** `npm run bench` rows: throughput and CPU ratios of each client against the raw client, both dialects. */
export async function benchPipeline(): Promise<
  { name: string; ratio: number; min: number; max: number; details: string }[]
> {
  const rows = await benchPipelines();
  return rows.flatMap((r) => [
    {
      name: `throughput over TLS: ${r.name} / raw client (target rx ≥ 1.2×)`,
      ratio: r.throughput.median,
      min: r.throughput.min,
      max: r.throughput.max,
      details: r.detail,
    },
    {
      name: `CPU per run: ${r.name} / raw client (target rx ≤ 0.85×)`,
      ratio: r.cpu.median,
      min: r.cpu.min,
      max: r.cpu.max,
      details: r.detail,
    },
  ]);
}

// The upload path at the service benchmark's rate, alone: 20 000 appends a second (400 sessions × one 20 ms
// chunk every 20 ms) of 960 bytes of PCM16, each made into its frame's text, in a fresh `node` process per
// variant, interleaved: rx-realtime's (`audioAppends` over a stream of chunks, then `encodeClientEvent`, from
// dist/) and the raw client's (`JSON.stringify` of `{ type, audio: Buffer.toString('base64') }`). Nothing is sent:
// what is measured is the heap V8 reserves for this garbage (heapTotal, the part of RSS that moves), the heap in
// use, and the GCs, over 4 s. It isolates what the service benchmark shows as rx-realtime's extra RSS; a third
// variant, the raw client's with each event also set as a WeakMap key (as src/protocol/encode.ts marks trusted
// appends), tells whether the WeakMap is the cause: V8 keeps a WeakMap's keys past the young-generation GCs.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './shared';

const root = new URL('..', import.meta.url);

const SCRIPT = `
import { PerformanceObserver } from 'node:perf_hooks';
const { Subject } = await import('rxjs');
const rx = await import(process.env.RX);
const pcm = new Uint8Array(960);
for (let i = 0; i < 480; i++) new DataView(pcm.buffer).setInt16(2 * i, Math.round(8000 * Math.sin(i / 8)), true);
let gcs = 0, gcMs = 0, sink = 0, maxUsed = 0, maxTotal = 0;
new PerformanceObserver((l) => { for (const e of l.getEntries()) { gcs++; gcMs += e.duration; } }).observe({ entryTypes: ['gc'] });
const chunks = new Subject();
const marks = new WeakMap();
if (process.env.MODE === 'rx')
  rx.audioAppends(chunks, { chunkMs: 20 }).subscribe((e) => (sink += rx.encodeClientEvent(e).length));
const audio = Buffer.from(pcm.buffer);
const cpu0 = process.cpuUsage();
const timer = setInterval(() => {
  for (let i = 0; i < 400; i++) {
    if (process.env.MODE === 'rx') chunks.next(pcm);
    else if (process.env.MODE === 'weakmap') {
      const event = { type: 'input_audio_buffer.append', audio: audio.toString('base64') };
      marks.set(event, event.audio);
      sink += JSON.stringify(event).length;
    } else sink += JSON.stringify({ type: 'input_audio_buffer.append', audio: audio.toString('base64') }).length;
  }
  const m = process.memoryUsage();
  maxUsed = Math.max(maxUsed, m.heapUsed);
  maxTotal = Math.max(maxTotal, m.heapTotal);
}, 20);
setTimeout(() => {
  clearInterval(timer);
  const c = process.cpuUsage(cpu0);
  const MiB = 2 ** 20;
  console.log(JSON.stringify({ heapUsed: maxUsed / MiB, heapTotal: maxTotal / MiB, gcs, gcMs, cpuMs: (c.user + c.system) / 1000, sink }));
}, 4000);
`;

interface Sample {
  heapUsed: number;
  heapTotal: number;
  gcs: number;
  gcMs: number;
  cpuMs: number;
}

export async function benchAppends(): Promise<{ name: string; value: string; details: string }[]> {
  const dist = fileURLToPath(new URL('dist/index.js', root));
  if (!existsSync(dist)) return [{ name: 'appends', value: 'skipped', details: 'dist/ not built' }];
  type Mode = 'raw' | 'rx' | 'weakmap';
  const run = (mode: Mode): Sample =>
    JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', SCRIPT], {
        cwd: fileURLToPath(root),
        env: { ...process.env, MODE: mode, RX: pathToFileURL(dist).href },
        encoding: 'utf8',
      }).trim(),
    ) as Sample;
  const modes: Mode[] = ['raw', 'rx', 'weakmap'];
  const samples: Record<Mode, Sample[]> = { raw: [], rx: [], weakmap: [] };
  for (let r = 0; r < 3; r++)
    for (let i = 0; i < modes.length; i++) {
      const mode = modes[(i + r) % modes.length]!;
      samples[mode].push(run(mode));
    }
  const show = (s: Sample[]) =>
    `heapTotal ${median(s.map((x) => x.heapTotal)).toFixed(1)} MB, heapUsed ${median(s.map((x) => x.heapUsed)).toFixed(1)} MB (maxima); ` +
    `${median(s.map((x) => x.gcs))} GCs, ${median(s.map((x) => x.gcMs)).toFixed(0)} ms of GC, CPU ${median(s.map((x) => x.cpuMs)).toFixed(0)} ms`;
  const details =
    '20 000 appends/s of 960 bytes for 4 s, nothing sent; medians of 3 processes each, interleaved';
  return [
    { name: 'append path alone: raw (JSON.stringify + Buffer base64)', value: show(samples.raw), details },
    {
      name: 'append path alone: rx-realtime (audioAppends + encodeClientEvent)',
      value: show(samples.rx),
      details,
    },
    {
      name: 'append path alone: raw, each event also a key of a WeakMap (as markBase64Append did before base64Append)',
      value: show(samples.weakmap),
      details,
    },
  ];
}

// `npm run bench` (tsx bench/run.ts): every benchmark, printed as ratios against a baseline measured in the same
// run, with the machine and the versions. The decode benchmark always runs; the others run when their file is
// there (they are written alongside, by other issues) and are skipped with a message otherwise.
import { existsSync, readFileSync } from 'node:fs';
import { arch, cpus, platform, totalmem } from 'node:os';
import { benchDecode } from './decode.bench';

interface Row {
  readonly name: string;
  /** A ratio (median, min–max of the rounds) … */
  readonly ratio?: number;
  readonly min?: number;
  readonly max?: number;
  /** … or a measured value, shown as it is (latency, memory). */
  readonly value?: string;
  readonly details: string;
}

/** Benchmarks in other files: file (beside this one), the async function it exports, and its target ratio. */
const OPTIONAL: readonly { file: string; exportName: string; target: string }[] = [
  { file: 'audio.bench.ts', exportName: 'benchUpload', target: '≥ 0.9×' },
  { file: 'pipeline.bench.ts', exportName: 'benchPipeline', target: 'in name' },
  { file: 'stages.bench.ts', exportName: 'benchStages', target: '–' },
  { file: 'latency.bench.ts', exportName: 'benchLatency', target: 'rx p99 ≤ raw p99 + 0.3 ms' },
  { file: 'memory.bench.ts', exportName: 'benchMemory', target: 'heap ≤ +1 MB' },
];

const version = (name: string): string => {
  try {
    const url = new URL(`../node_modules/${name}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
};

async function optional(file: string, exportName: string): Promise<Row[] | string> {
  if (!existsSync(new URL(`./${file}`, import.meta.url))) return `skipped: bench/${file} is not there`;
  // a specifier in a variable: tsc must not require the file to exist
  const specifier = `./${file.replace(/\.ts$/, '')}`;
  const module = (await import(specifier)) as Record<string, unknown>;
  const run = module[exportName];
  if (typeof run !== 'function') return `skipped: bench/${file} exports no ${exportName}()`;
  return (await (run as () => Promise<Row[]>)()) ?? [];
}

const fmt = (x: number | undefined) => (x === undefined ? '–' : x.toFixed(2));

async function main(): Promise<void> {
  const started = performance.now();
  const cpu = cpus();
  console.log(`date: ${new Date().toISOString().slice(0, 10)}`);
  console.log(
    `machine: ${cpu[0]?.model.trim() ?? '?'}, ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, ` +
      `${platform()} ${arch()}; node ${process.version}`,
  );
  console.log(
    `versions: rx-realtime ${version('..')}, io-ts ${version('io-ts')}, fp-ts ${version('fp-ts')}, ` +
      `rxjs ${version('rxjs')}, ws ${version('ws')}`,
  );
  console.log(
    'ratios: candidate / baseline throughput, median and min–max of interleaved rounds after a warm-up; ' +
      'absolute numbers do not carry between runs, ratios do\n',
  );

  const rows: [Row, string][] = (await benchDecode()).map((row) => [
    row,
    row.name.startsWith('decodeServerEvent') ? '≥ 0.8×' : '–',
  ]);
  const notes: string[] = [];
  for (const { file, exportName, target } of OPTIONAL) {
    const result = await optional(file, exportName);
    if (typeof result === 'string') notes.push(result);
    else rows.push(...result.map((row): [Row, string] => [row, target]));
  }

  console.log('| benchmark | ratio (median) or value | min–max | target | notes |');
  console.log('|---|---|---|---|---|');
  for (const [r, target] of rows) {
    const shown = r.value ?? `${fmt(r.ratio)}×`;
    const range = r.value === undefined ? `${fmt(r.min)}–${fmt(r.max)}` : '';
    console.log(`| ${r.name} | ${shown} | ${range} | ${target} | ${r.details} |`);
  }
  for (const note of notes) console.log(`\n${note}`);
  console.log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

// `npm run bench` (tsx bench/run.ts): every benchmark, printed as ratios against a baseline measured in the same
// run, with the machine and the versions. Each benchmark file runs as esbuild bundles it, as the package ships
// (see `bundled`). The benchmarks in other files run when their file is there and are
// skipped with a message otherwise.
//
// Flags (`npm run bench -- --only service,import --sessions 100`):
//   --only a,b        only these benchmarks: decode, upload, resample, import, types, appends, pipeline (bursts),
//                     stages, interleave, latency, memory, service (default: all)
//   --sessions N      service: concurrent sessions per client (default 400)
//   --seconds S       service: the measured window of each client (default 20)
//   --rounds R        service: rounds, each client once a round (default 5); latency: rounds a dialect (default 6)
//   --shape S         service: the server frames' shape: real (default), extra (one field more than the service's,
//                     remembered with the envelope), spaced (json.dumps separators), nested (an object field: the
//                     envelope path), escaped (PHP's `\/`, read from each delta's token) or full (the delta key
//                     spelled with an escape: the full decode path); see FrameShape in decode.bench.ts
//   --source src      service: rx-realtime from the sources (bundled by esbuild) instead of dist/
//   --uplink off      service: no caller audio (the receive path alone)
//   --clients a,b     service: which clients a round runs (raw always), of CLIENT_NAMES in service-client.ts
//   --candidate c     latency: what is set beside raw, of LATENCY_CANDIDATES in shared.ts: rx (default), raw (what
//                     the measure reads unaided) or rawRxSplit (raw's events split with rxjs alone)
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { arch, cpus, loadavg, platform, totalmem } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { frameShape } from './decode.bench';
import { CLIENT_NAMES, type ClientName } from './service-client';
import { bundle, LATENCY_CANDIDATES, type LatencyCandidate, type Row } from './shared';

const { values: flags } = parseArgs({
  options: {
    only: { type: 'string' },
    sessions: { type: 'string' },
    seconds: { type: 'string' },
    rounds: { type: 'string' },
    shape: { type: 'string' },
    source: { type: 'string' },
    uplink: { type: 'string' },
    clients: { type: 'string' },
    candidate: { type: 'string' },
  },
});
const only = flags.only?.split(',').map((x) => x.trim());
const selected = (key: string) => only === undefined || only.includes(key);
const positive = (name: string, x: string | undefined) => {
  if (x === undefined) return undefined;
  const n = Number(x);
  if (!(n > 0)) throw new Error(`--${name} must be a positive number, got ${x}`);
  return n;
};
function uplinkFlag(x: string | undefined): boolean {
  if (x === undefined || x === 'on') return true;
  if (x === 'off') return false;
  throw new Error(`--uplink must be on or off, got ${x}`);
}
function clientsFlag(x: string | undefined): ClientName[] | undefined {
  if (x === undefined) return undefined;
  // each client once a round (a name given twice would run twice and overwrite its own result)
  const names = [...new Set(x.split(',').map((c) => c.trim()))];
  for (const c of names)
    if (!(CLIENT_NAMES as readonly string[]).includes(c))
      throw new Error(`--clients takes ${CLIENT_NAMES.join(', ')}; got ${c}`);
  // every ratio is against the raw client of the same round
  if (!names.includes('raw')) names.unshift('raw');
  return names as ClientName[];
}
function candidateFlag(x: string | undefined): LatencyCandidate {
  if (x === undefined) return 'rx';
  if ((LATENCY_CANDIDATES as readonly string[]).includes(x)) return x as LatencyCandidate;
  throw new Error(
    `--candidate takes ${LATENCY_CANDIDATES.join(', ')} (raw: the measure's own noise); got ${x}`,
  );
}
const latencyOptions = {
  rounds: positive('rounds', flags.rounds),
  candidate: candidateFlag(flags.candidate),
};
const serviceOptions = {
  sessions: positive('sessions', flags.sessions),
  measureMs: flags.seconds === undefined ? undefined : positive('seconds', flags.seconds)! * 1000,
  rounds: positive('rounds', flags.rounds),
  shape: frameShape(flags.shape),
  source: flags.source === 'src' ? ('src' as const) : ('dist' as const),
  uplink: uplinkFlag(flags.uplink),
  clients: clientsFlag(flags.clients),
  progress: true,
};

/**
 * Benchmarks in other files: the key `--only` names, the file (beside this one), the async function it exports,
 * its target, and the options it is called with (none: it is called without arguments).
 */
const OPTIONAL: readonly {
  key: string;
  file: string;
  exportName: string;
  target: string;
  options?: object;
}[] = [
  { key: 'upload', file: 'audio.bench.ts', exportName: 'benchUpload', target: '≥ 0.9×' },
  { key: 'resample', file: 'audio.bench.ts', exportName: 'benchResample', target: 'in name' },
  { key: 'import', file: 'import.bench.ts', exportName: 'benchImport', target: 'in name' },
  { key: 'types', file: 'types.bench.ts', exportName: 'benchTypes', target: 'in name' },
  { key: 'appends', file: 'appends.bench.ts', exportName: 'benchAppends', target: '–' },
  { key: 'pipeline', file: 'pipeline.bench.ts', exportName: 'benchPipeline', target: 'in name' },
  { key: 'stages', file: 'stages.bench.ts', exportName: 'benchStages', target: '–' },
  { key: 'interleave', file: 'interleave.bench.ts', exportName: 'benchInterleave', target: '–' },
  { key: 'continuity', file: 'continuity.bench.ts', exportName: 'benchContinuity', target: 'in name' },
  {
    key: 'latency',
    file: 'latency.bench.ts',
    exportName: 'benchLatency',
    target: 'rx p99 ≤ raw p99 + 0.3 ms',
    options: latencyOptions,
  },
  { key: 'memory', file: 'memory.bench.ts', exportName: 'benchMemory', target: 'in name' },
  {
    key: 'service',
    file: 'service.bench.ts',
    exportName: 'benchService',
    target: 'in name',
    options: serviceOptions,
  },
];

const version = (name: string): string => {
  try {
    const url = new URL(`../node_modules/${name}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
};

/** A benchmark file as esbuild bundles it (see `bundle`), beside the file so that its `import.meta.url` paths hold. */
async function bundled(file: string): Promise<Record<string, unknown>> {
  const entry = fileURLToPath(new URL(`./${file}`, import.meta.url));
  const outfile = fileURLToPath(new URL(`./.bundle.${file.replace(/\.ts$/, '')}.mjs`, import.meta.url));
  await bundle(entry, outfile);
  try {
    return (await import(pathToFileURL(outfile).href)) as Record<string, unknown>;
  } finally {
    rmSync(outfile, { force: true });
  }
}

async function optional(file: string, exportName: string, options?: object): Promise<Row[] | string> {
  if (!existsSync(new URL(`./${file}`, import.meta.url))) return `skipped: bench/${file} is not there`;
  const module = await bundled(file);
  const run = module[exportName];
  if (typeof run !== 'function') return `skipped: bench/${file} exports no ${exportName}()`;
  const rows =
    options === undefined ? (run as () => Promise<Row[]>)() : (run as (o: object) => Promise<Row[]>)(options);
  return (await rows) ?? [];
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
      `rxjs ${version('rxjs')}, ws ${version('ws')}, openai ${version('openai')}`,
  );
  console.log(
    `start: ${new Date().toISOString()}; load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    'ratios: candidate / baseline throughput, median and min–max of interleaved rounds after a warm-up; ' +
      'absolute numbers do not carry between runs, ratios do\n',
  );

  const rows: [Row, string][] = [];
  if (selected('decode')) {
    const { benchDecode } = (await bundled('decode.bench.ts')) as { benchDecode: () => Promise<Row[]> };
    for (const row of await benchDecode())
      rows.push([row, row.name.startsWith('decodeServerEvent') ? '≥ 0.8×' : '–']);
  }
  const notes: string[] = [];
  for (const { key, file, exportName, target, options } of OPTIONAL) {
    if (!selected(key)) continue;
    const result = await optional(file, exportName, options);
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
  console.log(
    `\n(${((performance.now() - started) / 1000).toFixed(1)} s; end ${new Date().toISOString()}; load average ` +
      `${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')})`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

// What loading the package costs a process (issue 18): `import()` time and the heap it leaves (after full GCs),
// each measured in a fresh `node` process of its own, interleaved round by round: rx-realtime as shipped
// (dist/index.js), the raw client's only library (`ws`), and the official client's realtime entry points
// (`openai` and `openai/realtime/ws`). Medians of the rounds; a ratio against the official client's.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, type Row } from './shared';

const root = new URL('..', import.meta.url);

/**
 * Run by `node --expose-gc --input-type=module`: imports PRELOAD (not measured), then SPECS in turn, and prints
 * the time, heap and RSS that SPECS added.
 */
const SCRIPT = `
const gc = globalThis.gc;
for (const s of JSON.parse(process.env.PRELOAD)) await import(s);
gc(); gc();
const m0 = process.memoryUsage();
const t0 = performance.now();
for (const s of JSON.parse(process.env.SPECS)) await import(s);
const ms = performance.now() - t0;
gc(); gc();
const m1 = process.memoryUsage();
console.log(JSON.stringify({ ms, heapMB: (m1.heapUsed - m0.heapUsed) / 2 ** 20, rssMB: (m1.rss - m0.rss) / 2 ** 20 }));
`;

interface Sample {
  ms: number;
  heapMB: number;
  rssMB: number;
}

function load([specs, preload = []]: readonly [readonly string[], (readonly string[])?]): Sample {
  const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', SCRIPT], {
    cwd: fileURLToPath(root),
    env: { ...process.env, SPECS: JSON.stringify(specs), PRELOAD: JSON.stringify(preload) },
    encoding: 'utf8',
  });
  return JSON.parse(out.trim()) as Sample;
}

export async function benchImport(options: { rounds?: number } = {}): Promise<Row[]> {
  const dist = fileURLToPath(new URL('dist/index.js', root));
  if (!existsSync(dist)) return [{ name: 'import()', value: 'skipped', details: 'dist/ not built' }];
  const rounds = options.rounds ?? 9;
  // the last one: rx-realtime in a process that has rxjs loaded already, as every user of an RxJS library has
  // (rxjs is a peer dependency: its own load is the user's, whichever rxjs library they import)
  const candidates: [string, [string[], string[]?]][] = [
    ['rx-realtime (dist/index.js)', [[pathToFileURL(dist).href]]],
    ['ws (the raw client)', [['ws']]],
    ["openai + openai/realtime/ws (the official client's realtime)", [['openai', 'openai/realtime/ws']]],
    ['rx-realtime with rxjs already loaded', [[pathToFileURL(dist).href], ['rxjs']]],
  ];
  load(candidates[0]![1]); // warm the file cache
  const samples = candidates.map(() => [] as Sample[]);
  for (let r = 0; r < rounds; r++)
    for (let i = 0; i < candidates.length; i++) {
      const k = (i + r) % candidates.length;
      samples[k]!.push(load(candidates[k]![1]));
    }
  const rows: Row[] = candidates.map(([name], i) => {
    const s = samples[i]!;
    return {
      name: `import() in a fresh process: ${name}`,
      value:
        `${median(s.map((x) => x.ms)).toFixed(0)} ms, heap +${median(s.map((x) => x.heapMB)).toFixed(1)} MB, ` +
        `RSS +${median(s.map((x) => x.rssMB)).toFixed(0)} MB`,
      details: `median of ${rounds} processes each; time ${Math.min(...s.map((x) => x.ms)).toFixed(0)}–${Math.max(...s.map((x) => x.ms)).toFixed(0)} ms`,
    };
  });
  const ratio = (f: (x: Sample) => number, candidate = 0) => {
    const per = samples[candidate]!.map((x, r) => f(x) / f(samples[2]![r]!));
    return { ratio: median(per), min: Math.min(...per), max: Math.max(...per) };
  };
  rows.push(
    {
      name: 'import() time: rx-realtime / openai realtime (target ≤ 1×)',
      ...ratio((x) => x.ms),
      details: `per round, ${rounds} rounds`,
    },
    {
      name: 'import() heap: rx-realtime / openai realtime (target ≤ 1×)',
      ...ratio((x) => x.heapMB),
      details: `per round, ${rounds} rounds`,
    },
    {
      name: 'import() time: rx-realtime with rxjs loaded / openai realtime',
      ...ratio((x) => x.ms, 3),
      details: `per round, ${rounds} rounds; what the package adds to a process that uses rxjs`,
    },
    {
      name: 'import() heap: rx-realtime with rxjs loaded / openai realtime',
      ...ratio((x) => x.heapMB, 3),
      details: `per round, ${rounds} rounds`,
    },
  );
  return rows;
}

// `npm run bench:compare -- <git ref> [--sessions N] [--rounds R] [--shape S]` (S: see FrameShape): the operator pipeline of the working tree
// against the same pipeline at <ref>, both in one plain `node` process (esbuild bundles of each `src/`, no tsx),
// rounds alternating, N sessions interleaved (bench/interleave.bench.ts's regime: one frame of each session in
// turn). One process and alternating rounds, because across processes and runs this machine's noise (±30 % a
// run) is larger than most changes: a ratio of the two in the same rounds is what can be trusted. Prints the
// median ratio of frames per second (the working tree / <ref>) with its range, and the heap a session holds.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { frameShape } from './decode.bench';
import { bundle } from './shared';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The measuring script, run by plain node with the two bundles and the frames' module beside it. */
const RUNNER = `
import * as A from './base.mjs';
import * as B from './head.mjs';
import { responseFrames, shaped } from './frames.mjs';
import { Subject, ignoreElements, merge, mergeMap, share, tap } from 'rxjs';
const [sessions, rounds] = process.argv.slice(2, 4).map(Number);
const shape = process.argv[4];
let seq = 0;
const base = Array.from({ length: 400 / sessions }, (_, n) => responseFrames('ga', n, 50)).flat()
  .map((f) => shaped(f, shape));
const frames = Array.from({ length: sessions }, () => base.map((f) =>
  Buffer.from(f.replace(/"event_id":( ?)"([^"]*)"/, (_, sp, id) => '"event_id":' + sp + '"' + id + '_' + seq++ + '"'))));
const sink = { bytes: 0, chars: 0 };
const session = (rx) => {
  const decode = rx.frameDecoder('ga');
  const input = new Subject();
  const server$ = input.pipe(share());
  merge(
    server$.pipe(rx.splitResponses(), mergeMap((r) => r.pipe(rx.splitContentParts())),
      mergeMap((p) => p.pipe(rx.audioDeltas())), tap((a) => (sink.bytes += a.byteLength))),
    server$.pipe(rx.transcriptDeltas(), tap((t) => (sink.chars += t.length))),
  ).pipe(ignoreElements()).subscribe();
  return (f) => { const r = decode(f); if (r._tag === 'Right') input.next(r.right); };
};
const round = (rx) => {
  const feeds = Array.from({ length: sessions }, () => session(rx));
  const t = performance.now();
  for (let i = 0; i < frames[0].length; i++) for (let s = 0; s < sessions; s++) feeds[s](frames[s][i]);
  return ((performance.now() - t) * 1000) / (sessions * frames[0].length);
};
const heap = (rx) => {
  const kb = [];
  for (let k = 0; k < 3; k++) {
    gc(); gc();
    const before = process.memoryUsage().heapUsed;
    const feeds = Array.from({ length: sessions }, () => session(rx));
    for (let i = 0; i < 5; i++) for (let s = 0; s < sessions; s++) feeds[s](frames[s][i]);
    gc(); gc();
    kb.push((process.memoryUsage().heapUsed - before) / sessions / 1024);
    feeds.length = 0;
  }
  return Math.min(...kb);
};
round(A); round(B);
const a = [], b = [];
for (let r = 0; r < rounds; r++) {
  if (r % 2) { a.push(round(A)); b.push(round(B)); } else { b.push(round(B)); a.push(round(A)); }
}
if (sink.bytes === 0) throw new Error('no audio came through');
const median = (x) => [...x].sort((p, q) => p - q)[x.length >> 1];
const ratios = a.map((x, i) => x / b[i]);
console.log(JSON.stringify({ base: median(a), head: median(b), ratio: median(ratios), min: Math.min(...ratios),
  max: Math.max(...ratios), heapBase: heap(A), heapHead: heap(B) }));
`;

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      sessions: { type: 'string', default: '400' },
      rounds: { type: 'string', default: '12' },
      shape: { type: 'string', default: 'real' },
    },
  });
  const ref = positionals[0];
  if (ref === undefined)
    throw new Error('usage: npm run bench:compare -- <git ref> [--sessions N] [--rounds R] [--shape S]');
  frameShape(values.shape);
  const sessions = Number(values.sessions);
  if (!(sessions > 0) || 400 % sessions !== 0) throw new Error('--sessions must divide 400');
  const dir = mkdtempSync(join(root, 'bench', '.build-compare-'));
  try {
    const tree = join(dir, 'tree');
    execFileSync('bash', ['-c', `mkdir -p "${tree}" && git archive "${ref}" src | tar -x -C "${tree}"`], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await Promise.all([
      bundle(join(tree, 'src', 'index.ts'), join(dir, 'base.mjs')),
      bundle(join(root, 'src', 'index.ts'), join(dir, 'head.mjs')),
      bundle(join(root, 'bench', 'decode.bench.ts'), join(dir, 'frames.mjs')),
    ]);
    writeFileSync(join(dir, 'runner.mjs'), RUNNER);
    const run = spawnSync(
      process.execPath,
      ['--expose-gc', join(dir, 'runner.mjs'), String(sessions), values.rounds!, values.shape!],
      {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    if (run.status !== 0) throw new Error(`the runner exited with ${run.status}`);
    const r = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
    const f = (x: number) => x.toFixed(2);
    console.log(
      `${sessions} sessions interleaved, ${values.shape} frames, ${values.rounds} rounds: the working tree ${f(r['ratio']!)}× the frames per ` +
        `second of ${ref} (rounds ${f(r['min']!)}–${f(r['max']!)}; ${f(r['head']!)} against ${f(r['base']!)} µs a ` +
        `frame); heap a session with a response open ${f(r['heapHead']!)} KB against ${f(r['heapBase']!)} KB`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});

// What the package's types cost a user's `tsc` (issue 18): a fresh project whose one file imports one name, type-
// checked by the repository's TypeScript with `--extendedDiagnostics`, once for rx-realtime as shipped (dist/,
// through the package's `exports`) and once for the official client's realtime entry points, interleaved round by
// round. Strict, `nodenext`, and `skipLibCheck: false` (every declaration file checked: the case the issue's
// target is about); the same with `skipLibCheck: true` (what most projects set) as a second pair of rows.
// Types and instantiations are counts (the same in every run); the times are medians of the rounds.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  copyFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, type Row } from './shared';

const root = fileURLToPath(new URL('..', import.meta.url));

const SOURCES = {
  rx: "import { connect } from 'rx-realtime';\nexport const c = connect;\n",
  openai:
    "import OpenAI from 'openai';\nimport { OpenAIRealtimeWS } from 'openai/realtime/ws';\n" +
    'export const c = [OpenAI, OpenAIRealtimeWS];\n',
} as const;

interface Diagnostics {
  types: number;
  instantiations: number;
  checkS: number;
  totalS: number;
}

/** A project in a fresh folder: the packages are links into this repository's node_modules, rx-realtime its dist/. */
function project(): string {
  mkdirSync(join(root, 'bench/.build'), { recursive: true });
  const dir = mkdtempSync(join(root, 'bench/.build/types-'));
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, '@types'), { recursive: true });
  for (const name of ['rxjs', 'ws', 'io-ts', 'fp-ts', 'openai'])
    symlinkSync(join(root, 'node_modules', name), join(modules, name));
  symlinkSync(join(root, 'node_modules/@types/node'), join(modules, '@types/node'));
  symlinkSync(join(root, 'node_modules/@types/ws'), join(modules, '@types/ws'));
  const rx = join(modules, 'rx-realtime');
  mkdirSync(rx);
  copyFileSync(join(root, 'package.json'), join(rx, 'package.json'));
  symlinkSync(join(root, 'dist'), join(rx, 'dist'));
  return dir;
}

function check(dir: string, source: string, skipLibCheck: boolean): Diagnostics {
  writeFileSync(join(dir, 'a.ts'), source);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        noEmit: true,
        skipLibCheck,
        types: ['node'],
      },
      files: ['a.ts'],
    }),
  );
  const out = execFileSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir, '--extendedDiagnostics'],
    { encoding: 'utf8' },
  );
  const value = (label: string) => {
    const m = new RegExp(`^${label}:\\s+([\\d.]+)`, 'm').exec(out);
    if (!m) throw new Error(`tsc printed no "${label}"`);
    return Number(m[1]);
  };
  return {
    types: value('Types'),
    instantiations: value('Instantiations'),
    checkS: value('Check time'),
    totalS: value('Total time'),
  };
}

export async function benchTypes(options: { rounds?: number } = {}): Promise<Row[]> {
  if (!existsSync(join(root, 'dist/index.d.ts')))
    return [{ name: 'tsc on a one-line import', value: 'skipped', details: 'dist/ not built' }];
  const rounds = options.rounds ?? 3;
  const dir = project();
  const rows: Row[] = [];
  try {
    for (const skipLibCheck of [false, true]) {
      const samples = { rx: [] as Diagnostics[], openai: [] as Diagnostics[] };
      for (let r = 0; r < rounds; r++)
        for (const name of r % 2 === 0 ? (['rx', 'openai'] as const) : (['openai', 'rx'] as const))
          samples[name].push(check(dir, SOURCES[name], skipLibCheck));
      const setting = `skipLibCheck: ${skipLibCheck}`;
      const m = (name: 'rx' | 'openai', f: (d: Diagnostics) => number) => median(samples[name].map(f));
      for (const name of ['rx', 'openai'] as const)
        rows.push({
          name: `tsc on a one-line import (${setting}): ${name === 'rx' ? 'rx-realtime' : 'openai realtime'}`,
          value:
            `${m(name, (d) => d.types)} types, ${m(name, (d) => d.instantiations)} instantiations; check ` +
            `${m(name, (d) => d.checkS).toFixed(2)} s, total ${m(name, (d) => d.totalS).toFixed(2)} s`,
          details: `medians of ${rounds} runs; strict, nodenext`,
        });
      const ratio = (f: (d: Diagnostics) => number) => {
        const per = samples.rx.map((d, r) => f(d) / Math.max(f(samples.openai[r]!), 1e-9));
        return { ratio: median(per), min: Math.min(...per), max: Math.max(...per) };
      };
      rows.push(
        {
          name: `tsc types (${setting}): rx-realtime / openai realtime (target ≤ 2×)`,
          ...ratio((d) => d.types),
          details: 'a count: the same in every run',
        },
        {
          name: `tsc total time (${setting}): rx-realtime / openai realtime`,
          ...ratio((d) => d.totalS),
          details: `per round, ${rounds} rounds`,
        },
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

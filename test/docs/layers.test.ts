// The layers of STYLE.md hold (imports only point down) and src has no import cycle: dependency-cruiser with the
// rules of .dependency-cruiser.cjs. Its CLI refuses Node 20, its API does not, so the check runs here (npm test).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type IViolation } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const config = createRequire(import.meta.url)(join(root, '.dependency-cruiser.cjs'));

/** Violations known and accepted for now: none (the emulator's config.ts / validate.ts cycle is gone). */
const KNOWN = new Set<string>([]);

async function violations(baseDir: string): Promise<string[]> {
  const result = await cruise(['src'], { validate: true, ruleSet: config, ...config.options, baseDir });
  if (typeof result.output === 'string') throw new Error('unexpected string output');
  return result.output.summary.violations.map((v: IViolation) => `${v.rule.name}: ${v.from} → ${v.to}`);
}

describe('the layers', () => {
  it('hold in src: no import points up, no cycle', async () => {
    const found = await violations(root);
    expect(found.filter((v) => !KNOWN.has(v))).toEqual([]);
  }, 60_000);

  it('are enforced: an operator importing the client, a cycle, and rxjs in the protocol are each refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rx-realtime-layers-'));
    const put = (file: string, text: string) => {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), text);
    };
    try {
      put('tsconfig.json', '{"compilerOptions":{"module":"ESNext","moduleResolution":"Bundler"}}');
      put('src/client/connect.ts', 'export const connect = 1;\n');
      put(
        'src/operators/up.ts',
        "import { connect } from '../client/connect';\nexport const up = connect;\n",
      );
      put('src/audio/a.ts', "import { b } from './b';\nexport const a = () => b;\n");
      put('src/audio/b.ts', "import { a } from './a';\nexport const b = () => a;\n");
      put('src/protocol/p.ts', "import { of } from 'rxjs';\nexport const p = of(1);\n");
      // rxjs must resolve for the rule on it to match
      symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
      const result = await cruise(['src'], {
        validate: true,
        ruleSet: config,
        ...config.options,
        tsConfig: { fileName: join(dir, 'tsconfig.json') },
        baseDir: dir,
      });
      if (typeof result.output === 'string') throw new Error('unexpected string output');
      const names = result.output.summary.violations
        .map((v: IViolation) => `${v.rule.name}: ${v.from}`)
        .sort();
      expect(names).toEqual([
        'layer-operators: src/operators/up.ts',
        'no-circular: src/audio/a.ts', // a cycle is reported once, from its first file
        'no-rxjs-in-codecs: src/protocol/p.ts',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

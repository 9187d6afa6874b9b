// The packed tarball resolves, with types, under every TypeScript resolution mode users have (node10, node16
// from CJS and ESM, bundler): @arethetypeswrong/cli on `npm pack`, 0 problems.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('the packed package', () => {
  it('has no type resolution problem in any mode (arethetypeswrong)', () => {
    if (!existsSync(join(root, 'dist/testing.d.cts')))
      execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
    const out = execFileSync(join(root, 'node_modules/.bin/attw'), ['--pack', '.', '--format', 'json'], {
      cwd: root,
      encoding: 'utf8',
    });
    const report = JSON.parse(out) as { analysis: { problems: unknown[] } };
    expect(report.analysis.problems).toEqual([]);
  }, 120_000);
});

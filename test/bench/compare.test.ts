// `npm run bench:compare` at tiny scale, so that it cannot rot unnoticed: the working tree against HEAD (the same
// code when the tree is clean, other code otherwise), 20 sessions, 2 rounds. No figure is asserted, only that it
// bundles both trees, runs them in one plain node process and prints a finite ratio and heap for each.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('bench/compare.ts', () => {
  it('measures the working tree against a git ref in one process and prints the ratio and the heaps', async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--import', 'tsx', 'bench/compare.ts', 'HEAD', '--sessions', '20', '--rounds', '2'],
        { cwd: root, timeout: 120_000 },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
      ),
    );
    const m =
      /^20 sessions interleaved, real frames, 2 rounds: the working tree ([\d.]+)× the frames per second of HEAD .*heap a session with a response open ([\d.]+) KB against ([\d.]+) KB$/m.exec(
        out,
      );
    expect(m, out).not.toBeNull();
    for (const x of m!.slice(1)) expect(Number(x)).toBeGreaterThan(0);
  }, 150_000);

  it('refuses a session count that does not divide the 400 responses', async () => {
    const err = await new Promise<{ code: number | null; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        ['--import', 'tsx', 'bench/compare.ts', 'HEAD', '--sessions', '7'],
        { cwd: root },
        (e, _stdout, stderr) => resolve({ code: (e as { code?: number } | null)?.code ?? 0, stderr }),
      ),
    );
    expect(err.code).toBe(1);
    expect(err.stderr).toContain('--sessions must divide 400');
  });
});

// The browser build as a page's bundler sees it: `import { connect, splitResponses, audioDeltas } from
// 'rx-realtime'`, bundled by esbuild for the browser from the built package (its `browser` export condition),
// holds no Node built-in and no `ws`, and stays within its minified size budget.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url);
/** The budget, in bytes (BENCHMARKS.md "Browser bundle": measured 88.3 kB on 2026-12-02; issue 18 asks ≤ 150 kB). */
const BUDGET = 150_000;

describe('the browser bundle', () => {
  if (!existsSync(new URL('dist/browser.js', root)))
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });

  it('bundles connect, splitResponses and audioDeltas for the browser with no Node built-in, within budget', async () => {
    const result = await build({
      stdin: {
        contents: "export { connect, splitResponses, audioDeltas } from 'rx-realtime';",
        resolveDir: root.pathname,
      },
      bundle: true,
      minify: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      tsconfigRaw: '{}', // not the repo's paths (they map rx-realtime to src): the built package, as a user has it
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('dist/browser.js');
    expect(inputs.filter((i) => /^node:|node_modules\/ws\//.test(i))).toEqual([]);
    const size = result.outputFiles[0]!.contents.byteLength;
    expect(size).toBeLessThanOrEqual(BUDGET);
  });
});

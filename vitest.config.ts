import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests and examples import 'rx-realtime' as users do; here it resolves to the sources (tsconfig `paths` does the
// same for tsc and tsx). The packaging test checks the built dist/ separately.
// The json reporter feeds .ci/run's closing "N passed, N failed" line; the default reporter is for people.
export default defineConfig({
  resolve: {
    alias: [
      {
        find: /^rx-realtime\/testing$/,
        replacement: fileURLToPath(new URL('./src/testing/index.ts', import.meta.url)),
      },
      { find: /^rx-realtime$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'marbles/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results.json' },
  },
});

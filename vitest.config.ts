import { defineConfig } from 'vitest/config';

// The json reporter feeds .ci/run's closing "N passed, N failed" line; the default reporter is for people.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'marbles/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results.json' },
  },
});

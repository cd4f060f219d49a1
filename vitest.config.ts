import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/build-once.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'threads',
    // The JSON file is what .ci/run reads to print the plain "N passed, N failed" line CI understands.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});

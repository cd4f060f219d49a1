import { defineConfig } from 'vitest/config';

/** Tests that compare times (CPU time of the same work at two sizes): they run alone, once the others are done. */
const TIMING = ['test/robustness/linear.test.ts'];

export default defineConfig({
  test: {
    globalSetup: ['test/build-once.ts'],
    setupFiles: ['test/setup-assertions.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'threads',
    // The JSON file is what .ci/run reads to print the plain "N passed, N failed" line CI understands.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    projects: [
      { extends: true, test: { name: 'main', include: ['test/**/*.test.ts'], exclude: TIMING, sequence: { groupOrder: 0 } } },
      // On a 2-core machine the other test files running beside them stretched the larger size's time more than the
      // smaller's (a 59× and, in CPU time, 25–36× on linear work of 6–19× alone).
      { extends: true, test: { name: 'timing', include: TIMING, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});

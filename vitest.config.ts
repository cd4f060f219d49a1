import { defineConfig } from 'vitest/config';

/**
 * Checks that compare times (CPU time of the same work at two sizes): speed is the bench's business, not the
 * suite's, so they run only under `npm run bench` (bench/run.mjs sets TLSDISSECT_TIMING and runs this project alone).
 */
const TIMING = ['test/robustness/linear.test.ts'];
const timing = process.env['TLSDISSECT_TIMING'] === '1';

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
      { extends: true, test: { name: 'main', include: timing ? [] : ['test/**/*.test.ts'], exclude: TIMING, passWithNoTests: timing, sequence: { groupOrder: 0 } } },
      // Alone: on a 2-core machine the other test files running beside them stretched the larger size's time more
      // than the smaller's (a 59× and, in CPU time, 25–36× on linear work of 6–19× alone).
      { extends: true, test: { name: 'timing', include: timing ? TIMING : [], passWithNoTests: !timing, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});

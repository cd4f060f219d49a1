import { defineConfig } from 'vitest/config';

/**
 * The test files a mutation run (`npm run mutate`, stryker.config.mjs) runs against each mutant: scripts/mutate.mjs
 * names the ones of the module under mutation (MODULES in stryker.config.mjs) in MUTATE_TESTS. They exercise the
 * module in the test process: a mutant lives there only, so a test that runs the built CLI in a child process could
 * never kill one. A score measured with them is therefore a lower bound for the whole suite.
 */
const tests = (process.env['MUTATE_TESTS'] ?? '').split(',').filter(Boolean);

export default defineConfig({
  test: {
    setupFiles: ['test/setup-assertions.ts'],
    // Instrumented code on a loaded machine: the property tests need more than the suite's minute.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    include: tests.length > 0 ? tests : ['test/**/*.test.ts'],
    passWithNoTests: true,
    // Read by the slow property tests to run fewer cases per mutant (test/report/redact-property.test.ts): a
    // mutant runs the tests that cover it, so 1,373 mutants of redact.ts times 150 cases would not fit an hour.
    env: { MUTATION_RUN: '1' },
  },
});

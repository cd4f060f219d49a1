// @ts-check
/**
 * Mutation testing of the modules that decide what a user reads (issue 24). `npm run mutate` runs it all;
 * `npm run mutate -- src/text/terminal.ts` one module (scripts/mutate.mjs). Not in CI: a full run takes hours on 2 cores.
 * How to read the result, the scores and the surviving mutants: docs/testing.md.
 */

/**
 * The modules under mutation, in one place (when a file moves, change its line here), each with the test files
 * that judge it: the ones written for it and the independent oracles that check what it decides. A mutant is
 * only ever run against the tests of this list that execute it (coverage per test), so the list keeps a run
 * feasible on 2 cores by leaving out files that execute the module on the way to checking something else.
 */
export const MODULES = {
  'src/handshake/walk.ts': ['test/handshake/walk.test.ts', 'test/handshake/walk-mutants.test.ts', 'test/handshake/walk-tables.test.ts', 'test/handshake/step-names.test.ts', 'test/handshake/steps-oracle.test.ts', 'test/handshake/lab.test.ts', 'test/handshake/zeek.test.ts', 'test/handshake/malformed.test.ts', 'test/handshake/after-handshake.test.ts'],
  'src/handshake/steps.ts': ['test/handshake/step-names.test.ts', 'test/handshake/walk.test.ts', 'test/handshake/steps-oracle.test.ts', 'test/handshake/zeek.test.ts'],
  'src/tls/names.ts': ['test/tls/names.test.ts'],
  'src/tls/fingerprints.ts': ['test/tls/fingerprints.test.ts'],
  'src/handshake/diagnose.ts': ['test/handshake/diagnose.test.ts', 'test/handshake/lab.test.ts', 'test/handshake/malformed.test.ts'],
  'src/diff/divergence.ts': ['test/diff/diff.test.ts', 'test/diff/divergence.test.ts'],
  'src/diff/cause.ts': ['test/diff/cause.test.ts', 'test/diff/diff.test.ts', 'test/diff/divergence.test.ts'],
  'src/report/redact.ts': ['test/report/redact-unit.test.ts', 'test/report/redact-rules.test.ts', 'test/report/redact-edges.test.ts', 'test/report/redact-property.test.ts'],
  'src/text/terminal.ts': ['test/text/terminal.test.ts', 'test/text/markdown.test.ts', 'test/report/analyze/markdown-hostile.test.ts'],
  'src/text/markdown.ts': ['test/text/markdown.test.ts', 'test/report/analyze/markdown-hostile.test.ts', 'test/report/analyze/markdown.test.ts'],
};

/**
 * Modules whose static mutants (code run once when the module loads: here the IANA tables themselves) are left
 * out: each would rerun every related test file. test/tls/names.test.ts checks every entry of these tables
 * against tshark's registries (test/helpers/tshark-registries.ts) instead.
 */
export const IGNORE_STATIC = ['src/tls/names.ts'];

// Run directly (`npx stryker run`), not from scripts/mutate.mjs: every module's tests.
process.env['MUTATE_TESTS'] ??= [...new Set(Object.values(MODULES).flat())].join(',');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: Object.keys(MODULES),
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts' },
  coverageAnalysis: 'perTest',
  // The machine is shared; `npm run mutate` also runs it under nice.
  concurrency: 2,
  timeoutMS: 20_000,
  dryRunTimeoutMinutes: 30,
  reporters: ['clear-text', 'progress-append-only', 'json', 'event-recorder'],
  // scripts/mutate.mjs names one JSON report per module.
  jsonReporter: { fileName: process.env['MUTATE_JSON'] ?? 'reports/mutation/json/mutation.json' },
  // Each mutant's result as it is known: scripts/mutate.mjs reads a run stopped before its end from these.
  eventReporter: { baseDir: process.env['MUTATE_EVENTS'] ?? 'reports/mutation/events' },
  ignorePatterns: ['dist', 'dist-check', 'coverage', 'bench/out', 'test-results', 'fuzz-out', 'reports', '.stryker-tmp*'],
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: process.env['MUTATE_TMP'] ?? '.stryker-tmp',
  cleanTempDir: true,
};

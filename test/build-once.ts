/**
 * vitest globalSetup: the CLI tests run the real `dist/cli.js`, and the timing tests the built modules, so compile
 * once before any test file runs (CI's `npm ci` builds it too, but a developer's dist may be stale). Each project of
 * vitest.config.ts calls it, in the same process: the first call builds.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Each project loads this module apart (no shared module state), but all in one process. */
const BUILT = 'TLSDISSECT_TEST_BUILT';

export default function buildOnce(): void {
  if (process.env[BUILT] === String(process.pid)) return;
  process.env[BUILT] = String(process.pid);
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
}

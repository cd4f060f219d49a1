/**
 * vitest globalSetup: the CLI tests run the real `dist/cli.js`, so compile it once before any test file
 * runs (CI's `npm ci` builds it too, but a developer's dist may be stale).
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export default function buildOnce(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
}

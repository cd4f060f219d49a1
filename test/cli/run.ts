import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'dist/cli.js');
export const capture = (name: string) => join(ROOT, 'captures', name);

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run the built CLI as a user would; `input` goes to its standard input. */
export function runCli(args: string[], input?: Buffer): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, input, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

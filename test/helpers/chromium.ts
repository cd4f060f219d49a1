/** Debian's headless Chromium for the HTML tests: where it is, and one way to run it with no network or profile left over. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--hide-scrollbars'];

/** Runs Chromium with `args` and a profile of its own in `profile`; returns what it printed (the DOM for --dump-dom). */
export function chromium(args: string[], profile: string): string {
  if (!CHROMIUM) throw new Error('no Chromium on this machine');
  const r = spawnSync(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, ...args], { timeout: 60_000, maxBuffer: 32 * 1024 * 1024 });
  return r.stdout.toString();
}

/**
 * The hostile inputs of issue 22 as fuzzer seeds (test/fuzz/seeds/): the fuzzer mutates them like the captures in
 * captures/, and checks that no output holds a raw control character or an injected Markdown element. Made by the
 * test suite's own generators, so a seed is the input a test already proves inert; `npm run fuzz:seeds` writes them
 * again (after a generator changes).
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { standardHostileCapture } from '../helpers/hostile-tls.js';
import { writeHostileTerminalCapture } from '../robustness/hostile-terminal/capture.js';

const OUT = join(import.meta.dirname, 'seeds');

export function writeSeeds(out = OUT): string[] {
  const written: string[] = [];
  const markdown = join(out, 'hostile-markdown.pcap');
  writeFileSync(markdown, standardHostileCapture());
  written.push(markdown);
  const dir = mkdtempSync(join(tmpdir(), 'tlsdissect-seeds-'));
  try {
    const terminal = writeHostileTerminalCapture(dir);
    const target = join(out, 'hostile-terminal.pcap');
    copyFileSync(terminal.pcap, target);
    written.push(target);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return written;
}

if (process.argv[1]?.endsWith('make-seeds.js')) {
  for (const file of writeSeeds()) process.stdout.write(`${file}\n`);
}

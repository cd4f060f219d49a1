/**
 * The command line's own contract: `--ca` refuses what it must not read, errors are one line on stderr (once,
 * nothing raw from outside reaching the terminal), and each command's --help ends with examples.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, runCli } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'tlsdissect-messages-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI with a time limit: a --ca that is read before it is checked hangs or fills memory. */
function runLimited(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, timeout: 30_000, killSignal: 'SIGKILL', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

describe('--ca takes a regular file of at most 16 MB, checked before anything is read', () => {
  const fifo = join(dir, 'ca.fifo');
  spawnSync('mkfifo', [fifo]);
  const big = join(dir, 'big.pem');
  writeFileSync(big, '');
  truncateSync(big, 17 * 1024 * 1024);
  const folder = join(dir, 'certs');
  mkdirSync(folder);

  // The capture does not exist: its error would come first if it were read before --ca was checked.
  it.each([
    ['a device', '/dev/zero', 'is a device, not a file of CA certificates'],
    ['a FIFO', fifo, 'is a FIFO (named pipe), not a file of CA certificates'],
    ['a directory', folder, 'is a directory, not a file of CA certificates'],
    ['a 17 MB file', big, '17.0 MB, more than the 16 MB a file of CA certificates may hold'],
  ])('%s: one line, exit 2', (_, ca, why) => {
    const r = runLimited(['analyze', join(dir, 'no-capture.pcap'), '--ca', ca]);
    expect(r.stderr).toBe(`tlsdissect: --ca ${ca}: ${why}\n`);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
  });

  it('a good bundle still works', () => {
    expect(runCli(['analyze', 'captures/abort-after-shd.pcap', '--ca', 'test/tls/fixtures/certs/root.pem', '-f', 'json']).status).toBe(0);
  });
});

describe('errors: once, on stderr, one line, nothing raw from outside', () => {
  it('a capture that cannot be opened: said once, on stderr; stdout empty', () => {
    for (const format of ['text', 'json', 'markdown', 'html']) {
      const r = runCli(['analyze', 'captures/no-such.pcap', '-f', format]);
      expect(r.stderr).toBe('tlsdissect: captures/no-such.pcap: cannot open: no such file\n');
      expect(r.stdout).toBe('');
      expect(r.status).toBe(3);
    }
  });

  it('a file name with terminal escapes is shown escaped, whichever message names it', () => {
    const evil = join(dir, 'evil\x1b]0;pwned\x07\u202e.pcap');
    const shown = evil.replace('\x1b', '\\x1b').replace('\x07', '\\x07').replace('\u202e', '\\u202e');
    const missing = runCli(['analyze', evil]);
    expect(missing.stderr).toBe(`tlsdissect: ${shown}: cannot open: no such file\n`);
    writeFileSync(evil, 'not a capture at all\n');
    const notCapture = runCli(['analyze', evil]);
    expect(notCapture.stderr).toBe(`tlsdissect: ${shown}: at byte 0: not a pcap or pcapng file: it starts with 6e 6f 74 20, which looks like text\n`);
    const twice = runCli(['streams', evil, evil]);
    expect(twice.stderr.split('\n')[0]).toBe(`tlsdissect: ${shown}: given more than once, read once`);
    const ca = runCli(['analyze', evil, '--ca', evil]);
    expect(ca.stderr).toMatch(/^tlsdissect: --ca .*evil\\x1b\]0;pwned\\x07\\u202e\.pcap: /);
    const option = runCli(['analyze', evil, '--bad\x1b[2J']);
    expect(option.stderr).toBe("tlsdissect: unknown option '--bad\\x1b[2J' (see --help)\n");
    for (const r of [missing, notCapture, twice, ca, option]) expect(r.stderr).not.toMatch(/[\x1b\x07\u202e]/);
  });
});

describe('--help ends with examples', () => {
  it.each([
    [[], 'tlsdissect analyze mail.pcap -o report.html'],
    [['analyze'], 'tlsdissect analyze mail.pcap --log /var/log/mail.log'],
    [['streams'], 'tlsdissect streams mail.pcap'],
    [['diff'], 'tlsdissect diff good.pcap bad.pcap'],
  ])('%j', (command, example) => {
    const r = runCli([...command, '--help']);
    expect(r.status).toBe(0);
    const examples = r.stdout.lastIndexOf('\nExamples:\n');
    expect(examples).toBeGreaterThan(r.stdout.lastIndexOf('\nOptions:\n'));
    expect(r.stdout.slice(examples)).toContain(example);
    if (command[0] === 'analyze') {
      for (const shown of ['-o report.html', '--log', 'tlsdissect analyze -']) expect(r.stdout.slice(examples)).toContain(shown);
    }
    // The repeatable options' empty lists are no default worth showing.
    expect(r.stdout).not.toContain('(default: [])');
  });
});

describe('the README installs tlsdissect on the PATH, never through npx outside the clone', () => {
  it('npx only in the set-up command run inside the clone, with the reason beside it', () => {
    const docs = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];
    const lines = docs.flatMap((f) => readFileSync(join(ROOT, f), 'utf8').split('\n')).filter((l) => l.includes('npx tlsdissect'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('npm ci && npx tlsdissect analyze captures/abort-then-retry.pcap');
    expect(lines[1]).toMatch(/Outside the clone, `npx tlsdissect` would fetch and run/);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toMatch(/## Installing: `tlsdissect` on the PATH\n\nFrom the clone, after `npm ci` \(which builds `dist\/`\):\n\n```sh\nnpm install -g \.\n```/);
  });
});

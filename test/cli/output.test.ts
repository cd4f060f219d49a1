/**
 * `-o FILE` through the real CLI: the format from the file's name, the input never overwritten, the report
 * written beside its target and renamed into place only when complete, nothing written when nothing was read.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { capture, CLI, ROOT, runCli } from './run.js';
import { mailMix } from '../../bench/generate.mjs';

const dir = mkdtempSync(join(tmpdir(), 'tlsdissect-output-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let made = 0;
/** A fresh folder for one test, so that a temporary file left behind is seen. */
function folder(): string {
  const d = join(dir, `t${++made}`);
  mkdirSync(d);
  return d;
}

const ABORT = capture('abort-then-retry.pcap');
const OLD = 'the old report, which a failed run must leave as it is\n';

/**
 * A report without what names the run that made it (its command line and time, which differ between two runs by
 * design): in Markdown the <sub> line, in HTML the p.tool paragraph, in JSON and ndjson the command and time; a
 * text report written to a file has the line alone (a table on standard output has none).
 */
function withoutRun(report: string): string {
  return report
    .replace(/^made by tlsdissect .*\n/m, '')
    .replace(/^<sub>Made by .*<\/sub>$/m, '<sub>run</sub>')
    .replace(/^<p class="tool">Made by .*<\/p>$/m, '<p class="tool">run</p>')
    .replace(/"command": ?"(?:[^"\\]|\\.)*"/g, '"command":"run"')
    .replace(/"generated": ?"[^"]*"/g, '"generated":"run"');
}

/** The report on standard output, with --format given: what -o must write by the file's name alone. */
const byFormat = (format: string) => withoutRun(runCli(['analyze', ABORT, '-f', format]).stdout);

describe('-o takes the format from the file name', () => {
  it.each([
    ['report.html', 'html'],
    ['report.htm', 'html'],
    ['REPORT.HTML', 'html'],
    ['report.md', 'markdown'],
    ['report.json', 'json'],
    ['report.ndjson', 'ndjson'],
    ['report.txt', 'text'],
    ['report.out', 'text'],
  ])('%s: %s', (name, format) => {
    const out = join(folder(), name);
    const r = runCli(['analyze', ABORT, '-o', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
    expect(withoutRun(readFileSync(out, 'utf8'))).toBe(byFormat(format));
  });

  it('a text report written to a file ends with what made it; the table on standard output does not', () => {
    const d = folder();
    for (const args of [['analyze', ABORT], ['analyze', ABORT, '-c', '1'], ['diff', `${ABORT}#2`, `${ABORT}#1`]]) {
      const out = join(d, 'r.txt');
      expect(runCli([...args, '-o', out]).status, args.join(' ')).toBe(0);
      const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
      expect(lines.at(-1), args.join(' ')).toMatch(new RegExp(`^made by tlsdissect \\S+ on \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ: tlsdissect ${args[0]} .* -o ${out.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`));
      expect(runCli(args).stdout, args.join(' ')).not.toMatch(/^made by tlsdissect/m);
    }
  });

  it('for streams and diff too', () => {
    const d = folder();
    expect(runCli(['streams', ABORT, '-o', join(d, 's.json')]).status).toBe(0);
    expect(JSON.parse(readFileSync(join(d, 's.json'), 'utf8')).captures).toHaveLength(1);
    expect(runCli(['diff', `${ABORT}#2`, `${ABORT}#1`, '-o', join(d, 'd.md')]).status).toBe(0);
    expect(withoutRun(readFileSync(join(d, 'd.md'), 'utf8'))).toBe(withoutRun(runCli(['diff', `${ABORT}#2`, `${ABORT}#1`, '-f', 'markdown']).stdout));
  });

  it('a --format that contradicts the name, or a format the command does not write: one line, exit 2, no file', () => {
    const d = folder();
    const pair = runCli(['analyze', ABORT, '-o', join(d, 'x.html'), '--format', 'json']);
    expect(pair.status).toBe(2);
    expect(pair.stderr).toBe(`tlsdissect: -o ${join(d, 'x.html')} asks for html by its name, but --format is json: leave out --format or change the name\n`);
    const streams = runCli(['streams', ABORT, '-o', join(d, 'x.md')]);
    expect(streams.status).toBe(2);
    expect(streams.stderr).toMatch(/^tlsdissect: -o .*x\.md asks for markdown by its name, which streams does not write \(it writes text, json\)[^\n]*\n$/);
    expect(readdirSync(d)).toEqual([]);
    // Agreeing: fine.
    expect(runCli(['analyze', ABORT, '-o', join(d, 'y.htm'), '--format', 'html']).status).toBe(0);
  });

  it('an empty -o: one line, exit 2', () => {
    const r = runCli(['analyze', ABORT, '-o', '']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('tlsdissect: -o needs a file name\n');
  });
});

describe('-o naming an input is refused, and the input is left as it was', () => {
  const d = folder();
  const input = join(d, 'in.pcap');
  copyFileSync(ABORT, input);
  const original = readFileSync(input);
  symlinkSync(input, join(d, 'symlink.pcap'));
  linkSync(input, join(d, 'hardlink.pcap'));
  writeFileSync(join(d, 'mail.log'), 'Nov 28 11:57:56 mail postfix/smtpd[26560]: connect from unknown[10.77.0.100]:50648\n');

  it.each([
    ['the same path', ['analyze', input, '-o', input], 'an input'],
    ['a symbolic link to it', ['analyze', input, '-o', join(d, 'symlink.pcap')], `the input ${input}, through a link`],
    ['a hard link to it', ['analyze', input, '-o', join(d, 'hardlink.pcap')], `the input ${input}, through a link`],
    ['a --log file', ['analyze', input, '--log', join(d, 'mail.log'), '-o', join(d, 'mail.log')], 'an input'],
    ['streams', ['streams', input, '-o', join(d, 'hardlink.pcap')], `the input ${input}, through a link`],
    ['a side of diff', ['diff', `${input}#2`, `${input}#1`, '-o', join(d, 'symlink.pcap')], `the input ${input}, through a link`],
  ])('%s', (_, args, how) => {
    const r = runCli(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`tlsdissect: -o ${args.at(-1)} is ${how}: the report would replace it; name another file\n`);
    expect(r.stdout).toBe('');
    expect(readFileSync(input).equals(original)).toBe(true);
    expect(readdirSync(d).sort()).toEqual(['hardlink.pcap', 'in.pcap', 'mail.log', 'symlink.pcap']);
  });

  it('standard input given as a file (< in.pcap)', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" analyze - -o "${join(d, 'symlink.pcap')}" < "${input}"`], { cwd: ROOT });
    expect(r.status).toBe(2);
    expect(r.stderr.toString()).toMatch(/is standard input: the report would replace it/);
    expect(readFileSync(input).equals(original)).toBe(true);
  });
});

/** Files in a folder that look like a report's temporary file. */
const temps = (d: string) => readdirSync(d).filter((f) => f.endsWith('.tmp'));

describe('a run that fails leaves the old report as it was, and no temporary file', () => {
  it('a capture that cannot be read: exit 3, the old report intact; with nothing read, no report at all', () => {
    const d = folder();
    const out = join(d, 'report.html');
    writeFileSync(out, OLD);
    const r = runCli(['analyze', join(d, 'missing.pcap'), '-o', out]);
    expect(r.status).toBe(3);
    expect(readFileSync(out, 'utf8')).toBe(OLD);
    expect(readdirSync(d)).toEqual(['report.html']);
    for (const args of [['analyze', join(d, 'missing.pcap'), '-o', join(d, 'new.json')], ['streams', join(d, 'missing.pcap'), '-o', join(d, 'new.txt')], ['diff', join(d, 'a.pcap'), join(d, 'b.pcap'), '-o', join(d, 'new.md')]]) {
      expect(runCli(args).status).toBe(3);
      expect(readdirSync(d)).toEqual(['report.html']);
    }
  });

  it('a capture that cannot be read beside one that can: the report covers the readable one (exit 3)', () => {
    const d = folder();
    const out = join(d, 'report.json');
    const r = runCli(['analyze', join(d, 'missing.pcap'), ABORT, '-o', out]);
    expect(r.status).toBe(3);
    expect(JSON.parse(readFileSync(out, 'utf8')).connections).toHaveLength(2);
    expect(temps(d)).toEqual([]);
  });

  it('a --log file that cannot be read (found after the analysis): the old report intact', () => {
    const d = folder();
    const out = join(d, 'report.txt');
    writeFileSync(out, OLD);
    const r = runCli(['analyze', ABORT, '--log', join(d, 'nope.log'), '-o', out]);
    expect(r.status).toBe(3);
    expect(readFileSync(out, 'utf8')).toBe(OLD);
    expect(readdirSync(d)).toEqual(['report.txt']);
  });

  it('a write that fails part-way (file size limit): exit 6, the old report intact', () => {
    const d = folder();
    const out = join(d, 'report.html');
    writeFileSync(out, OLD);
    // The HTML diff is about 32 KB; ulimit -f 8 allows 4 KB (dash counts 512-byte blocks, bash 1 KB ones).
    const r = spawnSync('sh', ['-c', `ulimit -f 8; exec "${process.execPath}" "${CLI}" diff captures/tls1.2.pcap captures/tls-1.2-handshake-failure.pcap -o "${out}"`], { cwd: ROOT });
    expect(r.stderr.toString()).toBe(`tlsdissect: cannot write ${out}: file too large\n`);
    expect(r.status).toBe(6);
    expect(readFileSync(out, 'utf8')).toBe(OLD);
    expect(readdirSync(d)).toEqual(['report.html']);
  });

  it('a folder it may not write in: exit 6 at once, the old report intact', () => {
    const d = folder();
    const out = join(d, 'report.txt');
    writeFileSync(out, OLD);
    // The file itself may be written by anyone: written in place, the old report would be lost.
    chmodSync(out, 0o666);
    chmodSync(d, 0o555);
    chmodSync(dir, 0o755);
    // Root writes anywhere: run as nobody then (the folder stays root's).
    const asRoot = process.getuid?.() === 0;
    const r = spawnSync(process.execPath, [CLI, 'analyze', ABORT, '-o', out], { cwd: ROOT, ...(asRoot ? { uid: 65534, gid: 65534 } : {}) });
    chmodSync(d, 0o755);
    expect(r.stderr.toString()).toBe(`tlsdissect: cannot write ${out}: permission denied\n`);
    expect(r.status).toBe(6);
    expect(r.stdout.toString()).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(OLD);
    expect(readdirSync(d)).toEqual(['report.txt']);
  });

  /**
   * analyze - -o OUT, fed part of a capture from a pipe left open, then stopped by these signals once it reads and
   * its temporary file exists (each signal after the CLI answered the one before: the same signal sent twice at
   * once may arrive once).
   */
  async function stoppedRun(signals: NodeJS.Signals[]): Promise<{ d: string; out: string; code: number | null; signal: NodeJS.Signals | null; tempSeen: boolean }> {
    const d = folder();
    const out = join(d, 'report.txt');
    writeFileSync(out, OLD);
    const child = spawn(process.execPath, [CLI, 'analyze', '-', '-o', out], { cwd: ROOT });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    child.stdin.write(readFileSync(ABORT).subarray(0, 2000));
    // Wait until the capture is being read: the temporary file exists and standard input is non-blocking.
    let tempSeen = false;
    for (let i = 0; i < 400 && !tempSeen; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      tempSeen = temps(d).length === 1 && readsNonBlocking(child.pid!);
    }
    for (const [i, signal] of signals.entries()) {
      if (i > 0) for (let j = 0; j < 400 && !stderr.includes('interrupted'); j++) await new Promise((resolve) => setTimeout(resolve, 5));
      child.kill(signal);
    }
    const result = await ended;
    child.stdin.destroy();
    return { d, out, ...result, tempSeen };
  }

  /** Whether the process's standard input is non-blocking (O_NONBLOCK in /proc/PID/fdinfo/0): it took Ctrl-C over. */
  function readsNonBlocking(pid: number): boolean {
    let info = '';
    try {
      info = readFileSync(`/proc/${pid}/fdinfo/0`, 'utf8');
    } catch {
      return false;
    }
    const flags = /^flags:\s*([0-7]+)$/m.exec(info);
    return flags !== null && (parseInt(flags[1]!, 8) & 0o4000) !== 0;
  }

  it.runIf(existsSync('/proc/self/fdinfo'))('SIGTERM while reading: the temporary file removed, the old report intact', async () => {
    const run = await stoppedRun(['SIGTERM']);
    expect(run.tempSeen).toBe(true);
    expect(run.signal).toBe('SIGTERM');
    expect(readFileSync(run.out, 'utf8')).toBe(OLD);
    expect(readdirSync(run.d)).toEqual(['report.txt']);
  });

  it.runIf(existsSync('/proc/self/fdinfo'))('Ctrl-C twice on a live capture (quit, exit 130): the temporary file removed, the old report intact', async () => {
    const run = await stoppedRun(['SIGINT', 'SIGINT']);
    expect(run.tempSeen).toBe(true);
    expect(run.code).toBe(130);
    expect(readFileSync(run.out, 'utf8')).toBe(OLD);
    expect(readdirSync(run.d)).toEqual(['report.txt']);
  });

  it('a complete run replaces the old report, keeping its mode', () => {
    const d = folder();
    const out = join(d, 'report.txt');
    writeFileSync(out, OLD);
    chmodSync(out, 0o640);
    expect(runCli(['analyze', ABORT, '-o', out]).status).toBe(0);
    expect(withoutRun(readFileSync(out, 'utf8'))).toBe(byFormat('text'));
    expect(statSync(out).mode & 0o777).toBe(0o640);
    expect(readdirSync(d)).toEqual(['report.txt']);
  });
});

describe('devices and pipes are written directly', () => {
  it('-o /dev/stdout', () => {
    const r = runCli(['analyze', ABORT, '-o', '/dev/stdout', '-f', 'json']);
    expect(r.status).toBe(0);
    expect(withoutRun(r.stdout)).toBe(byFormat('json'));
  });

  it('-o a FIFO', async () => {
    const fifo = join(folder(), 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = spawn('cat', [fifo]);
    const chunks: Buffer[] = [];
    reader.stdout.on('data', (b: Buffer) => chunks.push(b));
    const done = new Promise((resolve) => reader.on('close', resolve));
    const r = runCli(['analyze', ABORT, '-o', fifo]);
    await done;
    expect(r.status).toBe(0);
    expect(withoutRun(Buffer.concat(chunks).toString())).toBe(byFormat('text'));
  });
});

describe('a report of several megabytes, in pieces that reuse one buffer, arrives whole on standard output', () => {
  // The JSON document is written in pieces of about 1 MB, views of one buffer reused for the next piece: a pipe
  // must be given a copy (it is written later), a file need not (it is written at once, and a copy per piece
  // cost 25 MB of peak memory). Both must carry the same bytes as -o FILE.
  const mix = join(dir, 'mix.pcap');
  mailMix({ size: 2e6, out: mix, seed: 5 });
  const viaFile = join(dir, 'mix.json');
  const written = runCli(['analyze', mix, '-o', viaFile]);
  const expected = () => withoutRun(readFileSync(viaFile, 'utf8'));

  it('-o FILE: more than two pieces', () => {
    expect(written.status).toBe(0);
    expect(statSync(viaFile).size).toBeGreaterThan(2.5 * (1 << 20));
  });

  it('standard output redirected to a file (> report.json)', () => {
    const out = join(folder(), 'stdout.json');
    const r = spawnSync('sh', ['-c', '"$0" "$1" analyze "$2" -f json > "$3"', process.execPath, CLI, mix, out], { cwd: ROOT });
    expect(r.status).toBe(0);
    expect(withoutRun(readFileSync(out, 'utf8'))).toBe(expected());
  });

  it('standard output a pipe', () => {
    const r = runCli(['analyze', mix, '-f', 'json']);
    expect(r.status).toBe(0);
    expect(withoutRun(r.stdout)).toBe(expected());
  });
});

describe('a run that reads nothing writes no report', () => {
  it('standard output carries nothing; the error is said once, on stderr', () => {
    for (const args of [['analyze', 'captures/no-such.pcap'], ['analyze', 'captures/no-such.pcap', '-f', 'json'], ['streams', 'captures/no-such.pcap'], ['diff', 'captures/no-such.pcap', 'captures/no-such.pcap']]) {
      const r = runCli(args);
      expect(r.status).toBe(3);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe('tlsdissect: captures/no-such.pcap: cannot open: no such file\n');
    }
  });
});

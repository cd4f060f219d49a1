/**
 * What a person sees in a terminal: the CLI run in a pseudo-terminal (util-linux `script`) of 80, 120 and
 * 200 columns, every line within the width; on a pipe one whole line per connection; NO_COLOR and FORCE_COLOR.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT } from './run.js';
import { displayWidth } from '../../src/report/fit-table.js';

const hasScript = spawnSync('script', ['--version']).status === 0;
if (!hasScript) console.warn('terminal-width tests skipped: util-linux `script` is not installed (apt-get install util-linux)');

/** The environment without any colour preference (the tests set it themselves). */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, ...extra };
  if (!('NO_COLOR' in extra)) delete e['NO_COLOR'];
  if (!('FORCE_COLOR' in extra)) delete e['FORCE_COLOR'];
  return e;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The CLI's output in a pseudo-terminal `columns` wide (as a terminal shows it: CR LF line ends). */
function inTerminal(columns: number, args: string[], extra: Record<string, string> = {}): string {
  const command = `stty cols ${columns} rows 50; ${quote(process.execPath)} ${quote(CLI)} ${args.map(quote).join(' ')}`;
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env: env(extra), maxBuffer: 64 * 1024 * 1024 });
  return r.stdout.toString().replace(/\r\n/g, '\n');
}

function onPipe(args: string[], extra: Record<string, string> = {}): string {
  return spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, env: env(extra), maxBuffer: 64 * 1024 * 1024 }).stdout.toString();
}

const stripColour = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');
const widest = (s: string) => Math.max(...stripColour(s).split('\n').map(displayWidth));

const COMMANDS: string[][] = [
  ['analyze', 'captures/abort-then-retry.pcap'],
  ['analyze', 'captures/abort-after-shd.pcap'],
  ['analyze', 'captures/cert-reject.pcap'],
  ['analyze', 'captures/tls2.pcap'],
  ['analyze', 'captures/http_ipv6.pcap'],
  ['analyze', 'captures/abort-then-retry.pcap', 'captures/cert-reject.pcap'],
  ['analyze', 'captures/abort-after-shd.pcap', '--log', 'captures/server-postfix.log'],
  ['analyze', 'captures/cert-reject.pcap', '--by', 'client'],
  ['analyze', 'captures/tls2.pcap', '--by', 'ja4'],
  ['streams', 'captures/cert-reject.pcap'],
  ['streams', 'captures/http_ipv6.pcap'],
  ['diff', 'captures/cert-reject.pcap#1', 'captures/cert-reject.pcap#6'],
  ['diff', 'captures/pmtu-blackhole-mssfix-ok.pcap', 'captures/pmtu-blackhole-fail.pcap'],
];

describe.skipIf(!hasScript)('in a terminal', () => {
  for (const columns of [80, 120, 200]) {
    it(`no line is longer than ${columns} columns`, () => {
      for (const args of COMMANDS) {
        const out = inTerminal(columns, args);
        expect(out, args.join(' ')).toMatch(/\n.*\n.*\n/);
        expect(widest(out), `${args.join(' ')}:\n${out}`).toBeLessThanOrEqual(columns);
      }
    });
  }

  it('keeps a row on one line, shortened to fit: 80 columns keep the client, the step, the outcome, the label and the retry', () => {
    const out = stripColour(inTerminal(80, ['analyze', 'captures/abort-then-retry.pcap']));
    expect(out).toMatch(/^1 +10\.77\.0\.100 +4 SHelloDone +fail +client FIN +\[A\] +\[retry \+3\.6s ok #2\]$/m);
    expect(out).toMatch(/^\[A\] client closed \(FIN\) 0\.1 ms after ServerHelloDone without an alert: it$/m);
    // 200 columns: everything whole.
    const wide = stripColour(inTerminal(200, ['analyze', 'captures/abort-then-retry.pcap']));
    expect(wide).toContain('connections started on 2026-11-28 (times UTC)');
    expect(wide).toMatch(/^1 +11:58:06\.879 +10\.77\.0\.100:53402 +10\.77\.0\.4:25 +smtp-st(?:arttls)? +TLS 1\.2 +ECDHE_RSA_WITH_AES_256_GCM_SHA384 +4 ServerHelloDone +failed +client FIN +\[A\] +\[retried 3\.6 s later: complete, #2\] \[chain: large\]$/m);
  });

  it('colours on a terminal; NO_COLOR turns it off', () => {
    expect(inTerminal(120, ['analyze', 'captures/abort-then-retry.pcap'])).toMatch(/\u001b\[31mfail(?:ed)?\u001b\[0m/);
    expect(inTerminal(120, ['analyze', 'captures/abort-then-retry.pcap'], { NO_COLOR: '1' })).not.toContain('\u001b[');
    expect(inTerminal(120, ['diff', 'captures/cert-reject.pcap#1', 'captures/cert-reject.pcap#6'], { NO_COLOR: '1' })).not.toContain('\u001b[');
    // An empty NO_COLOR is no preference (no-color.org).
    expect(inTerminal(120, ['analyze', 'captures/abort-then-retry.pcap'], { NO_COLOR: '' })).toContain('\u001b[31m');
  });
});

describe('on a pipe', () => {
  it('one whole line per connection, no colour, nothing cut', () => {
    const out = onPipe(['analyze', 'captures/tls2.pcap']);
    expect(out).not.toContain('\u001b');
    const rows = out.split('\n').filter((l) => /^\d+ +\d\d:/.test(l));
    expect(rows).toHaveLength(334);
    for (const row of rows) {
      expect(row).toMatch(/ \[[A-Z+]+\](?: {2}\[.*\])?$/);
      expect(row).not.toContain('…');
    }
    // Every connection's line can be found with grep: number, client with port, outcome, label.
    const cert = onPipe(['analyze', 'captures/cert-reject.pcap']);
    expect(cert).toMatch(/^6 +11:58:15\.540 +10\.77\.0\.100:\d+ +10\.77\.0\.1:465 +smtps +TLS 1\.2 +ECDHE_RSA_WITH_AES_256_GCM_SHA384 +4 ServerHelloDone +failed +client alert bad_certificate +\[C\]$/m);
    const streams = onPipe(['streams', 'captures/cert-reject.pcap']).split('\n').filter((l) => /^\d+ +10\./.test(l));
    expect(streams).toHaveLength(7);
  });

  it('--width N fits a pipe too (all three commands)', () => {
    for (const args of COMMANDS) {
      const out = onPipe([...args, '--width', '80']);
      expect(widest(out), args.join(' ')).toBeLessThanOrEqual(80);
    }
  });

  it('FORCE_COLOR colours a pipe, FORCE_COLOR=0 does not, NO_COLOR wins', () => {
    expect(onPipe(['analyze', 'captures/abort-then-retry.pcap'], { FORCE_COLOR: '1' })).toContain('\u001b[31mfailed\u001b[0m');
    expect(onPipe(['streams', 'captures/abort-then-retry.pcap'], { FORCE_COLOR: '1' })).not.toContain('\u001b[31m');
    expect(onPipe(['analyze', 'captures/abort-then-retry.pcap'], { FORCE_COLOR: '0' })).not.toContain('\u001b[');
    expect(onPipe(['analyze', 'captures/abort-then-retry.pcap'], { FORCE_COLOR: '1', NO_COLOR: '1' })).not.toContain('\u001b[');
  });

  it('--failed with no failure says what the connections did instead', () => {
    const out = onPipe(['analyze', 'captures/good-993-imaps.pcap', '--failed']);
    expect(out).toContain('no failed handshakes (3 connections, all complete)');
    expect(out).not.toContain('no TCP connections found');
  });

  it('a wrong --width is a one-line error, exit 2', () => {
    const r = spawnSync(process.execPath, [CLI, 'analyze', 'captures/abort-then-retry.pcap', '--width', 'ten'], { cwd: ROOT, env: env() });
    expect(r.status).toBe(2);
    expect(r.stderr.toString()).toBe('tlsdissect: --width ten: not a whole number from 20 to 10000\n');
  });
});

/**
 * A capture and a log whose every stranger's string carries terminal escapes (hostile-terminal/capture.ts):
 * no text output holds a raw control character or a bidirectional override, while JSON keeps the exact values.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT } from '../cli/run.js';
import { hasUnsafeTerminalChars } from '../../src/text/terminal.js';
import { HOSTILE, writeHostileTerminalCapture, type HostileFiles } from './hostile-terminal/capture.js';

let dir = '';
let files: HostileFiles;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tlsdissect-escapes-'));
  files = writeHostileTerminalCapture(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const base: Record<string, string | undefined> = { ...process.env };
  delete base['NO_COLOR'];
  delete base['FORCE_COLOR'];
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, env: { ...base, ...env } });
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** What a terminal would act on: any C0 control but tab and newline, DEL, C1, bidi controls. */
function unsafe(text: string): string[] {
  const found = new Set<string>();
  for (const ch of text) if (hasUnsafeTerminalChars(ch) || ch === '\t') found.add(`U+${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`);
  return [...found];
}

describe('terminal escapes from a capture and a log stay inert in text output', () => {
  it('the capture carries them where a stranger chooses (JSON keeps them exactly)', () => {
    const doc = JSON.parse(run(['analyze', files.pcap, '--format', 'json']).stdout);
    const [smtp, rejected, complete] = doc.connections;
    expect(smtp.mail.serverReply).toContain(HOSTILE.link);
    expect(smtp.diagnosis + JSON.stringify(smtp.mail)).toContain(HOSTILE.c1);
    expect(rejected.outcome).toBe('failed');
    expect(rejected.lastStep).toBe(4);
    // The SNI reader shows bytes outside printable ASCII as \xNN itself.
    expect(rejected.tls.sni).toBe('mail\\x1b[2J\\xe2\\x80\\xae.example');
    const cert = rejected.certificates[0];
    expect(cert.subject).toContain(HOSTILE.rlo);
    expect(cert.subject).toContain('\u009b');
    expect(cert.san.join(' ')).toContain('\u001b[2J');
    expect(cert.san.join(' ')).toContain('\u001b]0;san-title\u0007');
    expect(complete.outcome).toBe('complete');
    expect(doc.captures[0].file).toContain(HOSTILE.title);
  });

  const outputs: [string, () => string[]][] = [
    ['analyze (pipe)', () => ['analyze', files.pcap]],
    ['analyze on 80 columns', () => ['analyze', files.pcap, '--width', '80']],
    ['analyze --log', () => ['analyze', files.pcap, '--log', files.log]],
    ['analyze -c 1 --log (STARTTLS refusal, banner, EHLO, log lines)', () => ['analyze', files.pcap, '-c', '1', '--log', files.log]],
    ['analyze -c 2 (SNI, certificate subject and SAN)', () => ['analyze', files.pcap, '-c', '2']],
    ['analyze -c 3', () => ['analyze', files.pcap, '-c', '3']],
    ['analyze --by sni', () => ['analyze', files.pcap, '--by', 'sni']],
    ['analyze --by sni on 80 columns', () => ['analyze', files.pcap, '--by', 'sni', '--width', '80']],
    ['analyze --failed', () => ['analyze', files.pcap, '--failed']],
    ['streams', () => ['streams', files.pcap]],
    ['diff', () => ['diff', `${files.pcap}#3`, `${files.pcap}#2`]],
    ['diff on 80 columns', () => ['diff', `${files.pcap}#3`, `${files.pcap}#2`, '--width', '80']],
    ['diff of the STARTTLS refusal', () => ['diff', `${files.pcap}#3`, `${files.pcap}#1`]],
  ];
  for (const [name, args] of outputs) {
    it(`${name}: no raw control character or bidi override`, () => {
      const r = run(args());
      expect(r.status, r.stderr).toBeLessThan(2);
      expect(r.stdout.length).toBeGreaterThan(100);
      expect(unsafe(r.stdout)).toEqual([]);
    });
  }

  it('shows the escapes as escapes, where the reader can see them', () => {
    const one = run(['analyze', files.pcap, '-c', '2']).stdout;
    expect(one).toContain('SNI mail\\x1b[2J\\xe2\\x80\\xae.example');
    expect(one).toContain('mail\\x1b[2J.example, a');
    expect(one).toContain('\\x9b31m\\7F\\u202eexample.com');
    const refusal = run(['analyze', files.pcap, '-c', '1', '--log', files.log]).stdout;
    expect(refusal).toContain('\\x1b]8;;http://x.example/\\x07click');
    expect(refusal).toContain('TLS library problem: \\x1b[2J\\x9b31m\\x7f\\u202ereversed \\x1b]8;;http://x.example/\\x07click');
    expect(run(['streams', files.pcap]).stdout).toContain('hostile\\x1b]0;owned\\x07.pcap');
  });

  it('with colour forced, the only escapes are colours', () => {
    for (const args of [['analyze', files.pcap], ['analyze', files.pcap, '--by', 'sni'], ['diff', `${files.pcap}#3`, `${files.pcap}#2`]]) {
      const r = run(args, { FORCE_COLOR: '1' });
      expect(r.stdout).toContain('\u001b[');
      expect(unsafe(r.stdout.replace(/\u001b\[\d+(;\d+)*m/g, ''))).toEqual([]);
    }
  });
});

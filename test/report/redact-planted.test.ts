/**
 * Captures and logs carrying names of every kind, planted by committed scripts, and every format of analyze and
 * diff grepped for each: zero found.
 * - captures/hostile-names-smtp.pcapng (scripts/make-hostile-names-capture.sh): openssl s_client -starttls smtp
 *   against a small listener on loopback; a CA and a server certificate with every kind of attribute
 *   (apostrophes, commas, quotes, unicode), SAN DNS, e-mail and IP entries, a banner host, an EHLO name, an SNI.
 * - the lab capture abort-after-shd.pcap and its servers' logs with planted addresses, syslog host, reverse-DNS
 *   name, Dovecot user and session (scripts/plant-names.mjs, run here into a temporary folder).
 * Every planted name holds "plant" (so one search finds them all, whatever the renderer cut), but the addresses
 * and the countries, looked for on their own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error a script, not a module with types
import { PLANTED, plantAll } from '../../scripts/plant-names.mjs';
import { ROOT, runCli } from '../cli/run.js';

const HOSTILE = 'captures/hostile-names-smtp.pcapng';
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tlsdissect-planted-'));
  plantAll(ROOT, dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every planted name found in a report. */
function found(report: string): string[] {
  const out: string[] = [];
  for (const m of report.matchAll(/[^\s"'<>]*plant[^\s"'<>]*/gi)) out.push(m[0]);
  const addresses = ['127.0.0.1', '198.51.100.77', ...Object.values(PLANTED.ipv4 as Record<string, string>), '2001:db8:77:', 'hostile-names', 'abort-after-shd'];
  for (const a of addresses) if (report.includes(a)) out.push(a);
  for (const m of report.matchAll(/(?<![\w-])(?:C|jurisdictionC)=Z[XYZ]\b|Ørsted|Provincé|PL-4242|99999|4711/g)) out.push(m[0]);
  return out;
}

const FORMATS = ['text', 'json', 'markdown', 'html'];

describe('--redact on captures and logs with planted names', () => {
  const logs = () => ['--log', join(dir, 'planted-postfix.log'), '--log', join(dir, 'planted-dovecot.log')];
  const planted = () => join(dir, 'planted.pcap');

  it('the planted names are there without --redact (the search can find them)', () => {
    const plain = runCli(['analyze', HOSTILE, planted(), ...logs(), '-c', '1', '-f', 'json']).stdout + runCli(['analyze', HOSTILE, planted(), ...logs(), '-f', 'json']).stdout;
    const hits = new Set(found(plain));
    for (const name of ['mx.planted-cn.example', 'sni.planted-server.example', PLANTED.syslogHost, `${PLANTED.rdns}[203.0.113.77]:50648`, '198.51.100.77', '203.0.113.77']) expect([...hits].some((h) => h.includes(name)), name).toBe(true);
    expect(plain).toContain("plantcorp's Encrypt");
    expect(plain).toContain('Planted Ancient Root 1999');
    expect(plain).toContain(`user=<${PLANTED.user}>`);
  });

  for (const format of FORMATS) {
    it(`analyze -f ${format}, -c, --by: none of them`, () => {
      const runs = [
        ['analyze', HOSTILE, planted(), ...logs(), '-f', format],
        ['analyze', HOSTILE, '-c', '1', '-f', format],
        ['analyze', planted(), ...logs(), '-c', '1', '-f', format],
      ];
      if (format !== 'html') runs.push(['analyze', HOSTILE, planted(), ...logs(), '--by', 'server', '-f', format], ['analyze', HOSTILE, planted(), ...logs(), '--by', 'client', '-f', format]);
      for (const args of runs) {
        const r = runCli([...args, '--redact']);
        expect(r.status, r.stderr).toBeLessThan(2);
        expect(r.stdout.length).toBeGreaterThan(100);
        expect(found(r.stdout), args.join(' ')).toEqual([]);
      }
    });
  }

  for (const format of FORMATS) {
    it(`diff -f ${format}: none of them`, () => {
      const r = runCli(['diff', `${HOSTILE}#1`, `${planted()}#1`, '-f', format, '--redact']);
      expect(r.status, r.stderr).toBe(0);
      expect(found(r.stdout)).toEqual([]);
      const plain = runCli(['diff', `${HOSTILE}#1`, `${planted()}#1`, '-f', format]);
      expect(found(plain.stdout).length).toBeGreaterThan(0);
    });
  }
});

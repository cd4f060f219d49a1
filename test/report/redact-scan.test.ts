/**
 * The redaction scan (issue 24): for every format of analyze and diff, every token of the report without
 * --redact that is still in the report with it must be a word of the tool's own, a number, or what the report
 * keeps on purpose (redact-scan.ts). The scan never asks the redactor what it hides.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run.js';
import { keptValues, leaks, toolVocabulary } from './redact-scan.js';

const ALL = readdirSync('captures')
  .filter((f) => /\.(pcap|pcapng|gz)$/.test(f))
  .sort()
  .map((f) => `captures/${f}`);
/** Captures with certificates, SNI, mail dialogues and banners, IPv6, public and private chains. */
const SUBSET = [
  'captures/good-25-smtp-starttls.pcap',
  'captures/cert-reject.pcap',
  'captures/tls1.2.pcap',
  'captures/ndpi-smtp-starttls.pcap',
  'captures/arkime-smtp-starttls.pcap',
  'captures/suricata-tls-subjectaltname.pcap',
  'captures/smtperr.pcap',
  'captures/imap-starttls.pcap',
  'captures/http_ipv6.pcap',
  'captures/sites.pcapng',
];
const LOGS = ['--log', 'captures/server-postfix.log', '--log', 'captures/server-dovecot.log'];
const LAB = ['captures/abort-after-shd.pcap', 'captures/cert-reject.pcap', 'captures/good-993-imaps.pcap', 'captures/good-110-pop3-stls.pcap', 'captures/good-25-smtp-starttls.pcap'];

const vocabulary = toolVocabulary();

/** The run without and with --redact; the tokens of the first found in the second that are not allowed. */
function scan(args: string[], kept: Set<string>): { leaks: string[]; plain: string; redacted: string } {
  const plain = runCli(args);
  const redacted = runCli([...args, '--redact']);
  expect(plain.status, plain.stderr).toBeLessThan(2);
  expect(redacted.status, redacted.stderr).toBe(plain.status);
  expect(redacted.stdout).toMatch(/redacted/);
  return { leaks: leaks(plain.stdout, redacted.stdout, vocabulary, kept), plain: plain.stdout, redacted: redacted.stdout };
}

describe('redaction scan (no token of the unredacted report survives unless the tool’s own)', () => {
  it('has a vocabulary that does not already hold the names it looks for', () => {
    for (const name of ['10.77.0.100', 'lab', 'laptop', 'alice', 'mail.lab.test', 'taleo', 'scottsdale']) expect(vocabulary.has(name), name).toBe(false);
  });

  it('analyze -f json on every shipped capture', () => {
    const plain = runCli(['analyze', ...ALL, '-f', 'json']).stdout;
    const kept = keptValues(plain);
    const redacted = runCli(['analyze', ...ALL, '-f', 'json', '--redact']).stdout;
    expect(JSON.parse(redacted).redacted.kinds).toEqual(expect.arrayContaining(['addresses', 'host names', 'certificate names', 'file names']));
    expect(leaks(plain, redacted, vocabulary, kept)).toEqual([]);
    // The scan can fail: the unredacted report against itself leaks.
    expect(leaks(plain, plain, vocabulary, kept).length).toBeGreaterThan(100);
  }, 120_000);

  const kept = keptValues(runCli(['analyze', ...SUBSET, '-f', 'json']).stdout);
  for (const format of ['text', 'markdown', 'html']) {
    it(`analyze -f ${format} on a representative subset`, () => {
      expect(scan(['analyze', ...SUBSET, '-f', format], kept).leaks).toEqual([]);
    });
  }
  for (const format of ['text', 'json']) {
    it(`analyze --by server and --by client -f ${format}`, () => {
      expect(scan(['analyze', ...SUBSET, '--by', 'server', '-f', format], kept).leaks).toEqual([]);
    });
  }
  for (const format of ['text', 'json', 'markdown', 'html']) {
    it(`analyze -c on a connection with certificates and a mail dialogue, -f ${format}`, () => {
      expect(scan(['analyze', 'captures/good-25-smtp-starttls.pcap', '-c', '1', '-f', format], kept).leaks).toEqual([]);
    });
  }

  const labKept = keptValues(runCli(['analyze', ...LAB, ...LOGS, '-f', 'json']).stdout);
  for (const format of ['text', 'json', 'markdown', 'html']) {
    it(`analyze --log (the lab captures with their servers' logs), -f ${format}`, () => {
      const r = scan(['analyze', ...LAB, ...LOGS, '-f', format], labKept);
      expect(r.plain).toMatch(/session=<|server-postfix\.log/);
      expect(r.leaks).toEqual([]);
      expect(scan(['analyze', 'captures/abort-after-shd.pcap', ...LOGS, '-c', '1', '-f', format], labKept).leaks).toEqual([]);
    });
  }

  const PAIRS: [string, string][] = [
    ['captures/good-25-smtp-starttls.pcap', 'captures/cert-reject.pcap'],
    ['captures/tls1.2.pcap', 'captures/tls-1.2-handshake-failure.pcap'],
    ['captures/abort-then-retry.pcap#2', 'captures/abort-then-retry.pcap#1'],
  ];
  const diffKept = keptValues(runCli(['analyze', 'captures/good-25-smtp-starttls.pcap', 'captures/cert-reject.pcap', 'captures/tls1.2.pcap', 'captures/tls-1.2-handshake-failure.pcap', 'captures/abort-then-retry.pcap', '-f', 'json']).stdout);
  for (const format of ['text', 'json', 'markdown', 'html']) {
    it(`diff -f ${format}`, () => {
      for (const [good, bad] of PAIRS) expect(scan(['diff', good, bad, '-f', format], diffKept).leaks, `${good} ${bad}`).toEqual([]);
    });
  }
});

/**
 * `--redact` on real captures, in every format: no address or name from the capture survives, and the same
 * address keeps the same pseudonym everywhere.
 */
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/report/redact.js';
import { runCli } from '../cli/run.js';

const CAPTURES = ['captures/cert-reject.pcap', 'captures/ndpi-smtp-starttls.pcap', 'captures/steam.pcapng', 'captures/good-any-sll2.pcap'];

/** Every address and name the unredacted JSON shows, as the report would print them. */
function secrets(json: string): string[] {
  const doc = JSON.parse(json) as { connections: Record<string, any>[] };
  const out = new Set<string>();
  for (const c of doc.connections) {
    out.add(c.client.ip);
    out.add(c.server.ip);
    if (c.tls?.sni) out.add(c.tls.sni);
    if (c.clientHello?.sessionId) out.add(c.clientHello.sessionId);
    if (c.serverHello?.sessionId) out.add(c.serverHello.sessionId);
    for (const cert of c.certificates ?? []) {
      for (const san of cert.san ?? []) out.add(String(san).replace(/^(DNS|IP Address):/, '').replace(/^\*\./, ''));
      const cn = /CN=([^,\n/]+)/.exec(cert.subject ?? '');
      if (cn) out.add(cn[1].trim().replace(/^\*\./, ''));
    }
  }
  return [...out].filter((s) => s.length > 0);
}

/**
 * Whole-token occurrences (10.77.0.1 inside 10.77.0.100 does not count: that one is checked on its own); a name
 * right after a wildcard's `*.` (CN=*.lab.test) does count.
 */
function occurs(haystack: string, needle: string): boolean {
  const re = new RegExp(`(?<![\\w:-])(?<!(?:^|[^*])\\.)${needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-]|\\.\\w)`, 'i');
  return re.test(haystack);
}

describe('--redact', () => {
  for (const file of CAPTURES) {
    it(`leaves no address or name of ${file} in text, Markdown, JSON or HTML`, () => {
      const plain = runCli(['analyze', file, '-f', 'json']);
      expect(plain.status).toBe(0);
      const hidden = secrets(plain.stdout);
      expect(hidden.length).toBeGreaterThan(1);
      // The check can fail: without --redact the same search finds them.
      expect(hidden.every((s) => occurs(plain.stdout, s))).toBe(true);
      expect(hidden.some((s) => occurs(runCli(['analyze', file, '-f', 'html']).stdout, s))).toBe(true);
      for (const format of ['text', 'markdown', 'json', 'html']) {
        const r = runCli(['analyze', file, '-f', format, '--redact']);
        expect(r.status).toBe(0);
        const body = r.stdout.replace(/^.*(pcap|pcapng): .*$/gm, ''); // the capture's own file name line
        for (const s of hidden) expect(occurs(body, s), `${s} in ${format}`).toBe(false);
      }
    });
  }

  it('gives an address the same pseudonym everywhere, and keeps ports, versions and ciphers', () => {
    const plain = JSON.parse(runCli(['analyze', 'captures/cert-reject.pcap', '-f', 'json']).stdout);
    const red = JSON.parse(runCli(['analyze', 'captures/cert-reject.pcap', '-f', 'json', '--redact']).stdout);
    const clients = new Set(red.connections.map((c: any) => c.client.ip));
    expect([...clients]).toEqual(['client-1']);
    expect(new Set(red.connections.map((c: any) => c.server.ip))).toEqual(new Set(['server-1', 'server-2']));
    red.connections.forEach((c: any, i: number) => {
      expect(c.client.port).toBe(plain.connections[i].client.port);
      expect(c.tls.version).toBe(plain.connections[i].tls.version);
      expect(c.tls.cipher).toBe(plain.connections[i].tls.cipher);
      expect(c.diagnosis).toBe(plain.connections[i].diagnosis);
    });
  });
});

describe('--redact and the rest of a certificate’s names', () => {
  /** Attribute values of subjects and issuers other than C and CN: organisations, places, addresses. */
  function dnValues(json: string): string[] {
    const doc = JSON.parse(json) as { connections: Record<string, any>[] };
    const out = new Set<string>();
    for (const c of doc.connections) {
      for (const cert of c.certificates ?? []) {
        for (const dn of [cert.subject, cert.issuer]) {
          for (const m of String(dn ?? '').matchAll(/(?:^|, )(\w+)=(.*?)(?=, \w+=|$)/g)) if (m[1] !== 'C' && m[1] !== 'CN') out.add(m[2]!);
        }
      }
    }
    return [...out];
  }

  it('replaces organisation, unit, street, town, region and postcode in every format (Zeek tls1.2.pcap)', () => {
    const file = 'captures/tls1.2.pcap';
    const plain = runCli(['analyze', file, '-f', 'json']).stdout;
    const values = dnValues(plain);
    // The chain names its owner's organisation and street address, and its CAs'.
    expect(values).toEqual(expect.arrayContaining(['Taleo Inc.', '4140 Dublin Boulevard', 'Dublin', 'COMODO CA Limited', 'AddTrust AB']));
    const long = values.filter((v) => v.length >= 5);
    expect(long.every((v) => plain.includes(v))).toBe(true);
    for (const format of ['text', 'markdown', 'json', 'html']) {
      const body = runCli(['analyze', file, '-f', format, '--redact']).stdout;
      for (const v of long) expect(body.includes(v), `${v} in ${format}`).toBe(false);
    }
    const red = JSON.parse(runCli(['analyze', file, '-f', 'json', '--redact']).stdout);
    const leaf = red.connections[0].certificates[0];
    expect(leaf.subject).toBe('C=country-1, postalCode=place-1, ST=place-2, L=place-3, street=place-4, street=place-5, O=org-1, OU=org-2, OU=org-3, CN=*.name-1.example.test');
    // The issuer is the next certificate's subject: the same pseudonyms.
    expect(leaf.issuer).toBe(red.connections[0].certificates[1].subject);
  });

  it('replaces a value only inside a name: ST=CA does not turn every "CA" of the report into a pseudonym', () => {
    const r = new Redactor();
    const subject = 'C=US, ST=CA, O=Example, Inc., CN=mx.example.com';
    r.learn({ client: { ip: '192.0.2.1' }, server: { ip: '192.0.2.2' }, certificates: [{ subject, issuer: subject, san: [] }] });
    expect(r.text(subject)).toBe('C=country-1, ST=place-1, O=org-1, CN=name-1.example.test');
    expect(r.text(`signed by an unknown CA: the chain leads to '${subject}' from /etc/ssl/certs`)).toBe(
      "signed by an unknown CA: the chain leads to 'C=country-1, ST=place-1, O=org-1, CN=name-1.example.test' from /etc/ssl/certs",
    );
  });
});

/** `diff` pairs: the same capture twice (one client, one server on both sides), and pairs from two captures. */
const DIFF_PAIRS: [string, string][] = [
  ['captures/abort-then-retry.pcap', 'captures/abort-then-retry.pcap'],
  ['captures/good-25-smtp-starttls.pcap', 'captures/cert-reject.pcap'],
  ['captures/tls1.2.pcap', 'captures/tls-1.2-handshake-failure.pcap'],
  ['captures/tls13draft16-ff52.a01.pcap#2', 'captures/tls13draft16-ff52.a01-aborted.pcap#1'],
];

const fileOf = (side: string) => side.replace(/#\d+$/, '');

describe('diff --redact', () => {
  for (const [good, bad] of DIFF_PAIRS) {
    it(`leaves no address or name of ${good} or ${bad} in text, Markdown, JSON or HTML`, () => {
      const hidden = [...new Set([...secrets(runCli(['analyze', fileOf(good), '-f', 'json']).stdout), ...secrets(runCli(['analyze', fileOf(bad), '-f', 'json']).stdout)])];
      expect(hidden.length).toBeGreaterThan(1);
      for (const format of ['text', 'markdown', 'json', 'html']) {
        // The check can fail: without --redact the same search finds some of them.
        const plain = runCli(['diff', good, bad, '-f', format]);
        expect(plain.status).toBe(0);
        expect(hidden.some((s) => occurs(plain.stdout, s)), `unredacted ${format}`).toBe(true);
        const r = runCli(['diff', good, bad, '-f', format, '--redact']);
        expect(r.status).toBe(0);
        expect(r.stderr).toBe('');
        for (const s of hidden) expect(occurs(r.stdout, s), `${s} in ${format}`).toBe(false);
        // The capture file names go too: capture-1.pcap and capture-2.pcap (one name for one file).
        expect(r.stdout).not.toContain(fileOf(bad).replace(/^captures\//, ''));
        expect(r.stdout).toMatch(/capture-[12]\.pcap/);
      }
    });
  }

  it('uses one set of pseudonyms for both sides: the same address on both sides, the same pseudonym', () => {
    const red = JSON.parse(runCli(['diff', 'captures/abort-then-retry.pcap', 'captures/abort-then-retry.pcap', '-f', 'json', '--redact']).stdout);
    const plain = JSON.parse(runCli(['diff', 'captures/abort-then-retry.pcap', 'captures/abort-then-retry.pcap', '-f', 'json']).stdout);
    expect(plain.good.client.ip).toBe(plain.bad.client.ip);
    expect([red.good.client.ip, red.bad.client.ip]).toEqual(['client-1', 'client-1']);
    expect([red.good.server.ip, red.bad.server.ip]).toEqual(['server-1', 'server-1']);
    // Ports, steps, weights and the shape of the verdict are kept.
    expect([red.good.client.port, red.bad.client.port]).toEqual([plain.good.client.port, plain.bad.client.port]);
    expect(red.divergence).toEqual(plain.divergence);
    expect(red.differences.map((d: any) => [d.area, d.field, d.weight])).toEqual(plain.differences.map((d: any) => [d.area, d.field, d.weight]));
    expect(red.good.chosen).toMatch(/the same server server-1:25, .* the same client address client-1$/);
  });

  it('gives two servers two pseudonyms, the same in the fields and in the words', () => {
    const red = JSON.parse(runCli(['diff', 'captures/tls13draft16-ff52.a01.pcap#2', 'captures/tls13draft16-ff52.a01-aborted.pcap#1', '-f', 'json', '--redact']).stdout);
    expect(red.good.server.ip).not.toBe(red.bad.server.ip);
    expect([red.good.server.ip, red.bad.server.ip].sort()).toEqual(['server-1', 'server-2']);
    expect(red.conclusion).toContain(`another server (${red.bad.server.ip}:${red.bad.server.port}, the good one to ${red.good.server.ip}:${red.good.server.port})`);
  });
});

/**
 * Names planted where the redactor must find them — SNI, every certificate attribute of subject and issuer
 * (the issuer of the last certificate too), SANs, Postfix and Dovecot log lines, a server reply — random ones
 * (fast-check) and hostile ones (apostrophes, commas, quotes, unicode): none survives in the redacted report.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactorFor } from '../../src/report/redact.js';

/** A connection report as far as redaction goes, with names planted. */
function report(p: { sni: string; attrs: Record<string, string>; issuerAttrs: Record<string, string>; host: string; user: string; mailbox: string; rdns: string; ip: string }) {
  const dn = (a: Record<string, string>) => Object.entries(a).map(([k, v]) => `${k}=${v}`).join(', ');
  const leaf = { subject: dn(p.attrs), issuer: dn(p.issuerAttrs), san: [p.sni, `email:${p.mailbox}`, p.ip, `DNS:${p.sni}`], sha256: 'ab'.repeat(32), serial: '0A1B2C3D4E5F6071', ca: false };
  return {
    client: { ip: '192.0.2.7', port: 50000 },
    server: { ip: p.ip, port: 25 },
    capture: '/home/alice/captures/incident-7.pcap',
    tls: { sni: p.sni },
    clientHello: { sni: p.sni, sessionId: 'cd'.repeat(32) },
    serverHello: { sessionId: 'cd'.repeat(32) },
    certificates: [leaf],
    mail: { serverReply: `554 5.7.1 <${p.mailbox}>: relay refused by ${p.sni}` },
    diagnosis: `the client rejected '${leaf.subject}' (issued by '${leaf.issuer}')`,
    log: [
      { file: '/var/log/mail.log', line: `Nov 28 11:57:56 ${p.host} postfix/smtpd[26560]: connect from ${p.rdns}[${p.ip}]:50648` },
      { file: '/var/log/mail.log', line: `Nov 28 11:57:57 ${p.host} postfix/smtpd[26560]: NOQUEUE: reject: RCPT from ${p.rdns}[${p.ip}]: 554; from=<${p.mailbox}> to=<${p.mailbox}> proto=ESMTP helo=<${p.rdns}>` },
      { file: '/var/log/dovecot.log', line: `2026-11-28 11:57:59 imap-login: Info: Login: user=<${p.user}>, method=PLAIN, rip=${p.ip}, lip=10.0.0.1, TLS, session=<Wkqf4lRhwoR/AAAB>` },
      { file: '/var/log/mail.log', line: `Nov 28 11:57:58 ${p.host} postfix/smtpd[26560]: sasl_username=${p.user}` },
    ],
  };
}

/**
 * Cases per run: 150, and 25 under mutation testing (vitest.mutate.config.ts sets MUTATION_RUN), where this test
 * runs once for each of the module's mutants that it covers; the rule-by-rule tests (redact-unit.test.ts) judge them too.
 */
const RUNS = process.env['MUTATION_RUN'] ? 25 : 150;

const word = fc.stringMatching(/^[a-z][a-z0-9]{5,11}$/);
const unicodeWord = fc.stringMatching(/^[a-zäöüéßñøå][a-z0-9äöüéßñøå]{5,11}$/);
const hostile = fc.tuple(unicodeWord, fc.constantFrom("'s", ', Inc.', ' "Q"', ' & Co', '’s', ' (R)')).map(([w, tail]) => `${w}${tail}`);
const host = fc.tuple(word, word).map(([a, b]) => `${a}.${b}.com`);
const ipv4 = fc.tuple(fc.integer({ min: 11, max: 223 }), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 })).map((o) => o.join('.'));
const ATTRS = ['C', 'ST', 'L', 'street', 'postalCode', 'O', 'OU', 'CN', 'emailAddress', 'serialNumber', 'title', 'GN', 'SN', 'businessCategory', 'jurisdictionC'];

/** The words a planted value is made of, long enough to be looked for alone. */
function words(v: string): string[] {
  return v.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 6);
}

describe('--redact with names planted everywhere', () => {
  it('leaves none of them, whatever they are (fast-check)', () => {
    fc.assert(
      fc.property(host, fc.array(hostile, { minLength: ATTRS.length, maxLength: ATTRS.length }), fc.array(hostile, { minLength: ATTRS.length, maxLength: ATTRS.length }), word, word, word, ipv4, word, (sni, values, issuerValues, hostWord, user, rdnsWord, ip, local) => {
        const attrs = Object.fromEntries(ATTRS.map((k, i) => [k, k === 'CN' ? sni : values[i]!]));
        const issuerAttrs = Object.fromEntries(ATTRS.map((k, i) => [k, issuerValues[i]!]));
        const p = { sni, attrs, issuerAttrs, host: hostWord, user, mailbox: `${local}@${sni}`, rdns: `${rdnsWord}.dsl.example.net`, ip };
        const r = report(p);
        const out = JSON.stringify(redactorFor([r as never]).value(r));
        const planted = [sni, hostWord, user, rdnsWord, ip, local, ...values, ...issuerValues].flatMap((v) => [v, ...words(v)]);
        for (const v of planted) expect(out.toLowerCase(), v).not.toContain(v.toLowerCase());
        expect(out).not.toContain('alice');
        expect(out).not.toContain('incident-7');
        expect(out).not.toContain('ab'.repeat(32));
        expect(out).not.toContain('0A1B2C3D4E5F6071');
        expect(out).not.toContain('Wkqf4lRhwoR');
      }),
      { numRuns: RUNS },
    );
  });

  it('names the same value with the same pseudonym, in fields and in sentences, whatever its case', () => {
    const p = { sni: 'MX.Planted-Host.example', attrs: { O: "org-1's Encrypt", CN: 'mx.planted-host.example' }, issuerAttrs: { CN: 'Mail Lab Root R1' }, host: 'mailhost', user: 'bob', mailbox: 'Bob@Planted-Host.example', rdns: 'laptop-ceo.example.com', ip: '198.51.100.9' };
    const r = redactorFor([report(p) as never]).value(report(p));
    expect(r.tls.sni).toBe('name-1.example.test');
    expect(r.certificates[0]!.subject).toMatch(/^O=org-\d+, CN=name-1\.example\.test$/);
    expect(r.certificates[0]!.issuer).toMatch(/^CN=cn-\d+$/);
    expect(r.diagnosis).toBe(`the client rejected '${r.certificates[0]!.subject}' (issued by '${r.certificates[0]!.issuer}')`);
    expect(r.log[0]!.line).toMatch(/^Nov 28 11:57:56 name-\d+\.example\.test postfix\/smtpd\[26560\]: connect from name-\d+\.example\.test\[server-1\]:50648$/);
    expect(r.log[2]!.line).toMatch(/user=<user-\d+>, method=PLAIN, rip=server-1, lip=address-\d+, TLS, session=<session-\d+>$/);
    expect(r.capture).toBe('capture-1.pcap');
  });
});

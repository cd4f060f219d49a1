/**
 * `--redact` at the edges the other redact tests left open, found by the complete mutation run of
 * src/report/redact.ts (issue 24, 2026-12-07): the last octet of an address, IPv6 forms with no short group,
 * a host name at a sentence's end, the log line's places for a name written in their rarer forms, pseudonyms
 * with two digits, the kinds of a certificate's CN, and the redaction note on a report written in bytes.
 * Each expectation is what a reader of the redacted report sees: what is hidden, what stays, which pseudonym.
 */
import { rootCertificates } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { markRedacted, markRedactedPieces, redactorFor, type RedactionSource } from '../../src/report/redact.js';

/** A source with no endpoint (an empty address is never learned), plus what is given. */
const only = (over: Partial<RedactionSource> = {}): RedactionSource => ({ client: { ip: '' }, server: { ip: '' }, ...over });

/** What a redactor that learned nothing beforehand makes of each string, in turn. */
const fresh = (...texts: string[]): string[] => {
  const r = redactorFor([only()]);
  return texts.map((t) => r.text(t));
};

// First in this file, on purpose: the set of Mozilla roots is built once per module load (see redact-rules.test.ts).
describe('a public CA named in a sentence beside private names', () => {
  const rootPem = rootCertificates.find((p) => new X509Certificate(p).subject.includes('ISRG Root X1'))!;
  const rootName = new X509Certificate(rootPem).subject.split('\n').filter(Boolean).join(', ');

  it('stays whole, and the private names before and after it are hidden', () => {
    const ca = { subject: 'C=US, O=Public One, CN=Public Issuing 1', issuer: rootName, ca: true };
    const r = redactorFor([only({ certificates: [ca] })]);
    expect(r.text(`'O=Hidden Before' chains to 'C=US, O=Public One, CN=Public Issuing 1' then 'O=Hidden After'`)).toBe(
      `'O=org-1' chains to 'C=US, O=Public One, CN=Public Issuing 1' then 'O=org-2'`,
    );
  });
});

describe('addresses the patterns must find whole', () => {
  it('IPv4 whose last octet is 200–249 or 250–255, and one that ends a sentence', () => {
    expect(fresh('from 192.0.2.249 and 192.0.2.201 and 198.51.100.250 port 25', 'connect from 203.0.113.7. Then quit')).toEqual([
      'from address-1 and address-2 and address-3 port 25',
      'connect from address-4. Then quit',
    ]);
  });

  it('IPv6 with every group written in four digits, a prefix ending in ::, a group of four after ::', () => {
    expect(fresh('rip=2001:0db8:85a3:0000:0000:8a2e:0370:7334, lip=192.0.2.1', 'lip=2001:db8:: and 2001:db8::1234 and ::abcd')).toEqual([
      'rip=address-2, lip=address-1',
      'lip=address-3 and address-4 and address-5',
    ]);
  });

  it('a learned address at the end of a sentence that goes on', () => {
    const r = redactorFor([only({ client: { ip: '192.0.2.7' } })]);
    expect(r.text('the client was 192.0.2.7. It sent nothing')).toBe('the client was client-1. It sent nothing');
  });
});

describe('host names the patterns must find whole', () => {
  it('a first label of one letter, and a name that ends a sentence', () => {
    expect(fresh('relayed via x.corp.example; sent to mx.corp.example. Done')).toEqual(['relayed via name-1.example.test; sent to name-2.example.test. Done']);
  });

  it('a name that starts with digits, or is made of hex letters only, is a host name, not an address', () => {
    const r = redactorFor([only({ tls: { sni: '1und1.example' } }), only({ tls: { sni: 'bad.cafe' } }), only({ tls: { sni: 'db.corp.example:8443' } })]);
    expect(r.text('SNI 1und1.example, bad.cafe and db.corp.example:8443')).toBe('SNI name-1.example.test, name-2.example.test and name-3.example.test');
  });
});

describe("a log line's places for a name, in their rarer forms", () => {
  it('from=/to= with a mailbox no e-mail pattern sees, after another field', () => {
    expect(fresh('status=sent, to=<postmaster>, orig_to=<root>')).toEqual(['status=sent, to=<mailbox-1@example.test>, orig_to=<mailbox-2@example.test>']);
  });

  it('helo= after another field, without angle brackets, starting with digits, of one letter', () => {
    expect(fresh('client=unknown, helo=mail01, ehlo=12mx and helo=m')).toEqual(['client=unknown, helo=name-1.example.test, ehlo=name-2.example.test and helo=name-3.example.test']);
  });

  it('a session without angle brackets', () => {
    expect(fresh('sess=Zx81Yq ended')).toEqual(['sess=session-1 ended']);
  });

  it('EHLO, LOGIN, AUTH and AUTHENTICATE with two spaces before the name', () => {
    expect(fresh('EHLO  box1', 'a1 LOGIN  erin9', 'AUTH  PLAIN  frank9', 'a2 AUTHENTICATE  PLAIN gina9')).toEqual([
      'EHLO  name-1.example.test',
      'a1 LOGIN  user-1',
      'AUTH  PLAIN  user-2',
      'a2 AUTHENTICATE  PLAIN user-3',
    ]);
  });

  it("a greeting's host that starts or ends with digits, SMTP without E, two spaces before the protocol", () => {
    expect(fresh('220 01mail01 ESMTP', '220 mx7 SMTP Exim', '220 relay01  ESMTP ready')).toEqual([
      '220 name-1.example.test ESMTP',
      '220 name-2.example.test SMTP Exim',
      '220 name-3.example.test  ESMTP ready',
    ]);
  });

  it("Postfix's NAME[address]: a name that starts with a digit, an address ending in two digits, two-digit pseudonyms", () => {
    expect(fresh('connect from 1und1-mx[192.0.2.10]', 'from mx1[client-12] mx2[server-12] mx3[address-12]')).toEqual([
      'connect from name-1.example.test[address-1]',
      'from name-2.example.test[client-12] name-3.example.test[server-12] name-4.example.test[address-12]',
    ]);
  });
});

describe("the pseudonyms the redactor writes are never taken for names, with any number", () => {
  it('a line of a redacted report redacted again reads the same', () => {
    const line = 'user=<user-12> helo=name-10.example.test from=<mailbox-10@example.test> read capture-12.cap and log-10.ndjson';
    expect(fresh(line)).toEqual([line]);
  });

  it('a name that only ends like a pseudonym is hidden', () => {
    const r = redactorFor([only({ tls: { sni: 'relay-server-2' } })]);
    expect(r.text('SNI relay-server-2')).toBe('SNI name-1.example.test');
  });
});

describe("a certificate's CN and SANs by kind", () => {
  it('a CN with words around a host name is a certificate name; an IPv6 CN is an address', () => {
    const certs = [{ subject: 'CN=mail.corp.example backup' }, { subject: 'CN=Backup mx.corp.example' }, { subject: 'CN=2001:db8::25' }];
    const out = redactorFor([only({ certificates: certs })]).value({ certificates: certs });
    expect(out.certificates.map((c) => c.subject)).toEqual(['CN=cn-1', 'CN=cn-2', 'CN=server-1']);
  });

  it('an email SAN without an @ is still a mailbox', () => {
    const certs = [{ san: ['email:hostmaster'] }];
    const out = redactorFor([only({ certificates: certs })]).value({ certificates: certs });
    expect(out.certificates[0]!.san).toEqual(['email:mailbox-1@example.test']);
  });

  it("a wildcard CN in an EHLO keeps its *.", () => {
    const r = redactorFor([only({ certificates: [{ subject: 'CN=*.corp.example' }] })]);
    expect(r.text('EHLO *.corp.example')).toBe('EHLO *.name-1.example.test');
  });

  it('of two learned organisations that start alike, the longer one at its place wins, whichever came first', () => {
    const r = redactorFor([only({ certificates: [{ subject: 'O=Acme Widgets' }, { subject: 'O=Acme' }] })]);
    expect(r.text(`issued to 'O=Acme Widgets' and 'O=Acme'`)).toBe(`issued to 'O=org-1' and 'O=org-2'`);
  });

  it('an organisation that starts with a learned one but goes on is hidden whole, where the name itself ends it', () => {
    // A redactor of its own for each: one that has met 'Acme Widgets' once hides it as a learned value anyway.
    const fresh = () => redactorFor([only({ certificates: [{ subject: 'O=Acme' }] })]);
    // Ended by its closing quote, by the separator before the next attribute, or by OpenSSL's one-line form.
    expect(fresh().text(`issued to 'O=Acme Widgets'`)).toBe(`issued to 'O=org-2'`);
    expect(fresh().text(`issuer C=US, O=Acme Widgets, CN=R3`)).toBe(`issuer C=country-1, O=org-2, CN=cn-1`);
    expect(fresh().text('issuer=/C=US/O=Acme Widgets/CN=R3')).toBe('issuer=/C=country-1/O=org-2/CN=cn-1');
    // Unquoted in a sentence, nothing says where the name ends: the learned value, and the sentence goes on.
    expect(fresh().text('issued by O=Acme without a chain')).toBe('issued by O=org-1 without a chain');
  });

  it('a learned organisation is not a prefix of a longer word; a trailing space in a quoted name stays', () => {
    const r = redactorFor([only({ certificates: [{ subject: 'O=Acme' }] })]);
    expect(r.text(`signed by 'O=Acmeville Trust' and 'O=Zeta Works ' today`)).toBe(`signed by 'O=org-2' and 'O=org-3 ' today`);
  });
});

describe('capture files', () => {
  it('a file whose last type is unknown keeps none; two files of the same base name: the bare name is the first', () => {
    const r = redactorFor([only({ capture: 'incident.pcap.old' }), only({ capture: 'monday/x.pcap' }), only({ capture: 'tuesday/x.pcap' })]);
    expect(r.text('read incident.pcap.old, monday/x.pcap, tuesday/x.pcap and x.pcap')).toBe('read capture-1, capture-2.pcap, capture-3.pcap and capture-2.pcap');
  });
});

describe('a short mailbox', () => {
  it('a@b is hidden, in a sentence and as a field of its own', () => {
    const r = redactorFor([only()]);
    expect(r.value({ said: 'bounce to a@b', from: 'c@d' })).toEqual({ said: 'bounce to mailbox-1@example.test', from: 'mailbox-2@example.test' });
  });
});

describe('the note on a report written in pieces of bytes', () => {
  const r = redactorFor([only({ client: { ip: '192.0.2.7' } })]);
  const line = 'redacted: addresses replaced with consistent pseudonyms';

  it('the last piece is text whatever its type; each piece is the bytes it had when it was written', () => {
    function* reused(): Generator<Uint8Array> {
      const buf = Buffer.from('abc\n');
      yield buf;
      buf.write('xyz\n');
      yield buf;
    }
    const out = [...markRedactedPieces(reused(), 'text', () => r)].map((p) => (typeof p === 'string' ? p : Buffer.from(p).toString()));
    expect(out).toEqual(['abc\n', `xyz\n${line}\n`]);
  });

  it('a JSON report gets its field after the last value, the indentation kept', () => {
    expect(markRedacted('{\n  "a": 1\n}\n', 'json', r)).toBe('{\n  "a": 1,\n  "redacted": {"kinds":["addresses"]}\n}\n');
  });
});

/**
 * `--redact`, the rules redact-unit.test.ts leaves implicit, each judged by what a reader of the redacted report
 * sees: which word the note uses for each kind of value, which pseudonym each attribute of a certificate's name
 * gets, where a learned value starts and ends (character by character), a chain of public CAs kept whole, and the
 * words that stand where a name would but name nobody. Written from the survivors of mutation testing (issue 24).
 */
import { rootCertificates } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { redactionNote, redactorFor, type RedactionSource } from '../../src/report/redact.js';

/** A source with no endpoint (an empty address is never learned), plus what is given. */
const only = (over: Partial<RedactionSource> = {}): RedactionSource => ({ client: { ip: '' }, server: { ip: '' }, ...over });

// First in this file, on purpose: the set of Mozilla roots is built once per module load, by the first test that
// learns a certificate, so coverage per test (Stryker) credits that test alone with the code that builds it.
describe('public CAs', () => {
  const rootPem = rootCertificates.find((p) => new X509Certificate(p).subject.includes('ISRG Root X1'))!;
  const rootName = new X509Certificate(rootPem).subject.split('\n').filter(Boolean).join(', ');

  it('a chain of two public intermediates stays, in whatever order the server sent it; the leaf is hidden', () => {
    const leaf = { subject: 'CN=mx.corp.example', issuer: 'C=US, O=Public Two, CN=Public Issuing 2', ca: false };
    const second = { subject: 'C=US, O=Public Two, CN=Public Issuing 2', issuer: 'C=US, O=Public One, CN=Public Issuing 1', ca: true };
    const first = { subject: 'C=US, O=Public One, CN=Public Issuing 1', issuer: rootName, ca: true };
    const certs = [leaf, second, first];
    const out = redactorFor([only({ certificates: certs })]).value({ certificates: certs, said: `issued by 'C=US, O=Public Two, CN=Public Issuing 2'` });
    expect(out.certificates.map((c) => [c.subject, c.issuer])).toEqual([
      ['CN=name-1.example.test', 'C=US, O=Public Two, CN=Public Issuing 2'],
      ['C=US, O=Public Two, CN=Public Issuing 2', 'C=US, O=Public One, CN=Public Issuing 1'],
      ['C=US, O=Public One, CN=Public Issuing 1', rootName],
    ]);
    expect(out.said).toBe(`issued by 'C=US, O=Public Two, CN=Public Issuing 2'`);
  });

  it('a certificate a public root issued is private when it is no CA, and so is a CA with no issuer', () => {
    const leaf = { subject: 'C=US, O=Acme Widgets, CN=Acme Leaf', issuer: rootName, ca: false };
    const orphan = { subject: 'O=Orphan Corp, CN=Orphan CA', issuer: null, ca: true };
    const out = redactorFor([only({ certificates: [leaf, orphan] })]).value({ certificates: [leaf, orphan] });
    expect(out.certificates[0]!.subject).toBe('C=country-1, O=org-1, CN=cn-1');
    expect(out.certificates[0]!.issuer).toBe(rootName);
    expect(out.certificates[1]!.subject).toBe('O=org-2, CN=cn-2');
  });
});

describe('the note names each kind by the word a reader knows', () => {
  const cases: [string, RedactionSource, string][] = [
    ['a client', only({ client: { ip: '192.0.2.7' } }), 'addresses'],
    ['a server', only({ server: { ip: '192.0.2.8' } }), 'addresses'],
    ['a PROXY sender', only({ proxy: { ip: '192.0.2.9' } }), 'addresses'],
    ['an address in a string', only({ found: [['address', '203.0.113.9']] }), 'addresses'],
    ['a host name', only({ found: [['name', 'mx.corp.example']] }), 'host names'],
    ['an e-mail address', only({ found: [['email', 'a@corp.example']] }), 'e-mail addresses'],
    ['a user', only({ found: [['user', 'alice']] }), 'user names'],
    ['a session id', only({ clientHello: { sessionId: 'cd'.repeat(32) } }), 'session ids'],
    ['a fingerprint', only({ certificates: [{ sha256: 'ab'.repeat(32) }] }), 'certificate fingerprints and serial numbers'],
    ['a serial', only({ certificates: [{ serial: '0A1B2C3D' }] }), 'certificate fingerprints and serial numbers'],
    ['a capture', only({ capture: 'incident.pcap' }), 'file names'],
    ['a log', only({ files: ['mail.log'] }), 'file names'],
    ['an organisation', only({ certificates: [{ subject: 'O=Acme Widgets' }] }), 'certificate names'],
    ['a place', only({ certificates: [{ subject: 'L=Springfield' }] }), 'certificate names'],
    ['a country', only({ certificates: [{ subject: 'C=DE' }] }), 'certificate names'],
    ['a common name', only({ certificates: [{ subject: 'CN=Acme Issuing CA' }] }), 'certificate names'],
    ['another attribute', only({ certificates: [{ subject: 'title=Head of Mail' }] }), 'certificate names'],
    ['an e-mail attribute', only({ certificates: [{ subject: 'emailAddress=pki@corp.example' }] }), 'e-mail addresses'],
  ];
  for (const [what, source, word] of cases) {
    it(`${what}: "${word}"`, () => {
      // (A log's file names come with the log's sources.)
      const r = source.files ? redactorFor([], [source]) : redactorFor([source]);
      expect(redactionNote(r).kinds).toEqual([word]);
      expect(redactionNote(r).line).toBe(`redacted: ${word} replaced with consistent pseudonyms`);
    });
  }
});

describe("a certificate's name, attribute by attribute", () => {
  it('each attribute gets the pseudonym of its kind, whatever separates it from the next', () => {
    const subject =
      'C=DE, ST=Bavaria, L=Munich, street=Hauptstrasse 1, postalCode=80331, postOfficeBox=PO 77, jurisdictionL=Munich Court, jurisdictionST=Bavaria State, jurisdictionC=AT, O=Acme Widgets, OU=Mail Ops, emailAddress=pki@corp.example, title=Head of Mail, CN=Acme Issuing CA';
    const r = redactorFor([only({ certificates: [{ subject }] })]);
    expect(r.value({ subject }).subject).toBe(
      'C=country-1, ST=place-1, L=place-2, street=place-3, postalCode=place-4, postOfficeBox=place-5, jurisdictionL=place-6, jurisdictionST=place-7, jurisdictionC=country-2, O=org-1, OU=org-2, emailAddress=mailbox-1@example.test, title=value-1, CN=cn-1',
    );
  });

  it("OpenSSL's one-line form, a comma without a space, a multi-valued RDN, a name inside a sentence", () => {
    const r = redactorFor([only()]);
    expect(r.text('/C=FR/O=Oui Corp/CN=Oui Root')).toBe('/C=country-1/O=org-1/CN=cn-1');
    expect(r.text('C=FR,O=Oui Corp,CN=Oui Root')).toBe('C=country-1,O=org-1,CN=cn-1');
    expect(r.text('CN=Oui Root+O=Oui Corp')).toBe('CN=cn-1+O=org-1');
    expect(r.text('signed by\tCN=Non Root Two')).toBe('signed by\tCN=cn-2');
  });

  it('a dotted OID and a *_CN attribute are attributes too', () => {
    const r = redactorFor([only({ certificates: [{ subject: '2.5.4.97=VATDE-123456, jurisdiction_CN=Corp Registry' }] })]);
    expect(r.text('2.5.4.97=VATDE-123456, jurisdiction_CN=Corp Registry')).toBe('2.5.4.97=value-1, jurisdiction_CN=cn-1');
  });

  it('a host-like CN is a host name, a wildcard keeps its *., an address CN is an address', () => {
    const r = redactorFor([only({ certificates: [{ subject: 'CN=*.corp.example' }, { subject: 'CN=mx.other.example' }, { subject: 'CN=203.0.113.44' }] })]);
    expect(r.text('CN=*.corp.example and CN=mx.other.example and CN=203.0.113.44')).toBe('CN=*.name-1.example.test and CN=name-2.example.test and CN=server-1');
    expect(r.text('corp.example, 203.0.113.44')).toBe('name-1.example.test, server-1');
  });

  it('short values are names only inside a name; five characters or more, and every CN, anywhere', () => {
    const r = redactorFor([only({ certificates: [{ subject: 'C=DE, L=Ulm, O=Acmex, CN=Qz' }] })]);
    expect(r.text('DE Ulm Acmex Qz')).toBe('DE Ulm org-1 cn-1');
    const four = redactorFor([only({ certificates: [{ subject: 'O=Acme' }] })]);
    expect(four.text('Acme and O=Acme')).toBe('Acme and O=org-1');
  });
});

describe('a learned value is found whole, never inside a longer word', () => {
  const serial = '0a1b2c3d4e5f6071';
  const r = () => redactorFor([only({ certificates: [{ serial }] })]);

  it('a letter, digit or _ on either side makes it another word', () => {
    for (const c of ['0', '9', 'A', 'Z', 'a', 'z', '_', '-']) {
      expect(r().text(`${c}${serial}`), `${c} before`).toBe(`${c}${serial}`);
      expect(r().text(`${serial}${c}`), `${c} after`).toBe(`${serial}${c}`);
    }
  });

  it("'.' or ':' before it joins it to a longer value; after it, a '.' ends it unless a word goes on", () => {
    expect(r().text(`x.${serial} x:${serial}`)).toBe(`x.${serial} x:${serial}`);
    expect(r().text(`${serial}. ${serial}: ${serial}.`)).toBe('serial-1. serial-1: serial-1.');
    expect(r().text(`${serial}.x`)).toBe(`${serial}.x`);
    for (const c of ['/', '@', '[', '`', '{', ' ', '!', '~']) expect(r().text(`${c}${serial}${c}`), c).toBe(`${c}serial-1${c}`);
  });

  it('a value with a space in it (a CN) is found by its first word, in any case, and the longest wins', () => {
    const x = redactorFor([only({ certificates: [{ subject: 'CN=Corp Root' }, { subject: 'CN=Corp Root Two' }] })]);
    expect(x.text('by corp root two, by CORP ROOT, by Corp Rooted, by Corp')).toBe('by cn-2, by cn-1, by Corp Rooted, by Corp');
    expect(x.text('Corp Root')).toBe('cn-1');
  });

  it("a wildcard's name is a value's start after its *.", () => {
    const x = redactorFor([only({ tls: { sni: 'corp.example' } })]);
    expect(x.text('*.corp.example and a*.corp.example')).toBe('*.name-1.example.test and a*.name-1.example.test');
  });
});

describe('words that stand where a name would but name nobody', () => {
  it('stay, wherever a name would be learned from them', () => {
    for (const word of ['unknown', 'localhost', 'null', 'none', '-', 'redacted', '<redacted>']) {
      const r = redactorFor([only({ tls: { sni: word }, found: [['name', word]] })]);
      expect(r.text(`${word} said ${word}`), word).toBe(`${word} said ${word}`);
      expect(redactionNote(r).kinds, word).toEqual([]);
    }
    const r = redactorFor([only()]);
    expect(r.text('helo=<none> user=- user=<redacted> from unknown[192.0.2.1]')).toBe('helo=<none> user=- user=<redacted> from unknown[address-1]');
  });
});

describe('SAN entries by their label', () => {
  it('DNS, IP Address, no label, email, URI (and its host), DirName, othername, Registered ID', () => {
    const san = ['DNS: mx.corp.example', 'dns:relay.corp.example', 'IP Address:203.0.113.5', 'backup.corp.example', 'email:pki@corp.example', 'ops@corp.example', 'URI:https://crl.corp.example/r.crl', 'DirName:O=Dir Corp, CN=Dir Name', 'othername:upn-4471', 'Registered ID:1.2.3.4.5'];
    const r = redactorFor([only({ certificates: [{ san }] })]);
    expect(r.text('mx.corp.example relay.corp.example 203.0.113.5 backup.corp.example pki@corp.example ops@corp.example')).toBe(
      'name-1.example.test name-2.example.test server-1 name-3.example.test mailbox-1@example.test mailbox-2@example.test',
    );
    expect(r.text('https://crl.corp.example/r.crl then crl.corp.example')).toBe('name-4.example.test then name-5.example.test');
    expect(r.text('Dir Corp, Dir Name, upn-4471, 1.2.3.4.5')).toBe('org-1, cn-1, value-1, value-2');
    expect(r.value({ san }).san).toEqual([
      'DNS: name-1.example.test',
      'dns:name-2.example.test',
      'IP Address:server-1',
      'name-3.example.test',
      'email:mailbox-1@example.test',
      'mailbox-2@example.test',
      'URI:name-4.example.test',
      'DirName:O=org-1, CN=cn-1',
      'othername:value-1',
      'Registered ID:value-2',
    ]);
  });
});

describe('the fields a connection names by kind', () => {
  it('the SNI of the TLS summary or of the ClientHello, each alone; either hello\'s session id alone', () => {
    expect(redactorFor([only({ tls: { sni: 'a.corp.example' } })]).text('a.corp.example')).toBe('name-1.example.test');
    expect(redactorFor([only({ clientHello: { sni: 'b.corp.example' } })]).text('b.corp.example')).toBe('name-1.example.test');
    expect(redactorFor([only({ clientHello: { sessionId: 'c1'.repeat(16) } })]).text('c1'.repeat(16))).toBe('session-1');
    expect(redactorFor([only({ serverHello: { sessionId: 'd2'.repeat(16) } })]).text('d2'.repeat(16))).toBe('session-1');
  });

  it('a source with no found list is scanned for names in its own fields', () => {
    const r = redactorFor([], [only({ certificates: [{ subject: 'CN=x', issuer: 'CN=y' }], capture: 'seen by relay.corp.example' })]);
    expect(r.text('relay.corp.example')).toBe('name-1.example.test');
  });

  it('a serial: the field of a certificate (an object with a sha256) by its pseudonym, elsewhere only when long', () => {
    const r = redactorFor([only({ certificates: [{ serial: '0A1B2C3' }, { serial: '0A1B2C3D' }] })]);
    expect(r.value({ sha256: 'x', serial: '0a1b2c3' }).serial).toBe('serial-1');
    expect(r.value({ serial: '0A1B2C3' }).serial).toBe('0A1B2C3');
    expect(r.text('0A1B2C3 0A1B2C3D')).toBe('0A1B2C3 serial-2');
    expect(r.value({ sha256: 'x', serial: '0A1B2C3D' }).serial).toBe('serial-2');
    // A serial learned twice keeps its first pseudonym.
    expect(redactorFor([only({ certificates: [{ serial: '0A1B2C3D' }, { serial: '0a1b2c3d' }, { serial: '77' }] })]).value({ sha256: 'x', serial: '77' }).serial).toBe('serial-2');
  });

  it('a document keeps numbers, booleans, null and buffers as they are, and redacts inside arrays and SAN objects', () => {
    const r = redactorFor([only({ tls: { sni: 'mx.corp.example' } })]);
    const buf = Buffer.from('mx.corp.example');
    const out = r.value({ n: 7, b: true, z: null, buf, list: ['mx.corp.example', 3], san: [{ dns: 'mx.corp.example' }] });
    expect(out).toEqual({ n: 7, b: true, z: null, buf, list: ['name-1.example.test', 3], san: [{ dns: 'name-1.example.test' }] });
    expect(out.buf).toBe(buf);
  });
});

describe('what the scrubbing patterns find in a string', () => {
  it('a session id of 40 hex digits, not 39; an address in IPv6 form, not a lone ::', () => {
    const r = redactorFor([only()]);
    expect(r.text(`k=${'a'.repeat(39)}, k=${'b'.repeat(40)}`)).toBe(`k=${'a'.repeat(39)}, k=session-1`);
    expect(r.text('at :: and 1::, fe80::2')).toBe('at :: and address-1, address-2');
  });

  it('a one-word user or host is a name where it stands; a longer word, or one with a digit, anywhere', () => {
    const r = redactorFor([only()]);
    expect(r.text('user=<abcdefghijkl> user=<abcdefghijklm> user=<bob7>')).toBe('user=<user-1> user=<user-2> user=<user-3>');
    expect(r.text('abcdefghijkl abcdefghijklm bob7')).toBe('abcdefghijkl user-2 user-3');
  });

  it("a greeting's host, a NAME[address] already redacted, an EHLO in any case, a quoted LOGIN", () => {
    const r = redactorFor([only()]);
    expect(r.text('220-relay7 ESMTP ready, 220 relay8 LMTP')).toBe('220-name-1.example.test ESMTP ready, 220 name-2.example.test LMTP');
    expect(r.text('from laptop[client-1] and desk[address-2]:25 and pc[10.1.2.3]')).toBe('from name-3.example.test[client-1] and name-4.example.test[address-2]:25 and name-5.example.test[address-1]');
    expect(r.text('ehlo box1 and LHLO box2')).toBe('ehlo name-6.example.test and LHLO name-7.example.test');
    expect(r.text('a1 LOGIN "erin" x, USER frank and AUTHENTICATE PLAIN gina')).toBe('a1 LOGIN "user-1" x, USER user-2 and AUTHENTICATE PLAIN user-3');
    expect(r.text('helo=<helo>')).toBe('helo=<name-8.example.test>');
  });

  it('a user name ends before the punctuation of the sentence it stands in, which stays', () => {
    const r = redactorFor([only()]);
    expect(r.text('USER frank, then USER gina. Then AUTH PLAIN hal; (USER ivy)')).toBe('USER user-1, then USER user-2. Then AUTH PLAIN user-3; (USER user-4)');
    // Learned without the comma: the same user where it stands without one.
    expect(r.text('LOGIN frank')).toBe('LOGIN user-1');
  });
});

describe('capture and log files', () => {
  it('a Windows path, a file with no known type, standard input, the same file twice', () => {
    const r = redactorFor([], [only({ files: ['C:\\logs\\Mail.txt', 'D:\\x\\trace', '-', ''] })], ['caps/a.pcapng', 'caps/a.pcapng']);
    expect(r.text('C:\\logs\\Mail.txt Mail.txt D:\\x\\trace trace caps/a.pcapng a.pcapng -')).toBe('log-1.txt log-1.txt log-2 log-2 capture-1.pcapng capture-1.pcapng -');
    expect(redactionNote(r).kinds).toEqual(['file names']);
  });
});

describe('a user that is an e-mail address the pattern does not see', () => {
  it('is hidden as one: user=@corp, LOGIN x@', () => {
    const r = redactorFor([only()]);
    expect(r.text('user=@corp and a LOGIN bob@ "x"')).toBe('user=mailbox-1@example.test and a LOGIN mailbox-2@example.test "x"');
    expect(redactionNote(r).kinds).toEqual(['e-mail addresses']);
  });
});

describe('the scrubbing patterns, edge by edge', () => {
  /** What a fresh redactor that learned nothing makes of one string. */
  const fresh = (s: string) => redactorFor([only()]).text(s);

  it('IPv4: every octet range, and not a longer dotted number, an OID before =, or a word', () => {
    expect(fresh('255.249.199.9 and 250.200.100.0')).toBe('address-1 and address-2');
    for (const s of ['256.1.1.1', '1.300.1.1', '1.2.3', '1.2.3.4.5', 'v1.2.3.4', '1.2.3.4x', '1.2.3.4_a', 'a.1.2.3.4']) expect(fresh(`at ${s} now`), s).toBe(`at ${s} now`);
    expect(fresh('(10.0.0.1), [10.0.0.2]:25, 10.0.0.3.')).toBe('(address-1), [address-2]:25, address-3.');
    // A dotted OID before '=' is a certificate attribute's name, not an address.
    expect(fresh('at 2.5.4.97=VAT 7')).toBe('at 2.5.4.97=value-1');
  });

  it('IPv6: full, compressed at either end or inside, with an IPv4 tail; not a time, a MAC-like word, or ::', () => {
    const out = fresh('2001:db8:1:2:3:4:5:6 fe80:: ::1 2001:db8::1:2 ::ffff:10.1.2.3 64:ff9b::192.0.2.33 64:ff9b:1::10.9.8.7');
    expect(out).toMatch(/^address-\d+ address-\d+ address-\d+ address-\d+ address-\d+ address-\d+ address-\d+$/);
    expect(new Set(out.split(' ')).size).toBe(7);
    for (const s of ['11:58:06', '11:58:06.123', 'a::b::c', 'x::1', ':: ']) expect(fresh(`at ${s} now`), s).toBe(`at ${s} now`);
  });

  it('e-mail: any local part of word characters, dots, +, % and -; the domain of letters, digits and dots', () => {
    expect(fresh('to a.b+c%d-e@mx-1.corp.example, ünï@bücher.example and x@localhost')).toBe('to mailbox-1@example.test, mailbox-2@example.test and mailbox-3@example.test');
    expect(fresh('bücher.example and ümlaut.bücher.example')).toBe('name-1.example.test and name-2.example.test');
    expect(fresh('a @ b, @handle and mailbox-9@example.test')).toBe('a @ b, @handle and mailbox-9@example.test');
  });

  it('host names: two labels or more ending in letters, any script, not a file, a version or a pseudonym', () => {
    expect(fresh('mx.corp.example, bücher.de, a-b.c-d.org, x_y.example, host.example.')).toBe('name-1.example.test, name-2.example.test, name-3.example.test, name-4.example.test, name-5.example.test.');
    for (const s of ['1.2.3', 'a.b1', 'a.b', 'x.c', 'y.h', 'z.log', 'q.pcap', 'q.pcapng', 'q.gz', 'q.crt', 'q.pem', 'q.key', 'q.conf', 'main.cf', 'a.js', 'a.ts', 'a.txt', 'a.json', 'a.html', 'a.md', 'name-2.example.test', '.hidden', 'trail-.example']) {
      expect(fresh(`see ${s} now`), s).toBe(`see ${s} now`);
    }
    expect(fresh('/path/to.example @at.example -x.example')).toBe('/path/to.example @at.example -x.example');
  });

  it('a name or address with the tool\'s own words around it: only the value goes', () => {
    expect(fresh("server mx.corp.example (203.0.113.9) said 'hello'")).toBe("server name-1.example.test (address-1) said 'hello'");
  });
});

describe('a distinguished name inside a sentence ends where the sentence says', () => {
  it('at a bare CR, and not at a quote Node escaped inside the value', () => {
    const r = redactorFor([only()]);
    expect(r.text('CN=Corp Root Two\rnext line')).toBe('CN=cn-1\rnext line');
    expect(r.text('rejected "CN=Acme \\"Q\\" Ltd" now, O=Widget Works')).toBe('rejected "CN=cn-2" now, O=org-1');
    expect(r.text("issuer 'O=Bob's Widgets' then")).toBe("issuer 'O=org-2' then");
    expect(r.text("issuer 'CN=Acme Last Root'")).toBe("issuer 'CN=cn-3'");
  });
});

describe("the syslog host field, in each of syslog's time forms", () => {
  it('BSD time with a padded day or fractions, ISO time with Z, an offset with or without a colon', () => {
    for (const time of ['Nov  8 11:57:56', 'Nov 28 11:57:56.123456', '2026-11-28T11:57:59Z', '2026-11-28T11:57:59.5+0100', '2026-11-28T11:57:59-05:00', '2026-11-28T11:57:59']) {
      const r = redactorFor([only()]);
      expect(r.text(`${time} mailhost postfix/smtpd[26560]: connect`), time).toBe(`${time} name-1.example.test postfix/smtpd[26560]: connect`);
      expect(r.text(`${time} mailhost dovecot: imap-login`), time).toBe(`${time} name-1.example.test dovecot: imap-login`);
    }
  });

  it('not in a line that only looks like one: no program after the host, no time before it, not mid-line', () => {
    const r = redactorFor([only()]);
    for (const line of ['Nov 28 11:57:56 mailhost said hi: x', 'at Nov 28 11:57:56 mailhost postfix: x', 'mailhost postfix/smtpd[1]: x', 'nov 28 11:57:56 mailhost postfix: x']) {
      expect(r.text(line), line).toBe(line);
    }
  });
});

describe('what is left as it stands', () => {
  it('a pseudonym or an empty value in a name, an EHLO with no name in it, a URI with no host, an unlearned serial', () => {
    const r = redactorFor([only({ proxy: { ip: '192.0.2.60', tlvs: { uniqueId: 'conn-0001' } }, certificates: [{ san: ['URI:urn:isbn:0451450523'] }] })]);
    expect(r.text('issuer O=org-7, CN=cn-3')).toBe('issuer O=org-7, CN=cn-3');
    expect(r.text('subject CN=')).toBe('subject CN=');
    expect(r.text('EHLO *. then')).toBe('EHLO *. then');
    expect(r.text('urn:isbn:0451450523 from 192.0.2.60, conn-0001')).toBe('name-1.example.test from proxy-1, session-1');
    expect(r.value({ sha256: 'ab', serial: '99' }).serial).toBe('99');
    expect(redactionNote(r).kinds).toEqual(['addresses', 'host names', 'session ids']);
  });
});

describe('learned by field, where no pattern would find it', () => {
  it('an SNI that is no dotted name, from the TLS summary or the ClientHello', () => {
    expect(redactorFor([only({ tls: { sni: 'mail_01' } })]).text('asked mail_01')).toBe('asked name-1.example.test');
    expect(redactorFor([only({ clientHello: { sni: 'mail_02' } })]).text('asked mail_02')).toBe('asked name-1.example.test');
  });

  it("a PROXY header's network namespace, and its other TLVs from four characters", () => {
    const r = redactorFor([only({ proxy: { ip: '192.0.2.61', tlvs: { netns: 'ns_blue7', other: [{ value: 'abcd' }, { value: 'xyz' }] } } })]);
    expect(r.text('ns_blue7 abcd xyz')).toBe('name-1.example.test session-1 xyz');
  });

  it("a log's lines, learned before any report string: a name met in them is hidden wherever it stands", () => {
    const id = 'e3'.repeat(20);
    const log = only({ found: [], texts: ['Nov 28 11:57:56 mail-gw7 postfix/smtpd[1]: NOQUEUE: user=<carol7x>', `tlsmgr: cache ${id}`] });
    const r = redactorFor([only()], [log]);
    expect(r.text('carol7x and mail-gw7')).toBe('user-1 and name-1.example.test');
    // A word alone is only looked up, never scanned: the id is hidden because the log's lines taught it (the
    // source says what its fields hold, `found`, so only its lines' scan finds the id).
    expect(r.text(id)).toBe('session-1');
  });
});

describe("a certificate's own subject or issuer is a name whole", () => {
  it('a quote inside a value does not end it there, nor do spaces around it make another value', () => {
    const subject = 'O=Acme "Best" Widgets, OU= Spaced Unit , CN=Acme Quote CA';
    const r = redactorFor([only({ certificates: [{ subject }] })]);
    expect(r.value({ subject }).subject).toBe('O=org-1, OU= org-2 , CN=cn-1');
    expect(r.text("signed by 'OU=Spaced Unit, CN=Acme Quote CA'")).toBe("signed by 'OU=org-2, CN=cn-1'");
  });
});

describe('an attribute that holds an e-mail address', () => {
  it('is a mailbox when the attribute names no kind; an organisation with an @ stays an organisation', () => {
    const subject = 'UID=bob@corp.example, O=Team@Corp';
    const r = redactorFor([only({ certificates: [{ subject }] })]);
    expect(r.value({ subject }).subject).toBe('UID=mailbox-1@example.test, O=org-1');
  });
});

describe('a learned value with a quote in it, in a sentence', () => {
  it('is found whole, the longest learned value at its place, among others that start alike', () => {
    const subject = "O=Widgets' Hub, OU=Wizard Corp, L=Wi";
    const r = redactorFor([only({ certificates: [{ subject }] })]);
    expect(r.text("issued by O=Widgets' Hub, CN=Hub Root")).toBe('issued by O=org-1, CN=cn-1');
    expect(r.text('issued by O=Wizard Corp, L=Wi')).toBe('issued by O=org-2, L=place-1');
  });
});

describe('a SAN with a space after its label', () => {
  it('names the same mailbox as the address alone', () => {
    const r = redactorFor([only({ certificates: [{ san: ['email: pki@corp.example'] }] })]);
    expect(r.text('pki@corp.example')).toBe('mailbox-1@example.test');
    expect(redactionNote(r).kinds).toEqual(['e-mail addresses']);
  });
});

describe("a URI SAN's host", () => {
  it('is learned by itself: in another URL no pattern would find it (a name after a / is a path)', () => {
    const r = redactorFor([only({ certificates: [{ san: ['URI:https://crl.corp.example/r.crl'] }] })]);
    expect(r.text('fetch http://crl.corp.example/other.crl')).toBe('fetch http://name-2.example.test/other.crl');
  });
});

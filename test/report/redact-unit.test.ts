/**
 * `--redact` rule by rule, on the strings a report is made of: each kind of name is hidden wherever it stands and
 * always by the same pseudonym, whole values only, whatever its case; what a reader of a ticket needs (ports,
 * versions, ciphers, times, file types, public CA names, the tool's own words) stays; the note says what was
 * replaced, in every format. Written to kill the mutants of src/report/redact.ts (issue 24): each expectation is
 * what a reader of the redacted report sees.
 */
import { rootCertificates } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findNames, markRedacted, markRedactedPieces, redactDocument, redactionNote, redactionSource, redactorFor, Redactor, type RedactionSource } from '../../src/report/redact.js';

const conn = (over: Partial<RedactionSource> = {}): RedactionSource => ({ client: { ip: '192.0.2.7' }, server: { ip: '198.51.100.25' }, ...over });

/** A redactor that learned `sources`, then what it makes of `text`. */
function redact(text: string, ...sources: RedactionSource[]): string {
  return redactorFor(sources.length > 0 ? sources : [conn()]).text(text);
}

describe('addresses', () => {
  it('client, server and any other address get their own numbered pseudonyms, the same each time', () => {
    const r = redactorFor([conn(), conn({ client: { ip: '192.0.2.8' } })]);
    expect(r.text('192.0.2.7 → 198.51.100.25:25, then 192.0.2.8 and 192.0.2.7 again')).toBe('client-1 → server-1:25, then client-2 and client-1 again');
    expect(r.text('connect from 203.0.113.9 and 203.0.113.10, 203.0.113.9')).toBe('connect from address-1 and address-2, address-1');
  });

  it('whole addresses only: 10.77.0.1 never eats 10.77.0.100, a version or a time', () => {
    const r = redactorFor([conn({ client: { ip: '10.77.0.1' } })]);
    expect(r.text('10.77.0.1 10.77.0.100 10.77.0.1.5 TLS 1.2 11:58:06')).toBe('client-1 address-1 10.77.0.1.5 TLS 1.2 11:58:06');
    expect(r.text('10.77.0.1:25 [10.77.0.1] (10.77.0.1)')).toBe('client-1:25 [client-1] (client-1)');
    expect(r.text('x10.77.0.1 10.77.0.1x 10.77.0.1-a')).toBe('x10.77.0.1 10.77.0.1x 10.77.0.1-a');
    expect(r.text('256.1.1.1 1.2.3 01.2.3.4')).toBe('256.1.1.1 1.2.3 01.2.3.4');
  });

  it('IPv6 in any of its forms, but not a time or a cipher', () => {
    const r = redactorFor([conn({ client: { ip: '2001:db8::7' } })]);
    expect(r.text('from 2001:db8::7 to 2001:db8:0:0:0:0:0:25 and ::1 or fe80::1%eth0, ::ffff:192.0.2.1')).toBe('from client-1 to address-2 and address-3 or address-4%eth0, address-5');
    expect(r.text('at 11:58:06.123 with TLS_AES_128_GCM_SHA256 ::')).toBe('at 11:58:06.123 with TLS_AES_128_GCM_SHA256 ::');
  });

  it("an IPv4 address in IPv6 form, as Dovecot logs a client on a dual-stack socket, is hidden whole", () => {
    const r = redactorFor([conn()]);
    const out = r.text('imap-login: Login: user=<u>, method=PLAIN, rip=::ffff:203.0.113.77, lip=::ffff:10.0.0.1, TLS');
    expect(out).not.toMatch(/203\.0\.113|10\.0\.0\.1|ffff/);
    expect(out).toMatch(/^imap-login: Login: user=<user-1>, method=PLAIN, rip=address-\d+, lip=address-\d+, TLS$/);
  });
});

describe('host names, e-mail addresses, users, sessions', () => {
  it('an SNI is hidden in any case, in a longer sentence, and not inside another name', () => {
    const r = redactorFor([conn({ tls: { sni: 'MX.Example.COM' } })]);
    expect(r.text('asked for mx.example.com and MX.EXAMPLE.COM, not mx.example.com.evil or sub.mx.example.com')).toBe(
      'asked for name-1.example.test and name-1.example.test, not name-2.example.test or name-3.example.test',
    );
  });

  it('any dotted host name in a sentence, but not a file the tool or a server names, nor a pseudonym', () => {
    expect(redact('relay via smtp.corp.example.net; see statem_srvr.c, smtpd.log, ca.pem, out.json, name-9.example.test')).toBe(
      'relay via name-1.example.test; see statem_srvr.c, smtpd.log, ca.pem, out.json, name-9.example.test',
    );
    expect(redact('version 1.2.3 and a.b')).toBe('version 1.2.3 and a.b');
  });

  it('e-mail addresses, and what a log line names by its place: user, session, from/to, helo, EHLO, a greeting, LOGIN', () => {
    const r = redactorFor([conn()]);
    expect(r.text('from=<Alice@Corp.Example> to=<bob@corp.example> user=<carol> session=<Wkqf4lRhwoR>')).toBe(
      'from=<mailbox-1@example.test> to=<mailbox-2@example.test> user=<user-1> session=<session-1>',
    );
    expect(r.text('helo=<laptop7> EHLO workstation9 220 mailhost ESMTP Postfix')).toBe('helo=<name-1.example.test> EHLO name-2.example.test 220 name-3.example.test ESMTP Postfix');
    expect(r.text('a LOGIN dave "secret" and AUTH PLAIN erin and sasl_username=frank')).toBe('a LOGIN user-3 "secret" and AUTH PLAIN user-4 and sasl_username=user-2');
    // Learned where they stood, and the same pseudonym when they stand there again; a bare word elsewhere stays.
    expect(r.text('user=<carol> again; carol is a word here')).toBe('user=<user-1> again; carol is a word here');
  });

  it("the syslog host field and Postfix's NAME[address]", () => {
    const r = redactorFor([conn()]);
    expect(r.text('Nov 28 11:57:56 mailhost postfix/smtpd[26560]: connect from laptop[192.0.2.7]:50648')).toBe(
      'Nov 28 11:57:56 name-1.example.test postfix/smtpd[26560]: connect from name-2.example.test[client-1]:50648',
    );
    expect(r.text('2026-11-28T11:57:59.123+01:00 mailhost dovecot: imap-login: Login')).toBe('2026-11-28T11:57:59.123+01:00 name-1.example.test dovecot: imap-login: Login');
    expect(r.text('connect from unknown[192.0.2.7], user=<>')).toBe('connect from unknown[client-1], user=<>');
  });

  it('a TLS session id of 40 hex digits or more in a log line, and the session ids of the hellos', () => {
    const id = 'ab'.repeat(32);
    const r = redactorFor([conn({ clientHello: { sessionId: 'cd'.repeat(32) }, serverHello: { sessionId: 'ef'.repeat(32) } })]);
    expect(r.text(`cache ${id} and ${'cd'.repeat(32)}, ${'ef'.repeat(32)}; short ${'ab'.repeat(19)}`)).toBe(`cache session-3 and session-1, session-2; short ${'ab'.repeat(19)}`);
  });
});

describe('certificates', () => {
  const leaf = { subject: "C=DE, ST=Berlin, L=Mitte, O=org-1's Encrypt, OU=Mail Ops, CN=mx.corp.example", issuer: 'C=DE, O=Corp Example GmbH, CN=Corp Issuing CA 7', san: ['DNS:mx.corp.example', 'DNS:*.corp.example', 'IP Address:203.0.113.5', 'email:pki@corp.example', 'URI:https://crl.corp.example/x', 'DirName:CN=Other Name'], sha256: 'ab'.repeat(32), serial: '0A1B2C3D4E5F6071', ca: false };

  it('every attribute of subject and issuer, by kind, the same value the same pseudonym in sentences', () => {
    const r = redactorFor([conn({ certificates: [leaf] })]);
    const out = r.value({ certificates: [leaf], diagnosis: `rejected 'O=org-1's Encrypt, CN=mx.corp.example' issued by "O=Corp Example GmbH, CN=Corp Issuing CA 7"` });
    const cert = out.certificates[0]!;
    expect(cert.subject).toBe('C=country-1, ST=place-1, L=place-2, O=org-1, OU=org-2, CN=name-1.example.test');
    expect(cert.issuer).toBe('C=country-1, O=org-3, CN=cn-2');
    expect(out.diagnosis).toBe(`rejected 'O=org-1, CN=name-1.example.test' issued by "O=org-3, CN=cn-2"`);
    expect(cert.san).toEqual(['DNS:name-1.example.test', 'DNS:*.name-2.example.test', 'IP Address:server-2', 'email:mailbox-1@example.test', 'URI:name-3.example.test', 'DirName:CN=cn-1']);
    expect(cert.sha256).toBe('sha256-1');
    expect(cert.serial).toBe('serial-1');
    // The CN alone, the way the tool quotes a certificate; long values alone too; a short one (DE) only in a name.
    expect(r.text('Corp Issuing CA 7 and Mail Ops signed it in DE')).toBe('cn-2 and org-2 signed it in DE');
  });

  it('a short serial only in its field; a long one anywhere', () => {
    const short = { ...leaf, serial: '0A1B' };
    const r = redactorFor([conn({ certificates: [short] })]);
    const out = r.value({ certificates: [short], note: 'serial 0A1B, 0A1B2' });
    expect(out.certificates[0]!.serial).toBe('serial-1');
    expect(out.note).toBe('serial 0A1B, 0A1B2');
    expect(redactorFor([conn({ certificates: [leaf] })]).text('serial 0a1b2c3d4e5f6071 seen')).toBe('serial serial-1 seen');
  });

  it('names of public CAs stay when the chain reaches a Mozilla root; a private root is hidden', () => {
    const root = new X509Certificate(rootCertificates.find((p) => new X509Certificate(p).subject.includes('ISRG Root X1'))!);
    const rootName = root.subject.split('\n').filter(Boolean).join(', ');
    const intermediate = { subject: 'C=US, O=Let\'s Encrypt, CN=R3', issuer: rootName, ca: true, sha256: 'cd'.repeat(32), serial: null };
    const server = { subject: 'CN=mx.corp.example', issuer: 'C=US, O=Let\'s Encrypt, CN=R3', ca: false, sha256: 'ef'.repeat(32), serial: null };
    const r = redactorFor([conn({ certificates: [server, intermediate] })]);
    const out = r.value({ certificates: [server, intermediate] });
    expect(out.certificates[0]!.issuer).toBe("C=US, O=Let's Encrypt, CN=R3");
    expect(out.certificates[1]!.issuer).toBe(rootName);
    expect(out.certificates[0]!.subject).toBe('CN=name-1.example.test');
    // The same chain under a private root: nothing public about it.
    const privateIntermediate = { ...intermediate, issuer: 'O=Mail Lab, CN=Mail Lab Root R1' };
    const p = redactorFor([conn({ certificates: [server, privateIntermediate] })]).value({ certificates: [server, privateIntermediate] });
    expect(p.certificates[1]!.issuer).toBe('O=org-2, CN=cn-2');
    expect(p.certificates[0]!.issuer).toBe('C=country-1, O=org-1, CN=cn-1');
  });

  it('a distinguished name in a sentence ends at its closing quote or the line, not at an apostrophe', () => {
    const r = redactorFor([conn()]);
    expect(r.text("issuer 'O=Acme Widgets, CN=Acme Root' then\nnext line")).toBe("issuer 'O=org-1, CN=cn-1' then\nnext line");
    expect(r.text('subject "CN=Bob\'s Server" here, and /C=FR/O=Oui Corp/CN=oui-host.example')).toBe('subject "CN=cn-2" here, and /C=country-1/O=org-2/CN=name-1.example.test');
    expect(r.text("'ST=CA' and the CA words")).toBe("'ST=place-1' and the CA words");
  });
});

describe('the rarer places a name stands', () => {
  it('log lines learned as texts, a DN that ends at the line, an othername SAN, a wildcard CN, an IPv6 SAN, a LOGIN by e-mail', () => {
    const cert = { subject: 'title=Head of Mail, jurisdiction_CN=Corp Registry, CN=*.corp.example', issuer: 'CN=Corp CA', san: ['othername:corp-upn-77', 'IP Address:2001:db8::25'], sha256: 'ab'.repeat(32), serial: null };
    const log = { client: { ip: '' }, server: { ip: '' }, texts: ['Nov 28 11:57:56 mailhost postfix/smtpd[1]: connect from laptop[192.0.2.7]'] };
    const r = redactorFor([conn({ certificates: [cert] })], [log]);
    expect(r.value({ certificates: [cert] }).certificates[0]).toMatchObject({
      subject: 'title=value-2, jurisdiction_CN=cn-1, CN=*.name-1.example.test',
      san: ['othername:value-1', 'IP Address:server-2'],
    });
    // Learned from the log's text before any report string is redacted: the client's name where a name stands (a
    // one-word syslog host is a name only in its field: elsewhere it is a word).
    expect(r.text('mailhost said laptop[192.0.2.7]')).toMatch(/^mailhost said name-\d\.example\.test\[client-1\]$/);
    expect(r.text('CN=Corp Root Two\nnext line')).toBe('CN=cn-3\nnext line');
    expect(r.text('a LOGIN dave@corp.example "x"')).toBe('a LOGIN mailbox-1@example.test "x"');
  });
});

describe('a PROXY header', () => {
  it('hides the load balancer, the address it dialled and the TLVs that name a host or a session', () => {
    const proxy = {
      ip: '192.0.2.50',
      destination: { ip: '203.0.113.80' },
      tlvs: { authority: 'mail.corp.example', ssl: { cn: 'client.corp.example' }, uniqueId: 'lb-conn-4f2a', netns: 'ns-blue.corp', other: [{ value: 'abc' }, { value: 'tenant-77' }] },
    };
    const r = redactorFor([conn({ proxy })]);
    expect(r.text('via 192.0.2.50 to 203.0.113.80 for mail.corp.example, cert client.corp.example, id lb-conn-4f2a, ns ns-blue.corp, tlv tenant-77 abc')).toBe(
      'via proxy-1 to server-2 for name-1.example.test, cert name-2.example.test, id session-1, ns name-3.example.test, tlv session-2 abc',
    );
    expect(redactionNote(r).kinds).toEqual(['addresses', 'host names', 'session ids']);
    // An authority that is an address is one; a header with no TLVs names only its sender.
    const bare = redactorFor([conn({ proxy: { ip: '192.0.2.51', destination: null, tlvs: { authority: '198.51.100.99' } } })]);
    expect(bare.text('192.0.2.51 dialled 198.51.100.99')).toBe('proxy-1 dialled server-2');
    expect(redactorFor([conn({ proxy: { ip: '192.0.2.52' } })]).text('192.0.2.52 said 203.0.113.80')).toBe('proxy-1 said address-1');
  });
});

describe('files', () => {
  it('capture and log paths and their base names, keeping the type; standard input stays', () => {
    const r = redactorFor([conn({ capture: '/home/alice/incident-7.pcapng.gz' })], [{ client: { ip: '' }, server: { ip: '' }, files: ['/var/log/Mail.LOG'] }], ['-']);
    expect(r.text('read /home/alice/incident-7.pcapng.gz (incident-7.pcapng.gz) and /var/log/mail.log, mail.log; -')).toBe('read capture-1.pcapng.gz (capture-1.pcapng.gz) and log-1.log, log-1.log; -');
    expect(redactorFor([conn({ capture: '/tmp/trace' })]).text('from /tmp/trace')).toBe('from capture-1');
  });
});

describe('what stays', () => {
  it("the tool's words, ports, versions, ciphers, alert names, times and sizes", () => {
    const text = 'TLS 1.3 TLS_AES_256_GCM_SHA384 handshake_failure (40) after 12.5 ms, port 587, 1,448 bytes, step 4 ServerHelloDone, x25519, h2';
    expect(redact(text, conn({ tls: { sni: 'mx.corp.example' } }))).toBe(text);
    expect(redact('unknown localhost none null -', conn({ tls: { sni: 'localhost' } }))).toBe('unknown localhost none null -');
  });

  it('an empty or word-only string is only looked up, never scanned', () => {
    const r = redactorFor([conn({ clientHello: { sessionId: 'cd'.repeat(32) } })]);
    expect(r.text('')).toBe('');
    expect(r.text('CD'.repeat(32))).toBe('session-1');
    expect(r.text('TLS_AES_128_GCM_SHA256')).toBe('TLS_AES_128_GCM_SHA256');
  });
});

describe('the note and the document', () => {
  it('names the kinds replaced, in a fixed order, or says nothing was found', () => {
    expect(redactionNote(new Redactor()).line).toBe('redacted: nothing found to replace replaced with consistent pseudonyms');
    const r = redactorFor([conn({ capture: 'a.pcap', tls: { sni: 'mx.corp.example' }, clientHello: { sessionId: 'cd'.repeat(32) }, certificates: [{ subject: 'O=Acme, CN=x.corp.example', issuer: 'CN=Acme CA', sha256: 'ab'.repeat(32), serial: '01', san: ['email:a@corp.example'] }] })]);
    r.text('user=<alice>');
    expect(redactionNote(r)).toEqual({
      kinds: ['addresses', 'host names', 'certificate names', 'e-mail addresses', 'user names', 'session ids', 'certificate fingerprints and serial numbers', 'file names'],
      line: 'redacted: addresses, host names, certificate names, e-mail addresses, user names, session ids, certificate fingerprints and serial numbers, file names replaced with consistent pseudonyms',
    });
  });

  it('marks each format where a reader looks: last line, italic paragraph, before </body>, a JSON field', () => {
    const r = redactorFor([conn()]);
    const line = 'redacted: addresses replaced with consistent pseudonyms';
    expect(markRedacted('report\n\n', 'text', r)).toBe(`report\n${line}\n`);
    expect(markRedacted('# r\n', 'markdown', r)).toBe(`# r\n\n_${line}_\n`);
    expect(markRedacted('<html><body>x</body></html>', 'html', r)).toBe(`<html><body>x<p class="redacted">${line}</p>\n</body></html>`);
    expect(markRedacted('<p>x</p>', 'html', r)).toBe(`<p>x</p><p class="redacted">${line}</p>\n`);
    expect(JSON.parse(markRedacted('{\n  "a": 1\n}\n', 'json', r))).toEqual({ a: 1, redacted: { kinds: ['addresses'] } });
    expect(JSON.parse(markRedacted('{}', 'json', r))).toEqual({ redacted: { kinds: ['addresses'] } });
    expect(markRedacted('{"a":1}\n{"b":2}\n', 'ndjson', r)).toBe('{"a":1}\n{"b":2,"redacted":{"kinds":["addresses"]}}\n');
    expect(markRedacted('not json', 'json', r)).toBe('not json');
    expect(markRedacted('not json', 'ndjson', r)).toBe('not json');
    expect([...markRedactedPieces(['a\n', 'b\n'], 'text', () => r)]).toEqual(['a\n', `b\n${line}\n`]);
    expect([...markRedactedPieces([], 'markdown', () => r)]).toEqual([`\n\n_${line}_\n`]);
    expect([...markRedactedPieces(['a', 'b'], 'text', () => null)]).toEqual(['a', 'b']);
    expect([...markRedactedPieces([], 'text', () => null)]).toEqual(['']);
  });

  it('a whole document: every connection learned first, so a name met late has the pseudonym it had early', () => {
    const doc = {
      connections: [
        { ...conn(), capture: 'one.pcap', diagnosis: 'talked to 198.51.100.26 first', tls: { sni: null } },
        { ...conn({ server: { ip: '198.51.100.26' } }), capture: 'one.pcap', diagnosis: 'then 198.51.100.25', tls: { sni: 'mx.corp.example' } },
      ],
    };
    const out = redactDocument(doc);
    expect(out.connections.map((c) => [c.server.ip, c.diagnosis, c.capture, c.tls.sni])).toEqual([
      ['server-1', 'talked to server-2 first', 'capture-1.pcap', null],
      ['server-2', 'then server-1', 'capture-1.pcap', 'name-1.example.test'],
    ]);
  });

  it('a report learns through redactionSource: its fields and what the patterns find in its strings', () => {
    const report = { ...conn(), capture: 'c.pcap', tls: { sni: 'mx.corp.example' }, clientHello: null, serverHello: null, certificates: null, mail: { serverReply: '554 relay denied for ops@corp.example by 203.0.113.9' } };
    const source = redactionSource(report);
    expect(source.found).toEqual([
      ['address', '192.0.2.7'],
      ['address', '198.51.100.25'],
      ['name', 'mx.corp.example'],
      ['address', '203.0.113.9'],
      ['email', 'ops@corp.example'],
    ]);
    expect(findNames(['ab', 'word_only', 12, null, { a: 'see b@c.example' }])).toEqual([['email', 'b@c.example']]);
  });
});

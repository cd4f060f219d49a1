// Dialogues no capture in the corpus shows: refusals, a mail client with the wrong TLS setting, redaction,
// pipelining with TLS in the same segment, bounds. The TLS bytes are real: the first bytes of a ClientHello and
// a ServerHello from the lab's implicit-TLS capture.
import { describe, expect, it } from 'vitest';
import { MailSniffer } from '../../src/mail/sniffer.js';
import { defaultPorts, parsePortOption } from '../../src/mail/ports.js';
import type { MailPhase } from '../../src/mail/types.js';
import { loadFixture, replayEveryChunking as run, script } from './replay.js';

const lab465 = loadFixture('lab-good-465').connections[0].chunks;
const CLIENT_HELLO = lab465.find((c) => c.from === 'client')!.data;
const SERVER_HELLO = lab465.find((c) => c.from === 'server')!.data;
const TLS_ALERT = Buffer.from('15030100020232', 'hex'); // fatal decode_error, as a server answers plaintext


const lines = (p: MailPhase) => p.transcript.map((t) => `${t.from === 'client' ? 'C' : 'S'}: ${t.line}`);

describe('SMTP', () => {
  const EHLO_REPLY = '250-mx.example.org\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n';

  it('reports a 454 refusal of STARTTLS', () => {
    const p = run(
      script([
        ['server', '220 mx.example.org ESMTP\r\n'],
        ['client', 'EHLO client.example\r\n'],
        ['server', EHLO_REPLY],
        ['client', 'STARTTLS\r\n'],
        ['server', '454 4.7.0 TLS not available due to local problem\r\n'],
        ['client', 'QUIT\r\n'],
        ['server', '221 2.0.0 Bye\r\n'],
      ]),
      25,
    );
    expect(p).toMatchObject({
      protocol: 'smtp-starttls',
      application: 'smtp',
      tlsMode: null,
      serverOffered: true,
      clientAsked: true,
      serverReply: '454 4.7.0 TLS not available due to local problem',
      accepted: false,
      problem: 'server refused STARTTLS: 454 4.7.0 TLS not available due to local problem',
      tlsStart: { client: null, server: null },
    });
    expect(lines(p)).toEqual([
      'S: 220 mx.example.org ESMTP',
      'C: EHLO client.example',
      'S: 250-mx.example.org',
      'S: 250-PIPELINING',
      'S: 250-STARTTLS',
      'S: 250 8BITMIME',
      'C: STARTTLS',
      'S: 454 4.7.0 TLS not available due to local problem',
      'C: QUIT',
      'S: 221 2.0.0 Bye',
    ]);
  });

  it('reports a 502 from a server that did not offer STARTTLS', () => {
    const p = run(
      script([
        ['server', '220 old.example.org ESMTP\r\n'],
        ['client', 'EHLO c\r\n'],
        ['server', '250-old.example.org\r\n250 SIZE 1000\r\n'],
        ['client', 'STARTTLS\r\n'],
        ['server', '502 5.5.1 Command not implemented\r\n'],
      ]),
      587,
    );
    expect(p).toMatchObject({
      protocol: 'submission-starttls',
      serverOffered: false,
      clientAsked: true,
      accepted: false,
      problem: 'server refused STARTTLS: 502 5.5.1 Command not implemented',
    });
  });

  it('finds both TLS starts inside pipelined segments (STARTTLS + ClientHello, 220 + ServerHello)', () => {
    const chunks = script([
      ['server', '220 mx ESMTP\r\n'],
      ['client', 'EHLO c\r\n'],
      ['server', EHLO_REPLY],
      ['client', Buffer.concat([Buffer.from('STARTTLS\r\n'), CLIENT_HELLO])],
      ['server', Buffer.concat([Buffer.from('220 2.0.0 Ready to start TLS\r\n'), SERVER_HELLO])],
    ]);
    const sniffer = new MailSniffer(25);
    const returned = chunks.map((c) => sniffer.push(c.from, c.data, c.offset, c.frame, c.time));
    expect(returned).toEqual([14, 8, EHLO_REPLY.length, 10, 30]);
    expect(sniffer.push('client', CLIENT_HELLO, 8 + 10 + CLIENT_HELLO.length, 6, 6)).toBe(0);
    const p = run(chunks, 25);
    expect(p).toMatchObject({ tlsMode: 'starttls', accepted: true, problem: null, tlsStart: { client: 18, server: 14 + EHLO_REPLY.length + 30 } });
  });

  it('without a transcript (as analyze asks): the same findings, no lines kept', () => {
    const chunks = script([
      ['server', '220 mx ESMTP\r\n'],
      ['client', 'EHLO c\r\n'],
      ['server', EHLO_REPLY],
      ['client', 'STARTTLS\r\n'],
      ['server', '454 4.7.0 TLS not available\r\n'],
      ['client', 'QUI'],
    ]);
    const phase = (keep: boolean): MailPhase => {
      const sniffer = new MailSniffer(25, defaultPorts(), keep);
      for (const c of chunks) sniffer.push(c.from, c.data, c.offset, c.frame, c.time);
      return sniffer.result();
    };
    const kept = phase(true);
    const without = phase(false);
    expect(lines(kept)).toContain('C: QUI [no line end]');
    expect(without.transcript).toEqual([]);
    expect(without.transcriptDropped).toBe(0);
    expect({ ...without, transcript: kept.transcript }).toEqual(kept);
    expect(without).toMatchObject({ clientAsked: true, accepted: false, serverReply: '454 4.7.0 TLS not available' });
  });

  it('reads a reply line split across segments, and a long line without keeping all of it', () => {
    const long = `250-X-${'A'.repeat(10_000)}\r\n`;
    const p = run(
      script([
        ['server', '22'],
        ['server', '0 mx'],
        ['server', ' ESMTP\r'],
        ['server', '\n'],
        ['client', 'EHLO c\r\n'],
        ['server', long.slice(0, 5000)],
        ['server', long.slice(5000)],
        ['server', '250-STARTT'],
        ['server', 'LS\r\n250 OK\r\n'],
        ['client', 'STARTTLS\r\n'],
        ['server', '220 go ahead\r\n'],
        ['client', CLIENT_HELLO],
        ['server', SERVER_HELLO],
      ]),
      25,
    );
    expect(p).toMatchObject({ serverOffered: true, accepted: true, tlsStart: { client: 18 }, problem: null });
    expect(lines(p)[0]).toBe('S: 220 mx ESMTP');
    expect(Math.max(...p.transcript.map((t) => t.line.length))).toBe(200);
  });

  it('says when the client never asks and when the server never offers', () => {
    const base = (reply: string) =>
      script([
        ['server', '220 mx ESMTP\r\n'],
        ['client', 'EHLO c\r\n'],
        ['server', reply],
        ['client', 'MAIL FROM:<a@b>\r\n'],
        ['server', '250 ok\r\n'],
      ]);
    expect(run(base(EHLO_REPLY), 25)).toMatchObject({ protocol: 'smtp', serverOffered: true, problem: 'client never asked for STARTTLS' });
    expect(run(base('250 mx\r\n'), 25)).toMatchObject({ protocol: 'smtp', serverOffered: false, problem: 'server did not offer STARTTLS' });
  });

  it('says when the client goes on in plaintext after the server accepted', () => {
    const p = run(
      script([
        ['server', '220 mx ESMTP\r\n'],
        ['client', 'EHLO c\r\n'],
        ['server', EHLO_REPLY],
        ['client', 'STARTTLS\r\n'],
        ['server', '220 2.0.0 Ready to start TLS\r\n'],
        ['client', 'QUIT\r\n'],
      ]),
      25,
    );
    expect(p).toMatchObject({
      accepted: true,
      tlsStart: { client: null, server: null },
      problem: 'server accepted STARTTLS but the client went on in plaintext: "QUIT"',
    });
  });

  it('says when STARTTLS got no answer', () => {
    const p = run(
      script([
        ['server', '220 mx ESMTP\r\n'],
        ['client', 'EHLO c\r\n'],
        ['server', EHLO_REPLY],
        ['client', 'STARTTLS\r\n'],
      ]),
      25,
    );
    expect(p).toMatchObject({ clientAsked: true, accepted: null, serverReply: null, problem: 'server never answered STARTTLS' });
  });

  it('notes bytes taken for TLS that are not a TLS record header', () => {
    const p = run(
      script([
        ['server', '220 mx ESMTP\r\n'],
        ['client', 'STARTTLS\r\n'],
        ['server', '220 go\r\n'],
        ['server', Buffer.from('16414243', 'hex')],
      ]),
      25,
    );
    expect(p.tlsStart).toEqual({ client: null, server: 22 });
    expect(p.problem).toBe("the server's bytes at offset 22 were taken as the start of TLS but are not a TLS record header: 16 41 42");
  });

  it('keeps a message body out of the commands and the transcript, also when DATA is refused', () => {
    const p = run(
      script([
        ['server', '220 mx ESMTP\r\n'],
        ['client', 'EHLO c\r\n'],
        ['server', EHLO_REPLY],
        ['client', 'MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n'],
        ['server', '250 ok\r\n554 no valid recipients\r\n554 no DATA\r\n'],
        ['client', 'RSET\r\n'],
        ['server', '250 ok\r\n'],
        ['client', 'MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n'],
        ['server', '250 ok\r\n250 ok\r\n354 go\r\n'],
        ['client', 'Subject: STARTTLS\r\n\r\nSTARTTLS\r\n..\r\n.\r\n'],
        ['server', '250 queued\r\n'],
        ['client', 'BDAT 9 LAST\r\nSTARTTLS\n'],
        ['server', '250 ok\r\n'],
        ['client', 'QUIT\r\n'],
      ]),
      25,
    );
    expect(p).toMatchObject({ clientAsked: false, problem: 'client never asked for STARTTLS' });
    expect(lines(p)).toContain('C: RSET');
    expect(lines(p)).toContain('C: [message body: 4 lines, 35 bytes]');
    expect(lines(p)).not.toContain('C: STARTTLS');
    expect(lines(p).at(-1)).toBe('C: QUIT');
  });

  it('redacts AUTH credentials', () => {
    const p = run(
      script([
        ['server', '220 mx ESMTP\r\n'],
        ['client', 'EHLO c\r\n'],
        ['server', '250-mx\r\n250 AUTH PLAIN LOGIN\r\n'],
        ['client', 'AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n'],
        ['server', '235 2.7.0 ok\r\n'],
        ['client', 'AUTH LOGIN\r\n'],
        ['server', '334 VXNlcm5hbWU6\r\n'],
        ['client', 'YWxpY2U=\r\n'],
        ['server', '334 UGFzc3dvcmQ6\r\n'],
        ['client', 'c2VjcmV0\r\n'],
        ['server', '235 ok\r\n'],
        ['client', 'QUIT\r\n'],
      ]),
      587,
    );
    const shown = lines(p).join('\n');
    expect(shown).not.toMatch(/AGFsaWNl|YWxpY2U|c2VjcmV0/);
    expect(lines(p)).toContain('C: AUTH PLAIN <redacted>');
    expect(lines(p)).toContain('C: QUIT');
    expect(p.problem).toBe('server did not offer STARTTLS');
  });

  it('recognises a ClientHello sent to port 25 instead of STARTTLS', () => {
    const p = run(
      script([
        ['server', '220 mx.example.org ESMTP Postfix\r\n'],
        ['client', CLIENT_HELLO],
        ['server', '500 5.5.2 Error: bad syntax\r\n'],
      ]),
      25,
    );
    expect(p).toMatchObject({
      protocol: 'smtp-starttls',
      application: 'smtp',
      tlsMode: 'implicit',
      clientAsked: false,
      tlsStart: { client: 0, server: null },
      problem:
        'client sent a TLS ClientHello on port 25 without STARTTLS: the mail client is set to "SSL/TLS" where this port needs "STARTTLS"',
    });
    expect(p.pushed).toEqual({ client: 0, server: null });
  });

  it('recognises a ClientHello sent after EHLO without STARTTLS', () => {
    const p = run(
      script([
        ['server', '220 mx ESMTP\r\n'],
        ['client', 'EHLO c\r\n'],
        ['server', EHLO_REPLY],
        ['client', CLIENT_HELLO],
      ]),
      25,
    );
    expect(p.tlsStart).toEqual({ client: 8, server: null });
    expect(p.problem).toBe('client sent a TLS ClientHello on port 25 in the middle of the plaintext dialogue, without STARTTLS');
  });

  it('takes a ServerHello that answers such an unasked ClientHello after a plaintext reply (HTTP CONNECT proxy, ja4/https-connect.pcap)', () => {
    const connect = 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n';
    const established = 'HTTP/1.1 200 Connection established\r\n\r\n';
    const p = run(
      script([
        ['client', connect],
        ['server', established],
        ['client', CLIENT_HELLO],
        ['server', SERVER_HELLO],
      ]),
      8080,
    );
    expect(p.tlsStart).toEqual({ client: connect.length, server: established.length });
    expect(p.tlsMode).toBe('implicit');
  });

  it('recognises plaintext EHLO sent to port 465', () => {
    const p = run(
      script([
        ['client', 'EHLO laptop\r\n'],
        ['server', TLS_ALERT],
      ]),
      465,
    );
    expect(p).toMatchObject({
      protocol: 'smtps',
      tlsMode: 'implicit',
      tlsStart: { client: null, server: 0 },
      problem:
        'client sent plaintext "EHLO laptop" on port 465 without TLS: the mail client is set to "STARTTLS" (or no encryption) where this port needs "SSL/TLS"',
    });
  });

  it('notes bytes that were never captured', () => {
    const sniffer = new MailSniffer(25);
    sniffer.push('server', Buffer.from('220 mx ESMTP\r\n'), 0, 1, 0);
    sniffer.push('client', Buffer.from('EHLO c\r\nMA'), 0, 2, 0);
    sniffer.gap('client', 10, 100);
    sniffer.push('client', Buffer.from('QUIT\r\n'), 110, 3, 0);
    const p = sniffer.result();
    expect(p.problem).toBe(
      'client never asked for STARTTLS; bytes of the plaintext phase were not captured (client 100, server 0), so this reading may be incomplete',
    );
    expect(lines(p)).toEqual(['S: 220 mx ESMTP', 'C: EHLO c', 'C: QUIT']);
  });
});

describe('IMAP', () => {
  it('reports NO and BAD answers to STARTTLS', () => {
    for (const answer of ['a002 NO [UNAVAILABLE] TLS not available', 'a002 BAD unknown command']) {
      const p = run(
        script([
          ['server', '* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] ready\r\n'],
          ['client', 'a001 CAPABILITY\r\n'],
          ['server', '* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN\r\na001 OK done\r\n'],
          ['client', 'a002 STARTTLS\r\n'],
          ['server', `${answer}\r\n`],
          ['client', 'a003 LOGOUT\r\n'],
        ]),
        143,
      );
      expect(p).toMatchObject({
        protocol: 'imap-starttls',
        serverOffered: true,
        clientAsked: true,
        accepted: false,
        serverReply: answer,
        problem: `server refused STARTTLS: ${answer}`,
        tlsStart: { client: null, server: null },
      });
    }
  });

  it('redacts LOGIN passwords and skips literals', () => {
    const p = run(
      script([
        ['server', '* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n'],
        ['client', 'a1 LOGIN alice s3cret\r\n'],
        ['server', 'a1 OK logged in\r\n'],
        ['client', 'a2 LOGIN {5}\r\n'],
        ['server', '+ ok\r\n'],
        ['client', 'alice {6}\r\n'],
        ['server', '+ ok\r\n'],
        ['client', 'p4\r\nss\r\n'],
        ['server', 'a2 OK logged in\r\n'],
        ['client', 'a3 LOGOUT\r\n'],
      ]),
      143,
    );
    expect(lines(p).join('\n')).not.toMatch(/s3cret|p4/);
    expect(lines(p)).toContain('C: a1 LOGIN alice <redacted>');
    expect(p).toMatchObject({ protocol: 'imap', serverOffered: false, problem: 'server did not offer STARTTLS' });
  });

  it('recognises a ClientHello sent to port 143', () => {
    const p = run(
      script([
        ['server', '* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n'],
        ['client', CLIENT_HELLO],
      ]),
      143,
    );
    expect(p).toMatchObject({ protocol: 'imap-starttls', serverOffered: true, tlsStart: { client: 0, server: null } });
    expect(p.problem).toBe(
      'client sent a TLS ClientHello on port 143 without STARTTLS: the mail client is set to "SSL/TLS" where this port needs "STARTTLS"',
    );
  });

  it('recognises plaintext LOGIN sent to port 993, without showing the password', () => {
    const p = run(script([['client', 'a001 LOGIN alice s3cret\r\n']]), 993);
    expect(p).toMatchObject({
      protocol: 'imaps',
      application: 'imap',
      tlsStart: { client: null, server: null },
      problem:
        'client sent plaintext "a001 LOGIN alice <redacted>" on port 993 without TLS: the mail client is set to "STARTTLS" (or no encryption) where this port needs "SSL/TLS"',
    });
  });

  it('says when a server on 993 greets in plaintext', () => {
    const p = run(script([['server', '* OK IMAP4rev1 ready\r\n'], ['client', CLIENT_HELLO]]), 993);
    expect(p.tlsStart).toEqual({ client: 0, server: null });
    expect(p.problem).toBe(
      'server sent a plaintext banner on port 993, where TLS starts at the first byte: "* OK IMAP4rev1 ready"; the server is not set up for implicit TLS ("SSL/TLS") on this port, so it cannot answer the client\'s TLS',
    );
  });
});

describe('POP3', () => {
  it('reports -ERR to STLS', () => {
    const p = run(
      script([
        ['server', '+OK POP3 ready\r\n'],
        ['client', 'CAPA\r\n'],
        ['server', '+OK\r\nUSER\r\nSTLS\r\nUIDL\r\n.\r\n'],
        ['client', 'STLS\r\n'],
        ['server', '-ERR TLS support not available\r\n'],
        ['client', 'QUIT\r\n'],
        ['server', '+OK bye\r\n'],
      ]),
      110,
    );
    expect(p).toMatchObject({
      protocol: 'pop3-stls',
      application: 'pop3',
      serverOffered: true,
      clientAsked: true,
      accepted: false,
      serverReply: '-ERR TLS support not available',
      problem: 'server refused STLS: -ERR TLS support not available',
      tlsStart: { client: null, server: null },
    });
  });

  it('redacts PASS and says the client never asked for STLS', () => {
    const p = run(
      script([
        ['server', '+OK POP3 ready\r\n'],
        ['client', 'CAPA\r\n'],
        ['server', '+OK\r\nUSER\r\nSTLS\r\n.\r\n'],
        ['client', 'USER alice\r\n'],
        ['server', '+OK\r\n'],
        ['client', 'PASS s3cret\r\n'],
        ['server', '+OK\r\n'],
        ['client', 'LIST\r\n'],
        ['server', '+OK 1 messages\r\n1 120\r\n.\r\n'],
        ['client', 'QUIT\r\n'],
      ]),
      110,
    );
    expect(lines(p)).toContain('C: PASS <redacted>');
    expect(p).toMatchObject({ protocol: 'pop3', serverOffered: true, problem: 'client never asked for STLS' });
  });

  it('recognises plaintext USER sent to port 995', () => {
    const p = run(script([['client', 'USER alice\r\n'], ['server', TLS_ALERT]]), 995);
    expect(p.problem).toBe(
      'client sent plaintext "USER alice" on port 995 without TLS: the mail client is set to "STARTTLS" (or no encryption) where this port needs "SSL/TLS"',
    );
  });

  it('recognises a ClientHello sent to port 110', () => {
    const p = run(script([['server', '+OK ready\r\n'], ['client', CLIENT_HELLO]]), 110);
    expect(p.problem).toBe(
      'client sent a TLS ClientHello on port 110 without STLS: the mail client is set to "SSL/TLS" where this port needs "STARTTLS"',
    );
  });
});

describe('ports outside the map', () => {
  it('sniffs * OK as IMAP, +OK as POP3 and anything else as unknown', () => {
    expect(run(script([['server', '* OK ready\r\n'], ['client', 'a LOGOUT\r\n']]), 1143).application).toBe('imap');
    expect(run(script([['server', '+OK ready\r\n'], ['client', 'QUIT\r\n']]), 1110).protocol).toBe('pop3');
    const web = run(script([['client', 'GET / HTTP/1.1\r\n\r\n'], ['server', 'HTTP/1.1 200 OK\r\n']]), 8080);
    expect(web).toMatchObject({ protocol: 'unknown', application: null, tlsMode: null, problem: null });
  });

  it('sniffs an SSLv2-compatible ClientHello as TLS', () => {
    const sslv2Hello = Buffer.from('802e0103010015000000100100800300800700c006004000400200800400800000', 'hex');
    const p = run(script([['client', sslv2Hello]]), 4433);
    expect(p).toMatchObject({ protocol: 'tls', tlsMode: 'implicit', tlsStart: { client: 0, server: null }, problem: null });
  });

  it('treats a --port tls port that greets in plaintext as a problem', () => {
    const option = parsePortOption('8465=tls');
    if (!option.ok) throw new Error(option.error);
    const ports = new Map([[option.port, option.assignment]]);
    const p = run(script([['server', '220 mx ESMTP\r\n'], ['client', CLIENT_HELLO]]), 8465, ports);
    expect(p).toMatchObject({ protocol: 'tls', application: 'smtp', tlsStart: { client: 0, server: null } });
    expect(p.problem).toMatch(/^server sent a plaintext banner on port 8465/);
  });

  it('uses --port entries: 2525=smtp is SMTP with STARTTLS', () => {
    const option = parsePortOption('2525=smtp');
    if (!option.ok) throw new Error(option.error);
    const ports = defaultPorts().set(option.port, option.assignment);
    const p = run(script([['server', '220 mx\r\n'], ['client', CLIENT_HELLO]]), 2525, ports);
    expect(p.problem).toBe(
      'client sent a TLS ClientHello on port 2525 without STARTTLS: the mail client is set to "SSL/TLS" where this port needs "STARTTLS"',
    );
  });
});

describe('bounds', () => {
  it('keeps at most 100 transcript lines and counts the rest', () => {
    const steps: [('client' | 'server'), string][] = [['server', '220 mx ESMTP\r\n']];
    for (let i = 0; i < 150; i++) steps.push(['client', 'NOOP\r\n'], ['server', '250 ok\r\n']);
    const p = run(script(steps), 25);
    expect(p.transcript).toHaveLength(100);
    expect(p.transcriptDropped).toBe(201);
  });

  it('survives a megabyte of binary junk without a line end', () => {
    const sniffer = new MailSniffer(25);
    const junk = Buffer.alloc(1 << 20, 0x41);
    for (let i = 0; i < 4; i++) expect(sniffer.push('client', junk, i * junk.length, i + 1, 0)).toBe(junk.length);
    const p = sniffer.result();
    expect(p.transcript).toHaveLength(1);
    expect(p.transcript[0].line).toHaveLength(200);
    expect(p.transcript[0].line.endsWith(' [no line end]')).toBe(true);
  });
});

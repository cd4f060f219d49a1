// ManageSieve (RFC 5804) dialogues: what Dovecot Pigeonhole says on 4190 (its greeting copied from
// captures/sieve-lmtp-starttls.pcap), a refusal, a server without STARTTLS, credentials, literals, and a greeting
// recognised on a port of no known role.
import { describe, expect, it } from 'vitest';
import { defaultPorts, parsePortOption } from '../../src/mail/ports.js';
import type { MailPhase } from '../../src/mail/types.js';
import { CHUNKINGS, loadFixture, replayEveryChunking as run, script } from './replay.js';

const lab465 = loadFixture('lab-good-465').connections[0].chunks;
const CLIENT_HELLO = lab465.find((c) => c.from === 'client')!.data;
const SERVER_HELLO = lab465.find((c) => c.from === 'server')!.data;

const GREETING = [
  '"IMPLEMENTATION" "Dovecot Pigeonhole"',
  '"SIEVE" "fileinto reject envelope encoded-character vacation subaddress comparator-i;ascii-numeric relational regex imap4flags copy include variables body enotify environment mailbox date index ihave duplicate mime foreverypart extracttext"',
  '"NOTIFY" "mailto"',
  '"SASL" ""',
  '"STARTTLS"',
  '"VERSION" "1.0"',
  'OK "Dovecot ready."',
];
const greeting = (lines = GREETING) => lines.map((l) => `${l}\r\n`).join('');
const lines = (p: MailPhase) => p.transcript.map((t) => `${t.from === 'client' ? 'C' : 'S'}: ${t.line}`);

describe('ManageSieve', () => {
  it('reads Dovecot\'s offer, the STARTTLS and its OK, and places TLS right after them', () => {
    const p = run(
      script([
        ['server', greeting()],
        ['client', 'STARTTLS\r\n'],
        ['server', 'OK "Begin TLS negotiation now."\r\n'],
        ['client', CLIENT_HELLO],
        ['server', SERVER_HELLO],
      ]),
      4190,
    );
    expect(p).toMatchObject({
      protocol: 'managesieve-starttls',
      application: 'managesieve',
      tlsMode: 'starttls',
      serverOffered: true,
      clientAsked: true,
      serverReply: 'OK "Begin TLS negotiation now."',
      accepted: true,
      problem: null,
    });
    const plain = Buffer.byteLength(greeting());
    expect(p.tlsStart).toEqual({ client: 'STARTTLS\r\n'.length, server: plain + 'OK "Begin TLS negotiation now."\r\n'.length });
  });

  it('reports a refusal (NO) and a server that does not list STARTTLS', () => {
    const refused = run(script([['server', greeting()], ['client', 'STARTTLS\r\n'], ['server', 'NO "TLS support isn\'t enabled."\r\n'], ['client', 'LOGOUT\r\n'], ['server', 'OK "Logout completed."\r\n']]), 4190);
    expect(refused).toMatchObject({ protocol: 'managesieve-starttls', tlsMode: null, accepted: false, problem: 'server refused STARTTLS: NO "TLS support isn\'t enabled."' });
    const notOffered = run(script([['server', greeting(GREETING.filter((l) => l !== '"STARTTLS"'))], ['client', 'LOGOUT\r\n'], ['server', 'OK "Logout completed."\r\n']]), 4190);
    expect(notOffered).toMatchObject({ protocol: 'managesieve', serverOffered: false, clientAsked: false, problem: 'server did not offer STARTTLS' });
  });

  it('hides the SASL initial response and every response line of an AUTHENTICATE, keeps the mechanism', () => {
    const p = run(
      script([
        ['server', greeting()],
        ['client', 'AUTHENTICATE "PLAIN" "AGFsaWNlAHNlY3JldA=="\r\n'],
        ['server', 'NO "Authentication failed."\r\n'],
        ['client', 'AUTHENTICATE "LOGIN"\r\n'],
        ['server', '"VXNlcm5hbWU6"\r\n'],
        ['client', '"YWxpY2U="\r\n'],
        ['server', '"UGFzc3dvcmQ6"\r\n'],
        ['client', '"c2VjcmV0"\r\n'],
        ['server', 'OK "Logged in."\r\n'],
        ['client', 'LISTSCRIPTS\r\n'],
        ['server', 'OK "Listscripts completed."\r\n'],
      ]),
      4190,
    );
    const shown = lines(p).join('\n');
    expect(shown).not.toMatch(/AGFsaWNl|YWxpY2U|c2VjcmV0/);
    expect(lines(p).filter((l) => l.startsWith('C: '))).toEqual(['C: AUTHENTICATE "PLAIN" <redacted>', 'C: AUTHENTICATE "LOGIN"', 'C: <redacted>', 'C: <redacted>', 'C: LISTSCRIPTS']);
    expect(p.problem).toBe('client never asked for STARTTLS');
  });

  it('skips a literal\'s bytes on both sides (PUTSCRIPT, GETSCRIPT): a line inside is no answer', () => {
    const script1 = 'require "fileinto";\r\nOK "not an answer"\r\nSTARTTLS\r\n';
    const p = run(
      script([
        ['server', greeting()],
        ['client', `PUTSCRIPT "s" {${script1.length}+}\r\n${script1}\r\n`],
        ['server', 'OK "Putscript completed."\r\n'],
        ['client', 'GETSCRIPT "s"\r\n'],
        ['server', `{${script1.length}}\r\n${script1}\r\nOK "Getscript completed."\r\n`],
        ['client', 'STARTTLS\r\n'],
        ['server', 'NO "later"\r\n'],
      ]),
      4190,
    );
    // Had the literal been read as lines, its STARTTLS would be the client's request and its OK the answer.
    expect(p).toMatchObject({ clientAsked: true, accepted: false, serverReply: 'NO "later"' });
  });

  it('knows the greeting on a port of no role, and `--port N=sieve` gives a port the role', () => {
    const chunks = script([['server', greeting()], ['client', 'STARTTLS\r\n'], ['server', 'OK "Begin TLS negotiation now."\r\n'], ['client', CLIENT_HELLO]]);
    // The greeting names the protocol: with all client bytes fed before the server's ('sides'), there is none to go by.
    expect(run(chunks, 14190, defaultPorts(), CHUNKINGS.filter((c) => c !== 'sides'))).toMatchObject({ protocol: 'managesieve-starttls', application: 'managesieve', serverOffered: true, accepted: true });
    const option = parsePortOption('14190=sieve');
    expect(option).toEqual({ ok: true, port: 14190, assignment: { app: 'managesieve', implicitTls: false, protocol: 'managesieve-starttls' } });
    const ports = defaultPorts();
    if (option.ok) ports.set(option.port, option.assignment);
    expect(run(chunks, 14190, ports)).toMatchObject({ protocol: 'managesieve-starttls', tlsMode: 'starttls' });
    expect(defaultPorts().get(4190)).toEqual({ app: 'managesieve', implicitTls: false, protocol: 'managesieve-starttls' });
  });
});

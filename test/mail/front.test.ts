// What comes before a connection's own protocol (issue 19): PROXY protocol headers, and the carriers that hand
// on to TLS (SOCKS, MySQL, PostgreSQL). Each dialogue is replayed in every chunking (one segment each, coalesced,
// byte by byte, odd pieces, one side then the other) and must read the same. The TLS bytes are real: the first
// bytes of a ClientHello and a ServerHello from the lab's implicit-TLS capture.
import { describe, expect, it } from 'vitest';
import { ProxyHeaderReader } from '../../src/mail/proxy-header.js';
import { defaultPorts } from '../../src/mail/ports.js';
import type { MailPhase } from '../../src/mail/types.js';
import { CHUNKINGS, type Chunk, loadFixture, replayEveryChunking, script } from './replay.js';

const run = (chunks: Chunk[], port: number, chunkings = CHUNKINGS) => replayEveryChunking(chunks, port, defaultPorts(), chunkings);

const lab465 = loadFixture('lab-good-465').connections[0].chunks;
const CLIENT_HELLO = lab465.find((c) => c.from === 'client')!.data;
const SERVER_HELLO = lab465.find((c) => c.from === 'server')!.data;

const V2_SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');
const tlv = (type: number, value: string | Buffer) => {
  const v = typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
  return Buffer.concat([Buffer.from([type, v.length >> 8, v.length & 0xff]), v]);
};
function v2(verCmd: number, family: number, body: Buffer, length = body.length): Buffer {
  return Buffer.concat([V2_SIGNATURE, Buffer.from([verCmd, family, length >> 8, length & 0xff]), body]);
}
const inet = (src: number[], dst: number[], sport: number, dport: number) =>
  Buffer.concat([Buffer.from(src), Buffer.from(dst), Buffer.from([sport >> 8, sport & 0xff, dport >> 8, dport & 0xff])]);


/** One header read in one piece and byte by byte: the same result, and where it said the header ended. */
function readHeader(bytes: Buffer, version: 1 | 2): { reader: ProxyHeaderReader; end: number } {
  const whole = new ProxyHeaderReader(version);
  const tail = Buffer.from('EHLO x\r\n');
  const end = whole.push(Buffer.concat([bytes, tail]), 0);
  const byByte = new ProxyHeaderReader(version);
  let consumed = 0;
  for (let i = 0; i < bytes.length && !byByte.done; i++) if (byByte.push(bytes.subarray(i, i + 1), 0) === 1) consumed++;
  expect(byByte.header).toEqual(whole.header);
  expect(byByte.problem).toEqual(whole.problem);
  expect(consumed).toBe(Math.min(end, bytes.length));
  return { reader: whole, end };
}

describe('PROXY protocol headers', () => {
  it('reads version 1 for TCP4, TCP6 (written the way the capture writes addresses) and UNKNOWN', () => {
    const tcp4 = readHeader(Buffer.from('PROXY TCP4 192.0.2.10 10.0.0.1 51000 25\r\n'), 1);
    expect(tcp4.end).toBe(41);
    expect(tcp4.reader.header).toEqual({ version: 1, command: 'proxy', family: 'tcp4', source: { ip: '192.0.2.10', port: 51000 }, destination: { ip: '10.0.0.1', port: 25 }, tlvs: {}, length: 41 });
    const tcp6 = readHeader(Buffer.from('PROXY TCP6 2001:DB8:0:0::A 2001:db8::1 51001 465\r\n'), 1);
    expect(tcp6.reader.header?.source).toEqual({ ip: '2001:db8::a', port: 51001 });
    const unknown = readHeader(Buffer.from('PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n'), 1);
    expect(unknown.reader.header).toMatchObject({ command: 'unknown', source: null });
    expect(unknown.reader.problem).toBeNull();
  });

  it('reads version 2: PROXY over INET and INET6, LOCAL, and the TLVs HAProxy and the clouds send', () => {
    const ssl = Buffer.concat([Buffer.from([0x05, 0, 0, 0, 0]), tlv(0x21, 'TLSv1.3'), tlv(0x22, 'client.example.org'), tlv(0x23, 'TLS_AES_128_GCM_SHA256')]);
    const body = Buffer.concat([inet([192, 0, 2, 12], [10, 0, 0, 1], 51002, 993), tlv(0x01, 'imap'), tlv(0x02, 'mail.example.net'), tlv(0x05, Buffer.from('f00dfeed', 'hex')), tlv(0x20, ssl), tlv(0x04, Buffer.alloc(2)), tlv(0xea, 'vpce-0abc'), tlv(0xe0, Buffer.from([1, 2]))]);
    const { reader, end } = readHeader(v2(0x21, 0x11, body), 2);
    expect(end).toBe(16 + body.length);
    expect(reader.problem).toBeNull();
    expect(reader.header).toEqual({
      version: 2,
      command: 'proxy',
      family: 'inet/stream',
      source: { ip: '192.0.2.12', port: 51002 },
      destination: { ip: '10.0.0.1', port: 993 },
      tlvs: {
        alpn: 'imap',
        authority: 'mail.example.net',
        uniqueId: 'f00dfeed',
        ssl: { tls: true, clientCertificate: true, verify: 0, version: 'TLSv1.3', cn: 'client.example.org', cipher: 'TLS_AES_128_GCM_SHA256' },
        other: [{ type: 0xea, value: 'vpce-0abc' }, { type: 0xe0, value: '0102' }],
      },
      length: end,
    });
    const six = Buffer.alloc(36);
    six.writeUInt16BE(0x2001, 0);
    six.writeUInt16BE(0x0db8, 2);
    six[15] = 0x0d;
    six.writeUInt16BE(0x2001, 16);
    six.writeUInt16BE(0x0db8, 18);
    six[31] = 1;
    six.writeUInt16BE(51003, 32);
    six.writeUInt16BE(25, 34);
    expect(readHeader(v2(0x21, 0x21, six), 2).reader.header).toMatchObject({ family: 'inet6/stream', source: { ip: '2001:db8::d', port: 51003 }, destination: { ip: '2001:db8::1', port: 25 } });
    // LOCAL: the balancer's own connection (a health check); its addresses are not the client's.
    expect(readHeader(v2(0x20, 0x11, inet([192, 0, 2, 16], [10, 0, 0, 1], 1, 25)), 2).reader.header).toMatchObject({ command: 'local', source: null });
  });

  it('says what is wrong with a broken header, and where it ended, without throwing', () => {
    const cases: [Buffer, 1 | 2, RegExp, number][] = [
      [Buffer.from('PROXY TCP4 999.0.2.9 10.0.0.1 51009 25\r\n'), 1, /"999\.0\.2\.9" where an IPv4 address belongs/, 40],
      [Buffer.from('PROXY TCP4 192.0.2.9 10.0.0.1 051009 25\r\n'), 1, /where a port/, 41],
      [Buffer.from('PROXY UDP4 192.0.2.9 10.0.0.1 1 25\r\n'), 1, /names protocol "UDP4"/, 36],
      [Buffer.from('PROXY TCP4 192.0.2.9 10.0.0.1 1 25\n'), 1, /bare LF/, 35],
      [Buffer.from(`PROXY TCP4 ${'9'.repeat(120)}`), 1, /without its line end in 107 bytes/, 107],
      [v2(0x31, 0x11, inet([192, 0, 2, 21], [10, 0, 0, 1], 1, 25)), 2, /version 3, not 2/, 28],
      [v2(0x22, 0x11, inet([192, 0, 2, 21], [10, 0, 0, 1], 1, 25)), 2, /command 2/, 28],
      [v2(0x21, 0x51, inet([192, 0, 2, 23], [10, 0, 0, 1], 1, 25)), 2, /family\/transport byte 0x51/, 28],
      [v2(0x21, 0x21, inet([192, 0, 2, 23], [10, 0, 0, 1], 1, 25)), 2, /too short for a inet6 address block/, 28],
      [v2(0x21, 0x11, Buffer.concat([inet([192, 0, 2, 22], [10, 0, 0, 1], 1, 25), Buffer.from([0x02, 0x00, 0x40]), Buffer.from('short')])), 2, /claims 64 bytes, past the header's end/, 36],
      [v2(0x21, 0x31, Buffer.alloc(216)), 2, /unix address, not an IP one/, 232],
    ];
    for (const [bytes, version, problem, end] of cases) {
      const { reader, end: at } = readHeader(bytes, version);
      expect(reader.problem, bytes.toString('latin1')).toMatch(problem);
      expect(at, bytes.toString('latin1')).toBe(end);
    }
    const cut = new ProxyHeaderReader(2);
    expect(cut.push(v2(0x21, 0x11, inet([1, 2, 3, 4], [5, 6, 7, 8], 1, 2), 4096), 0)).toBe(28);
    cut.truncated('no more of it was captured');
    expect(cut.problem).toBe('PROXY protocol v2 header cut short after 28 of 4112 bytes (no more of it was captured): the announced client is unknown');
  });
});

describe('the mail sniffer behind a PROXY header', () => {
  it('reads the SMTP dialogue and STARTTLS after a v1 header as without it, in every chunking', () => {
    const header = 'PROXY TCP4 192.0.2.10 10.0.0.1 51000 25\r\n';
    const p = run(
      script([
        ['client', header],
        ['server', '220 mx.example.org ESMTP\r\n'],
        ['client', 'EHLO client.example\r\n'],
        ['server', '250-mx.example.org\r\n250 STARTTLS\r\n'],
        ['client', 'STARTTLS\r\n'],
        ['server', '220 2.0.0 Ready to start TLS\r\n'],
        ['client', CLIENT_HELLO],
        ['server', SERVER_HELLO],
      ]),
      25,
    );
    expect(p.protocol).toBe('smtp-starttls');
    expect(p.tlsMode).toBe('starttls');
    expect(p.accepted).toBe(true);
    expect(p.problem).toBeNull();
    expect(p.proxy?.source).toEqual({ ip: '192.0.2.10', port: 51000 });
    expect(p.tlsStart.client).toBe(header.length + 'EHLO client.example\r\nSTARTTLS\r\n'.length);
    expect(p.transcript[0]).toMatchObject({ from: 'client', line: '[PROXY v1 proxy tcp4 192.0.2.10:51000 -> 10.0.0.1:25]' });
  });

  it('finds implicit TLS right after a v2 header in the same segment', () => {
    const header = v2(0x21, 0x11, Buffer.concat([inet([192, 0, 2, 12], [10, 0, 0, 1], 51002, 465), tlv(0x05, 'abc')]));
    const p = run(script([['client', Buffer.concat([header, CLIENT_HELLO])], ['server', SERVER_HELLO]]), 465);
    expect(p.protocol).toBe('smtps');
    expect(p.tlsStart).toEqual({ client: header.length, server: 0 });
    expect(p.pushed).toEqual({ client: header.length, server: 0 });
    expect(p.proxy?.tlvs).toEqual({ uniqueId: 'abc' });
  });

  it('takes the role of the port the header announces when the server port has none (10025 behind 25)', () => {
    const p = run(script([['client', 'PROXY TCP4 192.0.2.10 10.0.0.1 51000 465\r\n'], ['client', CLIENT_HELLO], ['server', SERVER_HELLO]]), 10465);
    expect(p.protocol).toBe('smtps');
    expect(p.application).toBe('smtp');
  });

  it('keeps a broken header as a note and reads on', () => {
    const p = run(script([['client', 'PROXY TCP4 999.0.2.9 10.0.0.1 1 25\r\n'], ['server', '220 mx ESMTP\r\n'], ['client', 'QUIT\r\n'], ['server', '221 bye\r\n']]), 25);
    expect(p.proxy).toBeUndefined();
    expect(p.notes).toEqual([expect.stringMatching(/^PROXY protocol v1 header "PROXY TCP4 999\.0\.2\.9 10\.0\.0\.1 1 25" has "999\.0\.2\.9"/)]);
    expect(p.application).toBe('smtp');
    expect(p.problem).toBe('client never asked for STARTTLS');
  });

  it('notes a header the capture cut short', () => {
    const p = run(script([['client', v2(0x21, 0x11, inet([1, 2, 3, 4], [5, 6, 7, 8], 1, 25), 300)]]), 25);
    expect(p.notes).toEqual(['PROXY protocol v2 header cut short after 28 of 316 bytes (no more of it was captured): the announced client is unknown']);
  });

  it('does not take a text line that starts like a header for one', () => {
    const p = run(script([['server', '* OK ready\r\n'], ['client', 'P1 CAPABILITY\r\n'], ['server', '* CAPABILITY IMAP4rev1 STARTTLS\r\nP1 OK\r\n']]), 143);
    expect(p.proxy).toBeUndefined();
    expect(p.notes).toBeUndefined();
    expect(p.transcript.map((t) => t.line)).toEqual(['* OK ready', 'P1 CAPABILITY', '* CAPABILITY IMAP4rev1 STARTTLS', 'P1 OK']);
  });
});

describe('carriers that hand on to TLS', () => {
  it('SOCKS5 with a username and password: CONNECT, then TLS; the password is never shown', () => {
    const p = run(
      script([
        ['client', Buffer.from([5, 2, 0, 2])],
        ['server', Buffer.from([5, 2])],
        ['client', Buffer.concat([Buffer.from([1, 5]), Buffer.from('alice'), Buffer.from([6]), Buffer.from('secret')])],
        ['server', Buffer.from([1, 0])],
        ['client', Buffer.concat([Buffer.from([5, 1, 0, 3, 16]), Buffer.from('mail.example.org'), Buffer.from([0x01, 0xd1])])],
        ['server', Buffer.from([5, 0, 0, 1, 10, 0, 0, 1, 0x04, 0x38])],
        ['client', CLIENT_HELLO],
        ['server', SERVER_HELLO],
      ]),
      1080,
    );
    expect(p.protocol).toBe('socks');
    expect(p.tlsMode).toBe('implicit');
    expect(p.tlsStart).toEqual({ client: 4 + 14 + 23, server: 2 + 2 + 10 });
    expect(p).toMatchObject({ clientAsked: true, accepted: true, serverReply: 'succeeded', problem: null });
    const text = p.transcript.map((t) => t.line).join('\n');
    expect(text).toContain('[SOCKS5 CONNECT mail.example.org:465]');
    expect(text).not.toContain('secret');
    expect(text).not.toContain('alice');
  });

  it('SOCKS4a names the host; SOCKS4 an address; a refusal means no TLS', () => {
    const socks4a = run(script([['client', Buffer.concat([Buffer.from([4, 1, 0x01, 0xbb, 0, 0, 0, 1]), Buffer.from('bob\0example.net\0')])], ['server', Buffer.from([0, 90, 0, 0, 0, 0, 0, 0])], ['client', CLIENT_HELLO], ['server', SERVER_HELLO]]), 1080);
    expect(socks4a.protocol).toBe('socks');
    expect(socks4a.tlsStart).toEqual({ client: 24, server: 8 });
    expect(socks4a.transcript[0]!.line).toBe('[SOCKS4a CONNECT example.net:443]');
    const refused = run(script([['client', Buffer.from([4, 1, 0, 25, 10, 0, 0, 1, 0])], ['server', Buffer.from([0, 91, 0, 0, 0, 0, 0, 0])]]), 1080);
    expect(refused).toMatchObject({ protocol: 'socks', tlsMode: null, accepted: false, serverReply: 'rejected or failed' });
    expect(refused.transcript[0]!.line).toBe('[SOCKS4 CONNECT 10.0.0.1:25]');
  });

  it('PostgreSQL: SSLRequest answered S is followed by TLS; answered N by no TLS', () => {
    const request = Buffer.from('0000000804d2162f', 'hex');
    const yes = run(script([['client', request], ['server', 'S'], ['client', CLIENT_HELLO], ['server', SERVER_HELLO]]), 5432);
    expect(yes).toMatchObject({ protocol: 'postgresql', tlsMode: 'starttls', clientAsked: true, accepted: true, serverReply: 'S', problem: null });
    expect(yes.tlsStart).toEqual({ client: 8, server: 1 });
    const startup = Buffer.from('0000000800030000', 'hex');
    const no = run(script([['client', request], ['server', 'N'], ['client', startup], ['server', Buffer.from('R\x00\x00\x00\x08\x00\x00\x00\x00', 'latin1')]]), 5432);
    expect(no).toMatchObject({ protocol: 'postgresql', tlsMode: null, accepted: false, serverReply: 'N' });
  });

  it('MySQL: the greeting offers TLS, the SSL request takes it; a plaintext login is not read', () => {
    const version = Buffer.from('8.0.36\0');
    const payload = Buffer.concat([Buffer.from([10]), version, Buffer.alloc(4), Buffer.alloc(8, 0x41), Buffer.from([0]), Buffer.from([0xff, 0xff]), Buffer.alloc(30)]);
    const greeting = Buffer.concat([Buffer.from([payload.length, 0, 0, 0]), payload]);
    const sslRequest = Buffer.concat([Buffer.from([32, 0, 0, 1]), Buffer.from([0x0d, 0xaa, 0x0f, 0x00]), Buffer.alloc(28)]);
    // The server speaks first: with all client bytes fed before the server's ('sides'), there is no greeting to go by.
    const chunkings = CHUNKINGS.filter((c) => c !== 'sides');
    const tls = run(script([['server', greeting], ['client', sslRequest], ['client', CLIENT_HELLO], ['server', SERVER_HELLO]]), 3306, chunkings);
    expect(tls).toMatchObject({ protocol: 'mysql', tlsMode: 'starttls', serverOffered: true, clientAsked: true, problem: null });
    expect(tls.tlsStart).toEqual({ client: 36, server: greeting.length });
    expect(tls.transcript[0]!.line).toBe('[MySQL greeting, server 8.0.36, TLS offered]');
    const login = Buffer.concat([Buffer.from([40, 0, 0, 1]), Buffer.from([0x05, 0xa2, 0x0f, 0x00]), Buffer.alloc(36, 0x16)]);
    const plain = run(script([['server', greeting], ['client', login], ['server', Buffer.from([7, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0])]]), 3306, chunkings);
    expect(plain).toMatchObject({ protocol: 'mysql', tlsMode: null, clientAsked: false });
  });

  it('leaves binary protocols that only start like one alone', () => {
    // 0x05 then a method count of 0: not a SOCKS5 greeting.
    const p = run(script([['client', Buffer.from([5, 0, 1, 2, 3, 10])], ['server', Buffer.from([9, 9, 10])]]), 7000);
    expect(p.protocol).toBe('unknown');
    expect(p.transcript.some((t) => t.line.startsWith('[SOCKS'))).toBe(false);
  });
});

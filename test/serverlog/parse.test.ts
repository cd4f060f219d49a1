import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalIp } from '../../src/serverlog/address.js';
import { parseLogLine } from '../../src/serverlog/parse.js';
import { parseZone, toRealSeconds, YearTracker } from '../../src/serverlog/time.js';

const parse = (line: string, year = 2026) => parseLogLine('mail.log', 7, line, new YearTracker(year, null));
const utc = (s: string) => Date.parse(s) / 1000;

describe('log line headers', () => {
  it('RFC 3164 / Postfix maillog_file: no year (supplied), no zone (kept as wall clock)', () => {
    const { entry, format } = parse('Nov 28 11:57:56 mail postfix/smtpd[26560]: connect from unknown[10.77.0.100]:50648');
    expect(format).toBe('rfc3164');
    expect(entry).toMatchObject({
      file: 'mail.log', lineNumber: 7, host: 'mail', program: 'postfix/smtpd', pid: 26560, service: 'smtpd', daemon: 'postfix',
      message: 'connect from unknown[10.77.0.100]:50648', event: 'connect', client: { ip: '10.77.0.100', port: 50648 },
    });
    expect(entry.time).toEqual({ seconds: utc('2026-11-28T11:57:56Z'), zoned: false, yearSupplied: true, resolution: 1 });
  });

  it('RFC 3164 with a priority, a one-digit day and no host tag pid', () => {
    const { entry } = parse('<22>Dec  3 01:02:03 mx1 postfix/master: daemon started');
    expect(entry.time!.seconds).toBe(utc('2026-12-03T01:02:03Z'));
    expect(entry).toMatchObject({ host: 'mx1', program: 'postfix/master', pid: null, service: 'master', message: 'daemon started' });
  });

  it('RFC 5424 with structured data and a BOM', () => {
    const { entry, format } = parse('<22>1 2026-11-28T12:57:56.123456+01:00 mail postfix/smtpd 26560 - [meta sequenceId="1" x="a\\]b"] \uFEFFdisconnect from unknown[10.77.0.100]:50648 commands=1/2');
    expect(format).toBe('rfc5424');
    expect(entry.time).toMatchObject({ zoned: true, resolution: 0.000001 });
    expect(entry.time!.seconds).toBeCloseTo(utc('2026-11-28T11:57:56Z') + 0.123456, 5);
    expect(entry).toMatchObject({ host: 'mail', program: 'postfix/smtpd', pid: 26560, event: 'disconnect', message: 'disconnect from unknown[10.77.0.100]:50648 commands=1/2' });
  });

  it('RFC 5424 with nil values', () => {
    const { entry } = parse('<13>1 2026-11-28T11:57:56Z - dovecot - - - imap-login: Disconnected (no auth attempts in 0 secs): user=<>, rip=10.0.0.5, lip=10.0.0.1, TLS handshaking: Connection closed');
    expect(entry).toMatchObject({ host: null, program: 'dovecot', pid: null, service: 'imap-login', client: { ip: '10.0.0.5', port: null }, server: { ip: '10.0.0.1', port: null } });
  });

  it('journalctl -o short-iso and short-iso-precise, rsyslog RFC 3339', () => {
    for (const [line, at] of [
      ['2026-11-28T12:57:56+0100 mail postfix/smtpd[26560]: lost connection after STARTTLS from unknown[10.77.0.100]:50648', '2026-11-28T11:57:56Z'],
      ['2026-11-28T12:57:56.250000+01:00 mail postfix/smtpd[26560]: lost connection after STARTTLS from unknown[10.77.0.100]:50648', '2026-11-28T11:57:56.25Z'],
      ['2026-11-28T11:57:56Z mail postfix/smtpd[26560]: lost connection after STARTTLS from unknown[10.77.0.100]:50648', '2026-11-28T11:57:56Z'],
    ] as const) {
      const { entry, format } = parse(line);
      expect(format).toBe('iso');
      expect(entry.time!.zoned).toBe(true);
      expect(entry.time!.seconds).toBeCloseTo(utc(at), 5);
      expect(entry.client).toEqual({ ip: '10.77.0.100', port: 50648 });
    }
  });

  it("Dovecot's own log_path file: no host, level after the service", () => {
    const { entry } = parse('2026-11-28 11:57:59 imap-login: Info: Disconnected: Connection closed (no auth attempts in 0 secs): user=<>, rip=10.77.0.100, rport=56952, lip=10.77.0.1, lport=993, TLS handshaking: Connection closed, session=<LsNd41RheN4KTQBk>');
    expect(entry).toMatchObject({
      host: null, program: 'imap-login', daemon: 'dovecot', service: 'imap-login', level: 'Info',
      client: { ip: '10.77.0.100', port: 56952 }, server: { ip: '10.77.0.1', port: 993 }, session: 'LsNd41RheN4KTQBk',
    });
    expect(entry.time).toMatchObject({ zoned: false, yearSupplied: false });
    expect(parse('Nov 28 11:57:59 pop3-login: Debug: SSL: where=0x10, ret=1: before SSL initialization').entry).toMatchObject({ host: null, service: 'pop3-login', level: 'Debug', event: 'tls-start', client: null });
  });

  it('Dovecot through syslog: `dovecot[pid]: service: …`, mail processes with their session id', () => {
    expect(parse('Nov 28 11:57:59 mail dovecot[812]: imap-login: Login: user=<a@b>, method=PLAIN, rip=2001:db8::5, lip=2001:db8::1, mpid=4711, TLS, session=<abcDEF>').entry).toMatchObject({
      program: 'dovecot', pid: 812, service: 'imap-login', client: { ip: '2001:db8::5', port: null }, session: 'abcDEF',
    });
    expect(parse('Nov 28 11:58:30 mail dovecot: imap(a@b)<4711><abcDEF>: Logged out in=12 out=345').entry).toMatchObject({ service: 'imap', session: 'abcDEF', client: null });
    // Dovecot 2.2's verbose_ssl lines end with the client address.
    expect(parse('Nov 28 11:57:59 mail dovecot: imap-login: Warning: SSL: where=0x2002, ret=-1: SSLv3 read client hello A [10.0.0.5]').entry).toMatchObject({ level: 'Warning', client: { ip: '10.0.0.5', port: null } });
  });

  it('Postfix: postscreen names client and server, tlsmgr and smtpd the session-cache key, master the child pid', () => {
    expect(parse('Nov 28 11:57:56 mail postfix/postscreen[100]: CONNECT from [10.77.0.100]:50648 to [10.77.0.1]:25').entry).toMatchObject({
      service: 'postscreen', client: { ip: '10.77.0.100', port: 50648 }, server: { ip: '10.77.0.1', port: 25 }, event: 'other',
    });
    const key = 'BCA60EDD565ED0549BB717F7AED28B4DE1FDF673480959DB80B6BDBF1304A892&s=10.77.0.1:25&l=805306720';
    expect(parse(`Nov 28 11:57:08 mail postfix/smtpd[26560]: unknown[10.77.0.100]:30096: save session ${key} to smtpd cache`).entry.session).toBe(key);
    expect(parse(`Nov 28 11:57:08 mail postfix/tlsmgr[26573]: put smtpd session id=${key} [data 141 bytes]`).entry).toMatchObject({ session: key, client: null });
    expect(parse(`Nov 28 11:57:08 mail postfix/tlsmgr[26573]: write smtpd TLS cache entry ${key}: time=1795867028 [data 141 bytes]`).entry.session).toBe(key);
    expect(parse('Nov 28 11:57:08 mail postfix/master[1]: warning: process /usr/lib/postfix/sbin/smtpd pid 26560 killed by signal 11').entry.aboutPid).toBe(26560);
    // smtp (the client side) names servers in brackets: not clients.
    expect(parse('Nov 28 11:57:08 mail postfix/smtp[300]: ABC: to=<a@b>, relay=mx.example[192.0.2.1]:25, status=sent').entry.client).toBeNull();
    expect(parse('Nov 28 11:57:08 mail postfix/smtpd[26560]: NOQUEUE: reject: RCPT from mx.example.com[2001:DB8:0:0::7]:4711: 554 5.7.1').entry.client).toEqual({ ip: '2001:db8::7', port: 4711 });
    expect(parse('Nov 28 11:57:08 mail postfix/smtpd[26560]: SSL_accept:error in SSLv3/TLS write server done').entry.client).toBeNull();
  });

  it('keeps anything else as an unrecognised line, never throws', () => {
    for (const line of ['', 'hello', '-- Boot 1234 --', '<999>Nov 28 11:57:56 x y: z', 'Foo 28 11:57:56 mail x: y', '2026-13-45 99:99:99 x: y', '<22>1 - - - - - -', '\u0000\uffff']) {
      const { entry, format } = parse(line);
      expect(format).toBeNull();
      expect(entry.time).toBeNull();
      expect(entry.line).toBe(line);
    }
  });
});

describe('any text', () => {
  it('parses without throwing, keeps the line, and bounds it', () => {
    const pieces = fc.constantFrom('<22>', '1 ', 'Nov 28 11:57:07 ', '2026-11-28T11:57:07+01:00 ', 'mail ', 'postfix/smtpd[1]: ', 'dovecot: ', 'imap-login: ', 'Info: ', 'rip=', 'rport=', '[10.0.0.1]:25', 'unknown[', ']:', 'connect from ', '&s=', 'SSL: where=0x10', ' ', ':', '[', ']', '\uFEFF', '-');
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string({ maxLength: 8 })), { maxLength: 20 }), (parts) => {
        const line = parts.join('');
        const { entry } = parse(line);
        expect(entry.line).toBe(line.slice(0, 8192));
        if (entry.client) expect(entry.client.port === null || (entry.client.port >= 0 && entry.client.port <= 65535)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('years and zones', () => {
  it('guesses the year from the reference time, wraps at New Year', () => {
    const years = new YearTracker(null, utc('2027-01-01T00:30:00Z'));
    expect(years.yearFor(12, 31)).toBe(2026);
    expect(years.yearFor(12, 31)).toBe(2026);
    expect(years.yearFor(1, 1)).toBe(2027);
    expect(new YearTracker(null, utc('2026-11-28T12:00:00Z')).yearFor(11, 28)).toBe(2026);
    expect(new YearTracker(2020, utc('2026-11-28T12:00:00Z')).yearFor(11, 28)).toBe(2020);
  });

  it('places wall-clock times in a zone, daylight saving time included', () => {
    const wall = utc('2026-07-01T12:00:00Z');
    const berlin = parseZone('Europe/Berlin');
    expect('error' in berlin).toBe(false);
    if ('error' in berlin) return;
    expect(toRealSeconds(wall, berlin)).toBe(utc('2026-07-01T10:00:00Z'));
    expect(toRealSeconds(utc('2026-11-28T12:00:00Z'), berlin)).toBe(utc('2026-11-28T11:00:00Z'));
    const fixed = parseZone('-05:30');
    if ('error' in fixed) throw new Error(fixed.error);
    expect(toRealSeconds(wall, fixed)).toBe(utc('2026-07-01T17:30:00Z'));
    expect(parseZone('UTC')).toMatchObject({ kind: 'fixed', offset: 0 });
    expect(parseZone('Mars/Olympus')).toHaveProperty('error');
    expect(parseZone('+15:00')).toHaveProperty('error');
  });
});

describe('addresses', () => {
  it('canonical text, as the capture writes it', () => {
    expect(canonicalIp('010.077.000.100')).toBe('10.77.0.100');
    expect(canonicalIp('IPv6:2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(canonicalIp('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(canonicalIp('fe80::1%eth0')).toBe('fe80::1');
    expect(canonicalIp('2001:db8:0:1:0:0:1:1')).toBe('2001:db8:0:1::1:1');
    expect(canonicalIp('1:0:0:2:0:0:0:3')).toBe('1:0:0:2::3');
    for (const bad of ['256.1.1.1', '1.2.3', 'unknown', '1::2::3', '12345::', ':::']) expect(canonicalIp(bad)).toBeNull();
  });
});

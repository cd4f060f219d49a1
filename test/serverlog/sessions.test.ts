import { describe, expect, it } from 'vitest';
import { parseLogLine } from '../../src/serverlog/parse.js';
import { LogSessionBuilder } from '../../src/serverlog/sessions.js';
import { YearTracker } from '../../src/serverlog/time.js';
import type { LogSession, LooseReason } from '../../src/serverlog/types.js';

/** Group `lines` and describe the result: `S <client> <line numbers with link initials>` / `L <reason> <line number>`. */
function group(lines: string[]): string[] {
  const years = new YearTracker(2026, null);
  const out: { first: number; text: string }[] = [];
  const describe = (s: LogSession) => `S ${s.kind} ${s.client.ip}:${s.client.port ?? '-'} ${s.lines.map((l) => `${l.entry.lineNumber}${l.link[0]}`).join(',')}${s.closed ? '' : ' open'}`;
  const builder = new LogSessionBuilder({
    session: (s) => out.push({ first: s.lines[0]!.entry.lineNumber, text: describe(s) }),
    loose: (e, reason: LooseReason) => out.push({ first: e.lineNumber, text: `L ${reason} ${e.lineNumber}` }),
  });
  lines.forEach((l, i) => builder.push(parseLogLine('t.log', i + 1, l, years).entry));
  builder.finish();
  return out.sort((a, b) => a.first - b.first).map((x) => x.text);
}

const pf = (t: string, proc: string, msg: string) => `Nov 28 11:57:${t} mail postfix/${proc}: ${msg}`;
const dv = (t: string, service: string, msg: string) => `2026-11-28 11:57:${t} ${service}: ${msg}`;

describe('Postfix: one smtpd process, one client at a time', () => {
  it('follows each smtpd process from connect to disconnect, interleaved', () => {
    expect(
      group([
        pf('01', 'smtpd[10]', 'initializing the server-side TLS engine'),
        pf('01', 'smtpd[10]', 'connect from unknown[10.0.0.1]:1111'),
        pf('01', 'smtpd[20]', 'connect from mx.example[10.0.0.2]:2222'),
        pf('01', 'smtpd[10]', 'SSL_accept:before SSL initialization'),
        pf('01', 'smtpd[20]', 'SSL_accept:error in SSLv3/TLS write server done'),
        pf('01', 'smtpd[20]', 'SSL_accept error from mx.example[10.0.0.2]:2222: lost connection'),
        pf('02', 'smtpd[20]', 'disconnect from mx.example[10.0.0.2]:2222 ehlo=1 starttls=0/1 commands=1/2'),
        pf('02', 'smtpd[10]', 'disconnect from unknown[10.0.0.1]:1111'),
        pf('03', 'smtpd[10]', 'warning: something after the client left'),
        pf('03', 'qmgr[5]', 'ABCDEF: removed'),
      ]),
    ).toEqual([
      'S smtpd 10.0.0.1:1111 1p,2c,4p,8c',
      'S smtpd 10.0.0.2:2222 3c,5p,6c,7c',
      'L no-client 9',
      'L no-client 10',
    ]);
  });

  it('start-up lines go with the first connection only when written just before it', () => {
    expect(
      group([
        pf('01', 'smtpd[10]', 'warning: stale start-up line'),
        pf('05', 'smtpd[10]', 'initializing the server-side TLS engine'),
        pf('05', 'smtpd[10]', 'connect from unknown[10.0.0.1]:1111'),
        pf('05', 'smtpd[10]', 'disconnect from unknown[10.0.0.1]:1111'),
      ]),
    ).toEqual(['L no-client 1', 'S smtpd 10.0.0.1:1111 2p,3c,4c']);
  });

  it('tlsmgr lines follow the session-cache key, master lines the pid; other tlsmgr lines are server-wide', () => {
    const key = '0123456789ABCDEF0123456789ABCDEF&s=10.0.0.9:25&l=805306720';
    expect(
      group([
        pf('01', 'tlsmgr[7]', 'open smtpd TLS cache btree:/var/lib/postfix/smtpd_scache'),
        pf('01', 'smtpd[10]', 'connect from unknown[10.0.0.1]:1111'),
        pf('01', 'smtpd[10]', `unknown[10.0.0.1]:1111: save session ${key} to smtpd cache`),
        pf('01', 'tlsmgr[7]', `put smtpd session id=${key} [data 141 bytes]`),
        pf('01', 'smtpd[10]', 'disconnect from unknown[10.0.0.1]:1111'),
        pf('02', 'tlsmgr[7]', `write smtpd TLS cache entry ${key}: time=1 [data 141 bytes]`),
        pf('02', 'smtpd[11]', 'connect from unknown[10.0.0.1]:1112'),
        pf('02', 'master[1]', 'warning: process /usr/lib/postfix/sbin/smtpd pid 11 killed by signal 11'),
        pf('50', 'tlsmgr[7]', `lookup smtpd session id=${key}`),
      ]),
    ).toEqual([
      'L no-client 1',
      'S smtpd 10.0.0.1:1111 2c,3c,4s,5c,6s',
      'S smtpd 10.0.0.1:1112 7c,8m open',
      'L no-client 9',
    ]);
  });

  it('multi-client services (postscreen) give one-line groups', () => {
    expect(group([pf('01', 'postscreen[9]', 'CONNECT from [10.0.0.1]:1111 to [10.0.0.9]:25'), pf('01', 'postscreen[9]', 'PASS OLD [10.0.0.1]:1111')])).toEqual([
      'S line 10.0.0.1:1111 1c',
      'S line 10.0.0.1:1111 2c',
    ]);
  });
});

describe('Dovecot: login services name the client on the last line', () => {
  const ssl = (t: string, state: string, start = false) => dv(t, 'imap-login', `Debug: SSL: where=${start ? '0x10' : '0x2001'}, ret=1: ${state}`);
  const gone = (t: string, port: number, tls = 'TLS handshaking: Connection closed') => dv(t, 'imap-login', `Info: Disconnected: Connection closed (no auth attempts in 0 secs): user=<>, rip=10.0.0.1, rport=${port}, lip=10.0.0.9, lport=993, ${tls}, session=<s${port}>`);

  it('from the TLS start to the line with rip=, plus the teardown lines right after it', () => {
    expect(
      group([
        ssl('01', 'before SSL initialization', true),
        ssl('01', 'SSLv3/TLS write server done'),
        dv('01', 'imap-login', 'Debug: SSL error: Connection closed'),
        gone('01', 1111),
        dv('01', 'imap-login', 'Debug: SSL error: Connection closed'),
        dv('09', 'imap-login', 'Debug: SSL alert: close notify'),
        ssl('10', 'before SSL initialization', true),
        gone('10', 2222, 'TLS'),
        dv('10', 'pop3-login', 'Info: Disconnected (no auth attempts in 0 secs): user=<>, rip=10.0.0.1, rport=3333, lip=10.0.0.9, lport=110'),
      ]),
    ).toEqual(['S login 10.0.0.1:1111 1s,2s,3s,4c,5s', 'L no-client 6', 'S login 10.0.0.1:2222 7s,8c', 'S login 10.0.0.1:3333 9c']);
  });

  it('a connection without TLS does not take the TLS lines of another', () => {
    expect(group([ssl('01', 'before SSL initialization', true), dv('01', 'imap-login', 'Info: Disconnected (no auth attempts in 0 secs): user=<>, rip=10.0.0.2, rport=5555, lip=10.0.0.9, lport=143'), gone('01', 1111)])).toEqual([
      'S login 10.0.0.1:1111 1s,3c',
      'S login 10.0.0.2:5555 2c',
    ]);
  });

  it('overlapping handshakes cannot be told apart: client lines alone, the rest ambiguous', () => {
    expect(
      group([
        ssl('01', 'before SSL initialization', true),
        ssl('01', 'before SSL initialization', true),
        ssl('01', 'SSLv3/TLS write server done'),
        gone('01', 1111),
        ssl('01', 'SSLv3/TLS read client key exchange'),
        gone('02', 2222, 'TLS'),
        ssl('03', 'before SSL initialization', true),
        gone('03', 3333),
      ]),
    ).toEqual(['L ambiguous 1', 'L ambiguous 2', 'L ambiguous 3', 'S login 10.0.0.1:1111 4c', 'L ambiguous 5', 'S login 10.0.0.1:2222 6c', 'S login 10.0.0.1:3333 7s,8c']);
  });

  it('mail process lines follow the session id of the login line', () => {
    expect(
      group([
        dv('01', 'imap-login', 'Info: Login: user=<a@b>, method=PLAIN, rip=10.0.0.1, rport=1111, lip=10.0.0.9, lport=993, mpid=42, TLS, session=<XyZ>'),
        dv('30', 'imap(a@b)<42><XyZ>', 'Info: Logged out in=10 out=20'),
        dv('30', 'imap(c@d)<43><Other>', 'Info: Logged out in=10 out=20'),
      ]),
    ).toEqual(['S login 10.0.0.1:1111 1c', 'S line 10.0.0.1:1111 2s', 'L no-client 3']);
  });

  it('unrecognised lines are kept', () => {
    expect(group(['garbage', gone('01', 1111)])).toEqual(['L unrecognised 1', 'S login 10.0.0.1:1111 2c']);
  });
});

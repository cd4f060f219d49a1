/**
 * `--log`: the lab's Postfix and Dovecot logs joined to the lab captures, against captures/lab-truth.json, whose
 * `server_log` lists per connection the lines the servers wrote for it.
 *
 * The truth's lines are "those written between connect and 0.6 s after close": each connection's lines form one
 * contiguous block of its log file, and every line of both files is in exactly one block. Two of those lines are
 * not the connection's and we do not attach them (documented in the README and in src/serverlog/sessions.ts):
 * postfix lines 2 and 3, tlsmgr opening its session cache and starting a cache cleanup, server-wide work that
 * names no client and no session. The other tlsmgr lines in the truth (`put smtpd session id=…`, `write smtpd
 * TLS cache entry …`) store the TLS session the connection's smtpd just saved: they are attached, by that key.
 * Postfix line 1 (`initializing the server-side TLS engine`, written by the new smtpd process just before its
 * first `connect from`) and line 69 and 153 alike are attached to that first connection.
 */
import { basename, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures, type AnalysisResult } from '../../src/analyze/pipeline.js';
import { joinServerLogs } from '../../src/serverlog/join.js';
import { CAPTURES, DOVECOT_LOG, POSTFIX_LOG, dovecotFile, rfc3164, rfc5424, readReal, shortIso, withoutPorts, writeFixture } from './convert.js';

interface TruthConnection {
  client: string;
  server: string;
  expected_outcome: string;
  server_log: string[];
}
const truth = JSON.parse(readFileSync(join(CAPTURES, 'lab-truth.json'), 'utf8')) as { captures: Record<string, { connections: TruthConnection[] }> };

const LOGS = { 'server-postfix.log': readFileSync(POSTFIX_LOG, 'utf8').split('\n'), 'server-dovecot.log': readFileSync(DOVECOT_LOG, 'utf8').split('\n') };
/** Server-wide tlsmgr lines the truth's time window swept in: not attached, on purpose. */
const NOT_ATTACHED = new Set(['server-postfix.log:2', 'server-postfix.log:3']);

/** Where a truth block sits: `file:lineNumber` for each of its lines. */
function truthLines(t: TruthConnection): string[] {
  for (const [file, lines] of Object.entries(LOGS)) {
    const n = t.server_log.length;
    for (let i = 0; i + n <= lines.length; i++) {
      if (lines[i] !== t.server_log[0]) continue;
      if (t.server_log.every((l, k) => lines[i + k] === l)) return t.server_log.map((_, k) => `${file}:${i + k + 1}`);
    }
  }
  throw new Error(`truth block for ${t.client} not found in the logs`);
}

const key = (r: { client: { ip: string; port: number } }) => `${r.client.ip}:${r.client.port}`;
const where = (l: { file: string; lineNumber: number }) => `${basename(l.file)}:${l.lineNumber}`;
const LAB = Object.keys(truth.captures);

async function labRun(captures: string[], logs: string[], options: { tz?: string; year?: number } = {}): Promise<AnalysisResult> {
  const result = await analyzeCaptures(captures.map((c) => join(CAPTURES, c)));
  await joinServerLogs(result, logs, options);
  return result;
}

/** Every truth connection of the given captures gets exactly its lines (less NOT_ATTACHED), matched as said. */
function expectTruth(result: AnalysisResult, captures: string[], match: 'port' | 'time'): void {
  for (const capture of captures) {
    const conns = result.connections.filter((c) => basename(c.capture) === capture);
    for (const t of truth.captures[capture]!.connections) {
      const r = conns.find((c) => key(c) === t.client);
      expect(r, `${capture} ${t.client}`).toBeDefined();
      const expected = truthLines(t).filter((l) => !NOT_ATTACHED.has(l));
      expect(r!.log!.map(where), `${capture} ${t.client}`).toEqual(expected);
      expect(new Set(r!.log!.map((l) => l.match)), `${capture} ${t.client}`).toEqual(new Set([match]));
    }
  }
}

describe('server log joined to the lab captures (real Postfix 3.7 and Dovecot 2.3 logs)', () => {
  for (const capture of LAB) {
    it(`${capture}: every connection gets exactly its lines, by port`, async () => {
      const result = await labRun([capture], [POSTFIX_LOG, DOVECOT_LOG]);
      expectTruth(result, [capture], 'port');
      // Nothing near this capture's time is left over but the server-wide lines (when they are near it).
      const left = result.summary.unmatchedLogLines!.map((u) => `${where(u)} ${u.reason}`);
      for (const l of left) expect([...NOT_ATTACHED].map((n) => `${n} no-client`)).toContain(l);
      expect(result.summary.log!.unmatched['no-connection']).toBe(0);
      expect(result.summary.log!.failedWithoutLog).toEqual([]);
    });
  }

  it('all lab captures at once: every line of both logs is attached once, but the two server-wide lines', async () => {
    const captures = LAB.filter((c) => !c.endsWith('.pcapng'));
    const result = await labRun(captures, [POSTFIX_LOG, DOVECOT_LOG]);
    expectTruth(result, captures, 'port');
    const attached = result.connections.flatMap((c) => c.log!.map(where));
    expect(new Set(attached).size).toBe(attached.length);
    expect(attached.length + NOT_ATTACHED.size).toBe(361 + 363);
    expect(result.summary.unmatchedLogLines!.map((u) => `${where(u)} ${u.reason} ${u.client}`)).toEqual([
      'server-postfix.log:2 no-client null',
      'server-postfix.log:3 no-client null',
    ]);
    const s = result.summary.log!;
    expect(s.connectionsWithLog).toEqual({ port: 37, time: 0 });
    expect(s.unmatched).toEqual({ 'no-connection': 0, 'no-client': 2, ambiguous: 0, unrecognised: 0, 'outside-capture': 0 });
    expect(s.notes).toEqual([]);
    for (const f of s.files) {
      expect(f.time.zoneFrom).toBe('estimated');
      expect(f.time.zone).toBe('+00:00');
      expect(Math.abs(f.time.skewSeconds!)).toBeLessThan(1);
    }
  });

  it('tells which lines tied to a connection how', async () => {
    const result = await labRun(['good-25-smtp-starttls.pcap'], [POSTFIX_LOG]);
    const second = result.connections.find((c) => c.client.port === 30096)!;
    const via = Object.fromEntries(second.log!.map((l) => [l.lineNumber, l.via]));
    expect(via[24]).toBe('client'); // connect from unknown[10.77.0.100]:30096
    expect(via[27]).toBe('process'); // SSL_accept:before SSL initialization
    expect(via[41]).toBe('session-cache'); // tlsmgr: put smtpd session id=BCA60EDD…
    expect(via[42]).toBe('session-cache');
    const first = result.connections.find((c) => c.client.port === 30082)!;
    expect(first.log![0]).toMatchObject({ lineNumber: 1, via: 'process', line: expect.stringContaining('initializing the server-side TLS engine') });
  });

  it('says in the diagnosis what the server log adds', async () => {
    const result = await labRun(['abort-after-shd.pcap', 'cert-reject.pcap'], [POSTFIX_LOG, DOVECOT_LOG]);
    const d = (port: number) => result.connections.find((c) => c.client.port === port)!.diagnosis;
    expect(d(50648)).toContain("server log: `SSL_accept:error in SSLv3/TLS write server done` then `lost connection`: the server waited for the client's key exchange");
    expect(d(31948)).toContain('then `Connection reset by peer`');
    expect(d(56952)).toContain("server log: `SSLv3/TLS write server done` then `TLS handshaking: Connection closed`: the server waited for the client's key exchange");
    expect(d(55904)).toContain("server log: `SSL3 alert read:fatal:unknown CA`: the server received the client's alert unknown CA");
    expect(d(35476)).toContain('server log: `SSL alert: fatal bad certificate`');
  });

  it('lists failed connections with no log line, and log lines for no captured connection', async () => {
    // The Postfix log only: the Dovecot connections of this capture have no line.
    const result = await labRun(['abort-after-shd.pcap'], [POSTFIX_LOG]);
    expect(result.summary.log!.failedWithoutLog.map((f) => f.client)).toEqual(['10.77.0.100:56952', '10.77.0.100:28260', '10.77.0.100:58844', '10.77.0.100:36292']);
    // The Postfix connections' lines, against a capture of the Dovecot ones only.
    const cut = await analyzeCaptures([join(CAPTURES, 'abort-after-shd.pcap')]);
    cut.connections = cut.connections.filter((c) => c.server.port !== 25);
    await joinServerLogs(cut, [POSTFIX_LOG]);
    const clues = cut.summary.unmatchedLogLines!.filter((u) => u.reason === 'no-connection');
    expect(new Set(clues.map((u) => u.client))).toEqual(new Set(['10.77.0.100:50648', '10.77.0.100:21682']));
    expect(clues.map(where)).toEqual([...range(176, 189), ...range(190, 203)].map((n) => `server-postfix.log:${n}`));
  });
});

describe('server log in other formats (fixtures converted from the real logs)', () => {
  const postfix = readReal(POSTFIX_LOG);
  const dovecot = readReal(DOVECOT_LOG);
  const captures = LAB.filter((c) => !c.endsWith('.pcapng'));

  it('RFC 5424 with a +01:00 offset, journalctl short-iso: same lines, clock placed by the lines themselves', async () => {
    const p = writeFixture('postfix-5424.log', postfix.map((l) => rfc5424(l, 3600)));
    const d = writeFixture('dovecot-short-iso.log', dovecot.map((l) => shortIso(l, 3600)));
    const result = await labRun(captures, [p, d]);
    expectTruth(renamed(result, { 'postfix-5424.log': 'server-postfix.log', 'dovecot-short-iso.log': 'server-dovecot.log' }), captures, 'port');
    for (const f of result.summary.log!.files) {
      expect(f.formats).toEqual(f.file === p ? { rfc5424: 361 } : { iso: 363 });
      expect(f.time).toMatchObject({ zone: null, zoneFrom: 'lines' });
      expect(Math.abs(f.time.skewSeconds!)).toBeLessThan(1);
    }
  });

  it('RFC 3164 in UTC+01:00 with no year and no zone (Dovecot through syslog): the zone is estimated', async () => {
    const p = writeFixture('postfix-3164-cet.log', postfix.map((l, i) => rfc3164(l, 3600, i % 2 === 0)));
    const d = writeFixture('dovecot-3164-cet.log', dovecot.map((l) => rfc3164(l, 3600)));
    const result = await labRun(captures, [p, d]);
    expectTruth(renamed(result, { 'postfix-3164-cet.log': 'server-postfix.log', 'dovecot-3164-cet.log': 'server-dovecot.log' }), captures, 'port');
    for (const f of result.summary.log!.files) {
      expect(f.time).toMatchObject({ zone: '+01:00', zoneFrom: 'estimated' });
      expect(f.first).toBe(f.file === p ? '2026-11-28T11:57:07.000000Z' : '2026-11-28T11:57:17.000000Z');
    }
  });

  it('--log-tz names the zone; --log-year the year; a clock 7 s fast is reported as skew', async () => {
    const p = writeFixture('postfix-berlin-fast.log', postfix.map((l) => rfc3164({ ...l, seconds: l.seconds + 7 }, 3600)));
    const result = await labRun(captures, [p], { tz: 'Europe/Berlin', year: 2026 });
    const f = result.summary.log!.files[0]!;
    expect(f.time).toMatchObject({ zone: 'Europe/Berlin', zoneFrom: 'option' });
    expect(f.time.skewSeconds!).toBeGreaterThan(6);
    expect(f.time.skewSeconds!).toBeLessThan(8);
    const r = result.connections.find((c) => c.client.port === 50648)!;
    expect(r.log!.map((l) => l.lineNumber)).toEqual(range(176, 189));
  });

  it('without client ports (Postfix without smtpd_client_port_logging, Dovecot default): every connection still gets exactly its lines, by time', async () => {
    const p = writeFixture('postfix-noport.log', postfix.map((l) => rfc3164(withoutPorts(l), 0)));
    const d = writeFixture('dovecot-noport.log', dovecot.map((l) => dovecotFile(withoutPorts(l), 0)));
    const result = await labRun(captures, [p, d], { tz: 'UTC' });
    expectTruth(renamed(result, { 'postfix-noport.log': 'server-postfix.log', 'dovecot-noport.log': 'server-dovecot.log' }), captures, 'time');
    expect(result.summary.log!.connectionsWithLog).toEqual({ port: 0, time: 37 });
    const r = result.connections.find((c) => c.client.port === 50648)!;
    expect(r.diagnosis).toContain('server log (matched by client address and time): `SSL_accept:error in SSLv3/TLS write server done`');
  });

  it('lines outside the capture are counted, not listed; unrecognised lines are listed', async () => {
    const p = writeFixture('postfix-junk.log', ['this is not a log line', ...postfix.map((l) => rfc3164(l, 0))]);
    const result = await labRun(['abort-then-retry.pcap'], [p]);
    const s = result.summary.log!;
    expect(s.unmatched.unrecognised).toBe(1);
    expect(result.summary.unmatchedLogLines![0]).toMatchObject({ lineNumber: 1, reason: 'unrecognised' });
    expect(s.unmatched['outside-capture']).toBe(362 - 1 - 34);
    expect(result.connections.map((c) => c.log!.length)).toEqual([14, 20]);
  });
});

/** The fixtures keep the real logs' line numbers: compare under the real file names. */
function renamed(result: AnalysisResult, names: Record<string, string>): AnalysisResult {
  for (const c of result.connections) for (const l of c.log ?? []) l.file = names[basename(l.file)] ?? l.file;
  return result;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

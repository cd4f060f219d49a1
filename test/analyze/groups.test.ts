/**
 * "Which clients fail?" on the lab captures: grouping must separate the connections by what really
 * differed there (captures/lab-truth.json, written by the harness that drove the clients): clients that
 * reject the certificate, clients that abort after ServerHelloDone, clients limited to TLS 1.2.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/analyze/pipeline.js';
import { combineGroups, groupConnections, groupValue, notableGroups, SIGNIFICANCE } from '../../src/analyze/groups.js';
import { endingWords } from '../../src/handshake/endings.js';
import { summarize, SummaryBuilder } from '../../src/analyze/summary.js';
import type { ConnectionReport } from '../../src/handshake/report.js';

const CAPTURES = join(import.meta.dirname, '../../captures');

interface TruthConnection {
  client: string;
  server: string;
  client_tool: string;
  tls_version_intended: string;
  expected_outcome: 'completed' | 'failed';
  last_handshake_server: string;
  ended_by: string;
  alert: null | { from: string; name: string };
}
const truth = JSON.parse(readFileSync(join(CAPTURES, 'lab-truth.json'), 'utf8')) as { captures: Record<string, { connections: TruthConnection[] }> };
// The .pcapng is the same packets as the .pcap: count them once.
const files = Object.keys(truth.captures).filter((f) => f.endsWith('.pcap'));

describe('grouping the lab captures', async () => {
  const { connections } = await analyzeCaptures(files.map((f) => join(CAPTURES, f)));
  const truthOf = new Map<ConnectionReport, TruthConnection>();
  for (const r of connections) {
    const file = r.capture.split('/').pop()!;
    const t = truth.captures[file]!.connections.find((c) => c.client === `${r.client.ip}:${r.client.port}`);
    if (t) truthOf.set(r, t);
  }
  const failed = [...truthOf.entries()].filter(([, t]) => t.expected_outcome === 'failed');

  it('knows every lab connection and its outcome', () => {
    expect(truthOf.size).toBe(connections.length);
    expect(connections).toHaveLength(37);
    for (const [r, t] of truthOf) expect(r.outcome).toBe(t.expected_outcome === 'completed' ? 'complete' : 'failed');
  });

  it('--by end: the certificate rejections and the aborts land in their own groups, counted as the truth says', () => {
    const expected = new Map<string, number>();
    for (const [, t] of failed) {
      const key = t.alert ? `${t.alert.from} alert ${t.alert.name}` : /client (FIN|RST)/.exec(t.ended_by)![0];
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    const { groups } = groupConnections(connections, 'end');
    // Groups are kept by ending code; endingWords says one as the truth file does.
    const got = new Map(groups.filter((g) => g.failed > 0).map((g) => [endingWords(String(g.value.value)), g.failed]));
    expect(got).toEqual(expected);
    expect(got.get('client alert unknown_ca')).toBe(5);
    expect(got.get('client alert bad_certificate')).toBe(2);
    // Nothing that ended badly is mixed with completed handshakes.
    for (const g of groups) expect(g.failed === 0 || g.completed === 0).toBe(true);
  });

  it('--by version: the failures are the TLS 1.2-only clients\' but one (the TLS 1.3 unknown_ca)', () => {
    const groups = combineGroups(groupConnections(connections, 'version'), (v) => String(v.value));
    const tls12 = groups.find((g) => g.value.value === 'TLS 1.2')!;
    const tls13 = groups.find((g) => g.value.value === 'TLS 1.3')!;
    expect(tls12.failed).toBe(failed.filter(([, t]) => t.tls_version_intended === 'TLS1.2').length);
    expect(tls13.failed).toBe(failed.filter(([, t]) => t.tls_version_intended === 'TLS1.3').length);
    expect(tls13.endedBy).toEqual([{ end: 'client-alert-unknown_ca', count: 1 }]);
    expect(tls12.failureRate).toBeGreaterThan(tls13.failureRate!);
  });

  it('--by ja4: one fingerprint per kind of client, and a TLS 1.2-only fingerprint for the TLS 1.2-only clients', () => {
    const byJa4 = new Map<string, TruthConnection[]>();
    for (const [r, t] of truthOf) {
      const ja4 = String(groupValue(r, 'ja4').value);
      byJa4.set(ja4, [...(byJa4.get(ja4) ?? []), t]);
    }
    for (const [ja4, members] of byJa4) {
      // Clients asked for TLS 1.2 only offer TLS 1.2 only (JA4 't12'); the others offer 1.3.
      for (const t of members) expect(ja4.startsWith('t12'), `${ja4} ${t.client} ${t.client_tool} ${t.tls_version_intended}`).toBe(t.tls_version_intended === 'TLS1.2');
    }
    // The Python client limited to TLS 1.2 is one fingerprint wherever it connected; OpenSSL's s_client
    // with -tls1_2 sends the very same hello (same library, same settings); gnutls-cli is its own.
    const pythonTls12 = [...truthOf].filter(([, t]) => t.client_tool.startsWith('tlsclient.py') && t.tls_version_intended === 'TLS1.2');
    expect(new Set(pythonTls12.map(([r]) => r.fingerprints.ja4)).size).toBe(1);
    const gnutls = [...truthOf].filter(([, t]) => t.client_tool.startsWith('gnutls-cli'));
    expect(gnutls).toHaveLength(1);
    expect(gnutls[0]![0].fingerprints.ja4).not.toBe(pythonTls12[0]![0].fingerprints.ja4);
    // Every abort after ServerHelloDone is in that one group.
    const group = groupConnections(connections, 'ja4').groups.find((g) => g.value.value === pythonTls12[0]![0].fingerprints.ja4)!;
    const aborts = failed.filter(([, t]) => !t.alert && /right after ServerHelloDone/.test(t.ended_by)).length;
    expect(group.endedBy.filter((e) => /^client-(fin|rst)$/.test(e.end)).reduce((n, e) => n + e.count, 0)).toBeGreaterThanOrEqual(aborts);
  });

  it('--by server: the big-chain server is its own group, first and last seen in capture order', () => {
    const { groups } = groupConnections(connections, 'server');
    const big = groups.filter((g) => String(g.value.value).startsWith('10.77.0.4:'));
    expect(big.reduce((n, g) => n + g.connections, 0)).toBe([...truthOf.values()].filter((t) => t.server.startsWith('10.77.0.4:')).length);
    for (const g of groups) expect(g.firstSeen <= g.lastSeen).toBe(true);
  });

  it('--by step: failures stop at ServerHelloDone unless the server\'s flight itself was cut', () => {
    const { groups } = groupConnections(connections, 'step');
    const shd = groups.find((g) => g.value.value === 4 && !g.value.tls13)!;
    expect(shd.failed).toBeGreaterThanOrEqual(failed.filter(([, t]) => t.last_handshake_server === 'ServerHelloDone').length);
    // Completed TLS 1.2 handshakes end at '9 server Finished', TLS 1.3 ones at '9 handshake complete': two groups.
    const nine = groups.filter((g) => g.value.value === 9);
    expect(nine.map((g) => g.value.tls13 === true).sort()).toEqual([false, true]);
    const complete = connections.filter((c) => c.outcome === 'complete').length;
    expect(nine.reduce((n, g) => n + g.completed, 0)).toBe(complete);
    // By number (as JSON keeps them) they are one.
    const byNumber = combineGroups({ by: 'step', groups }, (v) => String(v.value)).filter((g) => g.value.value === 9);
    expect(byNumber.map((g) => g.completed)).toEqual([complete]);
  });

  it('names no group in the summary: 37 handshakes are too few to call any cluster more than luck', () => {
    expect(notableGroups(connections)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The summary's rule, on made-up connections.

let n = 0;
function fake(ja4: string, outcome: 'complete' | 'failed', client = '192.0.2.1'): ConnectionReport {
  n++;
  return {
    id: n,
    capture: 'x',
    client: { ip: client, port: 40000 + n },
    server: { ip: '198.51.100.1', port: 25 },
    start: new Date(Date.UTC(2030, 0, 1, 0, 0, n)).toISOString(),
    outcome,
    lastStep: outcome === 'complete' ? 9 : 4,
    lastStepName: outcome === 'complete' ? 'server Finished' : 'ServerHelloDone',
    tls: { version: 'TLS 1.2', cipher: null, sni: null, alpn: null, resumed: false, helloRetryRequest: false, offered: null },
    end: { by: 'client', how: outcome === 'complete' ? 'fin' : 'rst', alert: null, frame: null, time: null },
    fingerprints: { ja3: null, ja3s: null, ja4 },
  } as unknown as ConnectionReport;
}

describe('the groups the summary names', () => {
  it('names a fingerprint that fails every time when the others do not (4/4 against 0/8)', () => {
    const conns = [...Array.from({ length: 4 }, () => fake('t12bad', 'failed')), ...Array.from({ length: 8 }, () => fake('t13good', 'complete'))];
    const named = notableGroups(conns);
    expect(named[0]).toMatchObject({ by: 'ja4', value: 't12bad', failed: 4, completed: 0, failureRate: 1, othersFailureRate: 0 });
    expect(named[0]!.pValue).toBeLessThan(SIGNIFICANCE);
  });

  it('of groups that stand out equally, names the one the grouping lists first', () => {
    // 'zz' comes first in the capture, 'aa' first in the grouping's order (same counts: by value).
    const conns = [
      ...Array.from({ length: 5 }, () => fake('zz', 'failed')),
      ...Array.from({ length: 5 }, () => fake('aa', 'failed')),
      ...Array.from({ length: 40 }, () => fake('ok', 'complete')),
    ];
    const named = notableGroups(conns).find((g) => g.by === 'ja4');
    expect(combineGroups(groupConnections(conns, 'ja4'), (v) => String(v.value))[0]!.value.value).toBe('aa');
    expect(named).toMatchObject({ value: 'aa', failed: 5 });
  });

  it('names nothing when the split could be luck, when everything failed, or when nothing did', () => {
    expect(notableGroups([...Array.from({ length: 2 }, () => fake('a', 'failed')), ...Array.from({ length: 3 }, () => fake('b', 'complete'))])).toEqual([]);
    expect(notableGroups(Array.from({ length: 30 }, (_, i) => fake(i % 2 ? 'a' : 'b', 'failed')))).toEqual([]);
    expect(notableGroups(Array.from({ length: 30 }, (_, i) => fake(i % 2 ? 'a' : 'b', 'complete')))).toEqual([]);
    // 3 of 3 failed for one of 40 client addresses, 12 of 117 elsewhere: p = 0.0016 for that address alone,
    // but one of 40 addresses getting that by luck is likely enough (0.065): not named.
    const many: ConnectionReport[] = [];
    for (let c = 0; c < 40; c++) for (let i = 0; i < 3; i++) many.push(fake('x', c === 0 || (c <= 12 && i === 0) ? 'failed' : 'complete', `10.0.0.${c}`));
    expect(notableGroups(many).filter((g) => g.by === 'client')).toEqual([]);
  });
});

describe('client addresses by the thousand (one table for the summary and the notable groups)', () => {
  // 2,000 addresses (the table grows past its first rows several times); one of them fails all its 12 connections.
  const conns: ConnectionReport[] = [];
  for (let c = 0; c < 2000; c++) {
    for (let i = 0; i < (c === 1234 ? 12 : 3); i++) conns.push(fake('x', c === 1234 || (c % 10 === 0 && i === 0) ? 'failed' : 'complete', `10.1.${c >> 8}.${c & 255}`));
  }

  it('names the failing address and lists every address with its counts, most failures first', () => {
    const named = notableGroups(conns).find((g) => g.by === 'client');
    expect(named).toMatchObject({ value: '10.1.4.210', failed: 12, completed: 0 });
    const summary = summarize(conns);
    expect(summary.byClient).toHaveLength(2000);
    expect(summary.byClient[0]).toEqual({ client: '10.1.4.210', connections: 12, failed: 12 });
    const tally = new Map<string, { connections: number; failed: number }>();
    for (const r of conns) {
      const t = tally.get(r.client.ip) ?? { connections: 0, failed: 0 };
      t.connections++;
      if (r.outcome === 'failed') t.failed++;
      tally.set(r.client.ip, t);
    }
    expect(summary.byClient.every((c) => tally.get(c.client)!.connections === c.connections && tally.get(c.client)!.failed === c.failed)).toBe(true);
  });

  it('gives the same summary when two builders (two threads) each count a part and one merges the other', () => {
    const whole = new SummaryBuilder();
    conns.forEach((r, i) => whole.add(r, i));
    // The second part comes first in output order for the addresses both parts have.
    const first = new SummaryBuilder();
    const second = new SummaryBuilder();
    conns.forEach((r, i) => (i % 3 === 0 ? second : first).add(r, i));
    first.merge(structuredClone(second.data()));
    expect(first.result()).toEqual(whole.result());
  });
});

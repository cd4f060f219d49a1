import { describe, expect, it } from 'vitest';
import { diffReports } from '../../src/diff/diff.js';
import { parseSideSpec, selectPair } from '../../src/diff/select.js';
import type { DiffResult, Difference } from '../../src/diff/types.js';
import { analyzeCapture } from '../../src/analyze/pipeline.js';
import type { ConnectionReport } from '../../src/handshake/report.js';
import { capturePath } from '../helpers/frames.js';

/** The real pipeline: capture file → analyze → select → diff. */
async function diffOf(good: string, bad: string): Promise<{ result: DiffResult; good: ConnectionReport; bad: ConnectionReport }> {
  const pair = await selectPair(spec(good), spec(bad));
  if (!pair.ok) throw new Error(pair.error);
  const result = diffReports(pair.good.report, pair.bad.report);
  result.good.chosen = pair.good.why;
  result.bad.chosen = pair.bad.why;
  return { result, good: pair.good.report, bad: pair.bad.report };
}

/** `name.pcap#3` → absolute path with the selector kept. */
function spec(s: string): string {
  const m = /^([^#@]+)(.*)$/.exec(s)!;
  return capturePath(m[1]!) + m[2]!;
}

const key = (d: Difference) => `${d.area}/${d.field}`;
const likely = (r: DiffResult) => r.differences.filter((d) => d.weight === 'likely-cause').map(key);

function expectOrdered(r: DiffResult): void {
  const order = { 'likely-cause': 0, notable: 1, cosmetic: 2 } as const;
  for (let i = 1; i < r.differences.length; i++) expect(order[r.differences[i]!.weight]).toBeGreaterThanOrEqual(order[r.differences[i - 1]!.weight]);
}

describe('diff on real captures: where the stories part and the likely cause first', () => {
  it('abort-then-retry.pcap given twice: the abort after ServerHelloDone against the retry that worked', async () => {
    const { result, good, bad } = await diffOf('abort-then-retry.pcap', 'abort-then-retry.pcap');
    expect(good.id).toBe(2);
    expect(bad.id).toBe(1);
    expect(result.good.chosen).toMatch(/only completed handshake.*same server 10\.77\.0\.4:25/);
    expect(result.bad.chosen).toMatch(/only failed handshake/);
    expect(result.divergence?.step).toBe(4);
    expect(result.divergence?.summary).toMatch(/^both reach step 4 ServerHelloDone; the good client answers with ClientKeyExchange after [\d.]+ ms, the bad client closes with FIN after [\d.]+ ms$/);
    expect(result.divergence?.bad).toMatchObject({ kind: 'fin', by: 'client' });
    // Nothing the server sent differs: the likely cause is the client leaving, and the verdict says where to look.
    expect(result.differences[0]).toMatchObject({ area: 'tcp', field: 'close', weight: 'likely-cause' });
    expect(result.differences[0]!.bad).toMatchObject({ by: 'client', how: 'fin' });
    expect(result.conclusion).toMatch(/reason is on the client side/);
    expect(result.differences.map(key)).not.toContain('certificates/chain');
    expect(result.identical.join('\n')).toMatch(/certificate chain: 4 certificates/);
    expect(result.identical.join('\n')).toMatch(/ClientHello: .*28 cipher suites in the same order/);
    expect(result.verdict.split('\n')[0]).toBe(`${result.divergence!.summary.charAt(0).toUpperCase()}${result.divergence!.summary.slice(1)}.`);
    expectOrdered(result);
  });

  it('pmtu-blackhole-mssfix-ok.pcap vs pmtu-blackhole-fail.pcap: the unacknowledged flight and the MSS', async () => {
    const { result, good, bad } = await diffOf('pmtu-blackhole-mssfix-ok.pcap', 'pmtu-blackhole-fail.pcap');
    expect([good.server.port, bad.server.port]).toEqual([25, 25]);
    expect(result.divergence?.step).toBe(2);
    expect(result.divergence?.summary).toMatch(/^both reach step 2 ServerHello; the good server goes on with Certificate after [\d.]+ ms, the bad client closes with FIN after 15\.0 s \(the server retransmitted 8 times meanwhile\)$/);
    expect(result.differences[0]).toMatchObject({ area: 'tcp', field: 'serverFlightAcked', weight: 'likely-cause', bad: { bytes: 6992, ackedByClient: 0 } });
    expect(likely(result).slice(0, 4)).toEqual(['tcp/serverFlightAcked', 'tcp/mssClient', 'tcp/largestSegmentServer', 'tcp/retransmissionsServer']);
    const d = (k: string) => result.differences.find((x) => key(x) === k)!;
    expect([d('tcp/mssClient').good, d('tcp/mssClient').bad]).toEqual([1360, 1460]);
    expect([d('tcp/largestSegmentServer').good, d('tcp/largestSegmentServer').bad]).toEqual([1348, 1448]);
    expect(d('tcp/retransmissionsServer').bad).toMatchObject({ count: 9, segments: [{ offset: 244, length: 1448, times: 8 }, { offset: 1692, length: 1448, times: 1 }] });
    expect(result.conclusion).toMatch(/path-MTU black hole likely/);
    expect(result.conclusion).toMatch(/announced MSS 1,360/);
    // The client's FIN after 15 s is a consequence, not the cause.
    expect(d('tcp/close').weight).toBe('notable');
    expectOrdered(result);
  });

  it('the same black hole on IMAPS (#2 of each capture): the flight stalls after ServerHelloDone', async () => {
    const { result } = await diffOf('pmtu-blackhole-mssfix-ok.pcap#2', 'pmtu-blackhole-fail.pcap#2');
    expect(result.good.chosen).toBeNull();
    expect(result.divergence?.step).toBe(4);
    expect(result.divergence?.summary).toMatch(/the good client answers with ClientKeyExchange .* the bad client closes with FIN after 15\.0 s/);
    expect(result.differences[0]).toMatchObject({ field: 'serverFlightAcked', weight: 'likely-cause', bad: { bytes: 7492, ackedByClient: 0 } });
    expect(likely(result)).toContain('tcp/mssClient');
  });

  it("Zeek's tls1.2.pcap vs tls-1.2-handshake-failure.pcap: a server that finds nothing in common", async () => {
    const { result } = await diffOf('tls1.2.pcap', 'tls-1.2-handshake-failure.pcap');
    expect(result.divergence?.step).toBe(1);
    expect(result.divergence?.summary).toMatch(/^both reach step 1 ClientHello; the good server answers with ServerHello after 41\.1 ms, the bad server sends alert handshake_failure after 5\.2 ms$/);
    const first = result.differences[0]!;
    expect(first).toMatchObject({ area: 'clienthello', field: 'cipherSuites', weight: 'likely-cause' });
    expect(first.removed).toContain('TLS_RSA_WITH_RC4_128_MD5');
    expect(first.added).toContain('TLS_ECDHE_RSA_WITH_NULL_SHA');
    expect(first.summary).toMatch(/the suite the server chose for the good client \(TLS_RSA_WITH_RC4_128_MD5\) is not in the bad client's offer/);
    expect(likely(result)).toContain('alerts/alerts');
    // What the bad client only adds cannot take a common suite away: the extension list is not a cause.
    expect(likely(result)).not.toContain('clienthello/extensions');
    expectOrdered(result);
  });

  it("tls1.2.pcap vs tls1.2-broken-ccs.pcap (3 bytes break the client's ChangeCipherSpec): they part at step 6, the malformed record first", async () => {
    const { result, good, bad } = await diffOf('tls1.2.pcap', 'tls1.2-broken-ccs.pcap');
    expect([good.outcome, bad.outcome]).toEqual(['complete', 'failed']);
    expect(result.divergence).toMatchObject({ step: 6, stepName: 'client ChangeCipherSpec' });
    expect(result.divergence?.summary).toMatch(/^both reach step 6 client ChangeCipherSpec; the good client goes on with Finished \(encrypted\) after 0\.0 ms, the bad server answers with ChangeCipherSpec after 37\.1 ms$/);
    expect(result.divergence?.good).toMatchObject({ kind: 'step', by: 'client', step: 7, frame: 10 });
    expect(result.divergence?.bad).toMatchObject({ kind: 'step', by: 'server', step: 8, frame: 11 });
    // The likely cause is the first difference: the bad client's ChangeCipherSpec, which the decoder found malformed.
    const first = result.differences[0]!;
    expect(first).toMatchObject({ area: 'messages', field: 'problems', weight: 'likely-cause', good: [] });
    expect(first.bad).toEqual(['client: malformed ChangeCipherSpec: 38 bytes (must be the one byte 1: a peer rejects it)']);
    expect(first.summary).toMatch(/bad only: client, frame 10: malformed ChangeCipherSpec: 38 bytes/);
    expect(result.conclusion).toBe(
      "the bad client's ChangeCipherSpec (frame 10) is malformed, the good client's is not: 38 bytes (must be the one byte 1: a peer rejects it); the handshake cannot complete past it",
    );
    // The step timeline says the client's Finished is missing; nothing else of the handshake differs.
    expect(result.differences.find((d) => key(d) === 'timing/steps')).toMatchObject({ good: [1, 2, 3, 4, 5, 6, 7, 8, 9], bad: [1, 2, 3, 4, 5, 6, 8, 9] });
    for (const area of ['clienthello', 'server', 'certificates', 'tcp']) expect(result.differences.filter((d) => d.area === area), area).toEqual([]);
    expect(result.verdict).toMatch(/^Both reach step 6 client ChangeCipherSpec; .*\nLikely cause: the bad client's ChangeCipherSpec \(frame 10\) is malformed/);
    expectOrdered(result);
  });

  it("Zeek's Firefox 52 TLS 1.3 draft: the same offer refused by another server", async () => {
    const { result } = await diffOf('tls13draft16-ff52.a01.pcap#2', 'tls13draft16-ff52.a01-aborted.pcap#1');
    expect(result.divergence?.step).toBe(1);
    expect(result.divergence?.bad).toMatchObject({ kind: 'alert', by: 'server', what: 'sends alert protocol_version' });
    expect(result.differences[0]).toMatchObject({ area: 'alerts', field: 'alerts', weight: 'likely-cause' });
    expect(result.conclusion).toMatch(/another server \(52\.32\.149\.186:443/);
    expect(result.differences.map(key)).toContain('server/serverAddress');
    expect(result.identical.join('\n')).toMatch(/4 supported versions in the same order/);
  });

  it('tls13draft16-ff52.a01.pcap given twice: unknown_ca against the completed retry, chain encrypted', async () => {
    const { result, good, bad } = await diffOf('tls13draft16-ff52.a01.pcap', 'tls13draft16-ff52.a01.pcap');
    expect([good.id, bad.id]).toEqual([2, 1]);
    expect(result.divergence?.step).toBe(4);
    expect(result.divergence?.bad).toMatchObject({ kind: 'alert', by: 'client', what: 'sends alert unknown_ca' });
    expect(result.differences[0]).toMatchObject({ field: 'alerts', weight: 'likely-cause' });
    expect(result.conclusion).toMatch(/encrypted \(TLS 1\.3\)/);
  });

  it('a capture of certificate rejections against good handshakes from another capture: the same chain, another client verdict', async () => {
    const { result, good } = await diffOf('good-25-smtp-starttls.pcap', 'cert-reject.pcap');
    // The completed connection from the same client software (TLS 1.2), not the TLS 1.3 one.
    expect(good.tls.version).toBe('TLS 1.2');
    expect(result.good.chosen).toMatch(/same client software/);
    expect(result.bad.chosen).toMatch(/most common way \(step 4 ServerHelloDone, client alert unknown_ca\)/);
    expect(result.differences[0]).toMatchObject({ field: 'alerts', weight: 'likely-cause' });
    expect(result.conclusion).toMatch(/same certificate chain the good client accepted/);
  });

  it('cert-reject.pcap #1 against #6: two failures at the same step, told apart by the alert each client sent', async () => {
    // Both clients leave right after ServerHelloDone, one with unknown_ca (48), the other with bad_certificate (42).
    const { result } = await diffOf('cert-reject.pcap#1', 'cert-reject.pcap#6');
    expect(result.good.outcome).toBe('failed');
    expect(result.bad.outcome).toBe('failed');
    expect(result.divergence).not.toBeNull();
    expect(result.divergence!.step).toBe(4);
    expect(result.divergence!.good.what).toBe('sends alert unknown_ca');
    expect(result.divergence!.bad.what).toBe('sends alert bad_certificate');
    expect(result.verdict).not.toMatch(/same path/i);
    expect(result.verdict.split('\n')[0]).toMatch(/unknown_ca.*bad_certificate/);
  });

  it('a connection compared with itself has no difference and no divergence', async () => {
    for (const file of ['abort-then-retry.pcap', 'pmtu-blackhole-fail.pcap', 'tls1.2.pcap', 'tls1.2-broken-ccs.pcap', 'tls-1.2-handshake-failure.pcap', 'tls13draft16-ff52.a01.pcap', 'cert-reject.pcap', 'good-25-smtp-starttls.pcap']) {
      const { connections } = await analyzeCapture(capturePath(file));
      expect(connections.length).toBeGreaterThan(0);
      for (const c of connections) {
        const r = diffReports(c, c);
        expect(r.differences, `${file}#${c.id}`).toEqual([]);
        expect(r.divergence).toBeNull();
        expect(r.verdict).toMatch(/No differences in anything compared/);
      }
    }
  });

  it('writes the JSON contract: good, bad, divergence, differences with area/field/good/bad/weight, verdict', async () => {
    const { result } = await diffOf('abort-then-retry.pcap', 'abort-then-retry.pcap');
    const doc = JSON.parse(JSON.stringify(result));
    expect(Object.keys(doc)).toEqual(expect.arrayContaining(['good', 'bad', 'divergence', 'differences', 'verdict', 'identical']));
    expect(doc.good).toMatchObject({ capture: expect.stringContaining('abort-then-retry.pcap'), id: 2, outcome: 'complete' });
    expect(doc.divergence).toMatchObject({ step: 4, summary: expect.any(String) });
    for (const d of doc.differences) {
      expect(['clienthello', 'server', 'certificates', 'tcp', 'alerts', 'messages', 'timing']).toContain(d.area);
      expect(['likely-cause', 'notable', 'cosmetic']).toContain(d.weight);
      expect(typeof d.field).toBe('string');
      expect('good' in d && 'bad' in d).toBe(true);
    }
  });
});

describe('choosing the connections', () => {
  it('parses file#N and file@client=ip:port', () => {
    expect(parseSideSpec('x.pcap#3')).toEqual({ file: 'x.pcap', id: 3 });
    expect(parseSideSpec('x.pcap@client=46.1.2.3:51234')).toEqual({ file: 'x.pcap', client: { ip: '46.1.2.3', port: 51234 } });
    expect(parseSideSpec('x.pcap@client=[FD77::100]:50648')).toEqual({ file: 'x.pcap', client: { ip: 'fd77::100', port: 50648 } });
    expect(parseSideSpec('x.pcap@client=46.1.2.3')).toEqual({ file: 'x.pcap', client: { ip: '46.1.2.3', port: null } });
    expect(parseSideSpec('x.pcap')).toEqual({ file: 'x.pcap' });
    expect(parseSideSpec('x.pcap#0')).toHaveProperty('error');
    expect(parseSideSpec('x.pcap#abc')).toHaveProperty('error');
    expect(parseSideSpec('x.pcap@client=host.example')).toHaveProperty('error');
    expect(parseSideSpec('x.pcap@client=1.2.3.4:70000')).toHaveProperty('error');
  });

  it('finds a connection by its client address and port', async () => {
    const pair = await selectPair(`${capturePath('abort-then-retry.pcap')}@client=10.77.0.100:25426`, `${capturePath('abort-then-retry.pcap')}@client=10.77.0.100:53402`);
    expect(pair.ok && [pair.good.report.id, pair.bad.report.id, pair.good.why, pair.bad.why]).toEqual([2, 1, null, null]);
  });

  it('says what is missing instead of guessing', async () => {
    const noFailure = await selectPair(capturePath('good-993-imaps.pcap'), capturePath('good-993-imaps.pcap'));
    expect(noFailure.ok).toBe(false);
    expect(!noFailure.ok && noFailure.error).toMatch(/no failed handshake among its 3 connections; name the bad one with .*#N/);
    const noSuch = await selectPair(`${capturePath('abort-then-retry.pcap')}#9`, capturePath('abort-then-retry.pcap'));
    expect(!noSuch.ok && noSuch.error).toMatch(/#9: no such connection \(analyze numbers them 1 to 2\)/);
    const noClient = await selectPair(`${capturePath('abort-then-retry.pcap')}@client=10.9.9.9`, capturePath('abort-then-retry.pcap'));
    expect(!noClient.ok && noClient.error).toMatch(/no connection from client 10\.9\.9\.9/);
  });

  it('with the good side named, picks the failure most like it', async () => {
    const pair = await selectPair(`${capturePath('pmtu-blackhole-mssfix-ok.pcap')}#2`, capturePath('pmtu-blackhole-fail.pcap'));
    expect(pair.ok && pair.bad.report.server.port).toBe(993);
    expect(pair.ok && pair.bad.why).toMatch(/most like connection #2: the same server 10\.77\.0\.4:993/);
  });
});

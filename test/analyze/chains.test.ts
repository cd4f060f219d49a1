/**
 * The chains served (src/analyze/chains.ts), the chain problem a failure's diagnosis names, and the verdict
 * (verdict.ts), on captures/two-chains-retry.pcap (scripts/make-two-chains.mjs: one address serving two lab
 * chains) and captures/missing-intermediate.pcap (scripts/make-missing-intermediate.sh: OpenSSL configured
 * with its certificate alone).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/analyze/pipeline.js';
import { ChainIndex } from '../../src/analyze/chains.js';
import { chainCause } from '../../src/handshake/chain-cause.js';
import type { ConnectionReport } from '../../src/handshake/report.js';
import { combineGroups, groupConnections } from '../../src/analyze/groups.js';
import { groupWords } from '../../src/report/analyze/groups.js';
import { runCli } from '../cli/run.js';

const ROOT = join(import.meta.dirname, '../..');
const capture = (name: string) => join(ROOT, 'captures', name);
const STORY = capture('two-chains-retry.pcap');
const MISSING = capture('missing-intermediate.pcap');
const CHAIN_A = 'da44e0e8';
const CHAIN_B = '3ee9a92b';

describe('summary.chains: one entry per distinct chain as sent', () => {
  it('finds the two chains of the story with their servers, connections and failures', async () => {
    const { summary } = await analyzeCaptures([STORY]);
    expect(summary.chains.map((c) => c.id)).toEqual([CHAIN_A, CHAIN_B]);
    const [a, b] = summary.chains;
    expect(a).toMatchObject({ subject: 'C=XX, O=Mail Lab Test, CN=mail.lab.test', bytes: 2684, servers: ['10.77.0.1:25', '10.77.0.1:465'], connections: 6, completed: 6, failed: 0 });
    expect(a!.leafSha256).toMatch(/^ee10e65a/);
    expect(a!.certificates).toHaveLength(2);
    expect(b).toMatchObject({ subject: 'C=XX, O=Mail Lab Test, CN=*.lab.test', bytes: 7096, servers: ['10.77.0.1:25'], connections: 3, completed: 0, failed: 3 });
    expect(b!.certificates.map((h) => h.slice(0, 8))).toEqual(['33739cdf', '38a84a03', 'e1ded511', 'b7df5d5a']);
    expect(b!.firstSeen < b!.lastSeen).toBe(true);
    expect(Object.keys(a!)).toEqual(['id', 'leafSha256', 'subject', 'notAfter', 'certificates', 'bytes', 'servers', 'connections', 'completed', 'failed', 'firstSeen', 'lastSeen']);
  });

  it('tells apart two chains with the same leaf and another intermediate (a chain is the list as sent)', () => {
    const cert = (sha256: string) => ({ sha256, subject: `CN=${sha256}`, notAfter: null, bytes: 100 });
    const report = (chain: string[], outcome: string, port = 25) =>
      ({ certificates: chain.map(cert), server: { ip: '192.0.2.1', port }, start: '2030-01-01T00:00:00.000000Z', outcome }) as unknown as ConnectionReport;
    const index = new ChainIndex();
    index.add(report(['leaf', 'inter-new'], 'complete'), 0);
    index.add(report(['leaf', 'inter-old'], 'failed'), 1);
    index.add(report(['leaf', 'inter-new'], 'complete', 587), 2);
    const { chains, serversWithSeveralChains } = index.result();
    expect(chains.map((c) => [c.leafSha256, c.certificates, c.servers, c.connections, c.failed, c.bytes])).toEqual([
      ['leaf', ['leaf', 'inter-new'], ['192.0.2.1:25', '192.0.2.1:587'], 2, 0, 206],
      ['leaf', ['leaf', 'inter-old'], ['192.0.2.1:25'], 1, 1, 206],
    ]);
    expect(serversWithSeveralChains.map((s) => [s.server, s.chains.map((c) => c.failed)])).toEqual([['192.0.2.1:25', [0, 1]]]);
  });

  it('says when one server address and port sent two chains, with each chain failure counts there', async () => {
    const { summary } = await analyzeCaptures([STORY]);
    expect(summary.serversWithSeveralChains).toEqual([
      {
        server: '10.77.0.1:25',
        chains: [
          { id: CHAIN_A, subject: 'C=XX, O=Mail Lab Test, CN=mail.lab.test', certificates: 2, connections: 5, completed: 5, failed: 0, failureRate: 0 },
          { id: CHAIN_B, subject: 'C=XX, O=Mail Lab Test, CN=*.lab.test', certificates: 4, connections: 3, completed: 0, failed: 3, failureRate: 1 },
        ],
      },
    ]);
    // A server with one chain is no finding: the lab's 10.77.0.1 and 10.77.0.4 each send their own.
    const lab = await analyzeCaptures([capture('abort-after-shd.pcap')]);
    expect(lab.summary.chains).toHaveLength(2);
    expect(lab.summary.serversWithSeveralChains).toEqual([]);
    expect(lab.summary.verdict.map((v) => v.code)).not.toContain('server-serves-several-chains');
    expect(lab.summary.chainProblems).toEqual({ 'large-chain': { connections: 3, failed: 3 } });
  });

  it('leads the verdict with it: every failure got chain B, every completed handshake chain A', async () => {
    const { summary } = await analyzeCaptures([STORY]);
    expect(summary.verdict.map((v) => v.code)).toEqual(['server-serves-several-chains', 'failed-at-step', 'retried-and-completed']);
    expect(summary.verdict[0]!.text).toBe(
      `on 10.77.0.1:25, all 3 failures got chain ${CHAIN_B} (*.lab.test, 4 certificates, 7,096 bytes); all 5 completed connections that showed their chain got chain ${CHAIN_A} (mail.lab.test, 2 certificates, 2,684 bytes): the server serves two chains`,
    );
    expect(summary.verdict[1]!.text).toBe('all 3 failures stopped at step 4 ServerHelloDone, all ended by the client (FIN ×3)');
    expect(summary.verdict[2]!.text).toBe('2 of 3 failures were retried and completed within 3.4 s (1 not retried within 300 s)');
  });

  it('groups by chain (--by chain)', async () => {
    const { connections } = await analyzeCaptures([STORY]);
    const g = groupConnections(connections, 'chain');
    expect(combineGroups(g, (v) => groupWords(v, 'chain')).map((x) => [x.key, x.connections, x.failed, x.failureRate])).toEqual([
      [`chain ${CHAIN_B} (*.lab.test, 4 certificates, 7,096 bytes)`, 3, 3, 1],
      [`chain ${CHAIN_A} (mail.lab.test, 2 certificates, 2,684 bytes)`, 6, 0, 0],
      ['(no chain seen)', 1, 0, 0],
    ]);
    const cli = runCli(['analyze', STORY, '--by', 'chain', '-f', 'json']);
    expect(cli.status).toBe(0);
    // In JSON a chain is its id, as summary.chains names it.
    expect(JSON.parse(cli.stdout).groups.groups.map((x: { value: string | null }) => x.value)).toEqual([CHAIN_B, CHAIN_A, null]);
  });
});

describe('the chain problem a failure got, named in its diagnosis', () => {
  it('names the missing intermediate for unknown_ca and for a client that leaves after ServerHelloDone', async () => {
    const { connections, summary } = await analyzeCaptures([MISSING]);
    const [alert, reset, ok] = connections;
    expect(alert!.end.alert?.name).toBe('unknown_ca');
    expect(alert!.certificates).toHaveLength(1);
    expect(alert!.diagnosis).toContain("the client does not trust the CA that issued the server's certificate: the chain lacks the intermediate that issued the leaf: the server sent its certificate alone (issued by 'O=Missing Lab, CN=Missing Lab Issuing CA')");
    expect(reset!.end.how).toBe('rst');
    expect(reset!.lastStep).toBe(4);
    expect(reset!.diagnosis).toContain('without an alert: it rejected the server\'s certificate or key exchange, and the chain explains it: the chain lacks the intermediate that issued the leaf');
    expect(ok!.outcome).toBe('complete');
    expect(summary.verdict[0]).toEqual({ code: 'chain-missing-intermediate', text: 'both failures got a chain that lacks the intermediate that issued the leaf' });
  });

  it('stays generic when the chain is whole (the lab chains carry their intermediate)', async () => {
    const { connections, summary } = await analyzeCaptures([capture('abort-after-shd.pcap'), capture('cert-reject.pcap')]);
    for (const c of connections) expect(c.diagnosis).not.toContain('the chain lacks');
    expect(summary.verdict.map((v) => v.code)).not.toContain('chain-missing-intermediate');
  });

  it('picks the problem that fits the alert', () => {
    const leaf = { subject: 'CN=a', issuer: 'CN=Inter', selfSigned: false, ca: false, sha256: 'x', bytes: 1 };
    const inter = { ...leaf, subject: 'CN=Inter', issuer: 'CN=Root', ca: true };
    const problems = [
      { code: 'expired' as const, index: 0, message: 'the leaf had expired' },
      { code: 'name-mismatch' as const, index: 0, message: 'the name does not match' },
    ];
    const r = { certificates: [leaf, inter], chainProblems: problems } as never;
    expect(chainCause(r, 45)).toEqual({ code: 'expired', text: 'the leaf had expired' });
    expect(chainCause(r, null)?.code).toBe('expired');
    // unknown_ca is not explained by dates or names.
    expect(chainCause(r, 48)).toBeNull();
    const missing = { certificates: [leaf, inter], chainProblems: [{ code: 'issuer-not-next' as const, index: 0, message: '…' }] } as never;
    expect(chainCause(missing, 48)).toEqual({ code: 'missing-intermediate', text: "the chain lacks the intermediate that issued the leaf ('CN=Inter')" });
  });
});

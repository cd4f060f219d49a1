import { describe, expect, it } from 'vitest';
import { runCli } from './run.js';

const LAB = ['captures/abort-after-shd.pcap', 'captures/cert-reject.pcap', 'captures/good-993-imaps.pcap'];

describe('tlsdissect analyze --by, --server-name, --ca', () => {
  it('prints one row per group with counts, failure rate, where and how failures ended, first and last seen', () => {
    const r = runCli(['analyze', ...LAB, '--by', 'end']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('groups by how it ended (failure rate = failed / (completed + failed))');
    expect(r.stdout).toMatch(/^client alert unknown_ca +5 +0 +5 +100% +4 ServerHelloDone ×4, 4 /m);
    // The fifth is TLS 1.3: its step 4 has TLS 1.3's name.
    expect(r.stdout).toMatch(/end of server flight ×1/);
    expect(r.stdout).toMatch(/first seen \(UTC\)/);
    expect(r.stdout).toContain('19 connections: 3 complete, 16 failed');
  });

  it('gives the same as data in the JSON document', () => {
    const r = runCli(['analyze', ...LAB, '--by', 'ja4', '-f', 'json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(['schemaVersion', 'captures', 'connections', 'summary', 'groups', 'tool']);
    expect(doc.groups.by).toBe('ja4');
    const top = doc.groups.groups[0];
    expect(Object.keys(top)).toEqual(['value', 'connections', 'completed', 'failed', 'failureRate', 'failedAt', 'endedBy', 'firstSeen', 'lastSeen']);
    expect(doc.groups.groups.reduce((n: number, g: { connections: number }) => n + g.connections, 0)).toBe(19);
    expect(doc.summary.notableGroups).toEqual([]);
    const c = doc.connections[0];
    expect(c.fingerprints).toEqual({ ja3: 'fbe7e189e37a07ee33706f86bc746344', ja3s: 'ec74a5c51106f0419184d0dd08fb05bc', ja4: 't12i280600_d943125447b4_e7e480e5a997' });
    expect(Object.keys(c.certificates[0])).toEqual(expect.arrayContaining(['subject', 'issuer', 'san', 'notBefore', 'notAfter', 'keyType', 'keyBits', 'sha256', 'bytes']));
    expect(c.chainProblems).toEqual([]);
  });

  it('checks the certificate against --server-name and validates it against --ca', () => {
    const r = runCli(['analyze', 'captures/abort-after-shd.pcap', '-f', 'json', '--server-name', 'mail.example.org', '--ca', 'test/tls/fixtures/certs/root.pem']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    for (const c of doc.connections) {
      const codes = c.chainProblems.map((p: { code: string }) => p.code);
      expect(codes).toContain('name-mismatch');
      expect(codes).toContain('untrusted');
    }
    const ok = JSON.parse(runCli(['analyze', 'captures/abort-after-shd.pcap', '-f', 'json', '--server-name', 'mail.lab.test']).stdout);
    for (const c of ok.connections) expect(c.chainProblems.filter((p: { code: string }) => p.code === 'name-mismatch')).toEqual([]);
  });

  it('shows fingerprints and the chain in the one-connection view', () => {
    const r = runCli(['analyze', 'captures/abort-after-shd.pcap', '-c', '2']);
    expect(r.stdout).toContain('fingerprints: JA4 t12i280600_d943125447b4_e7e480e5a997');
    expect(r.stdout).toContain('certificates sent: 4, 7,096 bytes in the Certificate message');
    expect(r.stdout).toContain('chain problem (large-chain)');
  });

  it('refuses what it cannot do', () => {
    expect(runCli(['analyze', LAB[0]!, '--by', 'colour']).status).toBe(2);
    expect(runCli(['analyze', LAB[0]!, '--by', 'end', '-c', '1']).status).toBe(2);
    const missing = runCli(['analyze', LAB[0]!, '--ca', 'no-such-file.pem']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--ca no-such-file.pem');
    const notCerts = runCli(['analyze', LAB[0]!, '--ca', 'package.json']);
    expect(notCerts.status).toBe(2);
    expect(notCerts.stderr).toContain('no certificate in it');
  });
});

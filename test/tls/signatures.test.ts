/**
 * Chain checks that cannot be made expensive (issue 22, point 3): issuers found by names and key
 * identifiers, one signature check per certificate, checks cached across the capture, keys too large to
 * check left out with a note, and a budget per chain. The crafted captures come from
 * scripts/make-expensive-chains.mjs (same-name certificates with random keys and bogus signatures); what
 * is asserted is the number of signature checks made (signatureChecksPerformed), never a time.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expensiveCertificate, expensiveChainCapture } from '../../scripts/make-expensive-chains.mjs';
import { analyzeCapture } from '../../src/analyze/pipeline.js';
import type { ConnectionReport } from '../../src/handshake/report.js';
import { inspectChain, type ChainReport } from '../../src/tls/chain-checks.js';
import { loadTrustStore } from '../../src/tls/trust-store.js';
import { CheckBudget, checkSignature, CHECKS_PER_CHAIN, signatureChecksPerformed } from '../../src/tls/signatures.js';

const CERTS = join(import.meta.dirname, 'fixtures/certs');
const CAPTURES = join(import.meta.dirname, '../../captures');
const dir = mkdtempSync(join(tmpdir(), 'signatures-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function der(name: string): Buffer {
  const pem = readFileSync(join(CERTS, `${name}.pem`), 'latin1');
  return Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

let captures = 0;
/** Analyze a crafted capture; the connections and the signature checks they cost. */
async function analyzeCrafted(options: Parameters<typeof expensiveChainCapture>[0]): Promise<{ connections: ConnectionReport[]; checks: number }> {
  const file = join(dir, `crafted-${captures++}.pcap`);
  writeFileSync(file, expensiveChainCapture({ seed: 1000 + captures, ...options }));
  const before = signatureChecksPerformed();
  const { connections } = await analyzeCapture(file);
  return { connections, checks: signatureChecksPerformed() - before };
}

const codes = (r: { chainProblems?: { code: string }[]; problems?: { code: string }[] }) => (r.chainProblems ?? r.problems ?? []).map((p) => p.code);

describe('a chain of same-name certificates (each could be any other one\'s issuer)', () => {
  it('costs one check per certificate toward its issuer, plus each one\'s own signature: 8 + 7, not 8 × 8', async () => {
    const { connections, checks } = await analyzeCrafted({ connections: 1, certificates: 8, key: 'rsa', bits: 1024 });
    expect(connections).toHaveLength(1);
    expect(connections[0]!.certificates).toHaveLength(8);
    expect(checks).toBe(8 + 7);
    // Each names the next as its issuer, whose key did not sign it: said so, certificate by certificate.
    const problems = connections[0]!.chainProblems;
    expect(problems.filter((p) => p.code === 'issuer-not-next').map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(problems[0]!.message).toBe("#1 'mail.example.test' names #2 'mail.example.test' as its issuer, but that certificate's key did not sign it: a certificate with the issuer's name and another key (an old or re-issued intermediate) is sent, and the right one is missing");
    expect(codes(connections[0]!)).not.toContain('checks-skipped');
  });
});

describe('keys too large to check', () => {
  for (const [key, bits, words] of [
    ['rsa', 16384, '16,384-bit RSA'],
    ['dsa', 10000, '10,000-bit DSA'],
  ] as const) {
    it(`are not used (${words}): no check at all, and a note that says which and why`, async () => {
      const { connections, checks } = await analyzeCrafted({ connections: 3, certificates: 12, key, bits });
      expect(connections).toHaveLength(3);
      expect(checks).toBe(0);
      for (const c of connections) {
        const notes = c.chainProblems.filter((p) => p.code === 'key-too-large');
        expect(notes).toHaveLength(1);
        expect(notes[0]!.index).toBeNull();
        expect(notes[0]!.message).toBe(
          `signatures not checked: #1 'mail.example.test' (${words}), #2 'mail.example.test' (${words}), #3 'mail.example.test' (${words}), #4 'mail.example.test' (${words}) and 8 more have keys larger than tlsdissect verifies with (RSA over 8,192 bits, DSA over 3,072), so the certificates they sign were matched to them by names and key identifiers only; keys this large make every check slow, and many clients refuse them`,
        );
        expect(codes(c)).not.toContain('checks-skipped');
      }
    });
  }

  it('in a chain of one: judged by names, and the note names that one', () => {
    const own = expensiveCertificate((n) => randomBytes(n), { key: 'rsa', bits: 9000, cn: 'big.example.test' });
    const before = signatureChecksPerformed();
    const r = inspectChain([own], { time: Date.UTC(2030, 5, 1) / 1000, names: [] });
    expect(signatureChecksPerformed()).toBe(before);
    expect(r.certificates[0]).toMatchObject({ keyType: 'RSA', keyBits: 9000, selfSigned: true });
    expect(codes(r)).toEqual(['self-signed', 'key-too-large']);
    expect(r.problems[1]).toEqual({
      code: 'key-too-large',
      index: 0,
      message: "signatures not checked: #1 'big.example.test' (9,000-bit RSA) has a key larger than tlsdissect verifies with (RSA over 8,192 bits, DSA over 3,072), so the certificates it signs were matched to it by names and key identifiers only; keys this large make every check slow, and many clients refuse them",
    });
  });

  it('are checked up to the limit (8,192-bit RSA, 3,072-bit DSA)', async () => {
    const rsa = await analyzeCrafted({ connections: 1, certificates: 2, key: 'rsa', bits: 8192 });
    expect(rsa.checks).toBe(2 + 1);
    expect(codes(rsa.connections[0]!)).not.toContain('key-too-large');
    const dsa = await analyzeCrafted({ connections: 1, certificates: 2, key: 'dsa', bits: 3072 });
    expect(dsa.checks).toBe(2 + 1);
    expect(codes(dsa.connections[0]!)).not.toContain('key-too-large');
  });
});

describe('the budget of one chain', () => {
  it(`stops after ${CHECKS_PER_CHAIN} checks with a note; the next connections check what the first could not`, async () => {
    // 32 same-name certificates: 32 own signatures and 11 links to check, 43 in all.
    const { connections, checks } = await analyzeCrafted({ connections: 3, certificates: 32, key: 'rsa', bits: 1024, same: true });
    expect(connections).toHaveLength(3);
    const [first, second, third] = connections;
    const skipped = first!.chainProblems.find((p) => p.code === 'checks-skipped');
    expect(skipped?.message).toBe(
      `not every signature was checked: the checks of one chain stop after ${CHECKS_PER_CHAIN} signature checks, and ${43 - CHECKS_PER_CHAIN} more were needed, so those links rest on names and key identifiers alone (an ordinary chain needs a handful; this one sends many certificates that could be each other's issuer, or keys slow to check)`,
    );
    // Unchecked links count as signed: the first connection does not blame them.
    expect(codes(first!)).not.toContain('issuer-not-next');
    // Each made at most its budget; the answers are kept, so together they made each of the 43 checks once.
    expect(checks).toBe(43);
    expect(codes(second!)).toContain('checks-skipped');
    expect(codes(third!)).not.toContain('checks-skipped');
    expect(third!.chainProblems.filter((p) => p.code === 'issuer-not-next')).toHaveLength(11);
  });

  it('stops when the checks have taken its CPU time, whatever their count', () => {
    const rand = (n: number) => randomBytes(n);
    const certificate = (serial: number) => new X509Certificate(expensiveCertificate(rand, { key: 'dsa', bits: 3072, serial }));
    const a = certificate(1);
    const b = certificate(2);
    const sha = 'f'.repeat(64);
    // No time at all: nothing is checked.
    const none = new CheckBudget(1000, 0);
    expect(checkSignature(a, sha, b, none)).toBe('over-budget');
    expect(none).toMatchObject({ checks: 0, skipped: 1 });
    expect(none.reason).toBe('after 0 ms of signature checks');
    // A 3,072-bit DSA check takes about a millisecond of CPU, counted into the budget.
    const some = new CheckBudget(1000, 1000);
    expect(checkSignature(a, sha, b, some)).toBe('invalid');
    expect(some.checks).toBe(1);
    expect(some.cpuMicros).toBeGreaterThan(0);
  });
});

describe('the answers kept for the capture', () => {
  it('check the same chain once in 50 connections, though each asks for another name', async () => {
    // Another SNI per connection: the chain's problems are worked out again each time; the signatures are not.
    const { connections, checks } = await analyzeCrafted({ connections: 50, certificates: 8, key: 'rsa', bits: 1024, same: true, names: 'each' });
    expect(connections).toHaveLength(50);
    expect(checks).toBe(8 + 7);
    for (const c of connections) expect(codes(c).filter((x) => x === 'issuer-not-next')).toHaveLength(7);
    expect(new Set(connections.map((c) => c.tls.sni)).size).toBe(50);
  });

  it('check a real chain and its --ca path once in 50 connections', () => {
    const chain = [der('leaf'), der('root'), der('inter')];
    const loaded = loadTrustStore(readFileSync(join(CERTS, 'root.pem')), 'ca.pem');
    if (!loaded.ok) throw new Error(loaded.error);
    const run = (i: number): ChainReport => inspectChain(chain, { time: Date.UTC(2030, 5, 1) / 1000, names: [{ name: `mx${i}.example.test`, source: 'SNI' }], trustStore: loaded.store });
    const before = signatureChecksPerformed();
    const first = run(0);
    // The root's own signature, leaf by inter (out of order), inter by root; the path to ca.pem's root reuses them.
    expect(signatureChecksPerformed() - before).toBe(3);
    expect(codes(first).sort()).toEqual(['name-mismatch', 'out-of-order', 'root-sent']);
    for (let i = 1; i < 50; i++) expect(codes(run(i)).sort()).toEqual(['name-mismatch', 'out-of-order', 'root-sent']);
    expect(signatureChecksPerformed() - before).toBe(3);
  });
});

describe('ordinary chains', () => {
  // chainProblems as they were before the budget (analyze --format json of these captures, byte-identical).
  const expected: Record<string, string[][]> = {
    'good-25-smtp-starttls.pcap': [[], [], []],
    'cert-reject.pcap': [[], [], ['large-chain'], [], [], [], []],
    'abort-after-shd.pcap': [[], ['large-chain'], [], [], ['large-chain'], [], [], [], ['large-chain']],
    'ssl-selfsign.pcap': [['self-signed']],
    'tls1.2.pcap': [['root-sent']],
    'telesec.pcap': [['root-sent']],
    'badcurveball.pcap': [['root-sent']],
  };
  for (const [name, wanted] of Object.entries(expected)) {
    it(`keep their chain problems: ${name}`, async () => {
      const { connections } = await analyzeCapture(join(CAPTURES, name));
      const got = connections.map((c) => codes(c));
      expect(got).toEqual(wanted);
      for (const c of connections) expect(codes(c)).not.toContain('checks-skipped');
      for (const c of connections) expect(codes(c)).not.toContain('key-too-large');
    });
  }
});

import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/analyze/pipeline.js';
import type { ConnectionReport } from '../../src/handshake/report.js';
import { loadConfiguredChain, type ConfiguredChain, type NotTheConfiguredChain } from '../../src/tls/configured-chain.js';
import { capture, runCli } from '../cli/run.js';

// Made by scripts/make-configured-chain-captures.sh with openssl s_server / s_client on loopback:
// configured-chain-tls12.pcap #1 sends chain.pem (leaf + intermediate), #2 the leaf alone;
// tls13-client-leaves.pcap: both connections get chain.pem, encrypted.
const TLS12 = capture('configured-chain-tls12.pcap');
const TLS13 = capture('tls13-client-leaves.pcap');
const pem = (name: string) => capture(`configured-chain/${name}`);

function chain(name: string): ConfiguredChain {
  const loaded = loadConfiguredChain(readFileSync(pem(name)), pem(name));
  if (!loaded.ok) throw new Error(loaded.error);
  return loaded.chain;
}

const mismatch = (r: ConnectionReport) => r.chainProblems.find((p): p is NotTheConfiguredChain => p.code === 'not-the-configured-chain');

async function analyzeWith(file: string, ...chains: string[]) {
  const result = await analyzeCaptures([file], { configuredChains: chains.map(chain), serverName: 'mail.example.test' });
  return result;
}

describe('--cert on TLS 1.2: the chain sent against the configured one', () => {
  it('a chain sent as configured is not flagged; the leaf sent alone has the intermediate missing', async () => {
    const { connections } = await analyzeWith(TLS12, 'chain.pem');
    expect(connections.map((c) => c.outcome)).toEqual(['complete', 'complete']);
    expect(mismatch(connections[0]!)).toBeUndefined();
    const p = mismatch(connections[1]!)!;
    expect(p.differences).toEqual(['missing']);
    expect(p.message).toContain("'CN=Lab Issuing CA' is configured but not sent");
    expect(p.inferred).toBeUndefined();
  });

  it('after a renewal: the same name, another certificate', async () => {
    const { connections } = await analyzeWith(TLS12, 'renewed.pem');
    const p = mismatch(connections[0]!)!;
    expect(p.differences).toEqual(['leaf']);
    expect(p.message).toMatch(/the same name, another certificate/);
    expect(mismatch(connections[1]!)!.differences).toEqual(['leaf', 'missing']);
  });

  it('the same certificates in another order', async () => {
    const { connections } = await analyzeWith(TLS12, 'bad-order.pem');
    expect(mismatch(connections[0]!)!.differences).toEqual(['order']);
  });

  it('matches any of several configured chains (one per certificate type or server)', async () => {
    const { connections } = await analyzeWith(TLS12, 'renewed.pem', 'chain.pem');
    expect(mismatch(connections[0]!)).toBeUndefined();
  });
});

describe('--cert on TLS 1.3: inferred from the sizes of the encrypted flight', () => {
  it("the Certificate message's size is computed as the server sends it: chain.pem's record is exactly there, not flagged", async () => {
    const c = chain('chain.pem');
    const { connections } = await analyzeWith(TLS13, 'chain.pem');
    for (const r of connections) {
      expect(r.shape).toBe('tls13');
      // The server's largest encrypted record carries the Certificate message: its size + content type + tag.
      const largest = Math.max(...r.messages.filter((m) => m.from === 'server' && m.type.startsWith('encrypted server flight')).map((m) => m.length ?? 0));
      expect(largest).toBe(c.messageBytes.tls13 + 17);
      expect(mismatch(r)).toBeUndefined();
    }
  });

  it('a configured chain bigger than any record of the flight: not-the-configured-chain, inferred, with the figures', async () => {
    const c = chain('renewed.pem');
    const { connections } = await analyzeWith(TLS13, 'renewed.pem');
    for (const r of connections) {
      const p = mismatch(r)!;
      expect(p.inferred).toBe(true);
      expect(p.largestRecord).toBe(chain('chain.pem').messageBytes.tls13 + 17);
      expect(p.neededRecord).toBe(c.messageBytes.tls13 + 17);
      expect(p.message).toContain(`the server's encrypted flight has no record over 1,683 bytes; the configured chain's Certificate message needs ${c.messageBytes.tls13.toLocaleString('en-US')}`);
    }
  });

  it('nothing is inferred when the flight was never seen delivered, or the client offers certificate compression', async () => {
    const { connections } = await analyzeWith(TLS13, 'renewed.pem');
    expect(connections[0]!.steps.some((s) => s.step === 4)).toBe(true);
    const { compareWithConfigured } = await import('../../src/tls/configured-chain.js');
    const wire = { sha256: [], subjects: [], notAfter: [], tls13FlightRecords: [23, 1683, 281, 69], compressionOffered: false };
    expect(compareWithConfigured(wire, [chain('renewed.pem')])?.inferred).toBe(true);
    expect(compareWithConfigured({ ...wire, tls13FlightRecords: null }, [chain('renewed.pem')])).toBeNull();
    // The boundary: a record that could just carry the message says nothing; one byte less does.
    const need = chain('renewed.pem').messageBytes.tls13 + 17;
    expect(compareWithConfigured({ ...wire, tls13FlightRecords: [23, need, 69] }, [chain('renewed.pem')])).toBeNull();
    expect(compareWithConfigured({ ...wire, tls13FlightRecords: [23, need - 1, 69] }, [chain('renewed.pem')])?.neededRecord).toBe(need);
    expect(compareWithConfigured({ ...wire, compressionOffered: true }, [chain('renewed.pem')])).toBeNull();
  });
});

describe('the configured chain in the summary', () => {
  it("reports the file's own problems once: order, a lone server certificate, the name", async () => {
    const bad = await analyzeCaptures([TLS12], { configuredChains: [chain('bad-order.pem')], serverName: 'other.example.test' });
    const codes = bad.summary.configuredChains![0]!.problems.map((p) => p.code);
    expect(codes).toEqual(['out-of-order', 'name-mismatch']);
    const good = await analyzeWith(TLS12, 'chain.pem');
    expect(good.summary.configuredChains![0]!.problems).toEqual([]);
    expect(good.summary.configuredChains![0]!.certificates.map((c) => c.subject)).toEqual(['CN=mail.example.test', 'CN=Lab Issuing CA']);
  });

  it('a certificate expired at the time of the capture', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cert-'));
    // test/tls/fixtures/certs: leaf-expired was valid 2020-2021, before these captures.
    const leaf = readFileSync(join(import.meta.dirname, 'fixtures/certs/leaf-expired.pem'), 'latin1');
    const inter = readFileSync(join(import.meta.dirname, 'fixtures/certs/inter.pem'), 'latin1');
    writeFileSync(join(dir, 'expired.pem'), leaf + inter);
    const loaded = loadConfiguredChain(readFileSync(join(dir, 'expired.pem')), 'expired.pem');
    if (!loaded.ok) throw new Error(loaded.error);
    const r = await analyzeCaptures([TLS12], { configuredChains: [loaded.chain] });
    const p = r.summary.configuredChains![0]!.problems;
    expect(p.map((x) => x.code)).toEqual(['expired']);
    expect(p[0]!.message).toMatch(/had expired at the time of the capture/);
  });

  it('the CLI: a text line, the JSON summary, one-line errors (exit 2) for a directory, a huge file, no certificate', () => {
    const text = runCli(['analyze', TLS13, '--cert', pem('renewed.pem')]);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/configured chain .*renewed\.pem: 2 certificates \(mail\.example\.test ← Lab Issuing CA\), 6,366 bytes as a TLS 1\.3 Certificate message; no problem of its own/);
    const json = JSON.parse(runCli(['analyze', TLS13, '--cert', pem('renewed.pem'), '-f', 'json']).stdout);
    expect(json.summary.configuredChains[0].messageBytes).toBe(6366);
    expect(json.connections[0].chainProblems.map((p: { code: string }) => p.code)).toEqual(['not-the-configured-chain']);

    // --redact: the configured chain's names are hidden too, though TLS 1.3 never showed them in the clear.
    for (const format of ['text', 'json']) {
      const redacted = runCli(['analyze', TLS13, '--cert', pem('renewed.pem'), '--redact', '-f', format]);
      expect(redacted.stdout).toMatch(/configured/);
      expect(redacted.stdout, format).not.toMatch(/Lab Issuing CA|mail\.example\.test/);
    }

    const dir = mkdtempSync(join(tmpdir(), 'cert-'));
    const huge = join(dir, 'huge.pem');
    writeFileSync(huge, '');
    truncateSync(huge, 16 * 1024 * 1024 + 1);
    const empty = join(dir, 'empty.pem');
    writeFileSync(empty, 'not a certificate\n');
    for (const [file, why] of [
      [dir, /is a directory, not a certificate chain file/],
      [huge, /16.0 MB, more than the 16 MB a certificate chain file may hold/],
      [empty, /no certificate in it/],
      [join(dir, 'missing.pem'), /ENOENT|no such file/i],
    ] as const) {
      const r = runCli(['analyze', TLS13, '--cert', file]);
      expect(r.status, file).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(why);
    }
  });
});

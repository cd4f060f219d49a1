import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/analyze/pipeline.js';
import { capture, runCli } from '../cli/run.js';

// tls13-client-leaves.pcap (scripts/make-configured-chain-captures.sh, openssl s_server on loopback):
// #1 a client sends its ClientHello, its kernel acknowledges the server's whole flight (frame 7), and it closes
//    (FIN, frame 8) without a word; #2 openssl s_client completes.
const LEAVES = capture('tls13-client-leaves.pcap');
const TLS13 = ['illustrated-tls13-capture.pcap', 'curl-enabled-tls13.pcap', 'hrr.pcap', 'tls13-client-leaves.pcap'].map(capture);
const TLS12_NAMES = /ServerHelloDone|ServerKeyExchange/;

describe("TLS 1.3's flight", () => {
  it('step 4 is reached when the client acknowledged every byte of the flight and the server then waited', async () => {
    const { connections } = await analyzeCaptures([LEAVES]);
    const [left, done] = connections;
    expect(left!.outcome).toBe('failed');
    expect(left!.lastStep).toBe(4);
    expect(left!.lastStepName).toBe('end of server flight');
    expect(left!.steps.find((s) => s.step === 4)).toMatchObject({ name: 'end of server flight', frame: 7 });
    // The encrypted alert the server sends after the client's FIN is no part of the flight.
    expect(left!.tcp.serverFlight).toEqual({ bytes: 2209, ackedByClient: 2209 });
    expect(left!.diagnosis).toBe("client closed (FIN) 508 ms after the server's encrypted flight without an alert, after the server's whole encrypted flight was delivered: it most likely rejected the server's certificate");
    // When the client answers, step 4 is reached at its answer.
    expect(done!.outcome).toBe('complete');
    expect(done!.steps.map((s) => [s.step, s.name])).toEqual([
      [1, 'ClientHello'],
      [2, 'ServerHello'],
      [3, 'server flight (encrypted)'],
      [4, 'end of server flight'],
      [7, 'client Finished (encrypted)'],
    ]);
    expect(done!.lastStepName).toBe('handshake complete');
  });

  it('no step 4 when the ACK of the flight comes with the FIN, or never comes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tls13-'));
    // Without frame 7 the client's FIN (frame 8) is what acknowledges the flight: it left as the flight arrived,
    // and whether the server had more to say cannot be told. Without frames 7-10 nothing acknowledges it.
    const finAcks = join(dir, 'fin-acks.pcap');
    writeFileSync(finAcks, dropFrames(readFileSync(LEAVES), new Set([7])));
    const never = join(dir, 'never.pcap');
    writeFileSync(never, dropFrames(readFileSync(LEAVES), new Set([7, 8, 9, 10])));
    for (const file of [finAcks, never]) {
      const r = (await analyzeCaptures([file])).connections[0]!;
      expect(r.lastStep, file).toBe(3);
      expect(r.lastStepName).toBe('server flight (encrypted)');
    }
  });

  it('no TLS 1.3 connection is named after ServerKeyExchange or ServerHelloDone: table, -c, JSON, summary, diff', () => {
    for (const file of TLS13) {
      const text = runCli(['analyze', file]);
      expect(text.status, file).toBe(0);
      expect(text.stdout, file).not.toMatch(TLS12_NAMES);
      const json = JSON.parse(runCli(['analyze', file, '-f', 'json']).stdout);
      for (const c of json.connections) {
        expect(c.shape).toBe('tls13');
        expect(JSON.stringify({ lastStepName: c.lastStepName, steps: c.steps, diagnosis: c.diagnosis }), file).not.toMatch(TLS12_NAMES);
      }
      expect(JSON.stringify(json.summary), file).not.toMatch(TLS12_NAMES);
      const one = runCli(['analyze', file, '-c', '1']);
      expect(one.stdout, file).not.toMatch(TLS12_NAMES);
    }
    const summary = runCli(['analyze', LEAVES, '-f', 'json']);
    // JSON keys the steps by number; the text names step 4 as TLS 1.3 takes it.
    expect(JSON.parse(summary.stdout).summary.failedAtStep).toEqual({ '4': 1 });
    expect(runCli(['analyze', LEAVES]).stdout).toContain('failed at step: 4 end of server flight ×1');
    const diff = runCli(['diff', `${LEAVES}#2`, `${LEAVES}#1`]);
    expect(diff.status).toBe(0);
    expect(diff.stdout).toMatch(/Both reach step 4 end of server flight/);
    expect(diff.stdout).toMatch(/3 server flight \(encrypted\)/);
    expect(diff.stdout).not.toMatch(TLS12_NAMES);
  });
});

/** A little-endian pcap without the frames numbered in `drop` (1-based). */
function dropFrames(pcap: Buffer, drop: Set<number>): Buffer {
  const parts = [pcap.subarray(0, 24)];
  let at = 24;
  for (let frame = 1; at + 16 <= pcap.length; frame++) {
    const length = 16 + pcap.readUInt32LE(at + 8);
    if (!drop.has(frame)) parts.push(pcap.subarray(at, at + length));
    at += length;
  }
  return Buffer.concat(parts);
}

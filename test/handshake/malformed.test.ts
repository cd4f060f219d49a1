/**
 * A failed handshake in which one side sent a malformed message: the diagnosis starts with that message,
 * since whatever the peer did next was its answer to it. Completed handshakes keep their diagnosis.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/analyze/pipeline.js';

const CAPTURES = join(import.meta.dirname, '../../captures');
const analyze = async (file: string) => (await analyzeCapture(join(CAPTURES, file))).connections;

describe('diagnosis of a malformed message', () => {
  it('tls1.2-broken-ccs.pcap: the client’s 38-byte ChangeCipherSpec comes first', async () => {
    const [c] = await analyze('tls1.2-broken-ccs.pcap');
    expect(c.outcome).toBe('failed');
    expect(c.diagnosis).toMatch(/^the client's ChangeCipherSpec in frame 10 is malformed: 38 bytes \(must be the one byte 1: a peer rejects it\); then client sent an encrypted alert/);
  });

  it('the original tls1.2.pcap has no such note', async () => {
    const [c] = await analyze('tls1.2.pcap');
    expect(c.outcome).toBe('complete');
    expect(c.diagnosis).not.toMatch(/malformed/);
  });

  it('top_100_fingerprints.pcap: a ClientHello whose pre_shared_key is cut explains the server’s decode_error', async () => {
    const conns = await analyze('top_100_fingerprints.pcap');
    const c = conns.find((x) => x.id === 12)!;
    expect(c.end.alert).toMatchObject({ from: 'server', code: 50 });
    expect(c.diagnosis).toBe(
      "the client's ClientHello in frame 98 is malformed: extension pre_shared_key: identities length needs 2 bytes, only 0 left; " +
        "then server sent alert decode_error (50) after the client's ClientHello — the server could not decode a client message",
    );
    // Only failed connections get it.
    for (const x of conns) if (x.outcome !== 'failed') expect(x.diagnosis).not.toMatch(/is malformed/);
  });
});

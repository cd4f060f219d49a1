/**
 * captures/tls1.2-broken-ccs.pcap, made by scripts/make-broken-ccs.mjs from Zeek's tls1.2.pcap (our stand-in for
 * Zeek's tls1.2-late-protocol-error.pcap): the script reproduces the committed file, the two differ in 3 bytes
 * of the client's ChangeCipherSpec record, and what we read of the client's records in that frame is what tshark
 * 4.0.17 reads (fixtures/*.records.tsv, made with the command in fixtures/README.md).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/analyze/pipeline.js';

const ROOT = join(import.meta.dirname, '../..');
const GOOD = join(ROOT, 'captures/tls1.2.pcap');
const BAD = join(ROOT, 'captures/tls1.2-broken-ccs.pcap');

/** tshark's rows by frame: content types, record lengths, handshake types. */
function oracle(name: string): Map<number, { types: number[]; lengths: number[]; handshake: number[]; row: string }> {
  const lines = readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8').trimEnd().split('\n').slice(1);
  const nums = (s: string | undefined) => (s ? s.split(',').map(Number) : []);
  return new Map(
    lines.map((line) => {
      const f = line.split('\t');
      return [Number(f[0]), { types: nums(f[3]), lengths: nums(f[4]), handshake: nums(f[5]), row: line }];
    }),
  );
}

describe('tls1.2-broken-ccs.pcap', () => {
  it('is what scripts/make-broken-ccs.mjs makes from tls1.2.pcap: 3 bytes apart, all in the client ChangeCipherSpec record', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tlsdissect-ccs-')), 'broken.pcap');
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/make-broken-ccs.mjs'), GOOD, out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(out).equals(readFileSync(BAD))).toBe(true);
    const a = readFileSync(GOOD);
    const b = readFileSync(BAD);
    expect(b.length).toBe(a.length);
    const differ: number[] = [];
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differ.push(i);
    expect(differ).toHaveLength(3);
    // The ChangeCipherSpec header's length (low byte), its one byte, and the next record's content type: 6 bytes apart at most.
    expect(differ[2]! - differ[0]!).toBeLessThan(6);
    expect([a[differ[0]! - 4], a[differ[0]! - 1], a[differ[0]!], a[differ[1]!]]).toEqual([20, 0, 1, 1]);
  });

  it('tshark reads the same records in both captures but for frame 10, where the ChangeCipherSpec swallows the Finished; so do we', async () => {
    const good = oracle('tls1.2.records.tsv');
    const bad = oracle('tls1.2-broken-ccs.records.tsv');
    expect([...bad.keys()]).toEqual([...good.keys()]);
    for (const [frame, row] of good) if (frame !== 10) expect(bad.get(frame)!.row).toBe(row.row);
    expect(good.get(10)).toMatchObject({ types: [22, 20, 22], lengths: [262, 1, 32], handshake: [16] });
    expect(bad.get(10)).toMatchObject({ types: [22, 20], lengths: [262, 38], handshake: [16] });
    // tshark says nothing about the 38-byte ChangeCipherSpec (no expert info); we note it.
    expect(bad.get(10)!.row.split('\t')[7] ?? '').toBe('');

    const [g] = (await analyzeCapture(GOOD)).connections;
    const [b] = (await analyzeCapture(BAD)).connections;
    const inFrame10 = (r: typeof g) => r!.messages.filter((m) => m.frame === 10).map((m) => `${m.from} ${m.type}`);
    expect(inFrame10(g)).toEqual(['client ClientKeyExchange', 'client ChangeCipherSpec', 'client Finished (encrypted)']);
    expect(inFrame10(b)).toEqual(['client ClientKeyExchange', 'client ChangeCipherSpec']);
    expect(b!.notes).toContain(`client, frame 10: malformed ChangeCipherSpec: ${bad.get(10)!.lengths[1]} bytes (must be the one byte 1: a peer rejects it)`);
    expect(g!.notes.filter((n) => /malformed/.test(n))).toEqual([]);
    expect(b!.steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 8, 9]);
    expect(b).toMatchObject({ outcome: 'failed', lastStep: 9, end: { how: 'alert', by: 'client', alert: { encrypted: true } } });
  });
});

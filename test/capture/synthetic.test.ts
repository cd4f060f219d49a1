import { describe, expect, it } from 'vitest';
import { CaptureReader } from '../../src/capture/reader.js';
import type { CaptureSummary } from '../../src/capture/types.js';
import { copyFrame, type StoredFrame } from '../helpers/frames.js';

/**
 * Small hand-built files for what no capture in the corpus shows: if_tsresol as a power of 2,
 * if_tsoffset, if_fcslen, the obsolete Packet Block, unknown blocks, FCS bits in a pcap link type,
 * Kuznetzov's modified pcap.
 */

function read(bytes: Buffer): { frames: StoredFrame[]; summary: CaptureSummary } {
  const frames: StoredFrame[] = [];
  const reader = new CaptureReader('synthetic', (f) => frames.push(copyFrame(f)));
  reader.push(bytes);
  return { frames, summary: reader.end() };
}

function pad4(b: Buffer): Buffer {
  const rem = b.length % 4;
  return rem === 0 ? b : Buffer.concat([b, Buffer.alloc(4 - rem)]);
}

/** A little-endian pcapng block: type, length, body (padded), length. */
function block(type: number, body: Buffer): Buffer {
  const padded = pad4(body);
  const length = 12 + padded.length;
  const head = Buffer.alloc(8);
  head.writeUInt32LE(type, 0);
  head.writeUInt32LE(length, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(length, 0);
  return Buffer.concat([head, padded, tail]);
}

function option(code: number, value: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt16LE(code, 0);
  h.writeUInt16LE(value.length, 2);
  return Buffer.concat([h, pad4(value)]);
}

function shb(): Buffer {
  const body = Buffer.alloc(16);
  body.writeUInt32LE(0x1a2b3c4d, 0);
  body.writeUInt16LE(1, 4);
  body.writeUInt16LE(0, 6);
  body.writeInt32LE(-1, 8);
  body.writeInt32LE(-1, 12);
  return block(0x0a0d0d0a, body);
}

function idb(linkType: number, snapLength: number, options: Buffer[] = []): Buffer {
  const fixed = Buffer.alloc(8);
  fixed.writeUInt16LE(linkType, 0);
  fixed.writeUInt32LE(snapLength, 4);
  const opts = options.length ? Buffer.concat([...options, Buffer.alloc(4)]) : Buffer.alloc(0);
  return block(1, Buffer.concat([fixed, opts]));
}

function epb(iface: number, ticks: bigint, data: Buffer, originalLength = data.length): Buffer {
  const fixed = Buffer.alloc(20);
  fixed.writeUInt32LE(iface, 0);
  fixed.writeUInt32LE(Number(ticks >> 32n), 4);
  fixed.writeUInt32LE(Number(ticks & 0xffffffffn), 8);
  fixed.writeUInt32LE(data.length, 12);
  fixed.writeUInt32LE(originalLength, 16);
  return block(6, Buffer.concat([fixed, data]));
}

function obsoletePacketBlock(iface: number, ticks: bigint, data: Buffer): Buffer {
  const fixed = Buffer.alloc(20);
  fixed.writeUInt16LE(iface, 0);
  fixed.writeUInt16LE(0, 2);
  fixed.writeUInt32LE(Number(ticks >> 32n), 4);
  fixed.writeUInt32LE(Number(ticks & 0xffffffffn), 8);
  fixed.writeUInt32LE(data.length, 12);
  fixed.writeUInt32LE(data.length, 16);
  return block(2, Buffer.concat([fixed, data]));
}

function spb(data: Buffer, originalLength: number): Buffer {
  const fixed = Buffer.alloc(4);
  fixed.writeUInt32LE(originalLength, 0);
  return block(3, Buffer.concat([fixed, data]));
}

const payload = Buffer.from('0123456789abcdef0123456789', 'latin1');

describe('pcapng details', () => {
  it('if_tsresol as a power of 2 and if_tsoffset', () => {
    // 2^-20 s units; ticks = 1000.5 s worth; offset 1,600,000,000 s.
    const offset = Buffer.alloc(8);
    offset.writeBigInt64LE(1600000000n, 0);
    const bytes = Buffer.concat([
      shb(),
      idb(1, 0, [option(9, Buffer.from([0x80 | 20])), option(14, offset)]),
      epb(0, 1000n * 1048576n + 524288n, payload),
    ]);
    const { frames, summary } = read(bytes);
    expect(summary.damage).toBeNull();
    expect(summary.timePrecision).toBe(7);
    expect(frames[0].time).toBe(1600001000.5);
  });

  it('if_tsresol as a power of 10 (milliseconds)', () => {
    const bytes = Buffer.concat([shb(), idb(1, 0, [option(9, Buffer.from([3]))]), epb(0, 1700000000123n, payload)]);
    const { frames, summary } = read(bytes);
    expect(summary.timePrecision).toBe(3);
    expect(frames[0].time).toBe(1700000000 + 123 / 1000);
  });

  it('nanosecond ticks beyond 2^53 keep their integer seconds exact', () => {
    const bytes = Buffer.concat([shb(), idb(1, 0, [option(9, Buffer.from([9]))]), epb(0, 1705442515175582228n, payload)]);
    const { frames } = read(bytes);
    expect(frames[0].time).toBe(1705442515 + 175582228 / 1e9);
  });

  it('the obsolete Packet Block, an unknown block skipped, a custom block numbered', () => {
    const bytes = Buffer.concat([
      shb(),
      idb(101, 0),
      block(0x0bad, Buffer.concat([Buffer.from([0xd9, 0x7e, 0, 0]), Buffer.from('custom')])),
      obsoletePacketBlock(0, 5_000_000n, payload),
      block(0x12345678, Buffer.alloc(100, 0xee)),
      epb(0, 6_000_000n, payload),
    ]);
    const { frames, summary } = read(bytes);
    expect(summary.damage).toBeNull();
    expect(frames.map((f) => [f.number, f.time, f.linkType])).toEqual([
      [2, 5, 101],
      [3, 6, 101],
    ]);
  });

  it('a Simple Packet Block is cut to the snap length of interface 0 and has the previous time', () => {
    const bytes = Buffer.concat([shb(), idb(1, 10), epb(0, 7_000_000n, payload.subarray(0, 10), 26), spb(payload, 26)]);
    const { frames, summary } = read(bytes);
    expect(frames[1].data.length).toBe(10);
    expect(frames[1].originalLength).toBe(26);
    expect(frames[1].time).toBe(7);
    expect(summary.truncatedFrames).toBe(2);
  });

  it('if_fcslen: the frame check sequence is removed', () => {
    const bytes = Buffer.concat([shb(), idb(1, 0, [option(13, Buffer.from([4]))]), epb(0, 0n, payload)]);
    const { frames, summary } = read(bytes);
    expect(frames[0].data.equals(payload.subarray(0, payload.length - 4))).toBe(true);
    expect(frames[0].originalLength).toBe(payload.length - 4);
    expect(summary.truncatedFrames).toBe(0);
  });

  it('a packet for an interface the section does not declare is corrupt', () => {
    const bytes = Buffer.concat([shb(), idb(1, 0), epb(3, 0n, payload)]);
    const { summary } = read(bytes);
    expect(summary.damage).toEqual({
      kind: 'corrupt',
      offset: shb().length + idb(1, 0).length,
      message: 'Enhanced Packet Block (frame 1) refers to interface 3, but the section declares 1',
    });
  });

  it('a malformed interface option ends the option list without error', () => {
    const bad = Buffer.alloc(4);
    bad.writeUInt16LE(9, 0);
    bad.writeUInt16LE(200, 2); // runs past the block
    const fixed = Buffer.alloc(8);
    fixed.writeUInt16LE(1, 0);
    const bytes = Buffer.concat([shb(), block(1, Buffer.concat([fixed, bad])), epb(0, 3_000_000n, payload)]);
    const { frames, summary } = read(bytes);
    expect(summary.damage).toBeNull();
    expect(frames[0].time).toBe(3);
  });
});

describe('classic pcap details', () => {
  function pcapFile(magic: number, linkField: number, recordHeader: number, records: Buffer[]): Buffer {
    const h = Buffer.alloc(24);
    h.writeUInt32LE(magic, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(65535, 16);
    h.writeUInt32LE(linkField >>> 0, 20);
    const rs = records.map((data, i) => {
      const r = Buffer.alloc(recordHeader);
      r.writeUInt32LE(1700000000 + i, 0);
      r.writeUInt32LE(250000, 4);
      r.writeUInt32LE(data.length, 8);
      r.writeUInt32LE(data.length, 12);
      return Buffer.concat([r, data]);
    });
    return Buffer.concat([h, ...rs]);
  }

  it('FCS length bits in the link type field: masked off, FCS removed', () => {
    const linkField = 1 | 0x04000000 | (2 << 28); // Ethernet, 2 × 16-bit words of FCS
    const { frames, summary } = read(pcapFile(0xa1b2c3d4, linkField, 16, [payload]));
    expect(summary.linkTypes).toEqual([1]);
    expect(frames[0].linkType).toBe(1);
    expect(frames[0].data.length).toBe(payload.length - 4);
    expect(frames[0].originalLength).toBe(payload.length - 4);
  });

  it("Kuznetzov's modified pcap (24-byte record headers)", () => {
    const { frames, summary } = read(pcapFile(0xa1b2cd34, 1, 24, [payload, payload]));
    expect(summary.damage).toBeNull();
    expect(frames.length).toBe(2);
    expect(frames[1].data.equals(payload)).toBe(true);
    expect(frames[1].time).toBe(1700000001 + 250000 / 1e6);
  });

  it('a pcap with a zero-length packet', () => {
    const { frames, summary } = read(pcapFile(0xa1b2c3d4, 1, 16, [Buffer.alloc(0), payload]));
    expect(summary.damage).toBeNull();
    expect(frames.map((f) => f.data.length)).toEqual([0, payload.length]);
  });
});

describe('pcapng Decryption Secrets Blocks', () => {
  function dsb(type: number, secrets: Buffer, declared = secrets.length): Buffer {
    const head = Buffer.alloc(8);
    head.writeUInt32LE(type, 0);
    head.writeUInt32LE(declared, 4);
    return block(0x0000000a, Buffer.concat([head, secrets]));
  }

  it('hands each block\'s secrets to the reader\'s receiver; one that claims more than it holds is skipped', () => {
    const got: [number, string][] = [];
    const reader = new CaptureReader('synthetic', () => undefined, (type, data) => got.push([type, data.toString('latin1')]));
    reader.push(Buffer.concat([shb(), dsb(0x544c534b, Buffer.from('CLIENT_RANDOM a b\n')), dsb(0x57474b4c, Buffer.from('wg')), dsb(0x544c534b, Buffer.from('short'), 4000), idb(1, 65535)]));
    const summary = reader.end();
    expect(summary.damage).toBeNull();
    expect(got).toEqual([
      [0x544c534b, 'CLIENT_RANDOM a b\n'],
      [0x57474b4c, 'wg'],
    ]);
  });
});

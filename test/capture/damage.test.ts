import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureReader, readCapture } from '../../src/capture/reader.js';
import { capturePath, readAllFrames, type StoredFrame } from '../helpers/frames.js';

/** Record start offsets of a little-endian classic pcap, walked independently of the reader. */
function pcapRecordOffsets(buf: Buffer): number[] {
  const offsets: number[] = [];
  let p = 24;
  while (p + 16 <= buf.length) {
    offsets.push(p);
    p += 16 + buf.readUInt32LE(p + 8);
  }
  return offsets;
}

/** Block start offsets and types of a little-endian single-section pcapng. */
function pcapngBlocks(buf: Buffer): { offset: number; type: number; length: number }[] {
  const blocks: { offset: number; type: number; length: number }[] = [];
  let p = 0;
  while (p + 8 <= buf.length) {
    const length = buf.readUInt32LE(p + 4);
    blocks.push({ offset: p, type: buf.readUInt32LE(p), length });
    p += length;
  }
  return blocks;
}

const EPB = 6;

let dir: string;
let pcap: Buffer;
let pcapng: Buffer;
let pcapFrames: StoredFrame[];
let pcapngFrames: StoredFrame[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tlsdissect-capture-'));
  pcap = readFileSync(capturePath('good-25-smtp-starttls.pcap'));
  pcapng = readFileSync(capturePath('good-25-smtp-starttls.pcapng'));
  pcapFrames = (await readAllFrames('good-25-smtp-starttls.pcap')).frames;
  pcapngFrames = (await readAllFrames('good-25-smtp-starttls.pcapng')).frames;
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function readBytes(name: string, bytes: Buffer) {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return readAllFrames(path);
}

function expectPrefix(frames: StoredFrame[], full: StoredFrame[], count: number): void {
  expect(frames.length).toBe(count);
  for (let i = 0; i < count; i++) {
    expect(frames[i].number).toBe(full[i].number);
    expect(frames[i].time).toBe(full[i].time);
    expect(frames[i].data.equals(full[i].data)).toBe(true);
  }
}

describe('files that cannot be opened', () => {
  it('rejects a missing file with a one-line message', async () => {
    const missing = join(tmpdir(), 'no-such-dir-tlsdissect', 'x.pcap');
    await expect(readCapture(missing, () => undefined)).rejects.toThrow(`cannot open ${missing}: no such file`);
  });

  it('rejects a directory', async () => {
    await expect(readCapture(dir, () => undefined)).rejects.toThrow(`cannot open ${dir}: is a directory`);
  });
});

describe('damaged classic pcap (from good-25-smtp-starttls.pcap, 81 frames)', () => {
  it('empty file', async () => {
    const { frames, summary } = await readBytes('empty.pcap', Buffer.alloc(0));
    expect(frames.length).toBe(0);
    expect(summary.format).toBeNull();
    expect(summary.damage).toEqual({ kind: 'empty', offset: 0, message: 'the file is empty' });
  });

  it('a text file', async () => {
    const { summary } = await readBytes('notes.pcap', Buffer.from('Hello, this is not a capture.\n'));
    expect(summary.format).toBeNull();
    expect(summary.damage).toEqual({
      kind: 'not-a-capture',
      offset: 0,
      message: 'not a pcap or pcapng file: it starts with 48 65 6c 6c, which looks like text',
    });
  });

  it('a file that ends inside the magic number', async () => {
    const { summary } = await readBytes('two.pcap', pcap.subarray(0, 2));
    expect(summary.damage).toEqual({
      kind: 'truncated',
      offset: 0,
      message: 'the file ends inside its magic number: 2 of 4 bytes',
    });
  });

  it('cut inside the file header', async () => {
    const { frames, summary } = await readBytes('cut-header.pcap', pcap.subarray(0, 10));
    expect(frames.length).toBe(0);
    expect(summary.format).toBe('pcap');
    expect(summary.damage).toEqual({
      kind: 'truncated',
      offset: 0,
      message: 'the pcap file header is cut off: 10 of 24 bytes',
    });
  });

  it('cut inside a record header', async () => {
    const at = pcapRecordOffsets(pcap)[10];
    const { frames, summary } = await readBytes('cut-record-header.pcap', pcap.subarray(0, at + 7));
    expectPrefix(frames, pcapFrames, 10);
    expect(summary.frames).toBe(10);
    expect(summary.bytes).toBe(at + 7);
    expect(summary.damage).toEqual({
      kind: 'truncated',
      offset: at,
      message: 'packet record 11 header is cut off: 7 of 16 bytes',
    });
  });

  it('cut inside packet data', async () => {
    const at = pcapRecordOffsets(pcap)[40];
    const caplen = pcap.readUInt32LE(at + 8);
    const { frames, summary } = await readBytes('cut-packet.pcap', pcap.subarray(0, at + 16 + 5));
    expectPrefix(frames, pcapFrames, 40);
    expect(summary.damage).toEqual({
      kind: 'truncated',
      offset: at,
      message: `packet record 41 is cut off: 5 of ${caplen} bytes`,
    });
  });

  it('an absurd captured length', async () => {
    const at = pcapRecordOffsets(pcap)[20];
    const bad = Buffer.from(pcap);
    bad.writeUInt32LE(0x7fffffff, at + 8);
    const { frames, summary } = await readBytes('corrupt-length.pcap', bad);
    expectPrefix(frames, pcapFrames, 20);
    expect(summary.damage).toEqual({
      kind: 'corrupt',
      offset: at,
      message: 'packet record 21 claims 2147483647 captured bytes (more than the 262144 any capture holds)',
    });
  });

  it('an unsupported version', async () => {
    const bad = Buffer.from(pcap);
    bad.writeUInt16LE(3, 4);
    const { summary } = await readBytes('version.pcap', bad);
    expect(summary.damage).toEqual({ kind: 'corrupt', offset: 4, message: 'unsupported pcap version 3.4' });
  });
});

describe('damaged pcapng (from good-25-smtp-starttls.pcapng)', () => {
  function packetBlocks() {
    return pcapngBlocks(pcapng).filter((b) => b.type === EPB);
  }

  it('cut inside a block header', async () => {
    const block = packetBlocks()[5];
    const { frames, summary } = await readBytes('cut-block-header.pcapng', pcapng.subarray(0, block.offset + 6));
    expectPrefix(frames, pcapngFrames, 5);
    expect(summary.damage).toEqual({
      kind: 'truncated',
      offset: block.offset,
      message: 'block header is cut off: 6 of 8 bytes',
    });
  });

  it('cut inside an Enhanced Packet Block', async () => {
    const block = packetBlocks()[30];
    const { frames, summary } = await readBytes('cut-epb.pcapng', pcapng.subarray(0, block.offset + 40));
    expectPrefix(frames, pcapngFrames, 30);
    expect(summary.damage).toEqual({
      kind: 'truncated',
      offset: block.offset,
      message: `Enhanced Packet Block (frame 31) is cut off: 40 of ${block.length} bytes`,
    });
  });

  it('a block length that is not a multiple of 4', async () => {
    const block = packetBlocks()[12];
    const bad = Buffer.from(pcapng);
    bad.writeUInt32LE(block.length + 2, block.offset + 4);
    const { frames, summary } = await readBytes('odd-length.pcapng', bad);
    expectPrefix(frames, pcapngFrames, 12);
    expect(summary.damage).toEqual({
      kind: 'corrupt',
      offset: block.offset,
      message: `Enhanced Packet Block has length ${block.length + 2}, not a multiple of 4`,
    });
  });

  it('a block length below the minimum', async () => {
    const block = packetBlocks()[12];
    const bad = Buffer.from(pcapng);
    bad.writeUInt32LE(16, block.offset + 4);
    const { summary } = await readBytes('short-block.pcapng', bad);
    expect(summary.damage).toEqual({
      kind: 'corrupt',
      offset: block.offset,
      message: 'Enhanced Packet Block has length 16, less than the minimum 32',
    });
  });

  it('an absurd captured length inside an intact block', async () => {
    const block = packetBlocks()[3];
    const bad = Buffer.from(pcapng);
    bad.writeUInt32LE(300000, block.offset + 20);
    const { frames, summary } = await readBytes('big-caplen.pcapng', bad);
    expectPrefix(frames, pcapngFrames, 3);
    expect(summary.damage).toEqual({
      kind: 'corrupt',
      offset: block.offset,
      message: 'Enhanced Packet Block (frame 4) claims 300000 captured bytes (more than the 262144 any capture holds)',
    });
  });

  it('a captured length larger than its block', async () => {
    const block = packetBlocks()[3];
    const bad = Buffer.from(pcapng);
    bad.writeUInt32LE(block.length, block.offset + 20);
    const { summary } = await readBytes('caplen-past-block.pcapng', bad);
    expect(summary.damage).toEqual({
      kind: 'corrupt',
      offset: block.offset,
      message: `Enhanced Packet Block (frame 4) claims ${block.length} captured bytes but has room for ${block.length - 32}`,
    });
  });

  it('different lengths at the start and end of a block', async () => {
    const block = packetBlocks()[7];
    const bad = Buffer.from(pcapng);
    bad.writeUInt32LE(block.length + 4, block.offset + block.length - 4);
    const { frames, summary } = await readBytes('trailer.pcapng', bad);
    expectPrefix(frames, pcapngFrames, 7);
    expect(summary.damage).toEqual({
      kind: 'corrupt',
      offset: block.offset,
      message: `Enhanced Packet Block has length ${block.length} at its start but ${block.length + 4} at its end`,
    });
  });

  it('a Section Header Block without byte-order magic', async () => {
    const bad = Buffer.from(pcapng);
    bad.writeUInt32LE(0x11223344, 8);
    const { summary } = await readBytes('bom.pcapng', bad);
    expect(summary.format).toBe('pcapng');
    expect(summary.damage).toEqual({
      kind: 'corrupt',
      offset: 8,
      message: 'Section Header Block has no valid byte-order magic',
    });
  });
});

describe('damaged gzip', () => {
  it('a gzip stream cut short: what was decompressed is read, then truncated', async () => {
    const gz = gzipSync(pcap);
    const { frames, summary } = await readBytes('cut.pcap.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    expect(summary.gzip).toBe(true);
    expect(summary.format).toBe('pcap');
    expect(summary.damage?.kind).toBe('truncated');
    const offsets = pcapRecordOffsets(pcap);
    const n = frames.length;
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(81);
    expectPrefix(frames, pcapFrames, n);
    // The stream stopped inside record n+1 (or right at its start): that is where the damage is.
    expect(summary.damage?.offset).toBe(offsets[n]);
    expect(summary.damage?.message).toMatch(
      new RegExp(`^packet record ${n + 1} (header )?is cut off: \\d+ of \\d+ bytes: the gzip stream ends early$`),
    );
  });

  it('a gzip stream cut inside its trailer still gives every frame', async () => {
    const gz = gzipSync(pcap);
    const { frames, summary } = await readBytes('cut-trailer.pcap.gz', gz.subarray(0, gz.length - 3));
    expect(frames.length).toBe(81);
    expect(summary.damage).toEqual({ kind: 'truncated', offset: pcap.length, message: 'the gzip stream ends early' });
  });

  it('a gzip stream with a bad checksum is corrupt after its frames', async () => {
    const gz = Buffer.from(gzipSync(pcap));
    gz[gz.length - 8] ^= 0xff; // CRC-32 of the trailer
    const { frames, summary } = await readBytes('crc.pcap.gz', gz);
    expect(frames.length).toBe(81);
    expect(summary.damage).toEqual({
      kind: 'corrupt',
      offset: pcap.length,
      message: 'the gzip data is corrupt (incorrect data check)',
    });
  });

  it('gzip of a text file is not a capture', async () => {
    const { summary } = await readBytes('text.gz', gzipSync(Buffer.from('just some words\n')));
    expect(summary.gzip).toBe(true);
    expect(summary.damage?.kind).toBe('not-a-capture');
  });

  it('gzip of nothing is empty', async () => {
    const { summary } = await readBytes('nothing.gz', gzipSync(Buffer.alloc(0)));
    expect(summary.gzip).toBe(true);
    expect(summary.damage).toEqual({ kind: 'empty', offset: 0, message: 'the file is empty' });
  });
});

describe('damage found by the push parser directly', () => {
  it('ignores bytes pushed after damage and says it stopped', () => {
    const frames: number[] = [];
    const reader = new CaptureReader('x', (f) => frames.push(f.number));
    const bad = Buffer.from(pcap);
    bad.writeUInt32LE(0x7fffffff, pcapRecordOffsets(pcap)[2] + 8);
    reader.push(bad.subarray(0, 200));
    reader.push(bad.subarray(200));
    expect(reader.stopped).toBe(true);
    reader.push(pcap);
    const summary = reader.end();
    expect(frames).toEqual([1, 2]);
    expect(summary.damage?.kind).toBe('corrupt');
    expect(summary.bytes).toBe(pcap.length);
  });

  it('a gzip stream pushed without decompression is named as such', () => {
    const reader = new CaptureReader('x.gz', () => undefined);
    reader.push(gzipSync(pcap));
    expect(reader.end().damage?.message).toMatch(/^not a pcap or pcapng file: it starts with 1f 8b .*gzip-compressed data$/);
  });
});

import { closeSync, openSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CaptureReader, readCapture } from '../../src/capture/reader.js';
import type { CaptureSummary } from '../../src/capture/types.js';
import { capturePath, copyFrame, readAllFrames, type StoredFrame } from '../helpers/frames.js';

/** Deterministic pseudo-random chunk sizes (a linear congruential generator). */
function* chunkSizes(seed: number, max: number): Generator<number> {
  let s = seed >>> 0;
  for (;;) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    yield 1 + (s % max);
  }
}

function pushInChunks(bytes: Buffer, sizes: Iterator<number>): { frames: StoredFrame[]; summary: CaptureSummary; copied: number } {
  const frames: StoredFrame[] = [];
  const reader = new CaptureReader('chunks', (f) => frames.push(copyFrame(f)));
  let p = 0;
  while (p < bytes.length) {
    const n = sizes.next().value as number;
    reader.push(bytes.subarray(p, p + n));
    p += n;
  }
  return { frames, summary: reader.end(), copied: reader.queue.copied };
}

function ones(): Iterator<number> {
  return (function* () {
    for (;;) yield 1;
  })();
}

function expectSameFrames(a: StoredFrame[], b: StoredFrame[]): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    expect({ ...a[i], data: a[i].data.toString('hex') }).toEqual({ ...b[i], data: b[i].data.toString('hex') });
  }
}

const FILES = [
  'good-25-smtp-starttls.pcap',
  'good-25-smtp-starttls.pcapng',
  'test202.pcapng',
  'test101.pcapng',
  'steam.pcapng',
  'nanosecs_big_endian.pcap',
  'tls.pcap',
];

describe('chunk boundaries anywhere give the same frames', () => {
  for (const file of FILES) {
    it(`${file}: one byte at a time and random chunks equal one chunk`, () => {
      const bytes = readFileSync(capturePath(file));
      const whole = pushInChunks(bytes, [bytes.length][Symbol.iterator]());
      expect(whole.summary.damage).toBeNull();
      const byteWise = pushInChunks(bytes, ones());
      expectSameFrames(byteWise.frames, whole.frames);
      expect(byteWise.summary).toEqual(whole.summary);
      for (const seed of [1, 7, 42]) {
        const random = pushInChunks(bytes, chunkSizes(seed, 3000));
        expectSameFrames(random.frames, whole.frames);
        expect(random.summary).toEqual(whole.summary);
      }
    });
  }

  it('the decompressed gzip sample in random chunks', () => {
    const bytes = gunzipSync(readFileSync(capturePath('tls-fragmented-handshake.pcap.gz')));
    const whole = pushInChunks(bytes, [bytes.length][Symbol.iterator]());
    expect(whole.frames.length).toBe(416);
    expectSameFrames(pushInChunks(bytes, chunkSizes(3, 97)).frames, whole.frames);
  });

  it('readCapture with tiny read chunks, gzip included', async () => {
    for (const file of ['good-25-smtp-starttls.pcapng', 'tls-fragmented-handshake.pcap.gz']) {
      const big = await readAllFrames(file);
      const small = await readAllFrames(file, { chunkSize: 7 });
      expectSameFrames(small.frames, big.frames);
      expect(small.summary).toEqual(big.summary);
    }
  });

  it('a truncated file fed byte by byte reports the same damage', () => {
    const bytes = readFileSync(capturePath('good-25-smtp-starttls.pcapng'));
    const cut = bytes.subarray(0, bytes.length - 50);
    const whole = pushInChunks(cut, [cut.length][Symbol.iterator]());
    expect(whole.summary.damage?.kind).toBe('truncated');
    const byteWise = pushInChunks(cut, ones());
    expect(byteWise.summary.damage).toEqual(whole.summary.damage);
    expectSameFrames(byteWise.frames, whole.frames);
  });

  it('a 250 KiB packet arriving in 16-byte pieces is gathered once (no quadratic re-buffering)', () => {
    const caplen = 250 * 1024;
    const header = Buffer.alloc(24);
    header.writeUInt32LE(0xa1b2c3d4, 0);
    header.writeUInt16LE(2, 4);
    header.writeUInt16LE(4, 6);
    header.writeUInt32LE(262144, 16);
    header.writeUInt32LE(1, 20);
    const record = Buffer.alloc(16 + caplen);
    record.writeUInt32LE(1700000000, 0);
    record.writeUInt32LE(5, 4);
    record.writeUInt32LE(caplen, 8);
    record.writeUInt32LE(caplen, 12);
    for (let i = 0; i < caplen; i++) record[16 + i] = i & 0xff;
    const bytes = Buffer.concat([header, record, record]);
    const { frames, summary, copied } = pushInChunks(bytes, (function* () {
      for (;;) yield 16;
    })());
    expect(summary.damage).toBeNull();
    expect(frames.length).toBe(2);
    expect(frames[1].data.equals(record.subarray(16))).toBe(true);
    expect(frames[1].time).toBe(1700000000 + 5 / 1e6);
    // 32k pushes; a reader that re-concatenated its remainder each time would copy ~8 GB here. Each byte is
    // copied about once: the records whole, and a header split across chunks (counted, not timed: tests assert
    // no speed).
    expect(copied).toBeGreaterThan(2 * caplen);
    expect(copied).toBeLessThan(bytes.length * 1.01);
  });
});

describe('standard input', () => {
  it("reads '-' from standard input's descriptor, gzip detected by magic on a lone first byte", async () => {
    // The descriptor of a file stands in for standard input; reads of one byte make gzip detection wait for the
    // second.
    const fd = openSync(capturePath('tls-fragmented-handshake.pcap.gz'), 'r');
    try {
      let n = 0;
      const summary = await readCapture(
        '-',
        () => {
          n++;
        },
        { stdinFd: fd, chunkSize: 1 },
      );
      expect(summary.file).toBe('-');
      expect(summary.gzip).toBe(true);
      expect(summary.frames).toBe(416);
      expect(n).toBe(416);
      expect(summary.damage).toBeNull();
    } finally {
      closeSync(fd);
    }
  });
});

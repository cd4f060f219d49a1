import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readAllFrames, type StoredFrame } from '../helpers/frames.js';

/**
 * Oracle rows made by fixtures/make-frames.sh from tshark 4.0.17:
 * [frame.number, frame.time_epoch ("" for Simple Packet Blocks, which carry no time), frame.cap_len,
 * frame.len, frame.interface_id].
 */
type OracleRow = [number, string, number, number, number];

function oracle(name: string): OracleRow[] {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.frames.json`, import.meta.url), 'utf8')) as OracleRow[];
}

function expectLikeTshark(frames: StoredFrame[], rows: OracleRow[]): void {
  expect(frames.map((f) => f.number)).toEqual(rows.map((r) => r[0]));
  for (let i = 0; i < rows.length; i++) {
    const [, time, capLen, len, iface] = rows[i];
    const f = frames[i];
    expect(f.data.length, `frame ${f.number} captured length`).toBe(capLen);
    expect(f.originalLength, `frame ${f.number} original length`).toBe(len);
    expect(f.interfaceId, `frame ${f.number} interface`).toBe(iface);
    if (time === '') {
      // Simple Packet Block: no timestamp; the reader repeats the previous packet's time.
      expect(f.time).toBe(i > 0 ? frames[i - 1].time : 0);
    } else {
      expect(Math.abs(f.time - Number(time)), `frame ${f.number} time ${f.time} vs ${time}`).toBeLessThan(1e-6);
    }
  }
}

/** Counts from `capinfos -c -t -l` and `tshark -Y 'frame.cap_len < frame.len'` (tshark 4.0.17). */
const CASES: {
  file: string;
  format: 'pcap' | 'pcapng';
  gzip?: boolean;
  frames: number;
  truncated: number;
  linkTypes: number[];
  precision: number;
}[] = [
  { file: 'good-25-smtp-starttls.pcap', format: 'pcap', frames: 81, truncated: 0, linkTypes: [1], precision: 6 },
  { file: 'good-25-smtp-starttls.pcapng', format: 'pcapng', frames: 81, truncated: 0, linkTypes: [1], precision: 6 },
  { file: 'test101.pcapng', format: 'pcapng', frames: 4, truncated: 3, linkTypes: [1, 0], precision: 6 },
  { file: 'test202.pcapng', format: 'pcapng', frames: 8, truncated: 6, linkTypes: [1, 0], precision: 6 },
  { file: 'nanosecs_big_endian.pcap', format: 'pcap', frames: 10, truncated: 0, linkTypes: [1], precision: 9 },
  { file: 'steam.pcapng', format: 'pcapng', frames: 48, truncated: 0, linkTypes: [1], precision: 9 },
  { file: 'many_interfaces-1.pcapng', format: 'pcapng', frames: 64, truncated: 0, linkTypes: [1, 0, 12], precision: 6 },
  {
    file: 'tls-fragmented-handshake.pcap.gz',
    format: 'pcap',
    gzip: true,
    frames: 416,
    truncated: 0,
    linkTypes: [1],
    precision: 6,
  },
  { file: 'imaps.pcap', format: 'pcapng', frames: 28, truncated: 0, linkTypes: [1], precision: 6 },
  { file: 'tls.pcap', format: 'pcap', frames: 206, truncated: 8, linkTypes: [1], precision: 6 },
];

describe('real captures read like tshark reads them', () => {
  for (const c of CASES) {
    it(`${c.file}: ${c.frames} frames, ${c.format}${c.gzip ? ' (gzip)' : ''}`, async () => {
      const { frames, summary } = await readAllFrames(c.file);
      expect(summary.damage).toBeNull();
      expect(summary.format).toBe(c.format);
      expect(summary.gzip).toBe(c.gzip ?? false);
      expect(summary.frames).toBe(c.frames);
      expect(frames.length).toBe(c.frames);
      expect(summary.truncatedFrames).toBe(c.truncated);
      expect(summary.linkTypes).toEqual(c.linkTypes);
      expect(summary.timePrecision).toBe(c.precision);
      expect(summary.firstTime).toBe(frames[0].time);
      expect(summary.lastTime).toBe(frames[frames.length - 1].time);
      expectLikeTshark(frames, oracle(c.file));
    });
  }

  it('the same packets as pcap and as pcapng give the same frames and bit-identical times', async () => {
    const a = await readAllFrames('good-25-smtp-starttls.pcap');
    const b = await readAllFrames('good-25-smtp-starttls.pcapng');
    expect(b.frames.length).toBe(a.frames.length);
    for (let i = 0; i < a.frames.length; i++) {
      expect(b.frames[i].time).toBe(a.frames[i].time);
      expect(b.frames[i].data.equals(a.frames[i].data)).toBe(true);
      expect(b.frames[i].linkType).toBe(a.frames[i].linkType);
    }
  });

  it('numbers frames across pcapng sections like Wireshark (custom blocks take a number)', async () => {
    const { frames } = await readAllFrames('test202.pcapng');
    expect(frames.map((f) => f.number)).toEqual([2, 3, 4, 5, 6, 8, 9, 11]);
    // Interfaces are per section: section 2 declares its own interface 0 and 1.
    expect(frames.map((f) => `${f.interfaceId}:${f.linkType}`)).toEqual([
      '0:1',
      '0:1',
      '1:0',
      '0:1',
      '0:1',
      '0:1',
      '0:1',
      '1:0',
    ]);
  });

  it('reads the link type of each pcapng interface', async () => {
    const { frames } = await readAllFrames('many_interfaces-1.pcapng');
    expect(frames[2].interfaceId).toBe(10);
    expect(frames[2].linkType).toBe(0);
    expect(frames[0].linkType).toBe(1);
  });

  it('keeps nanoseconds of a big-endian nanosecond pcap (as far as a double can)', async () => {
    const { frames } = await readAllFrames('nanosecs_big_endian.pcap');
    // tshark: 1766361926.167647291
    expect(frames[0].time).toBeCloseTo(1766361926.167647291, 6);
    expect(frames[0].time).not.toBe(1766361926.167647);
  });

  it('snaplen-cut frames are delivered with their original length', async () => {
    const { frames } = await readAllFrames('tls.pcap');
    const cut = frames.filter((f) => f.data.length < f.originalLength);
    expect(cut.length).toBe(8);
    expect(cut.every((f) => f.data.length === 1500)).toBe(true);
  });
});

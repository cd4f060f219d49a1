/**
 * TEST-ONLY minimal capture reader: classic pcap and pcapng → TcpSegment, so the TCP stage can be tested on real
 * captures before the capture and net stages land. Not used by src/. It knows just enough for the captures in
 * test/tcp/fixtures: Ethernet (with 802.1Q/QinQ), raw IP (101, 228, 229), Linux SLL (113), SLL2 (276), NULL (0);
 * IPv4 without fragments, IPv6 with the common extension headers. Anything else is skipped, not thrown.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { TcpOptions, TcpSegment } from '../../src/net/types.js';

interface RawFrame {
  number: number;
  time: number;
  linkType: number;
  data: Buffer;
  originalLength: number;
}

function readPcap(buf: Buffer): RawFrame[] {
  const magic = buf.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linkType = u32(20) & 0x0fffffff;
  const frames: RawFrame[] = [];
  let off = 24;
  while (off + 16 <= buf.length) {
    const sec = u32(off);
    const frac = u32(off + 4);
    const incl = u32(off + 8);
    const orig = u32(off + 12);
    if (off + 16 + incl > buf.length) break;
    frames.push({
      number: frames.length + 1,
      time: sec + frac / (nano ? 1e9 : 1e6),
      linkType,
      data: buf.subarray(off + 16, off + 16 + incl),
      originalLength: orig,
    });
    off += 16 + incl;
  }
  return frames;
}

function readPcapng(buf: Buffer): RawFrame[] {
  const frames: RawFrame[] = [];
  let le = true;
  let ifaces: { linkType: number; tsDiv: number }[] = [];
  let off = 0;
  while (off + 12 <= buf.length) {
    let type = buf.readUInt32LE(off);
    if (type === 0x0a0d0d0a) {
      le = buf.readUInt32LE(off + 8) === 0x1a2b3c4d;
      ifaces = [];
    }
    const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
    const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
    type = u32(off);
    const len = u32(off + 4);
    if (len < 12 || off + len > buf.length) break;
    if (type === 1) {
      let tsDiv = 1e6;
      let o = off + 16;
      while (o + 4 <= off + len - 4) {
        const code = u16(o);
        const olen = u16(o + 2);
        if (code === 0) break;
        if (code === 9 && olen >= 1) {
          const v = buf[o + 4];
          tsDiv = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
        }
        o += 4 + ((olen + 3) & ~3);
      }
      ifaces.push({ linkType: u16(off + 8), tsDiv });
    } else if (type === 6) {
      const iface = ifaces[u32(off + 8)];
      const ts = u32(off + 12) * 2 ** 32 + u32(off + 16);
      const incl = u32(off + 20);
      const orig = u32(off + 24);
      if (iface) {
        frames.push({
          number: frames.length + 1,
          time: ts / iface.tsDiv,
          linkType: iface.linkType,
          data: buf.subarray(off + 28, off + 28 + incl),
          originalLength: orig,
        });
      }
    } else if (type === 3) {
      const iface = ifaces[0];
      const orig = u32(off + 8);
      frames.push({
        number: frames.length + 1,
        time: 0,
        linkType: iface?.linkType ?? 1,
        data: buf.subarray(off + 12, off + 12 + Math.min(orig, len - 16)),
        originalLength: orig,
      });
    }
    off += len;
  }
  return frames;
}

/** Offset of the IP header and its version for one frame, or null. */
function ipStart(f: RawFrame): { off: number; version: number } | null {
  const d = f.data;
  let off: number;
  let etherType: number;
  switch (f.linkType) {
    case 1:
      off = 14;
      etherType = d.length >= 14 ? d.readUInt16BE(12) : 0;
      break;
    case 113:
      off = 16;
      etherType = d.length >= 16 ? d.readUInt16BE(14) : 0;
      break;
    case 276:
      off = 20;
      etherType = d.length >= 20 ? d.readUInt16BE(0) : 0;
      break;
    case 0: {
      off = 4;
      const fam = d.length >= 4 ? d.readUInt32LE(0) : 0;
      etherType = fam === 2 ? 0x0800 : fam === 24 || fam === 28 || fam === 30 ? 0x86dd : 0;
      break;
    }
    case 101:
    case 12:
    case 14:
    case 228:
    case 229:
      off = 0;
      etherType = d.length > 0 && d[0] >> 4 === 6 ? 0x86dd : 0x0800;
      break;
    default:
      return null;
  }
  while ((etherType === 0x8100 || etherType === 0x88a8) && off + 4 <= d.length) {
    etherType = d.readUInt16BE(off + 2);
    off += 4;
  }
  if (etherType === 0x0800) return { off, version: 4 };
  if (etherType === 0x86dd) return { off, version: 6 };
  return null;
}

function ipv6Text(b: Buffer): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(b.readUInt16BE(i));
  // RFC 5952: compress the longest run (length >= 2) of zero words, first one on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

function tcpOptions(d: Buffer, start: number, end: number): TcpOptions {
  const o: TcpOptions = {};
  let i = start;
  while (i < end) {
    const kind = d[i];
    if (kind === 0) break;
    if (kind === 1) {
      i++;
      continue;
    }
    if (i + 1 >= end) break;
    const len = d[i + 1];
    if (len < 2 || i + len > end) break;
    if (kind === 2 && len === 4) o.mss = d.readUInt16BE(i + 2);
    else if (kind === 3 && len === 3) o.windowScale = d[i + 2];
    else if (kind === 4) o.sackPermitted = true;
    else if (kind === 5) {
      o.sack = [];
      for (let j = i + 2; j + 8 <= i + len; j += 8) o.sack.push(d.readUInt32BE(j), d.readUInt32BE(j + 4));
    } else if (kind === 8 && len === 10) o.timestamp = { value: d.readUInt32BE(i + 2), echo: d.readUInt32BE(i + 6) };
    i += len;
  }
  return o;
}

function decode(f: RawFrame): TcpSegment | null {
  const start = ipStart(f);
  if (!start) return null;
  const d = f.data;
  let off = start.off;
  let src: string;
  let dst: string;
  let proto: number;
  let ipPayloadEnd: number; // end of the IP payload according to the IP header (may exceed d.length)
  if (start.version === 4) {
    if (off + 20 > d.length || d[off] >> 4 !== 4) return null;
    const ihl = (d[off] & 15) * 4;
    const total = d.readUInt16BE(off + 2);
    const fragField = d.readUInt16BE(off + 6);
    if ((fragField & 0x3fff) !== 0) return null; // fragments: not needed by these tests
    proto = d[off + 9];
    src = `${d[off + 12]}.${d[off + 13]}.${d[off + 14]}.${d[off + 15]}`;
    dst = `${d[off + 16]}.${d[off + 17]}.${d[off + 18]}.${d[off + 19]}`;
    // Total length 0: a TSO segment captured on the sending host before segmentation; the frame tells the length.
    ipPayloadEnd = total === 0 ? d.length : off + total;
    off += ihl;
  } else {
    if (off + 40 > d.length || d[off] >> 4 !== 6) return null;
    const plen = d.readUInt16BE(off + 4);
    proto = d[off + 6];
    src = ipv6Text(d.subarray(off + 8, off + 24));
    dst = ipv6Text(d.subarray(off + 24, off + 40));
    ipPayloadEnd = off + 40 + plen;
    off += 40;
    while ((proto === 0 || proto === 43 || proto === 60) && off + 8 <= d.length) {
      proto = d[off];
      off += (d[off + 1] + 1) * 8;
    }
  }
  if (proto !== 6 || off + 20 > d.length) return null;
  const dataOff = (d[off + 12] >> 4) * 4;
  if (dataOff < 20 || off + dataOff > d.length) return null;
  const payloadStart = off + dataOff;
  const payloadLength = Math.max(0, ipPayloadEnd - payloadStart);
  const capturedEnd = Math.min(d.length, ipPayloadEnd);
  return {
    frame: f.number,
    time: f.time,
    ipVersion: start.version as 4 | 6,
    src,
    dst,
    srcPort: d.readUInt16BE(off),
    dstPort: d.readUInt16BE(off + 2),
    seq: d.readUInt32BE(off + 4),
    ack: d.readUInt32BE(off + 8),
    flags: d[off + 13],
    window: d.readUInt16BE(off + 14),
    options: tcpOptions(d, off + 20, payloadStart),
    payload: d.subarray(payloadStart, Math.max(payloadStart, capturedEnd)),
    payloadLength,
  };
}

/** Every TCP segment of a capture file, in capture order. */
export function readSegments(path: string): TcpSegment[] {
  let buf = readFileSync(path);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  const frames = buf.readUInt32LE(0) === 0x0a0d0d0a ? readPcapng(buf) : readPcap(buf);
  const out: TcpSegment[] = [];
  for (const f of frames) {
    const seg = decode(f);
    if (seg) out.push(seg);
  }
  return out;
}

/** Builders for small synthetic frames, for the cases no capture in the corpus shows. */
import type { Frame } from '../../src/capture/types.js';

export function tcpHeader(opts: {
  srcPort?: number;
  dstPort?: number;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  options?: number[];
  payload?: Buffer;
}): Buffer {
  const options = Buffer.from(opts.options ?? []);
  const optionsPadded = Buffer.concat([options, Buffer.alloc((4 - (options.length % 4)) % 4)]);
  const h = Buffer.alloc(20);
  h.writeUInt16BE(opts.srcPort ?? 40000, 0);
  h.writeUInt16BE(opts.dstPort ?? 25, 2);
  h.writeUInt32BE((opts.seq ?? 1000) >>> 0, 4);
  h.writeUInt32BE((opts.ack ?? 0) >>> 0, 8);
  h[12] = ((20 + optionsPadded.length) / 4) << 4;
  h[13] = opts.flags ?? 0x18;
  h.writeUInt16BE(opts.window ?? 512, 14);
  return Buffer.concat([h, optionsPadded, opts.payload ?? Buffer.alloc(0)]);
}

export function ipv4(opts: {
  src?: number[];
  dst?: number[];
  protocol?: number;
  id?: number;
  moreFragments?: boolean;
  fragmentOffset?: number;
  options?: Buffer;
  totalLength?: number;
  payload: Buffer;
}): Buffer {
  const options = opts.options ?? Buffer.alloc(0);
  const h = Buffer.alloc(20 + options.length);
  h[0] = 0x40 | ((20 + options.length) / 4);
  h.writeUInt16BE(opts.totalLength ?? h.length + opts.payload.length, 2);
  h.writeUInt16BE(opts.id ?? 1, 4);
  h.writeUInt16BE((opts.moreFragments ? 0x2000 : 0) | ((opts.fragmentOffset ?? 0) / 8), 6);
  h[8] = 64;
  h[9] = opts.protocol ?? 6;
  Buffer.from(opts.src ?? [192, 0, 2, 1]).copy(h, 12);
  Buffer.from(opts.dst ?? [198, 51, 100, 2]).copy(h, 16);
  options.copy(h, 20);
  return Buffer.concat([h, opts.payload]);
}

export const V6_SRC = Buffer.from('20010db8000000000000000000000001', 'hex');
export const V6_DST = Buffer.from('20010db8000000010000000000000002', 'hex');

export function ipv6(opts: { next?: number; src?: Buffer; dst?: Buffer; payload: Buffer }): Buffer {
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(opts.payload.length, 4);
  h[6] = opts.next ?? 6;
  h[7] = 64;
  (opts.src ?? V6_SRC).copy(h, 8);
  (opts.dst ?? V6_DST).copy(h, 24);
  return Buffer.concat([h, opts.payload]);
}

/** An IPv6 extension header with the usual (length+1)*8 size. */
export function ipv6Extension(next: number, body: Buffer = Buffer.alloc(6)): Buffer {
  const total = Math.ceil((body.length + 2) / 8) * 8;
  const h = Buffer.alloc(total);
  h[0] = next;
  h[1] = total / 8 - 1;
  body.copy(h, 2);
  return h;
}

export function ipv6Fragment(next: number, offset: number, more: boolean, id: number): Buffer {
  const h = Buffer.alloc(8);
  h[0] = next;
  h.writeUInt16BE(offset | (more ? 1 : 0), 2);
  h.writeUInt32BE(id, 4);
  return h;
}

export function ethernet(type: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(14);
  h.fill(0x02, 0, 12);
  h.writeUInt16BE(type, 12);
  return Buffer.concat([h, payload]);
}

export function udp(srcPort: number, dstPort: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(srcPort, 0);
  h.writeUInt16BE(dstPort, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([h, payload]);
}

let frameNumber = 0;

export function frame(linkType: number, data: Buffer, opts: { time?: number; originalLength?: number } = {}): Frame {
  return {
    number: ++frameNumber,
    time: opts.time ?? 1000,
    linkType,
    interfaceId: 0,
    data,
    originalLength: opts.originalLength ?? data.length,
  };
}

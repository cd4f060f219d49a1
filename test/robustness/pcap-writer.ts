/**
 * Builds classic pcap files of raw IPv4 TCP packets (LINKTYPE_RAW) for the robustness tests: hostile
 * sequences of segments that no real capture in captures/ has.
 */

const LINKTYPE_RAW = 101;
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

export interface Packet {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  ack?: number;
  flags: number;
  payload?: Buffer;
  window?: number;
  time?: number;
}

function ip(text: string): Buffer {
  return Buffer.from(text.split('.').map(Number));
}

/** One IPv4 + TCP packet (20 + 20 bytes of headers, checksums left zero: nothing checks them). */
export function ipv4Tcp(p: Packet): Buffer {
  const payload = p.payload ?? Buffer.alloc(0);
  const b = Buffer.alloc(40 + payload.length);
  b[0] = 0x45;
  b.writeUInt16BE(40 + payload.length, 2);
  b[8] = 64;
  b[9] = 6;
  ip(p.src).copy(b, 12);
  ip(p.dst).copy(b, 16);
  b.writeUInt16BE(p.sport, 20);
  b.writeUInt16BE(p.dport, 22);
  b.writeUInt32BE(p.seq >>> 0, 24);
  b.writeUInt32BE((p.ack ?? 0) >>> 0, 28);
  b[32] = 5 << 4;
  b[33] = p.flags;
  b.writeUInt16BE(p.window ?? 65535, 34);
  payload.copy(b, 40);
  return b;
}

/** A pcap file (microseconds, little-endian, raw IP) of these packets; times default to 1 ms apart. */
export function pcapFile(packets: readonly Packet[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(LINKTYPE_RAW, 20);
  const parts: Buffer[] = [header];
  let i = 0;
  for (const p of packets) {
    const data = ipv4Tcp(p);
    const rec = Buffer.alloc(16);
    const t = p.time ?? 1_700_000_000 + i * 0.001;
    rec.writeUInt32LE(Math.floor(t), 0);
    rec.writeUInt32LE(Math.round((t - Math.floor(t)) * 1e6) % 1_000_000, 4);
    rec.writeUInt32LE(data.length, 8);
    rec.writeUInt32LE(data.length, 12);
    parts.push(rec, data);
    i++;
  }
  return Buffer.concat(parts);
}

/** Client and server of one connection, with the sequence numbers moving as bytes are sent. */
export class Flow {
  clientSeq: number;
  serverSeq: number;
  readonly packets: Packet[] = [];

  constructor(
    readonly client = '10.0.0.1',
    readonly server = '10.0.0.2',
    readonly sport = 40000,
    readonly dport = 443,
    clientIsn = 1000,
    serverIsn = 5000,
  ) {
    this.clientSeq = clientIsn;
    this.serverSeq = serverIsn;
  }

  /** SYN, SYN/ACK, ACK. */
  handshake(): this {
    this.packets.push({ ...this.c(), seq: this.clientSeq, flags: TCP_SYN });
    this.packets.push({ ...this.s(), seq: this.serverSeq, ack: this.clientSeq + 1, flags: TCP_SYN | TCP_ACK });
    this.clientSeq++;
    this.serverSeq++;
    this.packets.push({ ...this.c(), seq: this.clientSeq, ack: this.serverSeq, flags: TCP_ACK });
    return this;
  }

  /** Data from one side; `seq` overrides where it claims to be (the stream position does not move then). */
  send(from: 'client' | 'server', payload: Buffer, opts: { seq?: number; flags?: number } = {}): this {
    const client = from === 'client';
    const seq = opts.seq ?? (client ? this.clientSeq : this.serverSeq);
    const ack = client ? this.serverSeq : this.clientSeq;
    this.packets.push({ ...(client ? this.c() : this.s()), seq, ack, flags: opts.flags ?? TCP_ACK | TCP_PSH, payload });
    if (opts.seq === undefined) {
      if (client) this.clientSeq = (this.clientSeq + payload.length) >>> 0;
      else this.serverSeq = (this.serverSeq + payload.length) >>> 0;
    }
    return this;
  }

  fin(from: 'client' | 'server'): this {
    const client = from === 'client';
    const seq = client ? this.clientSeq : this.serverSeq;
    const ack = client ? this.serverSeq : this.clientSeq;
    this.packets.push({ ...(client ? this.c() : this.s()), seq, ack, flags: TCP_FIN | TCP_ACK });
    if (client) this.clientSeq++;
    else this.serverSeq++;
    return this;
  }

  private c() {
    return { src: this.client, dst: this.server, sport: this.sport, dport: this.dport };
  }

  private s() {
    return { src: this.server, dst: this.client, sport: this.dport, dport: this.sport };
  }
}

/** A TLS record: type, version, 2-byte length (`length` overrides the real one), payload. */
export function tlsRecord(type: number, payload: Buffer, opts: { version?: number; length?: number } = {}): Buffer {
  const h = Buffer.alloc(5);
  h[0] = type;
  h.writeUInt16BE(opts.version ?? 0x0303, 1);
  h.writeUInt16BE(opts.length ?? payload.length, 3);
  return Buffer.concat([h, payload]);
}

/** A handshake message: type, 3-byte length (`length` overrides the real one), body. */
export function handshakeMessage(type: number, body: Buffer, length = body.length): Buffer {
  const h = Buffer.alloc(4);
  h[0] = type;
  h.writeUIntBE(length, 1, 3);
  return Buffer.concat([h, body]);
}

/** `count` SYN-only connections from distinct client ports/addresses to one server (half-open, never answered). */
export function halfOpenFlood(count: number): Packet[] {
  const packets: Packet[] = [];
  for (let i = 0; i < count; i++) {
    const host = 1 + Math.floor(i / 60000);
    packets.push({ src: `10.1.${host >> 8}.${host & 0xff}`, dst: '10.0.0.2', sport: 1024 + (i % 60000), dport: 25, seq: (i * 7919) >>> 0, flags: TCP_SYN });
  }
  return packets;
}

/** A pcapng file of a Section Header Block and `count` Interface Description Blocks, each of another link type. */
export function interfaceFlood(count: number): Buffer {
  const shb = Buffer.alloc(28);
  shb.writeUInt32LE(0x0a0d0d0a, 0);
  shb.writeUInt32LE(28, 4);
  shb.writeUInt32LE(0x1a2b3c4d, 8);
  shb.writeUInt16LE(1, 12);
  shb.writeInt32LE(-1, 16);
  shb.writeInt32LE(-1, 20);
  shb.writeUInt32LE(28, 24);
  const blocks = Buffer.alloc(20 * count);
  for (let i = 0; i < count; i++) {
    const o = i * 20;
    blocks.writeUInt32LE(1, o);
    blocks.writeUInt32LE(20, o + 4);
    blocks.writeUInt16LE(i & 0xffff, o + 8);
    blocks.writeUInt32LE(65535, o + 12);
    blocks.writeUInt32LE(20, o + 16);
  }
  return Buffer.concat([shb, blocks]);
}

/** A 16-bit big-endian field. */
export function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

/** A 24-bit big-endian field (handshake lengths). */
export function u24(n: number): Buffer {
  const b = Buffer.alloc(3);
  b.writeUIntBE(n, 0, 3);
  return b;
}

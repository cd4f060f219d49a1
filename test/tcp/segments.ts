/**
 * Test helpers: build TcpSegment objects by hand (no capture, no net stage) and record what a tracker hands to
 * its consumer.
 */
import { TcpFlag, type TcpOptions, type TcpSegment } from '../../src/net/types.js';
import type { Endpoint, Side, StreamConsumer, TcpEvent } from '../../src/tcp/types.js';

export interface SegmentSpec {
  /** Flag letters: S(YN) A(CK) F(IN) R(ST) P(SH). Default 'A'. */
  flags?: string;
  /** Stream offset of the first payload byte (0 = first byte after the SYN). Default: the sender's next offset. */
  at?: number;
  /** Raw 32-bit sequence number, instead of `at`. */
  seq?: number;
  /** Offset in the peer's stream being acknowledged. Default: everything the peer sent so far in this builder. */
  ack?: number;
  /** Raw 32-bit acknowledgement number, instead of `ack`. */
  rawAck?: number;
  /** Payload; a string is taken as latin1. */
  data?: string | Buffer;
  /** Length on the wire when larger than the captured payload (snaplen cut). */
  wireLength?: number;
  window?: number;
  options?: TcpOptions;
  /** Seconds since the previous segment (default 0.001). */
  dt?: number;
}

function flagBits(letters: string): number {
  let f = 0;
  for (const ch of letters) {
    if (ch === 'S') f |= TcpFlag.SYN;
    else if (ch === 'A') f |= TcpFlag.ACK;
    else if (ch === 'F') f |= TcpFlag.FIN;
    else if (ch === 'R') f |= TcpFlag.RST;
    else if (ch === 'P') f |= TcpFlag.PSH;
    else throw new Error(`unknown flag letter ${ch}`);
  }
  return f;
}

/**
 * One connection's segments. Offsets are stream offsets (0 = first payload byte), turned into raw sequence
 * numbers from each side's ISN, modulo 2^32. Frame numbers and times count up across everything built from
 * the same `Clock`.
 */
export class Conversation {
  /** Next stream offset each side would send (advanced by payload and FIN). */
  readonly next: Record<Side, number> = { client: 0, server: 0 };

  constructor(
    readonly clock: Clock,
    readonly client: Endpoint = { ip: '192.0.2.10', port: 40000 },
    readonly server: Endpoint = { ip: '198.51.100.25', port: 25 },
    readonly isn: Record<Side, number> = { client: 1000, server: 500000 },
    readonly ipVersion: 4 | 6 = 4,
  ) {}

  /** Raw sequence number of a stream offset of `side`. */
  seqOf(side: Side, offset: number): number {
    return (this.isn[side] + 1 + offset) % 2 ** 32;
  }

  seg(from: Side, spec: SegmentSpec = {}): TcpSegment {
    const to: Side = from === 'client' ? 'server' : 'client';
    const letters = spec.flags ?? 'A';
    const flags = flagBits(letters);
    const data = typeof spec.data === 'string' ? Buffer.from(spec.data, 'latin1') : (spec.data ?? Buffer.alloc(0));
    const syn = (flags & TcpFlag.SYN) !== 0;
    const at = spec.at ?? (syn ? -1 : this.next[from]);
    const seq = spec.seq ?? this.seqOf(from, syn ? -1 : at);
    const wireLength = spec.wireLength ?? data.length;
    const payloadStart = syn ? 0 : at;
    const end = payloadStart + wireLength + ((flags & TcpFlag.FIN) !== 0 ? 1 : 0);
    if (spec.seq === undefined && end > this.next[from]) this.next[from] = end;
    const ackOffset = spec.ack ?? this.next[to];
    const ack = (flags & TcpFlag.ACK) !== 0 ? (spec.rawAck ?? this.seqOf(to, ackOffset)) : 0;
    const a = from === 'client' ? this.client : this.server;
    const b = from === 'client' ? this.server : this.client;
    this.clock.tick(spec.dt ?? 0.001);
    return {
      frame: this.clock.frame,
      time: this.clock.time,
      ipVersion: this.ipVersion,
      src: a.ip,
      dst: b.ip,
      srcPort: a.port,
      dstPort: b.port,
      seq,
      ack,
      flags,
      window: spec.window ?? 65535,
      options: spec.options ?? {},
      payload: data,
      payloadLength: wireLength,
    };
  }

  /** SYN, SYN/ACK, ACK. */
  handshake(options: { client?: TcpOptions; server?: TcpOptions } = {}): TcpSegment[] {
    return [
      this.seg('client', { flags: 'S', options: options.client }),
      this.seg('server', { flags: 'SA', options: options.server, ack: 0 }),
      this.seg('client', { flags: 'A', ack: 0 }),
    ];
  }
}

export class Clock {
  frame = 0;
  time = 1_700_000_000;
  tick(dt: number): void {
    this.frame++;
    this.time += dt;
  }
}

export interface Delivered {
  from: Side;
  offset: number;
  text: string;
  frame: number;
}

/** A StreamConsumer that writes everything down. */
export class Recorder implements StreamConsumer {
  readonly chunks: Delivered[] = [];
  readonly gaps: { from: Side; offset: number; length: number; frame: number }[] = [];
  readonly events: TcpEvent[] = [];
  closed = 0;
  /** Sides the consumer stops wanting after this many bytes. */
  stopAfter: Partial<Record<Side, number>> = {};
  private readonly received: Record<Side, number> = { client: 0, server: 0 };

  data(from: Side, data: Buffer, offset: number, frame: number): void {
    this.chunks.push({ from, offset, text: data.toString('latin1'), frame });
    this.received[from] += data.length;
  }
  gap(from: Side, offset: number, length: number, frame: number): void {
    this.gaps.push({ from, offset, length, frame });
  }
  event(event: TcpEvent): void {
    this.events.push(event);
  }
  wants(from: Side): boolean {
    const limit = this.stopAfter[from];
    return limit === undefined || this.received[from] < limit;
  }
  close(): void {
    this.closed++;
  }

  /** One side's stream as delivered, with each gap shown as `[gap N]`. Also checks offsets are contiguous. */
  stream(from: Side): string {
    const parts: { offset: number; length: number; text: string }[] = [];
    for (const c of this.chunks) if (c.from === from) parts.push({ offset: c.offset, length: c.text.length, text: c.text });
    for (const g of this.gaps) if (g.from === from) parts.push({ offset: g.offset, length: g.length, text: `[gap ${g.length}]` });
    parts.sort((x, y) => x.offset - y.offset);
    let at = parts.length > 0 ? parts[0].offset : 0;
    let out = '';
    for (const p of parts) {
      if (p.offset !== at) throw new Error(`${from} stream not contiguous at ${at}: next piece at ${p.offset}`);
      out += p.text;
      at += p.length;
    }
    return out;
  }
}

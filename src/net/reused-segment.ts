import { u32be } from '../capture/bytes.js';
import type { AddressNames } from './address.js';
import { parseTcpOptions } from './tcp-options.js';
import type { TcpOptions, TcpSegment } from './types.js';

const EMPTY = Buffer.alloc(0);

/**
 * The TcpSegment a NetDecoder built with `reuseSegments` hands out: one object, filled in place for every
 * frame, so the per-packet path allocates nothing. What costs something to build (the address text, the
 * options, the payload view) is built only when read, from the frame's bytes: like the payload of any
 * segment, it is all valid only during the call that hands the segment out.
 */
export class ReusedSegment implements TcpSegment {
  frame = 0;
  time = 0;
  ipVersion: 4 | 6 = 4;
  srcPort = 0;
  dstPort = 0;
  seq = 0;
  ack = 0;
  flags = 0;
  window = 0;
  payloadLength = 0;
  payloadCaptured = 0;
  // Numbers from the start (undefined only for IPv6): V8 then keeps the fields as unboxed doubles, and
  // filling them in allocates nothing.
  srcV4: number | undefined = 0;
  dstV4: number | undefined = 0;

  private addr: Buffer = EMPTY;
  private srcOff = 0;
  private dstOff = 0;
  private buf: Buffer = EMPTY;
  private optionsStart = 0;
  private payloadStart = 0;
  private payloadEnd = 0;
  private srcText: string | null = null;
  private dstText: string | null = null;
  private parsedOptions: TcpOptions | null = null;
  private payloadView: Buffer | null = null;

  constructor(private readonly names: AddressNames) {}

  /** Fill in from the TCP header at `off` in `buf`; addresses at srcOff/dstOff in `addr`. The caller sets `time`. */
  fill(
    frame: number,
    ipVersion: 4 | 6,
    addr: Buffer,
    srcOff: number,
    dstOff: number,
    buf: Buffer,
    off: number,
    payloadStart: number,
    payloadEnd: number,
    payloadLength: number,
  ): this {
    this.frame = frame;
    this.ipVersion = ipVersion;
    this.addr = addr;
    this.srcOff = srcOff;
    this.dstOff = dstOff;
    if (ipVersion === 4) {
      this.srcV4 = u32be(addr, srcOff);
      this.dstV4 = u32be(addr, dstOff);
    } else {
      this.srcV4 = undefined;
      this.dstV4 = undefined;
    }
    this.buf = buf;
    this.srcPort = buf.readUInt16BE(off);
    this.dstPort = buf.readUInt16BE(off + 2);
    this.seq = u32be(buf, off + 4);
    this.ack = u32be(buf, off + 8);
    this.flags = buf[off + 13];
    this.window = buf.readUInt16BE(off + 14);
    this.optionsStart = off + 20;
    this.payloadStart = payloadStart;
    this.payloadEnd = payloadEnd;
    this.payloadLength = payloadLength;
    this.payloadCaptured = payloadEnd > payloadStart ? payloadEnd - payloadStart : 0;
    this.srcText = null;
    this.dstText = null;
    this.parsedOptions = null;
    this.payloadView = null;
    return this;
  }

  get src(): string {
    return (this.srcText ??= this.ipVersion === 4 ? this.names.ipv4(this.addr, this.srcOff) : this.names.ipv6(this.addr, this.srcOff));
  }

  get dst(): string {
    return (this.dstText ??= this.ipVersion === 4 ? this.names.ipv4(this.addr, this.dstOff) : this.names.ipv6(this.addr, this.dstOff));
  }

  get options(): TcpOptions {
    return (this.parsedOptions ??= parseTcpOptions(this.buf, this.optionsStart, this.payloadStart));
  }

  get payload(): Buffer {
    if (this.payloadView === null) {
      this.payloadView = this.payloadEnd > this.payloadStart ? this.buf.subarray(this.payloadStart, this.payloadEnd) : EMPTY;
    }
    return this.payloadView;
  }
}

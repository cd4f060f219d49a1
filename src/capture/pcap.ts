import { u32be, u32le } from './bytes.js';
import { Magic, MAX_CAPTURED_LENGTH, type FormatParser, type ParserContext } from './formats.js';
import type { CaptureDamage } from './types.js';

const FILE_HEADER_LENGTH = 24;
const RECORD_HEADER_LENGTH = 16;
/** Kuznetzov's modified pcap appends ifindex (4), protocol (2), pkt_type (1) and padding (1) to each record header. */
const KUZNETZOV_RECORD_HEADER_LENGTH = 24;

/**
 * The link type field of the file header (draft-ietf-opsawg-pcap): low 26 bits the LINKTYPE (libpcap's
 * LT_LINKTYPE mask), bit 26 says the top 4 bits hold the FCS length in 16-bit words.
 */
const LINKTYPE_MASK = 0x03ffffff;
const FCS_LENGTH_PRESENT = 0x04000000;

/** Classic libpcap file: a 24-byte file header, then (16-byte header, data) records. */
export class PcapParser implements FormatParser {
  readonly format = 'pcap' as const;
  private headerDone = false;
  private littleEndian = true;
  private unitsPerSecond = 1e6;
  private recordHeaderLength = RECORD_HEADER_LENGTH;
  private linkType = 0;
  private fcsBytes = 0;

  constructor(private readonly ctx: ParserContext) {}

  parse(): void {
    const q = this.ctx.queue;
    if (!this.headerDone) {
      if (q.length < FILE_HEADER_LENGTH) return;
      if (!this.readFileHeader(q.peek(FILE_HEADER_LENGTH))) return;
      q.skip(FILE_HEADER_LENGTH);
      this.headerDone = true;
    }
    const hlen = this.recordHeaderLength;
    const le = this.littleEndian;
    while (q.length >= hlen) {
      // Records lying wholly inside the current chunk are read in place and skipped all at once.
      const chunk = q.headChunk;
      const base = q.headPos;
      const end = chunk.length;
      let p = base;
      while (end - p >= hlen) {
        const capturedLength = le ? chunk.readUInt32LE(p + 8) : chunk.readUInt32BE(p + 8);
        if (capturedLength > MAX_CAPTURED_LENGTH) break;
        const total = hlen + capturedLength;
        if (end - p < total) break;
        this.emit(chunk, p, total);
        p += total;
      }
      if (p > base) {
        q.skip(p - base);
        continue;
      }
      // The next record spans chunks (or its length is corrupt): gathered once, when complete.
      const header = q.peek(hlen);
      const capturedLength = le ? header.readUInt32LE(8) : header.readUInt32BE(8);
      if (capturedLength > MAX_CAPTURED_LENGTH) {
        this.ctx.damage(
          'corrupt',
          q.consumed,
          `packet record ${this.ctx.nextFrameNumber()} claims ${capturedLength} captured bytes (more than the ${MAX_CAPTURED_LENGTH} any capture holds)`,
        );
        return;
      }
      const total = hlen + capturedLength;
      if (q.length < total) return;
      this.emit(q.peek(total), 0, total);
      q.skip(total);
    }
  }

  /** The record of `total` bytes at `at` in `buf`. */
  private emit(buf: Buffer, at: number, total: number): void {
    const le = this.littleEndian;
    const seconds = le ? u32le(buf, at) : u32be(buf, at);
    const fraction = le ? u32le(buf, at + 4) : u32be(buf, at + 4);
    let originalLength = le ? u32le(buf, at + 12) : u32be(buf, at + 12);
    const start = at + this.recordHeaderLength;
    let end = at + total;
    const fcs = this.fcsBytes;
    if (fcs > 0 && originalLength >= fcs) {
      // stripFcs, in offsets: the FCS goes when the frame was captured to its end.
      const keep = originalLength - fcs;
      if (end - start > keep) end = start + keep;
      originalLength -= fcs;
    }
    this.ctx.frameTime = seconds + fraction / this.unitsPerSecond;
    this.ctx.emitFrameAt(this.linkType, 0, buf, start, end, originalLength);
  }

  atEnd(): CaptureDamage | null {
    const q = this.ctx.queue;
    const left = q.length;
    if (!this.headerDone) {
      return {
        kind: 'truncated',
        offset: 0,
        message: `the pcap file header is cut off: ${left} of ${FILE_HEADER_LENGTH} bytes`,
      };
    }
    if (left === 0) return null;
    const n = this.ctx.nextFrameNumber();
    if (left < this.recordHeaderLength) {
      return {
        kind: 'truncated',
        offset: q.consumed,
        message: `packet record ${n} header is cut off: ${left} of ${this.recordHeaderLength} bytes`,
      };
    }
    const header = q.peek(this.recordHeaderLength);
    const capturedLength = this.littleEndian ? header.readUInt32LE(8) : header.readUInt32BE(8);
    return {
      kind: 'truncated',
      offset: q.consumed,
      message: `packet record ${n} is cut off: ${left - this.recordHeaderLength} of ${capturedLength} bytes`,
    };
  }

  private readFileHeader(h: Buffer): boolean {
    const magic = h.readUInt32BE(0);
    switch (magic) {
      case Magic.PCAP_US_BE:
      case Magic.PCAP_NS_BE:
      case Magic.PCAP_KUZNETZOV_BE:
        this.littleEndian = false;
        break;
      default:
        this.littleEndian = true;
    }
    if (magic === Magic.PCAP_NS_BE || magic === Magic.PCAP_NS_LE) this.unitsPerSecond = 1e9;
    if (magic === Magic.PCAP_KUZNETZOV_BE || magic === Magic.PCAP_KUZNETZOV_LE) {
      this.recordHeaderLength = KUZNETZOV_RECORD_HEADER_LENGTH;
    }
    const le = this.littleEndian;
    const major = le ? h.readUInt16LE(4) : h.readUInt16BE(4);
    const minor = le ? h.readUInt16LE(6) : h.readUInt16BE(6);
    if (major !== 2) {
      this.ctx.damage('corrupt', 4, `unsupported pcap version ${major}.${minor}`);
      return false;
    }
    const linkField = le ? h.readUInt32LE(20) : h.readUInt32BE(20);
    this.linkType = linkField & LINKTYPE_MASK;
    if (linkField & FCS_LENGTH_PRESENT) this.fcsBytes = (linkField >>> 28) * 2;
    this.ctx.declareLinkType(this.linkType);
    this.ctx.declareTimePrecision(this.unitsPerSecond === 1e9 ? 9 : 6);
    return true;
  }
}

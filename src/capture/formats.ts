import type { ByteQueue } from './byte-queue.js';
import type { CaptureDamage, CaptureFormat } from './types.js';

/** File magic numbers, as the first four bytes read big-endian. */
export const Magic = {
  /** Classic pcap, microsecond timestamps, written big-endian / little-endian. */
  PCAP_US_BE: 0xa1b2c3d4,
  PCAP_US_LE: 0xd4c3b2a1,
  /** Classic pcap, nanosecond timestamps. */
  PCAP_NS_BE: 0xa1b23c4d,
  PCAP_NS_LE: 0x4d3cb2a1,
  /** Alexey Kuznetzov's "modified" pcap (records carry 8 more bytes: ifindex, protocol, pkt_type). */
  PCAP_KUZNETZOV_BE: 0xa1b2cd34,
  PCAP_KUZNETZOV_LE: 0x34cdb2a1,
  /** pcapng Section Header Block type: the same bytes in either byte order. */
  PCAPNG_SHB: 0x0a0d0d0a,
  /** pcapng byte-order magic inside the SHB. */
  PCAPNG_BYTE_ORDER: 0x1a2b3c4d,
} as const;

/** First two bytes of a gzip member (RFC 1952). */
export const GZIP_MAGIC_0 = 0x1f;
export const GZIP_MAGIC_1 = 0x8b;

/**
 * Largest captured length accepted for one packet (Wireshark's maximum snaplen, 256 KiB). A record
 * claiming more is corrupt, and this is what bounds the memory one record can make us hold.
 */
export const MAX_CAPTURED_LENGTH = 262144;

/** Every magic a capture can start with, for telling "cut off inside the magic" from "not a capture". */
export const ALL_MAGICS: readonly number[] = [
  Magic.PCAP_US_BE,
  Magic.PCAP_US_LE,
  Magic.PCAP_NS_BE,
  Magic.PCAP_NS_LE,
  Magic.PCAP_KUZNETZOV_BE,
  Magic.PCAP_KUZNETZOV_LE,
  Magic.PCAPNG_SHB,
];

/** What a format parser needs from the reader that drives it. */
export interface ParserContext {
  readonly queue: ByteQueue;
  /**
   * The time of the packet the next emitFrame or emitFrameAt delivers, in seconds. Set as a field, not passed as
   * an argument: a fractional number passed to a call that is not inlined is allocated anew, once per packet.
   */
  frameTime: number;
  /** Deliver one packet, of time `frameTime`. `data` is only valid during the call. */
  emitFrame(linkType: number, interfaceId: number, data: Buffer, originalLength: number): void;
  /** The same for the packet at buf[start, end), without a view of it built. */
  emitFrameAt(linkType: number, interfaceId: number, buf: Buffer, start: number, end: number, originalLength: number): void;
  /** Number the next frame would get (1-based). */
  nextFrameNumber(): number;
  /** A record Wireshark numbers as a frame although it is not a packet (pcapng custom blocks): keep in step. */
  skipFrameNumber(): void;
  /** Record damage; reading stops. */
  damage(kind: CaptureDamage['kind'], offset: number, message: string): void;
  /** An interface (or the file header) declares this link type. */
  declareLinkType(linkType: number): void;
  /** Timestamp precision of the first interface, in decimal digits. */
  declareTimePrecision(digits: number): void;
  /** A pcapng Decryption Secrets Block: its secrets type and data (valid during the call only). */
  secrets(type: number, data: Buffer): void;
}

export interface FormatParser {
  readonly format: CaptureFormat;
  /** Parse every complete record the queue holds; returns after damage too (the context knows). */
  parse(): void;
  /** At the end of input: what the leftover bytes mean (a cut-off record), or null when nothing is pending. */
  atEnd(): CaptureDamage | null;
}

/** Remove `fcsBytes` of frame check sequence from the end of a frame, when the frame was captured to its end. */
export function stripFcs(data: Buffer, originalLength: number, fcsBytes: number): Buffer {
  if (fcsBytes === 0 || originalLength < fcsBytes) return data;
  const keep = originalLength - fcsBytes;
  return data.length > keep ? data.subarray(0, keep) : data;
}

/**
 * Seconds since the epoch from a 64-bit count of 1/unitsPerSecond units split in two 32-bit halves.
 *
 * Integer seconds and the remainder are computed exactly (long division in 16-bit digits) when the unit
 * count fits in 31 bits (every resolution up to nanoseconds), then joined as `seconds + remainder / units`:
 * the same expression classic pcap uses, so one packet stored in pcap and in pcapng gets the same double.
 */
export function ticksToSeconds(high: number, low: number, unitsPerSecond: number, offsetSeconds: number): number {
  if (unitsPerSecond > 0 && unitsPerSecond <= 0x7fffffff && Number.isInteger(unitsPerSecond)) {
    let rem = 0;
    let quot = 0;
    let cur = rem * 65536 + (high >>> 16);
    let digit = Math.floor(cur / unitsPerSecond);
    rem = cur - digit * unitsPerSecond;
    quot = digit;
    cur = rem * 65536 + (high & 0xffff);
    digit = Math.floor(cur / unitsPerSecond);
    rem = cur - digit * unitsPerSecond;
    quot = quot * 65536 + digit;
    cur = rem * 65536 + (low >>> 16);
    digit = Math.floor(cur / unitsPerSecond);
    rem = cur - digit * unitsPerSecond;
    quot = quot * 65536 + digit;
    cur = rem * 65536 + (low & 0xffff);
    digit = Math.floor(cur / unitsPerSecond);
    rem = cur - digit * unitsPerSecond;
    quot = quot * 65536 + digit;
    return quot + offsetSeconds + rem / unitsPerSecond;
  }
  return (high * 4294967296 + low) / unitsPerSecond + offsetSeconds;
}

/** Hex of the first bytes of a buffer, space-separated, for messages. */
export function hexBytes(buf: Buffer, count: number): string {
  const parts: string[] = [];
  for (let i = 0; i < count && i < buf.length; i++) parts.push(buf[i].toString(16).padStart(2, '0'));
  return parts.join(' ');
}

/**
 * Text forms of IP addresses: dotted quad for IPv4, RFC 5952 for IPv6 (lower-case hex, no leading
 * zeros, the longest run of two or more zero groups shown as "::" (the first such run on a tie), and
 * IPv4-mapped addresses as ::ffff:a.b.c.d, as §5 recommends).
 */
import { BoundedCache } from '../bounded-cache.js';

const HEX_GROUP_CACHE: string[] = [];

/** Dotted quad of the four bytes at `off`. */
export function formatIPv4(buf: Buffer, off: number): string {
  return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
}

/** RFC 5952 text of the sixteen bytes at `off`. */
export function formatIPv6(buf: Buffer, off: number): string {
  // Longest run of zero groups.
  let bestStart = -1;
  let bestLength = 0;
  let runStart = -1;
  for (let g = 0; g < 8; g++) {
    const zero = buf[off + 2 * g] === 0 && buf[off + 2 * g + 1] === 0;
    if (zero) {
      if (runStart < 0) runStart = g;
      const length = g - runStart + 1;
      if (length > bestLength) {
        bestLength = length;
        bestStart = runStart;
      }
    } else {
      runStart = -1;
    }
  }
  if (bestLength < 2) bestStart = -1;
  if (bestStart === 0 && bestLength === 5 && buf[off + 10] === 0xff && buf[off + 11] === 0xff) {
    return `::ffff:${formatIPv4(buf, off + 12)}`;
  }
  let out = '';
  for (let g = 0; g < 8; g++) {
    if (g === bestStart) {
      out += '::';
      g += bestLength - 1;
      continue;
    }
    if (out.length > 0 && !out.endsWith(':')) out += ':';
    out += hexGroup((buf[off + 2 * g] << 8) | buf[off + 2 * g + 1]);
  }
  return out;
}

const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/;

/** The four bytes of a dotted quad ('192.0.2.1'), or null when `text` is not one. */
export function parseIPv4(text: string): number[] | null {
  const m = DOTTED_QUAD.exec(text);
  if (!m) return null;
  const bytes = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
  return bytes.every((b) => b <= 255) ? bytes : null;
}

/**
 * The sixteen bytes of an IPv6 address in any RFC 4291 §2.2 text form (upper or lower case, leading zeros, '::',
 * a dotted quad in the last 32 bits, a '%zone' after it), or null when `text` is not one.
 */
export function parseIPv6(text: string): Buffer | null {
  let t = text.toLowerCase();
  const zone = t.indexOf('%');
  if (zone >= 0) t = t.slice(0, zone);
  let quad: number[] | null = null;
  const lastColon = t.lastIndexOf(':');
  if (t.indexOf('.', lastColon) > 0) {
    quad = parseIPv4(t.slice(lastColon + 1));
    if (quad === null) return null;
    t = `${t.slice(0, lastColon + 1)}0:0`;
  }
  const halves = t.split('::');
  if (halves.length > 2) return null;
  const head = hexGroups(halves[0]!);
  const tail = halves.length === 2 ? hexGroups(halves[1]!) : [];
  if (head === null || tail === null) return null;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return null;
  const groups = [...head, ...new Array<number>(fill).fill(0), ...tail];
  const bytes = Buffer.alloc(16);
  groups.forEach((g, i) => bytes.writeUInt16BE(g, 2 * i));
  if (quad !== null) bytes.set(quad, 12);
  return bytes;
}

function hexGroups(text: string): number[] | null {
  if (text === '') return [];
  const groups: number[] = [];
  for (const g of text.split(':')) {
    if (!HEX_GROUP.test(g)) return null;
    groups.push(parseInt(g, 16));
  }
  return groups;
}

/** The RFC 5952 text of an IPv6 address written in any form ('0:0:0:0:0:0:0:1' → '::1'), or null. */
export function canonicalIPv6(text: string): string | null {
  const bytes = parseIPv6(text);
  return bytes === null ? null : formatIPv6(bytes, 0);
}

/** The sixteen bytes at `off` are an IPv4-mapped IPv6 address (::ffff:a.b.c.d, RFC 4291 §2.5.5.2). */
export function isIPv4Mapped(buf: Buffer, off: number): boolean {
  for (let i = 0; i < 10; i++) if (buf[off + i] !== 0) return false;
  return buf[off + 10] === 0xff && buf[off + 11] === 0xff;
}

function hexGroup(v: number): string {
  if (v < 256) {
    let s = HEX_GROUP_CACHE[v];
    if (s === undefined) HEX_GROUP_CACHE[v] = s = v.toString(16);
    return s;
  }
  return v.toString(16);
}

/**
 * Remembers the text of recently seen addresses so that the packets of one conversation, which carry
 * the same few addresses over and over, do not build the same strings again. At most 8,192 IPv4 addresses:
 * room for the connections open at once, while a capture of a day's clients does not keep the text of every
 * address it ever saw.
 */
export class AddressNames {
  private static readonly V4_LIMIT = 8192;
  private static readonly V6_SLOTS = 16;
  private readonly v4 = new BoundedCache<number, string>(AddressNames.V4_LIMIT);
  /** Round-robin memo of IPv6 addresses: 16 bytes each in `v6Bytes`, text in `v6Text`. */
  private readonly v6Bytes = Buffer.alloc(16 * AddressNames.V6_SLOTS);
  private readonly v6Text: string[] = new Array<string>(AddressNames.V6_SLOTS).fill('');
  private v6Next = 0;

  ipv4(buf: Buffer, off: number): string {
    const key = buf.readUInt32BE(off);
    let s = this.v4.get(key);
    if (s === undefined) {
      s = formatIPv4(buf, off);
      this.v4.set(key, s);
    }
    return s;
  }

  ipv6(buf: Buffer, off: number): string {
    const memo = this.v6Bytes;
    for (let slot = 0; slot < AddressNames.V6_SLOTS; slot++) {
      if (this.v6Text[slot] !== '' && buf.compare(memo, slot * 16, slot * 16 + 16, off, off + 16) === 0) {
        return this.v6Text[slot];
      }
    }
    const s = formatIPv6(buf, off);
    const slot = this.v6Next;
    this.v6Next = (slot + 1) % AddressNames.V6_SLOTS;
    buf.copy(memo, slot * 16, off, off + 16);
    this.v6Text[slot] = s;
    return s;
  }
}

/**
 * Text forms of IP addresses: dotted quad for IPv4, RFC 5952 for IPv6 (lower-case hex, no leading
 * zeros, the longest run of two or more zero groups shown as "::" (the first such run on a tie), and
 * IPv4-mapped addresses as ::ffff:a.b.c.d, as §5 recommends).
 */

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
 * the same few addresses over and over, do not build the same strings again. Started afresh at 8,192 IPv4
 * addresses: room for the connections open at once, while a capture of a day's clients does not keep the
 * text of every address it ever saw.
 */
export class AddressNames {
  private static readonly V4_LIMIT = 8192;
  private static readonly V6_SLOTS = 16;
  private readonly v4 = new Map<number, string>();
  /** Round-robin memo of IPv6 addresses: 16 bytes each in `v6Bytes`, text in `v6Text`. */
  private readonly v6Bytes = Buffer.alloc(16 * AddressNames.V6_SLOTS);
  private readonly v6Text: string[] = new Array<string>(AddressNames.V6_SLOTS).fill('');
  private v6Next = 0;

  ipv4(buf: Buffer, off: number): string {
    const key = buf.readUInt32BE(off);
    let s = this.v4.get(key);
    if (s === undefined) {
      if (this.v4.size >= AddressNames.V4_LIMIT) this.v4.clear();
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

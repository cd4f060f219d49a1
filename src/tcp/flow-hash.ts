/** The connection table's keys: addresses as numbers and the hash of a 4-tuple, the same both ways. */

/** Dotted quad of an IPv4 address key (addressKey), as the capture reader writes it. */
export function ipv4Text(key: number): string {
  return `${key >>> 24}.${(key >>> 16) & 255}.${(key >>> 8) & 255}.${key & 255}`;
}

/**
 * A number for an address: an IPv4 address itself (from the segment's `srcV4`/`dstV4`, or parsed from its text),
 * so that equal keys mean equal addresses; for IPv6 a hash of the text, which only narrows the search.
 */
export function addressKey(v4: number | undefined, text: string, ipVersion: number): number {
  // Signed: an address from 128.0.0.0 up, unsigned, is no small integer to V8 (see SideState).
  if (v4 !== undefined) return v4 | 0;
  if (ipVersion === 4) {
    let n = 0;
    let part = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 46) {
        n = n * 256 + part;
        part = 0;
      } else {
        part = part * 10 + (c - 48);
      }
    }
    return (n * 256 + part) | 0;
  }
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}

/** A well-mixed 32-bit number for one (address, port) endpoint; signed, as an unsigned one from 2^31 up is boxed. */
export function endpointHash(key: number, port: number): number {
  let h = Math.imul(key ^ Math.imul(port + 1, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * The tracker table's key of a 4-tuple, the same both ways: 30 bits, a small integer to V8 (never boxed); its low
 * bits pick the bucket. Address keys as addressKey makes them. Exported for the test of its spread: flows that collide
 * share a bucket searched one by one, so a poor spread makes many open connections quadratic.
 */
export function flowHash(srcKey: number, srcPort: number, dstKey: number, dstPort: number): number {
  const a = endpointHash(srcKey, srcPort);
  const b = endpointHash(dstKey, dstPort);
  return (a < b ? Math.imul(a, 31) + b : Math.imul(b, 31) + a) & 0x3fffffff;
}

/**
 * Addresses as logs write them, in one canonical text form so that they compare with the capture's:
 * IPv4 dotted quad, IPv6 in RFC 5952 form (lower case, longest zero run as `::`), an IPv4-mapped IPv6
 * address as the IPv4 address it is on the wire.
 */

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The canonical text of an address, or null when `text` is not one. */
export function canonicalIp(text: string): string | null {
  let t = text;
  if (t.length > 5 && (t.charCodeAt(0) === 73 || t.charCodeAt(0) === 105) && /^ipv6:/i.test(t)) t = t.slice(5);
  if (t.includes(':')) return canonicalIpv6(t);
  const m = IPV4.exec(t);
  if (!m) return null;
  for (let i = 1; i <= 4; i++) if (Number(m[i]) > 255) return null;
  return `${Number(m[1])}.${Number(m[2])}.${Number(m[3])}.${Number(m[4])}`;
}

function canonicalIpv6(text: string): string | null {
  let t = text.toLowerCase();
  const zone = t.indexOf('%');
  if (zone >= 0) t = t.slice(0, zone);
  let tail: number[] = [];
  // An embedded IPv4 address in the last 32 bits.
  const lastColon = t.lastIndexOf(':');
  if (t.indexOf('.', lastColon) > 0) {
    const v4 = canonicalIp(t.slice(lastColon + 1));
    if (v4 === null || v4.includes(':')) return null;
    const b = v4.split('.').map(Number);
    tail = [(b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!];
    t = t.slice(0, lastColon + 1) + '0:0';
  }
  const halves = t.split('::');
  if (halves.length > 2) return null;
  const parse = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (head === null || rest === null) return null;
  let groups: number[];
  if (halves.length === 2) {
    const fill = 8 - head.length - rest.length;
    if (fill < 1) return null;
    groups = [...head, ...new Array<number>(fill).fill(0), ...rest];
  } else {
    if (head.length !== 8) return null;
    groups = head;
  }
  if (tail.length === 2) {
    groups[6] = tail[0]!;
    groups[7] = tail[1]!;
  }
  // IPv4-mapped: the packet on the wire was IPv4.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`;
  }
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestLength < 2) bestStart = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += '::';
      i += bestLength - 1;
      continue;
    }
    if (out.length > 0 && !out.endsWith(':')) out += ':';
    out += groups[i]!.toString(16);
  }
  return out;
}

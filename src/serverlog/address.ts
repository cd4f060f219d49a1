/**
 * Addresses as logs write them, in one canonical text form so that they compare with the capture's:
 * IPv4 dotted quad, IPv6 in RFC 5952 form (net/address.ts writes both), an IPv4-mapped IPv6 address as
 * the IPv4 address it is on the wire.
 */
import { formatIPv4, formatIPv6, isIPv4Mapped, parseIPv4, parseIPv6 } from '../net/address.js';

/** The canonical text of an address, or null when `text` is not one. */
export function canonicalIp(text: string): string | null {
  let t = text;
  if (t.length > 5 && (t.charCodeAt(0) === 73 || t.charCodeAt(0) === 105) && /^ipv6:/i.test(t)) t = t.slice(5);
  if (t.includes(':')) {
    const bytes = parseIPv6(t);
    if (bytes === null) return null;
    // IPv4-mapped: the packet on the wire was IPv4.
    return isIPv4Mapped(bytes, 0) ? formatIPv4(bytes, 12) : formatIPv6(bytes, 0);
  }
  const quad = parseIPv4(t);
  return quad === null ? null : quad.join('.');
}

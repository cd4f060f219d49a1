/**
 * Does a certificate cover the name a client asked for (RFC 6125 §6.4): its DNS names with wildcards, its
 * IP addresses, or its CN when it has no DNS name.
 */
import { isIP } from 'node:net';
import { canonicalIPv6 } from '../net/address.js';
import type { CertificateSummary } from './x509.js';

/** A name as compared: no surrounding space, lower case, no final dot. */
export function normalizeHost(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/**
 * RFC 6125 §6.4.3: a wildcard is only the whole left-most label ('*.example.com'), and it stands for
 * exactly one non-empty label. Partial-label wildcards ('mx*.example.com'), which §6.4.3 lets a client
 * accept, are refused here as RFC 9525 and every major TLS library refuse them; so is a wildcard
 * directly above a top-level domain ('*.com', §7.2).
 */
export function hostMatches(pattern: string, host: string): boolean {
  const p = normalizeHost(pattern);
  const h = normalizeHost(host);
  if (!p || !h) return false;
  if (!p.includes('*')) return p === h;
  const pl = p.split('.');
  const hl = h.split('.');
  if (pl[0] !== '*' || pl.slice(1).some((l) => l.includes('*'))) return false;
  if (pl.length < 3 || pl.length !== hl.length || !hl[0]) return false;
  return pl.slice(1).join('.') === hl.slice(1).join('.');
}

/** The names a certificate is valid for: its DNS SANs, or (RFC 6125 §6.4.4) its CN when it has none. */
export function certificateNames(c: CertificateSummary): { dns: string[]; ips: string[] } {
  const dns: string[] = [];
  const ips: string[] = [];
  for (const entry of c.san) {
    if (isIP(entry)) ips.push(entry);
    // A DNS name never contains ':' or '@'; the other kinds keep their 'email:' / 'URI:' label.
    else if (!/[:@]/.test(entry)) dns.push(entry);
  }
  if (dns.length === 0 && c.subject) {
    const cn = /(?:^|, )CN=([^,]+)/.exec(c.subject);
    if (cn) dns.push(cn[1]!);
  }
  return { dns, ips };
}

/** Does the certificate cover `name` (a host name, or an address for an IP SAN)? */
export function certificateCoversName(c: CertificateSummary, name: string): boolean {
  const { dns, ips } = certificateNames(c);
  if (isIP(name)) return ips.some((ip) => sameAddress(ip, name));
  return dns.some((pattern) => hostMatches(pattern, name));
}

/** Two addresses are the same: IPv6 in any text form (OpenSSL prints SANs uncompressed, '0:0:0:0:0:0:0:1'). */
function sameAddress(a: string, b: string): boolean {
  if (a === b) return true;
  return isIP(a) === 6 && isIP(b) === 6 && canonicalIPv6(a) === canonicalIPv6(b);
}

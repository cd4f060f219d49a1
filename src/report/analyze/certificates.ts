import { groupThousands } from '../../text/words.js';
import type { ConnectionReport } from '../../handshake/report.js';
import type { CertificateSummary } from '../../tls/x509.js';

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : '?');

/** Fingerprints, the chain as sent and what is wrong with it, for the one-connection views. */
export function securityLines(r: ConnectionReport): string[] {
  const lines: string[] = [];
  const f = fingerprintLine(r);
  if (f) lines.push(f);
  const certs = r.certificates ?? [];
  if (certs.length > 0) {
    lines.push(certificatesHeadLine(certs));
    certs.forEach((c, i) => lines.push(`  #${i + 1} ${certificateLine(c)}`));
  }
  for (const p of r.chainProblems ?? []) lines.push(`  chain problem (${p.code}): ${p.message}`);
  return lines;
}

/** `fingerprints: JA4 …, JA3 …, JA3S …`, or '' when there is none. */
export function fingerprintLine(r: ConnectionReport): string {
  const f = r.fingerprints;
  return f && (f.ja3 || f.ja3s || f.ja4) ? `fingerprints: JA4 ${f.ja4 ?? '—'}, JA3 ${f.ja3 ?? '—'}, JA3S ${f.ja3s ?? '—'}` : '';
}

/** `certificates sent: 2, 2,712 bytes in the Certificate message`. */
export function certificatesHeadLine(certs: readonly CertificateSummary[]): string {
  // Each certificate travels with a 3-byte length: this is the certificate list as sent.
  const total = certs.reduce((n, c) => n + c.bytes + 3, 0);
  return `certificates sent: ${certs.length}, ${groupThousands(total)} bytes in the Certificate message`;
}

/** One certificate as sent: subject, issuer, validity, key, signature, size, its first names. */
export function certificateLine(c: CertificateSummary): string {
  const key = c.keyType ? `${c.keyType}${c.keyBits ? ` ${c.keyBits}` : ''}` : 'key not readable';
  const names = c.san.length > 0 ? `; ${c.san.slice(0, 3).join(', ')}${c.san.length > 3 ? ` +${c.san.length - 3} more` : ''}` : '';
  return `${c.subject ?? '(unreadable)'} — issued by ${c.issuer ?? '?'}; valid ${day(c.notBefore)} to ${day(c.notAfter)}; ${key}, ${c.signatureAlgorithm ?? '?'}; ${c.bytes} bytes${names}`;
}

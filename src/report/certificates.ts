import type { ConnectionReport } from '../handshake/report.js';
import { groupThousands } from '../tls/format.js';

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : '?');

/** Fingerprints, the chain as sent and what is wrong with it, for the one-connection views. */
export function securityLines(r: ConnectionReport): string[] {
  const lines: string[] = [];
  const f = r.fingerprints;
  if (f && (f.ja3 || f.ja3s || f.ja4)) lines.push(`fingerprints: JA4 ${f.ja4 ?? '—'}, JA3 ${f.ja3 ?? '—'}, JA3S ${f.ja3s ?? '—'}`);
  const certs = r.certificates ?? [];
  if (certs.length > 0) {
    // Each certificate travels with a 3-byte length: this is the certificate list as sent.
    const total = certs.reduce((n, c) => n + c.bytes + 3, 0);
    lines.push(`certificates sent: ${certs.length}, ${groupThousands(total)} bytes in the Certificate message`);
    certs.forEach((c, i) => {
      const key = c.keyType ? `${c.keyType}${c.keyBits ? ` ${c.keyBits}` : ''}` : 'key not readable';
      const names = c.san.length > 0 ? `; ${c.san.slice(0, 3).join(', ')}${c.san.length > 3 ? ` +${c.san.length - 3} more` : ''}` : '';
      lines.push(`  #${i + 1} ${c.subject ?? '(unreadable)'} — issued by ${c.issuer ?? '?'}; valid ${day(c.notBefore)} to ${day(c.notAfter)}; ${key}, ${c.signatureAlgorithm ?? '?'}; ${c.bytes} bytes${names}`);
    });
  }
  for (const p of r.chainProblems ?? []) lines.push(`  chain problem (${p.code}): ${p.message}`);
  return lines;
}

/**
 * Which chain problem explains a client's rejection of the server's certificate: what a failed connection's
 * diagnosis names (diagnose.ts) and what the summary counts per chain (src/analyze/chains.ts).
 */
import { AlertDescription } from '../tls/names.js';
import type { ConnectionReport } from './report.js';

/** A chain problem that explains a client's rejection: its code (a ChainProblem code, or 'missing-intermediate') and words. */
export interface ChainCause {
  code: string;
  text: string;
}


/**
 * The chain problem that best explains a client's rejection of this chain, or null. `alert`: the client's alert
 * code when it sent one (unknown_ca is explained by a missing intermediate, an untrusted or self-signed chain;
 * certificate_expired by dates); null when it left without one (any of them may be why).
 *
 * A missing intermediate is what strict clients meet most after a renewal: the chain says so itself
 * ('issuer-not-next' at the leaf), or the server sent its certificate alone, which only a client that holds
 * the intermediate (or fetches it) accepts: a leaf is not issued by a root (the CA/Browser Forum's rules).
 */
export function chainCause(r: Pick<ConnectionReport, 'certificates' | 'chainProblems'>, alert: number | null): ChainCause | null {
  const certs = r.certificates ?? [];
  if (certs.length === 0) return null;
  const problems: ConnectionReport['chainProblems'] = r.chainProblems ?? [];
  const has = (code: string) => problems.find((p) => p.code === code) ?? null;
  const leaf = certs[0]!;
  const missing = problems.find((p) => p.code === 'issuer-not-next');
  const candidates: (ChainCause | null)[] = [];
  if (missing) {
    const issuer = certs[missing.index ?? 0]?.issuer;
    const of = (missing.index ?? 0) === 0 ? 'the intermediate that issued the leaf' : `the issuer of certificate #${(missing.index ?? 0) + 1}`;
    candidates.push({ code: 'missing-intermediate', text: `the chain lacks ${of}${issuer ? ` ('${issuer}')` : ''}` });
  } else if (certs.length === 1 && !leaf.selfSigned && !leaf.ca && leaf.subject !== null) {
    candidates.push({ code: 'missing-intermediate', text: `the chain lacks the intermediate that issued the leaf: the server sent its certificate alone${leaf.issuer ? ` (issued by '${leaf.issuer}')` : ''}` });
  }
  const expired = has('expired') ?? has('not-yet-valid');
  const nameMismatch = has('name-mismatch');
  const selfSigned = has('self-signed');
  const untrusted = has('untrusted');
  const order = has('out-of-order');
  if (alert === AlertDescription.certificate_expired) return expired ? { code: expired.code, text: expired.message } : null;
  if (alert === AlertDescription.unknown_ca) {
    candidates.push(untrusted ? { code: 'untrusted', text: untrusted.message } : null, selfSigned ? { code: 'self-signed', text: selfSigned.message } : null, order ? { code: 'out-of-order', text: order.message } : null);
  } else {
    candidates.push(
      expired ? { code: expired.code, text: expired.message } : null,
      nameMismatch ? { code: 'name-mismatch', text: nameMismatch.message } : null,
      selfSigned ? { code: 'self-signed', text: selfSigned.message } : null,
      untrusted ? { code: 'untrusted', text: untrusted.message } : null,
      order ? { code: 'out-of-order', text: order.message } : null,
    );
  }
  return candidates.find((c) => c !== null) ?? null;
}

/** Alerts a client sends when it rejects the server's certificate (RFC 8446 §6.2): bad_certificate … unknown_ca. */
export const CERTIFICATE_ALERTS: ReadonlySet<number> = new Set([
  AlertDescription.bad_certificate,
  AlertDescription.unsupported_certificate,
  AlertDescription.certificate_revoked,
  AlertDescription.certificate_expired,
  AlertDescription.certificate_unknown,
  AlertDescription.unknown_ca,
]);

/**
 * The chain problem a failed connection's diagnosis names: when the client rejected the server's certificate
 * (a certificate alert, or its FIN or RST right after the server's whole TLS 1.2 flight) and the chain explains it.
 */
export function rejectionCause(r: Pick<ConnectionReport, 'outcome' | 'end' | 'lastStep' | 'shape' | 'certificates' | 'chainProblems'>): ChainCause | null {
  if (r.outcome !== 'failed' || r.end.by !== 'client') return null;
  const alert = r.end.alert;
  if (r.end.how === 'alert' && alert && alert.code !== null && CERTIFICATE_ALERTS.has(alert.code)) return chainCause(r, alert.code);
  if ((r.end.how === 'fin' || r.end.how === 'rst') && r.lastStep === 4 && r.shape !== 'tls13') return chainCause(r, null);
  return null;
}

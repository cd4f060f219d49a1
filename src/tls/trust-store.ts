/**
 * The CA certificates given with `--ca FILE`, against which chains are validated (chain-checks.ts).
 */
import { X509Certificate } from 'node:crypto';

/** CA certificates given with `--ca FILE`. */
export interface TrustStore {
  file: string;
  anchors: X509Certificate[];
}

const PEM_CERTIFICATE = /-----BEGIN (?:TRUSTED )?CERTIFICATE-----([\s\S]*?)-----END (?:TRUSTED )?CERTIFICATE-----/g;

/** A PEM bundle (any number of CERTIFICATE blocks) or one DER certificate. */
export function loadTrustStore(bytes: Buffer, file: string): { ok: true; store: TrustStore } | { ok: false; error: string } {
  const anchors: X509Certificate[] = [];
  const errors: string[] = [];
  const text = bytes.toString('latin1');
  let blocks = 0;
  for (const m of text.matchAll(PEM_CERTIFICATE)) {
    blocks++;
    try {
      anchors.push(new X509Certificate(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
    } catch (err) {
      errors.push(`certificate ${blocks}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (blocks === 0) {
    try {
      anchors.push(new X509Certificate(bytes));
    } catch {
      return { ok: false, error: `${file}: no certificate in it (expected PEM "BEGIN CERTIFICATE" blocks or one DER certificate)` };
    }
  }
  if (anchors.length === 0) return { ok: false, error: `${file}: no readable certificate (${errors.join('; ')})` };
  return { ok: true, store: { file, anchors } };
}

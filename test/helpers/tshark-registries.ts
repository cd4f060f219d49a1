/**
 * tshark's own names for TLS code points (test/tls/fixtures/tshark-registries/, made by
 * scripts/make-tshark-registries.sh from `tshark -G values`): an oracle independent of src/tls/names.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = join(import.meta.dirname, '../tls/fixtures/tshark-registries');

export type TsharkField =
  | 'tls.handshake.type'
  | 'tls.alert_message.desc'
  | 'tls.handshake.ciphersuite'
  | 'tls.handshake.extension.type'
  | 'tls.handshake.extensions_supported_group'
  | 'tls.handshake.sig_hash_alg'
  | 'tls.record.version'
  | 'tls.handshake.cipherspec';

const cache = new Map<TsharkField, Map<number, string>>();

/**
 * code → tshark's name. A field registered with several value sets (tls.handshake.type: SSLv2's, then TLS's) is
 * split where a code repeats, and the largest set is the TLS one.
 */
export function tsharkNames(field: TsharkField): Map<number, string> {
  const known = cache.get(field);
  if (known) return known;
  const lines = readFileSync(join(DIR, `${field}.tsv`), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#')).slice(1);
  const sets: Map<number, string>[] = [new Map()];
  for (const line of lines) {
    const [code, name] = line.split('\t') as [string, string];
    const value = Number(code);
    if (sets.at(-1)!.has(value)) sets.push(new Map());
    sets.at(-1)!.set(value, name);
  }
  const largest = sets.reduce((a, b) => (b.size > a.size ? b : a));
  cache.set(field, largest);
  return largest;
}

/** Names compared across naming styles: "Server Hello Done" ~ "ServerHelloDone", "Certificate Expired" ~ "certificate_expired". */
export function nameKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * IANA's own TLS registries (test/tls/fixtures/iana/, the registry XML files copied byte for byte; see the README
 * there for the date and source): the oracle src/tls/names.ts is checked against.
 *
 * No XML library: IANA's files are regular, one `<record>` per entry, with a `<value>` and a `<description>` (the
 * extension registry says `<name>`). What is kept is one number → one name, per registry:
 *  - values `21`, `0x0403` and `0x13,0x01` (a cipher suite's two bytes) are read as numbers;
 *  - ranges (`0-255`, `0x0000-0x0200`, `0x00,0x1C-1D`, `0x01-09,*`) and records whose name starts with
 *    "Unassigned" or "Reserved" are skipped: they name no single code point;
 *  - markup inside a name (`<xref>`) is dropped and white space collapsed;
 *  - a note IANA writes after the name in parentheses, `supported_groups (renamed from "elliptic_curves")`,
 *    `X25519Kyber768Draft00 (OBSOLETE)`, `connection_id (deprecated)`, is split off into `note`.
 *    IANA's `_RESERVED` suffix (a code point no longer to be used) is part of the name and stays.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const IANA_DIR = join(import.meta.dirname, '../tls/fixtures/iana');

/** The registries the tests read, by IANA's registry id, and the file each is in. */
export const IANA_REGISTRIES = {
  'tls-parameters-4': 'tls-parameters.xml', // TLS Cipher Suites
  'tls-parameters-5': 'tls-parameters.xml', // TLS ContentType
  'tls-parameters-6': 'tls-parameters.xml', // TLS Alerts
  'tls-parameters-7': 'tls-parameters.xml', // TLS HandshakeType
  'tls-parameters-8': 'tls-parameters.xml', // TLS Supported Groups
  'tls-parameters-9': 'tls-parameters.xml', // TLS EC Point Format
  'tls-parameters-10': 'tls-parameters.xml', // TLS EC Curve Type
  'tls-parameters-16': 'tls-parameters.xml', // TLS SignatureAlgorithm
  'tls-parameters-18': 'tls-parameters.xml', // TLS HashAlgorithm
  'tls-signaturescheme': 'tls-parameters.xml', // TLS SignatureScheme
  'tls-pskkeyexchangemode': 'tls-parameters.xml', // TLS PskKeyExchangeMode
  'tls-extensiontype-values-1': 'tls-extensiontype-values.xml', // TLS ExtensionType Values
  'certificate-status': 'tls-extensiontype-values.xml', // TLS Certificate Status Types
  // TLS Certificate Compression Algorithm IDs
  'tls-certificate-compression-algorithm-ids': 'tls-extensiontype-values.xml',
} as const;

export type IanaRegistry = keyof typeof IANA_REGISTRIES;

export interface IanaEntry {
  /** The registered name, without a parenthesised note; `_RESERVED` kept. */
  name: string;
  /** IANA's parenthesised note after the name, if any: 'OBSOLETE', 'deprecated', 'renamed from "elliptic_curves"'. */
  note?: string;
}

/** `<updated>` of a whole registry file: the date the copy is current to. */
export function ianaUpdated(file: 'tls-parameters.xml' | 'tls-extensiontype-values.xml'): string {
  const text = readFileSync(join(IANA_DIR, file), 'utf8');
  return /<updated>([^<]+)<\/updated>/.exec(text)![1]!;
}

/** `0x13,0x01` → 0x1301, `0x0403` → 0x0403, `21` → 21; a range, a wildcard or anything else → undefined. */
export function parseIanaValue(value: string): number | undefined {
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const pair = /^0x([0-9a-f]{2}),0x([0-9a-f]{2})$/i.exec(v);
  if (pair) return parseInt(pair[1]!, 16) * 0x100 + parseInt(pair[2]!, 16);
  if (/^0x[0-9a-f]+$/i.test(v)) return parseInt(v.slice(2), 16);
  return undefined;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function text(xml: string): string {
  return xml
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ENTITIES[e]!)
    .replace(/\s+/g, ' ')
    .trim();
}

const cache = new Map<IanaRegistry, Map<number, IanaEntry>>();

/** code → IANA's entry, for every single code point the registry names. */
export function ianaNames(registry: IanaRegistry): Map<number, IanaEntry> {
  const known = cache.get(registry);
  if (known) return known;
  const xml = readFileSync(join(IANA_DIR, IANA_REGISTRIES[registry]), 'utf8');
  // Sub-registries are not nested in each other, so the first </registry> after the opening tag closes it.
  const body = new RegExp(`<registry id="${registry}">([\\s\\S]*?)</registry>`).exec(xml);
  if (!body) throw new Error(`no registry ${registry} in ${IANA_REGISTRIES[registry]}`);
  const entries = new Map<number, IanaEntry>();
  for (const [, record] of body[1]!.matchAll(/<record\b[^>]*>([\s\S]*?)<\/record>/g)) {
    const value = /<value>([\s\S]*?)<\/value>/.exec(record!)?.[1];
    const described = /<(description|name)>([\s\S]*?)<\/\1>/.exec(record!)?.[2];
    if (value === undefined || described === undefined) continue;
    const code = parseIanaValue(text(value));
    const full = text(described);
    if (code === undefined || /^(unassigned|reserved)\b/i.test(full)) continue;
    if (entries.has(code)) throw new Error(`${registry}: ${code} registered twice`);
    const noted = /^(.*?) \(([^()]*)\)$/.exec(full);
    entries.set(code, noted ? { name: noted[1]!, note: noted[2]! } : { name: full });
  }
  cache.set(registry, entries);
  return entries;
}

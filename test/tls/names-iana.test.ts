/**
 * Every entry of src/tls/names.ts against IANA's own registries (test/tls/fixtures/iana/: tls-parameters.xml of
 * 2026-08-10 and tls-extensiontype-values.xml of 2026-08-11, byte for byte; test/helpers/iana-registries.ts reads
 * them), entry by entry and both ways:
 *  - each code names.ts has and IANA registers must carry IANA's name, or be one of the EXCEPTIONS below;
 *  - each code names.ts has and IANA does not register must be listed in NOT_IANA, with what it is;
 *  - each code IANA registers must be in names.ts, or be listed in KNOWN_GAPS.
 * A list entry that is no longer true fails too, so the lists cannot go stale. tshark's tables remain a second
 * oracle (test/tls/names.test.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NAME_TABLES } from '../../src/tls/names.js';
import { IANA_DIR, ianaNames, ianaUpdated, parseIanaValue, type IanaRegistry } from '../helpers/iana-registries.js';
import { nameKey } from '../helpers/tshark-registries.js';

type Table = keyof typeof NAME_TABLES & string;

/**
 * Each table of names.ts with its IANA registry, and how many codes both must know at the least (so an emptied
 * fixture cannot pass).
 */
const PAIRS: [Table, IanaRegistry, number][] = [
  ['CIPHER_SUITES', 'tls-parameters-4', 356],
  ['CONTENT_TYPES', 'tls-parameters-5', 8],
  ['ALERT_DESCRIPTIONS', 'tls-parameters-6', 37],
  ['HANDSHAKE_TYPES', 'tls-parameters-7', 25],
  ['SUPPORTED_GROUPS', 'tls-parameters-8', 59],
  ['EC_POINT_FORMATS', 'tls-parameters-9', 3],
  ['EC_CURVE_TYPES', 'tls-parameters-10', 3],
  ['SIGNATURE_ALGORITHMS', 'tls-parameters-16', 4],
  ['HASH_ALGORITHMS', 'tls-parameters-18', 7],
  ['SIGNATURE_SCHEMES', 'tls-signaturescheme', 49],
  ['PSK_KEY_EXCHANGE_MODES', 'tls-pskkeyexchangemode', 2],
  ['EXTENSION_TYPES', 'tls-extensiontype-values-1', 64],
  ['CERTIFICATE_STATUS_TYPES', 'certificate-status', 2],
  ['CERTIFICATE_COMPRESSION_ALGORITHMS', 'tls-certificate-compression-algorithm-ids', 3],
];

/** Tables with no registry in these two files. */
const NOT_CHECKED: Partial<Record<Table, string>> = {
  SSLV2_CIPHER_KINDS: 'SSL 2.0 specification; IANA has no SSLv2 registry',
  SSLV2_MESSAGE_TYPES: 'SSL 2.0 specification; IANA has no SSLv2 registry',
  ALERT_LEVELS: 'RFC 5246 §7.2 / RFC 8446 §6; IANA keeps no alert level registry',
  PROTOCOL_VERSIONS: 'IANA keeps no TLS version registry',
  COMPRESSION_METHODS: 'IANA comp-meth-ids, a registry file of its own, not among the fixtures',
};

/**
 * Handshake types are named as the RFCs' prose and this project's events call the messages ('ServerHelloDone');
 * IANA writes the same names in snake_case ('server_hello_done'). They are compared without case and underscores.
 */
const STYLE_ONLY = new Set<Table>(['HANDSHAKE_TYPES']);

/**
 * IANA appended `_RESERVED` to code points it has retired (RFC 8447, RFC 9847): names.ts keeps the name the
 * messages had, which is what old and TLS 1.2 peers still send and what tshark prints. Each value is listed.
 */
const RESERVED_KEPT: Partial<Record<Table, number[]>> = {
  ALERT_DESCRIPTIONS: [21, 30, 41, 60, 100, 111, 114], // decryption_failed, decompression_failure, no_certificate, …
  HANDSHAKE_TYPES: [0, 3, 6, 12, 14, 16, 21, 22, 23], // HelloRequest, HelloVerifyRequest, …, the TLS 1.2 messages
  CERTIFICATE_STATUS_TYPES: [2], // ocsp_multi (RFC 6961, retired by RFC 8446)
};

/** Other names that differ from IANA's on purpose: table, code, ours, IANA's, why. */
const EXCEPTIONS: [Table, number, string, string, string][] = [
  [
    'EXTENSION_TYPES',
    23,
    'extended_master_secret',
    'extended_main_secret',
    'IANA renamed it in 2025 (RFC 9846 says main secret); RFC 7627, OpenSSL and tshark say extended_master_secret',
  ],
  [
    'EXTENSION_TYPES',
    53,
    'connection_id_deprecated',
    'connection_id',
    'IANA: "connection_id (deprecated)" beside 54 connection_id; a name table needs two names',
  ],
  ['CONTENT_TYPES', 26, 'ack', 'ACK', 'lower case like the other content types (RFC 9147 writes ack)'],
];

/** Codes names.ts names that IANA registers to nobody (IANA calls them Reserved or nothing). */
const NOT_IANA: Partial<Record<Table, Record<number, string>>> = {
  CIPHER_SUITES: {
    // 0x0060-0x0066: IANA "reserved to avoid conflicts with widely deployed implementations"; the 1024-bit
    // export suites of draft-ietf-tls-56-bit-ciphersuites, still offered by old clients.
    0x0060: 'TLS_RSA_EXPORT1024_WITH_RC4_56_MD5 (draft)',
    0x0061: 'TLS_RSA_EXPORT1024_WITH_RC2_CBC_56_MD5 (draft)',
    0x0062: 'TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA (draft)',
    0x0063: 'TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA (draft)',
    0x0064: 'TLS_RSA_EXPORT1024_WITH_RC4_56_SHA (draft)',
    0x0065: 'TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA (draft)',
    0x0066: 'TLS_DHE_DSS_WITH_RC4_128_SHA (draft)',
    // 0xFEFE-0xFEFF: IANA "reserved to avoid conflicts with widely deployed implementations".
    0xfefe: "Netscape's SSL_RSA_FIPS_WITH_DES_CBC_SHA",
    0xfeff: "Netscape's SSL_RSA_FIPS_WITH_3DES_EDE_CBC_SHA",
  },
  HANDSHAKE_TYPES: { 67: 'NPN next_protocol (draft-agl-tls-nextprotoneg), deployed by Chrome and OpenSSL' },
  EXTENSION_TYPES: {
    40: 'IANA "Reserved": key_share in TLS 1.3 drafts before -23',
    13172: 'NPN (draft-agl-tls-nextprotoneg)',
    17513: 'ALPS (Chrome)',
    17613: 'ALPS, second code point (Chrome, 2024)',
    30031: 'Channel ID, old code point (Chrome)',
    30032: 'Channel ID (Chrome)',
    65486: 'ESNI (draft-ietf-tls-esni before ECH)',
  },
};

/** Codes IANA registers that names.ts leaves out, and why. */
const KNOWN_GAPS: Partial<Record<Table, Record<number, string>>> = {
  // HASH_ALGORITHMS and SIGNATURE_ALGORITHMS only build names for TLS 1.2 (hash, signature) pairs (RFC 5246).
  // These later entries occur as whole TLS 1.3 SignatureSchemes, which SIGNATURE_SCHEMES names (0x0807 ed25519,
  // 0x0808 ed448); as halves they would make up pair names IANA never gave ('ed25519_sha256'). The price:
  // RFC 9189's TLS 1.2 GOST pairs 0x0840/0x0841 print as unknown.
  HASH_ALGORITHMS: { 8: 'Intrinsic (RFC 8422)' },
  SIGNATURE_ALGORITHMS: {
    7: 'ed25519 (RFC 8422)',
    8: 'ed448 (RFC 8422)',
    64: 'gostr34102012_256 (RFC 9189)',
    65: 'gostr34102012_512 (RFC 9189)',
  },
};

const hex = (code: number) => `0x${code.toString(16)}`;

describe('the IANA registry files', () => {
  it.each([
    ['tls-parameters.xml', 'b01817cb746b6ed2d0dfa2b6289c29c6438d5e61', '2026-08-10'],
    ['tls-extensiontype-values.xml', 'dbbad4f6f15cec1eae00d19035f5ef07c1c39735', '2026-08-11'],
  ] as const)('%s is the verbatim blob %s, updated %s', (file, blob, updated) => {
    const bytes = readFileSync(join(IANA_DIR, file));
    const gitBlob = createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
    expect(gitBlob).toBe(blob);
    expect(ianaUpdated(file)).toBe(updated);
  });

  it('reads values as IANA writes them, and skips ranges', () => {
    expect(parseIanaValue('0x13,0x01')).toBe(0x1301);
    expect(parseIanaValue('0x0403')).toBe(0x0403);
    expect(parseIanaValue('21')).toBe(21);
    for (const range of ['0-255', '0x00,0x1C-1D', '0x01-09,*', '0x0000-0x0200', 'Reserved']) {
      expect(parseIanaValue(range), range).toBeUndefined();
    }
    expect(ianaNames('tls-parameters-4').get(0x1301)).toEqual({ name: 'TLS_AES_128_GCM_SHA256' });
    expect(ianaNames('tls-parameters-6').get(21)).toEqual({ name: 'decryption_failed_RESERVED' });
    expect(ianaNames('tls-extensiontype-values-1').get(10)).toEqual({
      name: 'supported_groups',
      note: 'renamed from "elliptic_curves"',
    });
    expect(ianaNames('tls-parameters-8').get(25497)).toEqual({ name: 'X25519Kyber768Draft00', note: 'OBSOLETE' });
    expect(ianaNames('tls-extensiontype-values-1').has(40)).toBe(false); // "Reserved"
    expect(ianaNames('tls-parameters-4').has(0x0a0a)).toBe(false); // GREASE: "Reserved"
  });
});

describe('names.ts against IANA, entry by entry', () => {
  it('checks every table or says why not', () => {
    const covered = [...PAIRS.map(([t]) => t), ...Object.keys(NOT_CHECKED)].sort();
    expect(covered).toEqual(Object.keys(NAME_TABLES).sort());
  });

  it.each(PAIRS)('%s has the names of %s', (table, registry, atLeast) => {
    const iana = ianaNames(registry);
    const same = (a: string, b: string) => (STYLE_ONLY.has(table) ? nameKey(a) === nameKey(b) : a === b);
    const reservedKept = new Set(RESERVED_KEPT[table] ?? []);
    const exceptions = new Map(EXCEPTIONS.filter(([t]) => t === table).map(([, code, ...rest]) => [code, rest] as const));
    const notIana = NOT_IANA[table] ?? {};
    const wrong: string[] = [];
    const unregistered: number[] = [];
    let compared = 0;
    for (const [code, ours] of NAME_TABLES[table]!) {
      const theirs = iana.get(code);
      if (theirs === undefined) {
        unregistered.push(code);
        continue;
      }
      compared++;
      const exception = exceptions.get(code);
      if (reservedKept.has(code)) {
        // Exactly IANA's name less the suffix, and IANA still says _RESERVED.
        expect(theirs.name.endsWith('_RESERVED'), `${table} ${code}: IANA ${theirs.name}`).toBe(true);
        const kept = theirs.name.slice(0, -'_RESERVED'.length);
        if (!same(ours, kept)) wrong.push(`${hex(code)}: ours ${ours}, IANA ${theirs.name}`);
      } else if (exception) {
        const [expectOurs, expectTheirs, why] = exception;
        expect([ours, theirs.name], `${table} ${code}: ${why}`).toEqual([expectOurs, expectTheirs]);
      } else if (!same(ours, theirs.name)) {
        wrong.push(`${hex(code)}: ours ${ours}, IANA ${theirs.name}`);
      }
    }
    expect(wrong, `${table}: names that are not IANA's`).toEqual([]);
    const listed = Object.keys(notIana).map(Number);
    const sorted = unregistered.sort((a, b) => a - b);
    expect(sorted.map(hex), `${table}: codes IANA does not register`).toEqual(listed.map(hex));
    for (const code of [...reservedKept, ...exceptions.keys()]) {
      const both = iana.has(code) && NAME_TABLES[table]!.some(([c]) => c === code);
      expect(both, `${table} ${code}: a listed exception names.ts and IANA both know`).toBe(true);
    }
    expect(compared).toBeGreaterThanOrEqual(atLeast);
  });

  it.each(PAIRS)('%s knows every code point of %s', (table, registry) => {
    const ours = new Set(NAME_TABLES[table]!.map(([code]) => code));
    const missing = [...ianaNames(registry)].filter(([code]) => !ours.has(code)).sort(([a], [b]) => a - b);
    const gaps = Object.keys(KNOWN_GAPS[table] ?? {}).map(Number);
    expect(
      missing.map(([code]) => hex(code)),
      `${table} lacks ${missing.map(([code, { name }]) => `${hex(code)} ${name}`).join(', ')}`,
    ).toEqual(gaps.map(hex));
  });
});

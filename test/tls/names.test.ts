import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  alertDescriptionName,
  alertLevelName,
  certificateCompressionName,
  certificateStatusTypeName,
  cipherSuiteName,
  compressionMethodName,
  contentTypeName,
  ecCurveTypeName,
  ecPointFormatName,
  extensionName,
  groupName,
  handshakeTypeName,
  isGrease,
  isGreasePskMode,
  NAME_TABLES,
  pskModeName,
  signatureSchemeName,
  sslv2MessageTypeName,
  tls13DraftNumber,
  unknownName,
  versionName,
} from '../../src/tls/names.js';
import { nameKey, tsharkNames as tsharkTable, type TsharkField } from '../helpers/tshark-registries.js';

/** What tshark 4.0.17 printed for the values in the fixture frames (test/tls/fixtures/extract.mjs names). */
const tsharkNames = JSON.parse(
  readFileSync(new URL('./fixtures/tshark-names.json', import.meta.url), 'utf8'),
) as Record<string, Record<string, string>>;

describe('name tables', () => {
  it('no two entries of a table share a code or a name', () => {
    for (const [table, entries] of Object.entries(NAME_TABLES)) {
      const codes = entries.map(([code]) => code);
      const names = entries.map(([, name]) => name);
      expect(new Set(codes).size, `${table} codes`).toBe(codes.length);
      expect(new Set(names).size, `${table} names`).toBe(names.length);
    }
  });

  it('holds the whole cipher suite registry, not just the common suites', () => {
    // IANA tls-parameters-4 (2026-08-10) names 356 suites; plus 9 deployed but unregistered ones.
    expect(NAME_TABLES.CIPHER_SUITES!.length).toBeGreaterThanOrEqual(350);
    expect(NAME_TABLES.CIPHER_SUITES!.every(([code]) => code >= 0 && code <= 0xffff)).toBe(true);
  });
});

describe('known values (IANA registries)', () => {
  it.each([
    [0x0000, 'TLS_NULL_WITH_NULL_NULL'],
    [0x0004, 'TLS_RSA_WITH_RC4_128_MD5'],
    [0x000a, 'TLS_RSA_WITH_3DES_EDE_CBC_SHA'],
    [0x002f, 'TLS_RSA_WITH_AES_128_CBC_SHA'],
    [0x0039, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA'],
    [0x009c, 'TLS_RSA_WITH_AES_128_GCM_SHA256'],
    [0x00ff, 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV'],
    [0x1301, 'TLS_AES_128_GCM_SHA256'],
    [0x1302, 'TLS_AES_256_GCM_SHA384'],
    [0x1303, 'TLS_CHACHA20_POLY1305_SHA256'],
    [0x1305, 'TLS_AES_128_CCM_8_SHA256'],
    [0x5600, 'TLS_FALLBACK_SCSV'],
    [0xc013, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'],
    [0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'],
    [0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'],
    [0xc0ad, 'TLS_ECDHE_ECDSA_WITH_AES_256_CCM'],
    [0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
    [0xd005, 'TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256'],
    [0x0a0a, 'GREASE'],
    [0xeaea, 'GREASE'],
    [0x0000ff, 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV'], // SSLv2 spec 0x0000FF
    [0x010080, 'SSL2_RC4_128_WITH_MD5'],
    [0x0700c0, 'SSL2_DES_192_EDE3_CBC_WITH_MD5'],
    [0x1300, 'unknown(0x1300)'],
    [0x080080, 'unknown(0x080080)'],
  ])('cipher suite %i is %s', (code, name) => {
    expect(cipherSuiteName(code)).toBe(name);
  });

  it('names alerts, handshake types and content types', () => {
    expect(alertDescriptionName(0)).toBe('close_notify');
    expect(alertDescriptionName(40)).toBe('handshake_failure');
    expect(alertDescriptionName(42)).toBe('bad_certificate');
    expect(alertDescriptionName(46)).toBe('certificate_unknown');
    expect(alertDescriptionName(48)).toBe('unknown_ca');
    expect(alertDescriptionName(70)).toBe('protocol_version');
    expect(alertDescriptionName(80)).toBe('internal_error');
    expect(alertDescriptionName(86)).toBe('inappropriate_fallback');
    expect(alertDescriptionName(112)).toBe('unrecognized_name');
    expect(alertDescriptionName(116)).toBe('certificate_required');
    expect(alertDescriptionName(120)).toBe('no_application_protocol');
    expect(alertDescriptionName(99)).toBe('unknown(0x63)');
    expect(alertLevelName(1)).toBe('warning');
    expect(alertLevelName(2)).toBe('fatal');
    expect(handshakeTypeName(1)).toBe('ClientHello');
    expect(handshakeTypeName(2)).toBe('ServerHello');
    expect(handshakeTypeName(4)).toBe('NewSessionTicket');
    expect(handshakeTypeName(8)).toBe('EncryptedExtensions');
    expect(handshakeTypeName(11)).toBe('Certificate');
    expect(handshakeTypeName(12)).toBe('ServerKeyExchange');
    expect(handshakeTypeName(13)).toBe('CertificateRequest');
    expect(handshakeTypeName(14)).toBe('ServerHelloDone');
    expect(handshakeTypeName(16)).toBe('ClientKeyExchange');
    expect(handshakeTypeName(20)).toBe('Finished');
    expect(handshakeTypeName(22)).toBe('CertificateStatus');
    expect(handshakeTypeName(24)).toBe('KeyUpdate');
    expect(handshakeTypeName(200)).toBe('unknown(0xc8)');
    expect(sslv2MessageTypeName(4)).toBe('SSLv2 SERVER-HELLO');
    expect(contentTypeName(20)).toBe('change_cipher_spec');
    expect(contentTypeName(21)).toBe('alert');
    expect(contentTypeName(22)).toBe('handshake');
    expect(contentTypeName(23)).toBe('application_data');
    expect(contentTypeName(24)).toBe('heartbeat');
  });

  it('names extensions, groups, signature schemes and small registries', () => {
    expect(extensionName(0)).toBe('server_name');
    expect(extensionName(10)).toBe('supported_groups');
    expect(extensionName(13)).toBe('signature_algorithms');
    expect(extensionName(16)).toBe('application_layer_protocol_negotiation');
    expect(extensionName(23)).toBe('extended_master_secret');
    expect(extensionName(35)).toBe('session_ticket');
    expect(extensionName(41)).toBe('pre_shared_key');
    expect(extensionName(43)).toBe('supported_versions');
    expect(extensionName(51)).toBe('key_share');
    expect(extensionName(65037)).toBe('encrypted_client_hello');
    expect(extensionName(65281)).toBe('renegotiation_info');
    expect(extensionName(0x1a1a)).toBe('GREASE');
    expect(extensionName(0x1234)).toBe('unknown(0x1234)');
    expect(groupName(23)).toBe('secp256r1');
    expect(groupName(29)).toBe('x25519');
    expect(groupName(256)).toBe('ffdhe2048');
    expect(groupName(4588)).toBe('X25519MLKEM768');
    expect(groupName(25497)).toBe('X25519Kyber768Draft00');
    expect(groupName(0xfafa)).toBe('GREASE');
    expect(signatureSchemeName(0x0401)).toBe('rsa_pkcs1_sha256');
    expect(signatureSchemeName(0x0403)).toBe('ecdsa_secp256r1_sha256');
    expect(signatureSchemeName(0x0804)).toBe('rsa_pss_rsae_sha256');
    expect(signatureSchemeName(0x0807)).toBe('ed25519');
    expect(signatureSchemeName(0x0402)).toBe('dsa_sha256'); // TLS 1.2 pair, no TLS 1.3 scheme
    expect(signatureSchemeName(0x0101)).toBe('rsa_md5');
    expect(signatureSchemeName(0x0a0a)).toBe('GREASE');
    expect(signatureSchemeName(0x0b0b)).toBe('unknown(0x0b0b)');
    expect(ecPointFormatName(0)).toBe('uncompressed');
    expect(pskModeName(1)).toBe('psk_dhe_ke');
    expect(pskModeName(0x0b)).toBe('GREASE');
    expect(certificateCompressionName(2)).toBe('brotli');
  });

  it('names versions, including TLS 1.3 drafts and experiments', () => {
    expect(versionName(0x0002)).toBe('SSL 2.0');
    expect(versionName(0x0300)).toBe('SSL 3.0');
    expect(versionName(0x0301)).toBe('TLS 1.0');
    expect(versionName(0x0302)).toBe('TLS 1.1');
    expect(versionName(0x0303)).toBe('TLS 1.2');
    expect(versionName(0x0304)).toBe('TLS 1.3');
    expect(versionName(0x7f10)).toBe('TLS 1.3 (draft 16)');
    expect(versionName(0x7f1c)).toBe('TLS 1.3 (draft 28)');
    expect(versionName(0xfb1a)).toBe('TLS 1.3 (Facebook draft 26)');
    expect(versionName(0x7e02)).toBe('TLS 1.3 (Google experiment 2)');
    expect(versionName(0x8a8a)).toBe('GREASE');
    expect(versionName(0xfeff)).toBe('unknown(0xfeff)'); // DTLS 1.0: not handled here
    expect(tls13DraftNumber(0x7f10)).toBe(16);
    expect(tls13DraftNumber(0xfb1a)).toBe(26);
    expect(tls13DraftNumber(0x0304)).toBe(0);
  });

  it('recognises exactly the 16 GREASE values', () => {
    const grease = [];
    for (let v = 0; v <= 0xffff; v++) if (isGrease(v)) grease.push(v);
    expect(grease).toEqual(Array.from({ length: 16 }, (_, i) => i * 0x1010 + 0x0a0a));
    const pskGrease = [];
    for (let v = 0; v <= 0xff; v++) if (isGreasePskMode(v)) pskGrease.push(v);
    expect(pskGrease).toEqual([0x0b, 0x2a, 0x49, 0x68, 0x87, 0xa6, 0xc5, 0xe4]);
  });
});

/**
 * What a report prints for a value no table knows: 'unknown(0x…)' as wide as the field on the wire, and never a
 * table's name or 'GREASE'. Each function is checked with one value it knows and one it does not, so a lookup that
 * always or never falls back shows.
 */
describe('values in no table', () => {
  it('pads the hex to the width of the field on the wire', () => {
    expect(unknownName(5, 2)).toBe('unknown(0x05)');
    expect(unknownName(0x1b, 4)).toBe('unknown(0x001b)');
    expect(unknownName(0x1b)).toBe('unknown(0x001b)');
    expect(unknownName(0xabc, 6)).toBe('unknown(0x000abc)');
  });

  it.each([
    ['alert description', alertDescriptionName, 10, 'unexpected_message', 5, 'unknown(0x05)'],
    ['alert level', alertLevelName, 2, 'fatal', 3, 'unknown(0x03)'],
    ['handshake type', handshakeTypeName, 14, 'ServerHelloDone', 100, 'unknown(0x64)'],
    ['SSLv2 message type', sslv2MessageTypeName, 1, 'SSLv2 CLIENT-HELLO', 9, 'SSLv2 unknown(0x09)'],
    ['content type', contentTypeName, 23, 'application_data', 19, 'unknown(0x13)'],
    ['extension', extensionName, 43, 'supported_versions', 0x2f2e, 'unknown(0x2f2e)'],
    ['group', groupName, 24, 'secp384r1', 48, 'unknown(0x0030)'],
    ['EC point format', ecPointFormatName, 1, 'ansiX962_compressed_prime', 3, 'unknown(0x03)'],
    ['EC curve type', ecCurveTypeName, 3, 'named_curve', 4, 'unknown(0x04)'],
    ['PSK mode', pskModeName, 0, 'psk_ke', 2, 'unknown(0x02)'],
    ['certificate compression', certificateCompressionName, 3, 'zstd', 4, 'unknown(0x0004)'],
    ['certificate status type', certificateStatusTypeName, 1, 'ocsp', 3, 'unknown(0x03)'],
    ['compression method', compressionMethodName, 1, 'DEFLATE', 2, 'unknown(0x02)'],
    ['cipher suite', cipherSuiteName, 0x1301, 'TLS_AES_128_GCM_SHA256', 0xffff, 'unknown(0xffff)'],
  ] as const)('%s: %s is %s, %s is %s', (_kind, name, known, knownName, unknown, unknownLabel) => {
    expect(name(known)).toBe(knownName);
    expect(name(unknown)).toBe(unknownLabel);
  });

  it('names the SSLv2 cipher kinds and TLS suites carried in 24-bit SSLv2 specs', () => {
    expect(cipherSuiteName(0x020080)).toBe('SSL2_RC4_128_EXPORT40_WITH_MD5');
    expect(cipherSuiteName(0x00c02f)).toBe('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
    expect(cipherSuiteName(0x000a0a)).toBe('GREASE'); // a TLS GREASE suite in an SSLv2-compatible hello
    expect(cipherSuiteName(0x00ffff)).toBe('unknown(0xffff)'); // a TLS suite: four digits
    expect(cipherSuiteName(0x010000)).toBe('unknown(0x010000)'); // an SSLv2 kind: six
    expect(cipherSuiteName(0xffffff)).toBe('unknown(0xffffff)');
  });

  it('names TLS 1.2 signature pairs only when both halves are known', () => {
    expect(signatureSchemeName(0x0202)).toBe('dsa_sha1');
    expect(signatureSchemeName(0x0300)).toBe('anonymous_sha224');
    expect(signatureSchemeName(0x0409)).toBe('unknown(0x0409)'); // sha256, signature 9 unknown
    expect(signatureSchemeName(0x0c01)).toBe('unknown(0x0c01)'); // hash 12 unknown, rsa
    expect(signatureSchemeName(0x0c0c)).toBe('unknown(0x0c0c)');
  });

  it('names versions that are neither fixed, GREASE, nor a draft or experiment "unknown"', () => {
    expect(versionName(0x0305)).toBe('unknown(0x0305)');
    expect(versionName(0x0200)).toBe('unknown(0x0200)');
    expect(versionName(0x7d10)).toBe('unknown(0x7d10)');
    expect(versionName(0xfa1a)).toBe('unknown(0xfa1a)');
    expect(versionName(0x7f00)).toBe('TLS 1.3 (draft 0)');
    expect(versionName(0x7eff)).toBe('TLS 1.3 (Google experiment 255)');
    expect(tls13DraftNumber(0x7e02)).toBe(0); // a Google experiment is no draft
    expect(tls13DraftNumber(0x7f1c)).toBe(28);
    expect(tls13DraftNumber(0xfb17)).toBe(23);
    expect(tls13DraftNumber(0x0303)).toBe(0);
    expect(tls13DraftNumber(0x8a8a)).toBe(0);
  });

  it('takes no number wider than its field for a GREASE value, a draft or a TLS 1.2 pair', () => {
    // JavaScript shifts wrap at 32 bits: without the range checks, 2^32 + 0x7f10 would read as draft 16.
    const wide = 2 ** 32;
    expect(isGrease(wide + 0x0a0a)).toBe(false);
    expect(extensionName(wide + 0x0a0a)).toBe('unknown(0x100000a0a)');
    expect(versionName(wide + 0x7f10)).toBe('unknown(0x100007f10)');
    expect(versionName(wide + 0xfb1a)).toBe('unknown(0x10000fb1a)');
    expect(versionName(wide + 0x7e02)).toBe('unknown(0x100007e02)');
    expect(tls13DraftNumber(wide + 0x7f10)).toBe(0);
    expect(tls13DraftNumber(wide + 0xfb1a)).toBe(0);
    expect(signatureSchemeName(wide + 0x0402)).toBe('unknown(0x100000402)');
    expect(cipherSuiteName(wide + 0x1301)).toBe('unknown(0x100001301)');
  });

  it('takes no value outside a byte for a GREASE PSK mode', () => {
    const pskGrease = [];
    for (let v = -0x100; v <= 0x1ff; v++) if (isGreasePskMode(v)) pskGrease.push(v);
    expect(pskGrease).toEqual([0x0b, 0x2a, 0x49, 0x68, 0x87, 0xa6, 0xc5, 0xe4]);
    expect(pskModeName(0x103)).toBe('unknown(0x103)');
  });
});

describe('agreement with tshark 4.0.17 on every value in the fixtures', () => {
  const normalise = (s: string) => s.toLowerCase().replace(/ /g, '_');
  // Where tshark's label is not the IANA name, and why.
  const tsharkDiffers: Record<string, Record<string, string>> = {
    extensions: {
      '34': 'delegated_credential', // tshark: delegated_credentials; IANA has no final s
      '40': 'key_share (draft)', // tshark: "Reserved (key_share)"
      '65037': 'encrypted_client_hello', // tshark 4.0 predates it: "Unknown"
    },
    groups: { '0x6399': 'X25519Kyber768Draft00' }, // tshark 4.0: "Unknown"
  };

  function check(kind: string, name: (code: number) => string, tsharkToOurs: (label: string) => string = normalise) {
    const entries = Object.entries(tsharkNames[kind]!);
    expect(entries.length, kind).toBeGreaterThan(0);
    for (const [code, label] of entries) {
      const ours = name(Number(code));
      const expected =
        tsharkDiffers[kind]?.[code] ?? (label === 'Reserved (GREASE)' ? 'GREASE' : tsharkToOurs(label));
      expect(normalise(ours), `${kind} ${code} (tshark: ${label})`).toBe(normalise(expected));
    }
  }

  it('cipher suites', () => check('cipherSuites', cipherSuiteName, (s) => s));
  it('SSLv2 cipher specs', () => check('cipherSpecs', cipherSuiteName, (s) => s));
  it('extensions', () => check('extensions', extensionName));
  it('supported groups', () => check('groups', groupName));
  it('signature schemes', () =>
    // tshark labels TLS 1.2-only pairs "SHA256 DSA"; this project names them dsa_sha256.
    check('signatureSchemes', signatureSchemeName, (s) => {
      const pair = /^(\w+) (\w+)$/.exec(s);
      return pair ? `${pair[2]}_${pair[1]}` : s;
    }));
  it('versions', () => check('versions', versionName, (s) => s));
  it('alerts', () => check('alerts', alertDescriptionName));
  it('PSK modes', () => check('pskModes', pskModeName, (s) => /\((\w+)\)$/.exec(s)![1]!));
  it('EC point formats', () => check('ecPointFormats', ecPointFormatName));
});

/**
 * Every entry of our tables against tshark's own tables (tshark -G values; test/helpers/tshark-registries.ts), for
 * every code both know, not only the ones the fixture frames happen to carry: a swapped pair of alerts or a
 * mistyped suite shows here. The differences are each one where tshark 4.0.17 is not the IANA registry's word.
 */
describe("agreement with tshark's own tables, entry by entry", () => {
  const DIFFERENT: Record<string, Record<number, string>> = {
    HANDSHAKE_TYPES: {
      21: 'IANA names 21 certificate_url (RFC 6066 §5); tshark says "Client Certificate URL"',
      67: 'NPN\'s next_protocol (not IANA, deployed by Chrome and OpenSSL); tshark 4.0 calls 67 a draft "Encrypted Extensions"',
    },
    EXTENSION_TYPES: {
      34: 'IANA and RFC 9345 name it delegated_credential; tshark uses the plural',
      40: 'reserved since TLS 1.3 draft 23 moved key_share to 51; tshark says "Reserved (key_share)", we say what it was',
    },
    SUPPORTED_GROUPS: {
      0x200: 'IANA assigned 512 to MLKEM512 (2024); tshark 4.0 still has the Open Quantum Safe experiment frodo640aes',
      0x201: 'IANA assigned 513 to MLKEM768; tshark 4.0: frodo640shake',
      0x202: 'IANA assigned 514 to MLKEM1024; tshark 4.0: frodo976aes',
    },
  };
  const PAIRS: [keyof typeof NAME_TABLES & string, TsharkField, number][] = [
    // table, tshark field, how many codes both know at the least (so an emptied fixture cannot pass)
    ['HANDSHAKE_TYPES', 'tls.handshake.type', 20],
    ['ALERT_DESCRIPTIONS', 'tls.alert_message.desc', 35],
    ['CIPHER_SUITES', 'tls.handshake.ciphersuite', 350],
    ['EXTENSION_TYPES', 'tls.handshake.extension.type', 50],
    ['SUPPORTED_GROUPS', 'tls.handshake.extensions_supported_group', 35],
    ['SIGNATURE_SCHEMES', 'tls.handshake.sig_hash_alg', 15],
    ['PROTOCOL_VERSIONS', 'tls.record.version', 6],
  ];
  it.each(PAIRS)('%s against %s', (table, field, atLeast) => {
    const theirs = tsharkTable(field);
    const exceptions = DIFFERENT[table] ?? {};
    const differ: string[] = [];
    let compared = 0;
    for (const [code, name] of NAME_TABLES[table]!) {
      const their = theirs.get(code);
      if (their === undefined) continue;
      compared++;
      const same = nameKey(their) === nameKey(name);
      if (code in exceptions) expect(same, `exception for ${code} still needed: ${exceptions[code]}`).toBe(false);
      else if (!same) differ.push(`0x${code.toString(16)}: ours ${name}, tshark ${their}`);
    }
    expect(differ).toEqual([]);
    expect(compared).toBeGreaterThanOrEqual(atLeast);
  });

  it('knows every alert and handshake type tshark knows', () => {
    const ours = (t: string) => new Set(NAME_TABLES[t]!.map(([code]) => code));
    // 1 was end_of_early_data in TLS 1.3 drafts up to 18, never an IANA alert (RFC 8446 made it a handshake message).
    expect([...tsharkTable('tls.alert_message.desc').keys()].filter((c) => !ours('ALERT_DESCRIPTIONS').has(c))).toEqual([1]);
    expect([...tsharkTable('tls.handshake.type').keys()].filter((c) => !ours('HANDSHAKE_TYPES').has(c))).toEqual([]);
  });
});

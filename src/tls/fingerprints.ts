/**
 * Client and server fingerprints of a handshake:
 *
 * - JA3 and JA3S as salesforce/ja3 defines them (README and its python/zeek reference scripts):
 *   decimal values joined by '-', fields joined by ',', MD5 of that string.
 * - JA4 as FoxIO's technical_details/JA4.md (BSD-3-Clause) defines it. JA4S and JA4X are left out on
 *   purpose: they are under the FoxIO License 1.1, which restricts their use.
 *
 * Where JA4.md and FoxIO's own reference implementations give different answers, we give what the
 * reference code gives (that is what the published fingerprint databases hold); each such place says so.
 */
import { createHash } from 'node:crypto';
import { BoundedCache } from '../bounded-cache.js';
import { ExtensionType, isGrease } from './names.js';
import type { ClientHello, ServerHello } from './types.js';

export interface Fingerprints {
  ja3: string | null;
  ja3s: string | null;
  ja4: string | null;
}

/** Extension type numbers the fingerprints treat specially (IANA TLS ExtensionType Values). */

/** JA4's two-character version codes (JA4.md "TLS and DTLS Version"); anything else is '00'. */
const JA4_VERSION: ReadonlyMap<number, string> = new Map([
  [0x0304, '13'],
  [0x0303, '12'],
  [0x0302, '11'],
  [0x0301, '10'],
  [0x0300, 's3'],
  [0x0002, 's2'],
  [0xfeff, 'd1'],
  [0xfefd, 'd2'],
  [0xfefc, 'd3'],
]);

/** JA4.md: an empty cipher or extension list is written as twelve zeros rather than the hash of nothing. */
const JA4_EMPTY_HASH = '000000000000';
const JA4_HASH_LENGTH = 12;
/** Counts are two digits; JA4.md caps them at 99. */
const JA4_MAX_COUNT = 99;

/**
 * Hashes already computed, by the string hashed: every connection from the same client software gives the
 * same JA3/JA4 strings, and a hash object costs more than building the string.
 */
const MAX_CACHED_HASHES = 4096;
const md5Cache = new BoundedCache<string, string>(MAX_CACHED_HASHES);
const sha256Cache = new BoundedCache<string, string>(MAX_CACHED_HASHES);

/** Strings longer than this (a hello with thousands of suites) are hashed every time, not kept. */
const MAX_CACHED_STRING = 2048;

function cachedHash(cache: BoundedCache<string, string>, s: string, compute: (s: string) => string): string {
  return s.length > MAX_CACHED_STRING ? compute(s) : cache.getOrSet(s, compute);
}

// A string is hashed as UTF-8 (Node's default for a string).
const md5Uncached = (s: string) => createHash('md5').update(s).digest('hex');
const sha256PrefixUncached = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, JA4_HASH_LENGTH);
const md5 = (s: string) => cachedHash(md5Cache, s, md5Uncached);
const sha256Prefix = (s: string) => cachedHash(sha256Cache, s, sha256PrefixUncached);
const hex4 = (n: number) => n.toString(16).padStart(4, '0');
const notGrease = (n: number) => !isGrease(n);

// ---------------------------------------------------------------------------------------------
// JA3 / JA3S.

/**
 * 'SSLVersion,Ciphers,Extensions,EllipticCurves,EcPointFormats' with GREASE values left out of every list.
 * An SSLv2-compatible hello has no extensions: its string ends in ',,,' (README: "If there are no SSL
 * Extensions in the Client Hello, the fields are left empty"). Its cipher list is the CIPHER-SPECs as
 * numbers: 0x00XXXX specs are the TLS suite XXXX, the SSLv2-only kinds keep their 24-bit value, as
 * Zeek (whose ssl_client_hello event the JA3 Zeek script reads) reports them.
 */
export function ja3String(ch: ClientHello): string {
  let extensions = '';
  const ext = ch.extensions;
  for (let i = 0; i < ext.length; i++) {
    const type = ext[i]!.type;
    if (!isGrease(type)) extensions = extensions === '' ? String(type) : `${extensions}-${type}`;
  }
  return `${ch.version},${joinNotGrease(ch.cipherSuites)},${extensions},${joinNotGrease(ch.supportedGroups)},${ch.ecPointFormats.join('-')}`;
}

/** The values that are not GREASE, joined by '-' (what filter(notGrease).join('-') gives, without the arrays). */
function joinNotGrease(values: readonly number[]): string {
  let out = '';
  let first = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (isGrease(v)) continue;
    out = first ? String(v) : `${out}-${v}`;
    first = false;
  }
  return out;
}

export function ja3(ch: ClientHello): string {
  return md5(ja3String(ch));
}

/** 'SSLVersion,Cipher,Extensions': the ServerHello's legacy version, its suite, its extensions in order. */
export function ja3sString(sh: ServerHello): string {
  return [String(sh.version), String(sh.cipherSuite), sh.extensions.map((e) => e.type).join('-')].join(',');
}

export function ja3s(sh: ServerHello): string {
  return md5(ja3sString(sh));
}

// ---------------------------------------------------------------------------------------------
// JA4.

/** The three parts of a JA4, before hashing: JA4_a, and the lists hashed into JA4_b and JA4_c. */
export interface Ja4Parts {
  a: string;
  /** Sorted cipher list, comma-joined ('' when empty). */
  ciphers: string;
  /** Sorted extensions (SNI and ALPN left out), then '_' and the signature algorithms in order when there are any. */
  extensions: string;
}

export function ja4Parts(ch: ClientHello, transport: 't' | 'q' | 'd' = 't'): Ja4Parts {
  // Lists of numbers sorted numerically: for values up to 0xffff that is the order of their 4-digit
  // lower-case hex forms, which is what JA4 sorts.
  let extensionCount = 0;
  let sni = 'i';
  const sortedExtensions: number[] = [];
  for (const e of ch.extensions) {
    const t = e.type;
    if (isGrease(t)) continue;
    extensionCount++;
    if (t === ExtensionType.server_name) sni = 'd';
    else if (t !== ExtensionType.application_layer_protocol_negotiation) sortedExtensions.push(t);
  }
  // SSLv2 CIPHER-KINDs are 24-bit and have no 4-hex-digit form: only the TLS suites among them count.
  const ciphers: number[] = [];
  for (const c of ch.cipherSuites) if (c <= 0xffff && !isGrease(c)) ciphers.push(c);
  const a =
    transport +
    ja4Version(ch) +
    sni +
    String(Math.min(ciphers.length, JA4_MAX_COUNT)).padStart(2, '0') +
    String(Math.min(extensionCount, JA4_MAX_COUNT)).padStart(2, '0') +
    ja4Alpn(ch.alpn[0]);
  ciphers.sort(byNumber);
  sortedExtensions.sort(byNumber);
  // Signature algorithms come from an extension of the sorted list (the parser fills them from it only), so
  // there are none when that list is empty, and the result is then ''.
  const signatureAlgorithms: number[] = [];
  for (const v of ch.signatureAlgorithms) if (!isGrease(v)) signatureAlgorithms.push(v);
  const extensions = hexList(sortedExtensions) + (signatureAlgorithms.length > 0 ? `_${hexList(signatureAlgorithms)}` : '');
  return { a, ciphers: hexList(ciphers), extensions };
}

const byNumber = (x: number, y: number) => x - y;

/** 4-digit hex forms of 16-bit values, made once each. */
const HEX4: string[] = [];

/** 16-bit values (suites, extension types, signature schemes) as 4-digit lower-case hex, comma-joined ('' when empty). */
function hexList(values: readonly number[]): string {
  let out = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const hex = (HEX4[v] ??= hex4(v));
    out = i === 0 ? hex : `${out},${hex}`;
  }
  return out;
}

/** JA4 ('t13d1516h2_8daaf6152771_e5627efa2ab1'). */
export function ja4(ch: ClientHello, transport: 't' | 'q' | 'd' = 't'): string {
  const p = ja4Parts(ch, transport);
  return `${p.a}_${p.ciphers ? sha256Prefix(p.ciphers) : JA4_EMPTY_HASH}_${p.extensions ? sha256Prefix(p.extensions) : JA4_EMPTY_HASH}`;
}

/** JA4_r: the same with the lists in clear instead of hashed. */
export function ja4Raw(ch: ClientHello, transport: 't' | 'q' | 'd' = 't'): string {
  const p = ja4Parts(ch, transport);
  return `${p.a}_${p.ciphers}_${p.extensions}`;
}

/**
 * The highest non-GREASE value of supported_versions when the extension is there, else the hello's
 * version (the record version is never used). The parser fills `supportedVersions` from that extension only.
 */
function ja4Version(ch: ClientHello): string {
  const offered = ch.supportedVersions.filter(notGrease);
  const version = offered.length > 0 ? Math.max(...offered) : ch.version;
  return JA4_VERSION.get(version) ?? '00';
}

const isAlphanumeric = (b: number) => (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);

/**
 * First and last character of the first ALPN value; '00' when there is no ALPN or the value is empty.
 *
 * JA4.md says a non-alphanumeric first or last byte makes it the first and last hex digit of the value
 * instead (0xBA 0xAD → 'bd'). FoxIO's reference code and its published expected output
 * (tls-non-ascii-alpn.pcapng → 't13d151699_…') write '9' for each byte outside ASCII: we do that.
 * For ASCII punctuation and control bytes, where the reference code copies the byte as it is (even a
 * control character) and no reference output exists, we follow JA4.md's hex rule. A one-byte value
 * counts as both first and last (JA4.md; the Rust reference writes '0' for the missing last one).
 */
export function ja4Alpn(first: string | undefined): string {
  if (first === undefined) return '00';
  const bytes = unescapePrintable(first);
  if (bytes.length === 0) return '00';
  const head = bytes[0]!;
  const tail = bytes[bytes.length - 1]!;
  const char = (b: number) => (isAlphanumeric(b) ? String.fromCharCode(b) : b >= 0x80 ? '9' : null);
  const c1 = char(head);
  const c2 = char(tail);
  if (c1 !== null && c2 !== null) return c1 + c2;
  const hex = bytes.toString('hex');
  return hex[0]! + hex[hex.length - 1]!;
}

/**
 * The TLS parsers keep ALPN values as printable text, every byte outside 0x20–0x7e and every
 * backslash written as '\xNN' (tls/reader.ts `printable`): undo that to get the bytes back. A backslash
 * therefore always starts a '\xNN'.
 */
function unescapePrintable(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') {
      out.push(parseInt(s.slice(i + 2, i + 4), 16));
      i += 3;
    } else out.push(s.charCodeAt(i) & 0xff);
  }
  return Buffer.from(out);
}

/** All three, null where the hello they need was not seen. */
export function fingerprints(ch: ClientHello | null, sh: ServerHello | null): Fingerprints {
  return { ja3: ch ? ja3(ch) : null, ja3s: sh ? ja3s(sh) : null, ja4: ch ? ja4(ch) : null };
}

/**
 * One certificate of a chain, read with node:crypto's X509Certificate into the summary `analyze --format json`
 * writes. X509Certificate gives everything but the signature algorithm; that one field is read from the DER
 * with the small bounded reader below. Nothing here throws on bad input: a certificate that cannot be read
 * has its error in the result, next to what could be read of it.
 */
import * as crypto from 'node:crypto';
import { createHash, X509Certificate } from 'node:crypto';
import { BoundedCache } from '../bounded-cache.js';
import { CURVE_BITS, KEY_TYPES, signatureAlgorithmName } from './oids.js';
import { checkSignature, type CheckBudget, type SignatureCheck } from './signatures.js';

export interface CertificateSummary {
  /** RFC 4514-like, most significant first as in the certificate: 'C=DE, O=Example, CN=mail.example.com'. null when unreadable. */
  subject: string | null;
  issuer: string | null;
  /**
   * subjectAltName entries: DNS names and IP addresses as they are ('mail.example.com', '*.example.com',
   * '192.0.2.1'); any other kind with OpenSSL's label in front ('email:postmaster@example.com', 'URI:…').
   */
  san: string[];
  /** ISO 8601 UTC with microseconds (whole seconds in X.509). */
  notBefore: string | null;
  notAfter: string | null;
  /** 'RSA', 'EC', 'Ed25519', …; null when node:crypto cannot read the key (e.g. ML-DSA on OpenSSL 3.0). */
  keyType: string | null;
  keyBits: number | null;
  /** Lower-case hex SHA-256 of the DER, no separators. */
  sha256: string;
  /** Size of the DER. */
  bytes: number;
  /** Hex serial number as OpenSSL prints it. */
  serial: string | null;
  /** Signature algorithm name ('sha256WithRSAEncryption', 'ecdsa-with-SHA384', …) or dotted OID. */
  signatureAlgorithm: string | null;
  /** The named curve of an EC key ('prime256v1', …), else null. */
  curve: string | null;
  /** basicConstraints CA:TRUE. */
  ca: boolean;
  /** Issued by its own key (a root, or a self-signed server certificate). */
  selfSigned: boolean;
}

// ---------------------------------------------------------------------------------------------
// The one DER field X509Certificate does not expose: Certificate.signatureAlgorithm (RFC 5280 §4.1.1.2).

interface Tlv {
  tag: number;
  /** Content range. */
  start: number;
  end: number;
}

const TAG_SEQUENCE = 0x30;
const TAG_OID = 0x06;
/** An OID longer than this is not one we could name anyway. */
const MAX_OID_BYTES = 64;

/** One definite-length DER TLV at `at`, wholly inside `limit`, or null. */
function readTlv(der: Buffer, at: number, limit: number): Tlv | null {
  if (at + 2 > limit) return null;
  const tag = der[at]!;
  if ((tag & 0x1f) === 0x1f) return null; // multi-byte tags: not in the fields read here
  let length = der[at + 1]!;
  let p = at + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 4 || p + n > limit) return null; // indefinite length is BER, not DER
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + der[p++]!;
  }
  if (length > limit - p) return null;
  return { tag, start: p, end: p + length };
}

function decodeOid(der: Buffer, tlv: Tlv): string | null {
  const size = tlv.end - tlv.start;
  if (size === 0 || size > MAX_OID_BYTES) return null;
  const arcs: number[] = [];
  let value = 0;
  let digits = 0;
  for (let i = tlv.start; i < tlv.end; i++) {
    const b = der[i]!;
    value = value * 128 + (b & 0x7f);
    if (++digits > 7) return null; // beyond 2^49: not a real arc
    if (b & 0x80) continue;
    if (arcs.length === 0) {
      const first = value < 80 ? Math.floor(value / 40) : 2;
      arcs.push(first, value - first * 40);
    } else arcs.push(value);
    value = 0;
    digits = 0;
  }
  if (digits !== 0) return null; // the last arc never ended
  return arcs.join('.');
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm AlgorithmIdentifier, signature }: the algorithm's OID. */
export function readSignatureAlgorithmOid(der: Buffer): string | null {
  const certificate = readTlv(der, 0, der.length);
  if (!certificate || certificate.tag !== TAG_SEQUENCE) return null;
  const tbs = readTlv(der, certificate.start, certificate.end);
  if (!tbs || tbs.tag !== TAG_SEQUENCE) return null;
  const algorithm = readTlv(der, tbs.end, certificate.end);
  if (!algorithm || algorithm.tag !== TAG_SEQUENCE) return null;
  const oid = readTlv(der, algorithm.start, algorithm.end);
  if (!oid || oid.tag !== TAG_OID) return null;
  return decodeOid(der, oid);
}

// ---------------------------------------------------------------------------------------------
// One certificate.

export interface ParsedCertificate {
  summary: CertificateSummary;
  x509: X509Certificate | null;
  /** The check of its own signature, when its names say it issued itself; else null. */
  selfCheck: SignatureCheck | null;
  notBefore: number | null; // ms
  notAfter: number | null;
  error: string | null;
}

/** The same chain comes back in every connection to a server: parse each certificate once. */
const PARSED_CACHE_SIZE = 512;
const parsedCache = new BoundedCache<string, ParsedCertificate>(PARSED_CACHE_SIZE);
const MAX_CACHED_DER = 64 * 1024;

/** `f()`, or `fallback` when it throws (X509Certificate's getters throw on fields OpenSSL cannot print). */
export function attemptOr<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}

/** node:crypto's one-shot hash (Node ≥ 20.12): no Hash object per certificate. */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: Buffer, encoding: 'hex') => string }).hash;

/** SHA-256 of `der` in hex. */
function sha256Hex(der: Buffer): string {
  return oneShotHash ? oneShotHash('sha256', der, 'hex') : createHash('sha256').update(der).digest('hex');
}

/** The same certificate object again (a chain the decoder shares between connections): no hash to find it. */
const parsedByBuffer = new WeakMap<Buffer, ParsedCertificate>();

/** One certificate read, from the caches when it was read before. Never throws. */
export function parseCertificate(der: Buffer, budget: CheckBudget): ParsedCertificate {
  const known = parsedByBuffer.get(der);
  if (known) return known;
  const parsed = parseCertificateByHash(der, budget);
  if (parsed.selfCheck !== 'over-budget') parsedByBuffer.set(der, parsed);
  return parsed;
}

function parseCertificateByHash(der: Buffer, budget: CheckBudget): ParsedCertificate {
  const sha256 = sha256Hex(der);
  const cached = parsedCache.get(sha256);
  if (cached) return cached;
  const parsed = parseUncached(der, sha256, budget);
  // Kept only at a real certificate's size: 512 hostile megabyte-long ones must not stay in memory. One whose
  // own signature went unchecked for this connection's budget is read again by the next connection.
  if (der.length > MAX_CACHED_DER || parsed.selfCheck === 'over-budget') return parsed;
  parsedCache.set(sha256, parsed);
  return parsed;
}

function parseUncached(der: Buffer, sha256: string, budget: CheckBudget): ParsedCertificate {
  const oid = readSignatureAlgorithmOid(der);
  const summary: CertificateSummary = {
    subject: null,
    issuer: null,
    san: [],
    notBefore: null,
    notAfter: null,
    keyType: null,
    keyBits: null,
    sha256,
    bytes: der.length,
    serial: null,
    signatureAlgorithm: oid !== null ? signatureAlgorithmName(oid) : null,
    curve: null,
    ca: false,
    selfSigned: false,
  };
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { summary, x509: null, selfCheck: null, notBefore: null, notAfter: null, error: reason };
  }
  summary.subject = attemptOr(() => distinguishedName(x509.subject), null);
  summary.issuer = attemptOr(() => distinguishedName(x509.issuer), null);
  summary.san = attemptOr(() => splitSubjectAltName(x509.subjectAltName).map(bareName), []);
  summary.serial = attemptOr(() => x509.serialNumber, null);
  summary.ca = attemptOr(() => x509.ca, false);
  const notBefore = attemptOr(() => parseOpenSslTime(x509.validFrom), null);
  const notAfter = attemptOr(() => parseOpenSslTime(x509.validTo), null);
  // The one time form of the JSON (ISO 8601 UTC, microseconds): X.509 times are whole seconds.
  summary.notBefore = notBefore !== null ? new Date(notBefore).toISOString().replace(/Z$/, '000Z') : null;
  summary.notAfter = notAfter !== null ? new Date(notAfter).toISOString().replace(/Z$/, '000Z') : null;
  const key = attemptOr(() => x509.publicKey, null);
  if (key) {
    const type = key.asymmetricKeyType ?? '';
    const known = KEY_TYPES.get(type);
    const details = key.asymmetricKeyDetails ?? {};
    summary.keyType = known?.name ?? (type || null);
    summary.curve = details.namedCurve ?? null;
    summary.keyBits = details.modulusLength ?? (details.namedCurve ? (CURVE_BITS.get(details.namedCurve) ?? null) : null) ?? known?.bits ?? null;
  }
  // Issued by its own key: its names say so, and its key verifies its signature (or could not be used).
  const selfCheck = issuerByNames(x509, x509) ? checkSignature(x509, sha256, x509, budget) : null;
  summary.selfSigned = selfCheck !== null && selfCheck !== 'invalid';
  return { summary, x509, selfCheck, notBefore, notAfter, error: null };
}

/** X509Certificate's one-attribute-per-line form, joined the way OpenSSL's one-line form is. */
export function distinguishedName(multiline: string): string {
  return multiline.split('\n').filter((l) => l.length > 0).join(', ');
}

/** 'Nov 28 11:00:00 2026 GMT' → ms, or null. */
export function parseOpenSslTime(s: string): number | null {
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : null;
}

/**
 * X509Certificate.subjectAltName: 'DNS:a, DNS:b, IP Address:1.2.3.4'. Since Node 17.3.1 a value with a
 * comma, quote or other special character is written as a JSON string ('DNS:"a,b"'), so split with that in mind.
 */
export function splitSubjectAltName(text: string | undefined): string[] {
  if (!text) return [];
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) break;
    const type = text.slice(i, colon);
    let value: string;
    let next: number;
    if (text[colon + 1] === '"') {
      let j = colon + 2;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      value = attemptOr(() => JSON.parse(text.slice(colon + 1, j + 1)) as string, text.slice(colon + 2, j));
      next = text.indexOf(', ', j + 1);
    } else {
      next = text.indexOf(', ', colon + 1);
      value = text.slice(colon + 1, next < 0 ? text.length : next);
    }
    out.push(`${type}:${value}`);
    if (next < 0) break;
    i = next + 2;
  }
  return out;
}

/** 'DNS:a.example' → 'a.example', 'IP Address:192.0.2.1' → '192.0.2.1'; other kinds keep their label. */
function bareName(entry: string): string {
  if (entry.startsWith('DNS:')) return entry.slice(4);
  if (entry.startsWith('IP Address:')) return entry.slice(11);
  return entry;
}

/**
 * `child` names `parent` as its issuer: issuer and subject names, and the authority and subject key
 * identifiers when present (OpenSSL's X509_check_issued). No signature is checked: this is cheap.
 */
export function issuerByNames(child: X509Certificate, parent: X509Certificate): boolean {
  return attemptOr(() => child.checkIssued(parent), false);
}

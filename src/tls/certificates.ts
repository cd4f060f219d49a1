/**
 * The server's certificate chain, as sent in a Certificate message: each certificate read with
 * node:crypto's X509Certificate, and the chain checked the way a client would at the time of the capture.
 *
 * X509Certificate gives everything but the signature algorithm; that one field is read from the DER
 * with the small bounded reader below. Nothing here throws on bad input: a certificate that cannot be
 * read is a problem in the result, next to what could be read of the others.
 */
import * as crypto from 'node:crypto';
import { createHash, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { CURVE_BITS, KEY_TYPES, signatureAlgorithmName } from './oids.js';
import { groupThousands } from './format.js';
import { CheckBudget, checkSignature, keyTooLarge, MAX_VERIFIED_DSA_BITS, MAX_VERIFIED_RSA_BITS, type SignatureCheck } from './signatures.js';

/** One certificate as `analyze --format json` writes it (the issue's fields first, then extras). */
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

export type ChainProblemCode =
  | 'unparseable'
  | 'expired'
  | 'not-yet-valid'
  | 'out-of-order'
  | 'issuer-not-next'
  | 'root-sent'
  | 'self-signed'
  | 'duplicate'
  | 'name-mismatch'
  | 'large-chain'
  | 'untrusted'
  /** Signatures by keys past the size limits of signatures.ts were not checked. */
  | 'key-too-large'
  /** The chain's budget of signature checks was spent before all were made. */
  | 'checks-skipped';

export interface ChainProblem {
  code: ChainProblemCode;
  /** Index in `certificates` (0 = the first sent, the server's own), or null for the chain as a whole. */
  index: number | null;
  /** One sentence for the admin. */
  message: string;
}

export interface ChainReport {
  /**
   * The parse cache's own summaries, shared by every connection that sent the same certificates (a connection
   * keeps them until it closes): copy one before changing it.
   */
  certificates: readonly CertificateSummary[];
  problems: ChainProblem[];
}

/** CA certificates given with `--ca FILE`. */
export interface TrustStore {
  file: string;
  anchors: X509Certificate[];
}

export interface ChainCheckOptions {
  /** When the chain was sent (seconds since 1970): validity is judged at this moment, not today. */
  time: number;
  /** Names the clients asked for (SNI) or use (`--server-name`), with where each came from. */
  names?: { name: string; source: string }[];
  trustStore?: TrustStore | null;
}

/**
 * A leaf plus one intermediate is 2–4 KB. Past this the chain alone needs five or more full-size
 * (1,460-byte) segments, and a path that drops large packets (a path-MTU black hole) never delivers it.
 */
export const LARGE_CHAIN_BYTES = 6000;
const FULL_SIZE_SEGMENT = 1460;
/** Certificates read per message; a list longer than this is reported, not walked. */
const MAX_CERTIFICATES = 32;
/** Certificates whose place in the chain is judged (issuers found by names, one signature check each). */
const MAX_PAIRWISE = 12;
/** Longest path followed from the leaf to a trust anchor. */
const MAX_PATH = 12;
/** How many names a name-mismatch message lists. */
const NAMES_SHOWN = 4;

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

interface ParsedCertificate {
  summary: CertificateSummary;
  x509: X509Certificate | null;
  /** The check of its own signature, when its names say it issued itself; else null. */
  selfCheck: SignatureCheck | null;
  notBefore: number | null; // ms
  notAfter: number | null;
  error: string | null;
}

/** The same chain comes back in every connection to a server: parse each certificate once. */
const parsedCache = new Map<string, ParsedCertificate>();
const PARSED_CACHE_SIZE = 512;
const MAX_CACHED_DER = 64 * 1024;

function attemptOr<T>(f: () => T, fallback: T): T {
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

function parseCertificate(der: Buffer, budget: CheckBudget): ParsedCertificate {
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
  if (parsedCache.size >= PARSED_CACHE_SIZE) parsedCache.clear();
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
function distinguishedName(multiline: string): string {
  return multiline.split('\n').filter((l) => l.length > 0).join(', ');
}

/** 'Nov 28 11:00:00 2026 GMT' → ms, or null. */
function parseOpenSslTime(s: string): number | null {
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
function issuerByNames(child: X509Certificate, parent: X509Certificate): boolean {
  return attemptOr(() => child.checkIssued(parent), false);
}

/** What one connection's chain checks spent, and the keys too large to be used. */
interface CheckContext {
  budget: CheckBudget;
  /** Who holds each key too large to check ("#2 'name'") → its size and kind ('16,384-bit RSA'), and its index. */
  largeKeys: Map<string, { key: string; index: number | null }>;
}

/**
 * Did `issuer`'s key sign `child`? Asked only of the issuer that names and key identifiers chose. A signature
 * that could not be checked (a key node:crypto cannot use, one too large, the budget spent) counts as
 * signed: the names and key identifiers are all there is then, and the report says which were not checked.
 */
function signedBy(child: ParsedCertificate, issuer: X509Certificate, holder: () => { name: string; index: number | null }, ctx: CheckContext): boolean {
  const answer = checkSignature(child.x509!, child.summary.sha256, issuer, ctx.budget);
  if (answer === 'key-too-large') {
    const { name, index } = holder();
    if (!ctx.largeKeys.has(name)) ctx.largeKeys.set(name, { key: keyTooLarge(issuer)!, index });
  }
  return answer !== 'invalid';
}

// ---------------------------------------------------------------------------------------------
// Host names (RFC 6125 §6.4).

function normalizeHost(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/**
 * RFC 6125 §6.4.3: a wildcard is only the whole left-most label ('*.example.com'), and it stands for
 * exactly one non-empty label. Partial-label wildcards ('mx*.example.com'), which §6.4.3 lets a client
 * accept, are refused here as RFC 9525 and every major TLS library refuse them; so is a wildcard
 * directly above a top-level domain ('*.com', §7.2).
 */
export function hostMatches(pattern: string, host: string): boolean {
  const p = normalizeHost(pattern);
  const h = normalizeHost(host);
  if (!p || !h) return false;
  if (!p.includes('*')) return p === h;
  const pl = p.split('.');
  const hl = h.split('.');
  if (pl[0] !== '*' || pl.slice(1).some((l) => l.includes('*'))) return false;
  if (pl.length < 3 || pl.length !== hl.length || !hl[0]) return false;
  return pl.slice(1).join('.') === hl.slice(1).join('.');
}

/** The names a certificate is valid for: its DNS SANs, or (RFC 6125 §6.4.4) its CN when it has none. */
function certificateNames(c: CertificateSummary): { dns: string[]; ips: string[] } {
  const dns: string[] = [];
  const ips: string[] = [];
  for (const entry of c.san) {
    if (isIP(entry)) ips.push(entry);
    // A DNS name never contains ':' or '@'; the other kinds keep their 'email:' / 'URI:' label.
    else if (!/[:@]/.test(entry)) dns.push(entry);
  }
  if (dns.length === 0 && c.subject) {
    const cn = /(?:^|, )CN=([^,]+)/.exec(c.subject);
    if (cn) dns.push(cn[1]!);
  }
  return { dns, ips };
}

/** Does the certificate cover `name` (a host name, or an address for an IP SAN)? */
export function certificateCoversName(c: CertificateSummary, name: string): boolean {
  const { dns, ips } = certificateNames(c);
  if (isIP(name)) return ips.some((ip) => normalizeIp(ip) === normalizeIp(name));
  return dns.some((pattern) => hostMatches(pattern, name));
}

function normalizeIp(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  // OpenSSL prints IPv6 SANs uncompressed ('0:0:0:0:0:0:0:1'); compare the expanded, zero-stripped groups.
  const [head, tail] = ip.toLowerCase().split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail ? tail.split(':') : [];
  const fill = tail !== undefined ? new Array<string>(8 - left.length - right.length).fill('0') : [];
  return [...left, ...fill, ...right].map((g) => g.replace(/^0+(?=.)/, '')).join(':');
}

// ---------------------------------------------------------------------------------------------
// The chain.

/** The name label() shows for a summary, by summary: the parsed-certificate cache hands out the same ones. */
const labelNames = new WeakMap<CertificateSummary, string>();

function label(c: CertificateSummary, index: number): string {
  let name = labelNames.get(c);
  if (name === undefined) {
    const cn = c.subject ? /(?:^|, )CN=([^,]+)/.exec(c.subject)?.[1] : undefined;
    name = cn ?? c.subject ?? `sha256 ${c.sha256.slice(0, 16)}…`;
    labelNames.set(c, name);
  }
  return `#${index + 1} '${name}'`;
}

/** Days already written, by ms: the same certificates' dates come back in every connection. Bounded. */
const days = new Map<number, string>();
const day = (ms: number): string => {
  let text = days.get(ms);
  if (text === undefined) {
    text = new Date(ms).toISOString().slice(0, 10);
    if (days.size >= 1024) days.clear();
    days.set(ms, text);
  }
  return text;
};
const daysBetween = (a: number, b: number) => Math.round(Math.abs(a - b) / 86_400_000);

/**
 * Read and check the certificates of one Certificate message, in the order sent (the first is the
 * server's own). Never throws.
 */
export function inspectChain(ders: readonly Buffer[], options: ChainCheckOptions): ChainReport {
  const problems: ChainProblem[] = [];
  const shown = ders.slice(0, MAX_CERTIFICATES);
  const ctx: CheckContext = { budget: new CheckBudget(), largeKeys: new Map() };
  const parsed = shown.map((der) => parseCertificate(der, ctx.budget));
  const certificates = parsed.map((p) => p.summary);
  if (ders.length > MAX_CERTIFICATES) {
    problems.push({ code: 'large-chain', index: null, message: `the server sent ${ders.length} certificates; only the first ${MAX_CERTIFICATES} were read` });
  }
  const at = options.time * 1000;

  parsed.forEach((p, i) => {
    if (p.error !== null) {
      problems.push({ code: 'unparseable', index: i, message: `certificate #${i + 1} (${p.summary.bytes} bytes) cannot be read: ${p.error}` });
      return;
    }
    if (p.notAfter !== null && at > p.notAfter) {
      problems.push({ code: 'expired', index: i, message: `${label(p.summary, i)} had expired when the capture was taken: valid until ${day(p.notAfter)}, ${daysBetween(at, p.notAfter)} days before` });
    }
    if (p.notBefore !== null && at < p.notBefore) {
      problems.push({ code: 'not-yet-valid', index: i, message: `${label(p.summary, i)} was not yet valid when the capture was taken: valid from ${day(p.notBefore)}, ${daysBetween(at, p.notBefore)} days later (check the server's clock and the certificate's dates)` });
    }
  });

  // What does not depend on the time is the same for every connection that brings this chain and these names.
  const names = options.names ?? [];
  const key = chainKey(parsed, ders, names);
  let fixed = chainProblemsCache.get(key);
  if (fixed === undefined) {
    const found: ChainProblem[] = [];
    parsed.forEach((p, i) => {
      if (p.selfCheck === 'key-too-large') ctx.largeKeys.set(`${label(p.summary, i)}`, { key: keyTooLarge(p.x509!)!, index: i });
    });
    checkDuplicates(certificates, found);
    checkOrder(parsed, found, ctx);
    checkNames(certificates, parsed, names, found);
    checkSize(ders, found);
    fixed = { problems: found, largeKeys: [...ctx.largeKeys] };
    // A key made long by a huge name from the wire is not kept: the cache stays small whatever the input. Nor
    // is an answer cut short by this connection's budget: the next connection may check what this one could not.
    if (key.length <= MAX_CHAIN_KEY_LENGTH && ctx.budget.skipped === 0) {
      if (chainProblemsCache.size >= CHAIN_CACHE_SIZE) chainProblemsCache.clear();
      chainProblemsCache.set(key, fixed);
    }
  } else {
    for (const [name, large] of fixed.largeKeys) ctx.largeKeys.set(name, large);
  }
  for (const p of fixed.problems) problems.push({ ...p });
  if (options.trustStore) checkTrust(parsed, options.trustStore, at, problems, ctx);
  if (ctx.largeKeys.size > 0) problems.push(largeKeysProblem(ctx.largeKeys));
  if (ctx.budget.skipped > 0) problems.push(budgetProblem(ctx.budget));
  return { certificates, problems };
}

function largeKeysProblem(keys: Map<string, { key: string; index: number | null }>): ChainProblem {
  const all = [...keys];
  const listed = all.slice(0, NAMES_SHOWN).map(([name, { key }]) => `${name} (${key})`);
  if (all.length > NAMES_SHOWN) listed.push(`${all.length - NAMES_SHOWN} more`);
  const one = all.length === 1;
  return {
    code: 'key-too-large',
    index: one ? all[0]![1].index : null,
    message: `signatures not checked: ${listed.length > 1 ? `${listed.slice(0, -1).join(', ')} and ${listed.at(-1)!}` : listed[0]!} ${one ? 'has a key' : 'have keys'} larger than tlsdissect verifies with (RSA over ${groupThousands(MAX_VERIFIED_RSA_BITS)} bits, DSA over ${groupThousands(MAX_VERIFIED_DSA_BITS)}), so the certificates ${one ? 'it signs were matched to it' : 'they sign were matched to them'} by names and key identifiers only; keys this large make every check slow, and many clients refuse them`,
  };
}

function budgetProblem(budget: CheckBudget): ChainProblem {
  return {
    code: 'checks-skipped',
    index: null,
    message: `not every signature was checked: the checks of one chain stop ${budget.reason}, and ${budget.skipped} more were needed, so those links rest on names and key identifiers alone (an ordinary chain needs a handful; this one sends many certificates that could be each other's issuer, or keys slow to check)`,
  };
}

/** Duplicates, order, names and size of a chain, by chainKey; each report gets copies. Bounded: emptied when full. */
const chainProblemsCache = new Map<string, { problems: ChainProblem[]; largeKeys: [string, { key: string; index: number | null }][] }>();
const CHAIN_CACHE_SIZE = 256;
const MAX_CHAIN_KEY_LENGTH = 8192;

/** Everything those checks read: the certificates read (by digest), how many were sent and their sizes, the names. */
function chainKey(parsed: readonly ParsedCertificate[], ders: readonly Buffer[], names: readonly { name: string; source: string }[]): string {
  let total = 0;
  for (const d of ders) total += d.length;
  let key = `${ders.length},${total}`;
  for (const p of parsed) key += `|${p.summary.sha256}`;
  for (const n of names) key += `\u0000${n.name}\u0001${n.source}`;
  return key;
}

function checkDuplicates(certificates: CertificateSummary[], problems: ChainProblem[]): void {
  // At most MAX_CERTIFICATES: comparing each with those before it costs less than a Map per connection.
  for (let i = 1; i < certificates.length; i++) {
    const c = certificates[i]!;
    let earlier = -1;
    for (let j = 0; j < i && earlier < 0; j++) if (certificates[j]!.sha256 === c.sha256) earlier = j;
    if (earlier >= 0) problems.push({ code: 'duplicate', index: i, message: `${label(c, i)} is sent twice (also #${earlier + 1}): ${c.bytes} wasted bytes` });
  }
}

function checkOrder(parsed: ParsedCertificate[], problems: ChainProblem[], ctx: CheckContext): void {
  // A repeated certificate is reported once as a duplicate; the order is judged without the repeats.
  const seen = new Set<string>();
  const order: number[] = [];
  parsed.forEach((p, i) => {
    if (seen.has(p.summary.sha256) || order.length >= MAX_PAIRWISE) return;
    seen.add(p.summary.sha256);
    order.push(i);
  });
  const named = (child: number, parent: number) => {
    const c = parsed[child]!.x509;
    const p = parsed[parent]!.x509;
    return c !== null && p !== null && issuerByNames(c, p);
  };
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (!parsed[i]!.x509) continue;
    const summary = parsed[i]!.summary;
    const last = k === order.length - 1;
    if (summary.selfSigned) {
      if (order.length === 1) {
        problems.push({ code: 'self-signed', index: i, message: `the server's certificate ${label(summary, i)} is self-signed: only clients told to trust exactly this certificate accept it` });
      } else if (k === 0) {
        problems.push({ code: 'out-of-order', index: i, message: `the first certificate ${label(summary, i)} is a self-signed root, not the server's own: the certificates after it do not belong to a chain from it` });
      } else {
        problems.push({ code: 'root-sent', index: i, message: `the self-signed root ${label(summary, i)} is sent: clients only trust roots they already hold, so it is ${summary.bytes} bytes for nothing${last ? '' : ', and the certificates after it are out of place'}` });
      }
      continue;
    }
    if (last) continue; // the last one's issuer is the root the client holds
    const next = order[k + 1]!;
    // Its issuer by names and key identifiers: the next one when it fits, else the first sent that does. Only
    // that one's signature is checked, so a chain costs one check per certificate, however many share a name.
    const issuer = named(i, next) ? next : order.find((j) => j !== i && j !== next && named(i, j));
    const signed = issuer !== undefined && signedBy(parsed[i]!, parsed[issuer]!.x509!, () => ({ name: label(parsed[issuer]!.summary, issuer), index: issuer }), ctx);
    if (signed && issuer === next) continue;
    if (signed) {
      problems.push({ code: 'out-of-order', index: i, message: `the chain is out of order: ${label(summary, i)} is issued by #${issuer + 1}, not by the next one (#${next + 1}); strict clients fail to build the path` });
    } else if (issuer !== undefined) {
      problems.push({ code: 'issuer-not-next', index: i, message: `${label(summary, i)} names ${label(parsed[issuer]!.summary, issuer)} as its issuer, but that certificate's key did not sign it: a certificate with the issuer's name and another key (an old or re-issued intermediate) is sent, and the right one is missing` });
    } else {
      const issuer = summary.issuer ?? 'an unreadable name';
      const nextName = parsed[next]!.summary.subject ?? 'an unreadable certificate';
      problems.push({ code: 'issuer-not-next', index: i, message: `${label(summary, i)} is issued by '${issuer}', but the next certificate is '${nextName}' and no certificate sent is its issuer: the right intermediate is missing or a wrong one is configured` });
    }
  }
}

function checkNames(certificates: CertificateSummary[], parsed: ParsedCertificate[], names: { name: string; source: string }[], problems: ChainProblem[]): void {
  const leaf = certificates[0];
  if (!leaf || parsed[0]!.error !== null) return;
  const seen = new Set<string>();
  for (const { name, source } of names) {
    const key = normalizeHost(name);
    if (!key || seen.has(key)) continue;
    seen.add(key);
    if (certificateCoversName(leaf, name)) continue;
    const { dns, ips } = certificateNames(leaf);
    const all = [...dns, ...ips];
    const listed = all.length === 0 ? 'it names no host at all' : `it is for ${all.slice(0, NAMES_SHOWN).join(', ')}${all.length > NAMES_SHOWN ? ` and ${all.length - NAMES_SHOWN} more` : ''}`;
    problems.push({ code: 'name-mismatch', index: 0, message: `the server's certificate does not cover ${source} '${name}': ${listed}` });
  }
}

function checkSize(ders: readonly Buffer[], problems: ChainProblem[]): void {
  // The certificate_list on the wire: each certificate has a 3-byte length in front of it.
  const total = ders.reduce((sum, d) => sum + d.length + 3, 0);
  if (total <= LARGE_CHAIN_BYTES) return;
  const segments = Math.ceil(total / FULL_SIZE_SEGMENT);
  problems.push({
    code: 'large-chain',
    index: null,
    message: `the chain is large: ${groupThousands(total)} bytes in ${ders.length} certificates (a leaf and one intermediate are 2–4 KB); it alone fills ${segments} full-size segments, so a path that drops large packets never delivers it`,
  });
}

function checkTrust(parsed: ParsedCertificate[], store: TrustStore, at: number, problems: ChainProblem[], ctx: CheckContext): void {
  const leaf = parsed[0]?.x509;
  if (!leaf) return;
  let current = leaf;
  let currentIndex = 0;
  const used = new Set<number>([0]);
  const anchorHolder = (a: X509Certificate) => () => ({ name: `'${attemptOr(() => distinguishedName(a.subject), '?')}' from ${store.file}`, index: null });
  for (let depth = 0; depth < MAX_PATH; depth++) {
    const child = parsed[currentIndex]!;
    // The CAs of the file are the user's own: each that names and key identifiers make a candidate is checked.
    const anchor = store.anchors.find((a) => a.raw.equals(current.raw) || (issuerByNames(current, a) && signedBy(child, a, anchorHolder(a), ctx)));
    if (anchor) {
      const until = attemptOr(() => parseOpenSslTime(anchor.validTo), null);
      if (until !== null && at > until) {
        problems.push({ code: 'untrusted', index: null, message: `the chain leads to '${distinguishedName(anchor.subject)}' from ${store.file}, but that CA had expired on ${day(until)}, before the capture` });
      }
      return;
    }
    // Among the certificates sent, the first that names and key identifiers make the issuer; one check.
    const next = parsed.findIndex((p, j) => !used.has(j) && p.x509 !== null && issuerByNames(current, p.x509));
    if (next < 0 || !signedBy(child, parsed[next]!.x509!, () => ({ name: label(parsed[next]!.summary, next), index: next }), ctx)) break;
    used.add(next);
    current = parsed[next]!.x509!;
    currentIndex = next;
  }
  const last = parsed[currentIndex]!.summary;
  const why = last.selfSigned
    ? `it ends at the self-signed ${label(last, currentIndex)}, which is not in ${store.file}`
    : `${label(last, currentIndex)} is issued by '${last.issuer ?? '?'}', which was neither sent nor is in ${store.file} (a missing intermediate, or a CA the file does not hold)`;
  problems.push({ code: 'untrusted', index: currentIndex, message: `no path from the server's certificate to a CA in ${store.file}: ${why}` });
}

// ---------------------------------------------------------------------------------------------
// `--ca FILE`.

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

/**
 * The server's certificate chain, as sent in a Certificate message, checked the way a client would at the time
 * of the capture: dates, order and issuers, a root sent, duplicates, names, size, and a path to `--ca`'s CAs.
 * Nothing here throws on bad input: a certificate that cannot be read is a problem in the result, next to what
 * could be read of the others.
 */
import type { X509Certificate } from 'node:crypto';
import { BoundedCache } from '../bounded-cache.js';
import { groupThousands } from '../text/words.js';
import { certificateCoversName, certificateNames, normalizeHost } from './host-names.js';
import { CheckBudget, checkSignature, keyTooLarge, MAX_VERIFIED_DSA_BITS, MAX_VERIFIED_RSA_BITS } from './signatures.js';
import type { TrustStore } from './trust-store.js';
import { attemptOr, distinguishedName, issuerByNames, parseCertificate, parseOpenSslTime, type CertificateSummary, type ParsedCertificate } from './x509.js';

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
const days = new BoundedCache<number, string>(1024);
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const day = (ms: number): string => days.getOrSet(ms, isoDay);
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

/** Duplicates, order, names and size of a chain, by chainKey; each report gets copies. */
const CHAIN_CACHE_SIZE = 256;
const chainProblemsCache = new BoundedCache<string, { problems: ChainProblem[]; largeKeys: [string, { key: string; index: number | null }][] }>(CHAIN_CACHE_SIZE);
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

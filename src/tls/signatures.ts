/**
 * Signature checks for the chain checks, at a bounded cost whatever the certificates (issue 22).
 *
 * A certificate's signature is checked with its issuer's key only after names and key identifiers
 * (X509Certificate.checkIssued) have chosen that issuer, so a chain costs at most one check per
 * certificate. Each answer is kept, by (the signed certificate, the issuer's key), for the whole capture:
 * a server sends the same chain in every connection. Keys whose checks cost far more than real ones are
 * not used (RSA past 8,192 bits, DSA past 3,072: a 16,384-bit RSA or 10,000-bit DSA key cost 5-8 ms a
 * check), and each chain has a budget of checks and CPU time; what is not checked is said in the report.
 */
import { groupThousands } from '../text/words.js';
import { createHash, type KeyObject, type X509Certificate } from 'node:crypto';
import { BoundedCache } from '../bounded-cache.js';

/** Largest keys whose signatures are checked: RSA (and RSA-PSS) moduli and DSA primes, in bits. */
export const MAX_VERIFIED_RSA_BITS = 8192;
export const MAX_VERIFIED_DSA_BITS = 3072;
/**
 * Signature checks per chain (one Certificate message, with its --ca path): an ordinary chain needs 1-6, one
 * per certificate and one for a root's own signature. At the limits' sizes a check costs 1-4 ms.
 */
export const CHECKS_PER_CHAIN = 16;
/** CPU time spent in those checks per chain, in ms; an ordinary check takes 0.02-0.2 ms. */
export const CHECK_MS_PER_CHAIN = 50;

/** What the check of one signature found. */
export type SignatureCheck =
  /** The issuer's key verifies the signature. */
  | 'valid'
  | 'invalid'
  /** node:crypto cannot use the key (ML-DSA on OpenSSL 3.0, …). */
  | 'unusable-key'
  /** The key is larger than the limits above: not used. */
  | 'key-too-large'
  /** The chain's budget was spent: not checked. */
  | 'over-budget';

/** The cost of one chain's checks so far; `skipped` counts the checks left out for the budget. */
export class CheckBudget {
  checks = 0;
  cpuMicros = 0;
  skipped = 0;
  constructor(
    readonly maxChecks = CHECKS_PER_CHAIN,
    readonly maxMs = CHECK_MS_PER_CHAIN,
  ) {}
  get spent(): boolean {
    return this.checks >= this.maxChecks || this.cpuMicros >= this.maxMs * 1000;
  }
  /** Why the checks stopped, in words: 'after 24 signature checks' / 'after 100 ms of signature checks'. */
  get reason(): string {
    return this.checks >= this.maxChecks ? `after ${groupThousands(this.maxChecks)} signature checks` : `after ${groupThousands(this.maxMs)} ms of signature checks`;
  }
}

/** An issuer's key, read once per X509Certificate. */
interface IssuerKey {
  key: KeyObject | null;
  /** SHA-256 of the SubjectPublicKeyInfo (the cache's key), null when it cannot be exported. */
  id: string | null;
  /** '16,384-bit RSA' when past the limits, else null. */
  tooLarge: string | null;
}

const issuerKeys = new WeakMap<X509Certificate, IssuerKey>();

function attemptOr<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}

function issuerKey(x509: X509Certificate): IssuerKey {
  let known = issuerKeys.get(x509);
  if (known) return known;
  const key = attemptOr(() => x509.publicKey, null);
  let tooLarge: string | null = null;
  let id: string | null = null;
  if (key) {
    const type = key.asymmetricKeyType;
    const bits = attemptOr(() => key.asymmetricKeyDetails?.modulusLength, undefined) ?? 0;
    if ((type === 'rsa' || type === 'rsa-pss') && bits > MAX_VERIFIED_RSA_BITS) tooLarge = `${groupThousands(bits)}-bit ${type === 'rsa' ? 'RSA' : 'RSA-PSS'}`;
    else if (type === 'dsa' && bits > MAX_VERIFIED_DSA_BITS) tooLarge = `${groupThousands(bits)}-bit DSA`;
    else id = attemptOr(() => createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex'), null);
  }
  known = { key, id, tooLarge };
  issuerKeys.set(x509, known);
  return known;
}

/** The size and kind of a key too large to be used ('16,384-bit RSA'), or null. */
export function keyTooLarge(x509: X509Certificate): string | null {
  return issuerKey(x509).tooLarge;
}

/** Answers by `${child's SHA-256}:${issuer key's SHA-256}`, for the whole capture. */
const ANSWERS_KEPT = 4096;
const answers = new BoundedCache<string, boolean>(ANSWERS_KEPT);

let performed = 0;

/** Signatures verified with node:crypto since the process started (answers from the cache not counted). */
export function signatureChecksPerformed(): number {
  return performed;
}

/**
 * Is `child` (DER digest `childSha256`) signed by `issuer`'s key? Answers from the cache are free; a new
 * check is made only within `budget`, with a key of a size that checks fast.
 */
export function checkSignature(child: X509Certificate, childSha256: string, issuer: X509Certificate, budget: CheckBudget): SignatureCheck {
  const key = issuerKey(issuer);
  if (!key.key) return 'unusable-key';
  if (key.tooLarge !== null) return 'key-too-large';
  const cacheKey = key.id !== null ? `${childSha256}:${key.id}` : null;
  const cached = cacheKey !== null ? answers.get(cacheKey) : undefined;
  if (cached !== undefined) return cached ? 'valid' : 'invalid';
  if (budget.spent) {
    budget.skipped++;
    return 'over-budget';
  }
  const before = process.cpuUsage();
  let valid: boolean | null;
  try {
    valid = child.verify(key.key);
  } catch {
    valid = null;
  }
  const used = process.cpuUsage(before);
  budget.checks++;
  budget.cpuMicros += used.user + used.system;
  performed++;
  if (valid === null) return 'unusable-key';
  if (cacheKey !== null) {
    answers.set(cacheKey, valid);
  }
  return valid ? 'valid' : 'invalid';
}

/**
 * `--cert FILE`: the chain the server is configured with (Postfix `smtpd_tls_chain_files`, Dovecot `ssl_cert`),
 * compared with what the wire shows.
 *
 * TLS ≤ 1.2 sends the chain in the clear: a connection whose chain differs from every configured one gets chain
 * problem `not-the-configured-chain`, with what differs (the server's certificate, an intermediate missing or
 * extra, the order). TLS 1.3 encrypts it, but not its size: the Certificate message is one handshake message, and
 * a server that sent the configured chain sent a message of that size. When the server's whole encrypted flight
 * has no record that could carry it, the server did not send that chain: the same code, `inferred: true`, with
 * the figures. The configured chain's own problems (order, a missing intermediate, expiry at the capture's time,
 * the name) are told once, in the summary.
 *
 * A ConfiguredChain is plain data (it crosses to worker threads with the analysis options).
 */
import { groupThousands } from '../text/words.js';
import { createHash, X509Certificate } from 'node:crypto';
import { inspectChain, type ChainProblem, type ChainProblemCode } from './chain-checks.js';
import { certificateCoversName } from './host-names.js';
import type { TrustStore } from './trust-store.js';

export interface ConfiguredChain {
  /** The file as given. */
  file: string;
  /** Each certificate's DER in base64, in the file's order (the server's own first). */
  ders: string[];
  /** Lower-case hex SHA-256 of each DER, as CertificateSummary.sha256. */
  sha256: string[];
  /** Each certificate's subject (as CertificateSummary writes it) and end of validity (ISO 8601), for messages. */
  subjects: string[];
  notAfter: (string | null)[];
  /**
   * Bytes of the Certificate handshake message that carries this chain: TLS 1.2 (RFC 5246 §7.4.2: 4-byte header,
   * 3-byte list length, 3-byte length per certificate) and TLS 1.3 (RFC 8446 §4.4.2: also a 1-byte empty request
   * context and 2 bytes of empty extensions per certificate).
   */
  messageBytes: { tls12: number; tls13: number };
}

/** `not-the-configured-chain`: a ChainProblem with what differs. */
export interface NotTheConfiguredChain {
  code: 'not-the-configured-chain';
  index: null;
  message: string;
  /** The configured file the chain was compared with (the one with the same server certificate, else the first). */
  configured: string;
  /** What differs: 'leaf' (another server certificate), 'missing' (a configured intermediate not sent), 'extra' (sent, not configured), 'order'. */
  differences: ('leaf' | 'missing' | 'extra' | 'order')[];
  /** TLS 1.3: told from the sizes of the encrypted records, not from the certificates themselves. */
  inferred?: true;
  /** TLS 1.3: the largest record of the server's encrypted flight, and the record the configured chain's Certificate message needs. */
  largestRecord?: number;
  neededRecord?: number;
}

/** A problem of the configured chain itself, at the capture's time (summary.configuredChains). */
export interface ConfiguredChainProblem {
  code: ChainProblemCode | 'missing-intermediate';
  index: number | null;
  message: string;
}

/** summary.configuredChains: one entry per `--cert` file. */
export interface ConfiguredChainReport {
  file: string;
  certificates: { subject: string; sha256: string; notAfter: string | null }[];
  /** Bytes of its Certificate message in TLS 1.3 (TLS 1.2's is this less one byte and two per certificate). */
  messageBytes: number;
  /** Judged at the time of the first captured frame, against `--server-name` (and `--ca` when given). */
  problems: ConfiguredChainProblem[];
}

/** The largest `--cert` file read: a chain is a few KB; 16 MB is far past any. */
export const MAX_CONFIGURED_CHAIN_FILE = 16 * 1024 * 1024;
/** TLS 1.3 record overhead of an encrypted handshake record: the inner content type and a 16-byte AEAD tag (RFC 8446 §5.2). */
const TLS13_RECORD_OVERHEAD = 1 + 16;
/** The largest plaintext a record carries (RFC 8446 §5.1): a longer message spans records. */
const MAX_PLAINTEXT = 16384;
/** ClientHello extension compress_certificate (RFC 8879): the server may send a compressed, smaller message. */
const COMPRESS_CERTIFICATE = 27;

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Read a PEM file of certificates, the server's own first, as configured. Never throws. */
export function loadConfiguredChain(bytes: Buffer, file: string): { ok: true; chain: ConfiguredChain } | { ok: false; error: string } {
  const text = bytes.toString('latin1');
  const ders: Buffer[] = [];
  let n = 0;
  for (const m of text.matchAll(PEM_BLOCK)) {
    const kind = m[1]!;
    // A file that holds the key too (Postfix's smtpd_tls_chain_files may): keys are skipped, never read further.
    if (kind !== 'CERTIFICATE' && kind !== 'TRUSTED CERTIFICATE') continue;
    n++;
    const der = Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64');
    try {
      new X509Certificate(der);
    } catch (err) {
      return { ok: false, error: `${file}: certificate ${n} cannot be read (${err instanceof Error ? err.message : String(err)})` };
    }
    ders.push(der);
  }
  if (ders.length === 0) return { ok: false, error: `${file}: no certificate in it (expected PEM "BEGIN CERTIFICATE" blocks, the server's own first)` };
  // Read as the wire's certificates are (CertificateSummary), so that names compare and print alike.
  const summaries = inspectChain(ders, { time: 0 }).certificates;
  const subjects = ders.map((d, i) => summaries[i]?.subject ?? oneLine(new X509Certificate(d).subject));
  const sum = ders.reduce((a, d) => a + d.length, 0);
  return {
    ok: true,
    chain: {
      file,
      ders: ders.map((d) => d.toString('base64')),
      sha256: ders.map((d, i) => summaries[i]?.sha256 ?? createHash('sha256').update(d).digest('hex')),
      subjects,
      notAfter: ders.map((_, i) => summaries[i]?.notAfter ?? null),
      messageBytes: { tls12: 4 + 3 + sum + 3 * ders.length, tls13: 4 + 1 + 3 + sum + 5 * ders.length },
    },
  };
}

/** What a connection shows of the server's chain, for the comparison. */
export interface WireChain {
  /** The chain sent in the clear (TLS ≤ 1.2), SHA-256s and subjects in the order sent; empty when none was seen. */
  sha256: readonly string[];
  subjects: readonly (string | null)[];
  notAfter: readonly (string | null)[];
  /** TLS 1.3 only: the fragment lengths of the server's encrypted flight's records, when the whole flight was delivered; else null. */
  tls13FlightRecords: readonly number[] | null;
  /** The client offered certificate compression (RFC 8879): a TLS 1.3 Certificate message may be smaller than the chain. */
  compressionOffered: boolean;
}

/** The chain problem for a connection, or null when it matches a configured chain or nothing can be said. */
export function compareWithConfigured(wire: WireChain, configured: readonly ConfiguredChain[]): NotTheConfiguredChain | null {
  if (configured.length === 0) return null;
  if (wire.sha256.length > 0) return compareSent(wire, configured);
  if (wire.tls13FlightRecords && wire.tls13FlightRecords.length > 0 && !wire.compressionOffered) return compareSizes(wire.tls13FlightRecords, configured);
  return null;
}

function compareSent(wire: WireChain, configured: readonly ConfiguredChain[]): NotTheConfiguredChain | null {
  const sent = wire.sha256;
  if (configured.some((c) => c.sha256.length === sent.length && c.sha256.every((h, i) => h === sent[i]))) return null;
  const chain = configured.find((c) => c.sha256[0] === sent[0]) ?? configured[0]!;
  const conf = chain.sha256;
  const differences: NotTheConfiguredChain['differences'] = [];
  const words: string[] = [];
  const name = (s: string | null | undefined) => `'${s ?? 'an unreadable certificate'}'`;
  // A server certificate that is in the configured file, only elsewhere, is a matter of order (below).
  if (!conf.includes(sent[0]!)) {
    differences.push('leaf');
    const which = (subject: string | null | undefined, until: string | null | undefined, sha: string | undefined) => `${name(subject)} (until ${until?.slice(0, 10) ?? '?'}, SHA-256 ${sha?.slice(0, 12) ?? '?'}…)`;
    const sent0 = which(wire.subjects[0], wire.notAfter[0], sent[0]);
    const conf0 = which(chain.subjects[0], chain.notAfter[0], conf[0]);
    words.push(`the server's certificate is ${sent0}, not the configured ${conf0}${sameName(wire.subjects[0], chain.subjects[0]) ? ': the same name, another certificate (an old one still served?)' : ''}`);
  }
  // With another server certificate, the two server certificates are that difference, not a missing or extra one.
  const leafDiffers = differences.includes('leaf');
  const missing = conf.map((h, i) => ({ h, i })).filter(({ h, i }) => !(leafDiffers && i === 0) && !sent.includes(h));
  if (missing.length > 0) {
    differences.push('missing');
    words.push(`${missing.map(({ i }) => name(chain.subjects[i])).join(', ')} ${missing.length === 1 ? 'is' : 'are'} configured but not sent`);
  }
  const extra = sent.map((h, i) => ({ h, i })).filter(({ h, i }) => !(leafDiffers && i === 0) && !conf.includes(h));
  if (extra.length > 0) {
    differences.push('extra');
    words.push(`${extra.map(({ i }) => name(wire.subjects[i])).join(', ')} ${extra.length === 1 ? 'is' : 'are'} sent but not configured`);
  }
  const common = sent.filter((h) => conf.includes(h));
  const confOrder = conf.filter((h) => sent.includes(h));
  if (common.some((h, i) => h !== confOrder[i])) {
    differences.push('order');
    words.push('the certificates are sent in another order than configured');
  }
  // The same certificates, one of them sent twice: what differs is a repeat (the `duplicate` problem says which).
  if (words.length === 0) words.push(new Set(sent).size < sent.length ? 'a certificate is sent more than once' : 'the certificates differ');
  return {
    code: 'not-the-configured-chain',
    index: null,
    message: `not the chain configured in ${chain.file}: ${words.join('; ')}`,
    configured: chain.file,
    differences,
  };
}

function compareSizes(records: readonly number[], configured: readonly ConfiguredChain[]): NotTheConfiguredChain | null {
  const largest = Math.max(...records);
  const needed = (c: ConfiguredChain) => Math.min(c.messageBytes.tls13, MAX_PLAINTEXT) + TLS13_RECORD_OVERHEAD;
  // Any configured chain that fits: nothing can be said.
  if (configured.some((c) => largest >= needed(c))) return null;
  const chain = configured.reduce((a, c) => (needed(c) < needed(a) ? c : a));
  const need = needed(chain);
  const message =
    `not the chain configured in ${chain.file} (inferred from sizes: TLS 1.3 encrypts the certificates): the server's encrypted flight has no record over ${groupThousands(largest)} bytes; ` +
    `the configured chain's Certificate message needs ${groupThousands(chain.messageBytes.tls13)} (a record of ${groupThousands(need)}): the server sent a smaller chain, another or an old one`;
  return { code: 'not-the-configured-chain', index: null, message, configured: chain.file, differences: [], inferred: true, largestRecord: largest, neededRecord: need };
}

/** The configured chains' own problems, judged at `time` (seconds since 1970). */
export function configuredChainReports(
  chains: readonly ConfiguredChain[],
  options: { time: number | null; serverName?: string; trustStore?: TrustStore | null },
): ConfiguredChainReport[] {
  return chains.map((chain) => {
    const ders = chain.ders.map((d) => Buffer.from(d, 'base64'));
    const names = options.serverName ? [{ name: options.serverName, source: 'the server name given with --server-name' }] : [];
    const time = options.time ?? Date.now() / 1000;
    const inspected = inspectChain(ders, { time, names, trustStore: options.trustStore ?? null });
    // The server's certificate must come first: Postfix and Dovecot send the file's certificates in its order.
    // When it does not, the order and name checks of inspectChain (made on the first certificate) do not apply.
    const leafAt = inspected.certificates.findIndex((c) => !c.ca);
    const misplaced = leafAt > 0;
    const problems: ConfiguredChainProblem[] = inspected.problems
      // Size is the wire's concern (chainProblems of each connection); the file's own faults are the rest.
      .filter((p: ChainProblem) => p.code !== 'large-chain' && !(misplaced && (p.code === 'issuer-not-next' || p.code === 'out-of-order' || p.code === 'name-mismatch')))
      .map((p) => ({ code: p.code, index: p.index, message: p.message.replace(/when the capture was taken/g, 'at the time of the capture').replace(/\bno certificate sent\b/g, 'no certificate in the file') }));
    if (misplaced) {
      const leaf = inspected.certificates[leafAt]!;
      if (options.serverName && !certificateCoversName(leaf, options.serverName)) {
        problems.unshift({ code: 'name-mismatch', index: leafAt, message: `the server's certificate '${leaf.subject ?? '?'}' does not cover the server name given with --server-name '${options.serverName}'` });
      }
      problems.unshift({
        code: 'out-of-order',
        index: leafAt,
        message: `the server's certificate '${inspected.certificates[leafAt]!.subject ?? '?'}' is #${leafAt + 1} in ${chain.file}, after the CA certificate${leafAt === 1 ? '' : 's'} before it: it must come first (the server sends the file's order)`,
      });
    }
    const last = inspected.certificates[inspected.certificates.length - 1];
    const hasIssuerNotNext = problems.some((p) => p.code === 'issuer-not-next' || p.code === 'untrusted');
    // Without --ca the last certificate's issuer is taken for a root the clients hold; a lone server certificate
    // issued by someone else is the classic forgotten intermediate (today's public CAs never sign a server certificate from a root).
    if (ders.length === 1 && last && !last.selfSigned && !last.ca && !hasIssuerNotNext) {
      problems.push({
        code: 'missing-intermediate',
        index: 0,
        message: `${chain.file} holds the server's certificate alone: its issuer '${last.issuer ?? '?'}' is not in it, so clients must already hold that CA (public CAs issue from an intermediate: add it after the certificate)`,
      });
    }
    return {
      file: chain.file,
      certificates: inspected.certificates.map((c, i) => ({ subject: c.subject ?? chain.subjects[i] ?? '?', sha256: c.sha256, notAfter: c.notAfter })),
      messageBytes: chain.messageBytes.tls13,
      problems,
    };
  });
}

/** OpenSSL prints a subject one attribute per line: 'CN=a\nO=b' → 'CN=a, O=b'. */
function oneLine(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ');
}

/** The CN of two subjects is the same (a renewed certificate keeps its name). */
function sameName(a: string | null | undefined, b: string | null | undefined): boolean {
  const cn = (s: string | null | undefined) => /(?:^|, )CN=([^,]+)/.exec(s ?? '')?.[1] ?? null;
  return cn(a) !== null && cn(a) === cn(b);
}

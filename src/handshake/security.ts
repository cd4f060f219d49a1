/**
 * What a connection tells about the client software and the server's certificate: the fingerprints of
 * its hellos and the chain the server sent, checked at the time it was sent.
 */
import { inspectChain, type ChainProblem } from '../tls/chain-checks.js';
import type { TrustStore } from '../tls/trust-store.js';
import type { CertificateSummary } from '../tls/x509.js';
import { fingerprints, type Fingerprints } from '../tls/fingerprints.js';
import type { ConfiguredChain } from '../tls/configured-chain.js';
import { isTls13Version } from '../tls/decoder.js';
import type { ClientHello, ServerHello, TlsEvent } from '../tls/types.js';
import type { Walk } from './walk.js';
import { CERTIFICATE_ALERTS } from './chain-cause.js';

export interface SecurityOptions {
  /** The name clients use for this server (`--server-name`), checked against the certificate besides the SNI. */
  serverName?: string;
  /** CA certificates to validate the chain against (`--ca FILE`). */
  trustStore?: TrustStore;
  /** The chains the server is configured with (`--cert FILE`, repeatable): each connection's chain is compared with them. */
  configuredChains?: ConfiguredChain[];
}

export interface ConnectionSecurity {
  fingerprints: Fingerprints;
  /** Shared with other connections (ChainReport.certificates): the report gets copies. */
  certificates: readonly CertificateSummary[];
  chainProblems: ChainProblem[];
  /** Lines for the report's notes (why there is no chain, for instance). */
  notes: string[];
}


/**
 * The first ClientHello and ServerHello of the connection are fingerprinted (after a HelloRetryRequest
 * the client's second hello is shaped by the server's demand, not by the client alone; FoxIO's JA4 code
 * also takes the first hello of a stream). The chain is the server's first Certificate message.
 */
export function connectionSecurity(events: readonly TlsEvent[], walk: Walk, options: SecurityOptions = {}): ConnectionSecurity {
  let clientHello: ClientHello | null = null;
  let serverHello: ServerHello | null = null;
  let chain: { ders: Buffer[]; time: number } | null = null;
  for (const ev of events) {
    if (ev.kind !== 'handshake') continue;
    if (ev.from === 'client' && ev.clientHello && !clientHello) clientHello = ev.clientHello;
    // An SSLv2 SERVER-HELLO carries the certificate itself, so one event can bring both.
    if (ev.from === 'server' && ev.serverHello && !serverHello) serverHello = ev.serverHello;
    if (ev.from === 'server' && ev.certificate && !chain) chain = { ders: ev.certificate.certificates, time: ev.time };
    if (clientHello && serverHello && chain) break;
  }
  const notes: string[] = [];
  let certificates: readonly CertificateSummary[] = [];
  let chainProblems: ChainProblem[] = [];
  if (chain) {
    const names: { name: string; source: string }[] = [];
    if (clientHello?.sni) names.push({ name: clientHello.sni, source: 'the name the client asked for (SNI)' });
    if (options.serverName) names.push({ name: options.serverName, source: 'the server name given with --server-name' });
    const report = inspectChain(chain.ders, { time: chain.time, names, trustStore: options.trustStore ?? null });
    certificates = report.certificates;
    chainProblems = report.problems;
  } else if (walk.version !== null && isTls13Version(walk.version) && walk.lastStep >= 3) {
    notes.push('certificates: TLS 1.3 encrypts the server\'s Certificate message, so its chain cannot be read or checked from a capture without the session\'s keys (give its key log with --keylog, or test it with `openssl s_client -connect HOST:PORT -showcerts`)');
  }
  // JA3S is defined on a TLS ServerHello (salesforce's ja3s.py reads only those); an SSLv2 SERVER-HELLO
  // offers a list of ciphers instead of choosing one, so it has none.
  const tlsServerHello = walk.shape === 'sslv2' ? null : serverHello;
  return { fingerprints: fingerprintsOnce(clientHello, tlsServerHello), certificates, chainProblems, notes };
}

/**
 * Hellos that say the same share their arrays (the decoder shares them as it parses them: tls/shared-hellos.ts),
 * and so have the same fingerprints: worked out once per kind of hello, found again by its extension list.
 */
const clientFingerprints = new WeakMap<object, { ja3: string | null; ja4: string | null }>();
const serverFingerprints = new WeakMap<object, string | null>();

function fingerprintsOnce(clientHello: ClientHello | null, serverHello: ServerHello | null): Fingerprints {
  let client: { ja3: string | null; ja4: string | null } | undefined;
  if (clientHello) {
    client = clientFingerprints.get(clientHello.extensions);
    if (client === undefined) {
      const f = fingerprints(clientHello, null);
      client = { ja3: f.ja3, ja4: f.ja4 };
      clientFingerprints.set(clientHello.extensions, client);
    }
  }
  let server: string | null | undefined;
  if (serverHello) {
    server = serverFingerprints.get(serverHello.extensions);
    if (server === undefined) {
      server = fingerprints(null, serverHello).ja3s;
      serverFingerprints.set(serverHello.extensions, server);
    }
  }
  return { ja3: client?.ja3 ?? null, ja3s: server ?? null, ja4: client?.ja4 ?? null };
}

/**
 * When a client rejected the certificate and the chain has a problem that explains it, say which;
 * appended to the diagnosis. A large chain alone does not explain a certificate alert, and a problem the
 * diagnosis already names (diagnose.ts chainCause) is not said twice.
 */
export function certificateHint(end: { how: string; alert: { from: string; code: number | null } | null }, problems: readonly { code: string; message: string }[], diagnosis: string): string {
  if (end.how !== 'alert' || !end.alert || end.alert.from !== 'client' || end.alert.code === null || !CERTIFICATE_ALERTS.has(end.alert.code)) return '';
  const relevant = problems.filter((p) => p.code !== 'large-chain' && !diagnosis.includes(p.message));
  if (relevant.length === 0) return '';
  return `; in the chain the server sent: ${relevant.slice(0, 2).map((p) => p.message).join('; ')}`;
}

import { AlertDescription } from '../tls/names.js';
import { millis } from '../text/words.js';
import { groupThousands } from '../text/words.js';
import type { Connection, Side } from '../tcp/types.js';
import type { ConnectionReport } from './report.js';
import { stepName } from './steps.js';
import type { AlertSeen, Walk } from './walk.js';
import { chainCause, CERTIFICATE_ALERTS } from './chain-cause.js';

export interface DiagnosisFacts {
  report: ConnectionReport;
  walk: Walk;
  conn: Connection;
  end: { how: ConnectionReport['end']['how']; by: Side | null; alert: AlertSeen | null; time: number | null; frame?: number | null };
}

/**
 * What each alert most likely means when it ends a handshake, said for the admin reading the report.
 * Keyed by alert description (RFC 8446 §6.2 / IANA TLS Alerts).
 */
const ALERT_MEANING: Readonly<Record<number, { client?: string; server?: string }>> = {
  [AlertDescription.unexpected_message]: { client: 'the client got a message it did not expect at this point', server: 'the server got a message it did not expect at this point' },
  [AlertDescription.bad_record_mac]: { client: 'the client could not verify a record: keys disagree or bytes were corrupted in transit', server: 'the server could not verify a record: keys disagree or bytes were corrupted in transit' },
  [AlertDescription.handshake_failure]: { server: 'no cipher suite, group or signature algorithm in common with the client', client: 'the client found the server\'s choice unacceptable' },
  [AlertDescription.bad_certificate]: { client: 'the client rejected the server\'s certificate (often a host name mismatch or an untrusted chain)', server: 'the server rejected the client\'s certificate' },
  [AlertDescription.unsupported_certificate]: { client: 'the client does not support the server certificate\'s type or key' },
  [AlertDescription.certificate_revoked]: { client: 'the client found the server\'s certificate revoked' },
  [AlertDescription.certificate_expired]: { client: 'the client found the server\'s certificate expired (check the certificate dates and the client\'s clock)', server: 'the server found the client\'s certificate expired' },
  [AlertDescription.certificate_unknown]: { client: 'the client rejected the server\'s certificate', server: 'the server rejected the client\'s certificate' },
  [AlertDescription.illegal_parameter]: { client: 'the client found an illegal parameter in the server\'s messages', server: 'the server found an illegal parameter in the client\'s messages' },
  [AlertDescription.unknown_ca]: { client: 'the client does not trust the CA that issued the server\'s certificate: the chain is incomplete or the client lacks the root', server: 'the server does not trust the CA that issued the client\'s certificate' },
  [AlertDescription.access_denied]: { server: 'the server refused access' },
  [AlertDescription.decode_error]: { client: 'the client could not decode a server message', server: 'the server could not decode a client message' },
  [AlertDescription.decrypt_error]: { client: 'the client could not verify the server\'s key exchange or Finished', server: 'the server could not verify the client\'s key exchange or Finished' },
  [AlertDescription.protocol_version]: { server: 'no protocol version in common', client: 'the client refuses the version the server chose' },
  [AlertDescription.insufficient_security]: { server: 'the client\'s offer is too weak for the server ', client: 'the server\'s choice is too weak for the client ' },
  [AlertDescription.internal_error]: { client: 'the client hit an internal error', server: 'the server hit an internal error (check its log)' },
  [AlertDescription.inappropriate_fallback]: { server: 'the client retried with a lower version than it supports ' },
  [AlertDescription.user_canceled]: { client: 'the user or the client cancelled the handshake', server: 'the server cancelled the handshake' },
  [AlertDescription.missing_extension]: { server: 'a required extension is missing' },
  [AlertDescription.unsupported_extension]: { client: 'the server sent an extension the client does not support', server: 'the client sent an extension the server does not support' },
  [AlertDescription.unrecognized_name]: { server: 'the server does not know the requested name (SNI)' },
  [AlertDescription.certificate_required]: { server: 'the server requires a client certificate and got none' },
  [AlertDescription.no_application_protocol]: { server: 'no ALPN protocol in common', client: 'no ALPN protocol in common' },
};


const other = (s: Side): Side => (s === 'client' ? 'server' : 'client');
const howWord = { fin: 'closed (FIN)', rst: 'reset (RST)' } as const;
const fmt = groupThousands;

/** What a client that rejects the certificate with each alert does, said before the chain problem that explains it. */
const REJECTION_LEAD: Readonly<Record<number, string>> = {
  42: "the client rejected the server's certificate",
  43: "the client does not support the server certificate's type or key",
  44: "the client found the server's certificate revoked",
  45: "the client found the server's certificate expired",
  46: "the client rejected the server's certificate",
  48: "the client does not trust the CA that issued the server's certificate",
};

/**
 * The server's flight never got through (rule 2): the client acknowledged only part of it while the server sent
 * it again, after the ServerHello and before the client's answer. Read from the report alone, so that the
 * summary counts what the diagnoses say.
 */
export function blackHoleLikely(r: Pick<ConnectionReport, 'lastStep' | 'tcp'>): boolean {
  const flight = r.tcp?.serverFlight;
  return !!flight && r.lastStep >= 2 && r.lastStep <= 4 && flight.bytes > 0 && flight.ackedByClient < flight.bytes && r.tcp.retransmissions.server >= 2;
}

/**
 * The side whose packets are all missing although the other side's TLS shows it spoke (a capture of one
 * direction only: ndpi/tls_1.2_unidirectional_client.pcapng), or null.
 */
export function missingDirection(conn: Connection, walk: Walk): Side | null {
  // A client past its hello (key exchange, Finished) answered a server flight that is not in the capture. A side
  // with no packet has no message: every step and every message there is the other side's.
  if (conn.packets.server === 0 && walk.steps.some((s) => s.step >= 5)) return 'server';
  if (conn.packets.client === 0 && walk.timeline.length > 0) return 'client';
  return null;
}

/**
 * The likely cause of how a connection ended, in one sentence. A failed handshake in which a side sent a malformed
 * message before the end starts with that message: whatever the peer did next, that is what it answered.
 */
export function diagnose(f: DiagnosisFacts): string {
  const how = diagnoseEnd(f);
  const bad = f.walk.firstMalformed;
  if (f.report.outcome !== 'failed' || bad === null || (f.end.frame != null && bad.frame > f.end.frame)) return how;
  const detail = bad.note.replace(/^malformed [^:]*: /, '');
  return `the ${bad.from}'s ${bad.message} in frame ${bad.frame} is malformed: ${detail}; then ${how}`;
}

/** How the connection ended and what that most likely means. Rules are tried in order; the first that fits speaks. */
function diagnoseEnd(f: DiagnosisFacts): string {
  const { report, walk, conn, end } = f;
  const mailProblem = report.mail?.problem ?? null;
  // A complete handshake has packets from both sides: missingDirection says null for it.
  const missing = missingDirection(conn, walk);
  if (missing !== null) {
    return `only the ${other(missing)}'s direction was captured: not one packet from the ${missing}, though the ${other(missing)}'s TLS shows the ${missing} took part; how the handshake went on the ${missing}'s side cannot be judged`;
  }

  if (report.outcome === 'complete') {
    // A complete walk has its completion time and at least one step (walk.ts `complete`).
    const took = millis((walk.completedAt!.time - walk.steps[0]!.time) * 1000);
    const resumed = report.tls.resumed ? ', resumed session' : '';
    return `handshake completed in ${took} (${report.tls.version ?? 'unknown version'}, ${report.tls.cipher ?? 'unknown cipher'}${resumed})`;
  }
  if (report.outcome === 'not-tls') {
    return mailProblem ?? 'no TLS in this connection';
  }
  if (!walk.clientHello && mailProblem) return mailProblem;

  // 1. An alert says it in the peer's own words.
  // end.alert is set when, and only when, an alert ended the connection (build.ts findEnd).
  if (end.alert) {
    const a = end.alert;
    const when = `after ${lastMessageBefore(walk, a.frame, a.from)}`;
    if (a.alert.encrypted) {
      if (a.from === 'client' && walk.shape === 'tls13') {
        return `client sent an encrypted alert ${when}: in TLS 1.3 the alert is hidden, but at this point it most likely rejected the server's certificate`;
      }
      // The client's encrypted alerts in TLS 1.3 were said just above: this one is the server's.
      if (walk.shape === 'tls13' && walk.steps.some((s) => s.step === 7)) {
        return `server answered the client's Finished with an encrypted alert and closed: a TLS 1.3 server does this when it requires a client certificate and got none, or rejected the one it got (give the session's key log with --keylog to read the alert)`;
      }
      return `${a.from} sent an encrypted alert ${when} (its content cannot be read)`;
    }
    const meaning = ALERT_MEANING[a.alert.description]?.[a.from];
    let detail = meaning ? ` — ${meaning}` : '';
    // A certificate alert and a chain problem that explains it: name the problem (chains.ts).
    const cause = a.from === 'client' && CERTIFICATE_ALERTS.has(a.alert.description) ? chainCause(report, a.alert.description) : null;
    if (cause) detail = ` — ${REJECTION_LEAD[a.alert.description]}: ${cause.text}`;
    // What the client offered is there when its hello is, never empty (build.ts offeredVersions).
    const offered = report.tls.offered?.versions;
    if (a.alert.description === 70 && a.from === 'server' && offered) {
      detail = ` — the client offers ${listWords(offered)}, none of which the server accepts`;
      if (offered.every((v) => v === 'TLS 1.3')) detail += ' (the server\'s maximum is below TLS 1.3)';
    }
    if (a.alert.description === 40 && a.from === 'server' && walk.clientHello && walk.lastStep <= 1) {
      detail = ` — no cipher suite, group or signature algorithm in common (the client offered ${walk.clientHello.cipherSuites.length} cipher suites)`;
    }
    return `${a.from} sent alert ${a.alert.name} (${a.alert.description}) ${when}${detail}`;
  }

  // 2. The server's flight never got through: the classic path-MTU black hole.
  const flight = report.tcp.serverFlight;
  const serverRetrans = conn.retransmissions.server;
  if (blackHoleLikely(report)) {
    const seg = conn.facts.server.largestSegment;
    const mss = conn.facts.client.mss;
    return (
      `client never acknowledged the server's ${fmt(flight.bytes)}-byte flight (acknowledged ${fmt(flight.ackedByClient)}); ` +
      `server retransmitted ${serverRetrans}× in segments up to ${fmt(seg)} bytes${mss ? ` (client MSS ${fmt(mss)})` : ''}: path-MTU black hole likely ` +
      `(large packets dropped on the way without ICMP; clamp the MSS or fix the MTU)`
    );
  }

  if (end.how === 'fin' || end.how === 'rst') {
    const by = end.by as Side;
    // Judge by what had happened when the connection was closed: a client may send its hello and its FIN at
    // once and the server answer after that (mercury/capture2.pcap, connection 153).
    const endFrame = end.frame ?? Infinity;
    const before = walk.timeline.filter((t) => t.frame <= endFrame);
    const lastFromPeer = before.filter((t) => t.from === other(by)).pop() ?? null;
    const stepAtEnd = walk.steps.reduce((max, s) => (s.frame <= endFrame && s.step > max ? s.step : max), 0);
    const later = walk.lastStep > stepAtEnd ? `; the ${other(by)} answered after that (up to step ${walk.lastStep} ${stepName(walk.lastStep, walk.shape)})` : '';
    const sinceWhat = lastFromPeer ? (lastFromPeer.type.startsWith('encrypted server flight') ? "the server's encrypted flight" : lastFromPeer.type) : 'the connection opened';
    const gap = lastFromPeer && end.time !== null ? `${millis((end.time - lastFromPeer.time) * 1000)} after ${sinceWhat}` : `after ${sinceWhat}`;
    // 3. The motivating case: the client reads the whole server flight and leaves without a word.
    if (by === 'client' && stepAtEnd === 4 && walk.shape !== 'tls13') {
      const cause = chainCause(report, null);
      if (cause) return `client ${howWord[end.how]} ${gap} without an alert: it rejected the server's certificate or key exchange, and the chain explains it: ${cause.text}`;
      return `client ${howWord[end.how]} ${gap} without an alert: it rejected the server's certificate or key exchange (a client that does not trust the chain, or a hostname mismatch, often leaves like this)`;
    }
    if (by === 'client' && stepAtEnd >= 4 && walk.shape === 'tls13') {
      return `client ${howWord[end.how]} ${gap} without an alert, after the server's whole encrypted flight was delivered: it most likely rejected the server's certificate`;
    }
    if (by === 'client' && stepAtEnd === 3 && walk.shape === 'tls13') {
      const flight = report.tcp.serverFlight;
      const part = flight.ackedByClient < flight.bytes ? ` (it had acknowledged ${fmt(flight.ackedByClient)} of its ${fmt(flight.bytes)} bytes)` : '';
      return `client ${howWord[end.how]} ${gap} without an alert, before the server's encrypted flight was seen delivered${part}: it gave up waiting, or rejected the server's certificate`;
    }
    // 4. The server leaves right after the ClientHello.
    if (by === 'server' && stepAtEnd === 1) {
      return `server ${howWord[end.how]} ${gap} without an alert: it found nothing acceptable in the ClientHello (Dovecot does this on version or cipher mismatch: check its log)`;
    }
    // A server leaving at step 1 was said just above: this is the client.
    if (stepAtEnd === 1) {
      return `client ${howWord[end.how]} ${gap}, before any ServerHello: it gave up waiting for the server${later}`;
    }
    if (by === 'server' && stepAtEnd >= 5 && stepAtEnd < 9) {
      return `server ${howWord[end.how]} ${gap} without an alert: it did not accept the client's key exchange or Finished (check its log)`;
    }
    if (stepAtEnd === 0) {
      if (mailProblem) return mailProblem;
      return `${by} ${howWord[end.how]} before any ClientHello`;
    }
    return `${by} ${howWord[end.how]} ${gap} (handshake reached step ${stepAtEnd} ${stepName(stepAtEnd, walk.shape)})${later}`;
  }

  // 5. Nothing ended it: the capture did.
  const last = [walk.lastMessage.client, walk.lastMessage.server].filter((x) => x !== null).sort((a, b) => a!.time - b!.time).pop();
  if (!walk.clientHello && !conn.syn) return 'capture began after the handshake started: nothing to judge';
  if (last) {
    const waiting = other(last.from);
    return `capture ended ${millis((conn.end - last.time) * 1000)} after ${last.from} ${last.type}, with no answer from the ${waiting} yet (handshake unfinished at step ${walk.lastStep})`;
  }
  // A mail problem without a ClientHello was said above.
  return 'capture ended before any TLS message';
}

function lastMessageBefore(walk: Walk, frame: number, sender: Side): string {
  const candidates = walk.timeline.filter((t) => t.frame <= frame && !t.type.startsWith('Alert'));
  const last = candidates[candidates.length - 1];
  if (!last) return 'the connection opened';
  if (last.type.startsWith('encrypted server flight')) return "the server's encrypted flight (its certificate is inside)";
  return last.from === sender ? `its own ${last.type}` : `the ${last.from}'s ${last.type}`;
}

/** A list of one or more. */
function listWords(xs: string[]): string {
  if (xs.length === 1) return `only ${xs[0]}`;
  return xs.slice(0, -1).join(', ') + ' and ' + xs[xs.length - 1];
}

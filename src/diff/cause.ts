import { endpoint, groupThousands } from '../text/words.js';
import type { ConnectionReport } from '../handshake/report.js';
import { CERTIFICATE_ALERTS } from '../handshake/chain-cause.js';
import { flightFullyAcked, messageProblemsOf, retransmissionsOf } from './compare.js';
import type { Difference } from './types.js';

/**
 * Which differences explain the bad connection's failure. The failure's shape (how and where the bad
 * connection ended) decides which areas can explain it; only differences in those areas are promoted to
 * `likely-cause`, ranked: the explanation first (a smaller MSS, a cipher suite no longer offered, another
 * certificate chain), the evidence last (the alert, the close). A difference that cannot explain this kind
 * of failure stays `notable` however large it is.
 */
export interface CauseAnalysis {
  /** `area/field` → rank (smaller = stronger explanation). */
  ranks: Map<string, number>;
  /** A sentence that concludes the likely cause (path-MTU black hole, the client gave up on its own…), or null. */
  conclusion: string | null;
}


/** For an alert the server sends after the ClientHello: the ClientHello fields that can explain it, strongest first. */
const SERVER_ALERT_EXPLAINED_BY: Readonly<Record<number, readonly string[]>> = {
  40: ['cipherSuites', 'supportedGroups', 'signatureAlgorithms', 'keyShareGroups', 'supportedVersions', 'clientVersion', 'extensions', 'sni'], // handshake_failure
  71: ['cipherSuites', 'supportedGroups', 'signatureAlgorithms', 'keyShareGroups', 'supportedVersions', 'clientVersion'], // insufficient_security
  47: ['extensions', 'cipherSuites', 'supportedGroups', 'keyShareGroups', 'signatureAlgorithms', 'sslv2Hello'], // illegal_parameter
  50: ['extensions', 'sslv2Hello', 'cipherSuites', 'recordVersion'], // decode_error
  70: ['supportedVersions', 'clientVersion', 'recordVersion', 'sslv2Hello'], // protocol_version
  86: ['supportedVersions', 'clientVersion'], // inappropriate_fallback
  109: ['extensions', 'keyShareGroups', 'supportedGroups'], // missing_extension
  110: ['extensions'], // unsupported_extension
  112: ['sni'], // unrecognized_name
  120: ['alpn'], // no_application_protocol
};

/** The certificate differences, strongest first: a problem the chain has only in the bad connection says most. */
const CERTIFICATE_FIELDS = ['chainProblems', 'serverCertificate', 'chain', 'chainOrder', 'certificateCount', 'chainBytes'];
/** Alerts a client sends when it refuses the server's answer: handshake_failure, illegal_parameter, protocol_version, insufficient_security, unsupported_extension, no_application_protocol. */
const CLIENT_REFUSALS: ReadonlySet<number> = new Set([40, 47, 70, 71, 110, 120]);
/** Server answers a client can refuse (the CLIENT_REFUSALS alerts from the client after ServerHello). */
const SERVER_FIELDS = ['version', 'cipherSuite', 'keyShareGroup', 'extensions', 'alpn', 'serverKeyExchangeBytes'];

export function analyseCauses(good: ConnectionReport, bad: ConnectionReport, diffs: readonly Difference[]): CauseAnalysis {
  const has = new Map(diffs.map((d) => [`${d.area}/${d.field}`, d]));
  const ranks = new Map<string, number>();
  let rank = 0;
  const promote = (key: string) => {
    if (has.has(key) && !ranks.has(key)) ranks.set(key, ++rank);
  };
  // "Nothing in common" (handshake_failure, insufficient_security) is explained by what the bad client no
  // longer offers; names it adds cannot take a common one away.
  const promoteDropped = (key: string) => {
    const d = has.get(key);
    if (d && (d.removed === undefined || d.removed.length > 0)) promote(key);
  };
  let conclusion: string | null = null;
  if (bad.outcome === 'complete') return { ranks, conclusion };
  if (bad.outcome === 'unknown') {
    // Nothing failed in what was captured: calling a difference the cause would be a guess.
    conclusion =
      "the capture does not hold the bad handshake's end (it began or ended mid-handshake, or one direction was not captured): there is no failure to explain, only the differences below";
    return { ranks, conclusion };
  }
  const end = bad.end;
  // A message the bad side got wrong (and the good side did not), before the end: its peer must reject it.
  const goodProblems = new Set(messageProblemsOf(good).map((p) => `${p.from}: ${p.note}`));
  const malformed = messageProblemsOf(bad).find((p) => p.note.startsWith('malformed ') && !goodProblems.has(`${p.from}: ${p.note}`) && (end.frame === null || p.frame <= end.frame));
  if (malformed) promote('messages/problems');
  // findEnd (handshake/build.ts) sets the alert exactly when the connection ended with one.
  const alert = end.alert;

  if (bad.outcome === 'not-tls') {
    promote('server/starttlsReply');
    promote('tcp/close');
    conclusion = `the bad connection never started TLS${bad.mail?.problem ? `: ${bad.mail.problem}` : ''}`;
  } else if (!flightFullyAcked(bad) && flightFullyAcked(good) && !alert) {
    // The server's flight never got through: what decides segment sizes on the way explains it. (An empty
    // flight counts as acknowledged; a failed handshake was captured both ways, build.ts.)
    promote('tcp/serverFlightAcked');
    promote('tcp/mssClient');
    if (bad.tcp.largestSegment.server > good.tcp.largestSegment.server) promote('tcp/largestSegmentServer');
    const br = retransmissionsOf(bad, 'server');
    if (br.count > retransmissionsOf(good, 'server').count) promote('tcp/retransmissionsServer');
    promote('tcp/zeroWindowsClient');
    if (br.count > 0) {
      // No MSS announced by the bad client (?? 0): nothing to compare the good one's with.
      const clamp = good.tcp.mss.client !== null && good.tcp.mss.client < (bad.tcp.mss.client ?? 0)
        ? ` while the good connection's client announced MSS ${groupThousands(good.tcp.mss.client)} and got segments of at most ${groupThousands(good.tcp.largestSegment.server)} bytes`
        : '';
      conclusion =
        `the bad client never acknowledged the server's ${groupThousands(bad.tcp.serverFlight.bytes)}-byte flight; the server retransmitted segments of ${groupThousands(bad.tcp.largestSegment.server)} bytes ${br.count === 1 ? 'once' : `${br.count} times`}${clamp}: ` +
        'path-MTU black hole likely (large packets dropped on the way without ICMP; clamp the MSS or fix the MTU)';
    } else {
      conclusion = `the bad client never acknowledged the server's ${groupThousands(bad.tcp.serverFlight.bytes)}-byte flight: it did not arrive, or the client stopped reading`;
    }
  } else if (alert && good.end.alert?.name !== alert.name) {
    // An encrypted alert has no code: NaN is in no table.
    const code = alert.code ?? NaN;
    const explainedBy = SERVER_ALERT_EXPLAINED_BY[code] ?? [];
    if (alert.from === 'server' && bad.lastStep <= 1) {
      for (const f of explainedBy) (code === 40 || code === 71 ? promoteDropped : promote)(`clienthello/${f}`);
      if (rank === 0 && explainedBy.length > 0) conclusion = sameOfferOtherAnswer(good, bad, alert.name);
    } else if (alert.from === 'client' && CERTIFICATE_ALERTS.has(code)) {
      for (const f of CERTIFICATE_FIELDS) promote(`certificates/${f}`);
      promote('clienthello/sni');
      if (rank === 0) conclusion = sameChainRejected(good, bad, alert.name);
    } else if (alert.from === 'client' && CLIENT_REFUSALS.has(code)) {
      for (const f of SERVER_FIELDS) promote(`server/${f}`);
    } else if (alert.from === 'server') {
      for (const f of explainedBy) promote(`clienthello/${f}`);
    }
    promote('alerts/alerts');
  } else if ((end.how === 'fin' || end.how === 'rst') && end.by === 'client') {
    // A client that leaves without a word after the server's flight judged what the server sent.
    if (bad.lastStep >= 3) for (const f of CERTIFICATE_FIELDS) promote(`certificates/${f}`);
    if (bad.lastStep >= 2) for (const f of SERVER_FIELDS) promote(`server/${f}`);
    if (bad.lastStep >= 3) promote('clienthello/sni');
    const explained = rank > 0;
    promote('tcp/close');
    if (!explained && bad.lastStep >= 2) {
      conclusion =
        `the bad client left with ${end.how.toUpperCase()} after step ${bad.lastStep} ${bad.lastStepName} without an alert, although the server's answer was the same as the good connection's: ` +
        'the reason is on the client side (its trust store, its host-name check, its own policy or timeout); the client\'s log will say';
    }
  } else if (end.how === 'fin' || end.how === 'rst') {
    // The server closed (a failed handshake's FIN or RST has a side).
    if (bad.lastStep <= 1) for (const f of SERVER_ALERT_EXPLAINED_BY[40]!) promoteDropped(`clienthello/${f}`);
    promote('tcp/close');
  }
  if (malformed && conclusion === null) {
    const m = /^malformed (\S+): (.*)$/.exec(malformed.note);
    const [what, detail] = m ? [m[1]!, m[2]!] : ['message', malformed.note];
    conclusion = `the bad ${malformed.from}'s ${what} (frame ${malformed.frame}) is malformed, the good ${malformed.from}'s is not: ${detail}; the handshake cannot complete past it`;
  }
  if (rank === 0) {
    // Nothing explains it: the evidence itself is the likely cause, so the reader sees where to look.
    for (const key of ['alerts/alerts', 'tcp/close', 'timing/steps']) {
      if (has.has(key)) {
        promote(key);
        break;
      }
    }
  }
  return { ranks, conclusion };
}

/** A server refused an offer that was, in everything the refusal is about, the same as the one another server (or it, earlier) accepted. */
function sameOfferOtherAnswer(good: ConnectionReport, bad: ConnectionReport, alertName: string): string {
  const same = good.server.ip === bad.server.ip && good.server.port === bad.server.port;
  if (same) {
    return `the bad client's offer was the same as the good one's in everything ${alertName} is about, and the same server ${endpoint(bad.server)} accepted it for the good client: its configuration or state changed between the two connections`;
  }
  return `the bad client's offer was the same as the good one's in everything ${alertName} is about; the bad connection went to another server (${endpoint(bad.server)}, the good one to ${endpoint(good.server)}), and that server refuses it`;
}

/** A client rejected a certificate chain that is not different (or cannot be seen) from the one another client accepted. */
function sameChainRejected(good: ConnectionReport, bad: ConnectionReport, alertName: string): string {
  const seen = good.certificates.length > 0 && bad.certificates.length > 0;
  const sameServer = good.server.ip === bad.server.ip && good.server.port === bad.server.port;
  if (!seen) {
    return `the bad client rejected the server's certificate (${alertName}); the chain is encrypted (TLS 1.3) or was not captured, so it cannot be compared here${sameServer ? ', but the same server ' + endpoint(bad.server) + ' gave the good client a chain it accepted' : ''}: compare the two clients' trust stores, clocks and the name they asked for`;
  }
  return `the bad client rejected (${alertName}) the same certificate chain the good client accepted: the difference is in the clients (trust store, clock, the name they check)`;
}

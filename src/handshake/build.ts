import type { MailPhase } from '../mail/types.js';
import type { Connection, Side, TcpEvent } from '../tcp/types.js';
import {
  ExtensionType,
  cipherSuiteName,
  extensionName,
  groupName,
  signatureSchemeName,
  versionName,
} from '../tls/names.js';
import type { ClientHello, ServerHello } from '../tls/types.js';
import { isoMicros } from '../text/time.js';
import { diagnose, missingDirection } from './diagnose.js';
import type { ClientHelloSummary, ConnectionReport, ProxyReport, ServerHelloSummary } from './report.js';
import type { ProxyHeader } from '../mail/proxy-header.js';
import { certificateHint, type ConnectionSecurity } from './security.js';
import { compareWithConfigured, type ConfiguredChain, type NotTheConfiguredChain } from '../tls/configured-chain.js';
import { stepName } from './steps.js';
import { markTls13FlightDelivered, type AlertSeen, type Walk } from './walk.js';
import { reviseTls13Refusal } from './tls13-refusal.js';

export interface ReportInput {
  capture: string;
  conn: Connection;
  mail: MailPhase | null;
  walk: Walk;
  /** Frame of the ClientHello and ServerHello (for the hello summaries). */
  clientHelloFrame: number | null;
  serverHelloFrame: number | null;
  /** Server TLS stream bytes sent before the handshake ended (or in all, when it never did). */
  serverFlightBytes: number;
  /** Stream offset (in the server's whole stream) where TLS starts: plaintext before it is not flight. */
  serverTlsStart: number;
  /** Not one TLS record was read: the bytes taken for TLS (by their first byte alone) are not TLS. */
  notTls?: boolean;
  notes: string[];
  /** Fingerprints and the certificate chain (security.ts); absent = none computed. */
  security?: ConnectionSecurity;
  /** `--cert`: the chains the server is configured with. */
  configuredChains?: readonly ConfiguredChain[];
}

const perSideCopy = <T>(v: { client: T; server: T }): { client: T; server: T } => ({ client: v.client, server: v.server });


/** The event that ended the connection: the first fatal (or pre-completion encrypted) alert, else the first FIN or RST. */
export function findEnd(walk: Walk, events: readonly TcpEvent[]): { how: ConnectionReport['end']['how']; by: Side | null; alert: AlertSeen | null; frame: number | null; time: number | null } {
  const fatal = walk.alerts.find((a) => a.alert.level === 2 || (a.alert.encrypted && a.duringHandshake && !walk.complete));
  const close = events.find((e) => e.kind === 'fin' || e.kind === 'rst');
  if (fatal && (!close || fatal.time <= close.time || !walk.complete)) {
    return { how: 'alert', by: fatal.from, alert: fatal, frame: fatal.frame, time: fatal.time };
  }
  if (close) return { how: close.kind === 'fin' ? 'fin' : 'rst', by: close.from, alert: null, frame: close.frame, time: close.time };
  return { how: 'capture-end', by: null, alert: null, frame: null, time: null };
}

export function buildReport(input: ReportInput): ConnectionReport {
  const { conn, walk, mail } = input;
  reviseTls13Refusal(walk, conn, { tlsStart: input.serverTlsStart, flightBytes: input.serverFlightBytes });
  const end = findEnd(walk, conn.events);
  // TLS guessed from a first byte on a port with no known role (mail.protocol 'tls') is not expected when
  // none of it was TLS after all (binary protocols whose first byte has the SSLv2 header bit set).
  const tlsExpected = mail ? mail.tlsMode !== null && !(input.notTls && mail.protocol === 'tls') : true;
  const sawTls = walk.clientHello !== null || walk.timeline.length > 0;

  let outcome: ConnectionReport['outcome'];
  if (walk.complete) outcome = 'complete';
  else if (!sawTls && !tlsExpected) outcome = 'not-tls';
  else if (missingDirection(conn, walk) !== null) outcome = 'unknown'; // one direction was never captured
  else if (!walk.clientHello && !conn.syn) outcome = 'unknown'; // the capture began after the hello
  else if (end.how === 'capture-end') outcome = 'unknown'; // the capture ended mid-handshake
  else outcome = 'failed';

  const helloTime = walk.steps.find((s) => s.step === 1)?.time ?? conn.start;
  const serverFlight = {
    bytes: input.serverFlightBytes,
    ackedByClient: Math.max(0, Math.min(input.serverFlightBytes, conn.facts.server.ackedByPeer - input.serverTlsStart)),
  };
  // TLS 1.3: the server's flight delivered with no answer from the client (step 4, walk.ts). The acknowledgement of
  // its last byte must come before the connection ended (a FIN that acknowledges the flight as it closes leaves
  // no time to tell whether the server had more to say).
  const ackedAt = conn.facts.server.ackedByPeerAt;
  if (ackedAt && serverFlight.bytes > 0 && serverFlight.ackedByClient >= serverFlight.bytes && (end.frame === null || ackedAt.frame < end.frame)) {
    markTls13FlightDelivered(walk, ackedAt, serverFlight.bytes);
  }

  const report: ConnectionReport = {
    id: conn.id,
    capture: input.capture,
    client: announcedClient(conn, mail) ?? conn.client,
    server: conn.server,
    start: isoMicros(conn.start),
    duration: round6(conn.end - conn.start),
    firstFrame: conn.firstFrame,
    protocol: mail?.protocol ?? 'unknown',
    outcome,
    lastStep: walk.lastStep,
    lastStepName: stepName(walk.lastStep, walk.shape),
    shape: walk.shape,
    history: walk.history,
    tls: {
      version: walk.version !== null ? versionName(walk.version) : null,
      cipher: walk.cipher !== null ? cipherSuiteName(walk.cipher) : null,
      sni: walk.clientHello?.sni ?? null,
      alpn: walk.serverHello?.alpn ?? null,
      resumed: walk.shape === 'resumed' || (walk.shape === 'tls13' && isPskAccepted(walk.serverHello)),
      helloRetryRequest: walk.helloRetryRequest,
      offered: walk.clientHello ? { versions: offeredVersions(walk.clientHello).map(versionName), cipherSuites: walk.clientHello.cipherSuites.length } : null,
    },
    end: {
      by: end.by,
      how: end.how,
      alert: end.alert
        ? {
            from: end.alert.from,
            level: end.alert.alert.level,
            code: end.alert.alert.encrypted ? null : end.alert.alert.description,
            name: end.alert.alert.name,
            encrypted: end.alert.alert.encrypted,
          }
        : null,
      frame: end.frame,
      time: end.time !== null ? isoMicros(end.time) : null,
    },
    messages: walk.timeline.map((t) => {
      const m: ConnectionReport['messages'][number] = { frame: t.frame, from: t.from, type: t.type, time: isoMicros(t.time), atMs: round3((t.time - conn.start) * 1000), step: t.step };
      if (t.length !== undefined) m.length = t.length;
      return m;
    }),
    steps: walk.steps.map((s) => ({ step: s.step, name: s.name, from: s.from, frame: s.frame, offsetMs: round3((s.time - helloTime) * 1000) })),
    mail: mail
      ? {
          application: mail.application,
          tlsMode: mail.tlsMode,
          serverOffered: mail.serverOffered,
          clientAsked: mail.clientAsked,
          serverReply: mail.serverReply,
          accepted: mail.accepted,
          problem: mail.problem,
        }
      : null,
    tcp: {
      syn: conn.syn,
      // Copies written out (a spread of each costs several times more, per connection).
      packets: perSideCopy(conn.packets),
      bytes: perSideCopy(conn.bytes),
      retransmissions: perSideCopy(conn.retransmissions),
      gaps: perSideCopy(conn.gaps),
      zeroWindows: perSideCopy(conn.zeroWindows),
      fin: perSideCopy(conn.fin),
      rst: perSideCopy(conn.rst),
      mss: { client: conn.facts.client.mss, server: conn.facts.server.mss },
      windowScale: { client: conn.facts.client.windowScale, server: conn.facts.server.windowScale },
      largestSegment: { client: conn.facts.client.largestSegment, server: conn.facts.server.largestSegment },
      rttMs: conn.handshakeRtt !== null ? round3(conn.handshakeRtt * 1000) : null,
      serverFlight,
      events: conn.events.map((e) => {
        const out: ConnectionReport['tcp']['events'][number] = { frame: e.frame, from: e.from, kind: e.kind, time: isoMicros(e.time), atMs: round3((e.time - conn.start) * 1000) };
        if (e.offset !== undefined) out.offset = e.offset;
        if (e.length !== undefined) out.length = e.length;
        return out;
      }),
    },
    clientHello: walk.clientHello ? summarizeClientHello(walk.clientHello, input.clientHelloFrame ?? 0) : null,
    serverHello: walk.serverHello ? summarizeServerHello(walk.serverHello, input.serverHelloFrame ?? 0) : null,
    fingerprints: input.security?.fingerprints ?? { ja3: null, ja3s: null, ja4: null },
    // Copies: the summaries are shared with every connection that sent the same certificates.
    certificates: (input.security?.certificates ?? []).map((c) => ({ ...c, san: [...c.san] })),
    chainProblems: [...(input.security?.chainProblems ?? []), ...configuredChainProblem(input, walk)],
    diagnosis: '',
    retry: null,
    notes: [...(mail?.notes ?? []), ...walk.problems, ...input.notes, ...(input.security?.notes ?? [])],
  };
  if (mail?.proxy) report.proxy = proxyReport(conn, mail.proxy);
  const diagnosis = diagnose({ report, walk, conn, end });
  report.diagnosis = diagnosis + certificateHint(report.end, report.chainProblems, diagnosis);
  return report;
}

/** The client a PROXY header announced: only the PROXY command with an IP address names one (LOCAL is the balancer's own). */
function announcedClient(conn: Connection, mail: MailPhase | null): Connection['client'] | null {
  const h = mail?.proxy;
  if (!h || h.command !== 'proxy' || h.source === null) return null;
  return { ip: h.source.ip, port: h.source.port };
}

function proxyReport(conn: Connection, h: ProxyHeader): ProxyReport {
  return { version: h.version, ip: conn.client.ip, port: conn.client.port, command: h.command, family: h.family, destination: h.destination, tlvs: h.tlvs };
}

/**
 * `--cert`: `not-the-configured-chain` when the chain sent (TLS ≤ 1.2), or the sizes of the server's whole encrypted
 * flight (TLS 1.3: its first flight up to step 4, when it was delivered), show that it is none of the configured ones.
 */
function configuredChainProblem(input: ReportInput, walk: Walk): NotTheConfiguredChain[] {
  const configured = input.configuredChains;
  if (!configured || configured.length === 0) return [];
  const certificates = input.security?.certificates ?? [];
  const delivered = walk.shape === 'tls13' ? walk.steps.find((s) => s.step === 4) : undefined;
  const records = delivered
    ? walk.timeline.filter((t) => t.from === 'server' && t.frame <= delivered.frame && t.type.startsWith('encrypted server flight') && t.length !== undefined).map((t) => t.length!)
    : null;
  const problem = compareWithConfigured(
    {
      sha256: certificates.map((c) => c.sha256),
      subjects: certificates.map((c) => c.subject),
      notAfter: certificates.map((c) => c.notAfter),
      tls13FlightRecords: records,
      compressionOffered: walk.clientHello?.extensions.some((e) => e.type === COMPRESS_CERTIFICATE) ?? false,
    },
    configured,
  );
  return problem ? [problem] : [];
}

/** ClientHello extension compress_certificate (RFC 8879). */
const COMPRESS_CERTIFICATE = 27;

function isPskAccepted(sh: ServerHello | null): boolean {
  return !!sh && sh.extensions.some((e) => e.type === ExtensionType.pre_shared_key);
}

/** The versions a client offers: supported_versions when present (GREASE left out), else its hello version. */
export function offeredVersions(ch: ClientHello): number[] {
  const list = ch.supportedVersions.filter((v) => (v & 0x0f0f) !== 0x0a0a);
  return list.length > 0 ? list : [ch.version];
}

export function summarizeClientHello(ch: ClientHello, frame: number): ClientHelloSummary {
  return {
    frame,
    sslv2: ch.sslv2,
    recordVersion: versionName(ch.recordVersion),
    version: versionName(ch.version),
    supportedVersions: ch.supportedVersions.map(versionName),
    cipherSuites: ch.cipherSuites.map(cipherSuiteName),
    extensions: ch.extensions.map((e) => extensionName(e.type)),
    supportedGroups: ch.supportedGroups.map(groupName),
    signatureAlgorithms: ch.signatureAlgorithms.map(signatureSchemeName),
    ecPointFormats: [...ch.ecPointFormats],
    keyShareGroups: ch.keyShareGroups.map(groupName),
    sni: ch.sni,
    alpn: [...ch.alpn],
    sessionId: ch.sessionId,
    sessionTicket: ch.sessionTicket,
    preSharedKey: ch.preSharedKey,
    compressionMethods: [...ch.compressionMethods],
  };
}

export function summarizeServerHello(sh: ServerHello, frame: number): ServerHelloSummary {
  return {
    frame,
    version: versionName(sh.version),
    selectedVersion: versionName(sh.selectedVersion),
    cipherSuite: cipherSuiteName(sh.cipherSuite),
    extensions: sh.extensions.map((e) => extensionName(e.type)),
    keyShareGroup: sh.keyShareGroup !== null ? groupName(sh.keyShareGroup) : null,
    sessionId: sh.sessionId,
    alpn: sh.alpn,
    compressionMethod: sh.compressionMethod,
  };
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

import type { MailPhase, MailProtocol } from '../mail/types.js';
import type { ProxyCommand, ProxyTlvs } from '../mail/proxy-header.js';
import type { Connection, Endpoint, Side } from '../tcp/types.js';
import type { ChainProblem } from '../tls/chain-checks.js';
import type { CertificateSummary } from '../tls/x509.js';
import type { NotTheConfiguredChain } from '../tls/configured-chain.js';
import type { ClientHello, ServerHello } from '../tls/types.js';
import type { Shape } from './walk.js';

/**
 * One connection, as `analyze --format json` writes it. This is the stable contract documented in the
 * README: add fields, never rename or remove them.
 */
export interface ConnectionReport {
  /** 1-based, in order of the connection's first frame in its capture. */
  id: number;
  /** The capture file it came from (as given on the command line). */
  capture: string;
  client: Endpoint;
  server: Endpoint;
  /** ISO 8601, UTC, microseconds. */
  start: string;
  /** Seconds from the first to the last frame of the connection. */
  duration: number;
  firstFrame: number;
  protocol: MailProtocol;
  outcome: 'complete' | 'failed' | 'not-tls' | 'unknown';
  /** 0–9; 0 = no ClientHello. */
  lastStep: number;
  lastStepName: string;
  /** 'full' | 'resumed' | 'tls13' | 'sslv2' | 'none': the real shape of the handshake. */
  shape: Shape;
  /** Zeek's ssl_history letters: client upper case, server lower case. */
  history: string;
  tls: {
    version: string | null;
    cipher: string | null;
    sni: string | null;
    alpn: string | null;
    resumed: boolean;
    helloRetryRequest: boolean;
    /** What the client offered: highest version, number of cipher suites. */
    offered: { versions: string[]; cipherSuites: number } | null;
  };
  end: {
    by: Side | null;
    how: 'alert' | 'fin' | 'rst' | 'capture-end';
    alert: null | { from: Side; level: number; code: number | null; name: string; encrypted: boolean };
    frame: number | null;
    time: string | null;
  };
  /** Every TLS message and alert, in order; `frame` is the frame that completed it; `atMs` is the time since the connection's first frame. */
  messages: { frame: number; from: Side; type: string; time: string; atMs: number; step: number | null; length?: number }[];
  /** The steps reached, in the order reached, with the time since the ClientHello in milliseconds. */
  steps: { step: number; name: string; from: Side; frame: number; offsetMs: number }[];
  mail: null | {
    application: MailPhase['application'];
    tlsMode: MailPhase['tlsMode'];
    serverOffered: boolean | null;
    clientAsked: boolean;
    serverReply: string | null;
    accepted: boolean | null;
    problem: string | null;
  };
  tcp: {
    syn: boolean;
    packets: { client: number; server: number };
    bytes: { client: number; server: number };
    retransmissions: { client: number; server: number };
    gaps: { client: number; server: number };
    zeroWindows: { client: number; server: number };
    fin: { client: boolean; server: boolean };
    rst: { client: boolean; server: boolean };
    mss: { client: number | null; server: number | null };
    windowScale: { client: number | null; server: number | null };
    largestSegment: { client: number; server: number };
    rttMs: number | null;
    /** TLS bytes the server sent before the handshake ended, and how many of them the client acknowledged. */
    serverFlight: { bytes: number; ackedByClient: number };
    /** TCP events in capture order (SYN, FIN, RST, retransmission, gap, zero window…), bounded. */
    events: { frame: number; from: Side; kind: string; time: string; atMs: number; offset?: number; length?: number }[];
  };
  /** Decoded hellos for diff and for readers; null when not seen. */
  clientHello: ClientHelloSummary | null;
  serverHello: ServerHelloSummary | null;
  /** JA3/JA3S (salesforce/ja3) and JA4 (FoxIO JA4.md) of the first hellos; null where not computable. */
  fingerprints: { ja3: string | null; ja3s: string | null; ja4: string | null };
  /** The server's certificates in the order sent ([] when none was seen, or in TLS 1.3 where it is encrypted). */
  certificates: CertificateSummary[];
  /**
   * What is wrong with that chain at the time it was sent (src/tls/chain-checks.ts lists the codes), and, with
   * `--cert`, `not-the-configured-chain` (src/tls/configured-chain.ts).
   */
  chainProblems: (ChainProblem | NotTheConfiguredChain)[];
  /** The likely cause, in plain words. */
  diagnosis: string;
  /**
   * For a connection that failed or was cut by the capture: the next connection from the same client address to
   * the same server address and port, when it started within `--retry-window` seconds (start to start); else
   * null (and null for the others). src/analyze/retries.ts.
   */
  retry: RetryLink | null;
  /** Other things worth knowing (decoder problems, caps hit, gaps). */
  notes: string[];
  /** With `--log`: the server's own log lines for this connection, in log order (src/serverlog/join.ts). */
  log?: ConnectionLogLine[];
  /**
   * The PROXY protocol header the connection began with (src/mail/proxy-header.ts): `ip` and `port` are the peer
   * that sent it (the load balancer). With the PROXY command and an IP address `client` is the client it
   * announced; with LOCAL and UNKNOWN the peer stays the client. Absent when there was no header.
   */
  proxy?: ProxyReport;
}

export interface ProxyReport {
  version: 1 | 2;
  ip: string;
  port: number;
  command: ProxyCommand;
  /** v1: tcp4, tcp6, unknown; v2: family/transport, e.g. inet/stream. */
  family: string;
  /** The address the client connected to, as announced (null when none was). */
  destination: Endpoint | null;
  /** Version 2 TLVs present: alpn, authority, crc32c, uniqueId, ssl, netns, other. */
  tlvs: ProxyTlvs;
}

export interface ClientHelloSummary {
  frame: number;
  sslv2: boolean;
  recordVersion: string;
  version: string;
  supportedVersions: string[];
  cipherSuites: string[];
  extensions: string[];
  supportedGroups: string[];
  signatureAlgorithms: string[];
  ecPointFormats: number[];
  keyShareGroups: string[];
  sni: string | null;
  alpn: string[];
  sessionId: string;
  sessionTicket: boolean;
  preSharedKey: boolean;
  compressionMethods: number[];
}

export interface ServerHelloSummary {
  frame: number;
  version: string;
  selectedVersion: string;
  cipherSuite: string;
  extensions: string[];
  keyShareGroup: string | null;
  sessionId: string;
  alpn: string | null;
  compressionMethod: number;
}

export type { ClientHello, ServerHello, Connection };

/** The connection that retried a failed (or unfinished) one: `ConnectionReport.retry`. */
export interface RetryLink {
  /** Its number in its capture. */
  id: number;
  /** Its capture file (the failed connection's, unless several captures were given). */
  capture: string;
  /** Seconds from the failed connection's start to the retry's start. */
  after: number;
  outcome: ConnectionReport['outcome'];
}

/** One log line in a connection's `log`. */
export interface ConnectionLogLine {
  file: string;
  lineNumber: number;
  line: string;
  /** 'port': the group names this connection's client address and port; 'time': its client address, at this connection's time. */
  match: 'port' | 'time';
  /** How the line belongs to its group (LogLink below). */
  via: LogLink;
}

/**
 * How a line was tied to its group:
 * 'client': the line itself names the client;
 * 'process': written by the same Postfix smtpd process between its `connect from` and `disconnect from`, or
 *   during that process's start-up just before its first `connect from`;
 * 'sequence': a Dovecot login service's line between a TLS handshake start and the `Disconnected`/`Login`
 *   line that names the client (or the TLS teardown lines right after it);
 * 'session-cache': Postfix tlsmgr storing or looking up the TLS session the smtpd process just named;
 * 'master': Postfix master reporting on the smtpd process (exit status, signal);
 * 'session-id': a Dovecot mail process line (`imap(user)<pid><id>:`) carrying the session id of the login line
 *   that named the client.
 */
export type LogLink = 'client' | 'process' | 'sequence' | 'session-cache' | 'master' | 'session-id';

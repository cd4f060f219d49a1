import type { Side } from '../tcp/types.js';
import type { ProxyHeader } from './proxy-header.js';

/** The `protocol` field of a connection report. */
export type MailProtocol =
  | 'smtp-starttls'
  | 'submission-starttls'
  | 'smtps'
  | 'imap-starttls'
  | 'imaps'
  | 'pop3-stls'
  | 'pop3s'
  /** ManageSieve (RFC 5804) with STARTTLS, Dovecot Pigeonhole's 4190. */
  | 'managesieve-starttls'
  | 'tls'
  | 'smtp'
  | 'imap'
  | 'pop3'
  | 'managesieve'
  /** TLS handed on by a carrier (src/mail/carrier.ts). */
  | 'socks'
  | 'mysql'
  | 'postgresql'
  | 'unknown';

/** What the plaintext phase of a mail connection looked like. */
export interface MailPhase {
  protocol: MailProtocol;
  /** The application protocol expected on the server port, or found by sniffing. */
  application: 'smtp' | 'imap' | 'pop3' | 'managesieve' | null;
  /** How TLS was started: 'implicit' (465/993/995 or sniffed), 'starttls', or null (no TLS). */
  tlsMode: 'implicit' | 'starttls' | null;
  /** The server announced STARTTLS/STLS (EHLO keyword, CAPABILITY, CAPA), when we saw its answer. */
  serverOffered: boolean | null;
  /** The client asked for STARTTLS/STLS. */
  clientAsked: boolean;
  /** The server's reply to that request, e.g. '220 2.0.0 Ready to start TLS', '454 4.7.0 TLS not available'. */
  serverReply: string | null;
  /** Whether the reply accepted the request (2xx / OK / +OK). */
  accepted: boolean | null;
  /**
   * A plain-words note on what went wrong in the plaintext phase, or null:
   * e.g. 'client sent a TLS ClientHello to a STARTTLS port without STARTTLS: its "SSL/TLS" vs "STARTTLS" setting is wrong'.
   */
  problem: string | null;
  /** Stream offsets (per side) where TLS starts, once known. */
  tlsStart: { client: number | null; server: number | null };
  /** The plaintext lines exchanged before TLS (bounded), for --connection and reports. */
  transcript: { from: Side; frame: number; line: string }[];
  /** Plaintext lines left out of `transcript` once it was full (added by the mail stage; absent means 0). */
  transcriptDropped?: number;
  /** The PROXY protocol header the client's stream began with (proxy-header.ts); absent when none. */
  proxy?: ProxyHeader;
  /** What was wrong with that header (malformed, cut short): notes of the connection. Absent when none. */
  notes?: string[];
}

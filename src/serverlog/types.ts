/**
 * The mail server's own log, read line by line: what a line says about the connection it belongs to.
 * This stage knows nothing of captures: it reads, classifies and groups lines; src/serverlog/join.ts
 * ties the groups to connections.
 */
import type { LogLink } from '../handshake/report.js';
import type { TimestampFormat } from '../analyze/summary.js';

/** A timestamp as the line wrote it. */
export interface LogTime {
  /**
   * Seconds since the Unix epoch. When `zoned` is false the line named no zone (RFC 3164, Dovecot's
   * `log_path` format, ISO without offset): this is then the wall-clock time read as if it were UTC, and the
   * join places it in real time with `--log-tz` or an offset estimated from matched lines.
   */
  seconds: number;
  zoned: boolean;
  /** The line carried no year (RFC 3164): it was supplied by `--log-year` or guessed from the capture. */
  yearSupplied: boolean;
  /** 1 for hh:mm:ss, 0.001 for milliseconds, …: a line written at t shows a time in (t − resolution, t]. */
  resolution: number;
}

export interface LogAddress {
  ip: string;
  /** null when the log did not write it (Postfix without `smtpd_client_port_logging`, Dovecot without `rport`). */
  port: number | null;
}

export type LogDaemon = 'postfix' | 'dovecot' | 'other';

/**
 * What a line marks in the life of a server-side connection:
 * 'connect' / 'disconnect': Postfix smtpd's `connect from` / `disconnect from`;
 * 'tls-start': Dovecot `verbose_ssl`'s handshake start (`SSL: where=0x10`), the first line of a TLS handshake;
 * 'other': anything else.
 */
export type LogEvent = 'connect' | 'disconnect' | 'tls-start' | 'other';

export interface LogEntry {
  /** The log file as given. */
  file: string;
  /** 1-based. */
  lineNumber: number;
  /** The line as written (without its line end; cut at MAX_LINE_CHARS). */
  line: string;
  /** null when the line is not in a format we read: kept as unrecognised, never fatal. */
  time: LogTime | null;
  host: string | null;
  /** The syslog tag without the pid: `postfix/submission/smtpd`, `dovecot`, `imap-login`. */
  program: string | null;
  pid: number | null;
  /** The daemon's own name for the writer: `smtpd`, `tlsmgr`, `master`, `postscreen`; Dovecot's `imap-login`, `imap`, `auth`. */
  service: string | null;
  daemon: LogDaemon;
  /** Dovecot's level word when written (`Info`, `Debug`, `Warning`, `Error`, `Fatal`, `Panic`). */
  level: string | null;
  /** The text after the tag (and after Dovecot's service and level). */
  message: string;
  /** The remote client the line names, if any. */
  client: LogAddress | null;
  /** The local (server) address the line names, if any (Postfix postscreen `to [ip]:port`, Dovecot `lip=`/`lport=`). */
  server: LogAddress | null;
  event: LogEvent;
  /**
   * A key that ties lines of different processes to one connection: Postfix's TLS session-cache key
   * (`<hex>&s=<server>&l=<version>`, written by smtpd and by tlsmgr), Dovecot's `session=<…>` id.
   */
  session: string | null;
  /** Postfix master's `process … pid N …`: the child process the line is about. */
  aboutPid: number | null;
}


/** The lines the server wrote for one client connection, as the log alone tells them. */
export interface LogSession {
  /**
   * 'smtpd': one Postfix smtpd connection (connect … disconnect); 'login': one Dovecot login connection
   * (TLS start … Disconnected/Login); 'line': a line naming a client outside such a group (postscreen,
   * tlsproxy, a Dovecot line with no TLS lines before it).
   */
  kind: 'smtpd' | 'login' | 'line';
  client: LogAddress;
  server: LogAddress | null;
  lines: { entry: LogEntry; link: LogLink }[];
  /** Lines dropped beyond MAX_SESSION_LINES (a loglevel-4 dump): counted, not kept. */
  omitted: number;
  /** The group's end was seen (`disconnect from`, Dovecot's Disconnected/Login line). */
  closed: boolean;
}

/**
 * Why a line joined no group: 'no-client' (names no client and follows no connection: start-up, cache
 * maintenance, queue managers), 'ambiguous' (Dovecot lines of overlapping handshakes with no pid to tell
 * them apart), 'unrecognised' (not a log line format we read).
 */
export type LooseReason = 'no-client' | 'ambiguous' | 'unrecognised';

/** Lines longer than this are cut (a log line is a few hundred bytes; a loglevel-4 hex dump line is not much more). */
export const MAX_LINE_CHARS = 8192;
/** Lines kept per group; the rest are counted in `omitted`. */
export const MAX_SESSION_LINES = 2000;

export interface LogFileInfo {
  file: string;
  lines: number;
  /** Lines in a format we read. */
  recognised: number;
  /** Lines longer than MAX_LINE_CHARS, cut. */
  cutLines: number;
  gzip: boolean;
  /** Time of the first and last dated line, as written. */
  first: LogTime | null;
  last: LogTime | null;
  /** Lines by timestamp format. */
  formats: Partial<Record<TimestampFormat, number>>;
  /** Set when reading stopped early (a damaged gzip stream): every line before it was read. */
  damage?: string;
}


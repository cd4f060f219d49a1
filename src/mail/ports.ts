import type { MailProtocol } from './types.js';

/** The application protocols the mail stage understands. */
export type MailApplication = 'smtp' | 'imap' | 'pop3' | 'managesieve';

/** What a `--port` option can name: a mail protocol, or 'tls' for an implicit-TLS port of any application. */
export type AppProtocol = MailApplication | 'tls';

/** What a server port is expected to carry. */
export interface PortRole {
  /** The application protocol, or null when only "TLS from the first byte" is known ('tls' ports). */
  app: MailApplication | null;
  /** TLS from the first byte (465, 993, 995), as opposed to plaintext with STARTTLS/STLS. */
  implicitTls: boolean;
  /** The report's protocol name for this port; derived from `app`/`implicitTls` when absent. */
  protocol?: MailProtocol;
}

/** The protocol name a port role reports when TLS is used the way the port intends. */
export function roleProtocol(role: PortRole): MailProtocol {
  if (role.protocol) return role.protocol;
  return protocolFor(role.app, role.implicitTls);
}

/** Protocol name for an application and a TLS mode (STARTTLS when not implicit). */
export function protocolFor(app: MailApplication | null, implicitTls: boolean): MailProtocol {
  switch (app) {
    case 'smtp':
      return implicitTls ? 'smtps' : 'smtp-starttls';
    case 'imap':
      return implicitTls ? 'imaps' : 'imap-starttls';
    case 'pop3':
      return implicitTls ? 'pop3s' : 'pop3-stls';
    // ManageSieve has no implicit-TLS port of its own (RFC 5804 §2.2: STARTTLS only).
    case 'managesieve':
      return implicitTls ? 'tls' : 'managesieve-starttls';
    default:
      return implicitTls ? 'tls' : 'unknown';
  }
}

/** The protocol name of a mail application used without any TLS. */
export function plainProtocol(app: MailApplication | null): MailProtocol {
  return app ?? 'unknown';
}

// IANA service names: smtp 25, submission 587 (RFC 6409), submissions 465 (RFC 8314), imap 143, imaps 993,
// pop3 110, pop3s 995, sieve 4190 (RFC 5804).
const DEFAULT_PORTS: readonly [number, PortRole][] = [
  [25, { app: 'smtp', implicitTls: false, protocol: 'smtp-starttls' }],
  [587, { app: 'smtp', implicitTls: false, protocol: 'submission-starttls' }],
  [465, { app: 'smtp', implicitTls: true, protocol: 'smtps' }],
  [143, { app: 'imap', implicitTls: false, protocol: 'imap-starttls' }],
  [993, { app: 'imap', implicitTls: true, protocol: 'imaps' }],
  [110, { app: 'pop3', implicitTls: false, protocol: 'pop3-stls' }],
  [995, { app: 'pop3', implicitTls: true, protocol: 'pop3s' }],
  [4190, { app: 'managesieve', implicitTls: false, protocol: 'managesieve-starttls' }],
];

/** The well-known mail ports. A fresh map each call: callers may add `--port` entries to it. */
export function defaultPorts(): PortMap {
  return new Map(DEFAULT_PORTS.map(([port, role]) => [port, { ...role }]));
}

// Names accepted after '=' in `--port`. The IANA service names are accepted as synonyms.
const PORT_OPTION_NAMES: ReadonlyMap<string, PortRole> = new Map(Object.entries({
  smtp: { app: 'smtp', implicitTls: false, protocol: 'smtp-starttls' },
  'smtp-starttls': { app: 'smtp', implicitTls: false, protocol: 'smtp-starttls' },
  submission: { app: 'smtp', implicitTls: false, protocol: 'submission-starttls' },
  smtps: { app: 'smtp', implicitTls: true, protocol: 'smtps' },
  submissions: { app: 'smtp', implicitTls: true, protocol: 'smtps' },
  imap: { app: 'imap', implicitTls: false, protocol: 'imap-starttls' },
  'imap-starttls': { app: 'imap', implicitTls: false, protocol: 'imap-starttls' },
  imaps: { app: 'imap', implicitTls: true, protocol: 'imaps' },
  pop3: { app: 'pop3', implicitTls: false, protocol: 'pop3-stls' },
  'pop3-stls': { app: 'pop3', implicitTls: false, protocol: 'pop3-stls' },
  pop3s: { app: 'pop3', implicitTls: true, protocol: 'pop3s' },
  sieve: { app: 'managesieve', implicitTls: false, protocol: 'managesieve-starttls' },
  managesieve: { app: 'managesieve', implicitTls: false, protocol: 'managesieve-starttls' },
  tls: { app: null, implicitTls: true, protocol: 'tls' },
} satisfies Record<string, PortRole>));

/** What each server port carries, by port number. */
export type PortMap = Map<number, PortRole>;

export type PortOption = { ok: true; port: number; assignment: PortRole } | { ok: false; error: string };

/**
 * Parses a CLI `--port PORT=KIND` value: `2525=smtp`, `2465=smtps`, `10143=imap`, `10993=imaps`, `1110=pop3`,
 * `1995=pop3s`, `14190=sieve`, `8443=tls` (plus the synonyms submission, submissions, smtp-starttls, imap-starttls,
 * pop3-stls, managesieve).
 * Bad input gives `{ ok: false, error }`, a message for the user that does not repeat the option (the CLI
 * prefixes it); it never throws.
 */
export function parsePortOption(text: string): PortOption {
  const usage = 'expected PORT=KIND, e.g. 2525=smtp; KIND is one of smtp, smtps, imap, imaps, pop3, pop3s, sieve, tls';
  const m = /^\s*(\d{1,5})\s*=\s*([A-Za-z0-9-]+)\s*$/.exec(text);
  if (!m) return { ok: false, error: usage };
  const port = Number(m[1]);
  if (port < 1 || port > 65535) return { ok: false, error: `port ${m[1]} is not between 1 and 65535` };
  const role = PORT_OPTION_NAMES.get(m[2].toLowerCase());
  if (!role) return { ok: false, error: `unknown kind "${m[2]}"; ${usage}` };
  return { ok: true, port, assignment: { ...role } };
}

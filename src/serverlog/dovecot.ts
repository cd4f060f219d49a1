/**
 * What a Dovecot line says. The login services (imap-login, pop3-login, submission-login, managesieve-login)
 * name the client only on their last line for a connection (`Disconnected: …` or `Login: …`, with
 * `rip=`/`lip=` and, when `login_log_format_elements` has them, `rport=`/`lport=`); `verbose_ssl` lines
 * before it carry no client (Dovecot 2.2 appended ` [ip]`, 2.3 does not). Mail processes write
 * `imap(user)<pid><session>:`, the session id the login line gave.
 */
import { canonicalIp } from './address.js';
import type { LogAddress, LogEvent } from './types.js';

export interface DovecotFacts {
  /** `imap-login`, `imap`, `auth`, … */
  service: string;
  level: string | null;
  message: string;
  client: LogAddress | null;
  server: LogAddress | null;
  event: LogEvent;
  session: string | null;
}

// `imap-login`, `imap(user)`, `imap(user)<1234><sessionid>`, `auth-worker(4321)`.
const SERVICE_TAG = /^([a-z][\w-]*)(?:\(([^)]*)\))?(?:<(\d+)>)?(?:<([^>]+)>)?$/;
const SERVICE_PREFIX = /^([a-z][\w-]*(?:\([^)]*\))?(?:<[^>]*>){0,2}): /;
const LEVEL = /^(Info|Debug|Warning|Error|Fatal|Panic): /;
const DOVECOT_SERVICES = /^(?:[a-z0-9]+-login|imap|pop3|lmtp|lda|submission|managesieve|auth|auth-worker|master|config|anvil|log|stats|indexer|indexer-worker|dict|doveadm|quota-status|imap-urlauth|imap-hibernate|replicator|aggregator)$/;

/** Is `tag` (a syslog tag without pid) one of Dovecot's own process names, as its `log_path` file writes them? */
export function isDovecotTag(tag: string): boolean {
  const m = SERVICE_TAG.exec(tag);
  return m !== null && DOVECOT_SERVICES.test(m[1]!);
}

/**
 * `tag` is the process as the line named it (`imap-login`, `imap(user)<1234><S>`), or null when the line came
 * through syslog as `dovecot: <service>: …` and `message` still starts with the service.
 */
export function dovecotFacts(tag: string | null, message: string): DovecotFacts {
  let service = tag ?? 'dovecot';
  let text = message;
  if (tag === null) {
    const p = SERVICE_PREFIX.exec(text);
    if (p) {
      service = p[1]!;
      text = text.slice(p[0].length);
    }
  }
  let session: string | null = null;
  const parts = SERVICE_TAG.exec(service);
  if (parts) {
    service = parts[1]!;
    if (parts[4] !== undefined) session = parts[4];
  }
  let level: string | null = null;
  const l = LEVEL.exec(text);
  if (l) {
    level = l[1]!;
    text = text.slice(l[0].length);
  }
  const facts: DovecotFacts = { service, level, message: text, client: null, server: null, event: 'other', session };
  if (text.includes('rip=')) {
    const rip = field(text, 'rip');
    const ip = rip !== null ? canonicalIp(rip) : null;
    if (ip !== null) facts.client = { ip, port: port(field(text, 'rport')) };
    const lip = field(text, 'lip');
    const lipCanonical = lip !== null ? canonicalIp(lip) : null;
    if (lipCanonical !== null) facts.server = { ip: lipCanonical, port: port(field(text, 'lport')) };
    const s = /\bsession=<([^>]+)>/.exec(text);
    if (s) facts.session = s[1]!;
  } else if (text.startsWith('SSL')) {
    if (/^SSL: where=0x10\b/.test(text)) facts.event = 'tls-start';
    // Dovecot 2.2: `SSL: where=0x2002, ret=-1: SSLv3 read client hello A [10.0.0.5]`.
    const tail = /\s\[([0-9A-Fa-f:.]+)\]$/.exec(text);
    const ip = tail ? canonicalIp(tail[1]!) : null;
    if (ip !== null) facts.client = { ip, port: null };
  }
  return facts;
}

const FIELDS: Readonly<Record<string, RegExp>> = Object.fromEntries(
  ['rip', 'rport', 'lip', 'lport'].map((name) => [name, new RegExp(`(?:^|[\\s,(])${name}=([^\\s,)]+)`)]),
);

function field(text: string, name: 'rip' | 'rport' | 'lip' | 'lport'): string | null {
  const m = FIELDS[name]!.exec(text);
  return m ? m[1]! : null;
}

function port(text: string | null): number | null {
  if (text === null || !/^\d{1,5}$/.test(text)) return null;
  const n = Number(text);
  return n <= 65535 ? n : null;
}

/**
 * Test fixtures built from the real lab logs (captures/server-postfix.log: Postfix maillog_file, RFC 3164 times in
 * UTC; captures/server-dovecot.log: Dovecot log_path, `2026-11-28 11:57:17` in UTC): the same lines with their
 * timestamps converted to the other formats a mail server's log comes in, shifted into a zone or a skewed clock,
 * or with the client ports removed (Postfix without smtpd_client_port_logging, Dovecot's default
 * login_log_format_elements). Line order and count are kept, so line N of a fixture is line N of the real log.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CAPTURES = join(import.meta.dirname, '../../captures');
export const POSTFIX_LOG = join(CAPTURES, 'server-postfix.log');
export const DOVECOT_LOG = join(CAPTURES, 'server-dovecot.log');
const YEAR = 2026;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export interface RealLine {
  /** UTC seconds of the written time. */
  seconds: number;
  host: string | null;
  /** `postfix/smtpd[26560]` or `imap-login`. */
  tag: string;
  message: string;
}

export function readReal(file: string): RealLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      let m = /^([A-Z][a-z]{2}) +(\d+) (\d\d):(\d\d):(\d\d) (\S+) ([^:]+): (.*)$/.exec(l);
      if (m) return { seconds: Date.UTC(YEAR, MONTHS.indexOf(m[1]!), +m[2]!, +m[3]!, +m[4]!, +m[5]!) / 1000, host: m[6]!, tag: m[7]!, message: m[8]! };
      m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) ([^:]+): (.*)$/.exec(l);
      if (m) return { seconds: Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) / 1000, host: null, tag: m[7]!, message: m[8]! };
      throw new Error(`fixture: unexpected line ${l}`);
    });
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Wall-clock fields of `seconds` in a zone `offset` seconds east of UTC. */
function wall(seconds: number, offset: number) {
  const d = new Date((seconds + offset) * 1000);
  return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds() };
}

function zoneText(offset: number, colon: boolean): string {
  const sign = offset < 0 ? '-' : '+';
  const a = Math.abs(offset) / 60;
  return `${sign}${pad(Math.floor(a / 60))}${colon ? ':' : ''}${pad(a % 60)}`;
}

/** `<PRI>`? `Mmm dd hh:mm:ss host tag: msg` in a zone, no year, no zone (what rsyslog's traditional format writes). */
export function rfc3164(l: RealLine, offset: number, pri = false): string {
  const w = wall(l.seconds, offset);
  return `${pri ? '<22>' : ''}${MONTHS[w.mo - 1]} ${String(w.d).padStart(2, ' ')} ${pad(w.h)}:${pad(w.mi)}:${pad(w.s)} ${l.host ?? 'mail'} ${syslogTag(l)}: ${syslogMessage(l)}`;
}

/** RFC 5424: `<22>1 2026-11-28T12:57:07+01:00 mail postfix/smtpd 26560 - - msg` (no fraction: the real log had none to give). */
export function rfc5424(l: RealLine, offset: number): string {
  const w = wall(l.seconds, offset);
  const tag = syslogTag(l);
  const m = /^(.*?)(?:\[(\d+)\])?$/.exec(tag)!;
  return `<22>1 ${w.y}-${pad(w.mo)}-${pad(w.d)}T${pad(w.h)}:${pad(w.mi)}:${pad(w.s)}${offset === 0 ? 'Z' : zoneText(offset, true)} ${l.host ?? 'mail'} ${m[1]} ${m[2] ?? '-'} - - ${syslogMessage(l)}`;
}

/** `journalctl -o short-iso`: `2026-11-28T12:57:07+0100 mail postfix/smtpd[26560]: msg`. */
export function shortIso(l: RealLine, offset: number): string {
  const w = wall(l.seconds, offset);
  return `${w.y}-${pad(w.mo)}-${pad(w.d)}T${pad(w.h)}:${pad(w.mi)}:${pad(w.s)}${zoneText(offset, false)} ${l.host ?? 'mail'} ${syslogTag(l)}: ${syslogMessage(l)}`;
}

/** Dovecot's own log_path format, `2026-11-28 12:57:17 imap-login: …`, in a zone. */
export function dovecotFile(l: RealLine, offset: number): string {
  const w = wall(l.seconds, offset);
  return `${w.y}-${pad(w.mo)}-${pad(w.d)} ${pad(w.h)}:${pad(w.mi)}:${pad(w.s)} ${l.tag}: ${l.message}`;
}

/** Through syslog, Dovecot's lines are tagged `dovecot[pid]` with the service in the message; `Info: ` is not written. */
function syslogTag(l: RealLine): string {
  return l.host === null ? 'dovecot[812]' : l.tag;
}

function syslogMessage(l: RealLine): string {
  return l.host === null ? `${l.tag}: ${l.message.replace(/^Info: /, '')}` : l.message;
}

/** Postfix without smtpd_client_port_logging; Dovecot without rport/lport in login_log_format_elements. */
export function withoutPorts(l: RealLine): RealLine {
  return { ...l, message: l.message.replace(/(\[[0-9a-fA-F:.]+\]):\d+/g, '$1').replace(/, [rl]port=\d+/g, '') };
}

let dir: string | null = null;

/** Write a fixture file and return its path. */
export function writeFixture(name: string, lines: string[]): string {
  dir ??= mkdtempSync(join(tmpdir(), 'tlsdissect-serverlog-'));
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

/**
 * One log line → LogEntry. The line forms read:
 *   RFC 3164 / Postfix maillog_file / journalctl short:  `[<PRI>]Nov 28 11:57:07 host tag[pid]: message`
 *   ISO (rsyslog RFC 3339, journalctl -o short-iso[-precise]): `2026-11-28T11:57:07[.ffffff]+01:00 host tag[pid]: message`
 *   RFC 5424:                                             `<PRI>1 2026-11-28T11:57:07Z host app procid msgid [sd] message`
 *   Dovecot log_path (no host):                           `2026-11-28 11:57:17 imap-login: Info: message`, `Nov 28 11:57:17 imap-login: …`
 * Anything else is kept as an unrecognised entry: never an error.
 */
import { dovecotFacts, isDovecotTag } from './dovecot.js';
import { postfixFacts } from './postfix.js';
import { parseStamp, type YearTracker } from './time.js';
import { MAX_LINE_CHARS, type LogEntry } from './types.js';
import type { TimestampFormat } from '../analyze/summary.js';

// A syslog tag: program (no spaces, brackets or colons), optional [pid], then the colon.
const TAG = /^([^\s[\]:]+)(?:\[(\d{1,10})\])?:$/;

export interface ParsedLine {
  entry: LogEntry;
  format: TimestampFormat | null;
}

export function parseLogLine(file: string, lineNumber: number, raw: string, years: YearTracker): ParsedLine {
  const line = raw.length > MAX_LINE_CHARS ? raw.slice(0, MAX_LINE_CHARS) : raw;
  const entry: LogEntry = {
    file, lineNumber, line, time: null, host: null, program: null, pid: null, service: null, daemon: 'other',
    level: null, message: line, client: null, server: null, event: 'other', session: null, aboutPid: null,
  };
  let p = 0;
  if (line.charCodeAt(0) === 60 /* < */) {
    const close = line.indexOf('>');
    const pri = line.slice(1, close);
    // PRI is facility × 8 + severity: at most 191 (RFC 5424 §6.2.1).
    if (close < 2 || close > 4 || !/^\d+$/.test(pri) || Number(pri) > 191) return { entry, format: null };
    p = close + 1;
  }
  let format: TimestampFormat | null = null;
  if (line.startsWith('1 ', p)) {
    const stamp = parseStamp(line, p + 2, years, 'rfc5424');
    if (!stamp) return { entry, format: null };
    entry.time = stamp.time;
    format = 'rfc5424';
    readRfc5424(entry, line, stamp.end);
  } else {
    const stamp = parseStamp(line, p, years);
    if (!stamp) return { entry, format: null };
    entry.time = stamp.time;
    format = stamp.format;
    readTagged(entry, line, stamp.end);
  }
  classify(entry);
  return { entry, format };
}

/** `host tag[pid]: message` or, in a daemon's own file, `tag[pid]: message`. */
function readTagged(entry: LogEntry, line: string, start: number): void {
  const first = nextToken(line, start);
  let tag = TAG.exec(first.token);
  let messageStart = first.end;
  if (!tag) {
    entry.host = first.token || null;
    const second = nextToken(line, first.end);
    tag = TAG.exec(second.token);
    messageStart = tag ? second.end : first.end;
  }
  if (tag) {
    entry.program = tag[1]!;
    entry.pid = tag[2] !== undefined ? Number(tag[2]) : null;
  }
  entry.message = line.slice(messageStart);
}

/** `host app procid msgid structured-data message` (RFC 5424 §6). */
function readRfc5424(entry: LogEntry, line: string, start: number): void {
  const host = nextToken(line, start);
  const app = nextToken(line, host.end);
  const procid = nextToken(line, app.end);
  const msgid = nextToken(line, procid.end);
  entry.host = nil(host.token);
  entry.program = nil(app.token);
  entry.pid = /^\d{1,10}$/.test(procid.token) ? Number(procid.token) : null;
  let p = msgid.end;
  if (line.charCodeAt(p) === 45 /* - */) p++;
  else {
    // SD-ELEMENTs: `[id param="value" …]`, repeated; `\]` escapes inside values.
    while (line.charCodeAt(p) === 91 /* [ */) {
      p++;
      while (p < line.length && line.charCodeAt(p) !== 93) p += line.charCodeAt(p) === 92 ? 2 : 1;
      p++;
    }
  }
  if (line.charCodeAt(p) === 32) p++;
  let message = line.slice(p);
  if (message.charCodeAt(0) === 0xfeff) message = message.slice(1);
  entry.message = message;
}

function nil(s: string): string | null {
  return s === '' || s === '-' ? null : s;
}

function nextToken(line: string, start: number): { token: string; end: number } {
  let p = start;
  while (line.charCodeAt(p) === 32) p++;
  let e = p;
  while (e < line.length && line.charCodeAt(e) !== 32) e++;
  return { token: line.slice(p, e), end: e < line.length ? e + 1 : e };
}

function classify(entry: LogEntry): void {
  const program = entry.program;
  if (program === null) return;
  if (program === 'postfix' || program.startsWith('postfix/') || program.startsWith('postfix-')) {
    entry.daemon = 'postfix';
    const slash = program.lastIndexOf('/');
    entry.service = slash >= 0 ? program.slice(slash + 1) : program;
    Object.assign(entry, postfixFacts(entry.service, entry.message));
    return;
  }
  if (program === 'dovecot' || isDovecotTag(program)) {
    entry.daemon = 'dovecot';
    const facts = dovecotFacts(program === 'dovecot' ? null : program, entry.message);
    entry.service = facts.service;
    entry.level = facts.level;
    entry.message = facts.message;
    entry.client = facts.client;
    entry.server = facts.server;
    entry.event = facts.event;
    entry.session = facts.session;
  }
}

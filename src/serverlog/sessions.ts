/**
 * Groups one log file's lines, in order, into the connections the server saw (LogSession), from the log alone.
 *
 * Postfix smtpd serves one client at a time: every line a smtpd process writes from its `connect from` to its
 * `disconnect from` is that client's, whether the line names it (`SSL_accept error from unknown[…]:50648`) or
 * not (`SSL_accept:error in SSLv3/TLS write server done`). A freshly started smtpd process writes its start-up
 * (`initializing the server-side TLS engine`, certificate warnings) just before its first `connect from`: the
 * master started it for that client, so those lines go with it when written within STARTUP_WINDOW seconds.
 * tlsmgr lines join the connection whose smtpd process named the same TLS session-cache key within
 * FOLLOW_WINDOW seconds before; its other lines (opening the cache, cleaning it) are server-wide. master's
 * `process … pid N exit status …` joins process N's connection.
 *
 * Dovecot's login services have no pid in the line and name the client only on the connection's last line: a
 * group runs from a `verbose_ssl` handshake start (`SSL: where=0x10`) to the `Disconnected`/`Login` line with
 * `rip=` (if that line says TLS), plus the `SSL …` teardown lines written within FOLLOW_WINDOW seconds after it.
 * When a second handshake starts before the first group's line came, the handshakes overlap and the lines in
 * between cannot be told apart: the client lines stand alone and the rest are 'ambiguous'.
 *
 * Memory is bounded: finished groups are handed on within FOLLOW_WINDOW seconds, a group keeps at most
 * MAX_SESSION_LINES lines, idle state is swept.
 */
import type { LogLink } from '../handshake/report.js';
import { MAX_SESSION_LINES, type LogEntry, type LogSession, type LooseReason } from './types.js';

export interface SessionSink {
  session(session: LogSession): void;
  loose(entry: LogEntry, reason: LooseReason): void;
}

/** Seconds before a new smtpd process's first `connect from` in which its start-up lines are that connection's. */
export const STARTUP_WINDOW = 2;
/** Seconds after a connection's lines in which tlsmgr, master and Dovecot teardown lines may still join it. */
export const FOLLOW_WINDOW = 2;
/** A connection with no line for this long is closed (the log lost its end). */
const IDLE_CLOSE = 3600;
const MAX_STARTUP_LINES = 50;
const MAX_KEYS = 10_000;
const SWEEP_EVERY = 10_000;

interface SmtpdProcess {
  open: LogSession | null;
  /** The connection this process closed last, while it is still held. */
  lastClosed: LogSession | null;
  hadSession: boolean;
  startup: LogEntry[];
}

interface LoginStream {
  group: { entries: LogEntry[]; omitted: number; starts: number; ambiguous: boolean; last: number } | null;
  teardown: { session: LogSession; until: number } | null;
}

interface Held {
  session: LogSession;
  until: number;
}

export class LogSessionBuilder {
  private readonly processes = new Map<string, SmtpdProcess>();
  private readonly logins = new Map<string, LoginStream>();
  /** Postfix TLS session-cache key → the connection that named it (while held or open). */
  private readonly cacheKeys = new Map<string, { session: LogSession; time: number }>();
  /** Dovecot session id → the client its login line named. */
  private readonly dovecotSessions = new Map<string, LogSession>();
  private held: Held[] = [];
  private readonly released = new WeakSet<LogSession>();
  private now = -Infinity;
  private sinceSweep = 0;

  constructor(private readonly sink: SessionSink) {}

  push(e: LogEntry): void {
    if (e.time === null) {
      this.sink.loose(e, 'unrecognised');
      return;
    }
    const t = e.time.seconds;
    if (t > this.now) this.now = t;
    if (this.held.length > 0 && this.held[0]!.until < this.now) this.releaseHeld(false);
    if (++this.sinceSweep >= SWEEP_EVERY) this.sweep();

    if (e.daemon === 'postfix') this.postfix(e, t);
    else if (e.daemon === 'dovecot') this.dovecot(e, t);
    else if (e.client) this.emitLine(e);
    else this.sink.loose(e, 'no-client');
  }

  /** End of file: everything still open or held is handed on. */
  finish(): void {
    for (const stream of this.logins.values()) {
      if (stream.teardown) this.sink.session(stream.teardown.session);
      if (stream.group) for (const x of stream.group.entries) this.sink.loose(x, stream.group.ambiguous ? 'ambiguous' : 'no-client');
    }
    this.logins.clear();
    for (const p of this.processes.values()) {
      if (p.open) this.hold(p.open);
      for (const x of p.startup) this.sink.loose(x, 'no-client');
    }
    this.processes.clear();
    this.releaseHeld(true);
  }

  // ---- Postfix

  private postfix(e: LogEntry, t: number): void {
    if (e.service === 'smtpd' && e.pid !== null) return this.smtpd(e, t);
    if (e.service === 'tlsmgr' && e.session !== null) {
      const owner = this.cacheKeys.get(e.session);
      if (owner && t - owner.time <= FOLLOW_WINDOW && t >= owner.time - e.time!.resolution) return add(owner.session, e, 'session-cache');
      return this.sink.loose(e, 'no-client');
    }
    if (e.service === 'master' && e.aboutPid !== null) {
      const p = this.processes.get(processKey(e.host, e.aboutPid));
      const closed = p?.lastClosed && !this.released.has(p.lastClosed) ? p.lastClosed : null;
      const target = p?.open ?? closed;
      if (target) return add(target, e, 'master');
      return this.sink.loose(e, 'no-client');
    }
    if (e.client) return this.emitLine(e);
    this.sink.loose(e, 'no-client');
  }

  private smtpd(e: LogEntry, t: number): void {
    const key = processKey(e.host, e.pid!);
    let p = this.processes.get(key);
    if (!p) {
      p = { open: null, lastClosed: null, hadSession: false, startup: [] };
      this.processes.set(key, p);
    }
    if (e.event === 'connect' && e.client) {
      if (p.open) this.close(p, false);
      const session: LogSession = { kind: 'smtpd', client: e.client, server: e.server, lines: [], omitted: 0, closed: false };
      if (!p.hadSession) {
        for (const x of p.startup) {
          if (t - x.time!.seconds <= STARTUP_WINDOW) add(session, x, 'process');
          else this.sink.loose(x, 'no-client');
        }
      } else {
        for (const x of p.startup) this.sink.loose(x, 'no-client');
      }
      p.startup = [];
      p.hadSession = true;
      p.open = session;
      add(session, e, 'client');
      return;
    }
    const open = p.open;
    if (open) {
      if (e.client && e.client.ip !== open.client.ip) return this.emitLine(e);
      add(open, e, e.client ? 'client' : 'process');
      if (e.session !== null) this.rememberKey(e.session, open, t);
      if (e.event === 'disconnect') {
        open.closed = true;
        this.close(p, true);
      }
      return;
    }
    if (e.client) return this.emitLine(e);
    if (!p.hadSession) {
      p.startup.push(e);
      if (p.startup.length > MAX_STARTUP_LINES) this.sink.loose(p.startup.shift()!, 'no-client');
      return;
    }
    this.sink.loose(e, 'no-client');
  }

  private close(p: SmtpdProcess, seenEnd: boolean): void {
    const s = p.open!;
    s.closed = seenEnd;
    p.open = null;
    p.lastClosed = s;
    this.hold(s);
  }

  private rememberKey(key: string, session: LogSession, time: number): void {
    this.cacheKeys.delete(key);
    this.cacheKeys.set(key, { session, time });
    if (this.cacheKeys.size > MAX_KEYS) this.cacheKeys.delete(this.cacheKeys.keys().next().value!);
  }

  // ---- Dovecot

  private dovecot(e: LogEntry, t: number): void {
    const service = e.service ?? '';
    if (service.endsWith('-login')) return this.login(e, t, service);
    if (e.session !== null) {
      const owner = this.dovecotSessions.get(e.session);
      if (owner) {
        const s: LogSession = { kind: 'line', client: owner.client, server: owner.server, lines: [], omitted: 0, closed: true };
        add(s, e, 'session-id');
        return this.sink.session(s);
      }
    }
    if (e.client) return this.emitLine(e);
    this.sink.loose(e, 'no-client');
  }

  private login(e: LogEntry, t: number, service: string): void {
    const key = `${e.host ?? ''}\u0000${service}`;
    let stream = this.logins.get(key);
    if (!stream) {
      stream = { group: null, teardown: null };
      this.logins.set(key, stream);
    }
    const identity = e.client !== null && e.message.includes('rip=');
    if (!identity && e.event !== 'tls-start' && stream.teardown) {
      if (t <= stream.teardown.until && e.message.startsWith('SSL')) {
        add(stream.teardown.session, e, 'sequence');
        return;
      }
    }
    if (stream.teardown) {
      this.sink.session(stream.teardown.session);
      stream.teardown = null;
    }
    if (e.event === 'tls-start') {
      const g = stream.group;
      if (g && g.starts > 0) {
        g.ambiguous = true;
        g.starts++;
        pushBounded(g, e);
        g.last = t;
      } else {
        if (g) for (const x of g.entries) this.sink.loose(x, 'no-client');
        stream.group = { entries: [e], omitted: 0, starts: 1, ambiguous: false, last: t };
      }
      return;
    }
    if (identity) {
      const session: LogSession = { kind: 'login', client: e.client!, server: e.server, lines: [], omitted: 0, closed: true };
      if (e.session !== null) this.rememberDovecotSession(e.session, session);
      const g = stream.group;
      // Only a connection that did TLS takes the TLS lines before it (`TLS`, `TLS handshaking: …` in the line).
      if (g && /\bTLS\b/.test(e.message)) {
        if (!g.ambiguous) {
          for (const x of g.entries) add(session, x, 'sequence');
          session.omitted += g.omitted;
          add(session, e, 'client');
          stream.group = null;
          stream.teardown = { session, until: t + FOLLOW_WINDOW };
          return;
        }
        g.starts--;
        if (g.starts <= 0) {
          for (const x of g.entries) this.sink.loose(x, 'ambiguous');
          stream.group = null;
        }
      }
      add(session, e, 'client');
      this.sink.session(session);
      return;
    }
    if (stream.group) {
      pushBounded(stream.group, e);
      stream.group.last = t;
      return;
    }
    if (e.client) return this.emitLine(e);
    this.sink.loose(e, 'no-client');
  }

  private rememberDovecotSession(id: string, session: LogSession): void {
    this.dovecotSessions.delete(id);
    this.dovecotSessions.set(id, session);
    if (this.dovecotSessions.size > MAX_KEYS) this.dovecotSessions.delete(this.dovecotSessions.keys().next().value!);
  }

  // ---- common

  /** A line that names its client and belongs to no group we follow: its own one-line session. */
  private emitLine(e: LogEntry): void {
    const s: LogSession = { kind: e.daemon === 'dovecot' && (e.service ?? '').endsWith('-login') ? 'login' : 'line', client: e.client!, server: e.server, lines: [], omitted: 0, closed: true };
    add(s, e, 'client');
    this.sink.session(s);
  }

  private hold(session: LogSession): void {
    const last = session.lines[session.lines.length - 1]?.entry.time?.seconds ?? this.now;
    this.held.push({ session, until: Math.max(last, this.now) + FOLLOW_WINDOW });
  }

  /** Hand on held connections whose follow window has passed (all of them at the end). */
  private releaseHeld(all: boolean): void {
    const keep: Held[] = [];
    for (const h of this.held) {
      if (all || h.until < this.now) {
        this.forget(h.session);
        this.released.add(h.session);
        this.sink.session(h.session);
      } else keep.push(h);
    }
    this.held = keep;
  }

  private forget(session: LogSession): void {
    for (const { entry } of session.lines) {
      if (entry.session !== null && this.cacheKeys.get(entry.session)?.session === session) this.cacheKeys.delete(entry.session);
    }
  }

  /** Drop idle state: processes with nothing open, connections silent for an hour, stale start-up lines. */
  private sweep(): void {
    this.sinceSweep = 0;
    for (const [key, p] of this.processes) {
      if (p.open) {
        const last = p.open.lines[p.open.lines.length - 1]?.entry.time?.seconds ?? this.now;
        if (this.now - last > IDLE_CLOSE) this.close(p, false);
      }
      if (p.startup.length > 0 && this.now - p.startup[p.startup.length - 1]!.time!.seconds > IDLE_CLOSE) {
        for (const x of p.startup) this.sink.loose(x, 'no-client');
        p.startup = [];
      }
      if (p.lastClosed && this.released.has(p.lastClosed)) p.lastClosed = null;
      if (!p.open && !p.lastClosed && p.startup.length === 0 && p.hadSession) this.processes.delete(key);
    }
    for (const [key, stream] of this.logins) {
      if (stream.group && this.now - stream.group.last > IDLE_CLOSE) {
        for (const x of stream.group.entries) this.sink.loose(x, stream.group.ambiguous ? 'ambiguous' : 'no-client');
        stream.group = null;
      }
      if (!stream.group && !stream.teardown) this.logins.delete(key);
    }
  }
}

function processKey(host: string | null, pid: number): string {
  return `${host ?? ''}\u0000${pid}`;
}

function add(session: LogSession, entry: LogEntry, link: LogLink): void {
  if (session.lines.length >= MAX_SESSION_LINES) {
    session.omitted++;
    return;
  }
  session.lines.push({ entry, link });
}

function pushBounded(group: { entries: LogEntry[]; omitted: number }, e: LogEntry): void {
  // A Dovecot group keeps its first lines (the handshake) and counts the rest.
  if (group.entries.length < MAX_SESSION_LINES) group.entries.push(e);
  else group.omitted++;
}

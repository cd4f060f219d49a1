/**
 * `analyze --log FILE`: the mail server's own log lines beside each connection.
 *
 * src/serverlog groups each file's lines into the connections the server saw (LogSession: a Postfix smtpd
 * process from `connect from` to `disconnect from`, a Dovecot login from its TLS start to `Disconnected`, …).
 * Here those groups meet the captured connections:
 *   - by client address and port when the log wrote the port (Postfix `unknown[10.77.0.100]:50648`, Dovecot
 *     `rport=`): match 'port'; the group's time must still fall within the connection (± TIME_TOLERANCE), so a
 *     client port reused hours later is not mistaken for it;
 *   - else by client address (and server address when the log has it) and time: match 'time'; the group whose
 *     first and last lines are nearest the connection's first and last frames wins, one smtpd or login group per
 *     connection.
 * Log times are placed on the capture's clock first: lines with a zone are real time; lines without (RFC 3164,
 * Dovecot's own file) are read in `--log-tz`, or, without it, shifted by the offset that the lines naming a
 * captured client and port agree on (zone and clock skew in one), or, with no such lines, read in this machine's
 * zone. The offset left after the zone is the clock skew, reported per file.
 *
 * Files are read twice, streaming: first for the lines that name a captured client (the offset), then in full,
 * keeping only what falls near the captures' time span. Memory follows the capture's span, not the log's size.
 */
import { endpoint } from '../text/words.js';
import {
  canonicalIp,
  estimateOffset,
  EXPECT_WHOLE_ZONE,
  MAX_SESSION_LINES,
  formatOffset,
  parseZone,
  readServerLog,
  readServerLogSessions,
  splitZone,
  toRealSeconds,
  type LogEntry,
  type LogFileInfo,
  type LogSession,
  type LogTime,
  type OffsetEstimate,
  type OffsetPair,
  type TimestampFormat,
  type Zone,
} from './index.js';
import type { AnalysisResult } from '../analyze/pipeline.js';
import type { LogFileReport, LogJoinSummary, UnmatchedLogLine, UnmatchedLogReason } from '../analyze/summary.js';
import type { ConnectionLogLine, ConnectionReport, LogLink } from '../handshake/report.js';
import { endingOf, postfixAcceptErrorExplained, serverLogSentence, type ConnectionEnding } from './diagnose.js';
import { isoMicros } from '../text/time.js';

export interface LogJoinOptions {
  /** Zone of log times that carry none: `UTC`, `local`, `+01:00`, `Europe/Berlin`. Default: estimated (see above). */
  tz?: string;
  /** Year of the first line of a file whose lines carry none (RFC 3164). Default: guessed from the capture. */
  year?: number;
}






/** At most this many unmatched lines are listed in `summary.unmatchedLogLines`, 'no-connection' ones first (all are counted). */
export const MAX_UNMATCHED_LISTED = 1000;
/** A line may be this many seconds (plus the log's resolution and the offset's uncertainty) outside its connection's frames. */
export const TIME_TOLERANCE = 2;
const MAX_PAIRS = 200_000;

interface Conn {
  report: ConnectionReport;
  capture: string;
  family: Family | null;
  clientIp: string;
  serverIp: string;
  /** The server's port: the announced one, like serverIp (the capture's port for its own entries). */
  serverPort: number;
  start: number;
  end: number;
}

interface Placed {
  session: LogSession;
  fileIndex: number;
  /** The line number of its first line: log order, the tie-break between groups written in the same second. */
  order: number;
  /** The mail protocol family of the service that wrote it, or null when it could serve any. */
  family: Family | null;
  /** Capture-clock times of the first and last line, and of the lines that name the client. */
  first: number;
  last: number;
  idFirst: number;
  idLast: number;
  /** The log's resolution: a line showing t was written in [t, t + resolution). */
  resolution: number;
  /** How much earlier / later than placed the lines may really have been written (the offset's interval). */
  early: number;
  late: number;
}

interface FilePlan {
  place: (t: LogTime) => number;
  time: LogFileReport['time'];
  /** How much earlier / later than placed a line may really have been written: the ends of the offset's interval. */
  early: number;
  late: number;
}

/**
 * Read `files`, attach to every connection of `result` its log lines (`log`, in log order), append what the
 * log says to the diagnosis of connections that did not complete, and put the summary in
 * `result.summary.log` / `result.summary.unmatchedLogLines`.
 */
export async function joinServerLogs(result: AnalysisResult, files: readonly string[], options: LogJoinOptions = {}): Promise<LogJoinSummary> {
  const zoneOption = options.tz !== undefined ? parseZone(options.tz) : null;
  if (zoneOption && 'error' in zoneOption) throw new Error(`--log-tz ${zoneOption.error}`);
  const givenZone = zoneOption as Zone | null;

  const conns = result.connections.map(toConn);
  const byClientPort = new Map<string, Conn[]>();
  for (const c of conns) push(byClientPort, `${c.clientIp}|${c.report.client.port}`, c);
  const windows = captureWindows(result);
  const reference = windows.length > 0 ? Math.min(...windows.map((w) => w.from)) : null;
  const readOptions = { year: options.year ?? null, referenceSeconds: reference };

  const summary: LogJoinSummary = {
    files: [],
    connectionsWithLog: { port: 0, time: 0 },
    matchedLines: 0,
    unmatched: { 'no-connection': 0, 'no-client': 0, ambiguous: 0, unrecognised: 0, 'outside-capture': 0 },
    failedWithoutLog: [],
    notes: [],
  };
  const placed: Placed[] = [];
  /** Dovecot lines without a client, for the join by service and time once the groups are matched. */
  const timeHeld: HeldLine[] = [];
  // Lines for no captured connection are the clues; the rest fill the list up to its bound.
  const clues: UnmatchedLogLine[] = [];
  const others: UnmatchedLogLine[] = [];
  const listLoose = (e: LogEntry, reason: UnmatchedLogReason, client: LogEntry['client'] = e.client, candidates?: UnmatchedLogLine['candidates']) => {
    summary.unmatched[reason]++;
    const list = reason === 'no-connection' ? clues : others;
    if (list.length >= MAX_UNMATCHED_LISTED) return;
    const line: UnmatchedLogLine = { file: e.file, lineNumber: e.lineNumber, line: e.line, reason, client: client ? addressText(client) : null };
    if (candidates) line.candidates = candidates;
    list.push(line);
  };

  // Pass 1: the lines that name a captured client and port say where each file's clock is.
  const clocks: { naivePairs: OffsetPair[]; zonedPairs: OffsetPair[]; naiveLines: number }[] = [];
  for (const file of files) {
    const naivePairs: OffsetPair[] = [];
    const zonedPairs: OffsetPair[] = [];
    let naiveLines = 0;
    await readServerLog(
      file,
      (e) => {
        if (e.time === null) return;
        if (!e.time.zoned) naiveLines++;
        if (e.client === null || e.client.port === null) return;
        const candidates = byClientPort.get(`${e.client.ip}|${e.client.port}`);
        if (!candidates) return;
        const pairs = e.time.zoned ? zonedPairs : naivePairs;
        const written = e.time.zoned || givenZone === null ? e.time.seconds : toRealSeconds(e.time.seconds, givenZone);
        const anchor = anchorOf(e);
        for (const c of candidates) {
          if (pairs.length >= MAX_PAIRS) break;
          // A `connect from` is written as the connection opens, a `disconnect from` / `Disconnected` as it closes.
          const start = anchor === 'end' ? Math.max(c.start, c.end - ANCHOR_SPAN) : c.start;
          const end = anchor === 'start' ? Math.min(c.end, c.start + ANCHOR_SPAN) : c.end;
          pairs.push({ written, resolution: e.time.resolution, start, end });
        }
      },
      readOptions,
    );
    clocks.push({ naivePairs, zonedPairs, naiveLines });
  }
  // A file with no such line (the Dovecot log beside an SMTP-only capture) borrows the zone of one that has them:
  // the same host's clock wrote both.
  let lender: { file: string; pairs: OffsetPair[] } | null = null;
  clocks.forEach((c, i) => {
    if (c.naivePairs.length > (lender?.pairs.length ?? 0)) lender = { file: files[i]!, pairs: c.naivePairs };
  });

  for (let fileIndex = 0; fileIndex < files.length; fileIndex++) {
    const file = files[fileIndex]!;
    const clock = clocks[fileIndex]!;
    const plan = planFile(clock.naivePairs, clock.zonedPairs, clock.naiveLines > 0, givenZone, lender);

    // Pass 2: group the lines, keep those near a capture.
    // Could lines placed from `first` to `last` have been written while a capture ran? A time written t was written
    // in [t, t + resolution), give or take the offset's uncertainty; else the line is 'outside-capture'.
    const near = (first: number, last: number, resolution: number) =>
      windows.some((w) => last + resolution + plan.late >= w.from && first - plan.early <= w.to);
    const info: LogFileInfo = await readServerLogSessions(
      file,
      {
        session: (s) => {
          const p = placeSession(s, fileIndex, plan);
          if (near(p.first, p.last, p.resolution)) placed.push(p);
          else summary.unmatched['outside-capture'] += s.lines.length + s.omitted;
        },
        loose: (e, reason) => {
          const t = e.time !== null ? plan.place(e.time) : null;
          if (t !== null && !near(t, t, e.time!.resolution)) summary.unmatched['outside-capture']++;
          else if (t !== null && timeHeld.length < MAX_TIME_HELD && (reason === 'no-client' || reason === 'ambiguous')) {
            const family = dovecotLineFamily(e);
            if (family) timeHeld.push({ entry: e, reason, fileIndex, family, t, resolution: e.time!.resolution, early: plan.early, late: plan.late });
            else listLoose(e, reason);
          } else listLoose(e, reason);
        },
      },
      readOptions,
    );
    summary.files.push(fileReport(info, plan));
    if (info.lines > 0 && info.recognised === 0) summary.notes.push(`${file}: no line in a log format we read (syslog RFC 3164 / RFC 5424, ISO timestamps, Dovecot's log_path)`);
    if (plan.time.zoneFrom === 'assumed') summary.notes.push(`${file}: no line names a captured client and port, so its times were read in this machine's zone and its clock skew is unknown: pass --log-tz if the server's zone differs`);
    if (info.damage) summary.notes.push(`${file}: ${info.damage}`);
  }
  const unlisted = result.captures.reduce((n, c) => n + (c.unlisted?.connections ?? 0), 0);
  if (unlisted > 0) summary.notes.push(`${unlisted} connections past --max-connections are not listed: log lines naming their clients count as 'no-connection'`);

  // Match per capture: the same traffic in two captures (a pcap and its pcapng) gets the same lines in each.
  const matchedSessions = new Set<Placed>();
  const logs = new Map<Conn, { placed: Placed; match: 'port' | 'time' }[]>();
  const captures = [...new Set(conns.map((c) => c.capture))];
  for (const capture of captures) {
    const inCapture = conns.filter((c) => c.capture === capture);
    for (const [p, c, match] of matchSessions(placed, inCapture)) {
      matchedSessions.add(p);
      push(logs, c, { placed: p, match });
    }
  }

  // Dovecot lines without a client: joined when exactly one connection of their service was open then.
  const byTimeLines = new Map<Conn, HeldLine[]>();
  for (const h of timeHeld) {
    const open = openConnections(h, conns);
    const perCapture = new Map<string, Conn[]>();
    for (const c of open) push(perCapture, c.capture, c);
    if (open.length > 0 && [...perCapture.values()].every((list) => list.length === 1)) {
      for (const c of open) push(byTimeLines, c, h);
      continue;
    }
    const candidates = open.length > 0 ? open.slice(0, MAX_CANDIDATES).map((c) => ({ capture: c.capture, id: c.report.id, client: endpoint(c.report.client) })) : undefined;
    listLoose(h.entry, open.length > 0 ? 'ambiguous' : h.reason, h.entry.client, candidates);
  }

  for (const c of conns) {
    const groups = logs.get(c) ?? [];
    const lines: (ConnectionLogLine & { fileIndex: number; entry: LogEntry })[] = [];
    for (const h of byTimeLines.get(c) ?? []) {
      lines.push({ file: h.entry.file, lineNumber: h.entry.lineNumber, line: h.entry.line, match: 'time', via: h.family.via, fileIndex: h.fileIndex, entry: h.entry });
    }
    for (const g of groups) {
      if (g.placed.session.omitted > 0) c.report.notes.push(`server log: ${g.placed.session.omitted} more lines of this connection were not kept (at most ${MAX_SESSION_LINES} per connection)`);
      for (const { entry, link } of g.placed.session.lines) {
        lines.push({ file: entry.file, lineNumber: entry.lineNumber, line: entry.line, match: g.match, via: link, fileIndex: g.placed.fileIndex, entry });
      }
    }
    lines.sort((a, b) => a.fileIndex - b.fileIndex || a.lineNumber - b.lineNumber);
    c.report.log = lines.map(({ file, lineNumber, line, match, via }) => ({ file, lineNumber, line, match, via }));
    if (lines.length > 0) {
      summary.matchedLines += lines.length;
      if (lines.some((l) => l.match === 'port')) summary.connectionsWithLog.port++;
      else summary.connectionsWithLog.time++;
      if (c.report.outcome !== 'complete') {
        const byService = byTimeLines.has(c) && !lines.some((l) => l.match === 'port' || l.via === 'client');
        const entries = lines.map((l) => l.entry);
        const sentence = serverLogSentence(entries, byService ? 'service' : lines.every((l) => l.match === 'time'));
        if (sentence) c.report.diagnosis = `${c.report.diagnosis}; ${sentence}`;
        // A join stub (report/analyze/stream-output.ts) carries its ending worked out; a whole report has what it needs.
        const explained = postfixAcceptErrorExplained(entries, (c.report as { ending?: ConnectionEnding }).ending ?? endingOf(c.report));
        if (explained) c.report.diagnosis = `${c.report.diagnosis}; ${explained}`;
      }
    } else if (c.report.outcome === 'failed') {
      summary.failedWithoutLog.push({ capture: c.capture, id: c.report.id, client: endpoint(c.report.client), server: endpoint(c.report.server) });
    }
  }

  for (const p of placed) {
    if (matchedSessions.has(p)) continue;
    for (const { entry } of p.session.lines) listLoose(entry, 'no-connection', p.session.client);
    summary.unmatched['no-connection'] += p.session.omitted;
  }
  const fileOrder = new Map(files.map((f, i) => [f, i]));
  const listed = [...clues, ...others.slice(0, MAX_UNMATCHED_LISTED - clues.length)];
  listed.sort((a, b) => fileOrder.get(a.file)! - fileOrder.get(b.file)! || a.lineNumber - b.lineNumber);

  result.summary.log = summary;
  result.summary.unmatchedLogLines = listed;
  return summary;
}

/** A Dovecot line without a client, held for the join by service and time. */
interface HeldLine {
  entry: LogEntry;
  reason: 'no-client' | 'ambiguous';
  fileIndex: number;
  family: { family: Family; via: LogLink };
  /** Capture-clock time, the log's resolution, and how much earlier / later the line may really have been written. */
  t: number;
  resolution: number;
  early: number;
  late: number;
}

/** Dovecot lines without a client held for the time join at most (the rest are listed as before): memory stays bounded. */
const MAX_TIME_HELD = 100_000;
/** Candidates listed per unattributed line. */
const MAX_CANDIDATES = 10;
const MASTER_CHILD_KILLED = /^(?:Error: )?service\(([a-z0-9-]+)\): child \d+ killed with signal \d+/;

/**
 * The service family of a Dovecot line that names no client but belongs to one connection: a login service's line
 * (`verbose_ssl`'s `SSL: where=…`, `SSL error: …`), or master's `service(imap-login): child N killed with signal 9`.
 */
function dovecotLineFamily(e: LogEntry): { family: Family; via: LogLink } | null {
  if (e.daemon !== 'dovecot') return null;
  const service = e.service ?? '';
  if (service.endsWith('-login')) {
    const family = familyOfService(service);
    return family ? { family, via: 'sequence' } : null;
  }
  if (service === 'master') {
    const m = MASTER_CHILD_KILLED.exec(e.message);
    const family = m ? familyOfService(m[1]!) : null;
    return family ? { family, via: 'master' } : null;
  }
  return null;
}

function familyOfService(service: string): Family | null {
  if (service.startsWith('imap')) return 'imap';
  if (service.startsWith('pop3')) return 'pop3';
  if (service.startsWith('managesieve')) return 'managesieve';
  if (service.startsWith('submission') || service === 'lmtp') return 'smtp';
  return null;
}

/**
 * The connections of the line's service that were open when it was written: the line shows t, so it was written
 * in [t, t + resolution), give or take the uncertainty of the log's offset; a connection was open from its first
 * to its last frame.
 */
function openConnections(h: HeldLine, conns: readonly Conn[]): Conn[] {
  const from = h.t - h.early;
  const to = h.t + h.resolution + h.late;
  return conns.filter((c) => c.family === h.family.family && c.start <= to && c.end >= from);
}

/** Seconds after a connection's first frame in which its server writes `connect from` (after a reverse lookup), and before its last frame in which it writes its disconnection. */
const ANCHOR_SPAN = 1;

function anchorOf(e: LogEntry): 'start' | 'end' | null {
  if (e.event === 'connect') return 'start';
  if (e.event === 'disconnect') return 'end';
  if (e.daemon === 'dovecot' && e.message.startsWith('Disconnected')) return 'end';
  return null;
}

function toConn(report: ConnectionReport): Conn {
  const start = Date.parse(report.start) / 1000;
  return {
    report,
    capture: report.capture,
    family: connectionFamily(report),
    clientIp: canonicalIp(report.client.ip) ?? report.client.ip,
    // Behind a PROXY header the server logs the address the client dialled (Dovecot's lip): the announced one.
    ...announcedServer(report),
    start,
    end: start + report.duration,
  };
}

function announcedServer(report: ConnectionReport): { serverIp: string; serverPort: number } {
  const announced = report.proxy?.command === 'proxy' ? report.proxy.destination : null;
  const server = announced ?? report.server;
  return { serverIp: canonicalIp(server.ip) ?? server.ip, serverPort: server.port };
}

function captureWindows(result: AnalysisResult): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  for (const c of result.captures) if (c.firstTime !== null && c.lastTime !== null) out.push({ from: c.firstTime, to: c.lastTime });
  return out;
}

/** How one file's times are put on the capture's clock. */
function planFile(naivePairs: OffsetPair[], zonedPairs: OffsetPair[], hasNaive: boolean, givenZone: Zone | null, lender: { file: string; pairs: OffsetPair[] } | null): FilePlan {
  const zoned = estimateOffset(zonedPairs);
  // Without --log-tz, times without a zone are off by a whole zone plus the clock's skew.
  const borrowing = naivePairs.length === 0 && hasNaive && lender !== null;
  const naive = estimateOffset(borrowing ? lender!.pairs : naivePairs, givenZone ? undefined : EXPECT_WHOLE_ZONE);
  // Zoned lines: real time; what is left is clock skew (the same clock writes the lines without a zone).
  const zonedSkew = zoned?.offset ?? 0;
  let naiveZone: Zone;
  let naiveShift: number;
  let time: LogFileReport['time'];
  let estimate: OffsetEstimate | null;
  if (givenZone) {
    naiveZone = givenZone;
    naiveShift = naive?.offset ?? zonedSkew;
    estimate = naive ?? zoned;
    time = { zone: hasNaive ? givenZone.name : null, zoneFrom: hasNaive ? 'option' : 'lines', skewSeconds: estimate ? round(naiveShift) : null, skewUncertainty: estimate ? round(estimate.uncertainty) : null, pairs: estimate?.pairs ?? 0 };
  } else if (naive) {
    naiveZone = { kind: 'fixed', offset: 0, name: 'UTC' };
    naiveShift = naive.offset;
    estimate = naive;
    const { zone, skew } = splitZone(naive.offset);
    time = { zone: formatOffset(zone), zoneFrom: 'estimated', skewSeconds: round(skew), skewUncertainty: round(naive.uncertainty), pairs: naive.pairs };
    if (borrowing) time.estimatedFrom = lender!.file;
  } else {
    naiveZone = parseZone('local') as Zone;
    naiveShift = zonedSkew;
    estimate = zoned;
    time = {
      zone: hasNaive ? `local (${formatOffset(-new Date().getTimezoneOffset() * 60)})` : null,
      zoneFrom: hasNaive ? 'assumed' : 'lines',
      skewSeconds: zoned ? round(zonedSkew) : null,
      skewUncertainty: zoned ? round(zoned.uncertainty) : null,
      pairs: zoned?.pairs ?? 0,
    };
  }
  return {
    place: (t: LogTime) => (t.zoned ? t.seconds - zonedSkew : toRealSeconds(t.seconds, naiveZone) - naiveShift),
    time,
    // No estimate: the skew is unknown; allow what a line may be off anyway.
    early: estimate ? estimate.to - estimate.offset : TIME_TOLERANCE,
    late: estimate ? estimate.offset - estimate.from : TIME_TOLERANCE,
  };
}

function placeSession(session: LogSession, fileIndex: number, plan: FilePlan): Placed {
  let first = Infinity;
  let last = -Infinity;
  let idFirst = Infinity;
  let idLast = -Infinity;
  let resolution = 0;
  for (const { entry, link } of session.lines) {
    if (entry.time === null) continue;
    const t = plan.place(entry.time);
    if (t < first) first = t;
    if (t > last) last = t;
    if (link === 'client' || link === 'session-id') {
      if (t < idFirst) idFirst = t;
      if (t > idLast) idLast = t;
    }
    if (entry.time.resolution > resolution) resolution = entry.time.resolution;
  }
  if (idFirst === Infinity) {
    idFirst = first;
    idLast = last;
  }
  return {
    session,
    fileIndex,
    order: session.lines[0]?.entry.lineNumber ?? 0,
    family: serviceFamily(session),
    first,
    last,
    idFirst,
    idLast,
    resolution,
    early: plan.early,
    late: plan.late,
  };
}

type Family = 'smtp' | 'imap' | 'pop3' | 'managesieve';

/** Which protocol the writer serves: Postfix's smtpd/postscreen/tlsproxy SMTP, Dovecot's imap-login IMAP, … */
function serviceFamily(session: LogSession): Family | null {
  const named = session.lines.find((l) => l.link === 'client' || l.link === 'session-id')?.entry ?? session.lines[0]?.entry;
  if (!named) return null;
  if (named.daemon === 'postfix') return 'smtp';
  if (named.daemon !== 'dovecot') return null;
  const service = named.service ?? '';
  if (service.startsWith('imap')) return 'imap';
  if (service.startsWith('pop3')) return 'pop3';
  if (service.startsWith('managesieve')) return 'managesieve';
  if (service.startsWith('submission') || service === 'lmtp') return 'smtp';
  return null;
}

function connectionFamily(report: ConnectionReport): Family | null {
  const p = report.protocol;
  if (p.startsWith('smtp') || p.startsWith('submission')) return 'smtp';
  if (p.startsWith('imap')) return 'imap';
  if (p.startsWith('pop3')) return 'pop3';
  if (p.startsWith('managesieve')) return 'managesieve';
  return null;
}

/** Pairs (group, connection, match) for one capture's connections. */
function matchSessions(placed: readonly Placed[], conns: readonly Conn[]): [Placed, Conn, 'port' | 'time'][] {
  const out: [Placed, Conn, 'port' | 'time'][] = [];
  const byPort = new Map<string, Conn[]>();
  const byIp = new Map<string, Conn[]>();
  for (const c of conns) {
    push(byPort, `${c.clientIp}|${c.report.client.port}`, c);
    push(byIp, c.clientIp, c);
  }
  const taken = new Set<string>();
  const slot = (c: Conn, kind: LogSession['kind']) => `${c.report.id}|${kind}`;
  const fits = (p: Placed, c: Conn) => {
    const tol = TIME_TOLERANCE + p.resolution + Math.max(p.early, p.late);
    const server = p.session.server;
    if (server && (canonicalIp(server.ip) ?? server.ip) !== c.serverIp) return false;
    if (server && server.port !== null && server.port !== c.serverPort) return false;
    if (p.family !== null && c.family !== null && p.family !== c.family) return false;
    return p.idLast >= c.start - tol && p.idFirst <= c.end + tol;
  };
  // A line written at `t` (to the log's resolution) was written in [t, t + resolution): no distance inside it.
  const gap = (t: number, res: number, x: number) => Math.max(0, t - x, x - (t + res));
  const distance = (p: Placed, c: Conn) => gap(p.first, p.resolution, c.start) + gap(p.last, p.resolution, c.end);

  // By port first: the log names exactly this connection.
  const byTime: Placed[] = [];
  for (const p of placed) {
    const client = p.session.client;
    if (client.port === null) {
      byTime.push(p);
      continue;
    }
    const candidates = (byPort.get(`${client.ip}|${client.port}`) ?? []).filter((c) => fits(p, c));
    if (candidates.length === 0) continue;
    candidates.sort((a, b) => distance(p, a) - distance(p, b));
    const c = candidates[0]!;
    out.push([p, c, 'port']);
    if (p.session.kind !== 'line') taken.add(slot(c, p.session.kind));
  }
  // Then by address and time, nearest pairs first, one smtpd / one login group per connection.
  const pairs: { p: Placed; c: Conn; d: number }[] = [];
  for (const p of byTime) {
    for (const c of byIp.get(p.session.client.ip) ?? []) if (fits(p, c)) pairs.push({ p, c, d: distance(p, c) });
  }
  // Equally near (groups written in the same second): the earlier group in the log goes with the earlier connection.
  pairs.sort((a, b) => a.d - b.d || a.p.fileIndex - b.p.fileIndex || a.p.order - b.p.order || a.c.start - b.c.start);
  const done = new Set<Placed>();
  for (const { p, c } of pairs) {
    if (done.has(p)) continue;
    if (p.session.kind !== 'line') {
      if (taken.has(slot(c, p.session.kind))) continue;
      taken.add(slot(c, p.session.kind));
    }
    done.add(p);
    out.push([p, c, 'time']);
  }
  return out;
}

function fileReport(info: LogFileInfo, plan: FilePlan): LogFileReport {
  const iso = (t: LogTime | null) => (t === null ? null : isoMicros(plan.place(t)));
  const report: LogFileReport = {
    file: info.file,
    lines: info.lines,
    recognised: info.recognised,
    gzip: info.gzip,
    formats: info.formats,
    first: iso(info.first),
    last: iso(info.last),
    time: plan.time,
  };
  if (info.damage) report.damage = info.damage;
  return report;
}


function addressText(a: { ip: string; port: number | null }): string {
  return a.port === null ? a.ip : endpoint({ ip: a.ip, port: a.port });
}

/**
 * For `--redact`: what the log brings that the connections do not, shaped as the redactor's sources: the client
 * addresses only the log names, the log files' names, and every line joined or listed, for the redactor to learn
 * what they name (host names in `NAME[address]` and the syslog host field, `user=<…>`, `session=<…>`, e-mail
 * addresses, other addresses) before the first line of the report is written.
 */
export function logRedactionSources(result: AnalysisResult): { client: { ip: string }; server: { ip: string }; files?: string[]; texts?: string[] }[] {
  const ips = new Set<string>();
  for (const u of result.summary.unmatchedLogLines ?? []) {
    if (u.client === null) continue;
    const m = /^\[(.+)\]:\d+$|^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(u.client);
    ips.add(m ? (m[1] ?? m[2]!) : u.client);
  }
  const sources: { client: { ip: string }; server: { ip: string }; files?: string[]; texts?: string[] }[] = [...ips].map((ip) => ({ client: { ip }, server: { ip: '' } }));
  const files = new Set<string>((result.summary.log?.files ?? []).map((f) => f.file));
  const lines: string[] = [];
  for (const c of result.connections) {
    for (const l of c.log ?? []) {
      files.add(l.file);
      lines.push(l.line);
    }
  }
  for (const u of result.summary.unmatchedLogLines ?? []) {
    files.add(u.file);
    lines.push(u.line);
  }
  if (files.size > 0 || lines.length > 0) sources.push({ client: { ip: '' }, server: { ip: '' }, files: [...files], texts: lines });
  return sources;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

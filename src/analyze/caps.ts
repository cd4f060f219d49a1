import { endWords, groupThousands } from '../text/words.js';
import type { TrackerLimits, TrackerStats } from '../tcp/tracker.js';
import type { Connection } from '../tcp/types.js';
import type { TlsConnectionDecoder } from '../tls/decoder.js';
import type { ConnectionReport } from '../handshake/report.js';
import type { AnalysisSummary } from './summary.js';
import { endingCode } from '../handshake/endings.js';

/**
 * Connections listed one by one in a run, over all its captures. A capture of a SYN flood or a scan holds
 * millions of connections; a TLS connection's report takes 10–30 KB in memory and 5–11 KB of text, JSON or
 * HTML, so fifty thousand stay well inside the heap and the largest string. Past the cap, connections are
 * still followed and decoded, then only counted.
 */
export const DEFAULT_MAX_CONNECTIONS = 50_000;

/** What the connections past the cap were, for the summary (which counts them) and for the capture's notes. */
export interface UnlistedConnections {
  connections: number;
  byOutcome: Record<ConnectionReport['outcome'], number>;
  byProtocol: Record<string, number>;
  /** As in AnalysisSummary: by step as named (JSON: by number), by endingCode. */
  failedAtStep: Record<string, number>;
  failedBy: Record<string, number>;
}

/** Keeps the reports of the first `max` connections (by id) and counts the others. */
export class ReportKeeper {
  private readonly kept: ConnectionReport[] = [];
  readonly unlisted: UnlistedConnections = {
    connections: 0,
    byOutcome: { complete: 0, failed: 0, 'not-tls': 0, unknown: 0 },
    byProtocol: {},
    failedAtStep: {},
    failedBy: {},
  };

  constructor(readonly max: number) {}

  add(report: ConnectionReport): void {
    if (report.id <= this.max) {
      this.kept.push(report);
      return;
    }
    const u = this.unlisted;
    u.connections++;
    u.byOutcome[report.outcome]++;
    u.byProtocol[report.protocol] = (u.byProtocol[report.protocol] ?? 0) + 1;
    if (report.outcome === 'failed') {
      const step = `${report.lastStep} ${report.lastStepName}`;
      u.failedAtStep[step] = (u.failedAtStep[step] ?? 0) + 1;
      const how = endingCode(report);
      u.failedBy[how] = (u.failedBy[how] ?? 0) + 1;
    }
  }

  /** The kept reports in id order (they are built as connections close, in no particular order). */
  reports(): ConnectionReport[] {
    return this.kept.sort((a, b) => a.id - b.id);
  }
}

/** Add the connections past the cap to a summary of the listed ones (per-client and group tables stay listed-only). */
export function addUnlisted(summary: AnalysisSummary, unlisted: readonly (UnlistedConnections | undefined)[]): AnalysisSummary {
  for (const u of unlisted) {
    if (!u || u.connections === 0) continue;
    summary.connections += u.connections;
    for (const [k, n] of Object.entries(u.byOutcome)) summary.byOutcome[k as ConnectionReport['outcome']] += n;
    for (const [k, n] of Object.entries(u.byProtocol)) summary.byProtocol[k] = (summary.byProtocol[k] ?? 0) + n;
    for (const [k, n] of Object.entries(u.failedAtStep)) summary.failedAtStep[k] = (summary.failedAtStep[k] ?? 0) + n;
    for (const [k, n] of Object.entries(u.failedBy)) summary.failedBy[k] = (summary.failedBy[k] ?? 0) + n;
  }
  return summary;
}

/** `1 h`, `20 min`, `90 s`. */
function silenceWords(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** One line per cap of the whole capture that was reached, and for connections closed early for silence. */
export function captureCapNotes(
  stats: TrackerStats,
  max: number,
  unlisted: UnlistedConnections,
  limits: Pick<TrackerLimits, 'maxOpenConnections' | 'maxSilence' | 'halfClosedSilence'>,
  /** Of `stats.silenced`, those closed by one side only (ConnectionTracker.silencedHalfClosed). */
  halfClosed = 0,
): string[] {
  const notes: string[] = [];
  if (unlisted.connections > 0) {
    notes.push(
      `cap reached: ${groupThousands(unlisted.connections)} connections after the first ${groupThousands(max)} are counted in the summary but not listed (--max-connections raises the cap)`,
    );
  }
  if (stats.evicted > 0) {
    notes.push(
      `cap reached: ${groupThousands(limits.maxOpenConnections)} connections were open at once; the ${groupThousands(stats.evicted)} least recently active were closed early (a later packet of one starts a new connection)`,
    );
  }
  const idle = stats.silenced - halfClosed;
  if (idle > 0) {
    notes.push(
      `${groupThousands(idle)} connection${idle === 1 ? ' was' : 's were'} closed before the capture's end, after ${silenceWords(limits.maxSilence)} without a packet (a later packet of one starts a new connection)`,
    );
  }
  if (halfClosed > 0) {
    notes.push(
      `${groupThousands(halfClosed)} connection${halfClosed === 1 ? '' : 's'} that one side had closed with FIN ${halfClosed === 1 ? 'was' : 'were'} closed before the capture's end, after ${silenceWords(limits.halfClosedSilence)} without a packet (a later packet of one starts a new connection)`,
    );
  }
  if (stats.capHits > 0) {
    notes.push(`cap reached: out-of-order data passed a buffer cap ${groupThousands(stats.capHits)} times; the holes before it were taken as never captured`);
  }
  return notes;
}

/** TCP oddities that change what was analyzed: overlaps with different data, segments far outside the stream. */
export function tcpAnomalyNotes(conn: Connection): string[] {
  const notes: string[] = [];
  for (const side of ['client', 'server'] as const) {
    const conflicts = conn.conflicts?.[side] ?? 0;
    if (conflicts > 0) notes.push(`${side}: ${conflicts} overlapping segment${conflicts === 1 ? '' : 's'} carried different data than the first copy; the first copy was used`);
    const strays = conn.strays?.[side] ?? 0;
    if (strays > 0) notes.push(`${side}: ${strays} segment${strays === 1 ? '' : 's'} with a sequence number far outside the stream (forged or stray) ignored`);
  }
  return notes;
}

/** One line per per-connection cap of the TCP stage that was reached (buffers, events, open connections), and silence. */
export function connectionCapNotes(conn: Connection): string[] {
  const notes: string[] = [];
  if (conn.evicted) notes.push('cap reached: closed early because too many connections were open at once; its later packets, if any, are another connection');
  if (conn.silenced !== undefined) notes.push(`closed before the capture's end, after ${silenceWords(conn.silenced)} without a packet; its later packets, if any, are another connection`);
  for (const side of ['client', 'server'] as const) {
    const n = conn.capped?.[side] ?? 0;
    if (n > 0) notes.push(`${side}: cap reached: out-of-order bytes passed the reassembly buffer cap ${n} time${n === 1 ? '' : 's'}; the holes before them were taken as never captured`);
  }
  if (conn.eventsDropped > 0) notes.push(`cap reached: ${conn.eventsDropped} TCP events after the first ${conn.events.length} are not listed`);
  return notes;
}

/** One line per cap of the TLS decoder that was reached (messages and record headers kept). */
export function tlsCapNotes(tls: TlsConnectionDecoder): string[] {
  const notes: string[] = [];
  if (tls.eventsDropped > 0) notes.push(`cap reached: ${tls.eventsDropped} TLS messages and alerts after the first ${tls.events.length} were not kept`);
  if (tls.recordsDropped > 0) notes.push(`cap reached: ${tls.recordsDropped} TLS record headers after the first ${tls.records.length} were not kept`);
  return notes;
}

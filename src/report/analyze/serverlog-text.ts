/** The server log in the text report (`analyze --log`): a table cell, the connection's lines, summary lines. */
import type { AnalysisSummary } from '../../analyze/summary.js';
import type { ConnectionReport } from '../../handshake/report.js';

/** `14 port`, `3 time`, `—`: how many log lines the connection got and how they were matched. */
export function logCell(r: ConnectionReport): string {
  const log = r.log ?? [];
  if (log.length === 0) return '—';
  return `${log.length} ${log.some((l) => l.match === 'port') ? 'port' : 'time'}`;
}

/** `--connection N`: the connection's log lines, `file:line  text`. */
export function connectionLogLines(r: ConnectionReport): string[] {
  if (r.log === undefined) return [];
  if (r.log.length === 0) return ['server log: no line for this connection'];
  const port = r.log.some((l) => l.match === 'port');
  const out = [`server log: ${r.log.length} line${r.log.length === 1 ? '' : 's'}, matched by ${port ? 'client address and port' : 'client address and time'}`];
  for (const l of r.log) out.push(`  ${l.file}:${l.lineNumber}  ${oneLine(l.line)}`);
  return out;
}

/** Summary lines: what matched, the clock, and the clues (lines for no captured connection, failed connections with no line). */
export function serverLogSummaryLines(s: AnalysisSummary): string[] {
  const log = s.log;
  if (!log) return [];
  const out: string[] = [];
  const files = log.files.map((f) => {
    const t = f.time;
    let clock = '';
    if (t.zoneFrom === 'estimated' || t.zoneFrom === 'option') clock = `, zone ${t.zone}${t.zoneFrom === 'estimated' ? ` (estimated${t.estimatedFrom ? ` from ${t.estimatedFrom}` : ''})` : ''}`;
    else if (t.zoneFrom === 'assumed') clock = `, zone ${t.zone} (assumed: no line names a captured client and port)`;
    if (t.skewSeconds !== null) clock += `, clock ${signed(t.skewSeconds)} s ± ${t.skewUncertainty} s vs the capture (${t.pairs} pairs)`;
    return `${f.file} (${f.lines} lines${clock})`;
  });
  out.push(`server log: ${files.join('; ')}`);
  const w = log.connectionsWithLog;
  const u = log.unmatched;
  out.push(
    `log lines: ${log.matchedLines} joined ${w.port + w.time} connections (${w.port} by port, ${w.time} by time); ` +
      `not joined: ${u['no-connection']} name a client the capture lacks, ${u['no-client']} name no client, ${u.ambiguous} ambiguous, ${u.unrecognised} unrecognised, ${u['outside-capture']} outside the capture's time`,
  );
  const clues = (s.unmatchedLogLines ?? []).filter((l) => l.reason === 'no-connection');
  const clients = [...new Set(clues.map((l) => l.client).filter((c) => c !== null))];
  if (clients.length > 0) out.push(`clients in the log but not in the capture: ${clients.slice(0, 10).join(', ')}${clients.length > 10 ? ', …' : ''}`);
  // Dovecot lines without a client written while several connections of their service were open: never guessed.
  const unattributed = (s.unmatchedLogLines ?? []).filter((l) => l.candidates && l.candidates.length > 0);
  if (unattributed.length > 0) {
    const candidates = [...new Set(unattributed.flatMap((l) => l.candidates!.map((c) => `#${c.id} ${c.client}`)))];
    out.push(
      `log lines without a client left unattributed (several connections of their service were open then): ${unattributed.length}, lines ${unattributed[0]!.lineNumber}–${unattributed[unattributed.length - 1]!.lineNumber}; candidates ${candidates.slice(0, 10).join(', ')}${candidates.length > 10 ? ', …' : ''}`,
    );
  }
  for (const n of log.notes) out.push(`server log: ${n}`);
  if (log.failedWithoutLog.length > 0) {
    const list = log.failedWithoutLog.slice(0, 10).map((f) => `#${f.id} ${f.client}`);
    out.push(`failed connections with no log line: ${list.join(', ')}${log.failedWithoutLog.length > 10 ? ', …' : ''}`);
  }
  return out;
}

function signed(x: number): string {
  return x > 0 ? `+${x}` : String(x);
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}

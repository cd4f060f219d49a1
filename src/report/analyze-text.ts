import { configuredChainLines } from './configured-chain-text.js';
import Table from 'cli-table3';
import type { AnalysisResult, CaptureInfo } from '../handshake/analyze.js';
import type { ConnectionReport } from '../handshake/report.js';
import { captureSummaryLine } from './captures.js';
import { renderPlainTable } from './plain-table.js';
import { notableGroupsLine } from './groups.js';
import { connectionLogLines, LOG_COLUMN_WIDTH, logCell, serverLogSummaryLines } from './serverlog-text.js';
import { securityLines } from './certificates.js';
import { connectionNumber, endpoint, endWords, millis, stepWords } from './words.js';
import { findingLines, retryWords, rowFlags, verdictLines } from './findings.js';

export interface TextOptions {
  /** Terminal width to fit the table into. */
  width?: number;
  color?: boolean;
}

const RED = '\u001b[31m';
const GREEN = '\u001b[32m';
const YELLOW = '\u001b[33m';
const RESET = '\u001b[0m';

function paint(s: string, colour: string, on: boolean): string {
  return on ? `${colour}${s}${RESET}` : s;
}

function outcomeCell(r: ConnectionReport, color: boolean): string {
  const colour = r.outcome === 'complete' ? GREEN : r.outcome === 'failed' ? RED : YELLOW;
  return paint(r.outcome, colour, color);
}

/** The `analyze` table: one row per connection, then the summary. */
export function renderAnalysisText(result: AnalysisResult, opts: TextOptions = {}): string {
  const withLog = result.summary.log !== undefined;
  const many = result.captures.length > 1;
  const layout = textLayout(withLog, opts);
  const rows = result.connections.map((r) => textRow(r, layout, many ? captureIndex(result, r) : null));
  const out = [...textHead(result.captures, rows.length === 0)];
  if (rows.length === 0) return out.join('\n') + '\n';
  const widestNumber = rows.reduce((widest, row) => Math.max(widest, row[0]!.length), 0);
  out.push(renderTextTable(textLayout(withLog, opts, widestNumber), rows));
  out.push('');
  out.push(renderSummaryText(result));
  return out.join('\n') + '\n';
}

/** The table's columns: fixed widths, the diagnosis taking what the terminal has left. */
export interface TextLayout {
  head: string[];
  colWidths: number[];
  withLog: boolean;
  color: boolean;
}

/**
 * `widestNumber`: the longest connection number the table shows (`6933`, `2#17`), in characters: the `#` column
 * is made wide enough for it, as the number is what `--connection` takes.
 */
export function textLayout(withLog: boolean, opts: TextOptions = {}, widestNumber = 0): TextLayout {
  const width = Math.max(100, opts.width ?? 160);
  const fixed = [Math.max(4, widestNumber + 2), 23, 19, 21, 9, 26, 22, 10, 20, ...(withLog ? [LOG_COLUMN_WIDTH] : [])];
  const diagnosisWidth = Math.max(30, width - fixed.reduce((a, b) => a + b, 0) - fixed.length - 2);
  const head = ['#', 'client', 'server', 'protocol', 'TLS', 'cipher', 'step reached', 'outcome', 'ended by', ...(withLog ? ['log'] : []), 'diagnosis'];
  return { head, colWidths: [...fixed, diagnosisWidth], withLog, color: opts.color ?? false };
}

/** The capture lines above the table (and the line saying there is no table). */
export function textHead(captures: readonly CaptureInfo[], empty: boolean): string[] {
  const out = captures.map(captureSummaryLine);
  if (empty) out.push('no TCP connections found');
  return out;
}

/** One connection's cells; `capture` is its capture's 1-based place when several were given. */
export function textRow(r: ConnectionReport, layout: TextLayout, capture: number | null): string[] {
  return [
    connectionNumber(r.id, capture),
    endpoint(r.client),
    endpoint(r.server),
    r.protocol,
    r.tls.version ?? '—',
    shortCipher(r.tls.cipher),
    stepWords(r),
    outcomeCell(r, layout.color),
    endWords(r),
    ...(layout.withLog ? [logCell(r)] : []),
    r.diagnosis + rowFlags(r),
  ];
}

export function renderTextTable(layout: TextLayout, rows: string[][]): string {
  const { head, colWidths, color } = layout;
  if (!color) {
    // cli-table3 takes about a millisecond a row, more with more rows; without colours the same table is drawn in
    // linear time (plain-table.ts).
    return renderPlainTable({ head, colWidths, wordWrap: true }, rows);
  }
  const table = new Table({
    head,
    colWidths,
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: { head: ['bold'], border: ['grey'] },
  });
  for (const row of rows) table.push(row);
  return table.toString();
}

function captureIndex(result: AnalysisResult, r: ConnectionReport): number {
  return result.captures.findIndex((c) => c.file === r.capture) + 1;
}

/** Drop the `TLS_` prefix: the column is narrow and every suite has it. */
function shortCipher(name: string | null): string {
  if (!name) return '—';
  return name.replace(/^TLS_/, '');
}

export function renderSummaryText(result: Pick<AnalysisResult, 'summary'>): string {
  const s = result.summary;
  const lines: string[] = [...verdictLines(s)];
  const o = s.byOutcome;
  lines.push(`${s.connections} connection${s.connections === 1 ? '' : 's'}: ${o.complete} complete, ${o.failed} failed, ${o['not-tls']} without TLS, ${o.unknown} unknown (capture cut the handshake)`);
  const steps = Object.entries(s.failedAtStep).sort((a, b) => b[1] - a[1]);
  if (steps.length > 0) lines.push(`failed at step: ${steps.map(([k, v]) => `${k} ×${v}`).join(', ')}`);
  const hows = Object.entries(s.failedBy).sort((a, b) => b[1] - a[1]);
  if (hows.length > 0) lines.push(`ended by: ${hows.map(([k, v]) => `${k} ×${v}`).join(', ')}`);
  const clients = s.byClient.filter((c) => c.failed > 0).slice(0, 10);
  if (clients.length > 0) lines.push(`clients with failures: ${clients.map((c) => `${c.client} ${c.failed}/${c.connections}`).join(', ')}`);
  const notable = notableGroupsLine(s.notableGroups);
  if (notable) lines.push(notable);
  lines.push(...findingLines(s));
  lines.push(...serverLogSummaryLines(s));
  lines.push(...configuredChainLines(s));
  return lines.join('\n');
}

/** `--connection N`: the whole story of one connection. */
export function renderConnectionText(r: ConnectionReport): string {
  const lines: string[] = [];
  lines.push(`connection ${r.id} in ${r.capture}: ${endpoint(r.client)} → ${endpoint(r.server)} (${r.protocol}), first frame ${r.firstFrame}, ${r.start}`);
  lines.push(`outcome: ${r.outcome}, step reached: ${stepWords(r)}, shape: ${r.shape}, history: ${r.history || '—'}`);
  lines.push(`TLS: ${r.tls.version ?? '—'} ${r.tls.cipher ?? ''}${r.tls.sni ? `, SNI ${r.tls.sni}` : ''}${r.tls.resumed ? ', resumed' : ''}`);
  lines.push(`ended: ${endWords(r)}${r.end.frame ? ` (frame ${r.end.frame})` : ''}`);
  lines.push(`diagnosis: ${r.diagnosis}`);
  const retry = retryWords(r);
  if (retry) lines.push(`retry: ${retry}`);
  lines.push(...securityLines(r));
  if (r.mail && r.mail.application) {
    const m = r.mail;
    lines.push(
      `mail: ${m.application}, TLS ${m.tlsMode ?? 'not started'}` +
        (m.tlsMode === 'starttls' || m.clientAsked ? `, server offered STARTTLS: ${m.serverOffered ?? 'not seen'}, client asked: ${m.clientAsked}, reply: ${m.serverReply ?? '—'}` : '') +
        (m.problem ? `; ${m.problem}` : ''),
    );
  }
  const t = r.tcp;
  lines.push(
    `TCP: SYN ${t.syn ? 'seen' : 'not captured'}, RTT ${t.rttMs !== null ? millis(t.rttMs) : '—'}, MSS client ${t.mss.client ?? '—'} / server ${t.mss.server ?? '—'}, ` +
      `retransmissions client ${t.retransmissions.client} / server ${t.retransmissions.server}, server flight ${t.serverFlight.bytes} bytes (${t.serverFlight.ackedByClient} acknowledged)`,
  );
  lines.push('');
  const table = new Table({
    head: ['time', 'frame', 'from', 'what', 'bytes', 'step'],
    style: { head: [], border: [] },
  });
  type Row = { atMs: number; frame: number; cells: string[] };
  const rows: Row[] = [];
  for (const m of r.messages) {
    rows.push({ atMs: m.atMs, frame: m.frame, cells: [millis(m.atMs), String(m.frame), arrow(m.from), m.type, m.length !== undefined ? String(m.length) : '', m.step !== null ? String(m.step) : ''] });
  }
  for (const e of r.tcp.events) {
    rows.push({ atMs: e.atMs, frame: e.frame, cells: [millis(e.atMs), String(e.frame), arrow(e.from), `TCP ${e.kind}`, e.length !== undefined ? String(e.length) : '', ''] });
  }
  rows.sort((a, b) => a.frame - b.frame || a.atMs - b.atMs);
  for (const row of rows) table.push(row.cells);
  lines.push(table.toString());
  lines.push(...connectionLogLines(r));
  if (r.notes.length > 0) {
    lines.push('notes:');
    for (const n of r.notes) lines.push(`  - ${n}`);
  }
  return lines.join('\n') + '\n';
}

function arrow(from: 'client' | 'server'): string {
  return from === 'client' ? 'client →' : '← server';
}

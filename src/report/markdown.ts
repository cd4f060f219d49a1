import type { AnalysisResult } from '../handshake/analyze.js';
import type { ConnectionReport } from '../handshake/report.js';
import { captureSummaryLine } from './captures.js';
import { notableGroupsLine } from './groups.js';
import { securityLines } from './certificates.js';
import { findingLines, retryWords, verdictLines } from './findings.js';
import { connectionLogLines, logCell, serverLogSummaryLines } from './serverlog-text.js';
import { endpoint, endWords, millis, stepWords } from './words.js';

/** A Markdown table cell: pipes escaped, no line breaks. */
export function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function table(head: string[], rows: string[][]): string {
  const lines = [`| ${head.map(cell).join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) lines.push(`| ${r.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

/** The `analyze --format markdown` report: ready to paste into a ticket. */
export function renderAnalysisMarkdown(result: AnalysisResult): string {
  const shown = result.connections;
  const details = shown.filter((r) => r.outcome === 'failed' || shown.length <= 1).map(renderConnectionMarkdown);
  return [...renderAnalysisMarkdownPieces(result, shown.map(markdownRow), details)].join('');
}

export const MARKDOWN_HEAD = ['#', 'client', 'server', 'protocol', 'TLS', 'cipher', 'step reached', 'outcome', 'ended by', 'diagnosis'];

/** With `--log`: the `log` column before the diagnosis, as in the text table. */
const MARKDOWN_HEAD_WITH_LOG = [...MARKDOWN_HEAD.slice(0, -1), 'log', 'diagnosis'];

/** One connection's cells in the Markdown table (with `--log`, every report has `log`: its cell too). */
export function markdownRow(r: ConnectionReport): string[] {
  const log = r.log !== undefined ? [logCell(r)] : [];
  return [String(r.id), endpoint(r.client), endpoint(r.server), r.protocol, r.tls.version ?? '—', r.tls.cipher ?? '—', stepWords(r), r.outcome, endWords(r), ...log, r.diagnosis];
}

/**
 * The report in pieces, its rows and its connection details (renderConnectionMarkdown: the failed ones, or the
 * only one) given one by one as they are read back: `analyze` streams them. `rows` is iterated only when not empty.
 */
export function* renderAnalysisMarkdownPieces(
  result: Pick<AnalysisResult, 'captures' | 'summary'>,
  rows: Iterable<string[]> & { length?: number },
  details: Iterable<string>,
  hasRows: boolean = rows.length === undefined || rows.length > 0,
): Generator<string> {
  const out: string[] = [];
  out.push('## TLS handshakes');
  out.push('');
  for (const c of result.captures) out.push(`- ${cell(captureSummaryLine(c))}`);
  out.push('');
  const s = result.summary;
  out.push(
    `**${s.connections} connections:** ${s.byOutcome.complete} complete, ${s.byOutcome.failed} failed, ${s.byOutcome['not-tls']} without TLS, ${s.byOutcome.unknown} unknown.`,
  );
  out.push('');
  const verdict = verdictLines(s);
  if (verdict.length > 0) out.push(`**Verdict:**`, '', ...verdict.slice(1).map((l) => `- ${cell(l.slice(4))}`), '');
  const notable = notableGroupsLine(s.notableGroups);
  if (notable) out.push(cell(notable), '');
  const findings = findingLines(s);
  if (findings.length > 0) out.push(...findings.map((l) => `- ${cell(l)}`), '');
  const log = serverLogSummaryLines(s);
  if (log.length > 0) out.push(...log.map((l) => `- ${cell(l)}`), '');
  // The report is these pieces joined by line breaks, with one at the end.
  yield out.join('\n') + '\n';
  if (hasRows) {
    const head = s.log ? MARKDOWN_HEAD_WITH_LOG : MARKDOWN_HEAD;
    yield `| ${head.map(cell).join(' | ')} |\n|${head.map(() => '---').join('|')}|\n`;
    let piece = '';
    for (const r of rows) {
      piece += `| ${r.map(cell).join(' | ')} |\n`;
      if (piece.length >= 1 << 16) {
        yield piece;
        piece = '';
      }
    }
    yield piece + '\n';
  }
  for (const d of details) yield d + '\n';
}

export function renderConnectionMarkdown(r: ConnectionReport): string {
  const out: string[] = [];
  out.push(`<details><summary>#${r.id} ${cell(endpoint(r.client))} → ${cell(endpoint(r.server))}: ${cell(r.outcome)} at step ${cell(stepWords(r))}</summary>`);
  out.push('');
  out.push(`**Diagnosis:** ${cell(r.diagnosis)}`);
  out.push('');
  const retry = retryWords(r);
  if (retry) out.push(`**Retry:** ${cell(retry)}`, '');
  const text = [sequenceText(r)];
  const security = securityLines(r);
  if (security.length > 0) text.push('', ...security);
  const log = connectionLogLines(r);
  if (log.length > 0) text.push('', ...log);
  // The server's log lines are the server's words: a fence longer than any run of backticks in them.
  const fence = '`'.repeat(Math.max(3, ...[...text.join('\n').matchAll(/`+/g)].map((m) => m[0].length + 1)));
  out.push(`${fence}text`);
  out.push(...text);
  out.push(fence);
  out.push('');
  out.push('</details>');
  out.push('');
  return out.join('\n');
}

/** The handshake as a plain-text ladder: client on the left, server on the right. */
export function sequenceText(r: ConnectionReport): string {
  const rows: { frame: number; atMs: number; text: string }[] = [];
  const pad = 34;
  for (const m of r.messages) {
    const what = `${m.type}${m.length !== undefined ? ` (${m.length} B)` : ''}`;
    const arrowText = m.from === 'client' ? `${what} `.padEnd(pad, '-') + '>' : '<' + ` ${what}`.padStart(pad, '-');
    rows.push({ frame: m.frame, atMs: m.atMs, text: arrowText });
  }
  for (const e of r.tcp.events) {
    const what = `TCP ${e.kind}${e.length !== undefined ? ` (${e.length} B)` : ''}`;
    const arrowText = e.from === 'client' ? `${what} `.padEnd(pad, '.') + '>' : '<' + ` ${what}`.padStart(pad, '.');
    rows.push({ frame: e.frame, atMs: e.atMs, text: arrowText });
  }
  rows.sort((a, b) => a.frame - b.frame || a.atMs - b.atMs);
  const lines = [`${'time'.padStart(9)}  ${'frame'.padStart(6)}  client${' '.repeat(pad - 6)}server`];
  for (const row of rows) lines.push(`${millis(row.atMs).padStart(9)}  ${String(row.frame).padStart(6)}  ${row.text}`);
  return lines.join('\n');
}

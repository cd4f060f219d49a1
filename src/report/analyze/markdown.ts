import { endWords, endpoint, millis } from '../../text/words.js';
import type { AnalysisResult } from '../../analyze/pipeline.js';
import type { ConnectionReport } from '../../handshake/report.js';
import { captureSummaryLine } from './captures.js';
import { notableGroupsLine } from './groups.js';
import { securityLines } from './certificates.js';
import { findingLines, proxyLine, retryWords, rowFlags, verdictLines } from './findings.js';
import { connectionLogLines, logCell, serverLogSummaryLines } from './serverlog-text.js';
import { connectionNumber, stepWords } from '../words.js';
import { markdownCode, markdownHtmlText, markdownText } from '../../text/markdown.js';
import { terminalSafe } from '../../text/terminal.js';
import { toolTimeShown, type ToolInfo } from '../tool.js';

/** A Markdown table cell: the value inert (src/text/markdown.ts), on one line, its pipes escaped. */
export function cell(s: string): string {
  return markdownText(s);
}

/** A table of values (each made inert). */
export function table(head: string[], rows: string[][]): string {
  return markupTable(head.map(cell), rows.map((r) => r.map(cell)));
}

/** A table of cells already written as Markdown (each value in it made inert by its writer). */
export function markupTable(head: string[], rows: string[][]): string {
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

/** How many connections of each kind the Markdown report details by default (`--examples`). */
export const MARKDOWN_EXAMPLES = 3;

/**
 * With the default examples, the report stops adding table rows past ROW_BUDGET bytes and connection details
 * past DETAIL_BUDGET, so that a capture of thousands of connections fits a GitHub comment (65,536 characters):
 * what is left out is counted and said.
 */
const ROW_BUDGET = 30_000;
const DETAIL_BUDGET = 52_000;

export interface MarkdownOptions {
  /** Connections per kind listed and detailed: a number, Infinity for all; default MARKDOWN_EXAMPLES within the budget. */
  examples?: number;
  tool?: ToolInfo;
}

/**
 * One connection's parts of the Markdown report: its table row (markdownRow), its details
 * (renderConnectionMarkdown; '' when not made), whether it failed, its kind (kindOf) and its number.
 */
export interface MarkdownEntry {
  row: string[];
  detail: string;
  failed: boolean;
  kind: string;
  number: string;
}

/** `5`, or `2#5` when several captures were given (the first capture of the report's file name). */
export function reportNumber(r: ConnectionReport, files: readonly string[], many: boolean): string {
  return connectionNumber(r.id, many ? files.indexOf(r.capture) + 1 : null);
}

/**
 * A connection's kind: same outcome, same step, same ending, same diagnosis once its numbers (times, sizes,
 * counts, addresses) are set aside and without what the server log added. The Markdown report details a few
 * of each kind and counts the rest; the HTML report draws a ladder for a few of each.
 */
export function kindOf(r: ConnectionReport): string {
  const diagnosis = r.diagnosis.replace(/; server log: .*$/s, '').replace(/\d+(?:[.,:]\d+)*/g, 'N');
  return `${r.outcome}|${r.lastStep}|${endWords(r.end)}|${diagnosis}`;
}

export const MARKDOWN_HEAD = ['#', 'client', 'server', 'protocol', 'TLS', 'cipher', 'step reached', 'outcome', 'ended by', 'diagnosis'];

/** With `--log`: the `log` column before the diagnosis, as in the text table. */
const MARKDOWN_HEAD_WITH_LOG = [...MARKDOWN_HEAD.slice(0, -1), 'log', 'diagnosis'];

/** One connection's cells in the Markdown table (with `--log`, every report has `log`: its cell too). */
export function markdownRow(r: ConnectionReport, number: string = String(r.id)): string[] {
  const log = r.log !== undefined ? [logCell(r)] : [];
  // The row's own facts (retried, chain problems: findings.ts) after its diagnosis, as in the text table.
  return [number, endpoint(r.client), endpoint(r.server), r.protocol, r.tls.version ?? '—', r.tls.cipher ?? '—', stepWords(r), r.outcome, endWords(r.end), ...log, r.diagnosis + rowFlags(r)];
}

/** The line that says what made the report: `tlsdissect 0.1.0 · 2026-12-07T00:15:02Z · \`tlsdissect analyze …\``. */
export function markdownToolLine(t: ToolInfo): string {
  return `<sub>Made by ${markdownText(`${t.name} ${t.version}`)} on ${markdownText(toolTimeShown(t))}: ${markdownCode(t.command)}</sub>`;
}

/**
 * The report in pieces. `entries` gives the shown connections' parts in output order, afresh at each call: it is
 * walked three times (the kinds counted, the table, the details), so that `analyze` can read them back from disk
 * each time. Details are made for the failed connections, or for the only one shown (`shown` <= 1).
 */
export function* renderAnalysisMarkdownPieces(
  result: Pick<AnalysisResult, 'captures' | 'summary'>,
  entries: () => Iterable<MarkdownEntry>,
  shown: number,
  opts: MarkdownOptions = {},
): Generator<string> {
  const out: string[] = [];
  out.push('## TLS handshakes');
  out.push('');
  if (opts.tool) out.push(markdownToolLine(opts.tool), '');
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
  const headPiece = out.join('\n') + '\n';
  yield headPiece;
  if (shown === 0) return;
  const budgeted = opts.examples === undefined;
  const examples = opts.examples ?? MARKDOWN_EXAMPLES;
  let bytes = headPiece.length;
  // The kinds, counted; each kind's examples are its first connections in output order.
  const kinds = new Map<string, { total: number; listed: number; lastListed: string; detailed: number; label: string }>();
  if (examples !== Infinity) {
    for (const e of entries()) {
      const k = kinds.get(e.kind);
      if (k) k.total++;
      else kinds.set(e.kind, { total: 1, listed: 0, lastListed: '', detailed: 0, label: `${e.row[7]} at step ${e.row[6]}, ${e.row[8]}: ${e.row[e.row.length - 1]}` });
    }
  }
  const head = s.log ? MARKDOWN_HEAD_WITH_LOG : MARKDOWN_HEAD;
  let piece = `| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|\n`;
  let listed = 0;
  for (const e of entries()) {
    const k = kinds.get(e.kind);
    if (k && k.listed >= examples) continue;
    const line = `| ${e.row.map(cell).join(' | ')} |\n`;
    if (budgeted && bytes + piece.length + line.length > ROW_BUDGET && listed > 0) continue;
    piece += line;
    listed++;
    if (k) {
      k.listed++;
      k.lastListed = e.number;
    }
    if (piece.length >= 1 << 16) {
      bytes += piece.length;
      yield piece;
      piece = '';
    }
  }
  piece += '\n';
  if (listed < shown) {
    piece += `*Listed: ${listed} of ${shown} connections, at most ${examples} of each kind (same outcome, step, ending and diagnosis)${budgeted ? ' and as many as keep this report short' : ''}; \`--examples all\` lists every one.*\n\n`;
    const left = [...kinds.values()].filter((k) => k.total > k.listed).sort((a, b) => b.total - b.listed - (a.total - a.listed));
    for (const k of left.slice(0, 20)) {
      const more = k.total - k.listed;
      piece += `- ${more} ${k.listed > 0 ? `more like #${cell(k.lastListed)}` : 'not listed'}: ${cell(shorten(k.label, 160))}\n`;
    }
    if (left.length > 20) piece += `- and ${left.length - 20} more kinds\n`;
    piece += '\n';
  }
  bytes += piece.length;
  yield piece;
  let detailedLeft = 0;
  let full = false;
  for (const e of entries()) {
    if (e.detail === '' || !(e.failed || shown <= 1)) continue;
    const k = kinds.get(e.kind);
    if (k && k.detailed >= examples) continue;
    // Once one did not fit, none after it (the report says how many were left out).
    if (full || (budgeted && bytes + e.detail.length > DETAIL_BUDGET)) {
      full = true;
      detailedLeft++;
      continue;
    }
    let text = e.detail + '\n';
    if (k) {
      k.detailed++;
      if (k.detailed === examples && k.total > examples) text += `*… and ${k.total - examples} more like it.*\n\n`;
    }
    bytes += text.length;
    yield text;
  }
  if (detailedLeft > 0) yield `*Details of ${detailedLeft} more failed connection${detailedLeft === 1 ? '' : 's'} left out to keep this report short: \`--examples all\`, or \`analyze --connection N\` for one.*\n\n`;
}

function shorten(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

export function renderConnectionMarkdown(r: ConnectionReport, number: string = String(r.id), tool?: ToolInfo): string {
  const out: string[] = [];
  // A line that starts with <details> opens a raw-HTML block: Markdown is not parsed up to the blank line, so
  // its values are HTML-escaped, not backslash-escaped.
  out.push(`<details><summary>#${markdownHtmlText(number)} ${markdownHtmlText(endpoint(r.client))} → ${markdownHtmlText(endpoint(r.server))}: ${markdownHtmlText(r.outcome)} at step ${markdownHtmlText(stepWords(r))}</summary>`);
  out.push('');
  if (tool) out.push(markdownToolLine(tool), '');
  if (r.proxy) out.push(cell(proxyLine(r.proxy)), '');
  out.push(`**Diagnosis:** ${cell(r.diagnosis)}`);
  out.push('');
  const retry = retryWords(r);
  if (retry) out.push(`**Retry:** ${cell(retry)}`, '');
  if (r.notes.length > 0) {
    out.push(...r.notes.map((n) => `- ${cell(n)}`));
    out.push('');
  }
  const text = [sequenceText(r)];
  const security = securityLines(r);
  if (security.length > 0) text.push('', ...security);
  const log = connectionLogLines(r);
  if (log.length > 0) text.push('', ...log);
  // Certificates and the server's log lines are strangers' words: shown with control characters escaped, in a
  // fence longer than any run of backticks in them.
  const body = text.map((l) => terminalSafe(l).replace(/\r/g, '\\r'));
  const fence = '`'.repeat(Math.max(3, ...[...body.join('\n').matchAll(/`+/g)].map((m) => m[0].length + 1)));
  out.push(`${fence}text`);
  out.push(...body);
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

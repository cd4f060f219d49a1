import type { AnalysisResult } from '../handshake/analyze.js';
import type { ConnectionReport } from '../handshake/report.js';
import { captureSummaryLine } from './captures.js';
import { findingLines } from './findings.js';
import { esc, LADDER_CSS, ladderSvg } from './ladder.js';
import { endpoint, endWords, stepWords } from './words.js';
import { connectionLogLines, logCell, serverLogSummaryLines } from './serverlog-text.js';

const PAGE_CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1400px; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
table.conns { border-collapse: collapse; width: 100%; font-size: 13px; }
table.conns th, table.conns td { border: 1px solid #ddd; padding: 4px 6px; text-align: left; vertical-align: top; }
table.conns th { background: #f4f4f4; cursor: pointer; user-select: none; }
td.cipher { max-width: 16em; }
td.diagnosis { min-width: 22em; }
pre.log { white-space: pre-wrap; font-size: 12px; background: #f7f7f7; padding: 6px; }
.wide { overflow-x: auto; }
tr.failed td.outcome { color: #b00020; font-weight: 600; }
tr.complete td.outcome { color: #1e7e34; }
.summary li { margin: 2px 0; }
section.conn { margin-top: 20px; border-top: 1px solid #ddd; padding-top: 8px; }
code { background: #f4f4f4; padding: 0 3px; }
${LADDER_CSS}`;

/** Sorting by a click on a column head; the table is complete and readable without it. */
const SORT_SCRIPT = `
document.querySelectorAll('table.conns th').forEach(function (th, col) {
  th.addEventListener('click', function () {
    var tbody = th.closest('table').tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    var dir = th.dataset.dir === 'asc' ? -1 : 1;
    th.dataset.dir = dir === 1 ? 'asc' : 'desc';
    rows.sort(function (a, b) {
      var x = a.cells[col].dataset.key || a.cells[col].textContent;
      var y = b.cells[col].dataset.key || b.cells[col].textContent;
      var nx = Number(x), ny = Number(y);
      if (!isNaN(nx) && !isNaN(ny)) return (nx - ny) * dir;
      return x.localeCompare(y) * dir;
    });
    rows.forEach(function (r) { tbody.appendChild(r); });
  });
});`;

export interface HtmlOptions {
  /** Connections to draw besides the failed ones (ids within their capture). */
  connections?: ConnectionReport[];
  title?: string;
}

/** `analyze --format html`: one self-contained page (no network, no external scripts, fonts or styles). */
export function renderAnalysisHtml(result: AnalysisResult, opts: HtmlOptions = {}): string {
  const drawn = new Set<ConnectionReport>(result.connections.filter((c) => c.outcome === 'failed'));
  for (const c of opts.connections ?? []) drawn.add(c);
  const withLog = result.connections.some((r) => r.log !== undefined);
  const rows = result.connections.map((r) => htmlRow(r, withLog));
  const sections = result.connections.filter((r) => drawn.has(r)).map(htmlSection);
  return [...renderAnalysisHtmlPieces(result, rows, sections, { title: opts.title, withLog })].join('');
}

/**
 * The page in pieces, its table rows (htmlRow) and its connection sections (htmlSection) given one by one as
 * they are read back: `analyze` streams them (analyze-stream.ts). The pieces joined are renderAnalysisHtml's page.
 */
export function* renderAnalysisHtmlPieces(
  result: Pick<AnalysisResult, 'captures' | 'summary'>,
  rows: Iterable<string>,
  sections: Iterable<string>,
  opts: { title?: string; withLog?: boolean } = {},
): Generator<string> {
  const title = opts.title ?? `tlsdissect: ${result.captures.map((c) => c.file).join(', ')}`;
  const s = result.summary;
  const [pageStart, pageEnd] = page(title, '\u0000').split('\u0000') as [string, string];
  const body: string[] = [];
  body.push(`<h1>${esc(title)}</h1>`);
  body.push('<ul class="summary">');
  for (const c of result.captures) body.push(`<li>${esc(captureSummaryLine(c))}</li>`);
  for (const v of s.verdict ?? []) body.push(`<li><strong>verdict:</strong> ${esc(v.text)}</li>`);
  body.push(
    `<li><strong>${s.connections} connections:</strong> ${s.byOutcome.complete} complete, ${s.byOutcome.failed} failed, ${s.byOutcome['not-tls']} without TLS, ${s.byOutcome.unknown} unknown</li>`,
  );
  const steps = Object.entries(s.failedAtStep).sort((a, b) => b[1] - a[1]);
  if (steps.length) body.push(`<li>failed at step: ${esc(steps.map(([k, v]) => `${k} ×${v}`).join(', '))}</li>`);
  const hows = Object.entries(s.failedBy).sort((a, b) => b[1] - a[1]);
  if (hows.length) body.push(`<li>ended by: ${esc(hows.map(([k, v]) => `${k} ×${v}`).join(', '))}</li>`);
  for (const line of findingLines(s)) body.push(`<li>${esc(line)}</li>`);
  for (const line of serverLogSummaryLines(s)) body.push(`<li>${esc(line)}</li>`);
  body.push('</ul>');
  const head = ['#', 'client', 'server', 'protocol', 'TLS', 'cipher', 'step reached', 'outcome', 'ended by', ...(opts.withLog ? ['log'] : []), 'diagnosis'];
  body.push(`<div class="wide"><table class="conns"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>\n`);
  yield pageStart + body.join('\n');
  let piece = '';
  let none = true;
  for (const row of rows) {
    piece += row + '\n';
    none = false;
    if (piece.length >= 1 << 16) {
      yield piece;
      piece = '';
    }
  }
  yield piece + (none ? '\n' : '') + '</tbody></table></div>';
  for (const section of sections) yield '\n' + section;
  yield pageEnd;
}

/** One connection's row of the table (with `log`: its log cell). */
export function htmlRow(r: ConnectionReport, withLog: boolean): string {
  const cells = [
    `<td data-key="${r.id}"><a href="#conn-${r.id}">${r.id}</a></td>`,
    `<td>${esc(endpoint(r.client))}</td>`,
    `<td>${esc(endpoint(r.server))}</td>`,
    `<td>${esc(r.protocol)}</td>`,
    `<td>${esc(r.tls.version ?? '—')}</td>`,
    `<td class="cipher">${esc(r.tls.cipher ?? '—').replace(/_/g, '_<wbr>')}</td>`,
    `<td data-key="${r.lastStep}">${esc(stepWords(r))}</td>`,
    `<td class="outcome">${esc(r.outcome)}</td>`,
    `<td>${esc(endWords(r))}</td>`,
    ...(withLog ? [`<td>${esc(logCell(r))}</td>`] : []),
    `<td class="diagnosis">${esc(r.diagnosis)}</td>`,
  ];
  return `<tr class="${esc(r.outcome)}">${cells.join('')}</tr>`;
}

/** A drawn connection's section: heading, diagnosis, ladder, notes, server log lines. */
export function htmlSection(r: ConnectionReport): string {
  const body: string[] = [];
  body.push(`<section class="conn" id="conn-${r.id}">`);
  body.push(`<h2>#${r.id} ${esc(endpoint(r.client))} → ${esc(endpoint(r.server))} · ${esc(r.protocol)} · ${esc(r.outcome)} at step ${esc(stepWords(r))}</h2>`);
  body.push(`<p>${esc(r.diagnosis)}</p>`);
  body.push(ladderSvg(r));
  if (r.notes.length) body.push(`<ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  const log = connectionLogLines(r);
  if (log.length > 0) body.push(`<pre class="log">${esc(log.join('\n'))}</pre>`);
  body.push('</section>');
  return body.join('\n');
}

export interface PageOptions {
  /** Styles added after the shared ones. */
  css?: string;
  /** The page's script; null for none (the default is the connections table's sorting). */
  script?: string | null;
}

/** The shared page: doctype, charset, title, the shared styles (PAGE_CSS, which includes the ladder's), the body. */
export function page(title: string, body: string, opts: PageOptions = {}): string {
  const script = opts.script === undefined ? SORT_SCRIPT : opts.script;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${PAGE_CSS}${opts.css ?? ''}</style>
</head>
<body>
${body}
${script !== null ? `<script>${script}</script>\n` : ''}</body>
</html>
`;
}


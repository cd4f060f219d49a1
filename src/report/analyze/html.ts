import { endingWords } from '../../handshake/endings.js';
import { endWords, endpoint } from '../../text/words.js';
import type { AnalysisResult } from '../../analyze/pipeline.js';
import type { ConnectionReport } from '../../handshake/report.js';
import { captureSummaryLine } from './captures.js';
import { findingLines, proxyLine, rowFlags } from './findings.js';
import { esc, LADDER_CSS, ladderSvg } from '../ladder.js';
import { connectionNumber, stepWords } from '../words.js';
import { kindOf } from './markdown.js';
import { notableGroupsLine } from './groups.js';
import { certificateLine, certificatesHeadLine, fingerprintLine } from './certificates.js';
import { toolTimeShown, type ToolInfo } from '../tool.js';
import { connectionLogLines, logCell, serverLogSummaryLines } from './serverlog-text.js';

const PAGE_CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1400px; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
table.conns { border-collapse: collapse; width: 100%; font-size: 13px; }
table.conns th, table.conns td { border: 1px solid #ddd; padding: 4px 6px; text-align: left; vertical-align: top; }
table.conns th { background: #f4f4f4; cursor: pointer; user-select: none; }
td.cipher { max-width: 16em; }
td.diagnosis { min-width: 22em; }
.flags { color: #555; font-size: 0.9em; }
pre.log { white-space: pre-wrap; font-size: 12px; background: #f7f7f7; padding: 6px; }
.wide { overflow-x: auto; }
tr.failed td.outcome { color: #b00020; font-weight: 600; }
tr.complete td.outcome { color: #1e7e34; }
.summary li { margin: 2px 0; }
section.conn { margin-top: 20px; border-top: 1px solid #ddd; padding-top: 8px; }
code { background: #f4f4f4; padding: 0 3px; }
p.tool { color: #555; font-size: 12px; }
ol.certificates, ul.problems, ul.notes { font-size: 13px; }
ol.certificates li { overflow-wrap: anywhere; }
ul.problems { color: #b00020; }
p.fingerprints { font: 12px ui-monospace, monospace; overflow-wrap: anywhere; }
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
  /** Failed connections of each kind drawn (ladder, certificates, log lines); default HTML_EXAMPLES, Infinity for all. */
  examples?: number;
  tool?: ToolInfo;
}

/** Failed connections of each kind (kindOf) the HTML report draws by default (`--examples`). */
export const HTML_EXAMPLES = 20;

/**
 * One listed connection's parts of the page: its number (`5`, `2#5`) and the key it sorts by, its row's cells
 * after the number (htmlRowCells), its section (htmlSection; '' when not made), its kind; `drawn`: drawn whatever
 * the examples (`--connection` on an HTML page).
 */
export interface HtmlEntry {
  number: string;
  key: number;
  cells: string;
  outcome: string;
  failed: boolean;
  kind: string;
  section: string;
  drawn?: boolean;
}

/** `analyze --format html`: one self-contained page (no network, no external scripts, fonts or styles). */
export function renderAnalysisHtml(result: AnalysisResult, opts: HtmlOptions = {}): string {
  const forced = new Set<ConnectionReport>(opts.connections ?? []);
  const withLog = result.connections.some((r) => r.log !== undefined);
  const files = result.captures.map((c) => c.file);
  const many = files.length > 1;
  // Sections only for what may be drawn: failed connections, up to `examples` of each kind, and those asked for.
  const examples = opts.examples ?? HTML_EXAMPLES;
  const perKind = new Map<string, number>();
  const list = result.connections.map((r): HtmlEntry => {
    const capture = many ? files.indexOf(r.capture) + 1 : null;
    const number = connectionNumber(r.id, capture);
    const drawn = forced.has(r);
    const failed = r.outcome === 'failed';
    const kind = kindOf(r);
    const n = failed ? (perKind.get(kind) ?? 0) : 0;
    if (failed) perKind.set(kind, n + 1);
    return { number, key: sortKey(r.id, capture), cells: htmlRowCells(r, withLog), outcome: r.outcome, failed, kind, section: (failed && n < examples) || drawn ? htmlSection(r, number) : '', drawn };
  });
  return [...renderAnalysisHtmlPieces(result, () => list, { title: opts.title, withLog, examples: opts.examples, tool: opts.tool })].join('');
}

/** A number the table sorts `2#5` by: the capture's place, then the connection's. */
export function sortKey(id: number, capture: number | null): number {
  return (capture ?? 0) * 1e9 + id;
}

/** `conn-5`, `conn-2-5`: an HTML id from a connection's number, unique in a report of several captures. */
export function connectionAnchor(number: string, prefix = 'conn'): string {
  return `${prefix}-${number.replace('#', '-')}`;
}

/**
 * The page in pieces. `entries` gives the listed connections' parts in output order, afresh at each call: it is
 * walked twice (the table, then the sections), so that `analyze` can read them back from disk each time. Every
 * connection has its row (id `row-2-5`); the failed ones, up to `examples` of each kind, and those `drawn`, have
 * a section (id `conn-2-5`) that their row's number links to. The pieces joined are renderAnalysisHtml's page.
 */
export function* renderAnalysisHtmlPieces(
  result: Pick<AnalysisResult, 'captures' | 'summary'>,
  entries: () => Iterable<HtmlEntry>,
  opts: { title?: string; withLog?: boolean; examples?: number; tool?: ToolInfo } = {},
): Generator<string> {
  const title = opts.title ?? `tlsdissect: ${result.captures.map((c) => c.file).join(', ')}`;
  const s = result.summary;
  const examples = opts.examples ?? HTML_EXAMPLES;
  const [pageStart, pageEnd] = page(title, '\u0000', { tool: opts.tool }).split('\u0000') as [string, string];
  const body: string[] = [];
  body.push(`<h1>${esc(title)}</h1>`);
  if (opts.tool) body.push(toolParagraph(opts.tool));
  body.push('<ul class="summary">');
  for (const c of result.captures) body.push(`<li>${esc(captureSummaryLine(c))}</li>`);
  for (const v of s.verdict ?? []) body.push(`<li><strong>verdict:</strong> ${esc(v.text)}</li>`);
  body.push(
    `<li><strong>${s.connections} connections:</strong> ${s.byOutcome.complete} complete, ${s.byOutcome.failed} failed, ${s.byOutcome['not-tls']} without TLS, ${s.byOutcome.unknown} unknown</li>`,
  );
  const steps = Object.entries(s.failedAtStep).sort((a, b) => b[1] - a[1]);
  if (steps.length) body.push(`<li>failed at step: ${esc(steps.map(([k, v]) => `${k} ×${v}`).join(', '))}</li>`);
  const hows = Object.entries(s.failedBy).map(([code, n]): [string, number] => [endingWords(code), n]).sort((a, b) => b[1] - a[1]);
  if (hows.length) body.push(`<li>ended by: ${esc(hows.map(([k, v]) => `${k} ×${v}`).join(', '))}</li>`);
  for (const line of findingLines(s)) body.push(`<li>${esc(line)}</li>`);
  for (const line of serverLogSummaryLines(s)) body.push(`<li>${esc(line)}</li>`);
  const notable = notableGroupsLine(s.notableGroups);
  if (notable) body.push(`<li>${esc(notable)}</li>`);
  body.push('</ul>');
  const head = ['#', 'client', 'server', 'protocol', 'TLS', 'cipher', 'step reached', 'outcome', 'ended by', ...(opts.withLog ? ['log'] : []), 'diagnosis'];
  body.push(`<div class="wide"><table class="conns"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>\n`);
  yield pageStart + body.join('\n');
  // Which connections get a section: the same walk decides it for the rows (their link) and for the sections.
  const drawer = () => {
    const seen = new Map<string, number>();
    return (e: HtmlEntry): boolean => {
      if (e.section === '') return false;
      if (e.drawn) return true;
      if (!e.failed) return false;
      const n = seen.get(e.kind) ?? 0;
      seen.set(e.kind, n + 1);
      return n < examples;
    };
  };
  let piece = '';
  let none = true;
  let left = 0;
  const rowDrawn = drawer();
  for (const e of entries()) {
    const drawn = rowDrawn(e);
    if (!drawn && e.failed) left++;
    const number = drawn ? `<a href="#${connectionAnchor(e.number)}">${esc(e.number)}</a>` : esc(e.number);
    piece += `<tr id="${connectionAnchor(e.number, 'row')}" class="${esc(e.outcome)}"><td data-key="${e.key}">${number}</td>${e.cells}</tr>\n`;
    none = false;
    if (piece.length >= 1 << 16) {
      yield piece;
      piece = '';
    }
  }
  yield piece + (none ? '\n' : '') + '</tbody></table></div>';
  if (left > 0) yield `\n<p class="examples">Drawn below: at most ${examples} failed connections of each kind (same step, ending and diagnosis); ${left} more are listed in the table only (<code>--examples all</code> draws every one).</p>`;
  const sectionDrawn = drawer();
  for (const e of entries()) if (sectionDrawn(e)) yield '\n' + e.section;
  yield pageEnd;
}

/** `Made by tlsdissect 0.1.0 on 2026-12-07T00:15:02Z: tlsdissect analyze …`. */
export function toolParagraph(t: ToolInfo): string {
  return `<p class="tool">Made by ${esc(`${t.name} ${t.version}`)} on <time datetime="${esc(toolTimeShown(t))}">${esc(toolTimeShown(t))}</time>: <code>${esc(t.command)}</code></p>`;
}

/** One connection's row cells after its number (with `log`: its log cell). */
export function htmlRowCells(r: ConnectionReport, withLog: boolean): string {
  const cells = [
    `<td>${esc(endpoint(r.client))}</td>`,
    `<td>${esc(endpoint(r.server))}</td>`,
    `<td>${esc(r.protocol)}</td>`,
    `<td>${esc(r.tls.version ?? '—')}</td>`,
    `<td class="cipher">${esc(r.tls.cipher ?? '—').replace(/_/g, '_<wbr>')}</td>`,
    `<td data-key="${r.lastStep}">${esc(stepWords(r))}</td>`,
    `<td class="outcome">${esc(r.outcome)}</td>`,
    `<td>${esc(endWords(r.end))}</td>`,
    ...(withLog ? [`<td>${esc(logCell(r))}</td>`] : []),
    `<td class="diagnosis">${esc(r.diagnosis)}${flagsHtml(r)}</td>`,
  ];
  return cells.join('');
}

/** The row's own facts (retried, chain problems: findings.ts) under its diagnosis, or ''. */
function flagsHtml(r: ConnectionReport): string {
  const flags = rowFlags(r).trim();
  return flags ? `<br><span class="flags">${esc(flags)}</span>` : '';
}

/** A drawn connection's section: heading, diagnosis, ladder, notes, fingerprints, certificates, server log lines. */
export function htmlSection(r: ConnectionReport, number: string = String(r.id)): string {
  const body: string[] = [];
  body.push(`<section class="conn" id="${connectionAnchor(number)}">`);
  body.push(
    `<h2><a href="#${connectionAnchor(number, 'row')}">#${esc(number)}</a> ${esc(endpoint(r.client))} → ${esc(endpoint(r.server))} · ${esc(r.protocol)} · ${esc(r.outcome)} at step ${esc(stepWords(r))}</h2>`,
  );
  if (r.proxy) body.push(`<p class="proxy">${esc(proxyLine(r.proxy))}</p>`);
  body.push(`<p>${esc(r.diagnosis)}</p>`);
  body.push(ladderSvg(r));
  if (r.notes.length) body.push(`<ul class="notes">${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  body.push(...securityHtml(r));
  const log = connectionLogLines(r);
  if (log.length > 0) body.push(`<pre class="log">${esc(log.join('\n'))}</pre>`);
  body.push('</section>');
  return body.join('\n');
}

/** The fingerprints, the certificates as sent and what is wrong with the chain (what Markdown's details show). */
function securityHtml(r: ConnectionReport): string[] {
  const out: string[] = [];
  const f = fingerprintLine(r);
  if (f) out.push(`<p class="fingerprints">${esc(f)}</p>`);
  const certs = r.certificates ?? [];
  if (certs.length > 0) {
    out.push(`<p class="certificates">${esc(certificatesHeadLine(certs))}:</p>`);
    out.push(`<ol class="certificates">${certs.map((c) => `<li>${esc(certificateLine(c))}</li>`).join('')}</ol>`);
  }
  const problems = r.chainProblems ?? [];
  if (problems.length > 0) out.push(`<ul class="problems">${problems.map((p) => `<li><strong>chain problem (${esc(p.code)}):</strong> ${esc(p.message)}</li>`).join('')}</ul>`);
  return out;
}

export interface PageOptions {
  /** Styles added after the shared ones. */
  css?: string;
  /** What made the page: named in a generator meta element. */
  tool?: ToolInfo;
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
${opts.tool ? `<meta name="generator" content="${esc(`${opts.tool.name} ${opts.tool.version}`)}">\n` : ''}<title>${esc(title)}</title>
<style>${PAGE_CSS}${opts.css ?? ''}</style>
</head>
<body>
${body}
${script !== null ? `<script>${script}</script>\n` : ''}</body>
</html>
`;
}


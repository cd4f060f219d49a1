import { endWords, endpoint, groupThousands } from '../../text/words.js';
import { AREA_WORDS, headline } from '../../diff/diff.js';
import type { DiffResult, DiffWeight, Difference, DivergenceSide } from '../../diff/types.js';
import type { ConnectionReport } from '../../handshake/report.js';
import { diffRows, LEGEND, MARK } from './rows.js';
import { page, toolParagraph } from '../analyze/html.js';
import type { ToolInfo } from '../tool.js';
import { esc, ladderMarkTop, ladderSvg, LADDER_MARK_CSS, type LadderMark } from '../ladder.js';

const DIFF_CSS = `
p.headline { font-size: 16px; font-weight: 700; margin: 8px 0 12px; }
.verdict { border-left: 4px solid #b00020; padding: 4px 12px; background: #fdf3f4; }
.verdict.none { border-left-color: #1e7e34; background: #f1f8f3; }
.verdict p { margin: 6px 0; }
table.pair td, table.pair th { border: none; padding: 2px 8px 2px 0; text-align: left; vertical-align: top; font-size: 13px; }
table.pair .chosen { color: #555; }
.ladders { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.ladders figure { margin: 0; flex: 1 1 600px; max-width: 680px; }
.ladders figcaption { font-weight: 600; margin-bottom: 4px; min-height: 2.9em; }
.ladders figure.good figcaption { color: #1e7e34; }
.ladders figure.bad figcaption { color: #b00020; }
.ladders svg { max-width: 100%; height: auto; }
table.conns th { cursor: default; }
table.diffs td.weight { white-space: nowrap; }
table.diffs tr.likely-cause td { background: #fdecea; }
table.diffs tr.likely-cause td.weight { color: #b00020; font-weight: 700; }
table.diffs tr.notable td.weight { color: #8a6d00; }
table.diffs tr.cosmetic td { color: #666; }
table.diffs td.value { max-width: 22em; overflow-wrap: anywhere; }
table.diffs summary { cursor: pointer; }
table.rows tr.section td { background: #f4f4f4; font-weight: 600; }
table.rows tr.likely-cause td { background: #fdecea; }
table.rows tr.notable td.bad { background: #fff8e1; }
table.rows td.mark { text-align: center; font-weight: 700; }
.legend { color: #555; font-size: 12px; }
${LADDER_MARK_CSS}`;

const WEIGHT_WORDS: Readonly<Record<DiffWeight, string>> = { 'likely-cause': 'likely cause', notable: 'notable', cosmetic: 'cosmetic' };

/**
 * `diff --format html`: one self-contained page (no network, no external scripts, fonts or styles, no script at
 * all): the divergence and the verdict first, the two ladder diagrams side by side with the point where they
 * part marked on both, the differences (likely causes first), what was identical, and the side-by-side rows.
 */
export function renderDiffHtml(result: DiffResult, good: ConnectionReport, bad: ConnectionReport, tool?: ToolInfo): string {
  const title = `TLS handshake diff: ${good.capture}#${good.id} (good) vs ${bad.capture}#${bad.id} (bad)`;
  const body: string[] = [];
  body.push(`<h1>${esc(title)}</h1>`);
  if (tool) body.push(toolParagraph(tool));
  body.push(`<p class="headline" id="divergence">${esc(headline(result))}.</p>`);
  body.push(verdict(result));
  body.push(pairTable(result, good, bad));

  body.push('<h2 id="ladders">The two handshakes</h2>');
  body.push('<div class="ladders">');
  const sides = [['good', good, ladderMark(result, result.divergence?.good)], ['bad', bad, ladderMark(result, result.divergence?.bad)]] as const;
  // Both bands at the same height, so the two stories read across.
  const tops = sides.map(([, r, mark]) => (mark ? ladderMarkTop(r, mark) : 0));
  sides.forEach(([label, r, mark], i) => {
    body.push(`<figure class="${label}" id="ladder-${label}">`);
    body.push(`<figcaption>${label} #${r.id} · ${esc(endpoint(r.client))} → ${esc(endpoint(r.server))} · ${esc(r.outcome)}, step ${r.lastStep} ${esc(r.lastStepName)}, ${esc(endWords(r.end))}</figcaption>`);
    body.push(ladderSvg(r, { mark, padTop: Math.max(...tops) - tops[i]! }));
    body.push('</figure>');
  });
  body.push('</div>');

  body.push('<h2 id="differences">Differences</h2>');
  body.push(differencesTable(result.differences));

  body.push('<h2 id="identical">Identical</h2>');
  body.push(result.identical.length > 0 ? `<ul>${result.identical.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>` : '<p>Nothing compared was the same.</p>');

  body.push('<h2 id="side-by-side">Side by side</h2>');
  body.push(rowsTable(result, good, bad));
  return page(title, body.join('\n'), { css: DIFF_CSS, script: null, tool });
}

/** Where the band goes on one side's ladder: after the last step both reached, with what this side did next. */
function ladderMark(result: DiffResult, side: DivergenceSide | undefined): LadderMark | undefined {
  const d = result.divergence;
  if (!d || !side) return undefined;
  const label = d.step > 0 ? `they part here, after step ${d.step} ${d.stepName}` : 'they part here, before the ClientHello';
  const end = side.kind === 'alert' || side.kind === 'fin' || side.kind === 'rst';
  return { step: d.step, label, next: { step: side.kind === 'step' ? side.step : null, by: side.by, end } };
}

function verdict(result: DiffResult): string {
  const out: string[] = [];
  const likely = result.differences.filter((d) => d.weight === 'likely-cause');
  const failed = result.bad.outcome !== 'complete';
  out.push(`<div class="verdict${failed ? '' : ' none'}">`);
  if (result.conclusion || likely.length > 0) {
    const word = result.bad.outcome === 'unknown' ? 'Note:' : 'Likely cause:';
    out.push(`<p><strong>${word}</strong>${result.conclusion ? ` ${esc(result.conclusion)}` : ''}</p>`);
    if (likely.length > 0) out.push(`<ul>${likely.map((d) => `<li>${esc(d.summary)}</li>`).join('')}</ul>`);
  }
  if (failed) out.push(`<p>On its own, the bad connection reads: ${esc(result.bad.diagnosis)}</p>`);
  else out.push(`<p>${result.good.outcome === 'complete' ? 'Both handshakes completed: no failure to explain.' : 'The connection given as bad completed and the good one did not: were they given the other way round?'}</p>`);
  if (result.differences.length === 0) out.push('<p>No differences in anything compared.</p>');
  out.push('</div>');
  return out.join('\n');
}

function pairTable(result: DiffResult, good: ConnectionReport, bad: ConnectionReport): string {
  const row = (label: string, r: ConnectionReport, chosen: string | null) =>
    `<tr><th>${label}</th><td><code>${esc(r.capture)}#${r.id}</code> ${esc(endpoint(r.client))} → ${esc(endpoint(r.server))} (${esc(r.protocol)}): ${esc(r.outcome)}, step ${r.lastStep} ${esc(r.lastStepName)}, ${esc(endWords(r.end))}${
      chosen ? `<br><span class="chosen">chosen: ${esc(chosen)}</span>` : ''
    }</td></tr>`;
  return `<table class="pair"><tbody>${row('good', good, result.good.chosen)}${row('bad', bad, result.bad.chosen)}</tbody></table>`;
}

function differencesTable(diffs: readonly Difference[]): string {
  if (diffs.length === 0) return '<p>No differences in anything compared.</p>';
  const head = ['weight', 'area', 'field', 'good', 'bad', 'in words'];
  const rows = diffs.map((d) => {
    const cells = [
      `<td class="weight">${MARK[d.weight]} ${WEIGHT_WORDS[d.weight]}</td>`,
      `<td>${esc(AREA_WORDS[d.area])}</td>`,
      `<td><code>${esc(d.field)}</code>${d.step !== undefined ? ` (step ${d.step})` : ''}</td>`,
      `<td class="value">${valueHtml(d.good)}</td>`,
      `<td class="value">${valueHtml(d.bad)}${changesHtml(d)}</td>`,
      `<td>${esc(d.summary)}</td>`,
    ];
    return `<tr class="${d.weight}" data-weight="${d.weight}">${cells.join('')}</tr>`;
  });
  return `<div class="wide"><table class="conns diffs"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table></div>`;
}

/** Lists longer than this fold into a <details> (readable without JavaScript). */
const FOLD = 6;

function valueHtml(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (Array.isArray(v)) {
    if (v.length === 0) return 'none';
    const items = v.map((x) => esc(plainValue(x)));
    if (items.length <= FOLD) return items.join(', ');
    return `<details><summary>${v.length} items: ${items.slice(0, 2).join(', ')}, …</summary>${items.join(', ')}</details>`;
  }
  return esc(plainValue(v));
}

function plainValue(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return groupThousands(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(plainValue).join(', ');
  return Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${k}: ${typeof x === 'object' && x !== null ? JSON.stringify(x) : plainValue(x)}`)
    .join('; ');
}

function changesHtml(d: Difference): string {
  const parts: string[] = [];
  // When everything is added (or dropped) the cell itself says it.
  const whole = (part: string[], all: unknown) => Array.isArray(all) && part.length === all.length;
  if (d.added && d.added.length > 0 && !whole(d.added, d.bad)) parts.push(`adds ${esc(d.added.join(', '))}`);
  if (d.removed && d.removed.length > 0 && !whole(d.removed, d.good)) parts.push(`drops ${esc(d.removed.join(', '))}`);
  if (d.reordered) parts.push('another order');
  return parts.length > 0 ? `<br><em>${parts.join('; ')}</em>` : '';
}

/** The text report's two columns, as a table: the steps, how each ended, the ClientHello, the server, certificates, TCP, alerts. */
function rowsTable(result: DiffResult, good: ConnectionReport, bad: ConnectionReport): string {
  const out: string[] = [];
  out.push(`<div class="wide"><table class="conns rows"><thead><tr><th></th><th></th><th>good #${good.id}</th><th>bad #${bad.id}</th></tr></thead><tbody>`);
  let section = '';
  for (const r of diffRows(result, good, bad)) {
    if (r.section !== section) {
      section = r.section;
      out.push(`<tr class="section"><td></td><td colspan="3">${esc(section === 'steps' ? 'steps (time since ClientHello)' : section)}</td></tr>`);
    }
    const cls = r.weight ?? 'same';
    out.push(`<tr class="${cls}"><td class="mark">${r.weight ? MARK[r.weight] : ''}</td><td>${esc(r.label)}</td><td>${esc(r.good)}</td><td class="bad">${esc(r.bad)}</td></tr>`);
  }
  out.push('</tbody></table></div>');
  out.push(`<p class="legend">${esc(LEGEND)}</p>`);
  return out.join('\n');
}

import { endpoint } from '../../text/words.js';
import { headline } from '../../diff/diff.js';
import type { DiffResult } from '../../diff/types.js';
import type { ConnectionReport } from '../../handshake/report.js';
import { diffRows, LEGEND, MARK } from './rows.js';
import { cell, markdownToolLine, markupTable } from '../analyze/markdown.js';
import { markdownCode } from '../../text/markdown.js';
import type { ToolInfo } from '../tool.js';
import { verdictBlocks } from './text.js';

/** `diff --format markdown`: ready to paste into a ticket. */
export function renderDiffMarkdown(result: DiffResult, good: ConnectionReport, bad: ConnectionReport, tool?: ToolInfo): string {
  const out: string[] = [];
  // Every value from the captures is made inert (src/text/markdown.ts); the markup around it is ours.
  out.push(`## TLS handshake diff: ${markdownCode(`${good.capture}#${good.id}`)} (good) vs ${markdownCode(`${bad.capture}#${bad.id}`)} (bad)`);
  out.push('');
  if (tool) out.push(markdownToolLine(tool), '');
  out.push(`**${cell(headline(result))}.**`);
  out.push('');
  const rows: string[][] = [
    ['', 'connection', `${endpoint(good.client)} → ${endpoint(good.server)} (${good.protocol})`, `${endpoint(bad.client)} → ${endpoint(bad.server)} (${bad.protocol})`],
    ['', 'outcome', `${good.outcome}, step ${good.lastStep} ${good.lastStepName}`, `${bad.outcome}, step ${bad.lastStep} ${bad.lastStepName}`],
  ].map((r) => r.map(cell));
  if (result.good.chosen || result.bad.chosen) rows.push(['', 'chosen', result.good.chosen ?? 'named', result.bad.chosen ?? 'named'].map(cell));
  let section = '';
  for (const r of diffRows(result, good, bad)) {
    const label = r.section !== section ? `**${cell(r.section)}** ${cell(r.label)}` : cell(r.label);
    section = r.section;
    const mark = r.weight ? `**${cell(MARK[r.weight])}**` : '';
    rows.push([mark, label, cell(r.good), r.weight && r.bad.trim() !== '' ? `**${cell(r.bad)}**` : cell(r.bad)]);
  }
  out.push(markupTable(['', '', `good #${good.id}`, `bad #${bad.id}`], rows));
  out.push('');
  out.push(`<sub>${cell(LEGEND)}</sub>`);
  out.push('');
  const blocks = verdictBlocks(result);
  for (const line of blocks) {
    const item = /^ {2}[!≠~=] (.*)$/.exec(line);
    if (item) out.push(`- ${cell(item[1]!)}`);
    else {
      const m = /^([A-Z][^:]*:)(.*)$/.exec(line);
      out.push('', m ? `**${cell(m[1]!)}**${cell(m[2]!)}` : cell(line), '');
    }
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

import { headline } from '../diff/diff.js';
import type { DiffResult } from '../diff/types.js';
import type { ConnectionReport } from '../handshake/report.js';
import { diffRows, LEGEND, MARK } from './diff-rows.js';
import { cell, table } from './markdown.js';
import { endpoint } from './words.js';
import { verdictBlocks } from './diff-text.js';

/** `diff --format markdown`: ready to paste into a ticket. */
export function renderDiffMarkdown(result: DiffResult, good: ConnectionReport, bad: ConnectionReport): string {
  const out: string[] = [];
  out.push(`## TLS handshake diff: \`${cell(good.capture)}#${good.id}\` (good) vs \`${cell(bad.capture)}#${bad.id}\` (bad)`);
  out.push('');
  out.push(`**${cell(headline(result))}.**`);
  out.push('');
  const rows: string[][] = [
    ['', 'connection', `${endpoint(good.client)} → ${endpoint(good.server)} (${good.protocol})`, `${endpoint(bad.client)} → ${endpoint(bad.server)} (${bad.protocol})`],
    ['', 'outcome', `${good.outcome}, step ${good.lastStep} ${good.lastStepName}`, `${bad.outcome}, step ${bad.lastStep} ${bad.lastStepName}`],
  ];
  if (result.good.chosen || result.bad.chosen) rows.push(['', 'chosen', result.good.chosen ?? 'named', result.bad.chosen ?? 'named']);
  let section = '';
  for (const r of diffRows(result, good, bad)) {
    const label = r.section !== section ? `**${r.section}** ${r.label}` : r.label;
    section = r.section;
    const mark = r.weight ? `**${MARK[r.weight]}**` : '';
    rows.push([mark, label, r.good, r.weight ? `**${r.bad}**` : r.bad]);
  }
  out.push(table(['', '', `good #${good.id}`, `bad #${bad.id}`], rows));
  out.push('');
  out.push(`<sub>${LEGEND}</sub>`);
  out.push('');
  const blocks = verdictBlocks(result);
  for (const line of blocks) {
    const item = /^ {2}[!≠~=] (.*)$/.exec(line);
    if (item) out.push(`- ${item[1]}`);
    else {
      const m = /^([A-Z][^:]*:)(.*)$/.exec(line);
      out.push('', m ? `**${m[1]}**${m[2]}` : line, '');
    }
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

import Table from 'cli-table3';
import { headline } from '../diff/diff.js';
import type { ConnectionReport } from '../handshake/report.js';
import type { DiffResult, DiffWeight } from '../diff/types.js';
import { connectionLine, diffRows, LEGEND, MARK } from './diff-rows.js';

export interface DiffTextOptions {
  /** Terminal width to fit the table into. */
  width?: number;
  /** ANSI colour (only on a terminal). */
  color?: boolean;
}

const COLOUR: Readonly<Record<DiffWeight, string>> = { 'likely-cause': '\u001b[31m', notable: '\u001b[33m', cosmetic: '\u001b[2m' };
const BOLD = '\u001b[1m';
const RESET = '\u001b[0m';

/**
 * `diff` as text: the divergence first, the two connections, then two columns (good, bad) with rows aligned by
 * handshake step and differences marked, then the likely cause, the other differences and what was identical.
 */
export function renderDiffText(result: DiffResult, good: ConnectionReport, bad: ConnectionReport, opts: DiffTextOptions = {}): string {
  const color = opts.color ?? false;
  const paint = (s: string, w: DiffWeight | null) => (color && w ? `${COLOUR[w]}${s}${RESET}` : s);
  const out: string[] = [];
  out.push(color ? `${BOLD}${headline(result)}${RESET}` : headline(result));
  out.push('');
  out.push(`good: ${connectionLine(good)}`);
  if (result.good.chosen) out.push(`      chosen: ${result.good.chosen}`);
  out.push(`bad:  ${connectionLine(bad)}`);
  if (result.bad.chosen) out.push(`      chosen: ${result.bad.chosen}`);
  out.push('');

  const width = Math.max(90, opts.width ?? 140);
  const labelWidth = 33;
  const valueWidth = Math.floor((width - labelWidth - 3 - 5) / 2);
  const table = new Table({
    head: ['', '', `good #${good.id}`, `bad #${bad.id}`],
    colWidths: [3, labelWidth, valueWidth, valueWidth],
    wordWrap: true,
    // One line per row: the rows are short, and a line between each would double the table's height.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: { head: color ? ['bold'] : [], border: color ? ['grey'] : [] },
  });
  let section = '';
  for (const r of diffRows(result, good, bad)) {
    if (r.section !== section) {
      section = r.section;
      const title = section === 'steps' ? 'steps (time since ClientHello)' : section;
      // A plain row, not a spanned cell: cli-table3 draws spans with row separators, which this table has none of.
      table.push(['', color ? `${BOLD}${title}${RESET}` : title.toUpperCase(), '', '']);
    }
    table.push([paint(r.weight ? MARK[r.weight] : '', r.weight), paint(r.label, r.weight), r.good, paint(r.bad, r.weight)]);
  }
  out.push(table.toString());
  out.push(LEGEND);
  out.push('');
  out.push(...verdictBlocks(result, (s, w) => paint(s, w)));
  return out.join('\n') + '\n';
}

/** The verdict as blocks of lines: likely cause, what the bad connection says alone, other differences, cosmetic, identical. */
export function verdictBlocks(result: DiffResult, paint: (s: string, w: DiffWeight | null) => string = (s) => s): string[] {
  const lines: string[] = [];
  const of = (w: DiffWeight) => result.differences.filter((d) => d.weight === w);
  const likely = of('likely-cause');
  if (result.conclusion || likely.length > 0) {
    lines.push(paint(result.bad.outcome === 'unknown' ? 'Note:' : 'Likely cause:', 'likely-cause') + (result.conclusion ? ` ${result.conclusion}` : ''));
    for (const d of likely) lines.push(`  ! ${d.summary}`);
  }
  if (result.bad.outcome !== 'complete') lines.push(`On its own, the bad connection reads: ${result.bad.diagnosis}`);
  else lines.push(result.good.outcome === 'complete' ? 'Both handshakes completed: no failure to explain.' : 'The connection given as bad completed and the good one did not: were they given the other way round?');
  const notable = of('notable');
  if (notable.length > 0) {
    lines.push('Other differences:');
    for (const d of notable) lines.push(`  ≠ ${d.summary}`);
  }
  const cosmetic = of('cosmetic');
  if (cosmetic.length > 0) {
    lines.push('Cosmetic:');
    for (const d of cosmetic) lines.push(`  ~ ${d.summary}`);
  }
  if (result.differences.length === 0) lines.push('No differences in anything compared.');
  if (result.identical.length > 0) {
    lines.push('Identical:');
    for (const s of result.identical) lines.push(`  = ${s}`);
  }
  return lines;
}

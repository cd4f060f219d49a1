import { headline } from '../../diff/diff.js';
import type { ConnectionReport } from '../../handshake/report.js';
import type { DiffResult, DiffWeight } from '../../diff/types.js';
import { connectionLine, diffRows, LEGEND, MARK, type DiffRow } from './rows.js';
import { displayWidth, foldLine } from '../fit-table.js';
import { terminalSafeLine } from '../../text/terminal.js';

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
 * On a terminal every line fits its width: a value too long for its column goes on under itself (a value cut
 * short could hide the very difference the row is there for); on a pipe or file each row is one whole line.
 * Every value from the captures is made terminal-safe.
 */
export function renderDiffText(result: DiffResult, good: ConnectionReport, bad: ConnectionReport, opts: DiffTextOptions = {}): string {
  const color = opts.color ?? false;
  const width = opts.width;
  const paint = (s: string, w: DiffWeight | null) => (color && w && s ? `${COLOUR[w]}${s}${RESET}` : s);
  const out: string[] = [];
  const fold = (line: string, indent = 6) => foldLine(line, width, indent);
  const head = fold(headline(result), 0);
  out.push(...(color ? head.map((l) => `${BOLD}${l}${RESET}`) : head));
  out.push('');
  out.push(...fold(`good: ${connectionLine(good)}`));
  if (result.good.chosen) out.push(...fold(`      chosen: ${result.good.chosen}`, 14));
  out.push(...fold(`bad:  ${connectionLine(bad)}`));
  if (result.bad.chosen) out.push(...fold(`      chosen: ${result.bad.chosen}`, 14));
  out.push('');

  const rows = diffRows(result, good, bad);
  const titles = new Map<string, string>();
  for (const r of rows) titles.set(r.section, (r.section === 'steps' ? 'steps (time since ClientHello)' : r.section).toUpperCase());
  const goodHead = `good #${good.id}`;
  const badHead = `bad #${bad.id}`;
  const natural = (f: (r: DiffRow) => string, headText: string) => Math.max(displayWidth(headText), ...rows.map((r) => displayWidth(terminalSafeLine(f(r)))));
  let labelWidth = Math.max(natural((r) => r.label, ''), ...[...titles.values()].map(displayWidth));
  let goodWidth = natural((r) => r.good, goodHead);
  let badWidth = natural((r) => r.bad, badHead);
  const GAP = 2;
  if (width !== undefined && 1 + labelWidth + goodWidth + badWidth + 3 * GAP > width) {
    labelWidth = Math.min(labelWidth, Math.max(12, Math.floor((width - 1 - 3 * GAP) / 3)));
    const room = width - 1 - labelWidth - 3 * GAP;
    // The two sides share what is left, a side that needs less than half giving the rest to the other.
    const half = Math.floor(room / 2);
    if (goodWidth <= half) badWidth = Math.min(badWidth, room - goodWidth);
    else if (badWidth <= half) goodWidth = Math.min(goodWidth, room - badWidth);
    else {
      goodWidth = half;
      badWidth = room - half;
    }
  }
  const cell = (text: string, w: number) => (width === undefined ? [terminalSafeLine(text)] : foldLine(text, w, 0).flatMap((l) => splitWide(l, w)));
  const line = (mark: string, label: string, g: string, b: string, weight: DiffWeight | null, bold = false) => {
    const parts = [cell(label, labelWidth), cell(g, goodWidth), cell(b, badWidth)];
    const height = Math.max(...parts.map((p) => p.length));
    for (let i = 0; i < height; i++) {
      const l = parts[0]![i] ?? '';
      const gv = parts[1]![i] ?? '';
      const bv = parts[2]![i] ?? '';
      const labelText = bold && color && l ? `${BOLD}${l}${RESET}` : paint(l, weight);
      const text = `${i === 0 ? paint(mark || ' ', weight) : ' '}  ${labelText}${' '.repeat(Math.max(0, labelWidth - displayWidth(l)))}  ${gv}${' '.repeat(Math.max(0, goodWidth - displayWidth(gv)))}  ${paint(bv, weight)}`;
      out.push(text.trimEnd());
    }
  };
  line('', '', goodHead, badHead, null, true);
  out.push('─'.repeat(Math.min(width ?? Infinity, 1 + labelWidth + goodWidth + badWidth + 3 * GAP)));
  let section = '';
  for (const r of rows) {
    if (r.section !== section) {
      section = r.section;
      line('', titles.get(section)!, '', '', null, true);
    }
    line(r.weight ? MARK[r.weight] : '', r.label, r.good, r.bad, r.weight);
  }
  out.push(...fold(LEGEND));
  out.push('');
  // The verdict's sentences carry names from the captures: each made safe and folded, the colour put on after.
  for (const l of verdictBlocks(result)) {
    const folded = fold(l, 4);
    const prefix = /^(Likely cause:|Note:)/.exec(folded[0]!);
    if (prefix && color) folded[0] = paint(prefix[1]!, 'likely-cause') + folded[0]!.slice(prefix[1]!.length);
    out.push(...folded);
  }
  return out.join('\n') + '\n';
}

/** A folded line still wider than `w` (one long word): cut into pieces of `w` columns. */
function splitWide(line: string, w: number): string[] {
  if (displayWidth(line) <= w) return [line];
  const out: string[] = [];
  let current = '';
  for (const ch of line) {
    if (displayWidth(current + ch) > w) {
      out.push(current);
      current = '';
    }
    current += ch;
  }
  if (current) out.push(current);
  return out;
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

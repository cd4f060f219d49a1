/**
 * Tables that fit the terminal they are printed on. A table is one line per row, columns separated by two
 * spaces, never a cell wrapped onto a second line: on a terminal of `width` columns the columns are shortened
 * (each by its own compact forms: an address without its port, an abbreviated word, then `…`) and, when that
 * is not enough, the least useful dropped, until every line fits. Without a width (a pipe, a file) every
 * column takes its natural width and nothing is cut: one line per row, whole, for grep.
 *
 * The widths are chosen before the first row is drawn, from each column's natural width (its widest cell,
 * learned as the rows were made: ColumnWidths) and the terminal's: the rows can be drawn as they come.
 * Every cell goes through terminalSafeLine first: its text may be a stranger's.
 */
import { createRequire } from 'node:module';
import { terminalSafeLine } from '../text/terminal.js';

const strlen = (createRequire(import.meta.url)('cli-table3/src/utils.js') as { strlen(text: string): number }).strlen;

/** Text whose display width is its length (no wide or combining character, no escape). */
const NARROW = /^[\x20-\x7e\xa0-\u02ff\u2010-\u2027\u2190-\u21ff\u2260-\u2265\u2500-\u257f]*$/;

/** Display width in terminal columns: East Asian wide characters count 2, combining marks 0. */
export function displayWidth(text: string): number {
  return NARROW.test(text) ? text.length : strlen(text);
}

/** The longest start of `text` that fits `width` columns, with `…` when something was cut. */
export function truncateTo(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 0) return '';
  if (NARROW.test(text)) return text.slice(0, width - 1) + '…';
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = strlen(ch);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return out + '…';
}

/**
 * One prose line (a header, a summary line, a diagnosis) folded at word boundaries into lines of at most
 * `width` columns, the continuation lines indented by `indent` spaces; a word longer than a line is cut across
 * lines. Without a width the line is returned whole. The text is made terminal-safe first.
 */
export function foldLine(line: string, width: number | undefined, indent = 2): string[] {
  const text = terminalSafeLine(line);
  if (width === undefined || displayWidth(text) <= width) return [text];
  const pad = ' '.repeat(Math.min(indent, Math.max(0, width - 10)));
  const out: string[] = [];
  let current = '';
  let room = width;
  const push = () => {
    out.push(current.trimEnd());
    current = pad;
    room = width - pad.length;
  };
  for (const word of text.split(/(?<= )/)) {
    let w = displayWidth(word);
    const bare = displayWidth(word.trimEnd());
    if (bare <= room) {
      current += word;
      room -= w;
      continue;
    }
    if (current.trim() !== '' && bare <= width - pad.length) {
      push();
      current += word;
      room -= w;
      continue;
    }
    // A word longer than a whole line: cut it where the line ends.
    for (const ch of word) {
      w = displayWidth(ch);
      if (w > room && current.trim() !== '') push();
      current += ch;
      room -= w;
    }
  }
  if (current.trim() !== '') out.push(current.trimEnd());
  return out;
}

export interface FitColumn {
  head: string;
  /** The heading when the column is narrower than `head`. */
  shortHead?: string;
  /** Narrowest width worth showing (the column is dropped rather than made narrower). */
  min: number;
  /** Dropped in this order (1 first) when the terminal is too narrow; absent: never dropped. */
  drop?: number;
  /** Shortened in this order (1 first); absent: never shortened (numbers), dropped whole if it must go. */
  shrink?: number;
  align?: 'left' | 'right';
  /**
   * The width of the column's compact forms (`fit`): once shortened at all it is made this narrow at once (the
   * compact form needs no more), and what that frees goes to the other columns.
   */
  snap?: number;
  /**
   * The cell for a given width: its longest compact form that fits (e.g. the address without the port); the
   * table cuts what still does not fit with `…`. The default is the cell itself.
   */
  fit?: (cell: string, width: number) => string;
  /** Left out when no row has anything in it (a column of flags most rows lack). */
  optional?: boolean;
}

/** Columns' natural widths (widest cell, terminal-safe), learned as rows are made; mergeable across threads. */
export class ColumnWidths {
  readonly widths: number[];
  /** `heads`: one per column (their widths are fitTable's business: a heading may be shortened). */
  constructor(heads: readonly string[]) {
    this.widths = heads.map(() => 0);
  }
  see(cells: readonly string[]): void {
    for (let x = 0; x < cells.length && x < this.widths.length; x++) {
      const w = displayWidth(terminalSafeLine(cells[x]!));
      if (w > this.widths[x]!) this.widths[x] = w;
    }
  }
  merge(widths: readonly number[]): void {
    for (let x = 0; x < widths.length && x < this.widths.length; x++) if (widths[x]! > this.widths[x]!) this.widths[x] = widths[x]!;
  }
}

const GAP = '  ';

export interface FittedTable {
  /** Each column's width, null when dropped. */
  widths: (number | null)[];
  /** The header line (and the rule under it). */
  head(): string[];
  /** One row as one line; `paint` colours a fitted cell (called with its column index) after it was measured. */
  line(cells: readonly string[], paint?: (column: number, text: string) => string): string;
}

/**
 * Column widths for a terminal `width` columns wide (undefined: as wide as the cells need). `natural`: each
 * column's widest cell (ColumnWidths). The last shown column is not padded.
 */
export function fitTable(columns: readonly FitColumn[], natural: readonly number[], width: number | undefined): FittedTable {
  // A column's width with its full heading, and with its short heading (the first thing given up).
  const nat = columns.map((c, x) => Math.max(natural[x] ?? 0, displayWidth(c.head), 1));
  const compact = columns.map((c, x) => Math.max(natural[x] ?? 0, displayWidth(c.shortHead ?? c.head), 1));
  const dropOrder = columns
    .map((c, x) => ({ x, d: c.drop }))
    .filter((c) => c.d !== undefined)
    .sort((a, b) => a.d! - b.d!)
    .map((c) => c.x);
  const shrinkOrder = columns
    .map((c, x) => ({ x, s: c.shrink }))
    .filter((c) => c.s !== undefined)
    .sort((a, b) => a.s! - b.s!)
    .map((c) => c.x);
  const kept = columns.map((c, x) => !(c.optional && !((natural[x] ?? 0) > 0)));
  let widths: (number | null)[] = nat.map((w, x) => (kept[x] ? w : null));
  if (width !== undefined) {
    const total = (ws: (number | null)[]) => {
      const shown = ws.filter((w): w is number => w !== null);
      return shown.reduce((a, b) => a + b, 0) + GAP.length * Math.max(0, shown.length - 1);
    };
    const floorOf = (x: number) => (columns[x]!.shrink === undefined ? compact[x]! : Math.min(columns[x]!.min, compact[x]!));
    const mins = () => columns.map((c, x) => (kept[x] ? floorOf(x) : null));
    let dropped = 0;
    while (total(mins()) > width && dropped < dropOrder.length) kept[dropOrder[dropped++]!] = false;
    widths = nat.map((w, x) => (kept[x] ? w : null));
    let excess = total(widths) - width;
    for (let x = 0; x < columns.length && excess > 0; x++) {
      if (widths[x] === null) continue;
      const cut = Math.min(excess, widths[x]! - compact[x]!);
      widths[x] = widths[x]! - cut;
      excess -= cut;
    }
    const shrunk: number[] = [];
    // Twice through the columns in their order: first a column with compact forms goes no narrower than them
    // (snap), then any column goes down to its narrowest.
    for (const pass of [1, 2]) {
      for (const x of shrinkOrder) {
        if (excess <= 0) break;
        if (widths[x] === null) continue;
        const snap = columns[x]!.snap;
        let floor = floorOf(x);
        if (pass === 1 && snap !== undefined) floor = Math.max(floor, Math.min(snap, compact[x]!));
        let cut = Math.min(excess, widths[x]! - floor);
        if (cut <= 0) continue;
        // Once shortened at all, a column with compact forms takes their width at once.
        if (snap !== undefined && widths[x]! - cut > snap) cut = widths[x]! - Math.max(floor, snap);
        else if (snap === undefined && !shrunk.includes(x)) shrunk.push(x);
        widths[x] = widths[x]! - cut;
        excess -= cut;
      }
    }
    // Room a snapped column freed goes back to the columns shortened before it, the last shortened first.
    for (const x of shrunk.reverse()) {
      if (excess >= 0) break;
      const back = Math.min(-excess, compact[x]! - widths[x]!);
      widths[x] = widths[x]! + back;
      excess += back;
    }
    // A terminal narrower than every kept column at its narrowest: the last columns give up the rest.
    for (let x = columns.length - 1; x >= 0 && excess > 0; x--) {
      if (widths[x] === null) continue;
      const cut = Math.min(excess, widths[x]! - 1);
      widths[x] = widths[x]! - cut;
      excess -= cut;
    }
  }
  const lastShown = widths.reduce<number>((last, w, x) => (w !== null ? x : last), -1);
  const fitCell = (x: number, cell: string): string => {
    const w = widths[x]!;
    const safe = terminalSafeLine(cell);
    if (width === undefined) return safe;
    const fitted = columns[x]!.fit ? terminalSafeLine(columns[x]!.fit!(cell, w)) : safe;
    return truncateTo(fitted, w);
  };
  const place = (x: number, text: string, painted: string): string => {
    const w = widths[x]!;
    const room = Math.max(0, w - displayWidth(text));
    if (columns[x]!.align === 'right') return ' '.repeat(room) + painted;
    return x === lastShown ? painted : painted + ' '.repeat(room);
  };
  return {
    widths,
    head() {
      const parts: string[] = [];
      for (let x = 0; x < columns.length; x++) {
        if (widths[x] === null) continue;
        const c = columns[x]!;
        const w = widths[x]!;
        const text = displayWidth(c.head) <= w || !c.shortHead ? truncateTo(c.head, w) : truncateTo(c.shortHead, w);
        parts.push(place(x, text, text));
      }
      const headLine = parts.join(GAP).trimEnd();
      const ruleWidth = widths.reduce<number>((a, w) => a + (w ?? 0), 0) + GAP.length * Math.max(0, widths.filter((w) => w !== null).length - 1);
      return [headLine, '─'.repeat(Math.max(displayWidth(headLine), width === undefined ? ruleWidth : Math.min(ruleWidth, width)))];
    },
    line(cells, paint) {
      let out = '';
      let first = true;
      for (let x = 0; x < columns.length; x++) {
        if (widths[x] === null) continue;
        const text = fitCell(x, cells[x] ?? '');
        if (!first) out += GAP;
        first = false;
        out += place(x, text, paint ? paint(x, text) : text);
      }
      return out.trimEnd();
    },
  };
}

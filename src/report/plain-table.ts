import { createRequire } from 'node:module';
import Table from 'cli-table3';

/**
 * cli-table3's tables, drawn in linear time. cli-table3 lays out every cell for row and column spans, which
 * costs it about a millisecond a row and grows faster than the row count (8,000 rows: 9 s): far too slow for
 * the tens of thousands of connections of a large capture. Our tables have no spans, no colours (those go to
 * cli-table3 itself) and one style, so they can be drawn directly. The output is byte for byte cli-table3's
 * (test/report/plain-table.test.ts compares them): its own functions wrap, measure and truncate the text.
 */

interface CliTableUtils {
  strlen(text: string): number;
  truncate(text: string, length: number, symbol?: string): string;
  wordWrap(maxLength: number, text: string, wrapOnWordBoundary?: boolean): string[];
}

const utils = createRequire(import.meta.url)('cli-table3/src/utils.js') as CliTableUtils;

export interface PlainTableOptions {
  head: string[];
  /** Column widths, padding included; computed from the content when absent (cli-table3's rule). */
  colWidths?: number[];
  /** Wrap cells to their column's width on word boundaries (needs colWidths). */
  wordWrap?: boolean;
}

/**
 * Text whose width is its length: printable ASCII, Latin letters and the dashes, arrows, quotes and math
 * signs the reports use, all one column wide for string-width too; no escape sequence, no line break.
 */
const NARROW = /^[\x20-\x7e\xa0-\u02ff\u2010-\u2027\u2190-\u21ff\u2260-\u2265\u2500-\u257f]*$/;

/** Runs of spaces, made once each: every cell of every row is padded with one (tens of MB of garbage a GB). */
const SPACES: string[] = [];

function spaces(n: number): string {
  // Only a line's width worth: a cell thousands of characters wide is padded the plain way.
  return n <= 512 ? (SPACES[n] ??= ' '.repeat(n)) : ' '.repeat(n);
}

/** A cell's width in columns, as cli-table3 measures it. */
export function cellWidth(text: string): number {
  return width(text);
}

function width(text: string): number {
  return NARROW.test(text) ? text.length : utils.strlen(text);
}

/** cli-table3's wordWrap (utils.js) for one line of NARROW text, where a word's width is its length. */
function wrapNarrow(maxLength: number, input: string): string[] {
  const lines: string[] = [];
  const split = input.split(/(\s+)/g);
  let line: string[] = [];
  let lineLength = 0;
  let whitespace: string | undefined;
  for (let i = 0; i < split.length; i += 2) {
    const word = split[i]!;
    let newLength = lineLength + word.length;
    if (lineLength > 0 && whitespace) newLength += whitespace.length;
    if (newLength > maxLength) {
      if (lineLength !== 0) lines.push(line.join(''));
      line = [word];
      lineLength = word.length;
    } else {
      line.push(whitespace || '', word);
      lineLength = newLength;
    }
    whitespace = split[i + 1];
  }
  if (lineLength) lines.push(line.join(''));
  return lines;
}

/**
 * The table cli-table3 draws with these options and `style: { head: [], border: [] }` (padding 1 each side,
 * left-aligned, top-aligned, the default box characters).
 */
export function renderPlainTable(opts: PlainTableOptions, rows: readonly (readonly string[])[]): string {
  const all: string[][] = [opts.head.map(String), ...rows.map((r) => r.map(String))];
  for (const row of all) {
    for (const cell of row) {
      // Escape sequences (colours, links) are cli-table3's business.
      if (cell.includes('\u001b')) return cliTable3(opts, rows);
    }
  }
  const columns = all[0]!.length;
  // Short rows are filled in by cli-table3's layout: leave them to it.
  if (all.some((r) => r.length !== columns)) return cliTable3(opts, rows);
  const widths: number[] = [];
  for (let x = 0; x < columns; x++) {
    const fixed = opts.colWidths?.[x];
    if (typeof fixed === 'number') {
      widths.push(fixed);
      continue;
    }
    let w = 1;
    for (const row of all) {
      if (x < row.length) w = Math.max(w, width(row[x]!) + 2);
    }
    widths.push(w);
  }
  const horizontal = widths.map((w) => '─'.repeat(w));
  const top = `┌${horizontal.join('┬')}┐`;
  const between = `├${horizontal.join('┼')}┤`;
  const bottom = `└${horizontal.join('┴')}┘`;
  const out: string[] = [];
  for (let y = 0; y < all.length; y++) {
    const row = all[y]!;
    out.push(y === 0 ? top : between);
    const cellLines: string[][] = [];
    let height = 1;
    for (let x = 0; x < row.length; x++) {
      const content = row[x]!;
      const fixed = opts.colWidths?.[x];
      let lines: string[];
      const wrap = opts.wordWrap === true && typeof fixed === 'number' && fixed > 0;
      if (!NARROW.test(content)) lines = wrap ? utils.wordWrap(fixed! - 2, content, true) : content.split('\n');
      else if (!wrap) lines = [content];
      // What wrapping gives for text that fits (wordWrap drops a blank line altogether).
      else if (content.length <= fixed! - 2 && /\S/.test(content)) lines = [content];
      else lines = wrapNarrow(fixed! - 2, content);
      cellLines.push(lines);
      if (lines.length > height) height = lines.length;
    }
    for (let line = 0; line < height; line++) {
      let text = '│';
      for (let x = 0; x < row.length; x++) {
        const room = widths[x]! - 2;
        const lines = cellLines[x]!;
        if (line >= lines.length) {
          text += spaces(widths[x]!) + '│';
          continue;
        }
        let content = lines[line]!;
        let w = width(content);
        if (w > room) {
          content = NARROW.test(content) ? content.slice(0, Math.max(0, room - 1)) + '…' : utils.truncate(content, room);
          w = width(content);
        }
        text += ' ' + content + (room > w ? spaces(room - w) : '') + ' │';
      }
      out.push(text);
    }
  }
  out.push(bottom);
  return out.join('\n');
}

function cliTable3(opts: PlainTableOptions, rows: readonly (readonly string[])[]): string {
  const table = new Table({
    head: opts.head,
    ...(opts.colWidths ? { colWidths: opts.colWidths } : {}),
    ...(opts.wordWrap ? { wordWrap: true, wrapOnWordBoundary: true } : {}),
    style: { head: [], border: [] },
  });
  for (const r of rows) table.push([...r]);
  return table.toString();
}

/**
 * A table too long to draw at once, drawn `rowsPerPiece` rows at a time by `draw` and stitched together at the
 * row separators. Right only when every column has a fixed width (colWidths), so that a row is drawn the same
 * whatever the other rows hold. Pieces are kept under V8's large-object size (128 KiB) by the callers' choice of
 * rows per piece: once written, such a piece is collected with the young generation, where larger ones pile up
 * until the next full collection.
 */
export function* tableInPieces(draw: (rows: string[][]) => string, rows: Iterable<string[]>, rowsPerPiece: number): Generator<string> {
  let batch: string[][] = [];
  let first = true;
  let bottom = '';
  const piece = (): string => {
    const table = draw(batch);
    const end = table.lastIndexOf('\n└');
    bottom = table.slice(end);
    const text = first ? table.slice(0, end) : '\n' + table.slice(table.indexOf('\n├') + 1, end);
    first = false;
    batch = [];
    return text;
  };
  for (const row of rows) {
    batch.push(row);
    if (batch.length >= rowsPerPiece) yield piece();
  }
  if (batch.length > 0) yield piece();
  yield bottom;
}


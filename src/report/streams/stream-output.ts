/**
 * `streams` output written without keeping the rows: each connection's row is put aside on disk (spill.ts) as
 * its connection closes, with the widths of its table cells; at the end the rows are read back in order
 * (captures as given, connections by number) behind the capture lines, which only then are known. Memory
 * holds 20 bytes per connection (spill.ts). The output is byte for byte renderStreamsText's or
 * renderStreamsJson's of the whole result (test/helpers/render-whole.ts, test/report/streams/stream-output.test.ts).
 */
import type { StreamRow } from '../../tcp/streams.js';
import type { StreamsCapture } from '../../tcp/collect.js';
import { outputOrder } from '../../tcp/collect.js';
import { ColumnWidths } from '../fit-table.js';
import { Spill } from '../../analyze/spill.js';
import { STREAMS_HEAD, streamsJsonHead, streamsTable, streamsTableRow, streamsTextHead } from './render.js';

type Row = StreamRow & { capture: string };

export class StreamsOutput {
  private readonly spill = new Spill();
  /** Columns' natural widths: of the head and every row so far (the table is fitted to them and the terminal). */
  private readonly widths = new ColumnWidths(STREAMS_HEAD);

  constructor(
    private readonly format: 'text' | 'json',
    private readonly files: readonly string[],
    /** Rows drawn at a time (tests make it small to check the stitching). */
    private readonly rowsPerPiece = 100,
    /** Terminal width to fit the table into; undefined: one whole line per row. */
    private readonly width?: number,
  ) {}

  /** The sink: one connection's row, as it closes. */
  add(row: Row, captureIndex: number): void {
    const order = outputOrder(captureIndex, row.id);
    if (this.format === 'json') {
      this.spill.add(JSON.stringify(row, null, 2).replace(/\n/g, '\n    '), order);
      return;
    }
    // The `2#` of `2#5`: the first capture of that name, as renderStreamsText numbers a file given twice.
    const cells = streamsTableRow(row, this.files.length > 1 ? this.files.indexOf(row.capture) + 1 : null);
    this.widths.see(cells);
    this.spill.add(JSON.stringify(cells), order);
  }

  /** The output, in pieces to write one after the other. Call once, at the end. */
  *render(captures: readonly StreamsCapture[]): Generator<string> {
    try {
      if (this.format === 'json') {
        yield streamsJsonHead(captures);
        let first = true;
        for (const text of this.inOrder()) {
          yield `${first ? '[' : ','}\n    ${text}`;
          first = false;
        }
        yield first ? '[]\n}\n' : '\n  ]\n}\n';
        return;
      }
      yield streamsTextHead(captures, this.width);
      if (this.spill.count === 0) {
        yield 'no TCP connections found\n';
        return;
      }
      yield* this.tablePieces();
    } finally {
      this.spill.close();
    }
  }

  /** Remove what was put aside on disk (render does it when done; this is for a run that stops before). */
  close(): void {
    this.spill.close();
  }

  /** The spilled texts in output order. */
  private *inOrder(): Generator<string> {
    for (const i of this.spill.inOrder()) yield this.spill.get(i);
  }

  /** The table in pieces of `rowsPerPiece` lines, each column at its final width. */
  private *tablePieces(): Generator<string> {
    const table = streamsTable(this.widths.widths, this.width);
    yield table.head().join('\n') + '\n';
    let piece: string[] = [];
    for (const row of this.rows()) {
      piece.push(table.line(row));
      if (piece.length >= this.rowsPerPiece) {
        yield piece.join('\n') + '\n';
        piece = [];
      }
    }
    if (piece.length > 0) yield piece.join('\n') + '\n';
  }

  private *rows(): Generator<string[]> {
    for (const text of this.inOrder()) yield JSON.parse(text) as string[];
  }
}

/**
 * `streams` output written without keeping the rows: each connection's row is put aside on disk (spill.ts) as
 * its connection closes, with the widths of its table cells; at the end the rows are read back in order
 * (captures as given, connections by number) behind the capture lines, which only then are known. Memory
 * holds 20 bytes per connection (spill.ts). The output is byte for byte renderStreamsText's or
 * renderStreamsJson's of the whole result (test/report/streams-stream.test.ts).
 */
import type { StreamRow } from '../tcp/streams.js';
import type { StreamsCapture } from '../tcp/collect.js';
import { outputOrder } from '../tcp/collect.js';
import { cellWidth, renderPlainTable, tableInPieces } from './plain-table.js';
import { Spill } from './spill.js';
import { STREAMS_HEAD, streamsJsonHead, streamsTableRow, streamsTextHead } from './streams.js';

type Row = StreamRow & { capture: string };

export class StreamsOutput {
  private readonly spill = new Spill();
  /** Column widths, padding included, of the head and every row so far (renderPlainTable's rule). */
  private readonly widths = STREAMS_HEAD.map((h) => Math.max(1, cellWidth(h) + 2));

  constructor(
    private readonly format: 'text' | 'json',
    private readonly files: readonly string[],
    /** Rows drawn at a time (tests make it small to check the stitching). */
    private readonly rowsPerPiece = 100,
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
    for (let x = 0; x < cells.length; x++) {
      const w = cellWidth(cells[x]!) + 2;
      if (w > this.widths[x]!) this.widths[x] = w;
    }
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
      yield streamsTextHead(captures);
      if (this.spill.count === 0) {
        yield 'no TCP connections found\n';
        return;
      }
      yield* this.tablePieces();
      yield '\n';
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

  /** The table in pieces of a hundred rows (see tableInPieces), each column at its final width. */
  private *tablePieces(): Generator<string> {
    const opts = { head: STREAMS_HEAD, colWidths: this.widths };
    yield* tableInPieces((batch) => renderPlainTable(opts, batch), this.rows(), this.rowsPerPiece);
  }

  private *rows(): Generator<string[]> {
    for (const text of this.inOrder()) yield JSON.parse(text) as string[];
  }
}

/**
 * Whole-document renderers for the tests: a report made at once from an AnalysisResult (or a StreamsResult), out of
 * the same pieces the CLI's streaming outputs write (src/report/analyze/stream-output.ts,
 * src/report/streams/stream-output.ts). The tests hold the streaming outputs to these, and render small results
 * with them.
 */
import type { AnalysisResult } from '../../src/analyze/pipeline.js';
import type { ConnectionReport } from '../../src/handshake/report.js';
import type { StreamsResult } from '../../src/tcp/collect.js';
import { ColumnWidths } from '../../src/report/fit-table.js';
import { AnalyzeTable, DaySpan, emptyWords, renderSummaryText, textColumns, textHead, textRow, type TextOptions } from '../../src/report/analyze/text.js';
import {
  kindOf,
  MARKDOWN_EXAMPLES,
  markdownRow,
  renderAnalysisMarkdownPieces,
  renderConnectionMarkdown,
  reportNumber,
  type MarkdownEntry,
  type MarkdownOptions,
} from '../../src/report/analyze/markdown.js';
import { connectionJsonText, renderAnalysisJsonBytes } from '../../src/report/analyze/json.js';
import { jsonCaptures, jsonGrouping, jsonSummary, SCHEMA_VERSION } from '../../src/report/json-contract.js';
import { STREAMS_HEAD, streamsTable, streamsTableRow, streamsTextHead } from '../../src/report/streams/render.js';

/** The column of a text row that holds the start time (text.ts's START). */
const START = 1;

function captureIndex(result: AnalysisResult, r: ConnectionReport): number {
  return result.captures.findIndex((c) => c.file === r.capture) + 1;
}

/** The `analyze` table: one row per connection, the diagnoses under it, then the summary. */
export function renderAnalysisText(result: AnalysisResult, opts: TextOptions = {}): string {
  const withLog = result.summary.log !== undefined;
  const many = result.captures.length > 1;
  const rows = result.connections.map((r) => textRow(r, many ? captureIndex(result, r) : null, withLog));
  // No row while the summary counts connections: all were filtered out (--failed).
  const filtered = rows.length === 0 && result.summary.connections > 0;
  const out = [...textHead(result.captures, rows.length === 0 ? emptyWords(result.summary, filtered) : null, opts.width)];
  if (filtered) return out.join('\n') + '\n\n' + renderSummaryText(result, opts.width) + '\n';
  if (rows.length === 0) return out.join('\n') + '\n';
  const widths = new ColumnWidths(textColumns(withLog).map((c) => c.head));
  const days = new DaySpan();
  for (const row of rows) {
    widths.see(row);
    days.see(row[START]!);
  }
  const table = new AnalyzeTable(withLog, widths.widths, days, opts);
  out.push(...table.headLines());
  for (const row of rows) out.push(table.line(row));
  out.push(...table.legend());
  out.push('');
  out.push(renderSummaryText(result, opts.width));
  return out.join('\n') + '\n';
}

/** The `analyze --format markdown` report. */
export function renderAnalysisMarkdown(result: AnalysisResult, opts: MarkdownOptions = {}): string {
  const shown = result.connections;
  const files = result.captures.map((c) => c.file);
  const many = files.length > 1;
  // Details only for what may be shown: failed connections, up to `examples` of each kind (or the only one).
  const examples = opts.examples ?? MARKDOWN_EXAMPLES;
  const perKind = new Map<string, number>();
  const list = shown.map((r): MarkdownEntry => {
    const number = reportNumber(r, files, many);
    const kind = kindOf(r);
    const failed = r.outcome === 'failed';
    const n = failed ? (perKind.get(kind) ?? 0) : 0;
    if (failed) perKind.set(kind, n + 1);
    const detail = (failed && n < examples) || shown.length <= 1 ? renderConnectionMarkdown(r, number) : '';
    return { row: markdownRow(r, number), detail, failed, kind, number };
  });
  return [...renderAnalysisMarkdownPieces(result, () => list, shown.length, opts)].join('');
}

/** `analyze --format json`, in pieces of about `pieceSize` characters, each connection stringified when its piece is asked for. */
export function* renderAnalysisJsonPieces(result: AnalysisResult, extra: Record<string, unknown> = {}, pieceSize = 1 << 20): Generator<string> {
  yield* renderAnalysisJsonStream({ captures: result.captures, summary: result.summary, ...extra }, connectionTexts(result.connections), pieceSize);
}

function* connectionTexts(connections: readonly ConnectionReport[]): Generator<string> {
  for (const c of connections) yield connectionJsonText(c);
}

/** `analyze --format json` made at once with JSON.stringify (the streaming output writes it piece by piece). */
export function renderAnalysisJson(result: AnalysisResult, extra: Record<string, unknown> = {}): string {
  const { groups, ...rest } = extra;
  return (
    JSON.stringify(
      {
        schemaVersion: SCHEMA_VERSION,
        captures: jsonCaptures(result.captures),
        connections: result.connections,
        summary: jsonSummary(result.summary),
        ...(groups !== undefined ? { groups: jsonGrouping(groups) } : {}),
        ...rest,
      },
      null,
      2,
    ) + '\n'
  );
}

/** `streams`: the capture lines, then the table. */
export function renderStreamsText(result: StreamsResult, width?: number): string {
  const many = result.captures.length > 1;
  const rows = result.connections.map((c) => streamsTableRow(c, many ? result.captures.findIndex((x) => x.file === c.capture) + 1 : null));
  if (rows.length === 0) return streamsTextHead(result.captures, width) + 'no TCP connections found\n';
  const widths = new ColumnWidths(STREAMS_HEAD);
  for (const row of rows) widths.see(row);
  const table = streamsTable(widths.widths, width);
  return streamsTextHead(result.captures, width) + [...table.head(), ...rows.map((r) => table.line(r))].join('\n') + '\n';
}

/** `streams --format json`, made at once with JSON.stringify (the streaming output writes it piece by piece). */
export function renderStreamsJson(result: StreamsResult): string {
  return JSON.stringify({ schemaVersion: SCHEMA_VERSION, captures: jsonCaptures(result.captures), connections: result.connections }, null, 2) + '\n';
}

/**
 * The document `{ captures, connections, summary, ...extra }` in pieces, its connections given one by one as
 * text (connectionJsonText) as they are read back from wherever they waited: `analyze` writes a capture's
 * connections as they close, long before its `captures` entry (which comes first) is known.
 */
export function* renderAnalysisJsonStream(
  doc: { captures: unknown; summary: unknown } & Record<string, unknown>,
  connections: Iterable<string | Uint8Array>,
  pieceSize = 1 << 20,
): Generator<string> {
  // A piece of bytes ends after a whole connection, never inside a character.
  for (const piece of renderAnalysisJsonBytes(doc, connections, pieceSize)) yield typeof piece === 'string' ? piece : piece.toString('utf8');
}

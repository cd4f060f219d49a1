import type { ConnectionReport } from '../../handshake/report.js';
import { BytePieces } from '../byte-pieces.js';
import { jsonCaptures, jsonGrouping, jsonSummary, SCHEMA_VERSION } from '../json-contract.js';

/**
 * A connection as it stands in the document's `connections` array (indented for its depth): JSON.stringify
 * indents it itself, as the one item of an array in an array, whose brackets are cut off (no pass over the text
 * to indent it).
 */
export function connectionJsonText(report: ConnectionReport): string {
  return JSON.stringify([[report ?? null]], null, 2).slice(CONNECTION_OPEN.length, -CONNECTION_CLOSE.length);
}

const CONNECTION_OPEN = '[\n  [\n    ';
const CONNECTION_CLOSE = '\n  ]\n]';

/** A value as it stands at the document's first level, indented as connectionJsonText indents a connection. */
function topLevelJsonText(value: unknown): string {
  return JSON.stringify([value], null, 2).slice('[\n  '.length, -'\n]'.length);
}

/**
 * The document `{ captures, connections, summary, ...extra }` as UTF-8 bytes, its connections given one by one as
 * they are read back from wherever they waited (`analyze` writes a capture's connections as they close, long
 * before its `captures` entry, which comes first, is known), in pieces of about `pieceSize` bytes that end after a
 * connection, each a Buffer of its own; connections given as their text or its UTF-8 bytes. The last piece is
 * text: what follows the connections (the summary), where --redact's note goes (markRedactedPieces).
 */
export function* renderAnalysisJsonBytes(
  doc: { captures: unknown; summary: unknown } & Record<string, unknown>,
  connections: Iterable<string | Uint8Array>,
  pieceSize = 1 << 20,
): Generator<Buffer | string> {
  const { captures, summary, groups, ...extra } = doc;
  const whole: Record<string, unknown> = {
    schemaVersion: SCHEMA_VERSION,
    captures: jsonCaptures(captures),
    connections,
    summary: jsonSummary(summary),
    ...(groups !== undefined ? { groups: jsonGrouping(groups) } : {}),
    ...extra,
  };
  const keys = Object.keys(whole).filter((k) => whole[k] !== undefined && typeof whole[k] !== 'function');
  const pieces = new BytePieces(pieceSize);
  let text = '{';
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    text += `${k === 0 ? '' : ','}\n  ${JSON.stringify(key)}: `;
    if (key === 'connections') {
      let first = true;
      for (const c of connections) {
        text += first ? '[\n    ' : ',\n    ';
        pieces.text(text);
        text = '';
        if (typeof c === 'string') pieces.text(c);
        else pieces.bytes(c);
        first = false;
        if (pieces.length >= pieceSize) yield pieces.take();
      }
      text += first ? '[]' : '\n  ]';
    } else {
      text += topLevelJsonText(whole[key]);
    }
  }
  if (pieces.length > 0) yield pieces.take();
  yield text + '\n}\n';
}

/**
 * `analyze --format ndjson`: one connection a line (the objects of the JSON document's `connections`, compact,
 * given as their text, with `schemaVersion` first), then one line `{"schemaVersion": …, "summary": …, "captures": …}`:
 * for jq, DuckDB's read_json or ClickHouse's JSONEachRow. Every line carries the version, so lines taken out of
 * their file (grep, jq, a table of many servers' lines) still say what they are. JSON escapes every newline inside
 * a string, so a line is always one object.
 */
export function* renderAnalysisNdjsonStream(doc: { captures: unknown; summary: unknown; tool?: unknown }, connections: Iterable<string>, pieceSize = 1 << 20): Generator<string> {
  const version = `{"schemaVersion":${JSON.stringify(SCHEMA_VERSION)},`;
  let piece = '';
  for (const text of connections) {
    // `text` is a connection object, never empty: `{"id":1,…}`.
    piece += `${version}${text.slice(1)}\n`;
    if (piece.length >= pieceSize) {
      yield piece;
      piece = '';
    }
  }
  yield `${piece}${JSON.stringify({ schemaVersion: SCHEMA_VERSION, summary: jsonSummary(doc.summary), captures: jsonCaptures(doc.captures), ...(doc.tool !== undefined ? { tool: doc.tool } : {}) })}\n`;
}

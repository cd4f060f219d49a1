import type { ConnectionReport } from '../../handshake/report.js';
import { jsonCaptures, jsonGrouping, jsonSummary, SCHEMA_VERSION } from '../json-contract.js';

/** A connection as it stands in the document's `connections` array (indented for its depth). */
export function connectionJsonText(report: ConnectionReport): string {
  return indent(JSON.stringify(report ?? null, null, 2), '    ');
}

/**
 * The document `{ captures, connections, summary, ...extra }` in pieces, its connections given one by one as
 * text (connectionJsonText) as they are read back from wherever they waited: `analyze` writes a capture's
 * connections as they close, long before its `captures` entry (which comes first) is known.
 */
export function* renderAnalysisJsonStream(
  doc: { captures: unknown; summary: unknown } & Record<string, unknown>,
  connections: Iterable<string>,
  pieceSize = 1 << 20,
): Generator<string> {
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
  let piece = '{';
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    piece += `${k === 0 ? '' : ','}\n  ${JSON.stringify(key)}: `;
    if (key === 'connections') {
      let first = true;
      for (const text of connections) {
        piece += `${first ? '[' : ','}\n    ${text}`;
        first = false;
        if (piece.length >= pieceSize) {
          yield piece;
          piece = '';
        }
      }
      piece += first ? '[]' : '\n  ]';
    } else {
      piece += indent(JSON.stringify(whole[key], null, 2), '  ');
    }
  }
  yield piece + '\n}\n';
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

/** Nested values are indented by their depth: JSON.stringify escapes newlines inside strings, so every raw one starts a line. */
function indent(json: string, by: string): string {
  return json.replace(/\n/g, `\n${by}`);
}

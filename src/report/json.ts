import type { AnalysisResult } from '../handshake/analyze.js';

/** `analyze --format json`: one document, the contract documented in the README. */
export function renderAnalysisJson(result: AnalysisResult, extra: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      captures: result.captures,
      connections: result.connections,
      summary: result.summary,
      ...extra,
    },
    null,
    2,
  ) + '\n';
}

/**
 * The same document as renderAnalysisJson, in pieces of about `pieceSize` characters: a capture of a hundred
 * thousand TLS connections makes a document of a gigabyte, more than one string can hold. Each connection
 * is stringified on its own, when the piece that holds it is asked for.
 */
export function* renderAnalysisJsonPieces(result: AnalysisResult, extra: Record<string, unknown> = {}, pieceSize = 1 << 20): Generator<string> {
  const doc: Record<string, unknown> = { captures: result.captures, connections: result.connections, summary: result.summary, ...extra };
  const keys = Object.keys(doc).filter((k) => doc[k] !== undefined && typeof doc[k] !== 'function');
  let piece = '{';
  if (keys.length === 0) {
    yield '{}\n';
    return;
  }
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const value = doc[key];
    piece += `${k === 0 ? '' : ','}\n  ${JSON.stringify(key)}: `;
    if (key === 'connections' && Array.isArray(value) && value.length > 0) {
      piece += '[';
      for (let i = 0; i < value.length; i++) {
        piece += `${i === 0 ? '' : ','}\n    ${indent(JSON.stringify(value[i] ?? null, null, 2), '    ')}`;
        if (piece.length >= pieceSize) {
          yield piece;
          piece = '';
        }
      }
      piece += '\n  ]';
    } else {
      piece += indent(JSON.stringify(value, null, 2), '  ');
    }
  }
  yield piece + '\n}\n';
}

/** Nested values are indented by their depth: JSON.stringify escapes newlines inside strings, so every raw one starts a line. */
function indent(json: string, by: string): string {
  return json.replace(/\n/g, `\n${by}`);
}

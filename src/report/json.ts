import type { AnalysisResult } from '../handshake/analyze.js';

/** `analyze --format json`: one document, the contract documented in the README. */
export function renderAnalysisJson(result: AnalysisResult): string {
  return JSON.stringify(
    {
      captures: result.captures,
      connections: result.connections,
      summary: result.summary,
    },
    null,
    2,
  ) + '\n';
}

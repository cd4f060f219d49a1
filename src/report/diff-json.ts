import type { DiffResult } from '../diff/types.js';

/** `diff --format json`: the DiffResult, the contract documented in the README. */
export function renderDiffJson(result: DiffResult): string {
  return JSON.stringify(result, null, 2) + '\n';
}

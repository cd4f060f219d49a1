import type { DiffResult } from '../../diff/types.js';
import type { ToolInfo } from '../tool.js';

/** `diff --format json`: the DiffResult, the contract documented in the README. */
export function renderDiffJson(result: DiffResult, tool?: ToolInfo): string {
  return JSON.stringify(tool ? { ...result, tool } : result, null, 2) + '\n';
}

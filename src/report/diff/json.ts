import type { DiffResult } from '../../diff/types.js';
import type { ToolInfo } from '../tool.js';
import { SCHEMA_VERSION } from '../json-contract.js';

/** `diff --format json`: the DiffResult, the contract documented in the README. */
export function renderDiffJson(result: DiffResult, tool?: ToolInfo): string {
  return JSON.stringify({ schemaVersion: SCHEMA_VERSION, ...result, ...(tool ? { tool } : {}) }, null, 2) + '\n';
}

import type { ConnectionReport } from '../handshake/report.js';

/**
 * A connection's number as the tables show it and `--connection` takes it: `5`, or `2#5` (its capture's 1-based
 * place) when several captures were given.
 */
export function connectionNumber(id: number, capture: number | null): string {
  return capture !== null ? `${capture}#${id}` : String(id);
}

export function stepWords(r: ConnectionReport): string {
  return r.lastStep === 0 ? '0 —' : `${r.lastStep} ${r.lastStepName}`;
}


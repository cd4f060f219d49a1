import type { DiffResult } from '../diff/types.js';
import type { ConnectionReport } from '../handshake/report.js';
import { redactorFor } from './redact.js';

/**
 * `diff --redact`: both connections and the diff through one Redactor (as `analyze --redact`), so an address
 * or name met on both sides gets one pseudonym, in every format. The capture file names stay.
 */
export function redactDiff(result: DiffResult, good: ConnectionReport, bad: ConnectionReport): { result: DiffResult; good: ConnectionReport; bad: ConnectionReport } {
  const r = redactorFor([good, bad]);
  const keepCapture = <T extends { capture: string }>(redacted: T, original: T): T => ({ ...redacted, capture: original.capture });
  const redacted = r.value(result);
  return {
    result: { ...redacted, good: keepCapture(redacted.good, result.good), bad: keepCapture(redacted.bad, result.bad) },
    good: keepCapture(r.value(good), good),
    bad: keepCapture(r.value(bad), bad),
  };
}

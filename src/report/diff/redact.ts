import type { DiffResult } from '../../diff/types.js';
import type { ConnectionReport } from '../../handshake/report.js';
import { redactorFor, type Redactor } from '../redact.js';

/**
 * `diff --redact`: both connections and the diff through one Redactor (as `analyze --redact`), so an address,
 * name or certificate met on both sides gets one pseudonym, in every format. The capture files become
 * capture-1.pcap (the good side's) and capture-2.pcap, one name when both sides come from one file.
 */
export function redactDiff(result: DiffResult, good: ConnectionReport, bad: ConnectionReport): { result: DiffResult; good: ConnectionReport; bad: ConnectionReport; redactor: Redactor } {
  const r = redactorFor([good, bad], [], [good.capture, bad.capture]);
  return { result: r.value(result), good: r.value(good), bad: r.value(bad), redactor: r };
}

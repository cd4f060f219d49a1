import type { ConnectionReport } from './report.js';
import { notableGroups, type NotableGroup } from './groups.js';
import { stepName } from './steps.js';
import type { LogJoinSummary, UnmatchedLogLine } from './serverlog-join.js';

export interface AnalysisSummary {
  connections: number;
  byOutcome: Record<ConnectionReport['outcome'], number>;
  /** Failed connections by the last step they reached: "4 ServerHelloDone" → n. */
  failedAtStep: Record<string, number>;
  /** Failed connections by how they ended: "client fin", "client alert unknown_ca", "server rst", … */
  failedBy: Record<string, number>;
  /** Per client address: connections, failed. Sorted by failures, then by connections. */
  byClient: { client: string; connections: number; failed: number }[];
  byProtocol: Record<string, number>;
  /** Groups whose failure rate stands out from the rest (groups.ts says when there are enough connections). */
  notableGroups: NotableGroup[];
  /** With `--log`: how the server log joined the capture (files, clock, counts, failed connections without a line). */
  log?: LogJoinSummary;
  /** With `--log`: log lines near the captures' time that joined no connection, with the reason (bounded). */
  unmatchedLogLines?: UnmatchedLogLine[];
}

export function endWords(r: ConnectionReport): string {
  if (r.end.how === 'capture-end') return 'capture end';
  if (r.end.how === 'alert' && r.end.alert) return `${r.end.by} alert ${r.end.alert.name}`;
  return `${r.end.by} ${r.end.how.toUpperCase()}`;
}

export function summarize(connections: readonly ConnectionReport[]): AnalysisSummary {
  const byOutcome: AnalysisSummary['byOutcome'] = { complete: 0, failed: 0, 'not-tls': 0, unknown: 0 };
  const failedAtStep: Record<string, number> = {};
  const failedBy: Record<string, number> = {};
  const byProtocol: Record<string, number> = {};
  const clients = new Map<string, { connections: number; failed: number }>();
  for (const r of connections) {
    byOutcome[r.outcome]++;
    byProtocol[r.protocol] = (byProtocol[r.protocol] ?? 0) + 1;
    const c = clients.get(r.client.ip) ?? { connections: 0, failed: 0 };
    c.connections++;
    if (r.outcome === 'failed') {
      c.failed++;
      const step = `${r.lastStep} ${stepName(r.lastStep)}`;
      failedAtStep[step] = (failedAtStep[step] ?? 0) + 1;
      const how = endWords(r);
      failedBy[how] = (failedBy[how] ?? 0) + 1;
    }
    clients.set(r.client.ip, c);
  }
  const byClient = [...clients.entries()]
    .map(([client, v]) => ({ client, ...v }))
    .sort((a, b) => b.failed - a.failed || b.connections - a.connections || a.client.localeCompare(b.client));
  return { connections: connections.length, byOutcome, failedAtStep, failedBy, byClient, byProtocol, notableGroups: notableGroups(connections) };
}

/**
 * The words for retries, the chains served, the chain problems and the verdict (src/analyze/retries.ts,
 * chains.ts, verdict.ts): the summary's lines, a connection's short flags in the table, its line in the details.
 */
import { groupThousands, secondsWords } from '../../text/words.js';
import { ofFailures } from '../../analyze/verdict.js';
import { chainWords } from '../../analyze/chains.js';
import type { ConnectionReport } from '../../handshake/report.js';
import type { AnalysisSummary } from '../../analyze/summary.js';

/** Chain problem codes in a few letters, for the table. */
const SHORT_PROBLEM: Readonly<Record<string, string>> = {
  unparseable: 'unreadable',
  expired: 'expired',
  'not-yet-valid': 'not yet valid',
  'out-of-order': 'out of order',
  'issuer-not-next': 'issuer missing',
  'root-sent': 'root sent',
  'self-signed': 'self-signed',
  duplicate: 'duplicate',
  'name-mismatch': 'name mismatch',
  'large-chain': 'large',
  untrusted: 'untrusted',
};

/** 'retried 3.6 s later: complete, #2' (with the capture when it is another one), or null. */
export function retryWords(r: Pick<ConnectionReport, 'retry' | 'capture'>): string | null {
  const link = r.retry;
  if (!link) return null;
  const where = link.capture === r.capture ? `#${link.id}` : `#${link.id} in ${link.capture}`;
  return `retried ${secondsWords(link.after)} later: ${link.outcome}, ${where}`;
}

/** The short flags a table row shows after the diagnosis: '[retried 3.6 s later: complete, #2] [chain: large]', or ''. */
export function rowFlags(r: Pick<ConnectionReport, 'retry' | 'capture' | 'chainProblems'>): string {
  const flags: string[] = [];
  // The retry first: where a narrow terminal cuts the flags, it is the one the admin's story needs.
  const retry = retryWords(r);
  if (retry) flags.push(`[${retry}]`);
  const codes = [...new Set((r.chainProblems ?? []).map((p) => p.code))];
  if (codes.length > 0) flags.push(`[chain: ${codes.map((c) => SHORT_PROBLEM[c] ?? c).join(', ')}]`);
  return flags.length > 0 ? ' ' + flags.join(' ') : '';
}

/** `--connection`: who sent the PROXY header and what it announced. */
export function proxyLine(p: NonNullable<ConnectionReport['proxy']>): string {
  const ep = (e: { ip: string; port: number }) => (e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);
  const said = p.command === 'proxy' ? 'the client above' : p.command === 'local' ? 'LOCAL: its own connection (a health check)' : 'UNKNOWN: it could not tell the client';
  const to = p.destination ? `, dialled ${ep(p.destination)}` : '';
  const tlvs = Object.entries(p.tlvs).map(([k, v]) => (typeof v === 'string' ? `${k} ${v}` : k));
  return `through a proxy: ${ep(p)} sent a PROXY protocol v${p.version} header (${p.family}): ${said}${to}${tlvs.length > 0 ? `; TLVs ${tlvs.join(', ')}` : ''}`;
}

/** The verdict, first in the summary: 'verdict:' and a line per finding. */
export function verdictLines(s: Pick<AnalysisSummary, 'verdict'>): string[] {
  const v = s.verdict ?? [];
  if (v.length === 0) return [];
  return ['verdict:', ...v.map((x) => `  - ${x.text}`)];
}

/** The summary's lines on retries, chains served and chain problems (after the counts). */
export function findingLines(s: Partial<Pick<AnalysisSummary, 'retries' | 'chains' | 'chainProblems' | 'chainsNotListed' | 'proxies'>>): string[] {
  const lines: string[] = [];
  const proxies = s.proxies ?? [];
  if (proxies.length > 0) {
    const n = proxies.reduce((sum, p) => sum + p.connections, 0);
    const shown = proxies.slice(0, 5).map((p) => `${p.proxy} ×${p.connections}`).join(', ') + (proxies.length > 5 ? ` and ${proxies.length - 5} more` : '');
    lines.push(`through a proxy: ${n} connection${n === 1 ? '' : 's'} began with a PROXY protocol header (from ${shown}); their client is the one the header announced (--by proxy groups by the proxy)`);
  }
  const r = s.retries;
  if (r && r.failed > 0) {
    const parts: string[] = [];
    if (r.retriedAndCompleted > 0) parts.push(`${ofFailures(r.retriedAndCompleted, r.failed)} ${r.retriedAndCompleted === 1 ? 'was' : 'were'} retried and completed within ${secondsWords(r.completedWithin ?? 0)}`);
    if (r.retriedAndFailed > 0) parts.push(`${r.retriedAndFailed} retried and failed again`);
    if (r.notRetried > 0) parts.push(`${r.notRetried} not retried within ${r.window} s`);
    lines.push(`retries: ${parts.join(', ')}`);
  }
  const chains = s.chains ?? [];
  if (chains.length > 0) {
    const shown = chains.slice(0, 3).map((c) => `${chainWords(c)} from ${c.servers.slice(0, 2).join(', ')}${c.servers.length > 2 ? ` and ${c.servers.length - 2} more` : ''}: ${c.failed} of ${c.connections} failed`);
    const more = chains.length > 3 ? `; ${chains.length - 3} more (see --by chain)` : '';
    lines.push(`chains sent: ${shown.join('; ')}${more}${s.chainsNotListed ? `; ${groupThousands(s.chainsNotListed)} connections with chains past the first 1,000 not counted` : ''}`);
  }
  const problems = Object.entries(s.chainProblems ?? {});
  if (problems.length > 0) lines.push(`chain problems: ${problems.map(([code, n]) => `${code} ×${n.connections} (${n.failed} failed)`).join(', ')}`);
  return lines;
}

import type { ConnectionReport } from '../handshake/report.js';
import { analyseCauses } from './cause.js';
import { compareAlerts, compareCertificates, compareClientHello, compareMessageProblems, compareServer, compareTcp, compareTiming, Comparison } from './compare.js';
import { findDivergence } from './divergence.js';
import type { ConnectionRef, DiffArea, DiffResult, Difference, DiffWeight } from './types.js';

export type { ConnectionRef, DiffArea, DiffResult, Difference, DiffWeight, Divergence, DivergenceSide } from './types.js';

/** The order areas are shown in, within one weight. */
export const AREA_ORDER: readonly DiffArea[] = ['clienthello', 'server', 'certificates', 'tcp', 'alerts', 'messages', 'timing'];

export const AREA_WORDS: Readonly<Record<DiffArea, string>> = {
  clienthello: 'ClientHello',
  server: "the server's answer",
  certificates: 'certificate chain',
  tcp: 'TCP',
  alerts: 'alerts',
  messages: 'TLS messages',
  timing: 'step timeline',
};

const WEIGHT_ORDER: Readonly<Record<DiffWeight, number>> = { 'likely-cause': 0, notable: 1, cosmetic: 2 };

export function connectionRef(r: ConnectionReport, chosen: string | null = null): ConnectionRef {
  return {
    capture: r.capture,
    id: r.id,
    client: r.client,
    server: r.server,
    protocol: r.protocol,
    outcome: r.outcome,
    lastStep: r.lastStep,
    lastStepName: r.lastStepName,
    start: r.start,
    diagnosis: r.diagnosis,
    chosen,
  };
}

/**
 * Compare a handshake that worked with one that failed: where the two stories part, every difference with
 * a weight (the likely cause first), what was identical, and a verdict in plain words. Pure: reports in,
 * result out.
 */
export function diffReports(good: ConnectionReport, bad: ConnectionReport): DiffResult {
  const c = new Comparison();
  compareClientHello(c, good, bad);
  compareServer(c, good, bad);
  compareCertificates(c, good, bad);
  compareTcp(c, good, bad);
  compareAlerts(c, good, bad);
  compareMessageProblems(c, good, bad);
  compareTiming(c, good, bad);
  const divergence = findDivergence(good, bad);
  const causes = analyseCauses(good, bad, c.differences);
  for (const d of c.differences) if (causes.ranks.has(`${d.area}/${d.field}`)) d.weight = 'likely-cause';
  const rankOf = (d: Difference) => causes.ranks.get(`${d.area}/${d.field}`) ?? 0;
  const differences = c.differences
    .map((d, i) => ({ d, i }))
    .sort((a, b) => WEIGHT_ORDER[a.d.weight] - WEIGHT_ORDER[b.d.weight] || rankOf(a.d) - rankOf(b.d) || AREA_ORDER.indexOf(a.d.area) - AREA_ORDER.indexOf(b.d.area) || a.i - b.i)
    .map((x) => x.d);
  const identical: string[] = [];
  for (const area of AREA_ORDER) {
    const words = c.identical.filter((x) => x.area === area).map((x) => x.words);
    if (words.length > 0) identical.push(`${AREA_WORDS[area]}: ${words.join(', ')}`);
  }
  const result: DiffResult = { good: connectionRef(good), bad: connectionRef(bad), divergence, differences, identical, conclusion: causes.conclusion, verdict: '' };
  result.verdict = verdictWords(result, good, bad);
  return result;
}

/** The first line of every rendering: where the stories part, or that they do not. */
export function headline(result: DiffResult): string {
  if (result.divergence) return capitalise(result.divergence.summary);
  const g = result.good;
  const b = result.bad;
  if (g.capture === b.capture && g.id === b.id) return 'The same connection on both sides: nothing to tell apart';
  return `Both connections take the same path: step ${g.lastStep} ${g.lastStepName}, ${g.outcome === b.outcome ? g.outcome : `${g.outcome} / ${b.outcome}`}`;
}

function verdictWords(result: DiffResult, good: ConnectionReport, bad: ConnectionReport): string {
  const conclusion = result.conclusion;
  const lines: string[] = [`${headline(result)}.`];
  const likely = result.differences.filter((d) => d.weight === 'likely-cause');
  const notable = result.differences.filter((d) => d.weight === 'notable');
  const cosmetic = result.differences.filter((d) => d.weight === 'cosmetic');
  if (bad.outcome === 'complete') {
    lines.push(good.outcome === 'complete' ? 'Both handshakes completed: no failure to explain.' : 'The connection given as bad completed and the good one did not: were they given the other way round?');
  }
  if (likely.length > 0 || conclusion) {
    const parts = likely.map((d) => d.summary);
    lines.push(`${bad.outcome === 'unknown' ? 'Note' : 'Likely cause'}: ${conclusion ? `${conclusion}. ` : ''}${parts.length > 0 ? `${conclusion ? 'Evidence: ' : ''}${parts.join('; ')}.` : ''}`.trimEnd());
  }
  if (bad.outcome !== 'complete' && bad.diagnosis) lines.push(`On its own, the bad connection reads: ${bad.diagnosis}.`);
  if (notable.length > 0) lines.push(`Other differences: ${notable.map((d) => d.summary).join('; ')}.`);
  if (cosmetic.length > 0) lines.push(`Cosmetic: ${cosmetic.map((d) => d.summary).join('; ')}.`);
  if (result.differences.length === 0) lines.push('No differences in anything compared.');
  if (result.identical.length > 0) lines.push(`Identical: ${result.identical.join('; ')}.`);
  return lines.join('\n');
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

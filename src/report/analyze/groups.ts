import type { AnalysisResult } from '../../analyze/pipeline.js';
import { combineGroups, NONE, recount, type CombinedGroup, type GroupKey, type GroupValue, type Grouping, type NotableGroup } from '../../analyze/groups.js';
import { chainWords } from '../../analyze/chains.js';
import { endingWords } from '../../handshake/endings.js';
import { stepName } from '../../handshake/steps.js';
import { captureSummaryLine } from './captures.js';
import { markdownText } from '../../text/markdown.js';
import { ColumnWidths, fitTable, foldLine, type FitColumn } from '../fit-table.js';

/** What each `--by` key means, for headings. */
const KEY_WORDS: Readonly<Record<Grouping['by'], string>> = {
  client: 'client address',
  ja4: 'client JA4',
  ja3: 'client JA3',
  sni: 'SNI',
  version: 'TLS version',
  server: 'server',
  cipher: 'cipher',
  step: 'step reached',
  end: 'how it ended',
  chain: 'certificate chain sent',
  proxy: 'PROXY header sender',
};

const percent = (rate: number | null) => (rate === null ? '—' : `${Math.round(rate * 100)}%`);
const listed = (list: { key: string; count: number }[]) => list.map((x) => `${x.key} ×${x.count}`).join(', ') || '—';

/** A step as the reports name it: '4 ServerHelloDone', '4 end of server flight'. */
function stepWords(step: number, tls13: boolean | undefined): string {
  return `${step} ${stepName(step, tls13 ? 'tls13' : undefined)}`;
}

/** A group's value in words: '(no SNI)', '4 ServerHelloDone', 'completed, then client FIN', 'chain 1a2b3c4d (…)'. */
export function groupWords(v: GroupValue, by: GroupKey): string {
  if (v.value === null) return NONE[by];
  if (by === 'step') return stepWords(Number(v.value), v.tls13);
  if (by === 'end') return v.afterCompletion ? `completed, then ${endingWords(String(v.value))}` : endingWords(String(v.value));
  if (by === 'chain' && v.chain) return chainWords({ id: String(v.value), ...v.chain });
  return String(v.value);
}

/** The groups as the tables list them: by their words (after `rename`), which several values may share. */
function shownGroups(grouping: Grouping): CombinedGroup[] {
  const rename = grouping.rename ?? ((v: string) => v);
  return combineGroups(grouping, (v) => rename(groupWords(v, grouping.by)));
}

function groupRow(g: CombinedGroup): string[] {
  return [
    g.key,
    String(g.connections),
    String(g.completed),
    String(g.failed),
    percent(g.failureRate),
    listed(recount(g.failedAt, (x) => stepWords(x.step, x.tls13))),
    listed(recount(g.endedBy, (x) => endingWords(x.end))),
    g.firstSeen.replace('T', ' ').slice(0, 19),
    g.lastSeen.replace('T', ' ').slice(0, 19),
  ];
}

const HEAD = ['failed at step', 'failures ended by'];

/** `analyze --by KEY`: the capture lines, one row per group, then the usual summary lines. */
export function renderGroupsText(result: Pick<AnalysisResult, 'captures'>, grouping: Grouping, summaryText: string, opts: { width?: number; color?: boolean } = {}): string {
  const out: string[] = [];
  for (const c of result.captures) out.push(...foldLine(captureSummaryLine(c), opts.width));
  if (grouping.groups.length === 0) {
    out.push('no TCP connections found');
    return out.join('\n') + '\n';
  }
  // One line per group: on a narrow terminal the value and the two lists are cut with …, the times go first.
  const columns: FitColumn[] = [
    // The value is what the table is about (a JA4 is 36 characters): columns are dropped before it is cut.
    { head: KEY_WORDS[grouping.by], min: 36, shrink: 3 },
    { head: 'conns', min: 5, align: 'right' },
    { head: 'completed', shortHead: 'ok', min: 4, drop: 3, align: 'right' },
    { head: 'failed', min: 6, align: 'right' },
    { head: 'failed %', shortHead: 'fail%', min: 5, align: 'right' },
    { head: HEAD[0]!, shortHead: 'failed at', min: 12, drop: 5, shrink: 2 },
    { head: HEAD[1]!, shortHead: 'ended by', min: 12, drop: 4, shrink: 1 },
    { head: 'first seen (UTC)', shortHead: 'first seen', min: 19, drop: 2 },
    { head: 'last seen (UTC)', shortHead: 'last seen', min: 19, drop: 1 },
  ];
  const groups = shownGroups(grouping);
  const rows = groups.map(groupRow);
  const widths = new ColumnWidths(columns.map((c) => c.head));
  for (const row of rows) widths.see(row);
  const table = fitTable(columns, widths.widths, opts.width);
  out.push(...foldLine(`${groups.length} group${groups.length === 1 ? '' : 's'} by ${KEY_WORDS[grouping.by]} (failure rate = failed / (completed + failed))`, opts.width));
  const [head, rule] = table.head();
  out.push(opts.color ? `\u001b[1m${head}\u001b[0m` : head!, rule!);
  for (const row of rows) out.push(table.line(row));
  out.push('');
  out.push(summaryText);
  return out.join('\n') + '\n';
}

/** The same as a Markdown table. */
export function renderGroupsMarkdown(grouping: Grouping): string {
  const head = [KEY_WORDS[grouping.by], 'connections', 'completed', 'failed', 'failure rate', ...HEAD, 'first seen', 'last seen'];
  const lines = [`### Connections by ${KEY_WORDS[grouping.by]}`, '', `| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const g of shownGroups(grouping)) lines.push(`| ${groupRow(g).map(markdownText).join(' | ')} |`);
  return lines.join('\n') + '\n';
}

/**
 * The summary line naming the groups whose failure rate stands out; '' when none does (or there are
 * too few connections to say).
 */
export function notableGroupsLine(groups: readonly NotableGroup[] | undefined): string {
  if (!groups || groups.length === 0) return '';
  const parts = groups.map(
    (g) => `${KEY_WORDS[g.by]} ${g.value}: ${g.failed}/${g.failed + g.completed} failed (${percent(g.failureRate)}; the rest ${percent(g.othersFailureRate)}; p = ${g.pValue})`,
  );
  return `failures cluster on: ${parts.join('; ')} — see \`analyze --by ${groups[0]!.by}\``;
}


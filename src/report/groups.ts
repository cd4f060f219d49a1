import Table from 'cli-table3';
import type { AnalysisResult } from '../handshake/analyze.js';
import type { ConnectionGroup, Grouping, NotableGroup } from '../handshake/groups.js';
import { captureSummaryLine } from './captures.js';
import { markdownText } from '../text/markdown.js';

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
};

const percent = (rate: number | null) => (rate === null ? '—' : `${Math.round(rate * 100)}%`);
const listed = (list: { label: string; count: number }[]) => list.map((x) => `${x.label} ×${x.count}`).join(', ') || '—';

function groupRow(g: ConnectionGroup): string[] {
  return [
    g.value,
    String(g.connections),
    String(g.completed),
    String(g.failed),
    percent(g.failureRate),
    listed(g.failedAt.map((x) => ({ label: x.step, count: x.count }))),
    listed(g.endedBy.map((x) => ({ label: x.end, count: x.count }))),
    g.firstSeen.replace('T', ' ').slice(0, 19),
    g.lastSeen.replace('T', ' ').slice(0, 19),
  ];
}

const HEAD = ['failed at step', 'failures ended by'];

/** `analyze --by KEY`: the capture lines, one row per group, then the usual summary lines. */
export function renderGroupsText(result: Pick<AnalysisResult, 'captures'>, grouping: Grouping, summaryText: string, opts: { width?: number; color?: boolean } = {}): string {
  const out: string[] = [];
  for (const c of result.captures) out.push(captureSummaryLine(c));
  if (grouping.groups.length === 0) {
    out.push('no TCP connections found');
    return out.join('\n') + '\n';
  }
  // Fixed columns: counts, rate, and the two timestamps; the value column fits the longest value
  // (a JA4 is 36 characters); the two lists share what is left of the terminal.
  const fixed = [7, 11, 8, 10, 21, 21];
  const width = Math.max(130, opts.width ?? 170);
  const longest = Math.max(KEY_WORDS[grouping.by].length, ...grouping.groups.map((g) => g.value.length));
  const valueWidth = Math.min(48, longest + 2);
  const listWidth = Math.max(22, Math.floor((width - valueWidth - fixed.reduce((a, b) => a + b, 0) - 10) / 2));
  const table = new Table({
    head: [KEY_WORDS[grouping.by], 'conns', 'completed', 'failed', 'failed %', ...HEAD, 'first seen (UTC)', 'last seen (UTC)'],
    colWidths: [valueWidth, fixed[0]!, fixed[1]!, fixed[2]!, fixed[3]!, listWidth, listWidth, fixed[4]!, fixed[5]!],
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: { head: opts.color ? ['bold'] : [], border: opts.color ? ['grey'] : [] },
  });
  for (const g of grouping.groups) table.push(groupRow(g));
  out.push(`${grouping.groups.length} group${grouping.groups.length === 1 ? '' : 's'} by ${KEY_WORDS[grouping.by]} (failure rate = failed / (completed + failed))`);
  out.push(table.toString());
  out.push('');
  out.push(summaryText);
  return out.join('\n') + '\n';
}

/** The same as a Markdown table. */
export function renderGroupsMarkdown(grouping: Grouping): string {
  const head = [KEY_WORDS[grouping.by], 'connections', 'completed', 'failed', 'failure rate', ...HEAD, 'first seen', 'last seen'];
  const lines = [`### Connections by ${KEY_WORDS[grouping.by]}`, '', `| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const g of grouping.groups) lines.push(`| ${groupRow(g).map(markdownText).join(' | ')} |`);
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


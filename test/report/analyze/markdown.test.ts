/**
 * Markdown that renders on GitHub and GitLab, checked without a renderer: every table row has as many cells
 * as its header, separator rows are right, code fences and <details> blocks are closed.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../../src/analyze/pipeline.js';
import { kindOf } from '../../../src/report/analyze/markdown.js';
import { renderAnalysisMarkdown } from '../../helpers/render-whole.js';

const ROOT = join(import.meta.dirname, '../../..');

/** Cells of a table row, honouring escaped pipes. */
function cells(row: string): string[] {
  return row.trim().replace(/^\|/, '').replace(/\|$/, '').split(/(?<!\\)\|/);
}

export function checkMarkdown(md: string): void {
  const lines = md.split('\n');
  let fence = false;
  let details = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^```/.test(line)) fence = !fence;
    if (fence) continue;
    details += (line.match(/<details>/g) ?? []).length - (line.match(/<\/details>/g) ?? []).length;
    if (line.startsWith('|') && !lines[i - 1]?.startsWith('|')) {
      const width = cells(line).length;
      expect(lines[i + 1], `separator under the header at line ${i + 1}`).toMatch(/^\|(---\|)+$/);
      expect(cells(lines[i + 1]!).length).toBe(width);
      for (let j = i + 2; j < lines.length && lines[j]!.startsWith('|'); j++) expect(cells(lines[j]!).length, `row at line ${j + 1}`).toBe(width);
    }
  }
  expect(fence, 'every code fence is closed').toBe(false);
  expect(details, 'every <details> is closed').toBe(0);
}

describe('analyze --format markdown', () => {
  for (const file of ['cert-reject.pcap', 'abort-after-shd.pcap', 'pmtu-blackhole-fail.pcap', 'ndpi-smtp-starttls.pcap']) {
    it(`is well-formed for ${file}`, async () => {
      const result = await analyzeCaptures([join(ROOT, 'captures', file)]);
      const all = renderAnalysisMarkdown(result, { examples: Infinity });
      checkMarkdown(all);
      const failed = result.connections.filter((c) => c.outcome === 'failed');
      expect((all.match(/^```text$/gm) ?? []).length).toBe(failed.length);
      // By default, at most three of each kind of failure, the others counted.
      const md = renderAnalysisMarkdown(result);
      checkMarkdown(md);
      const kinds = new Map<string, number>();
      for (const c of failed) kinds.set(kindOf(c), (kinds.get(kindOf(c)) ?? 0) + 1);
      expect((md.match(/^```text$/gm) ?? []).length).toBe([...kinds.values()].reduce((n, k) => n + Math.min(3, k), 0));
      const more = [...kinds.values()].filter((k) => k > 3).map((k) => `*… and ${k - 3} more like it.*`);
      for (const line of more) expect(md).toContain(line);
    });
  }

  it('escapes a pipe inside a cell', () => {
    expect(() => checkMarkdown('| a | b |\n|---|---|\n| x \\| y | z |\n')).not.toThrow();
    expect(() => checkMarkdown('| a | b |\n|---|---|\n| x | y | z |\n')).toThrow();
  });
});

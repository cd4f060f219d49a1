/**
 * A capture of thousands of connections (bench/generate.mjs replays the lab's handshakes, completed and failed):
 * its Markdown stays under 60,000 bytes (a GitHub comment takes 65,536 characters) with a few examples of each
 * kind and the others counted; `--examples all` lists every one; the HTML lists every connection and draws up to
 * `--examples` (default 20) failed ones of each kind.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import MarkdownIt from 'markdown-it';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../../bench/generate.mjs';
import type { ConnectionReport } from '../../../src/handshake/report.js';
import { kindOf } from '../../../src/report/analyze/markdown.js';

const ROOT = join(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'dist/cli.js');
const CONNECTIONS = 2000;
const dir = mkdtempSync(join(tmpdir(), 'tlsdissect-examples-'));
const capture = join(dir, 'mail-2000.pcap');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) => execFileSync(process.execPath, [CLI, 'analyze', capture, ...args], { maxBuffer: 256 * 1024 * 1024 }).toString();
const tableRows = (html: string) => ((/<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '').match(/<tr[ >]/g) ?? []).length;

let reports: ConnectionReport[] = [];
beforeAll(() => {
  generate({ out: capture, connections: CONNECTIONS, bodies: false, drain: true, size: 1e9, seed: 3 });
  reports = (JSON.parse(run('-f', 'json')) as { connections: ConnectionReport[] }).connections;
  expect(reports).toHaveLength(CONNECTIONS);
}, 120_000);

/** Connections per kind, failed ones only or all. */
function kinds(failedOnly: boolean): number[] {
  const count = new Map<string, number>();
  for (const r of reports) if (!failedOnly || r.outcome === 'failed') count.set(kindOf(r), (count.get(kindOf(r)) ?? 0) + 1);
  return [...count.values()];
}

describe('--examples on a capture of thousands of connections', () => {
  it('Markdown: under 60,000 bytes by default, a few of each kind, the rest counted', () => {
    const md = run('-f', 'markdown');
    expect(Buffer.byteLength(md)).toBeLessThan(60_000);
    const html = new MarkdownIt({ html: true }).render(md);
    const rows = tableRows(html);
    expect(rows).toBeGreaterThan(10);
    expect(rows).toBeLessThanOrEqual(kinds(false).reduce((n, k) => n + Math.min(3, k), 0));
    expect(md).toMatch(new RegExp(`\\*Listed: ${rows} of ${CONNECTIONS} connections, at most 3 of each kind`));
    expect(md).toMatch(/^- \d+ more like #\d+: /m);
    expect(md).toMatch(/^\*… and \d+ more like it\.\*$/m);
    // Each kind's details at most three times.
    const summaries = [...md.matchAll(/^\*\*Diagnosis:\*\* (.*)$/gm)].map((m) => m[1]!.replace(/\d+(?:[.,:]\d+)*/g, 'N'));
    const seen = new Map<string, number>();
    for (const s of summaries) seen.set(s, (seen.get(s) ?? 0) + 1);
    expect(Math.max(...seen.values())).toBeLessThanOrEqual(3);
  });

  it('Markdown with --examples all: every connection in the table, every failed one detailed', () => {
    const md = run('-f', 'markdown', '--examples', 'all');
    expect(tableRows(new MarkdownIt({ html: true }).render(md))).toBe(CONNECTIONS);
    expect((md.match(/^<details>/gm) ?? []).length).toBe(reports.filter((r) => r.outcome === 'failed').length);
    expect(md).not.toContain('more like it');
  });

  it('Markdown with --examples 1: one of each kind', () => {
    const md = run('-f', 'markdown', '--examples', '1');
    expect(tableRows(new MarkdownIt({ html: true }).render(md))).toBe(kinds(false).length);
    expect((md.match(/^<details>/gm) ?? []).length).toBe(kinds(true).length);
  });

  it('HTML: every connection listed, up to 20 failed ones of each kind drawn (or --examples)', () => {
    const html = run('-f', 'html');
    expect(tableRows(html)).toBe(CONNECTIONS);
    expect((html.match(/<section class="conn"/g) ?? []).length).toBe(kinds(true).reduce((n, k) => n + Math.min(20, k), 0));
    const two = run('-f', 'html', '--examples', '2');
    expect((two.match(/<section class="conn"/g) ?? []).length).toBe(kinds(true).reduce((n, k) => n + Math.min(2, k), 0));
    expect(two).toMatch(/<p class="examples">Drawn below: at most 2 failed connections of each kind/);
  });

  it('refuses --examples that is not a whole number of 1 or more, nor all', () => {
    for (const bad of ['0', '-1', '2.5', 'some']) {
      let status = 0;
      let stderr = '';
      try {
        run('--examples', bad);
      } catch (err) {
        status = (err as { status: number }).status;
        stderr = String((err as { stderr: Buffer }).stderr);
      }
      expect(status, bad).toBe(2);
      expect(stderr).toMatch(/--examples .*: not a whole number of 1 or more, nor all/);
    }
  });
});

/**
 * `diff --format html` in a real browser: headless Chromium loads the page from a file (no network), and we
 * count each ladder's arrows and find the divergence band in the DOM it rendered. Skipped, saying so, only
 * where no Chromium could be installed (the same rule as html-chromium.test.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM, chromium } from '../../helpers/chromium.js';
import { describe, expect, it } from 'vitest';
import { diffReports } from '../../../src/diff/diff.js';
import { selectPair } from '../../../src/diff/select.js';
import { renderDiffHtml } from '../../../src/report/diff/html.js';
import { rungs } from '../../../src/report/ladder.js';

const ROOT = join(import.meta.dirname, '../../..');

/** The part of the rendered DOM inside <figure id="ladder-…">. */
function figure(dom: string, id: string): string {
  const start = dom.indexOf(`id="${id}"`);
  expect(start, id).toBeGreaterThan(0);
  return dom.slice(start, dom.indexOf('</figure>', start));
}

describe.skipIf(!CHROMIUM)('diff HTML report in headless Chromium', () => {
  it('draws both ladders side by side, one arrow per message and TCP event, the divergence marked on both, and screenshots it', async () => {
    const file = join(ROOT, 'captures/abort-then-retry.pcap');
    const pair = await selectPair(file, file);
    if (!pair.ok) throw new Error(pair.error);
    const result = diffReports(pair.good.report, pair.bad.report);
    const html = renderDiffHtml(result, pair.good.report, pair.bad.report);
    // Self-contained and readable without JavaScript: no script at all, nothing fetched.
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(/i);
    const dir = mkdtempSync(join(tmpdir(), 'tlsdissect-diff-html-'));
    const page = join(dir, 'diff.html');
    writeFileSync(page, html);

    const dom = chromium(['--dump-dom', `file://${page}`], join(dir, 'profile'));
    // The verdict and the divergence line come first, before the ladders.
    expect(dom.indexOf('Both reach step 4 ServerHelloDone')).toBeGreaterThan(0);
    expect(dom.indexOf('Both reach step 4 ServerHelloDone')).toBeLessThan(dom.indexOf('id="ladder-good"'));
    expect(dom.indexOf('Likely cause:')).toBeLessThan(dom.indexOf('id="ladder-good"'));
    for (const [id, report] of [['ladder-good', pair.good.report], ['ladder-bad', pair.bad.report]] as const) {
      const svg = figure(dom, id);
      const expected = rungs(report);
      expect((svg.match(/data-rung="/g) ?? []).length, id).toBe(expected.length);
      expect((svg.match(/data-rung="(tls|alert)"/g) ?? []).length, id).toBe(report.messages.length);
      expect((svg.match(/data-mark="divergence"/g) ?? []).length, id).toBe(1);
      expect(svg).toContain('data-step="4"');
      expect(svg).toContain('they part here, after step 4 ServerHelloDone');
      // This side's next move is highlighted: the good client's ClientKeyExchange, the bad client's FIN.
      expect(svg).toMatch(id === 'ladder-good' ? /class="rung tls next"[^>]*>(?:(?!<\/g>).)*ClientKeyExchange/ : /class="rung tcp end next"[^>]*>(?:(?!<\/g>).)*TCP FIN/);
    }
    // The two bands at the same height in their diagrams (the shift of the lifelines' group plus the band's y).
    const bandY = (id: string) => {
      const svg = figure(dom, id);
      const shift = Number(/<g transform="translate\(0 (\d+)\)">/.exec(svg)![1]);
      return shift + Number(/data-mark="divergence"[^>]*>\s*<rect x="4" y="(\d+)"/.exec(svg)![1]);
    };
    expect(bandY('ladder-good')).toBe(bandY('ladder-bad'));
    // The differences table, likely causes first and highlighted, then what was identical.
    const table = dom.slice(dom.indexOf('id="differences"'), dom.indexOf('id="identical"'));
    const weights = [...table.matchAll(/data-weight="([a-z-]+)"/g)].map((m) => m[1]);
    expect(weights[0]).toBe('likely-cause');
    const rank = { 'likely-cause': 0, notable: 1, cosmetic: 2 } as Record<string, number>;
    expect(weights.map((w) => rank[w!])).toEqual(weights.map((w) => rank[w!]).sort((a, b) => a - b));
    expect(table).toMatch(/<tr class="likely-cause"[^>]*><td class="weight">! likely cause<\/td><td>TCP<\/td><td><code>close<\/code>/);
    expect(dom.slice(dom.indexOf('id="identical"'))).toContain('certificate chain: 4 certificates');

    const out = join(ROOT, 'test-results');
    mkdirSync(out, { recursive: true });
    const png = join(out, 'diff-abort-then-retry.png');
    rmSync(png, { force: true });
    chromium(['--window-size=1440,1400', `--screenshot=${png}`, `file://${page}`], join(dir, 'profile2'));
    expect(existsSync(png)).toBe(true);
  });
});

if (!CHROMIUM) {
  describe('diff HTML report in headless Chromium', () => {
    it.skip('skipped: no Chromium on this machine (apt-get install chromium)', () => {});
  });
}

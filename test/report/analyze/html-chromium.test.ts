/**
 * The HTML report in a real browser: Debian's headless Chromium loads the page from a file (no network),
 * and we count the ladder's arrows in the DOM it rendered. Skipped, saying so, only where no Chromium
 * could be installed (.ci/run installs it when missing).
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM, chromium } from '../../helpers/chromium.js';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../../src/analyze/pipeline.js';
import { renderAnalysisHtml } from '../../../src/report/analyze/html.js';
import { rungs } from '../../../src/report/ladder.js';

const ROOT = join(import.meta.dirname, '../../..');

describe.skipIf(!CHROMIUM)('HTML report in headless Chromium', () => {
  it('draws one arrow per message and TCP event for each failed connection, and screenshots it', async () => {
    const result = await analyzeCaptures([join(ROOT, 'captures/abort-then-retry.pcap')]);
    const html = renderAnalysisHtml(result);
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']?https?:/i); // self-contained
    const dir = mkdtempSync(join(tmpdir(), 'tlsdissect-html-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, html);

    const dom = chromium(['--dump-dom', `file://${file}`], join(dir, 'profile'));
    const failed = result.connections.filter((c) => c.outcome === 'failed');
    expect(failed).toHaveLength(1);
    const section = dom.slice(dom.indexOf(`id="conn-${failed[0]!.id}"`));
    const drawn = (section.match(/data-rung="/g) ?? []).length;
    const expected = rungs(failed[0]!);
    expect(drawn).toBe(expected.length);
    expect(expected.filter((r) => r.kind !== 'tcp').length).toBe(failed[0]!.messages.length);
    expect(section).toContain('stopped at step 4 ServerHelloDone');

    const out = join(ROOT, 'test-results');
    mkdirSync(out, { recursive: true });
    const png = join(out, 'abort-then-retry.png');
    chromium(['--window-size=1100,1200', `--screenshot=${png}`, `file://${file}`], join(dir, 'profile2'));
    expect(existsSync(png)).toBe(true);
  });
});

if (!CHROMIUM) {
  describe('HTML report in headless Chromium', () => {
    it.skip('skipped: no Chromium on this machine (apt-get install chromium)', () => {});
  });
}

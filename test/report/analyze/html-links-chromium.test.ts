/**
 * An HTML report of two captures in headless Chromium: every id on the page is unique, and every link in it
 * lands on its own connection — a row's number (`2#5`) on that connection's section, a section's heading back on
 * that row. The page is the CLI's (analyze -f html -o); a script added to the copy Chromium opens clicks each
 * link and writes down where the browser went (:target), which --dump-dom then shows.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM, chromium } from '../../helpers/chromium.js';

const ROOT = join(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'tlsdissect-links-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs in the page: each in-page link clicked, and what it landed on. */
const CHECK = `
<script>
var out = { ids: [], links: [] };
document.querySelectorAll('[id]').forEach(function (e) { out.ids.push(e.id); });
document.querySelectorAll('a[href^="#"]').forEach(function (a) {
  a.click();
  var t = document.querySelector(':target');
  var landed = null;
  if (t && t.tagName === 'SECTION') landed = t.querySelector('h2 a').textContent.replace(/^#/, '');
  if (t && t.tagName === 'TR') landed = t.cells[0].textContent;
  out.links.push({ text: a.textContent.replace(/^#/, ''), target: t ? t.tagName : null, landed: landed });
});
var pre = document.createElement('pre');
pre.id = 'check-result';
pre.textContent = JSON.stringify(out);
document.body.appendChild(pre);
</script>`;

describe.skipIf(!CHROMIUM)('HTML report of two captures in headless Chromium', () => {
  it('has unique ids, and each link lands on its own connection', () => {
    const file = join(dir, 'two.html');
    const captures = ['abort-after-shd.pcap', 'cert-reject.pcap'].map((f) => join(ROOT, 'captures', f));
    execFileSync(process.execPath, [CLI, 'analyze', ...captures, '-f', 'html', '--examples', 'all', '-o', file]);
    const html = readFileSync(file, 'utf8');
    // Both captures number from 1: the page says 1#… and 2#….
    expect(html).toContain('>1#1<');
    expect(html).toContain('>2#1<');
    const checked = join(dir, 'checked.html');
    writeFileSync(checked, html.replace('</body>', `${CHECK}\n</body>`));
    const dom = chromium(['--dump-dom', `file://${checked}`], join(dir, 'profile'));
    const json = /<pre id="check-result">([^<]*)<\/pre>/.exec(dom)?.[1];
    expect(json, 'the check ran in the page').toBeDefined();
    const out = JSON.parse(json!.replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as { ids: string[]; links: { text: string; target: string | null; landed: string | null }[] };
    expect(out.ids.length).toBeGreaterThan(30);
    expect(new Set(out.ids).size, 'every id once').toBe(out.ids.length);
    // 16 failed connections, all drawn: a link from each row, one back from each section.
    expect(out.links.filter((l) => l.target === 'SECTION')).toHaveLength(16);
    expect(out.links.filter((l) => l.target === 'TR')).toHaveLength(16);
    for (const l of out.links) expect(l.landed, `link ${l.text}`).toBe(l.text);
  });
});

if (!CHROMIUM) {
  describe('HTML report of two captures in headless Chromium', () => {
    it.skip('skipped: no Chromium on this machine (apt-get install chromium)', () => {});
  });
}

/**
 * Markdown reports of hostile captures, rendered by a real CommonMark renderer (markdown-it with raw HTML on, as
 * GitHub allows it, and linkify, as GitHub links bare URLs): a stranger's SNI, certificate names and SANs render
 * as the characters they are — no link, image, heading, comment or open <details> of theirs — and the table keeps
 * one row per connection.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import MarkdownIt from 'markdown-it';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../../src/analyze/pipeline.js';
import { renderConnectionMarkdown } from '../../../src/report/analyze/markdown.js';
import { renderDiffMarkdown } from '../../../src/report/diff/markdown.js';
import { renderGroupsMarkdown } from '../../../src/report/analyze/groups.js';
import { groupConnections } from '../../../src/analyze/groups.js';
import { diffReports } from '../../../src/diff/diff.js';
import { markdownCode, markdownHtmlText, markdownText } from '../../../src/text/markdown.js';
import { HOSTILE, certificate, hostileCapture, standardHostileCapture } from '../../helpers/hostile-tls.js';
import { renderAnalysisMarkdown } from '../../helpers/render-whole.js';

const md = new MarkdownIt({ html: true, linkify: true });
// GitHub links `https://…`, `www.…` and e-mail addresses, not bare domain names (mail.example.com).
md.linkify.set({ fuzzyLink: false });
const dir = process.env.KEEP_MD ?? mkdtempSync(join(tmpdir(), 'tlsdissect-md-hostile-'));
afterAll(() => {
  if (!process.env.KEEP_MD) rmSync(dir, { recursive: true, force: true });
});

/** What a renderer made of `markdown` that a stranger could have asked for. */
function injected(html: string): string[] {
  const found: string[] = [];
  if (/<a[\s>]/i.test(html)) found.push('a');
  if (/<img[\s>]/i.test(html)) found.push('img');
  if (/<h[1-6][\s>]/i.test(html.replace(/<h2>TLS handshakes<\/h2>|<h2>TLS handshake diff: .*?<\/h2>|<h3>Connections by [\w ]+<\/h3>/g, ''))) found.push('heading');
  if (/<!--/.test(html)) found.push('comment');
  if (/<details[^>]*\sopen/i.test(html)) found.push('details open');
  // (<strong> is the report's own: labels, and the bad side's differing values in a diff.)
  if (/<script|<b>|<em>|<del>|<s>/i.test(html)) found.push('markup');
  return found;
}

/** The table's body rows in the rendered HTML. */
function tableRows(html: string): number {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return (body.match(/<tr>/g) ?? []).length;
}

async function hostileAnalysis(file = 'hostile.pcap', bytes = standardHostileCapture()) {
  const path = join(dir, file);
  writeFileSync(path, bytes);
  return analyzeCaptures([path]);
}

describe('Markdown of a hostile capture, rendered', () => {
  it('the capture carries the hostile strings into the reports (else this test proves nothing)', async () => {
    const result = await hostileAnalysis();
    expect(result.connections).toHaveLength(3);
    const first = result.connections[0]!;
    expect(first.tls.sni).toBe(HOSTILE.sni);
    expect(first.diagnosis).toContain('<details open> <!--');
    expect(first.certificates![0]!.san.some((s) => s.includes('\r'))).toBe(true);
    expect(first.diagnosis).toContain('\r');
  });

  it('analyze: no injected element, one table row per connection', async () => {
    const result = await hostileAnalysis();
    const text = renderAnalysisMarkdown(result, { examples: Infinity });
    const html = md.render(text);
    writeFileSync(join(dir, 'hostile.md'), text);
    writeFileSync(join(dir, 'hostile.html'), html);
    expect(injected(html)).toEqual([]);
    expect(tableRows(html)).toBe(3);
    // Every connection's details, each closed.
    expect((html.match(/<details>/g) ?? []).length).toBe(3);
    expect((html.match(/<\/details>/g) ?? []).length).toBe(3);
    // The strings are there, as text.
    expect(html).toContain('[Download fix](https://evil.example/) &lt;img src=x&gt; &lt;details open&gt; &lt;!--');

  });

  it('one connection (--connection) and the groups by SNI (--by sni)', async () => {
    const result = await hostileAnalysis();
    for (const c of result.connections) expect(injected(md.render(renderConnectionMarkdown(c)))).toEqual([]);
    const groups = md.render(renderGroupsMarkdown(groupConnections(result.connections, 'sni')));
    expect(injected(groups)).toEqual([]);
    expect(tableRows(groups)).toBe(3);
  });

  it('a hostile capture file name and capture notes', async () => {
    const result = await hostileAnalysis('[x](evil.example) <!-- .pcap');
    const html = md.render(renderAnalysisMarkdown(result));
    expect(injected(html)).toEqual([]);
    expect(html).toContain('[x](evil.example) &lt;!-- .pcap');
  });

  it('diff: the heading, the side-by-side rows and the verdict lines', async () => {
    const other = certificate({ subject: 'mail.example.com', dnsNames: ['mail.example.com', '<details open>\r# x'] });
    const path = join(dir, 'pair.pcap');
    writeFileSync(path, hostileCapture([{ sni: 'mail.example.com', chain: [other] }, { sni: HOSTILE.sni, chain: [certificate({ subject: HOSTILE.subject, issuer: HOSTILE.issuer, dnsNames: HOSTILE.dnsNames })] }]));
    const result = await analyzeCaptures([path]);
    const [good, bad] = result.connections as [(typeof result.connections)[0], (typeof result.connections)[0]];
    const diffed = diffReports(good, bad);
    const text = renderDiffMarkdown(diffed, good, bad);
    expect(text).toContain('Download fix');
    const html = md.render(text);
    writeFileSync(join(dir, 'diff.md'), text);
    writeFileSync(join(dir, 'diff.html'), html);
    expect(injected(html)).toEqual([]);
    // The side-by-side table: its rows as the diff's, none forged by a CR.
    expect(html.match(/<tr>/g)!.length).toBe(text.split('\n').filter((l) => l.startsWith('| ')).length);
  });
});

describe('markdownText, markdownHtmlText, markdownCode', () => {
  const nasty = ['[a](https://x.example)', '![i](x)', '<img src=x>', '<!--', '# h', '- item', '1. item', '> quote', '*e* _e_ **s**', '`c`', '~~s~~', 'a | b', 'a\rb', 'a\nb', '\\', '&amp;', 'www.x.example', 'a@b.example', '<https://x.example>', '---', '==='];

  it('each renders as its own characters in a paragraph, a list item, a heading and a table cell', () => {
    for (const s of nasty) {
      const t = markdownText(s);
      expect(t).not.toMatch(/[\r\n]/);
      const plain = s.replace(/[\r\n]/g, ' ');
      for (const [source, tag] of [
        [`x ${t}`, 'p'],
        [t, 'p'],
        [`- ${t}`, 'li'],
        [`### ${t}`, 'h3'],
      ] as const) {
        const html = md.render(source);
        expect(injected(tag === 'h3' ? html.replace(/^<h3>|<\/h3>\n$/g, '') : html), `${JSON.stringify(s)} in ${tag}`).toEqual([]);
        const text = html.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&').trim();
        expect(text, `${JSON.stringify(s)} in ${tag}`).toBe(tag === 'p' && source.startsWith('x ') ? `x ${plain}`.trim() : plain.trim());
      }
      const table = md.render(`| a | b |\n|---|---|\n| ${t} | z |\n`);
      expect(tableRows(table), JSON.stringify(s)).toBe(1);
      expect((table.match(/<td>/g) ?? []).length, JSON.stringify(s)).toBe(2);
    }
  });

  it('keeps common values readable in the source', () => {
    expect(markdownText('10.0.0.1:25')).toBe('10.0.0.1:25');
    expect(markdownText('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256')).toBe('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
    expect(markdownText('TLS 1.2')).toBe('TLS 1.2');
    // GitHub's extended autolinks start at `www.`, `://` and `@` in the source: those are character references.
    expect(markdownText('www.evil.example https://evil.example a@evil.example')).toBe('www&#46;evil.example https&#58;//evil.example a&#64;evil.example');
  });

  it('a summary line stays one HTML line with its text escaped; a code span no backtick closes', () => {
    for (const s of nasty) {
      const html = md.render(`<details><summary>${markdownHtmlText(s)}</summary>\n\nbody\n\n</details>\n`);
      expect(injected(html.replace(/<details><summary>/, '')), JSON.stringify(s)).toEqual([]);
      expect(html).toContain('</summary>');
    }
    for (const s of ['`', '``', 'a ` b', '` a `', '```x```', '<!--']) {
      const html = md.render(`x ${markdownCode(s)} y`);
      expect(html, s).toContain(`<code>${s.replace(/</g, '&lt;')}</code>`);
    }
  });
});

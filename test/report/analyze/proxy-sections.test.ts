/**
 * A connection that came through a load balancer says so in its own section, in every format: who sent the PROXY
 * header and what it announced (the text of `--connection` had it; Markdown's details and HTML's sections now too).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import MarkdownIt from 'markdown-it';
import { analyzeCapture } from '../../../src/analyze/pipeline.js';
import { htmlSection } from '../../../src/report/analyze/html.js';
import { renderConnectionMarkdown } from '../../../src/report/analyze/markdown.js';
import { renderConnectionText } from '../../../src/report/analyze/text.js';

const CAPTURE = join(import.meta.dirname, '../../../captures/proxy-haproxy.pcap');

describe('per-connection sections of captures/proxy-haproxy.pcap', () => {
  it('name the balancer of a proxied connection and nothing of the kind for a direct one', async () => {
    const { connections } = await analyzeCapture(CAPTURE);
    const proxied = connections.filter((c) => c.proxy);
    const direct = connections.filter((c) => !c.proxy);
    expect(proxied.length).toBe(21);
    expect(direct.length).toBe(12);
    const v1 = proxied.find((c) => c.proxy!.version === 1 && c.proxy!.ip === '10.78.1.2')!;
    const said = `through a proxy: 10.78.1.2:${v1.proxy!.port} sent a PROXY protocol v1 header (tcp4): the client above`;
    expect(renderConnectionText(v1)).toContain(said);
    const md = new MarkdownIt({ html: true }).render(renderConnectionMarkdown(v1));
    expect(md).toContain(said);
    expect(htmlSection(v1)).toContain(`<p class="proxy">${said}`);
    for (const c of direct) {
      expect(renderConnectionMarkdown(c)).not.toContain('through a proxy');
      expect(htmlSection(c)).not.toContain('through a proxy');
    }
  });

  it('escapes an IPv6 balancer for HTML and Markdown alike', async () => {
    const { connections } = await analyzeCapture(CAPTURE);
    const v6 = connections.find((c) => c.proxy?.ip === 'fd78:1::2')!;
    expect(htmlSection(v6)).toContain(`[fd78:1::2]:${v6.proxy!.port} sent a PROXY protocol v`);
    expect(new MarkdownIt({ html: true }).render(renderConnectionMarkdown(v6))).toContain(`[fd78:1::2]:${v6.proxy!.port} sent a PROXY protocol v`);
  });
});

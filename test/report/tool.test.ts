/**
 * Every Markdown, HTML and JSON report names the tool and its version, the command line (with --redact, the
 * capture and log file names replaced by their place) and when it was made. The time is checked by its form, or
 * injected: no test depends on the clock.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toolInfo, toolTimeShown } from '../../src/report/tool.js';
import { TOOL_NAME, TOOL_VERSION } from '../../src/version.js';

const ROOT = join(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const run = (...args: string[]) => execFileSync(process.execPath, [CLI, ...args], { cwd: ROOT }).toString();
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
/** How the Markdown, HTML and text reports show it. */
const ISO_UTC_SECOND = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe('toolInfo', () => {
  const now = new Date('2026-12-07T01:02:03.456Z');

  it('names the tool, its version, the command and the time (UTC, microseconds; shown to the second)', () => {
    const t = toolInfo(['analyze', 'x.pcap', '-f', 'json'], { now });
    expect(t).toEqual({ name: TOOL_NAME, version: TOOL_VERSION, command: 'tlsdissect analyze x.pcap -f json', generated: '2026-12-07T01:02:03.456000Z' });
    expect(toolTimeShown(t)).toBe('2026-12-07T01:02:03Z');
    expect(toolInfo([]).generated).toMatch(ISO_UTC);
  });

  it('quotes what a shell would split', () => {
    expect(toolInfo(['analyze', 'my capture.pcap', "it's.pcap"], { now }).command).toBe(`tlsdissect analyze 'my capture.pcap' 'it'\\''s.pcap'`);
  });

  it('with --redact: capture and log files by their place, other option values kept', () => {
    const args = ['analyze', '/srv/mx1.example.com/tue.pcap.gz', 'b.pcapng', '--log', '/var/log/mail.log', '--log=/var/log/dovecot.log', '-f', 'markdown', '-o', 'out.md', '--server-name', 'mx1.example.com', '--redact'];
    const t = toolInfo(args, { now, redact: true, files: { captures: ['/srv/mx1.example.com/tue.pcap.gz', 'b.pcapng'], logs: ['/var/log/mail.log', '/var/log/dovecot.log'] } });
    expect(t.command).toBe('tlsdissect analyze capture-1.pcap.gz capture-2.pcapng --log log-1 --log=log-2 -f markdown -o out.md --server-name mx1.example.com --redact');
    // diff's file.pcap#3 and file.pcap@client=…
    const d = toolInfo(['diff', 'good.pcap#3', 'bad.pcap@client=10.0.0.1:4000', '--redact'], { now, redact: true, files: { captures: ['good.pcap', 'bad.pcap'] } });
    expect(d.command).toBe('tlsdissect diff capture-1.pcap#3 capture-2.pcap@client=10.0.0.1:4000 --redact');
    // Without --redact, as given.
    expect(toolInfo(args, { now, files: { captures: ['b.pcapng'] } }).command).toContain('/srv/mx1.example.com/tue.pcap.gz');
  });
});

describe('the reports name what made them', () => {
  const capture = 'captures/cert-reject.pcap';

  it('analyze: Markdown, HTML and JSON', () => {
    const md = run('analyze', capture, '-f', 'markdown');
    const line = /^<sub>Made by tlsdissect (\S+) on (\S+): `(.*)`<\/sub>$/m.exec(md);
    expect(line).not.toBeNull();
    expect(line![1]).toBe(TOOL_VERSION);
    expect(line![2]).toMatch(ISO_UTC_SECOND);
    expect(line![3]).toBe(`tlsdissect analyze ${capture} -f markdown`);
    const html = run('analyze', capture, '-f', 'html');
    expect(html).toContain(`<meta name="generator" content="tlsdissect ${TOOL_VERSION}">`);
    expect(html).toMatch(new RegExp(`<p class="tool">Made by tlsdissect ${TOOL_VERSION.replace(/\./g, '\\.')} on <time datetime="[^"]+">[^<]+</time>: <code>tlsdissect analyze captures/cert-reject\\.pcap -f html</code></p>`));
    const doc = JSON.parse(run('analyze', capture, '-f', 'json'));
    expect(doc.tool).toEqual({ name: 'tlsdissect', version: TOOL_VERSION, command: `tlsdissect analyze ${capture} -f json`, generated: expect.stringMatching(ISO_UTC) });
    // One connection's Markdown too.
    expect(run('analyze', capture, '-c', '2', '-f', 'markdown')).toMatch(/^<sub>Made by tlsdissect .* `tlsdissect analyze captures\/cert-reject\.pcap -c 2 -f markdown`<\/sub>$/m);
  });

  it('analyze --redact: the capture and log names replaced in the command line', () => {
    const md = run('analyze', capture, '--log', 'captures/server-postfix.log', '-f', 'markdown', '--redact');
    expect(md).toMatch(/`tlsdissect analyze capture-1\.pcap --log log-1 -f markdown --redact`/);
    const doc = JSON.parse(run('analyze', capture, '-f', 'json', '--redact'));
    expect(doc.tool.command).toBe('tlsdissect analyze capture-1.pcap -f json --redact');
  });

  it('diff: Markdown, HTML and JSON', () => {
    const good = 'captures/abort-then-retry.pcap#2';
    const bad = 'captures/abort-then-retry.pcap#1';
    expect(run('diff', good, bad, '-f', 'markdown')).toMatch(/^<sub>Made by tlsdissect \S+ on \S+: `tlsdissect diff captures\/abort-then-retry\.pcap#2 captures\/abort-then-retry\.pcap#1 -f markdown`<\/sub>$/m);
    expect(run('diff', good, bad, '-f', 'html')).toMatch(/<p class="tool">Made by tlsdissect .*<code>tlsdissect diff captures\/abort-then-retry\.pcap#2 captures\/abort-then-retry\.pcap#1 -f html<\/code><\/p>/);
    const doc = JSON.parse(run('diff', good, bad, '-f', 'json', '--redact'));
    expect(doc.tool).toEqual({ name: 'tlsdissect', version: TOOL_VERSION, command: 'tlsdissect diff capture-1.pcap#2 capture-1.pcap#1 -f json --redact', generated: expect.stringMatching(ISO_UTC) });
  });
});

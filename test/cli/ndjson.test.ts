/**
 * `analyze --format ndjson`: one connection a line, the same objects as `--format json`'s connections, then one
 * line with the summary and the captures, whatever the options that change what is shown or how.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './run.js';

const LOGS = ['--log', 'captures/server-postfix.log', '--log', 'captures/server-dovecot.log'];

describe('analyze --format ndjson', () => {
  it.each([
    [['captures/abort-then-retry.pcap']],
    [['captures/tls2.pcap']],
    [['captures/abort-then-retry.pcap', 'captures/cert-reject.pcap', '--failed']],
    [['captures/abort-then-retry.pcap', 'captures/cert-reject.pcap', '--jobs', '2']],
    [['captures/abort-after-shd.pcap', '--redact', ...LOGS]],
  ])('%j: every line parses; the connections, summary and captures are the JSON output\'s', (args) => {
    const json = runCli(['analyze', ...args, '-f', 'json']);
    const ndjson = runCli(['analyze', ...args, '-f', 'ndjson']);
    expect(ndjson.status).toBe(json.status);
    expect(ndjson.stderr).toBe(json.stderr);
    expect(ndjson.stdout.endsWith('\n')).toBe(true);
    const lines = ndjson.stdout.slice(0, -1).split('\n');
    const objects = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const doc = JSON.parse(json.stdout);
    expect(doc.connections.length).toBeGreaterThan(0);
    // Every line says its version first, as the document does.
    for (const line of lines) expect(line.startsWith(`{"schemaVersion":${JSON.stringify(doc.schemaVersion)},`)).toBe(true);
    expect(objects.slice(0, -1).map(({ schemaVersion: _, ...c }) => c)).toEqual(doc.connections);
    const last = objects.at(-1)!;
    // The same tool, but for the time it was made and the format named on its command line.
    expect({ ...last, tool: undefined }).toEqual({ schemaVersion: doc.schemaVersion, summary: doc.summary, captures: doc.captures, tool: undefined, ...(doc.redacted ? { redacted: doc.redacted } : {}) });
    expect((last.tool as { name: string }).name).toBe(doc.tool.name);
    // Compact: one object a line, no indentation.
    for (const line of lines) expect(line).not.toMatch(/^\s|": /);
  });

  it('--connection N: that connection on one line', () => {
    const json = JSON.parse(runCli(['analyze', 'captures/abort-then-retry.pcap', '-c', '2', '-f', 'json']).stdout);
    const r = runCli(['analyze', 'captures/abort-then-retry.pcap', '-c', '2', '-f', 'ndjson']);
    expect(r.stdout.split('\n')).toHaveLength(2);
    expect(JSON.parse(r.stdout)).toEqual(json);
  });

  it('--by does not combine with it: one line, exit 2', () => {
    const r = runCli(['analyze', 'captures/abort-then-retry.pcap', '--by', 'client', '-f', 'ndjson']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('tlsdissect: --by shows groups in text, markdown or json; it does not combine with --connection or --format html or ndjson\n');
  });
});

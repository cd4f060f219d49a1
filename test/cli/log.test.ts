import { describe, expect, it } from 'vitest';
import { runCli } from './run.js';

const LOGS = ['--log', 'captures/server-postfix.log', '--log', 'captures/server-dovecot.log'];

describe('tlsdissect analyze --log', () => {
  it('puts each connection’s server log lines in the JSON, with the match and what the log adds to the diagnosis', () => {
    const r = runCli(['analyze', 'captures/abort-after-shd.pcap', ...LOGS, '-f', 'json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    const first = doc.connections[0];
    expect(first.log).toHaveLength(14);
    expect(first.log[0]).toEqual({
      file: 'captures/server-postfix.log',
      lineNumber: 176,
      line: 'Nov 28 11:57:56 mail postfix/smtpd[26560]: connect from unknown[10.77.0.100]:50648',
      match: 'port',
      via: 'client',
    });
    expect(first.diagnosis).toContain("server log: `SSL_accept:error in SSLv3/TLS write server done` then `lost connection`: the server waited for the client's key exchange");
    for (const c of doc.connections) expect(c.log.length).toBeGreaterThan(0);
    expect(doc.summary.log.connectionsWithLog).toEqual({ port: 9, time: 0 });
    expect(doc.summary.log.files.map((f: { time: { zoneFrom: string } }) => f.time.zoneFrom)).toEqual(['estimated', 'estimated']);
    expect(doc.summary.unmatchedLogLines).toEqual([]);
    expect(doc.summary.log.failedWithoutLog).toEqual([]);
  });

  it('leaves the JSON as it was without --log', () => {
    const doc = JSON.parse(runCli(['analyze', 'captures/abort-after-shd.pcap', '-f', 'json']).stdout);
    expect(doc.connections[0]).not.toHaveProperty('log');
    expect(doc.summary).not.toHaveProperty('log');
  });

  it('shows a log column in the table, the lines in --connection, the clock and the clues in the summary', () => {
    const table = runCli(['analyze', 'captures/abort-after-shd.pcap', '--log', 'captures/server-postfix.log']);
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/ ended by +log +why +notes$/m);
    expect(table.stdout).toMatch(/^1 .* 14 port +\[A\]$/m);
    expect(table.stdout).toMatch(/^6 .* — +\[C\]$/m);
    // The log's sentence joins the diagnosis listed under the table.
    expect(table.stdout).toMatch(/^\[A\] .*; server log: `SSL_accept:error in SSLv3\/TLS write server done` then `lost connection`/m);
    expect(table.stdout).toContain('server log: captures/server-postfix.log (361 lines, zone +00:00 (estimated), clock 0 s');
    expect(table.stdout).toContain('failed connections with no log line: #6 10.77.0.100:56952, #7 10.77.0.100:28260, #8 10.77.0.100:58844, #9 10.77.0.100:36292');
    const one = runCli(['analyze', 'captures/abort-after-shd.pcap', ...LOGS, '-c', '6']);
    expect(one.stdout).toContain('server log: 18 lines, matched by client address and port');
    expect(one.stdout).toContain('  captures/server-dovecot.log:189  2026-11-28 11:57:59 imap-login: Info: Disconnected: Connection closed');
  });

  it('puts the log in the Markdown and HTML reports for a ticket: the column, the summary lines, a failed connection’s lines', () => {
    const md = runCli(['analyze', 'captures/abort-after-shd.pcap', '--log', 'captures/server-postfix.log', '-f', 'markdown']);
    expect(md.status).toBe(0);
    expect(md.stdout).toContain('| ended by | log | diagnosis |');
    expect(md.stdout).toMatch(/\| client FIN \| 14 port \| client closed/);
    expect(md.stdout).toMatch(/^- server log: captures\/server-postfix\.log \(\d+ lines, zone/m);
    // In the first failed connection's details, inside its text block, the line that opened the session.
    const details = md.stdout.slice(md.stdout.indexOf('<details>'), md.stdout.indexOf('</details>'));
    expect(details).toContain('server log: 14 lines, matched by client address and port');
    expect(details).toContain('captures/server-postfix.log:176  Nov 28 11:57:56 mail postfix/smtpd[26560]: connect from unknown[10.77.0.100]:50648');
    expect(details.indexOf('server log: 14 lines')).toBeLessThan(details.lastIndexOf('```'));
    const html = runCli(['analyze', 'captures/abort-after-shd.pcap', '--log', 'captures/server-postfix.log', '-f', 'html']);
    expect(html.status).toBe(0);
    expect(html.stdout).toContain('<th>log</th><th>diagnosis</th>');
    expect(html.stdout).toContain('<td>14 port</td>');
    expect(html.stdout).toMatch(/<li>server log: captures\/server-postfix\.log \(\d+ lines/);
    expect(html.stdout).toMatch(/<pre class="log">server log: 14 lines, matched by client address and port\n {2}captures\/server-postfix\.log:176 {2}Nov 28 11:57:56/);
    // Without --log, neither has a log column.
    expect(runCli(['analyze', 'captures/abort-after-shd.pcap', '-f', 'markdown']).stdout).toContain('| ended by | diagnosis |');
    expect(runCli(['analyze', 'captures/abort-after-shd.pcap', '-f', 'html']).stdout).not.toContain('<th>log</th>');
  });

  it('redacts the addresses in log lines too', () => {
    const doc = JSON.parse(runCli(['analyze', 'captures/abort-after-shd.pcap', ...LOGS, '-f', 'json', '--redact']).stdout);
    // The syslog host field is a host name too.
    expect(doc.connections[0].log[0].line).toMatch(/^Nov 28 11:57:56 name-\d+\.example\.test postfix\/smtpd\[26560\]: connect from unknown\[client-1\]:50648$/);
    expect(JSON.stringify(doc)).not.toContain('10.77.0.100');
  });

  it('refuses a missing log file, a bad zone or year, and --log-tz without --log', () => {
    const missing = runCli(['analyze', 'captures/abort-after-shd.pcap', '--log', 'captures/nope.log']);
    expect(missing.status).toBe(3);
    expect(missing.stderr).toBe('tlsdissect: cannot open captures/nope.log: no such file\n');
    const zone = runCli(['analyze', 'captures/abort-after-shd.pcap', ...LOGS, '--log-tz', 'Mars/Olympus']);
    expect(zone.status).toBe(2);
    expect(zone.stderr).toMatch(/^tlsdissect: --log-tz Mars\/Olympus: not a time zone/);
    expect(runCli(['analyze', 'captures/abort-after-shd.pcap', ...LOGS, '--log-year', 'soon']).status).toBe(2);
    expect(runCli(['analyze', 'captures/abort-after-shd.pcap', '--log-tz', 'UTC']).stderr).toBe('tlsdissect: --log-tz and --log-year need --log\n');
  });
});

/**
 * The server's own words (issue 18): Dovecot lines that name no client joined by service and time when exactly one
 * connection of that service was open then, listed as unattributed with their candidates when several were; Postfix's
 * `SSL_accept error … lost connection` explained from the capture.
 *
 * captures/dovecot-time-join.log is the lab's Dovecot log with two `Disconnected` lines taken out
 * (scripts/make-dovecot-time-join-log.mjs): imaps :56952 (abort-after-shd.pcap #6, alone at 11:57:59) gets master's
 * `child … killed with signal 9` instead; imaps :24118 (good-993-imaps.pcap #1, 11:57:17, with #2 in the same second)
 * gets nothing.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/analyze/pipeline.js';
import { joinServerLogs } from '../../src/serverlog/join.js';
import { capture, runCli } from '../cli/run.js';

const ABORT = capture('abort-after-shd.pcap');
const IMAPS = capture('good-993-imaps.pcap');
const DOVECOT = capture('dovecot-time-join.log');
const POSTFIX = capture('server-postfix.log');

describe('Dovecot lines without a client, joined by service and time', () => {
  it('joins them when exactly one connection of the service was open, and never guesses between several', async () => {
    const result = await analyzeCaptures([ABORT, IMAPS]);
    await joinServerLogs(result, [DOVECOT]);
    const killed = result.connections.find((c) => c.capture === ABORT && c.client.port === 56952)!;
    const log = killed.log!;
    expect(log.length).toBeGreaterThan(10);
    expect(log.every((l) => l.match === 'time')).toBe(true);
    expect(log.find((l) => l.line.includes('child 31337 killed with signal 9'))).toMatchObject({ match: 'time', via: 'master' });
    expect(log.some((l) => l.line.endsWith('SSL error: Connection closed'))).toBe(true);
    expect(killed.diagnosis).toContain('server log (matched by service and time: the only connection of its service open then): `SSLv3/TLS write server done` then `service(imap-login): child 31337 killed with signal 9`');

    // 11:57:17: #1 and #2 of good-993-imaps.pcap were both open: line 1 (#1's handshake start) goes to neither.
    const [first, second] = result.connections.filter((c) => c.capture === IMAPS);
    expect((first!.log ?? []).length).toBe(0);
    expect((second!.log ?? []).every((l) => l.match === 'port')).toBe(true);
    const line1 = result.summary.unmatchedLogLines!.find((u) => u.lineNumber === 1)!;
    expect(line1.reason).toBe('ambiguous');
    expect(line1.candidates!.map((c) => [c.id, c.client])).toEqual([
      [1, '10.77.0.100:24118'],
      [2, '10.77.0.100:24134'],
    ]);
    // The lines of the shipped log (with its Disconnected lines) are joined by port as before: nothing by service.
    const plain = await analyzeCaptures([ABORT, IMAPS]);
    await joinServerLogs(plain, [capture('server-dovecot.log')]);
    expect(plain.summary.unmatchedLogLines!.filter((u) => u.candidates)).toEqual([]);
    expect(plain.connections.find((c) => c.capture === ABORT && c.client.port === 56952)!.log!.some((l) => l.match === 'port')).toBe(true);
  });

  it('the CLI says so in the summary, streamed as in the whole document', () => {
    const r = runCli(['analyze', ABORT, IMAPS, '--log', DOVECOT]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/log lines without a client left unattributed \(several connections of their service were open then\): \d+, lines 1–\d+; candidates #1 10\.77\.0\.100:24118, #2 10\.77\.0\.100:24134/);
    const json = JSON.parse(runCli(['analyze', ABORT, IMAPS, '--log', DOVECOT, '-f', 'json']).stdout);
    const killed = json.connections.find((c: { client: { port: number } }) => c.client.port === 56952);
    expect(killed.diagnosis).toContain('matched by service and time');
  });
});

describe("Postfix's SSL_accept error, explained from the capture", () => {
  it('lost connection: the client FIN, its frame and how long after ServerHelloDone', async () => {
    const result = await analyzeCaptures([ABORT]);
    await joinServerLogs(result, [POSTFIX]);
    const r = result.connections.find((c) => c.client.port === 50648)!;
    expect(r.end).toMatchObject({ by: 'client', how: 'fin', frame: 16 });
    expect(r.diagnosis).toContain('`SSL_accept error … lost connection`: the client closed the connection (FIN, frame 16) 0.1 ms after ServerHelloDone: Postfix saw end of file in SSL_accept');
    const reset = result.connections.find((c) => c.client.port === 31948)!;
    expect(reset.diagnosis).toContain(`the client reset the connection (RST, frame ${reset.end.frame}) 0.2 ms after ServerHelloDone: Postfix's read in SSL_accept failed with that reset`);
  });

  it("older Postfix's `: -1` is the same end of file; the streamed CLI says it too", () => {
    const dir = mkdtempSync(join(tmpdir(), 'postfix-'));
    const older = join(dir, 'postfix-older.log');
    writeFileSync(older, readFileSync(POSTFIX, 'utf8').replace('SSL_accept error from unknown[10.77.0.100]:50648: lost connection', 'SSL_accept error from unknown[10.77.0.100]:50648: -1'));
    const json = JSON.parse(runCli(['analyze', ABORT, '--log', older, '-f', 'json']).stdout);
    const r = json.connections.find((c: { client: { port: number } }) => c.client.port === 50648);
    expect(r.diagnosis).toContain('`SSL_accept error … -1` (`-1` is how older Postfix versions write it): the client closed the connection (FIN, frame 16) 0.1 ms after ServerHelloDone: Postfix saw end of file in SSL_accept');
  });
});

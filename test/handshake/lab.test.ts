/**
 * The lab captures (real Postfix 3.7 and Dovecot 2.3 with real clients) against what really happened
 * there: captures/lab-truth.json was written by the harness that drove the clients, from the clients'
 * own observations and the servers' logs, not from any dissector.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/analyze/pipeline.js';
import type { ConnectionReport } from '../../src/handshake/report.js';

const CAPTURES = join(import.meta.dirname, '../../captures');

interface TruthConnection {
  client: string;
  server: string;
  protocol: string;
  tls_version_negotiated: string | null;
  expected_outcome: 'completed' | 'failed';
  last_handshake_client: string;
  last_handshake_server: string;
  ended_by: string;
  alert: null | { from: string; level: number; description: number; name: string; encrypted: boolean };
}
const truth = JSON.parse(readFileSync(join(CAPTURES, 'lab-truth.json'), 'utf8')) as {
  captures: Record<string, { connections: TruthConnection[] }>;
};

const PROTOCOL: Record<string, string> = {
  'smtp+starttls': 'smtp-starttls',
  'submission+starttls': 'submission-starttls',
  'smtps(submissions)': 'smtps',
  imaps: 'imaps',
  pop3s: 'pop3s',
  'imap+starttls': 'imap-starttls',
  'pop3+stls': 'pop3-stls',
};

/** The truth's free-text `ended_by`, read as (who, how) when it names one; null when either side may close first. */
function expectedEnd(t: TruthConnection): { by: string; how: string } | null {
  if (t.alert) return { by: t.alert.from, how: 'alert' };
  if (/either side may send the first FIN/.test(t.ended_by)) return null;
  const m = /(client|server) (FIN|RST)/.exec(t.ended_by);
  return m ? { by: m[1]!, how: m[2]!.toLowerCase() } : null;
}

const key = (r: ConnectionReport) => `${r.client.ip}:${r.client.port}`;

/**
 * Each test analyses its capture itself (a few ms each), and nothing is analysed while the tests are collected:
 * a shared analysis would give the first test the credit for the work under mutation testing (coverage per
 * test), and one done in a `describe` body fails the whole file with no test run, which Stryker reads as a
 * survived mutant (docs/testing.md, "the second trap").
 */
async function analyzed(file: string) {
  const { info, connections } = await analyzeCapture(join(CAPTURES, file));
  return { info, byClient: new Map(connections.map((r) => [key(r), r])), connections };
}

for (const [file, capture] of Object.entries(truth.captures)) {
  describe(`lab capture ${file}`, () => {
    it('reads the whole file', async () => {
      const { info } = await analyzed(file);
      expect(info.damage).toBeNull();
      expect(info.frames).toBeGreaterThan(0);
    });

    for (const t of capture.connections) {
      it(`${t.client} → ${t.server} (${t.protocol}): ${t.expected_outcome}, ${t.ended_by}`, async () => {
        const { byClient } = await analyzed(file);
        const r = byClient.get(t.client);
        expect(r, `connection from ${t.client} found`).toBeDefined();
        if (!r) return;
        expect(`${r.server.ip}:${r.server.port}`).toBe(t.server);
        expect(r.protocol).toBe(PROTOCOL[t.protocol]);
        expect(r.outcome).toBe(t.expected_outcome === 'completed' ? 'complete' : 'failed');
        if (t.tls_version_negotiated) expect(r.tls.version).toBe(t.tls_version_negotiated.replace('TLSv', 'TLS '));
        if (t.expected_outcome === 'completed') expect(r.lastStep).toBe(9);
        else if (/never fully delivered/.test(t.last_handshake_server)) {
          // The server wrote its whole flight, but TCP held back what did not fit in the window the
          // client never opened: the capture holds only part of it, so step 2 or more is all the wire shows.
          expect(r.lastStep).toBeGreaterThanOrEqual(2);
          expect(r.diagnosis).toMatch(/path-MTU black hole likely/);
        } else if (/^ServerHelloDone|^Finished/.test(t.last_handshake_server)) expect(r.lastStep).toBe(4);
        else if (/^Certificate/.test(t.last_handshake_server)) expect(r.lastStep).toBeGreaterThanOrEqual(3);
        const end = expectedEnd(t);
        if (end) {
          expect(r.end.by).toBe(end.by);
          expect(r.end.how).toBe(end.how);
        }
        // The diagnosis says what the truth says, in the admin's words.
        const abort = /^client (FIN|RST) \(no alert\) right after ServerHelloDone/.exec(t.ended_by);
        if (abort) {
          const how = abort[1] === 'FIN' ? 'closed \\(FIN\\)' : 'reset \\(RST\\)';
          expect(r.diagnosis).toMatch(new RegExp(`^client ${how} [0-9.]+ ms after ServerHelloDone without an alert: it rejected the server's certificate or key exchange`));
        }
        if (t.expected_outcome === 'completed') expect(r.diagnosis).toMatch(/^handshake completed in [0-9.]+ ms \(TLS 1\.[23], TLS_/);
        if (t.alert) {
          expect(r.diagnosis).toMatch(new RegExp(`^client sent alert ${t.alert.name} \\(${t.alert.description}\\) after the server's`));
          expect(r.end.alert?.code).toBe(t.alert.description);
          expect(r.end.alert?.name).toBe(t.alert.name);
          expect(r.end.alert?.encrypted).toBe(t.alert.encrypted);
        }
      });
    }

    it('finds no TLS connection the truth does not know', async () => {
      const { connections } = await analyzed(file);
      const known = new Set(capture.connections.map((t) => t.client));
      const extra = connections.filter((r) => r.outcome !== 'not-tls' && !known.has(key(r)));
      expect(extra.map(key)).toEqual([]);
    });
  });
}

/**
 * The public captures that come with a Zeek btest baseline (fixtures/zeek/, copied from
 * /work/shared/captures/public/expected/zeek, zeek/zeek @ a13de64fbbdb01f90961c04719b308fbbb6d199e, BSD-3-Clause):
 * our `history` must be Zeek's `ssl_history` letter for letter, and the version, cipher, resumption, last
 * plaintext alert and "established" must agree where both can say.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/analyze/pipeline.js';
import type { ConnectionReport } from '../../src/handshake/report.js';

const CAPTURES = join(import.meta.dirname, '../../captures');
const BASELINES = join(import.meta.dirname, 'fixtures/zeek');

/**
 * Which capture each ssl.log block belongs to (MANIFEST.md). The tls13 test ran seven traces into one
 * ssl-out.log; its first two (tls13draft16-chrome55.0.2879.0-canary and its aborted twin) are not in the corpus.
 */
const BASELINE_CAPTURES: { log: string; captures: (string | null)[] }[] = [
  { log: 'imap.starttls/ssl.log', captures: ['imap-starttls.pcap'] },
  { log: 'pop3.starttls/ssl.log', captures: ['pop3-starttls.pcap'] },
  { log: 'smtp.starttls/ssl.log', captures: ['zeek-smtp-starttls.pcap'] },
  { log: 'ssl.fragment/ssl.log', captures: ['tls-fragmented-handshake.pcap.gz'] },
  { log: 'ssl.ml-dsa-44-cert/ssl.log', captures: ['ml-dsa-44-cert.pcap'] },
  { log: 'ssl.tls-1.2-handshake-failure/ssl.log', captures: ['tls-1.2-handshake-failure.pcap'] },
  { log: 'ssl.tls1_1/ssl.log', captures: ['tls1_1.pcap'] },
  {
    log: 'ssl.tls13/ssl-out.log',
    captures: [
      null,
      null,
      'tls13draft16-ff52.a01-aborted.pcap',
      'tls13draft16-ff52.a01.pcap',
      'tls13_psk_succesfull.pcap',
      'hrr.pcap',
      'chrome-1250-tls-x25519-kyber.pcap',
    ],
  },
];

/** Zeek's version names (ssl/consts.zeek) in ours. */
function zeekVersion(v: string): string {
  const draft = /^TLSv13-draft(\d+)$/.exec(v);
  if (draft) return `TLS 1.3 (draft ${draft[1]})`;
  const names: Record<string, string> = { SSLv2: 'SSL 2.0', SSLv3: 'SSL 3.0', TLSv10: 'TLS 1.0', TLSv11: 'TLS 1.1', TLSv12: 'TLS 1.2', TLSv13: 'TLS 1.3' };
  return names[v] ?? v;
}

type LogRow = Record<string, string>;

/** The blocks of a btest ssl.log (one per trace, each with its own #fields line). */
function readBlocks(file: string): LogRow[][] {
  const blocks: LogRow[][] = [];
  let fields: string[] = [];
  let rows: LogRow[] | null = null;
  for (const line of readFileSync(join(BASELINES, file), 'utf8').split('\n')) {
    if (line.startsWith('#fields\t')) {
      fields = line.split('\t').slice(1);
      rows = [];
      blocks.push(rows);
    } else if (line !== '' && !line.startsWith('#') && rows) {
      const values = line.split('\t');
      rows.push(Object.fromEntries(fields.map((f, i) => [f, values[i] ?? ''])));
    }
  }
  return blocks;
}

const unset = (v: string | undefined) => v === undefined || v === '-' || v === '(empty)';

describe('Zeek ssl.log baselines', () => {
  for (const { log, captures } of BASELINE_CAPTURES) {
    const blocks = readBlocks(log);
    it(`${log} has one block per trace`, () => {
      expect(blocks).toHaveLength(captures.length);
    });
    captures.forEach((capture, i) => {
      if (capture === null) return;
      for (const z of blocks[i] ?? []) {
        it(`${capture} ${z['id.orig_h']}:${z['id.orig_p']} → ${z['id.resp_p']}: ${z.ssl_history}`, async () => {
          const { connections } = await analyzeCapture(join(CAPTURES, capture));
          const c = connections.find((r) => String(r.client.port) === z['id.orig_p'] && String(r.server.port) === z['id.resp_p']) as ConnectionReport;
          expect(c, 'connection found').toBeDefined();
          expect(c.client.ip).toBe(z['id.orig_h']);
          expect(c.history).toBe(z.ssl_history);
          expect(c.tls.version).toBe(unset(z.version) ? null : zeekVersion(z.version!));
          expect(c.tls.cipher).toBe(unset(z.cipher) ? null : z.cipher);
          expect(c.tls.resumed).toBe(z.resumed === 'T');
          const alerts = c.messages.filter((m) => /^Alert (warning|fatal) /.test(m.type));
          const lastAlert = alerts.length > 0 ? alerts[alerts.length - 1]!.type.replace(/^Alert (warning|fatal) /, '') : null;
          expect(lastAlert).toBe(unset(z.last_alert) ? null : z.last_alert);
          // Zeek's "established" is a completed handshake; a handshake that is not (failed, or cut by the capture's
          // end) is not established in either.
          expect(c.outcome === 'complete').toBe(z.established === 'T');
        });
      }
    });
  }
});

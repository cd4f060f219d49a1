/**
 * Memory follows the connections open at once: what a connection leaves once it is reported is let go, even
 * when every connection of the capture is still open at its end and all are reported at once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/analyze/pipeline.js';
import type { ConnectionReport } from '../../src/handshake/report.js';
import { halfOpenFlood, pcapFile, TCP_ACK, TCP_PSH } from '../robustness/pcap-writer.js';

// A full collection on demand, so that what is measured is what is still reachable.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const ROOT = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'tlsdissect-let-go-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('what a reported connection leaves is let go', () => {
  it('16,000 half-open connections reported at the capture end: the last report finds the others gone', async () => {
    const count = 16000;
    const file = join(dir, 'flood.pcap');
    // Each client's SYN, then a byte of its SMTP command: a connection that carried no byte would stay a dormant
    // record of a few hundred bytes until its end (tcp/tracker.ts, ConnState); these have their whole state.
    const syns = halfOpenFlood(count);
    const bytes = syns.map((p) => ({ ...p, seq: (p.seq + 1) >>> 0, flags: TCP_ACK | TCP_PSH, payload: Buffer.from('E') }));
    writeFileSync(file, pcapFile([...syns, ...bytes]));
    gc();
    const before = process.memoryUsage().heapUsed;
    let reported = 0;
    let atFirst = 0;
    let atLast = 0;
    await analyzeCapture(file, {}, () => {
      reported++;
      if (reported !== 1 && reported !== count) return;
      gc();
      const held = process.memoryUsage().heapUsed - before;
      if (reported === 1) atFirst = held;
      else atLast = held;
    });
    expect(reported).toBe(count);
    // At the first report every connection is open: a few KB each.
    expect(atFirst).toBeGreaterThan(count * 1000);
    // At the last, 15,999 have been reported: before, every one's state (and the decoder its report was made
    // from) stayed reachable until the end, 90 MB here.
    expect(atLast, `${(atFirst / 1e6).toFixed(1)} MB at the first report, ${(atLast / 1e6).toFixed(1)} MB at the last`).toBeLessThan(atFirst / 4);
  });
});

describe('connections that went silent are reported before the capture ends (TrackerLimits.maxSilence, silentAbove)', () => {
  const SILENT_NOTE = /^closed before the capture's end, after (5 s|1 h) without a packet; its later packets, if any, are another connection$/;
  const withoutSilence = (r: ConnectionReport) => JSON.stringify({ ...r, notes: r.notes.filter((n) => !SILENT_NOTE.test(n)) });

  it('tls.pcap, with silence looked for from the first open connection: 20 silent for 5 s, reported as with an hour, with a note', async () => {
    const file = join(ROOT, 'captures/tls.pcap');
    const hour = await analyzeCapture(file, { limits: { maxSilence: 3600, silentAbove: 0 } });
    const early = await analyzeCapture(file, { limits: { maxSilence: 5, silentAbove: 0 } });
    expect(hour.info.tcp?.silenced).toBe(19);
    expect(early.info.tcp?.silenced).toBe(20);
    expect(early.info.notes).toContain("20 connections were closed before the capture's end, after 5 s without a packet (a later packet of one starts a new connection)");
    expect(early.connections.filter((r) => r.notes.some((n) => SILENT_NOTE.test(n)))).toHaveLength(20);
    // Nothing else changes: no connection had a packet after 5 s to an hour of silence.
    expect(early.connections.map(withoutSilence)).toEqual(hour.connections.map(withoutSilence));
  });

  it('by default (past 10,000 open connections) nothing changes on small captures, even those merged from several years', async () => {
    // tls.pcap is merged from captures of 2015 to 2023: with silence looked for at once, 4-tuples seen again
    // years later become connections of their own (34 instead of 28), where tshark keeps each stream whole.
    const file = join(ROOT, 'captures/tls.pcap');
    const usual = await analyzeCapture(file);
    const at0 = await analyzeCapture(file, { limits: { silentAbove: 0 } });
    expect(usual.info.tcp?.silenced).toBe(0);
    expect(usual.connections).toHaveLength(28);
    expect(at0.connections).toHaveLength(34);
    for (const name of ['abort-then-retry.pcap', 'cert-reject.pcap', 'pmtu-blackhole-fail.pcap', 'imaps.pcap', 'imap2.pcap']) {
      const { info } = await analyzeCapture(join(ROOT, 'captures', name));
      expect(info.tcp?.silenced, name).toBe(0);
    }
  });

  it('one packet with a wrong timestamp silences nobody (imap2.pcap: its second frame says 2063)', async () => {
    const file = join(ROOT, 'captures/imap2.pcap');
    const usual = await analyzeCapture(file);
    const at0 = await analyzeCapture(file, { limits: { silentAbove: 0 } });
    expect(at0.info.tcp?.silenced).toBe(0);
    expect(at0.connections).toEqual(usual.connections);
  });
});

describe('connections one side closed are reported once silent (TrackerLimits.halfClosedSilence, halfClosedAbove)', () => {
  // pmtu-blackhole-fail.pcap (real Postfix, a client behind a path-MTU black hole): the client gives up with FIN
  // while the server retransmits its flight with TCP's growing backoff until the capture ends.
  const file = join(ROOT, 'captures/pmtu-blackhole-fail.pcap');

  it('a silence longer than TCP backoff leaves the black hole whole; a shorter one would cut a retransmission off', async () => {
    const usual = await analyzeCapture(file);
    const long = await analyzeCapture(file, { limits: { halfClosedSilence: 30, halfClosedAbove: 0 } });
    expect(long.info.tcp?.silenced).toBe(0);
    expect(long.connections).toEqual(usual.connections);
    // 5 s is shorter than the server's later retransmission gaps: the connection is closed, with notes saying so,
    // and the next retransmission starts a connection of its own. What 300 s (the default) avoids.
    const short = await analyzeCapture(file, { limits: { halfClosedSilence: 5, halfClosedAbove: 0 } });
    expect(short.info.tcp?.silenced).toBe(1);
    expect(short.info.notes).toEqual(["1 connection that one side had closed with FIN was closed before the capture's end, after 5 s without a packet (a later packet of one starts a new connection)"]);
    expect(short.connections).toHaveLength(usual.connections.length + 1);
    const cut = short.connections.find((r) => r.notes.some((n) => n.startsWith("closed before the capture's end, after 5 s")));
    expect(cut?.tcp.fin).toEqual({ client: true, server: false });
    expect(cut?.diagnosis).toMatch(/path-MTU black hole likely/);
  });

  it('by default (past 1,000 open connections) nothing changes on the shipped captures', async () => {
    for (const name of ['pmtu-blackhole-fail.pcap', 'abort-after-shd.pcap', 'cert-reject.pcap', 'tls.pcap']) {
      const { info } = await analyzeCapture(join(ROOT, 'captures', name));
      expect(info.tcp?.silenced, name).toBe(0);
    }
  });
});

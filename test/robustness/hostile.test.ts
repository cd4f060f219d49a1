/**
 * Hostile packets and TLS through the whole pipeline (analyzeCapture): each oddity becomes a note on its
 * connection, never an exception; memory stays bounded by caps, and reaching a cap is said.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeCapture, analyzeCaptures } from '../../src/analyze/pipeline.js';
import type { ConnectionReport } from '../../src/handshake/report.js';
import { TcpFlag, type TcpSegment } from '../../src/net/types.js';
import { ConnectionTracker, DEFAULT_LIMITS } from '../../src/tcp/tracker.js';
import { TlsConnectionDecoder } from '../../src/tls/decoder.js';
import { CaptureReader } from '../../src/capture/push-reader.js';
import { capturePath } from '../helpers/frames.js';
import { Flow, halfOpenFlood, handshakeMessage, interfaceFlood, pcapFile, tlsRecord, type Packet } from './pcap-writer.js';
import { renderAnalysisJson, renderAnalysisJsonPieces } from '../helpers/render-whole.js';

const dir = mkdtempSync(join(tmpdir(), 'tlsdissect-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileNumber = 0;
function write(packets: readonly Packet[]): string {
  const path = join(dir, `h${++fileNumber}.pcap`);
  writeFileSync(path, pcapFile(packets));
  return path;
}

async function only(flow: Flow): Promise<ConnectionReport> {
  const { info, connections } = await analyzeCapture(write(flow.packets));
  expect(info.damage).toBeNull();
  expect(connections).toHaveLength(1);
  return connections[0]!;
}

const CONTENT_ALERT = 21;
const CONTENT_HANDSHAKE = 22;
const CLIENT_HELLO = 1;

/** A minimal TLS 1.2 ClientHello body whose extensions block holds one extension claiming `extensionLength` bytes. */
function clientHelloBody(extensionLength: number): Buffer {
  const b = Buffer.alloc(2 + 32 + 1 + 2 + 2 + 1 + 1 + 2 + 4);
  let o = 0;
  b.writeUInt16BE(0x0303, o);
  o += 2 + 32;
  b[o++] = 0; // session id
  b.writeUInt16BE(2, o); // cipher suites
  b.writeUInt16BE(0x002f, o + 2);
  o += 4;
  b[o++] = 1; // compression methods
  b[o++] = 0;
  b.writeUInt16BE(4, o); // extensions block: one header, no content
  b.writeUInt16BE(0, o + 2); // server_name
  b.writeUInt16BE(extensionLength, o + 4);
  return b;
}

describe('hostile TLS', () => {
  it('a length that points past the end of its block: a note naming it', async () => {
    const r = await only(new Flow().handshake().send('client', tlsRecord(CONTENT_HANDSHAKE, handshakeMessage(CLIENT_HELLO, clientHelloBody(65000)))).fin('client'));
    expect(r.lastStep).toBe(1);
    expect(r.notes).toContainEqual(expect.stringMatching(/malformed ClientHello: extension server_name length 65000 exceeds the 0 bytes left/));
  });

  it('a record longer than what was ever sent: incomplete, said so', async () => {
    const r = await only(new Flow().handshake().send('client', tlsRecord(CONTENT_HANDSHAKE, Buffer.alloc(100), { length: 16000 })).fin('client'));
    expect(r.notes).toContainEqual('client: its last TLS message is incomplete: 100 bytes of it were captured, the rest never was (not sent, or lost before the capture point)');
  });

  it('an enormous record length: not TLS, and why', async () => {
    const r = await only(new Flow().handshake().send('client', tlsRecord(CONTENT_HANDSHAKE, Buffer.alloc(100), { length: 65535 })).fin('client'));
    expect(r.outcome).toBe('not-tls');
    expect(r.notes).toContainEqual(expect.stringMatching(/not TLS: first bytes 16 03 03 ff ff \(record length 65535 exceeds 18432\)/));
  });

  it('1000 zero-length records in one segment', async () => {
    const zeros = Buffer.concat(Array.from({ length: 1000 }, () => tlsRecord(CONTENT_HANDSHAKE, Buffer.alloc(0))));
    const r = await only(new Flow().handshake().send('client', zeros).fin('client'));
    expect(r.notes).toContain('client: 1000 zero-length TLS records (RFC 8446 §5.1 forbids them)');
  });

  it('a handshake message that never completes', async () => {
    const r = await only(new Flow().handshake().send('client', tlsRecord(CONTENT_HANDSHAKE, handshakeMessage(CLIENT_HELLO, Buffer.alloc(100), 500))).fin('client'));
    expect(r.lastStep).toBe(0);
    expect(r.notes).toContainEqual(expect.stringMatching(/^client: its last TLS message is incomplete: 104 bytes/));
  });

  it('a 16 MB handshake message: its bytes are counted, not kept, and that is said', async () => {
    const flow = new Flow().handshake();
    flow.send('client', tlsRecord(CONTENT_HANDSHAKE, handshakeMessage(CLIENT_HELLO, Buffer.alloc(16000), 0xffffff)));
    const body = Buffer.concat([tlsRecord(CONTENT_HANDSHAKE, Buffer.alloc(16000)), tlsRecord(CONTENT_HANDSHAKE, Buffer.alloc(16000))]);
    for (let i = 0; i < 100; i++) flow.send('client', body);
    const r = await only(flow.fin('client'));
    expect(r.notes).toContain(
      'client: its last handshake message (ClientHello, 16777215 bytes declared) is incomplete: 3216000 bytes of it were captured, not kept (longer than the reassembly cap)',
    );
  });

  it('the decoder holds at most its cap for a message that claims 16 MB', () => {
    const tls = new TlsConnectionDecoder({ maxBufferedPerSide: 64 * 1024 });
    tls.push('client', tlsRecord(CONTENT_HANDSHAKE, handshakeMessage(CLIENT_HELLO, Buffer.alloc(1000), 0xffffff)), 1, 0);
    const record = tlsRecord(CONTENT_HANDSHAKE, Buffer.alloc(16000));
    for (let i = 0; i < 500; i++) tls.push('client', record, 2 + i, 0);
    const side = tls.side('client');
    expect(side.bufferedBytes).toBeLessThanOrEqual(64 * 1024);
    expect(side.pendingMessage).toEqual({ type: 1, name: 'ClientHello', length: 0xffffff, received: 1000 + 500 * 16000, kept: false });
  });

  it('10,000 alerts: the events past the cap are counted and the cap is named', async () => {
    const alerts = Buffer.concat(Array.from({ length: 5000 }, () => tlsRecord(CONTENT_ALERT, Buffer.from([1, 0]))));
    const flow = new Flow().handshake().send('client', tlsRecord(CONTENT_HANDSHAKE, handshakeMessage(CLIENT_HELLO, clientHelloBody(0)))).send('client', alerts).send('client', alerts);
    const r = await only(flow.fin('client'));
    expect(r.notes).toContainEqual(expect.stringMatching(/^cap reached: \d+ TLS messages and alerts after the first 2048 were not kept$/));
    // The analysis keeps no record header (it reads none), so it has no cap on them to name.
    expect(r.notes.filter((n) => n.includes('record headers'))).toEqual([]);
  });

  it('the decoder alone keeps record headers up to its cap, and none when told not to (as the analysis does)', () => {
    const alerts = Buffer.concat(Array.from({ length: 5000 }, () => tlsRecord(CONTENT_ALERT, Buffer.from([1, 0]))));
    const kept = new TlsConnectionDecoder();
    const none = new TlsConnectionDecoder({ keepRecords: false });
    for (const d of [kept, none]) d.push('client', alerts, 1, 0);
    expect([kept.records.length, kept.recordsDropped]).toEqual([4096, 5000 - 4096]);
    expect([none.records.length, none.recordsDropped]).toEqual([0, 0]);
    expect(none.side('client').records).toBe(5000);
  });
});

describe('hostile capture files', () => {
  it('100,000 interface blocks of as many link types: a bounded list of link types', () => {
    const reader = new CaptureReader('x', () => undefined);
    reader.push(interfaceFlood(100_000));
    const summary = reader.end();
    expect(summary.damage).toBeNull();
    expect(summary.linkTypes).toHaveLength(64);
  });
});

describe('hostile TCP', () => {
  const hello = tlsRecord(CONTENT_HANDSHAKE, handshakeMessage(CLIENT_HELLO, clientHelloBody(0)));

  it('overlapping segments with different data: the first copy wins, and a note says so', async () => {
    const flow = new Flow().handshake();
    const base = flow.clientSeq;
    flow.send('client', hello.subarray(20), { seq: base + 20 }); // held: bytes 0..19 are missing
    flow.send('client', Buffer.alloc(hello.length - 30, 0x41), { seq: base + 30 }); // same range, other bytes
    flow.send('client', hello.subarray(0, 20), { seq: base });
    flow.clientSeq = base + hello.length;
    const r = await only(flow.fin('client'));
    expect(r.lastStep).toBe(1); // the ClientHello was read from the first copy
    expect(r.notes).toContain('client: 1 overlapping segment carried different data than the first copy; the first copy was used');
  });

  it('a sequence number that jumps by 2^31: ignored, with a note', async () => {
    const flow = new Flow().handshake().send('client', hello);
    flow.send('client', Buffer.from('EHLO evil\r\n'), { seq: (flow.clientSeq + 2 ** 31) >>> 0 });
    const r = await only(flow.fin('client'));
    expect(r.lastStep).toBe(1);
    expect(r.tcp.gaps.client).toBe(0);
    expect(r.notes).toContain('client: 1 segment with a sequence number far outside the stream (forged or stray) ignored');
  });

  it('out-of-order data past the buffer cap: holes skipped, cap named on the connection and the capture', async () => {
    const flow = new Flow().handshake();
    const base = flow.clientSeq;
    // A hole of 1000 bytes at the start, then 200 KB that cannot be delivered until it is filled.
    for (let i = 0; i < 200; i++) flow.send('client', Buffer.alloc(1000, 0x17), { seq: base + 1000 + i * 1000 });
    const { info, connections } = await analyzeCapture(write(flow.packets), { limits: { maxBufferedPerSide: 64 * 1024 } });
    expect(connections[0]!.notes).toContainEqual(expect.stringMatching(/^client: cap reached: out-of-order bytes passed the reassembly buffer cap \d+ times?/));
    expect(info.tcp!.capHits).toBeGreaterThan(0);
    expect(info.notes).toContainEqual(expect.stringMatching(/^cap reached: out-of-order data passed a buffer cap/));
  });

  it('20,000 half-open connections with low caps: every one counted, the caps named, memory bounded by them', async () => {
    const file = write(halfOpenFlood(20_000));
    const result = await analyzeCaptures([file], { maxConnections: 1000, limits: { maxOpenConnections: 2000 } });
    const info = result.captures[0]!;
    expect(info.connections).toBe(20_000);
    expect(result.connections).toHaveLength(1000);
    expect(result.connections.map((c) => c.id)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(result.summary.connections).toBe(20_000);
    expect(info.unlisted!.connections).toBe(19_000);
    expect(info.tcp!.evicted).toBe(18_000);
    expect(info.tcp!.open).toBe(0);
    expect(info.notes).toEqual([
      'cap reached: 19,000 connections after the first 1,000 are counted in the summary but not listed (--max-connections raises the cap)',
      'cap reached: 2,000 connections were open at once; the 18,000 least recently active were closed early (a later packet of one starts a new connection)',
    ]);
    expect(result.connections[0]!.notes).toContain('cap reached: closed early because too many connections were open at once; its later packets, if any, are another connection');
  });

  it('200,000 half-open connections through the tracker: never more than its cap open at once', () => {
    let open = 0;
    let most = 0;
    let mostTracked = 0;
    const tracker = new ConnectionTracker({
      keepClosed: false,
      open: () => {
        open++;
        if (open > most) most = open;
        return { data() {}, gap() {}, close: () => void open-- };
      },
    });
    const segment: TcpSegment = { frame: 0, time: 0, ipVersion: 4, src: '', dst: '10.0.0.2', srcPort: 0, dstPort: 25, seq: 0, ack: 0, flags: TcpFlag.SYN, window: 65535, options: {}, payload: Buffer.alloc(0), payloadLength: 0 };
    for (let i = 0; i < 200_000; i++) {
      segment.frame = i + 1;
      segment.time = i * 1e-4;
      segment.src = `10.1.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}`;
      segment.srcPort = 1024 + (i & 0xff) * 200 + (i >> 24);
      segment.seq = (i * 7919) >>> 0;
      tracker.segment(segment);
      if (tracker.stats.open > mostTracked) mostTracked = tracker.stats.open;
    }
    expect(tracker.stats.connections).toBe(200_000);
    expect(mostTracked).toBe(DEFAULT_LIMITS.maxOpenConnections);
    // A connection that never carries a byte gets its consumer only when it is closed (until then it is a
    // dormant record: tcp/tracker.ts, ConnState), so here never two at once.
    expect(most).toBe(1);
    expect(tracker.stats.evicted).toBe(200_000 - DEFAULT_LIMITS.maxOpenConnections);
    expect(tracker.finish()).toEqual([]);
    expect(open).toBe(0);
  });
});

describe('big output', () => {
  it('JSON is written in pieces, each about a connection long, that make the same document', async () => {
    const result = await analyzeCaptures([capturePath('abort-after-shd.pcap'), capturePath('good-25-smtp-starttls.pcapng')]);
    const pieces = [...renderAnalysisJsonPieces(result, { groups: { any: 1 } }, 1000)];
    expect(pieces.join('')).toBe(renderAnalysisJson(result, { groups: { any: 1 } }));
    const longest = Math.max(...result.connections.map((c) => JSON.stringify(c, null, 2).length * 1.2));
    expect(pieces.length).toBeGreaterThan(result.connections.length / 2);
    for (const p of pieces.slice(1, -1)) expect(p.length).toBeLessThan(1000 + longest);
  });
});

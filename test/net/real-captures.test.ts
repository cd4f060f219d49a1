import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/reader.js';
import { NetDecoder } from '../../src/net/decoder.js';
import type { NetStats, TcpSegment } from '../../src/net/types.js';
import { capturePath } from '../helpers/frames.js';

/**
 * Oracle rows made by fixtures/make-segments.py from tshark 4.0.17, one per frame with a TCP header:
 * [frame, src, dst, srcPort, dstPort, seq, ack, flags, window, payloadLength, mss, windowScale,
 *  sackPermitted (0/1), tsval, tsecr].
 */
type Row = [
  number,
  string,
  string,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number | null,
  number | null,
  number,
  number | null,
  number | null,
];

function oracle(name: string): Row[] {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.segments.json`, import.meta.url), 'utf8')) as Row[];
}

function toRow(s: TcpSegment): Row {
  return [
    s.frame,
    s.src,
    s.dst,
    s.srcPort,
    s.dstPort,
    s.seq,
    s.ack,
    s.flags,
    s.window,
    s.payloadLength,
    s.options.mss ?? null,
    s.options.windowScale ?? null,
    s.options.sackPermitted ? 1 : 0,
    s.options.timestamp?.value ?? null,
    s.options.timestamp?.echo ?? null,
  ];
}

interface Decoded {
  rows: Row[];
  stats: NetStats;
  /** Captured payload length per frame, and IP version. */
  captured: Map<number, number>;
  versions: Set<number>;
  payloads: Map<number, Buffer>;
}

async function decodeAll(name: string): Promise<Decoded> {
  const decoder = new NetDecoder();
  const rows: Row[] = [];
  const captured = new Map<number, number>();
  const versions = new Set<number>();
  const payloads = new Map<number, Buffer>();
  const summary = await readCapture(capturePath(name), (frame) => {
    const s = decoder.decode(frame);
    if (!s) return;
    rows.push(toRow(s));
    captured.set(s.frame, s.payload.length);
    versions.add(s.ipVersion);
    payloads.set(s.frame, Buffer.from(s.payload));
  });
  expect(summary.damage).toBeNull();
  return { rows, stats: decoder.stats, captured, versions, payloads };
}

const CASES: { file: string; what: string; segments: number; versions: number[] }[] = [
  { file: 'ndpi-smtp-starttls.pcap', what: 'Ethernet, 802.1Q + IPv6', segments: 69, versions: [4, 6] },
  { file: 'ja3_lots_of_cipher_suites.pcap', what: 'QinQ', segments: 11, versions: [4] },
  { file: 'dns2tcp_tunnel.pcap', what: 'Linux SLL (113)', segments: 50, versions: [4] },
  { file: 'good-any-sll2.pcap', what: 'Linux SLL2 (276)', segments: 66, versions: [4] },
  { file: 'psiphon3.pcap', what: 'raw IP (101)', segments: 62, versions: [4] },
  { file: 'flow-test-01.pcap', what: 'raw IPv4 (228)', segments: 7, versions: [4] },
  { file: 'pop3-starttls.pcap', what: 'NULL, AF_INET', segments: 33, versions: [4] },
  { file: 'illustrated-tls12-capture.pcap', what: 'NULL, Darwin AF_INET6 (30)', segments: 22, versions: [6] },
  { file: 'many_interfaces-1.pcapng', what: 'pcapng with Ethernet and NULL interfaces', segments: 32, versions: [4] },
  { file: 'pppoe.pcap', what: 'PPPoE session', segments: 10, versions: [4] },
  { file: 'pppoe-over-qinq.pcap', what: 'QinQ + PPPoE, IP lengths beyond the PPPoE length', segments: 86, versions: [4] },
  { file: 'vxlan.pcap', what: 'VXLAN in 802.1Q', segments: 119, versions: [4] },
  { file: '6in4tunnel.pcap', what: 'IPv6 in IPv4 (41)', segments: 75, versions: [6] },
  { file: 'tls_invalid_reads.pcap', what: 'GTP-U in QinQ, IP lengths beyond the frame', segments: 12, versions: [4] },
  { file: 'socks5-http-302-frag.pcap', what: 'IPv4 fragments', segments: 14, versions: [4] },
  { file: 'tls.pcap', what: 'Ethernet, snaplen 1500', segments: 204, versions: [4] },
];

describe('every TCP segment tshark sees, with the same fields', () => {
  for (const c of CASES) {
    it(`${c.file} (${c.what}): ${c.segments} segments`, async () => {
      const expected = oracle(c.file);
      expect(expected.length).toBe(c.segments);
      const { rows, stats, versions } = await decodeAll(c.file);
      expect(rows).toEqual(expected);
      expect(stats.tcpSegments).toBe(c.segments);
      expect([...versions].sort()).toEqual(c.versions);
      expect(stats.unknownLinkTypes).toEqual({});
      expect(stats.malformed).toBe(0);
    });
  }
});

describe('details on real captures', () => {
  it('counts what is not TCP: UDP beside the tunnels, and DNS in VXLAN', async () => {
    const vxlan = await decodeAll('vxlan.pcap');
    expect(vxlan.stats.frames).toBe(127);
    expect(vxlan.stats.nonTcp).toBe(8);
    const many = await decodeAll('many_interfaces-1.pcapng');
    expect(many.stats.frames).toBe(64);
    expect(many.stats.nonTcp).toBe(32);
  });

  it('rebuilds IPv4 fragments into the TCP segments tshark rebuilds, byte for byte', async () => {
    const { stats, payloads } = await decodeAll('socks5-http-302-frag.pcap');
    // tshark -Y 'ip.flags.mf==1 || ip.frag_offset>0' | wc -l → 62 fragments, 4 datagrams.
    expect(stats.fragments).toBe(62);
    expect(stats.reassembledDatagrams).toBe(4);
    const expected = JSON.parse(
      readFileSync(new URL('./fixtures/socks5-http-302-frag.pcap.payloads.json', import.meta.url), 'utf8'),
    ) as { payloads: { frame: number; length: number; sha256: string }[] };
    for (const p of expected.payloads) {
      const got = payloads.get(p.frame);
      expect(got?.length, `frame ${p.frame}`).toBe(p.length);
      expect(createHash('sha256').update(got!).digest('hex')).toBe(p.sha256);
    }
  });

  it('snaplen-cut frames: payloadLength from the IP header, payload as captured', async () => {
    const { rows, captured } = await decodeAll('tls.pcap');
    const cut = rows.filter((r) => (captured.get(r[0]) ?? 0) < r[9]);
    expect(cut.length).toBe(8);
    for (const r of cut) expect(r[9] - captured.get(r[0])!).toBeGreaterThan(0);
  });

  it('Ethernet padding is not payload', async () => {
    const { rows, captured } = await decodeAll('ndpi-smtp-starttls.pcap');
    for (const r of rows) expect(captured.get(r[0])).toBe(r[9]);
  });
});

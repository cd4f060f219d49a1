import { describe, expect, it } from 'vitest';
import { NetDecoder } from '../../src/net/decoder.js';
import { FragmentReassembler } from '../../src/net/reassembly.js';
import { parseTcpOptions } from '../../src/net/tcp-options.js';
import { TcpFlag } from '../../src/net/types.js';
import { readAllFrames } from '../helpers/frames.js';
import {
  ethernet,
  frame,
  ipv4,
  ipv6,
  ipv6Extension,
  ipv6Fragment,
  tcpHeader,
  udp,
  V6_DST,
  V6_SRC,
} from './packets.js';

const payload = Buffer.from('EHLO mail.example.org\r\n');
const tcp = tcpHeader({ srcPort: 40001, dstPort: 25, seq: 0xfffffff0, ack: 0x80000001, payload });
const v4 = ipv4({ payload: tcp });
const v6 = ipv6({ payload: tcp });

function expectSegment(decoder: NetDecoder, f: ReturnType<typeof frame>, version: 4 | 6 = 4) {
  const s = decoder.decode(f);
  expect(s).not.toBeNull();
  expect(s!.ipVersion).toBe(version);
  expect(s!.src).toBe(version === 4 ? '192.0.2.1' : '2001:db8::1');
  expect(s!.dst).toBe(version === 4 ? '198.51.100.2' : '2001:db8:0:1::2');
  expect(s!.srcPort).toBe(40001);
  expect(s!.dstPort).toBe(25);
  expect(s!.seq).toBe(0xfffffff0);
  expect(s!.ack).toBe(0x80000001);
  expect(s!.payload.equals(payload)).toBe(true);
  expect(s!.payloadLength).toBe(payload.length);
  return s!;
}

describe('link types without a capture in the corpus', () => {
  it('NULL with a big-endian family, and LOOP', () => {
    const d = new NetDecoder();
    const be = Buffer.from([0, 0, 0, 2]);
    expectSegment(d, frame(0, Buffer.concat([be, v4])));
    const le6 = Buffer.from([28, 0, 0, 0]); // FreeBSD AF_INET6
    expectSegment(d, frame(0, Buffer.concat([le6, v6])), 6);
    const be6 = Buffer.from([0, 0, 0, 24]); // NetBSD/OpenBSD AF_INET6, big-endian host
    expectSegment(d, frame(0, Buffer.concat([be6, v6])), 6);
    expectSegment(d, frame(108, Buffer.concat([be, v4])));
    expectSegment(d, frame(108, Buffer.concat([Buffer.from([0, 0, 0, 30]), v6])), 6);
    expect(d.decode(frame(0, Buffer.concat([Buffer.from([7, 0, 0, 0]), v4])))).toBeNull();
    expect(d.stats.nonIp).toBe(1);
  });

  it('raw IP as 12 and 14, IPv6 as 229', () => {
    const d = new NetDecoder();
    expectSegment(d, frame(12, v4));
    expectSegment(d, frame(14, v6), 6);
    expectSegment(d, frame(229, v6), 6);
    expectSegment(d, frame(228, v4));
  });

  it('Linux SLL carrying IPv6, SLL2 carrying a VLAN tag', () => {
    const d = new NetDecoder();
    const sll = Buffer.alloc(16);
    sll.writeUInt16BE(1, 2); // ARPHRD_ETHER
    sll.writeUInt16BE(0x86dd, 14);
    expectSegment(d, frame(113, Buffer.concat([sll, v6])), 6);
    const sll2 = Buffer.alloc(20);
    sll2.writeUInt16BE(0x8100, 0);
    sll2.writeUInt16BE(1, 8);
    const tag = Buffer.from([0x00, 0x05, 0x08, 0x00]);
    expectSegment(d, frame(276, Buffer.concat([sll2, tag, v4])));
  });

  it('three stacked VLAN tags, LLC/SNAP and MPLS', () => {
    const d = new NetDecoder();
    const tags = Buffer.from([0x00, 0x01, 0x81, 0x00, 0x00, 0x02, 0x81, 0x00, 0x00, 0x03, 0x08, 0x00]);
    expectSegment(d, frame(1, ethernet(0x88a8, Buffer.concat([tags, v4]))));
    const snap = Buffer.from([0xaa, 0xaa, 0x03, 0, 0, 0, 0x86, 0xdd]);
    expectSegment(d, frame(1, ethernet(snap.length + v6.length, Buffer.concat([snap, v6]))), 6);
    const labels = Buffer.from([0x00, 0x01, 0x00, 0x40, 0x00, 0x02, 0x01, 0x40]); // two labels, bottom on the second
    expectSegment(d, frame(1, ethernet(0x8847, Buffer.concat([labels, v4]))));
  });

  it('an unknown link type is counted, not fatal', () => {
    const d = new NetDecoder();
    expect(d.decode(frame(147, v4))).toBeNull();
    expect(d.decode(frame(147, v4))).toBeNull();
    expect(d.decode(frame(9, v4))).toBeNull();
    expect(d.stats.unknownLinkTypes).toEqual({ 147: 2, 9: 1 });
    expect(d.stats.frames).toBe(3);
  });

  it('ARP is not IP', () => {
    const d = new NetDecoder();
    expect(d.decode(frame(1, ethernet(0x0806, Buffer.alloc(28))))).toBeNull();
    expect(d.stats.nonIp).toBe(1);
  });
});

describe('tunnels without a capture in the corpus', () => {
  it('IP in IP, IPv4 in IPv6', () => {
    const d = new NetDecoder();
    expectSegment(d, frame(101, ipv4({ protocol: 4, src: [10, 0, 0, 1], dst: [10, 0, 0, 2], payload: v4 })));
    expectSegment(d, frame(101, ipv6({ next: 4, payload: v4 })));
  });

  it('GRE with key and sequence, carrying IPv4; GRE carrying Ethernet', () => {
    const d = new NetDecoder();
    const gre = Buffer.from([0x30, 0x00, 0x08, 0x00, 0, 0, 0, 7, 0, 0, 0, 1]);
    expectSegment(d, frame(101, ipv4({ protocol: 47, payload: Buffer.concat([gre, v4]) })));
    const teb = Buffer.from([0x00, 0x00, 0x65, 0x58]);
    expectSegment(d, frame(101, ipv4({ protocol: 47, payload: Buffer.concat([teb, ethernet(0x86dd, v6)]) })), 6);
  });

  it('PPTP enhanced GRE carrying PPP', () => {
    const d = new NetDecoder();
    const gre = Buffer.from([0x30, 0x01, 0x88, 0x0b, 0, 0, 0, 9, 0, 0, 0, 5]); // K, S, version 1
    const ppp = Buffer.from([0xff, 0x03, 0x00, 0x21]);
    expectSegment(d, frame(101, ipv4({ protocol: 47, payload: Buffer.concat([gre, ppp, v4]) })));
  });

  it('GTP-U with an extension header', () => {
    const d = new NetDecoder();
    const gtp = Buffer.from([0x34, 0xff, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0x85, 1, 0x10, 0x01, 0x00]);
    expectSegment(d, frame(101, ipv4({ protocol: 17, payload: udp(2152, 2152, Buffer.concat([gtp, v4])) })));
  });

  it('Geneve carrying Ethernet', () => {
    const d = new NetDecoder();
    const geneve = Buffer.from([0x00, 0x00, 0x65, 0x58, 0, 0, 1, 0]);
    expectSegment(d, frame(101, ipv4({ protocol: 17, payload: udp(5000, 6081, Buffer.concat([geneve, ethernet(0x800, v4)])) })));
  });

  it('UDP that is not a tunnel is not TCP', () => {
    const d = new NetDecoder();
    expect(d.decode(frame(101, ipv4({ protocol: 17, payload: udp(53, 53, Buffer.alloc(20)) })))).toBeNull();
    expect(d.stats.nonTcp).toBe(1);
  });

  it('tunnels nested beyond the depth limit are malformed, not a stack overflow', () => {
    const d = new NetDecoder();
    let p = v4;
    for (let i = 0; i < 50; i++) p = ipv4({ protocol: 4, payload: p });
    expect(d.decode(frame(101, p))).toBeNull();
    expect(d.stats.malformed).toBe(1);
  });
});

describe('IP details', () => {
  it('IPv4 options (IHL > 5) and Ethernet padding', () => {
    const d = new NetDecoder();
    const options = Buffer.from([0x94, 0x04, 0x00, 0x00]); // router alert
    const packet = ipv4({ options, payload: tcp });
    expectSegment(d, frame(1, ethernet(0x800, Buffer.concat([packet, Buffer.alloc(30, 0xee)]))));
  });

  it('IPv6 extension headers: hop-by-hop, routing, destination options, AH, atomic fragment', () => {
    const d = new NetDecoder();
    const ah = Buffer.alloc(16);
    ah[0] = 60;
    ah[1] = 2; // (2 + 2) * 4 = 16 bytes
    const chain = Buffer.concat([
      ipv6Extension(43),
      ipv6Extension(51, Buffer.alloc(14)),
      ah,
      ipv6Extension(44),
      ipv6Fragment(6, 0, false, 77),
      tcp,
    ]);
    expectSegment(d, frame(229, ipv6({ next: 0, payload: chain })), 6);
    expect(d.stats.fragments).toBe(0);
  });

  it('ESP and "no next header" are not TCP', () => {
    const d = new NetDecoder();
    expect(d.decode(frame(229, ipv6({ next: 50, payload: Buffer.alloc(40) })))).toBeNull();
    expect(d.decode(frame(229, ipv6({ next: 59, payload: Buffer.alloc(0) })))).toBeNull();
    expect(d.stats.nonTcp).toBe(2);
  });

  it('IPv4 total length 0 (captured before segmentation offload) uses the frame', () => {
    const d = new NetDecoder();
    const packet = ipv4({ payload: tcp, totalLength: 0 });
    expectSegment(d, frame(101, packet));
  });

  it('snaplen cut: payloadLength from IP, payload as captured; an IP length beyond an uncut frame is clamped', () => {
    const d = new NetDecoder();
    const cut = v4.subarray(0, v4.length - 10);
    const s = d.decode(frame(101, cut, { originalLength: v4.length }))!;
    expect(s.payload.length).toBe(payload.length - 10);
    expect(s.payloadLength).toBe(payload.length);
    const s2 = d.decode(frame(101, cut))!; // frame not cut: the IP header lies
    expect(s2.payloadLength).toBe(payload.length - 10);
  });
});

describe('IP fragment reassembly', () => {
  function splitV4(data: Buffer, sizes: number[], id = 0x1234) {
    const out: Buffer[] = [];
    let off = 0;
    for (const size of sizes) {
      const piece = data.subarray(off, off + size);
      out.push(ipv4({ id, fragmentOffset: off, moreFragments: off + size < data.length, payload: piece }));
      off += size;
    }
    return out;
  }

  it('IPv4 fragments out of order, the segment comes with the completing frame', () => {
    const d = new NetDecoder();
    const [a, b, c] = splitV4(tcp, [16, 16, tcp.length - 32]);
    expect(d.decode(frame(101, c))).toBeNull();
    expect(d.decode(frame(101, a))).toBeNull();
    const last = frame(101, b);
    const s = expectSegment(d, last);
    expect(s.frame).toBe(last.number);
    expect(d.stats.fragments).toBe(3);
    expect(d.stats.reassembledDatagrams).toBe(1);
  });

  it('overlapping IPv4 fragments: no crash, the first copy of a byte wins', () => {
    const d = new NetDecoder();
    const first = ipv4({ id: 9, moreFragments: true, payload: tcp.subarray(0, 24) });
    const forged = Buffer.from(tcp.subarray(16, 40));
    forged.fill(0x41, 8); // bytes 24..39 forged, 16..23 overlap the first fragment
    const overlap = ipv4({ id: 9, fragmentOffset: 16, moreFragments: true, payload: forged });
    const rest = ipv4({ id: 9, fragmentOffset: 32, payload: tcp.subarray(32) });
    expect(d.decode(frame(101, first))).toBeNull();
    expect(d.decode(frame(101, overlap))).toBeNull();
    const s = d.decode(frame(101, rest))!;
    expect(s).not.toBeNull();
    expect(s.payload.subarray(0, 4).toString()).toBe('EHLO');
    // 24..31 came only in the forged fragment; 32.. arrived after it, so the forged bytes stand there too.
    expect(s.payload.subarray(4, 20).toString()).toBe('AAAAAAAAAAAAAAAA');
  });

  it('a fragment that contradicts the datagram length drops the datagram', () => {
    const d = new NetDecoder();
    const [a, b] = splitV4(tcp, [16, tcp.length - 16], 10);
    const wrongEnd = ipv4({ id: 10, fragmentOffset: 8, payload: Buffer.alloc(4) }); // ends at 12 < 16
    expect(d.decode(frame(101, a))).toBeNull();
    expect(d.decode(frame(101, wrongEnd))).toBeNull();
    expect(d.decode(frame(101, b))).toBeNull(); // the datagram was dropped; b starts a new, incomplete one
    expect(d.stats.reassembledDatagrams).toBe(0);
  });

  it('fragments older than the timeout are forgotten', () => {
    const d = new NetDecoder();
    const [a, b] = splitV4(tcp, [16, tcp.length - 16], 11);
    expect(d.decode(frame(101, a, { time: 100 }))).toBeNull();
    expect(d.decode(frame(101, b, { time: 131 }))).toBeNull();
    expect(d.stats.reassembledDatagrams).toBe(0);
    const [c, e] = splitV4(tcp, [16, tcp.length - 16], 12);
    expect(d.decode(frame(101, c, { time: 200 }))).toBeNull();
    expect(d.decode(frame(101, e, { time: 229 }))).not.toBeNull();
  });

  it('the number of pending datagrams and bytes is bounded', () => {
    const r = new FragmentReassembler({
      maxDatagrams: 4,
      maxBytes: 1000,
      maxFragmentsPerDatagram: 3,
      timeoutSeconds: 30,
    });
    for (let i = 0; i < 100; i++) r.add(`k${i}`, 0, 0, true, Buffer.alloc(8), 6);
    expect(r.pendingDatagrams).toBe(4);
    for (let i = 0; i < 10; i++) r.add(`big${i}`, 0, 0, true, Buffer.alloc(400), 6);
    expect(r.pendingBytes).toBeLessThanOrEqual(1000);
    expect(r.add('many', 0, 0, true, Buffer.alloc(8), 6)).toBe('pending');
    r.add('many', 0, 8, true, Buffer.alloc(8), 6);
    r.add('many', 0, 16, true, Buffer.alloc(8), 6);
    expect(r.add('many', 0, 24, false, Buffer.alloc(8), 6)).toBe('dropped');
    expect(r.add('huge', 0, 65528, false, Buffer.alloc(16), 6)).toBe('dropped');
  });

  it('IPv6 fragment header: reassembled, with a destination options header after it', () => {
    const d = new NetDecoder();
    const inner = Buffer.concat([ipv6Extension(6), tcp]); // unfragmentable part ends; dest options + TCP
    const a = inner.subarray(0, 24);
    const b = inner.subarray(24);
    const f1 = ipv6({ next: 44, payload: Buffer.concat([ipv6Fragment(60, 0, true, 0xabcdef), a]) });
    const f2 = ipv6({ next: 44, payload: Buffer.concat([ipv6Fragment(60, 24, false, 0xabcdef), b]) });
    expect(d.decode(frame(229, f2))).toBeNull();
    expectSegment(d, frame(229, f1), 6);
    expect(d.stats.fragments).toBe(2);
    expect(d.stats.reassembledDatagrams).toBe(1);
  });

  it('IPv6 fragments of different datagrams (other id, other source) do not mix', () => {
    const d = new NetDecoder();
    const a = tcp.subarray(0, 16);
    const b = tcp.subarray(16);
    const f1 = ipv6({ next: 44, payload: Buffer.concat([ipv6Fragment(6, 0, true, 1), a]) });
    const other = ipv6({ next: 44, src: V6_DST, dst: V6_SRC, payload: Buffer.concat([ipv6Fragment(6, 16, false, 1), b]) });
    const wrongId = ipv6({ next: 44, payload: Buffer.concat([ipv6Fragment(6, 16, false, 2), b]) });
    expect(d.decode(frame(229, f1))).toBeNull();
    expect(d.decode(frame(229, other))).toBeNull();
    expect(d.decode(frame(229, wrongId))).toBeNull();
    const right = ipv6({ next: 44, payload: Buffer.concat([ipv6Fragment(6, 16, false, 1), b]) });
    expectSegment(d, frame(229, right), 6);
  });
});

describe('TCP header and options', () => {
  it('MSS, window scale, SACK permitted, timestamps, flags, window', () => {
    const d = new NetDecoder();
    const syn = tcpHeader({
      flags: TcpFlag.SYN | TcpFlag.ECE | TcpFlag.CWR,
      window: 64240,
      options: [2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 1, 3, 3, 7],
    });
    const s = d.decode(frame(101, ipv4({ payload: syn })))!;
    expect(s.flags).toBe(0xc2);
    expect(s.window).toBe(64240);
    expect(s.options).toEqual({ mss: 1460, sackPermitted: true, timestamp: { value: 1, echo: 0xffffffff }, windowScale: 7 });
    expect(s.payload.length).toBe(0);
    expect(s.payloadLength).toBe(0);
  });

  it('SACK blocks', () => {
    const o = parseTcpOptions(
      Buffer.from([1, 1, 5, 18, 0, 0, 0, 10, 0, 0, 0, 20, 0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 5]),
      0,
      20,
    );
    expect(o.sack).toEqual([10, 20, 0xfffffff0, 5]);
  });

  it('a malformed option ends parsing, keeping what came before', () => {
    expect(parseTcpOptions(Buffer.from([2, 4, 0x05, 0xb4, 3, 0, 7, 8]), 0, 8)).toEqual({ mss: 1460 });
    expect(parseTcpOptions(Buffer.from([2, 4, 0x05, 0xb4, 8, 10, 0, 0]), 0, 8)).toEqual({ mss: 1460 });
    expect(parseTcpOptions(Buffer.from([2, 4, 0x05, 0xb4, 3]), 0, 5)).toEqual({ mss: 1460 });
    // A known kind with a wrong length is skipped; parsing goes on.
    expect(parseTcpOptions(Buffer.from([2, 3, 0, 3, 3, 2, 1, 0]), 0, 8)).toEqual({ windowScale: 2 });
    expect(parseTcpOptions(Buffer.from([0, 2, 4, 0x05, 0xb4]), 0, 5)).toEqual({});
  });

  it('a data offset below 5 or beyond the segment is malformed', () => {
    const d = new NetDecoder();
    const bad = Buffer.from(tcp);
    bad[12] = 0x40;
    expect(d.decode(frame(101, ipv4({ payload: bad })))).toBeNull();
    bad[12] = 0xf0;
    expect(d.decode(frame(101, ipv4({ payload: bad.subarray(0, 40) })))).toBeNull();
    expect(d.stats.malformed).toBe(2);
  });
});

describe('never throws on bad bytes', () => {
  it('every prefix and random corruption of real frames, every link type', async () => {
    const files = [
      'ndpi-smtp-starttls.pcap',
      'pppoe-over-qinq.pcap',
      'vxlan.pcap',
      '6in4tunnel.pcap',
      'tls_invalid_reads.pcap',
      'good-any-sll2.pcap',
      'dns2tcp_tunnel.pcap',
      'pop3-starttls.pcap',
      'socks5-http-302-frag.pcap',
    ];
    let seed = 12345;
    const rand = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    for (const file of files) {
      const { frames } = await readAllFrames(file);
      const d = new NetDecoder();
      for (const f of frames.slice(0, 40)) {
        for (let len = 0; len <= Math.min(f.data.length, 120); len++) {
          d.decode({ ...f, data: f.data.subarray(0, len) });
          d.decode({ ...f, data: f.data.subarray(0, len), originalLength: f.originalLength + 100 });
        }
        for (let k = 0; k < 20; k++) {
          const data = Buffer.from(f.data);
          for (let j = 0; j < 4; j++) data[rand() % data.length] = rand() & 0xff;
          d.decode({ ...f, data });
        }
      }
      for (const lt of [0, 1, 12, 14, 101, 108, 113, 228, 229, 276]) {
        for (let k = 0; k < 200; k++) {
          const data = Buffer.alloc(rand() % 90);
          for (let j = 0; j < data.length; j++) data[j] = rand() & 0xff;
          if (data.length > 0 && k % 2 === 0) data[0] = 0x45;
          d.decode(frame(lt, data));
        }
      }
      expect(d.stats.frames).toBeGreaterThan(0);
    }
  });
});

describe('link type 12 as OpenBSD loopback', () => {
  it('an address family instead of an IP header', () => {
    const d = new NetDecoder();
    expectSegment(d, frame(12, Buffer.concat([Buffer.from([0, 0, 0, 2]), v4])));
    expectSegment(d, frame(12, Buffer.concat([Buffer.from([0, 0, 0, 24]), v6])), 6);
  });
});

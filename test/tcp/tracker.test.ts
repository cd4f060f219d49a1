import { describe, expect, it } from 'vitest';
import { ConnectionTracker, type TrackerOptions } from '../../src/tcp/tracker.js';
import type { Connection } from '../../src/tcp/types.js';
import { Clock, Conversation, Recorder } from './segments.js';
import type { TcpSegment } from '../../src/net/types.js';

/** A tracker whose every connection gets a Recorder; recorders by connection id. */
function setup(opts: Omit<TrackerOptions, 'open'> = {}) {
  const recorders = new Map<number, Recorder>();
  const tracker = new ConnectionTracker({
    ...opts,
    open: (conn) => {
      const r = new Recorder();
      recorders.set(conn.id, r);
      return r;
    },
  });
  const feed = (...segs: (TcpSegment | TcpSegment[])[]) => {
    for (const s of segs.flat()) tracker.segment(s);
  };
  return { tracker, recorders, feed, rec: (id = 1) => recorders.get(id)! };
}

const kinds = (c: Connection) => c.events.map((e) => `${e.kind}:${e.from}`);

describe('ConnectionTracker: a plain connection', () => {
  it('follows handshake, data both ways and FIN close', () => {
    const clock = new Clock();
    const c = new Conversation(clock);
    const { tracker, feed, rec } = setup();
    feed(
      c.handshake({ client: { mss: 1460, windowScale: 7, sackPermitted: true }, server: { mss: 1400, windowScale: 9 } }),
      c.seg('server', { flags: 'PA', data: '220 mail ESMTP\r\n' }),
      c.seg('client', { flags: 'PA', data: 'EHLO x\r\n' }),
      c.seg('server', { flags: 'PA', data: '250 ok\r\n' }),
      c.seg('client', { flags: 'FA' }),
      c.seg('server', { flags: 'FA' }),
      c.seg('client', { flags: 'A' }),
    );
    const [conn] = tracker.finish();
    expect(conn.id).toBe(1);
    expect(conn.roleBy).toBe('syn');
    expect(conn.syn).toBe(true);
    expect(conn.client).toEqual(c.client);
    expect(conn.server).toEqual(c.server);
    expect(conn.firstFrame).toBe(1);
    expect(conn.lastFrame).toBe(9);
    expect(conn.packets).toEqual({ client: 5, server: 4 });
    expect(conn.bytes).toEqual({ client: 8, server: 24 });
    expect(conn.fin).toEqual({ client: true, server: true });
    expect(conn.rst).toEqual({ client: false, server: false });
    expect(conn.retransmissions).toEqual({ client: 0, server: 0 });
    expect(conn.gaps).toEqual({ client: 0, server: 0 });
    expect(conn.handshakeRtt).toBeCloseTo(0.002, 6);
    expect(conn.facts.client).toMatchObject({ mss: 1460, windowScale: 7, sackPermitted: true, largestSegment: 8 });
    expect(conn.facts.server).toMatchObject({ mss: 1400, windowScale: 9, sackPermitted: false, largestSegment: 16 });
    expect(conn.facts.client.ackedByPeer).toBe(8);
    expect(conn.facts.server.ackedByPeer).toBe(24);
    expect(conn.facts.client.streamStart).toBe('syn');
    expect(kinds(conn)).toEqual(['syn:client', 'syn-ack:server', 'fin:client', 'fin:server']);
    expect(conn.events[2]).toMatchObject({ frame: 7, offset: 8 });
    const r = rec();
    expect(r.stream('client')).toBe('EHLO x\r\n');
    expect(r.stream('server')).toBe('220 mail ESMTP\r\n250 ok\r\n');
    expect(r.chunks[0]).toMatchObject({ from: 'server', offset: 0, frame: 4 });
    expect(r.closed).toBe(1);
    expect(r.events.map((e) => e.kind)).toEqual(conn.events.map((e) => e.kind));
    expect(tracker.stats).toMatchObject({ segments: 9, connections: 1, evicted: 0, capHits: 0, open: 0 });
  });

  it('keys IPv6 connections by their 4-tuple in either direction', () => {
    const clock = new Clock();
    const c = new Conversation(
      clock,
      { ip: '2001:db8::10', port: 50000 },
      { ip: '2001:db8::1', port: 993 },
      { client: 1, server: 2 },
      6,
    );
    const { tracker, feed } = setup();
    feed(c.handshake(), c.seg('client', { data: 'x' }), c.seg('server', { data: 'yz' }));
    const conns = tracker.finish();
    expect(conns).toHaveLength(1);
    expect(conns[0].server).toEqual({ ip: '2001:db8::1', port: 993 });
    expect(conns[0].bytes).toEqual({ client: 1, server: 2 });
  });

  it('numbers connections 1-based in order of their first frame', () => {
    const clock = new Clock();
    const a = new Conversation(clock, { ip: '10.0.0.1', port: 1111 }, { ip: '10.0.0.2', port: 25 });
    const b = new Conversation(clock, { ip: '10.0.0.3', port: 2222 }, { ip: '10.0.0.2', port: 25 });
    const { tracker, feed } = setup();
    feed(b.seg('client', { flags: 'S' }), a.seg('client', { flags: 'S' }), b.seg('server', { flags: 'SA', ack: 0 }));
    const conns = tracker.finish();
    expect(conns.map((x) => [x.id, x.client.port, x.firstFrame])).toEqual([
      [1, 2222, 1],
      [2, 1111, 2],
    ]);
  });
});

describe('ConnectionTracker: many connections open at once', () => {
  it('finds each one both ways while its table grows and after others leave it', () => {
    const clock = new Clock();
    const n = 5000;
    const convs = Array.from({ length: n }, (_, i) => new Conversation(clock, { ip: `10.1.${i >> 8}.${i & 255}`, port: 1024 + (i % 50000) }, { ip: '10.0.0.2', port: 25 }));
    const { tracker, feed, recorders } = setup();
    for (const c of convs) feed(c.handshake());
    // Newest first, then every other one reset, then the rest again: each packet must reach its own connection.
    for (let i = n - 1; i >= 0; i--) feed(convs[i]!.seg('server', { flags: 'PA', data: `220 ${i}\r\n` }));
    for (let i = 0; i < n; i += 2) feed(convs[i]!.seg('client', { flags: 'R' }));
    for (let i = 1; i < n; i += 2) feed(convs[i]!.seg('client', { flags: 'PA', data: `EHLO ${i}\r\n` }));
    const conns = tracker.finish();
    expect(conns).toHaveLength(n);
    expect(conns.filter((c) => c.packets.server !== 2 || c.packets.client !== 3)).toEqual([]);
    const wrong = conns.filter((c, i) => {
      const r = recorders.get(c.id)!;
      return c.client.ip !== convs[i]!.client.ip || r.stream('server') !== `220 ${i}\r\n` || r.stream('client') !== (i % 2 === 0 ? '' : `EHLO ${i}\r\n`);
    });
    expect(wrong).toEqual([]);
    expect(conns.filter((c, i) => c.rst.client !== (i % 2 === 0))).toEqual([]);
  });
});

describe('ConnectionTracker: roles', () => {
  const clock = new Clock();

  it('SYN/ACK receiver is the client when the SYN was missed', () => {
    const c = new Conversation(clock, { ip: '10.0.0.1', port: 5000 }, { ip: '10.0.0.2', port: 6000 });
    const { tracker, feed, rec } = setup();
    feed(c.seg('server', { flags: 'SA', ack: 0 }), c.seg('client', { data: 'hello' }));
    const [conn] = tracker.finish();
    expect(conn.roleBy).toBe('syn');
    expect(conn.syn).toBe(false);
    expect(conn.client.port).toBe(5000);
    // The SYN/ACK acknowledged the client's ISN: the client's stream starts right after it.
    expect(conn.facts.client.streamStart).toBe('syn-ack');
    expect(rec().chunks[0]).toMatchObject({ from: 'client', offset: 0, text: 'hello' });
  });

  it('a known server port decides without a SYN, the lower one when both are known', () => {
    const mk = (srcPort: number, dstPort: number) =>
      new Conversation(clock, { ip: '10.0.0.1', port: srcPort }, { ip: '10.0.0.2', port: dstPort }).seg('client', {
        data: 'x',
      });
    const t = new ConnectionTracker({ serverPorts: new Set([25, 587]) });
    t.segment(mk(25, 40000)); // sent by the server
    t.segment(mk(587, 25)); // both known: 25 is the server
    t.segment(mk(40001, 587));
    const conns = t.finish();
    expect(conns.map((x) => [x.roleBy, x.server.port, x.client.port])).toEqual([
      ['port', 25, 40000],
      ['port', 25, 587],
      ['port', 587, 40001],
    ]);
  });

  it('else the lower port below 1024, else the first sender', () => {
    const t = new ConnectionTracker({ serverPorts: new Set() });
    t.segment(new Conversation(clock, { ip: '10.0.0.1', port: 143 }, { ip: '10.0.0.2', port: 50000 }).seg('client'));
    t.segment(new Conversation(clock, { ip: '10.0.0.1', port: 3000 }, { ip: '10.0.0.2', port: 4000 }).seg('client'));
    t.segment(new Conversation(clock, { ip: '10.0.0.1', port: 5000 }, { ip: '10.0.0.2', port: 4000 }).seg('client'));
    const conns = t.finish();
    expect(conns.map((x) => [x.roleBy, x.client.port])).toEqual([
      ['port', 50000],
      ['first-sender', 3000],
      ['first-sender', 5000],
    ]);
  });
});

describe('ConnectionTracker: reassembly', () => {
  it('handles sequence numbers that wrap around 2^32', () => {
    const clock = new Clock();
    const c = new Conversation(clock, undefined, undefined, { client: 2 ** 32 - 3, server: 2 ** 32 - 1 });
    const { tracker, feed, rec } = setup();
    feed(c.handshake());
    expect(c.seqOf('server', 0)).toBe(0); // the server's first byte is at seq 0 after the wrap
    feed(
      c.seg('client', { data: 'abcd' }), // seq 2^32-2 … 1: crosses the wrap
      c.seg('client', { at: 8, data: 'ijkl' }), // out of order, after the wrap
      c.seg('client', { at: 4, data: 'efgh' }),
      c.seg('server', { data: 'srv' }),
      c.seg('client', { flags: 'FA', at: 12 }),
      c.seg('server', { flags: 'A' }),
    );
    const [conn] = tracker.finish();
    expect(rec().stream('client')).toBe('abcdefghijkl');
    expect(rec().stream('server')).toBe('srv');
    expect(conn.bytes).toEqual({ client: 12, server: 3 });
    expect(conn.outOfOrder.client).toBe(1);
    expect(conn.retransmissions.client).toBe(0);
    expect(conn.facts.client.ackedByPeer).toBe(12); // the FIN's ACK counts bytes, not the FIN
    expect(conn.events.find((e) => e.kind === 'fin')).toMatchObject({ offset: 12 });
  });

  it('buffers out-of-order segments and delivers them with the frame that filled the hole', () => {
    const clock = new Clock();
    const c = new Conversation(clock);
    const { tracker, feed, rec } = setup();
    feed(c.handshake());
    feed(c.seg('client', { at: 10, data: 'KLMNO' })); // frame 4
    feed(c.seg('client', { at: 5, data: 'FGHIJ' })); // frame 5
    expect(rec().chunks).toHaveLength(0);
    feed(c.seg('client', { at: 0, data: 'ABCDE' })); // frame 6 fills the hole
    const conn = tracker.finish()[0];
    expect(rec().chunks.map((x) => [x.offset, x.text, x.frame])).toEqual([
      [0, 'ABCDE', 6],
      [5, 'FGHIJ', 6],
      [10, 'KLMNO', 6],
    ]);
    expect(conn.outOfOrder.client).toBe(1); // only frame 4 opened a hole; frame 5 came in order after nothing new
    expect(conn.events.filter((e) => e.kind === 'out-of-order')).toEqual([
      { kind: 'out-of-order', from: 'client', frame: 4, time: expect.any(Number), offset: 10, length: 5 },
    ]);
    expect(conn.gaps.client).toBe(0);
  });

  it('delivers retransmitted bytes once and counts the segment that brings nothing new', () => {
    const clock = new Clock();
    const c = new Conversation(clock);
    const { tracker, feed, rec } = setup();
    feed(c.handshake(), c.seg('client', { data: 'hello ' }));
    feed(c.seg('client', { at: 0, data: 'hello ' })); // full retransmission
    feed(c.seg('client', { at: 3, data: 'lo world' })); // partial overlap: 5 new bytes
    feed(c.seg('client', { at: 2, data: 'llo' })); // inside what was seen
    const conn = tracker.finish()[0];
    expect(rec().stream('client')).toBe('hello world');
    expect(conn.bytes.client).toBe(11);
    expect(conn.retransmissions.client).toBe(2);
    expect(conn.overlaps).toEqual({ client: 1, server: 0 });
    expect(conn.events.filter((e) => e.kind === 'retransmission').map((e) => [e.frame, e.offset, e.length])).toEqual([
      [5, 0, 6],
      [7, 2, 3],
    ]);
  });

  it('keeps the first copy when an overlap carries different bytes, and notes it', () => {
    const clock = new Clock();
    const c = new Conversation(clock);
    const { tracker, feed, rec } = setup();
    feed(c.handshake());
    feed(c.seg('client', { at: 4, data: 'EFGH' })); // held
    feed(c.seg('client', { at: 2, data: 'cdXXXXIJ' })); // overlaps the held EFGH with XXXX: differs
    feed(c.seg('client', { at: 0, data: 'ab' }));
    const conn = tracker.finish()[0];
    expect(rec().stream('client')).toBe('abcdEFGHIJ');
    expect(conn.conflicts).toEqual({ client: 1, server: 0 });
    expect(conn.overlaps).toEqual({ client: 1, server: 0 });
    expect(conn.bytes.client).toBe(10);
  });

  it('skips a hole the peer acknowledged and goes on (gap, never a silent join)', () => {
    const clock = new Clock();
    const c = new Conversation(clock);
    const { tracker, feed, rec } = setup();
    feed(c.handshake(), c.seg('client', { data: 'AAAA' }));
    c.next.client = 10; // bytes 4..9 are never captured
    feed(c.seg('client', { data: 'KK' })); // held after a hole
    expect(rec().gaps).toHaveLength(0);
    feed(c.seg('server', { ack: 12 })); // the server has everything up to 12
    const conn = tracker.finish()[0];
    expect(rec().stream('client')).toBe('AAAA[gap 6]KK');
    expect(rec().gaps[0]).toEqual({ from: 'client', offset: 4, length: 6, frame: 6 });
    expect(conn.gaps.client).toBe(6);
    expect(conn.events.filter((e) => e.kind === 'gap')).toMatchObject([{ from: 'client', offset: 4, length: 6 }]);
  });

  it('hands out bytes held behind a skipped hole as of their own frame, before the payload of the segment whose ACK skipped it', () => {
    // cesnet-ipfixprobe/tls.pcap frames 177-180: the server's ServerKeyExchange/ServerHelloDone (frame 178) sit behind
    // a lost segment; the client's ClientKeyExchange (frame 180) acknowledges it. tshark shows them in frame 178.
    const clock = new Clock();
    const c = new Conversation(clock);
    const { tracker, feed, rec } = setup();
    feed(c.handshake(), c.seg('client', { data: 'hello' }), c.seg('server', { data: 'SH' })); // frames 4, 5
    c.next.server = 10; // bytes 2..9 are never captured
    feed(c.seg('server', { data: 'SKE+SHD' })); // frame 6: held after the hole
    feed(c.seg('client', { data: 'CKE', ack: 17 })); // frame 7: acknowledges all of it
    tracker.finish();
    expect(rec().chunks.map((x) => [x.from, x.text, x.frame])).toEqual([
      ['client', 'hello', 4],
      ['server', 'SH', 5],
      ['server', 'SKE+SHD', 6],
      ['client', 'CKE', 7],
    ]);
    expect(rec().gaps).toEqual([{ from: 'server', offset: 2, length: 8, frame: 7 }]);
  });

  it('skips a hole when data after it arrives after the acknowledgement', () => {
    const clock = new Clock();
    const c = new Conversation(clock);
    const { tracker, feed, rec } = setup();
    feed(c.handshake(), c.seg('client', { data: 'AAAA' }));
    feed(c.seg('server', { ack: 10 })); // acknowledges 6 bytes we never saw
    expect(rec().gaps).toHaveLength(0); // nothing after the hole yet: it could still be filled
    feed(c.seg('client', { at: 10, data: 'KK' }));
    expect(rec().stream('client')).toBe('AAAA[gap 6]KK');
    tracker.finish();
  });

  it('reports acknowledged bytes never seen at the end as a gap at close, but not an uncaptured FIN', () => {
    const clock = new Clock();
    const c = new Conversation(clock);
    const { tracker, feed, rec } = setup();
    feed(c.handshake(), c.seg('client', { data: 'AAAA' }), c.seg('server', { data: 'SS' }));
    feed(c.seg('server', { ack: 9 })); // client sent 5 more bytes we did not capture
    feed(c.seg('client', { ack: 3 })); // server: 1 past its data = its FIN, which we did not capture
    const conn = tracker.finish()[0];
    expect(rec().stream('client')).toBe('AAAA[gap 5]');
    expect(rec().stream('server')).toBe('SS');
    expect(conn.gaps).toEqual({ client: 5, server: 0 });
    expect(conn.facts.client.ackedByPeer).toBe(9);
    expect(conn.facts.server.ackedByPeer).toBe(2);
  });

  it('skips holes at end of capture and on RST when later data is held', () => {
    const clock = new Clock();
    const a = new Conversation(clock, { ip: '10.0.0.1', port: 1 }, { ip: '10.0.0.2', port: 25 });
    const b = new Conversation(clock, { ip: '10.0.0.3', port: 2 }, { ip: '10.0.0.2', port: 25 });
    const { tracker, feed, rec } = setup();
    feed(a.handshake(), a.seg('client', { at: 3, data: 'DD' }));
    feed(b.handshake(), b.seg('server', { at: 2, data: 'cc' }), b.seg('client', { flags: 'RA', at: 0 }));
    expect(rec(2).stream('server')).toBe('[gap 2]cc'); // flushed by the RST
    expect(rec(2).gaps[0].frame).toBe(9);
    expect(rec(1).gaps).toHaveLength(0);
    const conns = tracker.finish();
    expect(rec(1).stream('client')).toBe('[gap 3]DD'); // flushed at the end
    expect(conns[0].gaps.client).toBe(3);
    expect(conns[1].rst).toEqual({ client: true, server: false });
  });

  it('skips a hole before a FIN once the peer acknowledges the FIN', () => {
    const clock = new Clock();
    const c = new Conversation(clock);
    const { tracker, feed, rec } = setup();
    feed(c.handshake(), c.seg('client', { data: 'AA' }), c.seg('client', { at: 4, data: 'DD' }));
    feed(c.seg('client', { flags: 'FA', at: 6 })); // FIN at offset 6; bytes 2..3 could still come
    expect(rec().gaps).toHaveLength(0);
    feed(c.seg('server', { flags: 'A', ack: 7 })); // the server has everything, FIN included
    expect(rec().stream('client')).toBe('AA[gap 2]DD');
    expect(rec().gaps[0].frame).toBe(7);
    const conn = tracker.finish()[0];
    expect(conn.facts.client.ackedByPeer).toBe(6);
  });

  it('keeps the latest time as the end when timestamps go backwards', () => {
    const clock = new Clock();
    const c = new Conversation(clock);
    const { tracker, feed } = setup();
    feed(c.seg('client', { flags: 'S' }), c.seg('server', { flags: 'SA', ack: 0, dt: 5 }));
    feed(c.seg('client', { ack: 0, dt: -4 }));
    const conn = tracker.finish()[0];
    expect(conn.end - conn.start).toBeCloseTo(5, 6);
    expect(conn.lastFrame).toBe(3);
  });

  it('treats a snaplen-cut tail as a gap and carries on at the right offset', () => {
    const clock = new Clock();
    const c = new Conversation(clock);
    const { tracker, feed, rec } = setup();
    feed(c.handshake());
    feed(c.seg('server', { data: 'HEAD', wireLength: 10 })); // 6 bytes not captured
    feed(c.seg('server', { data: 'next' }));
    const conn = tracker.finish()[0];
    expect(rec().stream('server')).toBe('HEAD[gap 6]next');
    expect(conn.bytes.server).toBe(14); // on-wire payload, like tshark's tcp.len
    expect(conn.gaps.server).toBe(6);
    expect(conn.facts.server.largestSegment).toBe(10);
    expect(kinds(conn)).toContain('snaplen-cut:server');
    const cut = conn.events.find((e) => e.kind === 'snaplen-cut')!;
    const gap = conn.events.find((e) => e.kind === 'gap')!;
    expect(cut).toMatchObject({ offset: 4, length: 6, frame: 4 });
    expect(gap).toMatchObject({ offset: 4, length: 6, frame: 4 });
    expect(conn.events.indexOf(cut)).toBeLessThan(conn.events.indexOf(gap));
  });

  it('holds a snaplen-cut segment that arrives out of order, its missing tail included', () => {
    const clock = new Clock();
    const c = new Conversation(clock);
    const { tracker, feed, rec } = setup();
    feed(c.handshake());
    feed(c.seg('server', { at: 4, data: 'ef', wireLength: 4 }), c.seg('server', { at: 8, data: 'ij' }));
    feed(c.seg('server', { at: 0, data: 'abcd' }));
    tracker.finish();
    expect(rec().stream('server')).toBe('abcdef[gap 2]ij');
  });

  it('delivers data carried on the SYN (TCP Fast Open)', () => {
    const clock = new Clock();
    const c = new Conversation(clock);
    const { tracker, feed, rec } = setup();
    feed(c.seg('client', { flags: 'S', data: 'early' }));
    feed(c.seg('server', { flags: 'SA', ack: 5 }));
    feed(c.seg('client', { data: ' data' }));
    const conn = tracker.finish()[0];
    expect(rec().stream('client')).toBe('early data');
    expect(rec().chunks[0]).toMatchObject({ offset: 0, frame: 1 });
    expect(conn.bytes.client).toBe(10);
    expect(conn.facts.client.ackedByPeer).toBe(5);
  });

  it('counts a TFO SYN the server ignored, then the data again, once', () => {
    const clock = new Clock();
    const c = new Conversation(clock);
    const { tracker, feed, rec } = setup();
    feed(c.seg('client', { flags: 'S', data: 'hello' }));
    feed(c.seg('server', { flags: 'SA', ack: 0 })); // did not take the SYN's data
    feed(c.seg('client', { at: 0, data: 'hello' }));
    const conn = tracker.finish()[0];
    expect(rec().stream('client')).toBe('hello');
    expect(conn.bytes.client).toBe(5);
    expect(conn.retransmissions.client).toBe(1);
  });

  it('counts repeated SYN, SYN/ACK and FIN as retransmissions, keep-alives not', () => {
    const clock = new Clock();
    const c = new Conversation(clock);
    const { tracker, feed } = setup();
    const syn = c.seg('client', { flags: 'S' });
    feed(syn, { ...syn, frame: 2, time: syn.time + 1 });
    clock.frame = 2;
    const synAck = c.seg('server', { flags: 'SA', ack: 0 });
    feed(synAck, { ...synAck, frame: 4 });
    clock.frame = 4;
    feed(c.seg('client', { data: 'abc' }));
    feed(c.seg('client', { at: 2, data: 'c' })); // keep-alive: one old byte at next-1
    feed(c.seg('client', { at: 0, data: 'a' })); // one old byte elsewhere: a retransmission
    const fin = c.seg('client', { flags: 'FA' });
    feed(fin, { ...fin, frame: 9 });
    const conn = tracker.finish()[0];
    expect(conn.retransmissions).toEqual({ client: 3, server: 1 });
    expect(conn.events.filter((e) => e.kind === 'retransmission').map((e) => e.frame)).toEqual([2, 4, 7, 9]);
    expect(conn.events.filter((e) => e.kind === 'syn')).toHaveLength(1);
    expect(conn.events.filter((e) => e.kind === 'fin')).toHaveLength(1);
  });

  it('measures the handshake RTT from the most recent SYN to the ACK of the SYN/ACK', () => {
    const clock = new Clock();
    const c = new Conversation(clock);
    const { tracker, feed } = setup();
    feed(c.seg('client', { flags: 'S' }));
    feed(c.seg('client', { flags: 'S', dt: 1 }));
    feed(c.seg('server', { flags: 'SA', ack: 0, dt: 0.04 }));
    feed(c.seg('client', { flags: 'A', ack: 0, dt: 0.01 }));
    expect(tracker.finish()[0].handshakeRtt).toBeCloseTo(0.05, 6);
  });

  it('counts bytes that turn up after their hole was skipped as late, not as a retransmission', () => {
    const clock = new Clock();
    const c = new Conversation(clock);
    const { tracker, feed, rec } = setup();
    feed(c.handshake(), c.seg('server', { data: 'aa' }), c.seg('server', { at: 4, data: 'ee' }));
    feed(c.seg('client', { ack: 6 })); // hole 2..3 acknowledged: skipped
    feed(c.seg('server', { at: 2, data: 'cc' })); // a spurious retransmission of bytes we never saw
    feed(c.seg('server', { at: 2, data: 'cc' })); // and again: now that is a retransmission
    const conn = tracker.finish()[0];
    expect(rec().stream('server')).toBe('aa[gap 2]ee');
    expect(conn.bytes.server).toBe(6);
    expect(conn.late).toEqual({ client: 0, server: 2 });
    expect(conn.gaps.server).toBe(2);
    expect(conn.retransmissions.server).toBe(1);
  });

  it('follows offsets past 2^32 (long streams) through modular sequence arithmetic', () => {
    const clock = new Clock();
    const c = new Conversation(clock, undefined, undefined, { client: 123, server: 7 });
    const { tracker, feed, rec } = setup();
    feed(c.handshake());
    // Jump 5 × (2^30 − 1) bytes through acknowledged holes: the stream offset ends past 2^32.
    const step = 2 ** 30 - 1;
    for (let i = 1; i <= 5; i++) {
      feed(c.seg('server', { ack: i * step }), c.seg('client', { at: i * step, data: 'x' }));
    }
    const conn = tracker.finish()[0];
    const last = rec().chunks.at(-1)!;
    expect(last.offset).toBe(5 * step);
    expect(last.offset).toBeGreaterThan(2 ** 32);
    expect(conn.bytes.client).toBe(5);
    expect(conn.gaps.client).toBe(5 * step - 4);
  });

  it('ignores segments and acknowledgements further away than any TCP window', () => {
    const clock = new Clock();
    const c = new Conversation(clock);
    const { tracker, feed, rec } = setup();
    feed(c.handshake(), c.seg('client', { data: 'ok' }));
    feed(c.seg('client', { at: 2 ** 31 - 10, data: 'forged' }));
    feed(c.seg('server', { ack: 2 ** 31 - 5 }));
    const conn = tracker.finish()[0];
    expect(rec().stream('client')).toBe('ok');
    expect(conn.packets.client).toBe(4);
    expect(conn.bytes.client).toBe(2);
    expect(conn.gaps.client).toBe(0);
    expect(conn.retransmissions.client).toBe(0);
  });
});

describe('ConnectionTracker: streams without a SYN', () => {
  it('starts at the first segment', () => {
    const clock = new Clock();
    const c = new Conversation(clock, { ip: '10.0.0.9', port: 51000 }, { ip: '10.0.0.1', port: 443 });
    const { tracker, feed, rec } = setup();
    c.next.client = 1000;
    c.next.server = 7000;
    feed(c.seg('client', { data: 'midway' }), c.seg('server', { data: 'reply' }), c.seg('client', { data: '!' }));
    const conn = tracker.finish()[0];
    expect(conn.syn).toBe(false);
    expect(conn.roleBy).toBe('port');
    expect(conn.facts.client.streamStart).toBe('first-segment');
    expect(rec().chunks.map((x) => [x.from, x.offset, x.text])).toEqual([
      ['client', 0, 'midway'],
      ['server', 0, 'reply'],
      ['client', 6, '!'],
    ]);
    expect(conn.handshakeRtt).toBeNull();
  });

  it('starts where the peer had acknowledged when that is before the first segment (hole, then gap)', () => {
    const clock = new Clock();
    const c = new Conversation(clock, { ip: '10.0.0.9', port: 51000 }, { ip: '10.0.0.1', port: 443 });
    const { tracker, feed, rec } = setup();
    c.next.server = 500;
    feed(c.seg('client', { data: 'req', ack: 500 })); // the client had everything up to server offset 500
    feed(c.seg('server', { at: 510, data: 'late' })); // 10 bytes before it never show up
    feed(c.seg('client', { ack: 514 }));
    const conn = tracker.finish()[0];
    expect(conn.facts.server.streamStart).toBe('peer-ack');
    expect(rec().stream('server')).toBe('[gap 10]late');
    expect(rec().gaps[0].offset).toBe(0);
  });

  it('fills the hole at the start when the missing bytes arrive', () => {
    const clock = new Clock();
    const c = new Conversation(clock, { ip: '10.0.0.9', port: 51000 }, { ip: '10.0.0.1', port: 443 });
    const { tracker, feed, rec } = setup();
    feed(c.seg('client', { data: 'req', ack: 0 }));
    feed(c.seg('server', { at: 3, data: 'def' }), c.seg('server', { at: 0, data: 'abc' }));
    tracker.finish();
    expect(rec().stream('server')).toBe('abcdef');
  });
});

describe('ConnectionTracker: reuse of a 4-tuple', () => {
  it('starts a new connection on a new SYN after FIN both ways, not on a retransmitted SYN', () => {
    const clock = new Clock();
    const c = new Conversation(clock);
    const { tracker, feed, recorders } = setup();
    feed(c.handshake(), c.seg('client', { data: 'one' }), c.seg('client', { flags: 'FA' }), c.seg('server', { flags: 'FA' }));
    feed(c.seg('client', { flags: 'S', seq: c.isn.client })); // same ISN: a late retransmission
    expect(tracker.stats.connections).toBe(1);
    const d = new Conversation(clock, c.client, c.server, { client: 777777, server: 888888 });
    feed(d.handshake(), d.seg('client', { data: 'two' }));
    const conns = tracker.finish();
    expect(conns.map((x) => [x.id, x.firstFrame, x.bytes.client, x.retransmissions.client])).toEqual([
      [1, 1, 3, 1],
      [2, 8, 3, 0],
    ]);
    expect(recorders.get(1)!.closed).toBe(1);
    expect(recorders.get(2)!.stream('client')).toBe('two');
    expect(tracker.stats.portReuses).toBe(1);
  });

  it('starts a new connection after RST, and after a long idle time', () => {
    const clock = new Clock();
    const c = new Conversation(clock);
    const { tracker, feed } = setup({ idleTimeout: 60 });
    feed(c.handshake(), c.seg('client', { flags: 'RA' }));
    const d = new Conversation(clock, c.client, c.server, { client: 5, server: 6 });
    feed(d.handshake(), d.seg('client', { data: 'x' }));
    const e = new Conversation(clock, c.client, c.server, { client: 50, server: 60 });
    feed(e.seg('client', { flags: 'S', dt: 61 }));
    expect(tracker.finish().map((x) => x.firstFrame)).toEqual([1, 5, 9]);
  });

  it('keeps an open connection when a SYN with another ISN arrives soon after (noted, not believed)', () => {
    const clock = new Clock();
    const c = new Conversation(clock);
    const { tracker, feed, rec } = setup();
    feed(c.handshake(), c.seg('client', { data: 'abc' }));
    feed(c.seg('client', { flags: 'S', seq: 42 }));
    feed(c.seg('client', { data: 'def' }));
    const conns = tracker.finish();
    expect(conns).toHaveLength(1);
    expect(rec().stream('client')).toBe('abcdef');
    expect(kinds(conns[0]).filter((k) => k === 'syn:client')).toHaveLength(2);
  });

  it('follows the server ISN the client acknowledges when SYN/ACKs carry several', () => {
    const clock = new Clock();
    const c = new Conversation(clock, undefined, undefined, { client: 100, server: 3_000_000_000 });
    const { tracker, feed, rec } = setup();
    feed(c.seg('client', { flags: 'S' }));
    feed(c.seg('server', { flags: 'SA', ack: 0 }));
    feed(c.seg('server', { flags: 'SA', seq: 4242, ack: 0 })); // another ISN: taken for now
    feed(c.seg('server', { flags: 'SA', ack: 0 })); // the first again: a retransmission
    feed(c.seg('client', { ack: 0 })); // acknowledges the first ISN: the connection goes on with it
    feed(c.seg('server', { data: 'banner' }));
    const conn = tracker.finish()[0];
    expect(rec().stream('server')).toBe('banner');
    expect(conn.retransmissions.server).toBe(1);
    expect(conn.bytes.server).toBe(6);
    expect(conn.handshakeRtt).not.toBeNull();
  });

  it('ignores a SYN/ACK that does not acknowledge the captured SYN, and the strays of its ISN (ACKs included)', () => {
    // mercury/capture2.pcap frames 2322-2339: every server segment is captured twice, once as seen through a
    // sequence-translating middlebox (other ISN, acknowledging another client ISN). tshark follows the ISN the
    // client's SYN was answered with and shows the ServerHello on the second copy.
    const clock = new Clock();
    const c = new Conversation(clock, undefined, undefined, { client: 100, server: 3_000_000_000 });
    const { tracker, feed, rec } = setup();
    feed(c.seg('client', { flags: 'S' })); // frame 1
    feed(c.seg('server', { flags: 'SA', seq: 4242, rawAck: 100 + 400_000_000 })); // frame 2: answers another SYN
    feed(c.seg('server', { flags: 'SA', ack: 0 })); // frame 3: answers ours
    feed(c.seg('client', { ack: 0 }), c.seg('client', { data: 'hello' })); // frames 4, 5
    feed(c.seg('server', { seq: 4243, rawAck: 100 + 400_000_005, data: 'world' })); // frame 6: the other copy
    feed(c.seg('server', { at: 0, data: 'world' })); // frame 7
    const conn = tracker.finish()[0];
    expect(rec().chunks.map((x) => [x.from, x.text, x.frame])).toEqual([
      ['client', 'hello', 5],
      ['server', 'world', 7],
    ]);
    expect(conn.gaps).toEqual({ client: 0, server: 0 });
    expect(conn.facts.client.ackedByPeer).toBe(5);
    expect(conn.retransmissions.server).toBe(0);
  });
});

describe('ConnectionTracker: consumers and caps', () => {
  it('stops delivering and buffering a side nobody wants, but keeps counting', () => {
    const clock = new Clock();
    const c = new Conversation(clock);
    const { tracker, feed, rec } = setup();
    feed(c.handshake());
    feed(c.seg('client', { data: 'abcd' }));
    rec().stopAfter.client = 4;
    feed(c.seg('client', { at: 8, data: 'ijkl' })); // would be held
    feed(c.seg('client', { at: 4, data: 'efgh' }));
    feed(c.seg('client', { at: 4, data: 'efgh' }));
    feed(c.seg('server', { data: 'still wanted' }));
    const conn = tracker.finish()[0];
    expect(rec().stream('client')).toBe('abcd');
    expect(rec().stream('server')).toBe('still wanted');
    expect(conn.bytes.client).toBe(12);
    expect(conn.outOfOrder.client).toBe(1);
    expect(conn.retransmissions.client).toBe(1);
    expect(tracker.stats.bufferedBytes).toBe(0);
  });

  it('only counts when open() returns null', () => {
    const clock = new Clock();
    const c = new Conversation(clock);
    const t = new ConnectionTracker({ open: () => null });
    for (const s of [...c.handshake(), c.seg('client', { at: 3, data: 'x' }), c.seg('client', { at: 0, data: 'abc' })]) {
      t.segment(s);
    }
    expect(t.stats.bufferedBytes).toBe(0);
    const conn = t.finish()[0];
    expect(conn.bytes.client).toBe(4);
    expect(conn.outOfOrder.client).toBe(1);
  });

  it('skips the first hole when a side holds too many bytes out of order', () => {
    const clock = new Clock();
    const c = new Conversation(clock);
    const { tracker, feed, rec } = setup({ limits: { maxBufferedPerSide: 10 } });
    feed(c.handshake());
    feed(c.seg('client', { at: 2, data: 'cdefgh' }), c.seg('client', { at: 8, data: 'ijklmn' }));
    expect(tracker.stats.capHits).toBe(1);
    expect(rec().stream('client')).toBe('[gap 2]cdefghijklmn');
    feed(c.seg('client', { at: 0, data: 'ab' })); // too late: behind the delivery point now
    const conn = tracker.finish()[0];
    expect(conn.gaps.client).toBe(2);
    expect(conn.late).toEqual({ client: 2, server: 0 });
    expect(tracker.stats.bufferedBytes).toBe(0);
  });

  it('caps held ranges, even ones without bytes', () => {
    const clock = new Clock();
    const c = new Conversation(clock);
    const t = new ConnectionTracker({ open: () => null, limits: { maxRangesPerSide: 3 } });
    for (const s of c.handshake()) t.segment(s);
    for (let i = 1; i <= 5; i++) t.segment(c.seg('client', { at: i * 10, data: 'x' }));
    expect(t.stats.capHits).toBe(2);
    const conn = t.finish()[0];
    expect(conn.bytes.client).toBe(5);
    expect(conn.gaps.client).toBe(51 - 5); // every hole up to the last byte was skipped
  });

  it('caps the bytes held over all connections', () => {
    const clock = new Clock();
    const a = new Conversation(clock, { ip: '10.0.0.1', port: 1 }, { ip: '10.0.0.2', port: 25 });
    const b = new Conversation(clock, { ip: '10.0.0.3', port: 2 }, { ip: '10.0.0.2', port: 25 });
    const { tracker, feed, rec } = setup({ limits: { maxBufferedTotal: 8 } });
    feed(a.handshake(), b.handshake());
    feed(a.seg('client', { at: 1, data: 'bcdef' }));
    expect(tracker.stats.capHits).toBe(0);
    feed(b.seg('client', { at: 1, data: 'BCDEF' })); // 10 held in all: this side gives way
    expect(tracker.stats.capHits).toBe(1);
    expect(rec(2).stream('client')).toBe('[gap 1]BCDEF');
    expect(tracker.stats.bufferedBytes).toBe(5);
    tracker.finish();
  });

  it('keeps at most maxEventsPerConnection events but tells the consumer every one', () => {
    const clock = new Clock();
    const c = new Conversation(clock);
    const { tracker, feed, rec } = setup({ limits: { maxEventsPerConnection: 3 } });
    feed(c.handshake(), c.seg('client', { data: 'ab' }));
    for (let i = 0; i < 5; i++) feed(c.seg('client', { at: 0, data: 'ab' }));
    const conn = tracker.finish()[0];
    expect(conn.events).toHaveLength(3);
    expect(conn.eventsDropped).toBe(4);
    expect(conn.retransmissions.client).toBe(5);
    expect(rec().events).toHaveLength(7);
  });

  it('evicts and closes the least recently active connection past maxOpenConnections', () => {
    const clock = new Clock();
    const convs = [1, 2, 3, 4].map(
      (i) => new Conversation(clock, { ip: `10.0.0.${i}`, port: 1000 + i }, { ip: '10.0.1.1', port: 25 }),
    );
    const { tracker, feed, recorders } = setup({ limits: { maxOpenConnections: 2 } });
    feed(convs[0].handshake(), convs[1].handshake());
    feed(convs[0].seg('client', { at: 5, data: 'held' })); // conn 1 active again, holding bytes
    feed(convs[2].handshake()); // evicts conn 2: idle since it was queued
    expect(tracker.stats.evicted).toBe(1);
    expect(recorders.get(2)!.closed).toBe(1);
    expect(recorders.get(1)!.closed).toBe(0);
    feed(convs[3].handshake()); // evicts conn 1 (conn 3 is newer): its held bytes come out after a gap
    expect(recorders.get(1)!.stream('client')).toBe('[gap 5]held');
    expect(tracker.stats).toMatchObject({ evicted: 2, open: 2 });
    feed(convs[1].seg('client', { data: 'back' })); // conn 2's ports again: a new connection (5)
    const conns = tracker.finish();
    expect(conns.map((x) => x.id)).toEqual([1, 2, 3, 4, 5]);
    expect(conns[4].client.port).toBe(1002);
    expect(tracker.stats.evicted).toBe(3);
  });

  it('closes a connection silent for maxSilence before the capture ends; a later packet of it is another connection', () => {
    const clock = new Clock();
    const quiet = new Conversation(clock, { ip: '10.0.0.1', port: 1001 }, { ip: '10.0.1.1', port: 25 });
    const busy = new Conversation(clock, { ip: '10.0.0.2', port: 1002 }, { ip: '10.0.1.1', port: 25 });
    const { tracker, feed, recorders } = setup({ limits: { maxSilence: 10, silentAbove: 1 } });
    feed(quiet.handshake(), quiet.seg('client', { data: 'EHLO' }));
    feed(busy.handshake(), busy.seg('client', { data: 'one', dt: 6 }));
    expect(tracker.stats).toMatchObject({ silenced: 0, open: 2 });
    // More than 10 s after quiet's last packet, by two packets in a row (one could carry a wrong timestamp): it
    // is closed, its bytes handed out; busy is not.
    feed(busy.seg('client', { data: 'two', dt: 5 }));
    expect(tracker.stats.silenced).toBe(0);
    feed(busy.seg('client', { data: 'three' }));
    expect(tracker.stats).toMatchObject({ silenced: 1, open: 1 });
    expect(recorders.get(1)!.closed).toBe(1);
    expect(recorders.get(1)!.stream('client')).toBe('EHLO');
    expect(recorders.get(2)!.closed).toBe(0);
    // A packet of quiet's 4-tuple now starts connection 3, mid-stream.
    feed(quiet.seg('client', { data: 'late' }));
    const conns = tracker.finish();
    expect(conns.map((c) => [c.id, c.silenced])).toEqual([
      [1, 10],
      [2, undefined],
      [3, undefined],
    ]);
    // With no more than silentAbove open, silence is not looked for.
    const calm = setup({ limits: { maxSilence: 10, silentAbove: 2 } });
    const again = [1, 2].map((i) => new Conversation(clock, { ip: `10.0.2.${i}`, port: 1000 + i }, { ip: '10.0.1.1', port: 25 }));
    calm.feed(again[0]!.handshake(), again[1]!.handshake(), again[1]!.seg('client', { data: 'x', dt: 60 }), again[1]!.seg('client', { data: 'y' }));
    expect(calm.tracker.stats).toMatchObject({ silenced: 0, open: 2 });
    expect(conns[0]!.lastFrame).toBe(4);
    expect(conns[2]!.syn).toBe(false);
  });

  it('closes a connection one side closed with FIN, silent for halfClosedSilence, once more than halfClosedAbove are open', () => {
    const clock = new Clock();
    const server = { ip: '10.0.1.1', port: 25 };
    // A PMTU black hole: the client gave up with FIN, the server's flight never got through and it went quiet.
    const hole = new Conversation(clock, { ip: '10.0.0.1', port: 1001 }, server);
    // The client closed too, but the server answers it later than the others: it keeps talking.
    const slow = new Conversation(clock, { ip: '10.0.0.2', port: 1002 }, server);
    // Open with no FIN at all, silent as long: only maxSilence (an hour) applies to it.
    const idle = new Conversation(clock, { ip: '10.0.0.3', port: 1003 }, server);
    const busy = new Conversation(clock, { ip: '10.0.0.4', port: 1004 }, server);
    const { tracker, feed, recorders } = setup({ limits: { halfClosedSilence: 300, halfClosedAbove: 2 } });
    feed(hole.handshake(), slow.handshake(), idle.handshake(), busy.handshake());
    feed(hole.seg('server', { data: 'flight' }), hole.seg('client', { flags: 'FA' }));
    feed(slow.seg('client', { flags: 'FA' }), idle.seg('client', { data: 'EHLO' }));
    feed(busy.seg('client', { data: 'a', dt: 200 }), slow.seg('server', { data: 'late', dt: 1 }));
    feed(busy.seg('client', { data: 'b', dt: 150 }), busy.seg('client', { data: 'c', dt: 11 }));
    // 361 s after its FIN: the hole has been silent past 300 s (looked at every 10 s), slow has not, idle has no FIN.
    expect(tracker.silencedHalfClosed).toBe(1);
    expect(tracker.stats).toMatchObject({ silenced: 1, open: 3 });
    expect(recorders.get(1)!.closed).toBe(1);
    expect(recorders.get(1)!.stream('server')).toBe('flight');
    expect(recorders.get(2)!.closed).toBe(0);
    // A later packet of the hole's 4-tuple is another connection, as after any silence.
    feed(hole.seg('server', { data: 'x', dt: 1 }));
    const conns = tracker.finish();
    expect(conns.map((c) => [c.id, c.silenced])).toEqual([
      [1, 300],
      [2, undefined],
      [3, undefined],
      [4, undefined],
      [5, undefined],
    ]);
    expect(conns[0]!.fin).toEqual({ client: true, server: false });

    // With no more than halfClosedAbove open, the same capture keeps every connection to its end.
    const calm = setup({ limits: { halfClosedSilence: 300, halfClosedAbove: 4 } });
    const c2 = new Clock();
    const again = [1, 2, 3, 4].map((i) => new Conversation(c2, { ip: `10.0.2.${i}`, port: 1000 + i }, server));
    calm.feed(...again.flatMap((c) => c.handshake()), again[0]!.seg('client', { flags: 'FA' }));
    calm.feed(again[1]!.seg('client', { data: 'x', dt: 400 }), again[1]!.seg('client', { data: 'y', dt: 11 }));
    expect(calm.tracker.stats).toMatchObject({ silenced: 0, open: 4 });
    expect(calm.tracker.silencedHalfClosed).toBe(0);
  });

  it('holds a half-closed connection only while it is open and closed by one side (no closed one kept for its next look)', () => {
    const clock = new Clock();
    const server = { ip: '10.0.1.1', port: 25 };
    const [half, both, reset, evicted] = [1, 2, 3, 4].map((i) => new Conversation(clock, { ip: `10.0.0.${i}`, port: 1000 + i }, server));
    const { tracker, feed } = setup({ limits: { maxOpenConnections: 4 } });
    feed(half!.handshake(), both!.handshake(), reset!.handshake(), evicted!.handshake());
    feed(half!.seg('client', { flags: 'FA' }), both!.seg('client', { flags: 'FA' }), reset!.seg('client', { flags: 'FA' }), evicted!.seg('client', { flags: 'FA' }));
    expect(tracker.halfClosedOpen).toBe(4);
    // FIN from the other side, an RST, and eviction by a fifth connection (evicted is the least recently active).
    feed(both!.seg('server', { flags: 'FA' }), reset!.seg('server', { flags: 'R' }), half!.seg('server', { data: 'x' }));
    expect(tracker.halfClosedOpen).toBe(2);
    const fifth = new Conversation(clock, { ip: '10.0.0.5', port: 1005 }, server);
    feed(fifth.seg('client', { flags: 'S' }));
    expect(tracker.stats.evicted).toBe(1);
    expect(tracker.halfClosedOpen).toBe(1);
    tracker.finish();
    expect(tracker.halfClosedOpen).toBe(0);
  });

  it('keeps what vanished silently to silentAbove: one new silent connection a second for 20,000 s', () => {
    const clock = new Clock();
    const { tracker, feed } = setup();
    let mostOpen = 0;
    for (let i = 0; i < 20000; i++) {
      const c = new Conversation(clock, { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 40000 }, { ip: '10.0.1.1', port: 25 });
      feed(c.seg('client', { flags: 'S', dt: 1 }));
      mostOpen = Math.max(mostOpen, tracker.stats.open);
    }
    // Past 10,000 open, those silent for an hour go: about 3,600 are left, then it grows to 10,001 again.
    expect(mostOpen).toBe(10001);
    expect(tracker.stats.silenced).toBeGreaterThan(10000);
    expect(tracker.stats.silenced).toBeLessThan(20000 - 3600);
    expect(tracker.finish()).toHaveLength(20000);
  });

  it('records zero windows, except on RST', () => {
    const clock = new Clock();
    const c = new Conversation(clock);
    const { tracker, feed } = setup();
    feed(c.handshake(), c.seg('server', { window: 0 }), c.seg('server', { window: 0 }), c.seg('server', { flags: 'RA', window: 0 }));
    const conn = tracker.finish()[0];
    expect(conn.zeroWindows).toEqual({ client: 0, server: 2 });
    expect(kinds(conn)).toEqual(['syn:client', 'syn-ack:server', 'zero-window:server', 'zero-window:server', 'rst:server']);
  });
});

/**
 * Dormant connections (tracker.ts, ConnState): a connection that has carried no byte, FIN or RST is a compact
 * record, with no Connection, consumer or per-side state, until it does or is closed; what is reported of it is
 * the same as if it had been followed in full from its first segment.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { TcpFlag, type TcpSegment } from '../../src/net/types.js';
import { ConnectionTracker, type TrackerOptions } from '../../src/tcp/tracker.js';
import type { Connection, StreamConsumer, TcpEvent } from '../../src/tcp/types.js';
import { Clock, Conversation, Recorder } from './segments.js';

const SERVER = { ip: '198.51.100.25', port: 25 };

/** A SYN from client `n` (its own address and port) to the server. */
function synFrom(clock: Clock, n: number): TcpSegment {
  clock.tick(0.001);
  return {
    frame: clock.frame,
    time: clock.time,
    ipVersion: 4,
    src: `10.0.${n >> 8}.${n & 255}`,
    dst: SERVER.ip,
    srcPort: 40000 + (n % 1000),
    dstPort: SERVER.port,
    seq: 1000 + n,
    ack: 0,
    flags: TcpFlag.SYN,
    window: 64240,
    options: { mss: 1460, windowScale: 7, sackPermitted: true },
    payload: Buffer.alloc(0),
    payloadLength: 0,
  };
}

describe('ConnectionTracker: connections that never carry a byte', () => {
  it('keep no Connection, consumer or per-side state until they close', () => {
    const clock = new Clock();
    let opened = 0;
    const closed: number[] = [];
    const tracker = new ConnectionTracker({
      keepClosed: false,
      open: (conn) => {
        opened++;
        return { data: () => undefined, gap: () => undefined, close: () => closed.push(conn.id) };
      },
    });
    for (let n = 0; n < 1000; n++) tracker.segment(synFrom(clock, n));
    expect(tracker.stats.open).toBe(1000);
    expect(tracker.dormant).toBe(1000);
    expect(opened).toBe(0);

    // The server answers one: still nothing made. Its first byte wakes it.
    const c = new Conversation(clock, { ip: '10.0.0.7', port: 40007 }, SERVER, { client: 1007, server: 9000 });
    tracker.segment(c.seg('server', { flags: 'SA', ack: 0 }));
    tracker.segment(c.seg('client', { flags: 'A', ack: 0 }));
    expect(tracker.dormant).toBe(1000);
    expect(opened).toBe(0);
    tracker.segment(c.seg('server', { flags: 'PA', data: '220 mail ESMTP\r\n' }));
    expect(tracker.dormant).toBe(999);
    expect(opened).toBe(1);

    tracker.finish();
    expect(tracker.dormant).toBe(0);
    expect(opened).toBe(1000);
    expect(closed).toHaveLength(1000);
  });

  it('report what a connection followed in full from its first segment reports', () => {
    const clock = new Clock();
    const tracker = new ConnectionTracker();
    for (let n = 0; n < 3; n++) tracker.segment(synFrom(clock, n));
    const [first] = tracker.finish();
    expect(first).toMatchObject({
      id: 1,
      client: { ip: '10.0.0.0', port: 40000 },
      server: SERVER,
      roleBy: 'syn',
      firstFrame: 1,
      lastFrame: 1,
      syn: true,
      packets: { client: 1, server: 0 },
      facts: { client: { mss: 1460, windowScale: 7, sackPermitted: true, streamStart: 'syn' } },
    });
    expect(first!.events).toEqual([{ kind: 'syn', from: 'client', frame: 1, time: first!.start }]);
  });

  it('make an IPv4 address given as a number (srcV4) the text the capture reader writes', () => {
    const clock = new Clock();
    const tracker = new ConnectionTracker();
    // The key is the number; the text is not read while the connection sleeps.
    const seg = { ...synFrom(clock, 1), srcV4: 0xc0a80a01, dstV4: 0xfe000019, src: '192.168.10.1', dst: '254.0.0.25' };
    tracker.segment(seg);
    const [conn] = tracker.finish();
    expect(conn!.client).toEqual({ ip: '192.168.10.1', port: 40001 });
    expect(conn!.server).toEqual({ ip: '254.0.0.25', port: 25 });
  });
});

// ---- the same reports with and without dormancy, for any segments -------------------------------------------------

interface Tuple {
  ipVersion: 4 | 6;
  a: { ip: string; port: number; v4?: number };
  b: { ip: string; port: number; v4?: number };
}

const TUPLES: Tuple[] = [
  { ipVersion: 4, a: { ip: '192.0.2.10', port: 40000, v4: 0xc000020a }, b: { ip: '198.51.100.25', port: 25, v4: 0xc6336419 } },
  { ipVersion: 4, a: { ip: '192.0.2.11', port: 40001 }, b: { ip: '198.51.100.25', port: 993 } },
  { ipVersion: 6, a: { ip: '2001:db8::10', port: 50000 }, b: { ip: '2001:db8::1', port: 587 } },
  // Neither port is a server port nor below 1024: roles by first sender.
  { ipVersion: 4, a: { ip: '192.0.2.12', port: 40002, v4: 0xc000020c }, b: { ip: '192.0.2.13', port: 40003, v4: 0xc000020d } },
];

const FLAGS = ['S', 'SA', 'A', 'A', 'PA', 'PA', 'FA', 'R', 'RA', 'SAR'] as const;
const ISNS = [1000, 70_000, 2 ** 32 - 5];
const DTS = [0.0005, 0.001, 0.5, 130, 4000, -2];

const step = fc.record({
  tuple: fc.nat(TUPLES.length - 1),
  fromA: fc.boolean(),
  flags: fc.constantFrom(...FLAGS),
  isn: fc.nat(ISNS.length - 1),
  offset: fc.integer({ min: -2, max: 40 }),
  ackIsn: fc.nat(ISNS.length - 1),
  ackOffset: fc.integer({ min: -1, max: 40 }),
  length: fc.constantFrom(0, 0, 1, 5, 12),
  dt: fc.nat(DTS.length - 1),
  zeroWindow: fc.boolean(),
  options: fc.option(fc.record({ mss: fc.option(fc.integer({ min: 536, max: 9000 }), { nil: undefined }), windowScale: fc.option(fc.nat(14), { nil: undefined }), sackPermitted: fc.boolean() }), { nil: undefined }),
});

function letters(flags: string): number {
  let f = 0;
  for (const ch of flags) f |= { S: TcpFlag.SYN, A: TcpFlag.ACK, F: TcpFlag.FIN, R: TcpFlag.RST, P: TcpFlag.PSH }[ch as 'S']!;
  return f;
}

type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

function segments(steps: Step[]): TcpSegment[] {
  let time = 1_700_000_000;
  return steps.map((s, i) => {
    time += DTS[s.dt]!;
    const t = TUPLES[s.tuple]!;
    const [src, dst] = s.fromA ? [t.a, t.b] : [t.b, t.a];
    const flags = letters(s.flags);
    const payload = Buffer.from('abcdefghijkl'.slice(0, (flags & TcpFlag.PSH) !== 0 ? Math.max(1, s.length) : s.length), 'latin1');
    const seg: TcpSegment = {
      frame: i + 1,
      time,
      ipVersion: t.ipVersion,
      src: src.ip,
      dst: dst.ip,
      srcPort: src.port,
      dstPort: dst.port,
      seq: (ISNS[s.isn]! + s.offset) >>> 0,
      ack: (flags & TcpFlag.ACK) !== 0 ? (ISNS[s.ackIsn]! + s.ackOffset) >>> 0 : 0,
      flags,
      window: s.zeroWindow ? 0 : 65535,
      options: s.options ?? {},
      payload,
      payloadLength: payload.length,
    };
    if (src.v4 !== undefined) seg.srcV4 = src.v4;
    if (dst.v4 !== undefined) seg.dstV4 = dst.v4;
    return seg;
  });
}

/** Everything a tracker tells its consumers and returns, by connection, and the order connections closed in. */
function run(segs: TcpSegment[], dormant: boolean, limits: TrackerOptions['limits']) {
  const transcripts = new Map<number, Recorder>();
  const closes: { id: number; conn: Connection }[] = [];
  const tracker = new ConnectionTracker({
    dormant,
    limits,
    idleTimeout: 120,
    closedLinger: 60,
    open: (conn) => {
      const r = new Recorder();
      r.stopAfter = conn.id % 2 === 0 ? { client: 6 } : {};
      transcripts.set(conn.id, r);
      const consumer: StreamConsumer = {
        data: (from, data, offset, frame) => r.data(from, data, offset, frame),
        gap: (from, offset, length, frame) => r.gap(from, offset, length, frame),
        event: (e: TcpEvent) => r.event(e),
        wants: (side) => r.wants(side),
        // A deep copy of the Connection as the consumer sees it when it closes.
        close: () => closes.push({ id: conn.id, conn: structuredClone(conn) }),
      };
      return consumer;
    },
  });
  for (const s of segs) tracker.segment(s);
  const connections = tracker.finish();
  return { connections, closes, transcripts: [...transcripts].sort((x, y) => x[0] - y[0]), stats: { ...tracker.stats }, dormant: tracker.dormant };
}

describe('ConnectionTracker: dormancy changes nothing that is reported', () => {
  test.prop([fc.array(step, { minLength: 1, maxLength: 60 }), fc.boolean()], { numRuns: 400 })(
    'connections, events, delivered bytes and the order of closing',
    (steps, tight) => {
      const segs = segments(steps);
      // Tight limits: evictions (2 open at once), silence (past 1 open, 1000 s), few closed kept.
      const limits = tight ? { maxOpenConnections: 2, silentAbove: 1, maxSilence: 1000, maxClosedConnections: 1 } : undefined;
      const asleep = run(segs, true, limits);
      const awake = run(segs, false, limits);
      expect(asleep.dormant).toBe(0);
      expect(asleep.stats).toEqual(awake.stats);
      expect(asleep.closes).toEqual(awake.closes);
      expect(asleep.connections).toEqual(awake.connections);
      expect(asleep.transcripts).toEqual(awake.transcripts);
    },
  );
});

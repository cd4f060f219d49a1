import { ownedCopy } from '../capture/bytes.js';
import { TcpFlag, type TcpOptions, type TcpSegment } from '../net/types.js';
import { DEFAULT_SERVER_PORTS, WELL_KNOWN_PORT_LIMIT } from './ports.js';
import { ActivityQueue } from './activity-queue.js';
import { NO_SLOT, SleeperTable, type SleeperRecord } from './sleepers.js';
import type { Connection, PerSide, Side, SideTcpFacts, StreamConsumer, TcpEvent } from './types.js';
import { DEFAULT_CLOSED_LINGER, DEFAULT_IDLE_TIMEOUT, DEFAULT_LIMITS, type TrackerLimits } from './limits.js';
import { acknowledgesSyn, knowsIsn, MAX_ISNS, MAX_SKIPPED, SideState, type HeldRange } from './side-state.js';
import { ConnState, type Awake } from './conn-state.js';
import { addressKey, flowHash, ipv4Text } from './flow-hash.js';
import {
  DORMANT_SEGMENTS,
  LOGGED_BITS,
  LOGGED_FIELDS,
  LoggedBit,
  loggedBits,
  loggedMss,
  LoggedSegment,
  NO_OPTIONS,
  NOTHING_LOGGED,
  ROLE_SHIFT,
  ROLES_BY,
  WINDOW_SCALE_SHIFT,
} from './dormant-log.js';

export { DEFAULT_CLOSED_LINGER, DEFAULT_IDLE_TIMEOUT, DEFAULT_LIMITS, type TrackerLimits } from './limits.js';
export { flowHash } from './flow-hash.js';

/**
 * How far (bytes) a sequence or acknowledgement number may lie beyond what we know of a stream and still be
 * believed. 2^30 is the largest window TCP can advertise (65535 << 14); anything further is not this stream.
 */
const SEQUENCE_PLAUSIBLE = 2 ** 30;

/** Buckets of the connection table at the start (a power of two; see ConnectionTracker.buckets). */
const FIRST_BUCKETS = 1024;

export interface TrackerOptions {
  /**
   * Called once per connection, with its Connection, before any of its bytes or events are handed out: when it
   * first carries a byte, a FIN or an RST, or is closed without (a dormant connection: see `dormant`). Returns
   * who receives its byte streams (or null: only count).
   */
  open?: (conn: Connection) => StreamConsumer | null;
  /** Server ports to decide roles when no SYN was captured. Defaults to DEFAULT_SERVER_PORTS. */
  serverPorts?: ReadonlySet<number>;
  limits?: Partial<TrackerLimits>;
  /** Seconds of silence after which a SYN with a new ISN starts a new connection even without FIN/RST. */
  idleTimeout?: number;
  /**
   * Seconds (of capture time) a closed connection (RST, or FIN both ways) is kept after its last packet, for the
   * late ones (final ACK, retransmitted FIN, a repeated SYN): then it is closed for its consumer and forgotten.
   * Later packets of its 4-tuple start a new connection. Default DEFAULT_CLOSED_LINGER.
   */
  closedLinger?: number;
  /**
   * Keep every Connection for `finish()` to return (default true). False: a connection is forgotten once its
   * consumer's close() ran, so memory stays bounded by the open connections however many the capture holds;
   * `finish()` then returns none.
   */
  keepClosed?: boolean;
  /**
   * Keep connections that have carried no byte, FIN or RST yet as a compact record until they do or are closed
   * (default true; see ConnState): a SYN flood then costs under a hundred bytes per open connection, not kilobytes.
   * What is reported is the same either way; false is for the tests that check so.
   */
  dormant?: boolean;
}

export interface TrackerStats {
  /** Segments handed to `segment()`. */
  segments: number;
  /** Connections created (= the last id). */
  connections: number;
  /** Connections closed because `maxOpenConnections` was reached. */
  evicted: number;
  /**
   * Connections closed before the capture's end after `maxSilence` seconds without a packet, or closed by one
   * side only and silent for `halfClosedSilence` (of these, `ConnectionTracker.silencedHalfClosed`).
   */
  silenced: number;
  /** Times a buffer cap (bytes or ranges held, per side or in all) forced holes to be skipped as gaps. */
  capHits: number;
  /** Connections ended because a new SYN (new ISN) reused their 4-tuple. */
  portReuses: number;
  /** Connections currently tracked. */
  open: number;
  /** Out-of-order payload bytes held right now over all connections. */
  bufferedBytes: number;
}

const newFacts = (): SideTcpFacts => ({
  mss: null,
  windowScale: null,
  sackPermitted: false,
  largestSegment: 0,
  ackedByPeer: 0,
});

const perSide = <T>(v: T): PerSide<T> => ({ client: v, server: v });

/** The half-closed connections are looked at every this share of `halfClosedSilence` (closeHalfClosed): every 10 s by default. */
const HALF_CLOSED_CHECKS_PER_SILENCE = 30;

/**
 * Follows TCP connections through a capture: decides client and server, reassembles each direction into an
 * in-order byte stream for a StreamConsumer, and counts what happened (retransmissions, gaps, FIN/RST, …).
 *
 * Sequence numbers are compared modulo 2^32 everywhere; stream offsets are plain numbers (no wrap).
 */
export class ConnectionTracker {
  readonly stats: TrackerStats = {
    segments: 0,
    connections: 0,
    evicted: 0,
    silenced: 0,
    capHits: 0,
    portReuses: 0,
    open: 0,
    bufferedBytes: 0,
  };

  private readonly limits: TrackerLimits;
  private readonly serverPorts: ReadonlySet<number>;
  private readonly idleTimeout: number;
  private readonly openConsumer: ((conn: Connection) => StreamConsumer | null) | undefined;
  /**
   * Open connections by a hash of their 4-tuple, the same both ways (a number: no string is built per packet), in
   * bucket `hash & bucketMask`, chained through `nextInBucket`. A plain array rather than a Map: the lookup of
   * every packet reads one element and then the connection, where a Map's goes through its bucket, its entry and
   * then the value, three places in memory mostly not in cache between two packets of a connection. Doubled when
   * the connections outnumber the buckets.
   */
  private buckets: Array<ConnState | null> = new Array<ConnState | null>(FIRST_BUCKETS).fill(null);
  private bucketMask = FIRST_BUCKETS - 1;
  private openCount = 0;
  /**
   * Open connections asleep after their first segment (IPv4 ones, addresses given as numbers), out of the heap:
   * a flood of SYNs costs 70 bytes a connection (see rouse). Counted in openCount and dormantCount.
   */
  private readonly sleepers = new SleeperTable();
  /** What a sleeper is read into and written from (one object, refilled). */
  private readonly sleeper: SleeperRecord = { hash: 0, clientKey: 0, clientPort: 0, serverKey: 0, serverPort: 0, id: 0, meta: 0, frame: 0, time: 0, seq: 0, ack: 0, mss: 0 };
  /** Every open connection, least recently active first; sleepers by their slot. */
  private readonly active = new ActivityQueue<ConnState>((slot, index) => this.sleepers.setQueueIndex(slot, index));
  /** The closed ones (RST, or FIN both ways), least recently active first: retired after `closedLinger`. */
  private closedOldest: ConnState | null = null;
  /** Connections closed by FIN on one side only, in the order of that FIN (see closeHalfClosed). */
  private readonly halfClosed = new Set<ConnState>();
  /** The capture's time at which closeHalfClosed looks at them next. */
  private halfClosedCheck = -Infinity;
  /** Of `stats.silenced`, the connections closed by one side only (closeHalfClosed). */
  silencedHalfClosed = 0;

  /** Connections open that one side has closed with FIN and the other not: what closeHalfClosed looks at. */
  get halfClosedOpen(): number {
    return this.halfClosed.size;
  }
  private closedNewest: ConnState | null = null;
  private closedCount = 0;
  private readonly closedLinger: number;
  /** Latest capture time seen (timestamps can step back). */
  private now = -Infinity;
  /** The time of the segment before this one (see the silence clock in `segment`). */
  private previousTime = -Infinity;
  private readonly connections: Connection[] = [];
  private readonly keepClosed: boolean;
  private readonly dormantAllowed: boolean;
  /** Connections open and dormant (see ConnState). */
  private dormantCount = 0;
  /** What a waking connection's logged segments are handed to the per-segment code in. */
  private readonly logged = new LoggedSegment();

  constructor(opts: TrackerOptions = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.serverPorts = opts.serverPorts ?? DEFAULT_SERVER_PORTS;
    this.idleTimeout = opts.idleTimeout ?? DEFAULT_IDLE_TIMEOUT;
    this.openConsumer = opts.open;
    this.keepClosed = opts.keepClosed ?? true;
    this.closedLinger = opts.closedLinger ?? DEFAULT_CLOSED_LINGER;
    this.dormantAllowed = opts.dormant ?? true;
  }

  /** Connections open now that are dormant: no Connection, per-side state or consumer made yet (see ConnState). */
  get dormant(): number {
    return this.dormantCount;
  }

  /** One segment, in capture order. */
  segment(seg: TcpSegment): void {
    const stats = this.stats;
    stats.segments++;
    if (seg.time > this.now) this.now = seg.time;
    if (this.closedOldest !== null) this.retireClosed();
    // Silence is measured on the earlier of this segment's time and the previous one's: one packet with a wrong
    // timestamp (imap2.pcap's second frame says 2063) does not silence every connection open.
    const silenceClock = seg.time < this.previousTime ? seg.time : this.previousTime;
    this.previousTime = seg.time;
    if (this.openCount > this.limits.silentAbove && this.oldestEnd() < silenceClock - this.limits.maxSilence) this.closeSilent(silenceClock);
    if (silenceClock >= this.halfClosedCheck && this.halfClosed.size > 0) this.closeHalfClosed(silenceClock);
    const ipVersion = seg.ipVersion;
    const srcKey = addressKey(seg.srcV4, seg.srcV4 === undefined ? seg.src : '', ipVersion);
    const dstKey = addressKey(seg.dstV4, seg.dstV4 === undefined ? seg.dst : '', ipVersion);
    const hash = flowHash(srcKey, seg.srcPort, dstKey, seg.dstPort);
    const flags = seg.flags;
    const syn = (flags & TcpFlag.SYN) !== 0;

    let st = this.find(hash, seg, srcKey, dstKey);
    if (st === null && ipVersion === 4 && this.sleepers.size > 0) {
      const slot = this.sleepers.find(hash, srcKey, seg.srcPort, dstKey, seg.dstPort);
      if (slot !== NO_SLOT) st = this.rouse(slot);
    }
    if (st !== null && syn && this.startsNewConnection(st, seg)) {
      stats.portReuses++;
      this.close(st, seg.frame, seg.time);
      this.remove(st);
      st = null;
    }
    if (st === null) {
      st = this.create(hash, srcKey, dstKey, seg);
      // Dormant (or asleep in the table: null), it logged this segment.
      if (st === null || st.log !== null) return;
    } else {
      if (!this.active.isNewest(st)) this.active.push(st);
      if (st.inClosed && st !== this.closedNewest) this.touchClosed(st);
      if (st.log !== null) {
        if (this.staysDormant(st.log, seg)) {
          this.logSegment(st, st.log, seg, srcKey);
          return;
        }
        this.wake(st);
      }
    }
    this.follow(st as Awake, seg, srcKey);
  }

  /** One segment of an awake connection: what it tells of the connection, and its payload for the consumer. */
  private follow(st: Awake, seg: TcpSegment, srcKey: number): void {
    const flags = seg.flags;
    const syn = (flags & TcpFlag.SYN) !== 0;
    const conn = st.conn;
    const from: Side =
      seg.srcPort === st.clientPort && srcKey === st.clientKey && (seg.ipVersion === 4 || seg.src === conn.client.ip) ? 'client' : 'server';
    const to: Side = from === 'client' ? 'server' : 'client';
    const me = from === 'client' ? st.client : st.server;
    const peer = from === 'client' ? st.server : st.client;

    me.packets++;
    st.lastFrame = seg.frame;
    // Timestamps can go backwards (several interfaces, clock steps): the end is the latest time seen.
    if (seg.time > st.end) st.end = seg.time;
    const wireLength = seg.payloadLength;
    if (wireLength > me.largestSegment) me.largestSegment = wireLength;

    const ackFlag = (flags & TcpFlag.ACK) !== 0;
    const rst = (flags & TcpFlag.RST) !== 0;
    const fin = (flags & TcpFlag.FIN) !== 0;

    // A SYN/ACK that does not acknowledge the captured SYN answers another SYN: a copy of the connection seen
    // through a sequence-translating middlebox (mercury/capture2.pcap). Neither its ISN nor its ACK is this
    // connection's; the segments that follow it are strays (see below).
    if (syn && ackFlag && from === 'server' && peer.synSeen && !acknowledgesSyn(peer, seg.ack)) {
      this.event(st, 'syn-ack', from, seg);
      return;
    }

    // SYN and SYN/ACK: they fix the ISNs.
    let synRepeated = false;
    if (syn) synRepeated = this.onSyn(st, seg, from, me, peer, ackFlag);
    if (!me.started && !syn) this.startMidStream(conn, from, me, seg.seq);
    if (ackFlag && !peer.started) peer.peerAckHint = seg.ack;
    // SYN/ACKs with several ISNs: the server's first segment after them, or the client's acknowledgement,
    // says which one the connection went on with.
    if (!syn && me.severalIsns && me.untouched()) {
      const isn = (seg.seq - 1) >>> 0;
      if (isn !== me.isn && me.isns.includes(isn)) me.rebase(isn);
    }
    if (ackFlag && peer.severalIsns && peer.untouched()) {
      const isn = (seg.ack - 1) >>> 0;
      if (isn !== peer.isn && peer.isns.includes(isn)) peer.rebase(isn);
    }

    if (rst) {
      this.markClosed(st);
      conn.rst[from] = true;
      this.event(st, 'rst', from, seg);
      if (ackFlag) this.onAck(st, to, peer, seg);
      // After a reset neither side retransmits: whatever is still missing is a gap now.
      this.flush(st, 'client', seg.frame, seg.time);
      this.flush(st, 'server', seg.frame, seg.time);
      return;
    }

    if (seg.window === 0) {
      conn.zeroWindows[from]++;
      this.event(st, 'zero-window', from, seg);
    }

    // Payload and FIN.
    const start = me.offsetOf(seg.seq) + (syn ? 1 : 0);
    if (start + wireLength - me.highOffset > SEQUENCE_PLAUSIBLE || me.nextOffset - start > SEQUENCE_PLAUSIBLE) {
      // Further from this stream than TCP could have in flight: not part of it (forged, or a stray segment).
      // Counted as a packet, nothing else; unless it repeats a SYN/ACK of another ISN this side offered.
      if (synRepeated) {
        conn.retransmissions[from]++;
        this.event(st, 'retransmission', from, seg, -1, wireLength);
        if (ackFlag) this.onAck(st, to, peer, seg);
      } else if (wireLength > 0 || fin) {
        const strays = (conn.strays ??= perSide(0));
        strays[from]++;
      }
      // Any other stray's acknowledgement is not for this stream either (it would add a phantom gap).
      return;
    }
    // The acknowledgement first: it is for bytes the peer sent before this segment, so peer bytes it releases
    // (held behind a hole it shows was never captured) go to the consumer before this segment's payload.
    if (ackFlag) this.onAck(st, to, peer, seg);
    const captured = seg.payloadCaptured ?? seg.payload.length;
    if (wireLength > captured) {
      this.event(st, 'snaplen-cut', from, seg, start + captured, wireLength - captured);
    }
    let newBytes = 0;
    let createdHole = false;
    if (wireLength > 0) {
      if (me.wanted && st.consumer?.wants !== undefined && !st.consumer.wants(from)) this.unwant(me);
      createdHole = start > me.highOffset;
      newBytes = this.onPayload(st, from, me, seg, start);
      me.bytes += newBytes;
    }
    let finRepeated = false;
    if (fin) {
      const finOffset = start + wireLength;
      if (!me.finSeen) {
        me.finSeen = true;
        me.finOffset = finOffset;
        conn.fin[from] = true;
        if (conn.fin[to]) this.markClosed(st);
        else if (!st.closed) this.halfClosed.add(st);
        this.event(st, 'fin', from, seg, finOffset);
      } else if (finOffset === me.finOffset) {
        finRepeated = true;
      }
    }

    // What kind of segment was it? Only segments that occupy sequence space can be retransmissions.
    if (wireLength > 0 || syn || fin) {
      const isKeepAlive = wireLength === 1 && !syn && !fin && start === me.highOffset - 1 && newBytes === 0;
      if (
        newBytes === 0 &&
        !isKeepAlive &&
        (!syn || synRepeated) &&
        (!fin || finRepeated) &&
        (wireLength > 0 || syn || fin)
      ) {
        conn.retransmissions[from]++;
        this.event(st, 'retransmission', from, seg, start, wireLength);
      } else if (newBytes > 0 && newBytes < wireLength) {
        const overlaps = (conn.overlaps ??= perSide(0));
        overlaps[from]++;
      }
      if (createdHole && newBytes > 0) {
        conn.outOfOrder[from]++;
        this.event(st, 'out-of-order', from, seg, start, wireLength);
      }
    }

    // Both calls guarded by what they check first: passing the time (a double) to a function not inlined here
    // allocates a number for it, three per segment with the one in onAck.
    if (wireLength > 0) {
      if (me.ackedPastHole()) this.skipAckedHoles(st, from, me, seg.frame, seg.time);
      if (this.overBufferCaps(me)) this.enforceBufferCaps(st, from, me, seg.frame, seg.time);
    }
  }

  /** Closes every connection and returns all connections seen, in id order. */
  finish(): Connection[] {
    // Each let go before it is closed (forgetAndClose): what closing makes (a report) does not pile up beside the
    // state of every connection still open (16,000 half-open ones held 90 MB by the last one's report). Once
    // all are forgotten the table, the queue and the closed list are empty.
    for (let st = this.oldestState(); st !== null; st = this.oldestState()) this.forgetAndClose(st);
    // In id order: a connection's Connection is made when it wakes (see ConnState), not when it is first seen.
    return this.connections.slice().sort((a, b) => a.id - b.id);
  }

  // ---- connections ---------------------------------------------------------------------------------------

  /** A SYN on a known 4-tuple: is it a new connection (port reuse) rather than a retransmission? */
  private startsNewConnection(ct: ConnState, seg: TcpSegment): boolean {
    const idle = seg.time - ct.end > this.idleTimeout;
    if (!ct.closed && !idle) return false;
    const st = this.awake(ct);
    const conn = st.conn;
    const fromClient = seg.srcPort === conn.client.port && seg.src === conn.client.ip;
    const synAck = (seg.flags & TcpFlag.ACK) !== 0;
    if (!synAck) {
      // A SYN from the old server is a new connection with the roles turned round; from the old client it
      // is one unless it repeats the old ISN.
      return !fromClient || !knowsIsn(st.client, seg.seq);
    }
    // A SYN/ACK: it belongs to the old connection if it answers the client ISN we know (retransmitted SYN after
    // a reset, or a clock jump) and does not bring a server ISN other than the one(s) we know.
    if (fromClient) return true;
    if (st.client.isnKnown) {
      if (!knowsIsn(st.client, (seg.ack - 1) >>> 0)) return true;
      return st.server.isnKnown && !knowsIsn(st.server, seg.seq);
    }
    return !knowsIsn(st.server, seg.seq);
  }

  // ---- the table ------------------------------------------------------------------------------------------

  /** The open connection of this segment's 4-tuple (either way round), or null. */
  private find(hash: number, seg: TcpSegment, srcKey: number, dstKey: number): ConnState | null {
    for (let st = this.buckets[hash & this.bucketMask] as ConnState | null; st !== null; st = st.nextInBucket) {
      if (st.hash !== hash || st.ipVersion !== seg.ipVersion) continue;
      // IPv4 keys are the addresses; IPv6 keys are hashes, so the text decides.
      const exact = seg.ipVersion === 4;
      if (
        seg.srcPort === st.clientPort &&
        seg.dstPort === st.serverPort &&
        srcKey === st.clientKey &&
        dstKey === st.serverKey &&
        (exact || (seg.src === st.clientIp && seg.dst === st.serverIp))
      ) {
        return st;
      }
      if (
        seg.srcPort === st.serverPort &&
        seg.dstPort === st.clientPort &&
        srcKey === st.serverKey &&
        dstKey === st.clientKey &&
        (exact || (seg.src === st.serverIp && seg.dst === st.clientIp))
      ) {
        return st;
      }
    }
    return null;
  }

  private insert(st: ConnState): void {
    this.linkInBucket(st);
    this.openCount++;
    if (this.openCount - this.sleepers.size > this.buckets.length) this.growBuckets();
    this.active.push(st);
  }

  /** Forget a connection (the caller closes it). */
  private remove(st: ConnState): void {
    if (this.halfClosed.size > 0) this.halfClosed.delete(st);
    const at = st.hash & this.bucketMask;
    const head = this.buckets[at] as ConnState | null;
    if (head === st) {
      this.buckets[at] = st.nextInBucket;
    } else {
      for (let p = head; p !== null; p = p.nextInBucket) {
        if (p.nextInBucket === st) {
          p.nextInBucket = st.nextInBucket;
          break;
        }
      }
    }
    st.nextInBucket = null;
    this.openCount--;
    this.stats.open = this.openCount;
    this.active.remove(st);
    if (st.inClosed) this.unlinkClosed(st);
  }

  /** Twice the buckets, the chains re-sorted. Never shrunk: at most the power of two above maxOpenConnections. */
  private growBuckets(): void {
    const old = this.buckets;
    const size = old.length * 2;
    this.buckets = new Array<ConnState | null>(size).fill(null);
    this.bucketMask = size - 1;
    for (let i = 0; i < old.length; i++) {
      for (let st = old[i] as ConnState | null; st !== null; ) {
        const next = st.nextInBucket;
        this.linkInBucket(st);
        st = next;
      }
    }
  }

  /** At the head of its bucket's chain. */
  private linkInBucket(st: ConnState): void {
    const at = st.hash & this.bucketMask;
    st.nextInBucket = this.buckets[at] as ConnState | null;
    this.buckets[at] = st;
  }

  private linkClosed(st: ConnState): void {
    st.inClosed = true;
    st.closedOlder = this.closedNewest;
    st.closedNewer = null;
    if (this.closedNewest !== null) this.closedNewest.closedNewer = st;
    else this.closedOldest = st;
    this.closedNewest = st;
    this.closedCount++;
  }

  private unlinkClosed(st: ConnState): void {
    if (st.closedOlder !== null) st.closedOlder.closedNewer = st.closedNewer;
    else this.closedOldest = st.closedNewer;
    if (st.closedNewer !== null) st.closedNewer.closedOlder = st.closedOlder;
    else this.closedNewest = st.closedOlder;
    st.closedOlder = st.closedNewer = null;
    st.inClosed = false;
    this.closedCount--;
  }

  private touchClosed(st: ConnState): void {
    this.unlinkClosed(st);
    this.linkClosed(st);
  }

  private markClosed(st: Awake): void {
    st.closed = true;
    // Not half-closed any more: let go now, not at the next look (a busy capture closes thousands in between).
    if (this.halfClosed.size > 0) this.halfClosed.delete(st);
    if (!st.inClosed) this.linkClosed(st);
  }

  /**
   * Connections closed (RST, or FIN both ways) and silent for `closedLinger` seconds, or the longest silent
   * beyond `maxClosedConnections`, are done: closed for their consumer and forgotten (with keepClosed false,
   * entirely), so memory follows the connections open at once.
   */
  private retireClosed(): void {
    const before = this.now - this.closedLinger;
    const max = this.limits.maxClosedConnections;
    for (let st = this.closedOldest; st !== null && (st.end < before || this.closedCount > max); st = this.closedOldest) {
      this.forgetAndClose(st);
    }
  }

  /** Forget a connection, then close it as of its own last packet (retired, silent, or at the capture's end). */
  private forgetAndClose(st: ConnState): void {
    this.remove(st);
    this.close(st, st.lastFrame, st.end);
  }

  /**
   * A new connection of this segment's 4-tuple: dormant when the segment may be logged (see ConnState), awake
   * otherwise. Null when it sleeps in the table (see sleepers).
   */
  private create(hash: number, srcKey: number, dstKey: number, seg: TcpSegment): ConnState | null {
    const syn = (seg.flags & TcpFlag.SYN) !== 0;
    const ack = (seg.flags & TcpFlag.ACK) !== 0;
    let clientIsSource: boolean;
    let roleBy: Connection['roleBy'];
    if (syn) {
      clientIsSource = !ack;
      roleBy = 'syn';
    } else {
      const srcKnown = this.serverPorts.has(seg.srcPort);
      const dstKnown = this.serverPorts.has(seg.dstPort);
      if (srcKnown || dstKnown) {
        roleBy = 'port';
        clientIsSource = srcKnown && dstKnown ? seg.srcPort > seg.dstPort : dstKnown;
      } else if (Math.min(seg.srcPort, seg.dstPort) < WELL_KNOWN_PORT_LIMIT && seg.srcPort !== seg.dstPort) {
        roleBy = 'port';
        clientIsSource = seg.srcPort > seg.dstPort;
      } else {
        roleBy = 'first-sender';
        clientIsSource = true;
      }
    }
    const v4 = seg.ipVersion === 4;
    const src = { key: srcKey, port: seg.srcPort, ip: v4 && seg.srcV4 !== undefined ? null : seg.src };
    const dst = { key: dstKey, port: seg.dstPort, ip: v4 && seg.dstV4 !== undefined ? null : seg.dst };
    const id = ++this.stats.connections;
    const dormant = this.dormantAllowed && this.staysDormant(null, seg);
    if (dormant && src.ip === null && dst.ip === null) {
      this.sleep(clientIsSource ? src : dst, clientIsSource ? dst : src, id, roleBy, hash, seg, srcKey);
      return null;
    }
    const st = new ConnState(id, roleBy, hash, seg.ipVersion, clientIsSource ? src : dst, clientIsSource ? dst : src, seg.frame, seg.time, dormant ? NOTHING_LOGGED : null);
    if (dormant) {
      this.dormantCount++;
      this.logSegment(st, st.log!, seg, srcKey);
    } else {
      this.awaken(st, seg.frame, seg.time);
    }
    if (this.openCount >= this.limits.maxOpenConnections) this.evictOldest(seg.frame, seg.time);
    this.insert(st);
    this.stats.open = this.openCount;
    return st;
  }

  /** A new connection asleep in the table (see sleepers): what create does with a ConnState, in the same order. */
  private sleep(
    client: { key: number; port: number },
    server: { key: number; port: number },
    id: number,
    roleBy: Connection['roleBy'],
    hash: number,
    seg: TcpSegment,
    srcKey: number,
  ): void {
    this.dormantCount++;
    if (this.openCount >= this.limits.maxOpenConnections) this.evictOldest(seg.frame, seg.time);
    const r = this.sleeper;
    r.hash = hash;
    r.clientKey = client.key;
    r.clientPort = client.port;
    r.serverKey = server.key;
    r.serverPort = server.port;
    r.id = id;
    // Which side sent it, decided as logSegment decides it (a connection from an endpoint to itself: the client).
    const fromClient = seg.srcPort === client.port && srcKey === client.key;
    r.meta = loggedBits(seg, fromClient) | (ROLES_BY.indexOf(roleBy) << ROLE_SHIFT);
    r.frame = seg.frame;
    r.time = seg.time;
    r.seq = seg.seq;
    r.ack = seg.ack;
    r.mss = loggedMss(seg);
    const slot = this.sleepers.add(r);
    this.sleepers.setQueueIndex(slot, this.active.pushSlot(slot));
    this.openCount++;
    this.stats.open = this.openCount;
  }

  /**
   * A sleeper made the dormant ConnState it stands for, as if it had been one from its first segment: in the
   * connection table, in its place in the queue by activity, its one segment logged.
   */
  private rouse(slot: number): ConnState {
    const r = this.sleepers.read(slot, this.sleeper);
    const st = new ConnState(
      r.id,
      ROLES_BY[r.meta >>> ROLE_SHIFT]!,
      r.hash,
      4,
      { key: r.clientKey, port: r.clientPort, ip: null },
      { key: r.serverKey, port: r.serverPort, ip: null },
      r.frame,
      r.time,
      [r.frame, r.time, r.seq, r.ack, r.meta & LOGGED_BITS, r.mss],
    );
    this.active.replace(this.sleepers.queueIndex(slot), st);
    this.sleepers.remove(slot);
    this.linkInBucket(st);
    if (this.openCount - this.sleepers.size > this.buckets.length) this.growBuckets();
    return st;
  }

  /** The least recently active open connection (a sleeper roused), or null. */
  private oldestState(): ConnState | null {
    const oldest = this.active.oldest();
    return typeof oldest === 'number' ? this.rouse(oldest) : oldest;
  }

  /** The last activity of the least recently active open connection (there is one). */
  private oldestEnd(): number {
    const oldest = this.active.oldest()!;
    return typeof oldest === 'number' ? this.sleepers.time(oldest) : oldest.end;
  }

  /**
   * Whether a dormant connection (`log`: its segments so far; null: a new one) stays dormant with this segment:
   * it carries no byte, FIN or RST (those need the full state: what a report says of them, closing) and the log
   * has room.
   */
  private staysDormant(log: readonly number[] | null, seg: TcpSegment): boolean {
    return (
      seg.payloadLength === 0 &&
      (seg.flags & (TcpFlag.FIN | TcpFlag.RST)) === 0 &&
      (log === null || log.length < DORMANT_SEGMENTS * LOGGED_FIELDS)
    );
  }

  /** A dormant connection's segment, as the few numbers the per-segment code will read of it when it wakes. */
  private logSegment(st: ConnState, log: readonly number[], seg: TcpSegment, srcKey: number): void {
    st.lastFrame = seg.frame;
    if (seg.time > st.end) st.end = seg.time;
    // Which side sent it, decided as `follow` decides it.
    const fromClient = seg.srcPort === st.clientPort && srcKey === st.clientKey && (seg.ipVersion === 4 || seg.src === st.clientIp);
    const bits = loggedBits(seg, fromClient);
    const mss = loggedMss(seg);
    const at = log.length;
    if (at === 0) {
      st.log = [seg.frame, seg.time, seg.seq, seg.ack, bits, mss];
      return;
    }
    // An array of the exact length (push would leave room for 16 more numbers, most never used).
    const grown = new Array<number>(at + LOGGED_FIELDS);
    for (let i = 0; i < at; i++) grown[i] = log[i]!;
    grown[at] = seg.frame;
    grown[at + 1] = seg.time;
    grown[at + 2] = seg.seq;
    grown[at + 3] = seg.ack;
    grown[at + 4] = bits;
    grown[at + 5] = mss;
    st.log = grown;
  }

  /**
   * Wake a dormant connection: its Connection, sides and consumer are made, and its logged segments go through
   * the per-segment code in order, as they would have when they came.
   */
  private wake(st: ConnState): Awake {
    const log = st.log!;
    st.log = null;
    this.dormantCount--;
    const awake = this.awaken(st, log[0]!, log[1]!);
    const seg = this.logged;
    const clientIp = awake.conn.client.ip;
    const serverIp = awake.conn.server.ip;
    seg.ipVersion = st.ipVersion as 4 | 6;
    for (let i = 0; i < log.length; i += LOGGED_FIELDS) {
      const bits = log[i + 4]!;
      const fromClient = (bits & LoggedBit.FROM_CLIENT) !== 0;
      seg.frame = log[i]!;
      seg.time = log[i + 1]!;
      seg.seq = log[i + 2]!;
      seg.ack = log[i + 3]!;
      seg.flags = bits & 255;
      seg.window = (bits & LoggedBit.ZERO_WINDOW) !== 0 ? 0 : 1;
      seg.src = fromClient ? clientIp : serverIp;
      seg.dst = fromClient ? serverIp : clientIp;
      seg.srcPort = fromClient ? st.clientPort : st.serverPort;
      seg.dstPort = fromClient ? st.serverPort : st.clientPort;
      const mss = log[i + 5]!;
      if (mss === 0 && (bits & (LoggedBit.SACK_PERMITTED | LoggedBit.WINDOW_SCALE)) === 0) {
        seg.options = NO_OPTIONS;
      } else {
        const options: TcpOptions = {};
        if (mss !== 0) options.mss = mss - 1;
        if ((bits & LoggedBit.WINDOW_SCALE) !== 0) options.windowScale = (bits >>> WINDOW_SCALE_SHIFT) & 255;
        if ((bits & LoggedBit.SACK_PERMITTED) !== 0) options.sackPermitted = true;
        seg.options = options;
      }
      this.follow(awake, seg, fromClient ? st.clientKey : st.serverKey);
    }
    return awake;
  }

  /** A connection's state, woken first if it is dormant. */
  private awake(st: ConnState): Awake {
    return st.log === null ? (st as Awake) : this.wake(st);
  }

  /** Makes a connection's Connection (its first frame at `firstFrame`, `start`), consumer and per-side state. */
  private awaken(st: ConnState, firstFrame: number, start: number): Awake {
    const conn: Connection = {
      id: st.id,
      client: { ip: st.clientIp ?? ipv4Text(st.clientKey), port: st.clientPort },
      server: { ip: st.serverIp ?? ipv4Text(st.serverKey), port: st.serverPort },
      roleBy: st.roleBy,
      firstFrame,
      lastFrame: firstFrame,
      start,
      end: start,
      syn: false,
      packets: perSide(0),
      bytes: perSide(0),
      fin: perSide(false),
      rst: perSide(false),
      retransmissions: perSide(0),
      outOfOrder: perSide(0),
      zeroWindows: perSide(0),
      gaps: perSide(0),
      handshakeRtt: null,
      facts: { client: newFacts(), server: newFacts() },
      events: [],
      eventsDropped: 0,
    };
    if (this.keepClosed) this.connections.push(conn);
    const consumer = this.openConsumer ? (this.openConsumer(conn) ?? null) : null;
    st.conn = conn;
    st.consumer = consumer;
    st.client = new SideState(consumer !== null);
    st.server = new SideState(consumer !== null);
    return st as Awake;
  }

  /** Closes and forgets the connections silent for longer than `maxSilence` (the least recently active first; see silentAbove). */
  private closeSilent(clock: number): void {
    const before = clock - this.limits.maxSilence;
    for (let st = this.oldestState(); st !== null && st.end < before; st = this.oldestState()) this.silence(st, this.limits.maxSilence);
  }

  /** Closes and forgets a connection for `seconds` without a packet; its note says so (Connection.silenced). */
  private silence(st: ConnState, seconds: number): void {
    this.stats.silenced++;
    this.awake(st).conn.silenced = seconds;
    this.forgetAndClose(st);
  }

  /**
   * Closes and forgets the connections closed by FIN on one side only and silent for `halfClosedSilence` (see
   * TrackerLimits), once more than `halfClosedAbove` are open. The set holds only the connections open and closed
   * by one side: markClosed and remove let go of the others at once. Looked at every thirtieth of
   * `halfClosedSilence` on the capture's clock (10 s by default), not per segment: a few thousand at most each time.
   */
  private closeHalfClosed(clock: number): void {
    this.halfClosedCheck = clock + this.limits.halfClosedSilence / HALF_CLOSED_CHECKS_PER_SILENCE;
    const before = clock - this.limits.halfClosedSilence;
    if (this.openCount <= this.limits.halfClosedAbove) return;
    for (const st of this.halfClosed) {
      if (st.end >= before) continue;
      this.silencedHalfClosed++;
      this.silence(st, this.limits.halfClosedSilence);
    }
  }

  /** Closes and forgets the least recently active connection. */
  private evictOldest(frame: number, time: number): void {
    const st = this.oldestState();
    if (st === null) return;
    this.remove(st);
    this.stats.evicted++;
    this.awake(st).conn.evicted = true;
    this.close(st, frame, time);
  }

  /** No more segments for this connection: skip remaining holes, hand out what is held, tell the consumer. */
  private close(ct: ConnState, frame: number, time: number): void {
    const st = this.awake(ct);
    this.flush(st, 'client', frame, time);
    this.flush(st, 'server', frame, time);
    this.closeTrailingHole(st, 'client', frame, time);
    this.closeTrailingHole(st, 'server', frame, time);
    this.finalAckedByPeer(st.client);
    this.finalAckedByPeer(st.server);
    this.publish(st);
    st.consumer?.close?.();
  }

  /** Bring the Connection's counters kept in the tracker's state up to date (SideState.packets). */
  private publish(st: Awake): void {
    const conn = st.conn;
    conn.lastFrame = st.lastFrame;
    conn.end = st.end;
    for (const side of ['client', 'server'] as const) {
      const s = st[side];
      conn.packets[side] = s.packets;
      conn.bytes[side] = s.bytes;
      conn.facts[side].largestSegment = s.largestSegment;
      conn.facts[side].ackedByPeer = s.ackedByPeer;
      if (s.ackedByPeer > 0) conn.facts[side].ackedByPeerAt = { frame: s.ackedByPeerFrame, time: s.ackedByPeerTime };
    }
  }

  // ---- handshake -------------------------------------------------------------------------------------------

  /** Returns whether this SYN (or SYN/ACK) repeats one already seen (same ISN). */
  private onSyn(st: Awake, seg: TcpSegment, from: Side, me: SideState, peer: SideState, ack: boolean): boolean {
    const conn = st.conn;
    const seq = seg.seq >>> 0;
    // Like tshark's initial RTT, the handshake RTT runs from the most recent SYN.
    if (!ack && from === 'client') st.synTime = seg.time;
    if (me.synSeen && me.isns.includes(seq)) return true;
    const kind = ack ? 'syn-ack' : 'syn';
    const sameIsn = me.isnKnown && me.isn === seq;
    if (!sameIsn && !me.untouched()) {
      // Another ISN after this side's data flowed, on a connection that is neither closed nor idle: not
      // believable as a restart; note it and keep the stream as it is. (Before any data, e.g. after a stray
      // pure ACK started the side mid-stream, the SYN wins.)
      this.event(st, kind, from, seg);
      return false;
    }
    const facts = conn.facts[from];
    if (!sameIsn) {
      // First SYN of this side, or a new ISN before any data (a server answering again with another ISN).
      me.rebase(seq);
      facts.streamStart = 'syn';
    }
    // (sameIsn here: the client's SYN after its SYN/ACK, which already fixed the ISN.)
    if (me.isns.length < MAX_ISNS) me.severalIsns = me.isns.push(seq) > 1;
    me.synSeen = true;
    const o = seg.options;
    if (o.mss !== undefined) facts.mss = o.mss;
    if (o.windowScale !== undefined) facts.windowScale = o.windowScale;
    if (o.sackPermitted) facts.sackPermitted = true;
    if (!ack) {
      if (from === 'client') conn.syn = true;
    } else {
      if (from === 'server') st.synAckSeen = st.synTime >= 0;
      // The SYN/ACK acknowledges the client's ISN: the client's stream starts there even if its SYN was missed.
      if (!peer.isnKnown && peer.untouched()) {
        peer.rebase((seg.ack - 1) >>> 0);
        conn.facts[from === 'client' ? 'server' : 'client'].streamStart = 'syn-ack';
      }
    }
    this.event(st, kind, from, seg);
    return false;
  }

  /**
   * First segment of a side whose SYN was not seen. Offset 0 is this segment's seq, unless the peer already
   * acknowledged an earlier point of this stream (within reason): then the stream starts at that point and the
   * bytes in between are a hole, filled if they show up, a gap if not.
   */
  private startMidStream(conn: Connection, from: Side, me: SideState, seq: number): void {
    const hint = me.peerAckHint;
    const behind = hint === null ? 0 : (seq - hint) | 0;
    if (hint !== null && behind > 0 && behind <= this.limits.maxBufferedPerSide) {
      me.startAt(hint);
      conn.facts[from].streamStart = 'peer-ack';
    } else {
      me.startAt(seq);
      conn.facts[from].streamStart = 'first-segment';
    }
  }

  /** An acknowledgement from the other side for `side`'s stream. */
  private onAck(st: Awake, side: Side, s: SideState, seg: TcpSegment): void {
    if (!s.started) return;
    const acked = s.offsetOf(seg.ack);
    // Ignore acknowledgements that cannot belong to this stream (forged, or another incarnation of the ports).
    if (acked - s.highOffset > SEQUENCE_PLAUSIBLE || acked < -1) return;
    if (acked > s.ackedTo) {
      s.ackedTo = acked;
      const bytes = s.finSeen && acked > s.finOffset ? s.finOffset : acked;
      if (bytes > s.ackedByPeer) {
        s.ackedByPeer = bytes;
        s.ackedByPeerFrame = seg.frame;
        s.ackedByPeerTime = seg.time;
      }
    }
    // The handshake RTT: SYN → SYN/ACK → the client's ACK of the SYN/ACK.
    if (
      side === 'server' &&
      acked === 0 &&
      st.synAckSeen &&
      st.conn.handshakeRtt === null &&
      (seg.flags & (TcpFlag.SYN | TcpFlag.RST)) === 0
    ) {
      st.conn.handshakeRtt = seg.time - st.synTime;
    }
    if (s.ackedPastHole()) this.skipAckedHoles(st, side, s, seg.frame, seg.time);
  }

  // ---- reassembly ------------------------------------------------------------------------------------------

  /**
   * Places a segment's payload in `side`'s stream. Bytes already seen are dropped (first copy wins); new bytes
   * are delivered if they continue the stream, held otherwise. Returns how many bytes were new.
   */
  private onPayload(st: Awake, from: Side, s: SideState, seg: TcpSegment, start: number): number {
    const wireLength = seg.payloadLength;
    const end = start + wireLength;
    const captured = seg.payloadCaptured ?? seg.payload.length;
    const capturedEnd = start + Math.min(captured, wireLength);
    // Bytes behind the delivery point were seen, unless they fall in a range already skipped as a gap: those
    // arrive late. They are new (counted, not a retransmission) but cannot be delivered any more.
    let newBytes = start < s.nextOffset && s.skipped.length > 0 ? this.lateBytes(st, from, s, start, end) : 0;
    let cursor = start > s.nextOffset ? start : s.nextOffset;
    let i = 0;
    while (cursor < end) {
      // Skip held ranges that end before the cursor.
      const held = s.held;
      while (i < held.length && held[i].end <= cursor) i++;
      const next = i < held.length ? held[i] : null;
      if (next !== null && next.start <= cursor) {
        // Overlap with a held range: the first copy wins; note when the two copies differ.
        const overlapEnd = next.end < end ? next.end : end;
        if (next.data !== null && cursor < capturedEnd) {
          const cmpEnd = overlapEnd < capturedEnd ? overlapEnd : capturedEnd;
          if (
            seg.payload.compare(next.data, cursor - next.start, cmpEnd - next.start, cursor - start, cmpEnd - start) !== 0
          ) {
            const conflicts = (st.conn.conflicts ??= perSide(0));
            conflicts[from]++;
          }
        }
        cursor = overlapEnd;
        continue;
      }
      const pieceEnd = next !== null && next.start < end ? next.start : end;
      newBytes += pieceEnd - cursor;
      this.place(st, from, s, seg, start, cursor, pieceEnd, capturedEnd);
      // Delivery may have handed out held ranges after the piece: everything before the delivery point is seen.
      cursor = pieceEnd > s.nextOffset ? pieceEnd : s.nextOffset;
      i = 0;
    }
    if (end > s.highOffset) s.highOffset = end;
    return newBytes;
  }

  /** Bytes of [start, end) inside remembered gap ranges: counted as late once, then no longer a hole. */
  private lateBytes(st: Awake, side: Side, s: SideState, start: number, end: number): number {
    const sk = s.skipped;
    const limit = end < s.nextOffset ? end : s.nextOffset;
    let late = 0;
    for (let i = 0; i < sk.length; i += 2) {
      const a = sk[i] > start ? sk[i] : start;
      const b = sk[i + 1] < limit ? sk[i + 1] : limit;
      if (a >= b) continue;
      late += b - a;
      // Keep what remains of the range on either side of [a, b).
      const tail = sk[i + 1];
      if (a > sk[i]) {
        sk[i + 1] = a;
        if (b < tail) sk.splice(i + 2, 0, b, tail);
      } else if (b < tail) {
        sk[i] = b;
      } else {
        sk.splice(i, 2);
        i -= 2;
      }
    }
    if (late > 0) {
      const lateCount = (st.conn.late ??= perSide(0));
      lateCount[side] += late;
    }
    while (sk.length > MAX_SKIPPED * 2) sk.splice(0, 2);
    return late;
  }

  /** New bytes [from, to) of a segment whose payload starts at `segStart`; captured up to `capturedEnd`. */
  private place(
    st: Awake,
    side: Side,
    s: SideState,
    seg: TcpSegment,
    segStart: number,
    from: number,
    to: number,
    capturedEnd: number,
  ): void {
    const dataEnd = to < capturedEnd ? to : capturedEnd;
    if (from === s.nextOffset) {
      if (from < dataEnd) {
        // Bytes nobody wants are only counted: the payload's view is not even built.
        if (s.wanted && st.consumer !== null) this.deliver(st, side, s, seg.payload, from - segStart, dataEnd - from, seg.frame, seg.time);
        else s.advance(dataEnd - from);
      }
      if (dataEnd < to) {
        const gapStart = from > dataEnd ? from : dataEnd;
        this.gap(st, side, s, gapStart, to - gapStart, seg.frame, seg.time, true);
      }
      this.drain(st, side, s, seg.frame, seg.time);
      return;
    }
    if (from < dataEnd) {
      const data = s.wanted ? ownedCopy(seg.payload.subarray(from - segStart, dataEnd - segStart)) : null;
      this.hold(s, { start: from, end: dataEnd, data, missing: false, frame: seg.frame, time: seg.time });
    }
    if (dataEnd < to) {
      const gapStart = from > dataEnd ? from : dataEnd;
      this.hold(s, { start: gapStart, end: to, data: null, missing: true, frame: seg.frame, time: seg.time });
    }
  }

  private hold(s: SideState, r: HeldRange): void {
    const held = s.held;
    // After the last range that starts at or before r.start (binary search: segments arriving in reverse order
    // would make a scan from the end quadratic in the ranges held).
    let lo = 0;
    let hi = held.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (held[mid].start > r.start) hi = mid;
      else lo = mid + 1;
    }
    held.splice(lo, 0, r);
    if (r.data !== null) {
      s.heldBytes += r.data.length;
      this.stats.bufferedBytes += r.data.length;
    }
  }

  /**
   * Hands out held ranges that now continue the stream. Each is handed out as of the later of its own frame and
   * the frame that made it continue the stream: `frame` when a segment just filled the hole before it, but only
   * its own frame after a gap (`afterGap`): nothing that came later completed those bytes (tshark reports a
   * message after a lost segment on the frame that carried it, too).
   */
  private drain(st: Awake, side: Side, s: SideState, frame: number, time: number, afterGap = false): void {
    const held = s.held;
    if (afterGap) frame = -1;
    while (held.length > 0 && held[0].start <= s.nextOffset) {
      const r = held.shift()!;
      if (r.data !== null) {
        s.heldBytes -= r.data.length;
        this.stats.bufferedBytes -= r.data.length;
      }
      if (r.frame > frame) {
        frame = r.frame;
        time = r.time;
      }
      if (r.end <= s.nextOffset) continue;
      const skip = s.nextOffset - r.start;
      const length = r.end - s.nextOffset;
      if (r.missing) this.gap(st, side, s, s.nextOffset, length, frame, time, true);
      else if (r.data !== null) this.deliver(st, side, s, r.data, skip, length, frame, time);
      else s.advance(length);
    }
  }

  private deliver(
    st: Awake,
    side: Side,
    s: SideState,
    buf: Buffer,
    at: number,
    length: number,
    frame: number,
    time: number,
  ): void {
    const offset = s.nextOffset;
    s.advance(length);
    if (!s.wanted || st.consumer === null) return;
    st.consumer.data(side, at === 0 && length === buf.length ? buf : buf.subarray(at, at + length), offset, frame, time);
    if (st.consumer.wants !== undefined && !st.consumer.wants(side)) this.unwant(s);
  }

  /**
   * Skips `length` never-captured bytes at the delivery point. `cut`: they are the tail of a segment snaplen
   * cut (seen on the wire and counted); otherwise no segment carried them, and they are remembered in case
   * they turn up late.
   */
  private gap(
    st: Awake,
    side: Side,
    s: SideState,
    offset: number,
    length: number,
    frame: number,
    time: number,
    cut = false,
  ): void {
    if (length <= 0) return;
    s.advance(length);
    st.conn.gaps[side] += length;
    if (!cut) {
      const sk = s.skipped;
      if (sk.length > 0 && sk[sk.length - 1] === offset) {
        sk[sk.length - 1] = offset + length;
      } else {
        if (sk.length >= MAX_SKIPPED * 2) sk.splice(0, 2);
        sk.push(offset, offset + length);
      }
    }
    this.record(st, { kind: 'gap', from: side, frame, time, offset, length });
    if (s.wanted && st.consumer !== null) st.consumer.gap(side, offset, length, frame, time);
  }

  /** Holes the peer has acknowledged will never be filled (the sender will not resend them): skip them. */
  private skipAckedHoles(st: Awake, side: Side, s: SideState, frame: number, time: number): void {
    const held = s.held;
    while (s.ackedPastHole()) {
      const first = held[0];
      const holeEnd = first.start < s.ackedTo ? first.start : s.ackedTo;
      this.gap(st, side, s, s.nextOffset, holeEnd - s.nextOffset, frame, time);
      this.drain(st, side, s, frame, time, true);
      if (holeEnd < first.start) break;
    }
  }

  /** Skips every hole that still has held bytes after it and hands those out. */
  private flush(st: Awake, side: Side, frame: number, time: number): void {
    const s = side === 'client' ? st.client : st.server;
    while (s.held.length > 0) {
      this.gap(st, side, s, s.nextOffset, s.held[0].start - s.nextOffset, frame, time);
      this.drain(st, side, s, frame, time, true);
    }
  }

  /**
   * At close: bytes the peer acknowledged beyond everything seen were sent but not captured, a gap at the end.
   * One sequence number past the end with no FIN seen is taken as the uncaptured FIN, not a byte.
   */
  private closeTrailingHole(st: Awake, side: Side, frame: number, time: number): void {
    const s = side === 'client' ? st.client : st.server;
    if (!s.started || s.ackedTo <= s.nextOffset) return;
    let end = s.ackedTo;
    if (s.finSeen) end = Math.min(end, s.finOffset);
    else if (end === s.nextOffset + 1) return;
    this.gap(st, side, s, s.nextOffset, end - s.nextOffset, frame, time);
  }

  private finalAckedByPeer(s: SideState): void {
    // An acknowledgement one past the end with no FIN captured covered the FIN, not a byte.
    if (!s.finSeen && s.ackedByPeer === s.nextOffset + 1 && s.held.length === 0) s.ackedByPeer = s.nextOffset;
  }

  /** The consumer no longer wants this side: drop held bytes but keep the ranges so counting goes on. */
  private unwant(s: SideState): void {
    s.wanted = false;
    for (const r of s.held) r.data = null;
    this.stats.bufferedBytes -= s.heldBytes;
    s.heldBytes = 0;
  }

  /** Bytes or ranges held past a cap: this side's, or all sides' bytes. */
  private overBufferCaps(s: SideState): boolean {
    const l = this.limits;
    return s.heldBytes > l.maxBufferedPerSide || s.held.length > l.maxRangesPerSide || this.stats.bufferedBytes > l.maxBufferedTotal;
  }

  /** Call when overBufferCaps. */
  private enforceBufferCaps(st: Awake, side: Side, s: SideState, frame: number, time: number): void {
    this.stats.capHits++;
    const capped = (st.conn.capped ??= perSide(0));
    capped[side]++;
    while (s.held.length > 0 && this.overBufferCaps(s)) {
      this.gap(st, side, s, s.nextOffset, s.held[0].start - s.nextOffset, frame, time);
      this.drain(st, side, s, frame, time, true);
    }
  }

  // ---- events ----------------------------------------------------------------------------------------------

  private event(st: Awake, kind: TcpEvent['kind'], from: Side, seg: TcpSegment, offset?: number, length?: number): void {
    const ev: TcpEvent = { kind, from, frame: seg.frame, time: seg.time };
    if (offset !== undefined) ev.offset = offset;
    if (length !== undefined) ev.length = length;
    this.record(st, ev);
  }

  private record(st: Awake, ev: TcpEvent): void {
    const conn = st.conn;
    if (conn.events.length < this.limits.maxEventsPerConnection) conn.events.push(ev);
    else conn.eventsDropped++;
    st.consumer?.event?.(ev);
  }
}

import type { SideState } from './side-state.js';
import type { Connection, StreamConsumer } from './types.js';

/**
 * Per-connection tracking state; dropped once the connection is closed so only the Connection stays.
 *
 * A connection is dormant until it carries a byte (or a FIN or RST, or more segments than DORMANT_SEGMENTS): it
 * then has no Connection, no per-side state and no consumer, only this object and `log`, the few numbers of
 * each of its segments. A SYN flood or a scan is millions of such connections, and the full state was 2–3 KB
 * each, a consumer's included: 100,000 open at once (maxOpenConnections) took 300 MB. When it wakes (its first
 * byte, FIN or RST, or when it is closed, evicted or silenced) the Connection, the sides and the consumer are
 * made and its logged segments go through the per-segment code as they would have when they came: what it
 * reports is the same as if it had never slept. Before even this object, an IPv4 connection with one segment
 * logged is a record in the tracker's SleeperTable (68 bytes, off the heap), made this object by `rouse`.
 */
export class ConnState {
  // What the lookup reads first, then what every segment reads, then the rest (see SideState).
  /** Where the tracker's table finds it: the 4-tuple's hash and the two addresses' keys (see addressKey). */
  readonly hash: number;
  readonly ipVersion: number;
  /** The endpoints' ports, here too: the lookup then reads this object only. */
  readonly clientPort: number;
  readonly serverPort: number;
  readonly clientKey: number;
  readonly serverKey: number;
  /** Another connection whose 4-tuple has the same hash. */
  nextInBucket: ConnState | null = null;
  /** While dormant: its segments, LOGGED_FIELDS numbers each (see logSegment); null once awake. */
  log: readonly number[] | null;
  /** Null while dormant (see `log`); set for good when it wakes. */
  conn: Connection | null = null;
  client: SideState | null = null;
  server: SideState | null = null;
  consumer: StreamConsumer | null = null;
  /** The Connection's lastFrame and end, kept here as they change (see SideState.packets). */
  lastFrame: number;
  end: number;
  /** Its place in the tracker's queue by last activity (ActivityQueue). */
  queueIndex = -1;
  /** Connection ended by RST, or FIN seen both ways. */
  closed = false;
  inClosed = false;
  /** For the handshake RTT: time of the latest client SYN, and whether a SYN/ACK answered it. */
  synTime = -1;
  synAckSeen = false;
  /** Neighbours in the list of closed connections by last activity (inClosed: whether it is in it). */
  closedOlder: ConnState | null = null;
  closedNewer: ConnState | null = null;
  /** What its Connection is made with (Connection.id and roleBy). */
  readonly id: number;
  readonly roleBy: Connection['roleBy'];
  /**
   * The addresses' text, or null for an IPv4 address the capture reader gave as a number too (Segment.srcV4):
   * its text is then made from the key when the Connection is (a flood's client addresses are each a string of
   * their own otherwise).
   */
  readonly clientIp: string | null;
  readonly serverIp: string | null;

  constructor(
    id: number,
    roleBy: Connection['roleBy'],
    hash: number,
    ipVersion: number,
    client: { key: number; port: number; ip: string | null },
    server: { key: number; port: number; ip: string | null },
    frame: number,
    time: number,
    log: readonly number[] | null,
  ) {
    this.id = id;
    this.roleBy = roleBy;
    this.hash = hash;
    this.ipVersion = ipVersion;
    this.clientKey = client.key;
    this.serverKey = server.key;
    this.clientPort = client.port;
    this.serverPort = server.port;
    this.clientIp = client.ip;
    this.serverIp = server.ip;
    this.lastFrame = frame;
    this.end = time;
    this.log = log;
  }
}

/** A connection's state once awake: its Connection and both sides are there. */
export type Awake = ConnState & { conn: Connection; client: SideState; server: SideState; log: null };

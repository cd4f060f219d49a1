/** Which end of a connection sent something. The client is the side that sent the SYN. */
export type Side = 'client' | 'server';

export interface Endpoint {
  ip: string;
  port: number;
}

/** Something that happened on the TCP level, in capture order. */
export interface TcpEvent {
  kind:
    | 'syn'
    | 'syn-ack'
    | 'fin'
    | 'rst'
    /** A segment whose bytes were all seen before. */
    | 'retransmission'
    /** A segment that arrived before bytes that precede it. */
    | 'out-of-order'
    /** Bytes that were never captured: delivery skipped `length` bytes at `seq`. */
    | 'gap'
    | 'zero-window'
    /** A segment whose payload was cut by snaplen. */
    | 'snaplen-cut';
  from: Side;
  frame: number;
  time: number;
  /** Offset in the sender's byte stream (0 = first payload byte after the SYN), when it applies. */
  offset?: number;
  /** Payload bytes concerned, when it applies. */
  length?: number;
}

/** Per-side counters: `{ client: n, server: n }`. */
export interface PerSide<T> {
  client: T;
  server: T;
}

export interface SideTcpFacts {
  /** MSS option from this side's SYN or SYN/ACK. */
  mss: number | null;
  windowScale: number | null;
  sackPermitted: boolean;
  /** Largest TCP payload this side sent in one segment. */
  largestSegment: number;
  /** Bytes of this side's stream (offset) that the other side has acknowledged. */
  ackedByPeer: number;
  /** The frame and time of the acknowledgement that brought ackedByPeer to its value; absent while it is 0. */
  ackedByPeerAt?: { frame: number; time: number };
  /**
   * Where offset 0 of this side's stream came from: 'syn' its own SYN; 'syn-ack' (client only) the server's
   * SYN/ACK acknowledging it; 'peer-ack' no SYN, the peer had acknowledged up to there before this side's first
   * captured segment (bytes between are a hole); 'first-segment' no SYN, the first captured segment (the stream
   * may start mid-way). Absent while the side has sent nothing.
   */
  streamStart?: 'syn' | 'syn-ack' | 'peer-ack' | 'first-segment';
}

/**
 * One TCP connection. Built by the tracker; its counters are complete once the tracker has closed it (when its
 * consumer's `close` runs, and in what `finish` returns): packets, bytes, largest segment, bytes acknowledged, last frame and end
 * are brought up to date then, the rest as frames arrive.
 * `id` is 1-based in order of the connection's first frame, as `streams`/`analyze` number them.
 */
export interface Connection {
  id: number;
  client: Endpoint;
  server: Endpoint;
  /** How the client/server roles were decided. */
  roleBy: 'syn' | 'port' | 'first-sender';
  firstFrame: number;
  lastFrame: number;
  start: number;
  end: number;
  /** Whether the connection's SYN was captured. */
  syn: boolean;
  packets: PerSide<number>;
  /** TCP payload bytes, counted once (retransmitted bytes not counted again). */
  bytes: PerSide<number>;
  fin: PerSide<boolean>;
  rst: PerSide<boolean>;
  retransmissions: PerSide<number>;
  outOfOrder: PerSide<number>;
  zeroWindows: PerSide<number>;
  /** Bytes never captured, per sender. */
  gaps: PerSide<number>;
  /** Segments that carried both already-seen and new bytes (the new ones were used). Absent when none. */
  overlaps?: PerSide<number>;
  /**
   * Segments whose overlap with bytes still held out of order differed from the first copy (which won).
   * Bytes already handed to the consumer are not kept, so overlaps with them are not compared. Absent when none.
   */
  conflicts?: PerSide<number>;
  /**
   * Bytes that turned up after delivery had already skipped them as a gap (a late or spurious retransmission
   * of bytes the capture missed the first time). Counted in `bytes` and still in `gaps`; not delivered. Absent
   * when none.
   */
  late?: PerSide<number>;
  /**
   * Times a buffer cap (TrackerLimits: bytes or ranges held out of order, per side or in all) made the tracker
   * skip holes as gaps instead of waiting for them to be filled. Absent when never.
   */
  capped?: PerSide<number>;
  /**
   * Segments with payload or FIN whose sequence number lies further from the stream than TCP could have in flight
   * (2^30 bytes): forged or stray, counted as packets and otherwise ignored. Absent when none.
   */
  strays?: PerSide<number>;
  /** Closed early because TrackerLimits.maxOpenConnections were open at once; its later packets start a new one. */
  evicted?: boolean;
  /** Closed before the capture's end after this many seconds without a packet (TrackerLimits.maxSilence). */
  silenced?: number;
  /** RTT between SYN/ACK and the client's ACK... measured from the handshake, in seconds; null without a 3-way handshake. */
  handshakeRtt: number | null;
  facts: PerSide<SideTcpFacts>;
  /** TCP events in capture order (bounded: see `eventsDropped`). */
  events: TcpEvent[];
  eventsDropped: number;
}

/**
 * Receives one connection's in-order byte streams. Created by the tracker's `open` callback when a
 * connection is first seen.
 */
export interface StreamConsumer {
  /**
   * In-order bytes from one side. `offset` is the position of data[0] in that side's stream.
   * `frame`/`time` are those of the frame whose arrival made these bytes available in order.
   * `data` is only valid during the call.
   */
  data(from: Side, data: Buffer, offset: number, frame: number, time: number): void;
  /** `length` bytes at `offset` were never captured; delivery goes on after them. */
  gap(from: Side, offset: number, length: number, frame: number, time: number): void;
  /** Every TCP event, as it is recorded on the connection. */
  event?(event: TcpEvent): void;
  /** Return false once this side's bytes are no longer needed: the tracker stops buffering them. */
  wants?(from: Side): boolean;
  /** The connection will get no more data (capture ended, or a new SYN reused its ports). */
  close?(): void;
}

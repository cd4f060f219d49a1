/** Per-side reassembly state of the connection tracker: one direction's stream, its held ranges and ISNs. */

/** SideState.ackedTo before any acknowledgement: below every offset an acknowledgement can have (the SYN's, -1). */
export const NOT_ACKNOWLEDGED = -2;

/** Distinct ISNs remembered per side (see SideState.isns). */
export const MAX_ISNS = 8;

/** Skipped (gap) ranges remembered per side, to recognise bytes that turn up after their hole was skipped. */
export const MAX_SKIPPED = 16;

/**
 * A range of one side's stream, held because bytes before it are missing. `data` null: the bytes were seen but
 * are not kept (nobody wants them) or, with `missing`, they were never captured (snaplen cut).
 */
export interface HeldRange {
  start: number;
  end: number;
  data: Buffer | null;
  missing: boolean;
  /** The segment that carried it: after a gap its bytes are handed out as of that frame, not the one that skipped the gap. */
  frame: number;
  time: number;
}

/** Reassembly state of one direction. Offsets are stream offsets (0 = first payload byte; SYN is -1). */
export class SideState {
  // The fields every segment reads come first, in as few cache lines as the object allows: V8 lays fields out in
  // the order they are declared. Numbers stay small integers where they can (a field that ever holds a fraction,
  // an infinity or an unsigned 32-bit number above 2^31 holds every value in an object of its own: one more
  // place in memory to fetch at each read).
  /** Whether offset 0 is fixed. */
  started = false;
  /** isns.length > 1, read for every segment (the array would be one more object to fetch from memory). */
  severalIsns = false;
  /** Whether the consumer still wants this side's bytes. */
  wanted: boolean;
  finSeen = false;
  /** Delivery point: every byte before it was delivered or skipped as a gap. */
  nextOffset = 0;
  /** The sequence number of nextOffset, as a signed 32-bit number (see offsetOf). */
  nextSeq = 0;
  /** End of the highest sequence range seen (>= nextOffset). */
  highOffset = 0;
  /** Highest offset of this side's stream acknowledged by the peer (may include the FIN's sequence number). */
  ackedTo = NOT_ACKNOWLEDGED;
  held: HeldRange[] = [];
  /**
   * The Connection's per-side counters that change with every segment, kept here (an object every segment
   * touches anyway) and copied to the Connection when it is closed (ConnectionTracker.publish): fewer cache
   * misses per packet than incrementing the Connection's own objects.
   */
  packets = 0;
  bytes = 0;
  largestSegment = 0;
  /** SideTcpFacts.ackedByPeer. */
  ackedByPeer = 0;
  /** The frame and time of the acknowledgement that last raised ackedByPeer (SideTcpFacts.ackedByPeerAt). */
  ackedByPeerFrame = 0;
  ackedByPeerTime = 0;
  finOffset = 0;
  /** ISN, when it comes from a SYN (or from the SYN/ACK's acknowledgement for the client). */
  isn = 0;
  isnKnown = false;
  synSeen = false;
  /** Every ISN this side's SYNs carried (bounded): a server may answer one SYN with SYN/ACKs of several ISNs. */
  isns: number[] = [];
  /** Latest acknowledgement the peer sent before this side had started (hint for where offset 0 is). */
  peerAckHint: number | null = null;
  heldBytes = 0;
  /** The latest ranges skipped as gaps, as [start, end) pairs, oldest first (at most MAX_SKIPPED). */
  skipped: number[] = [];

  constructor(wanted: boolean) {
    this.wanted = wanted;
  }

  /** Stream offset of a 32-bit sequence number, by signed distance from the delivery point (mod 2^32). */
  offsetOf(seq: number): number {
    return this.nextOffset + ((seq - this.nextSeq) | 0);
  }

  /** Fix offset 0 at 32-bit sequence number `seq`. */
  startAt(seq: number): void {
    this.started = true;
    this.nextSeq = seq | 0;
    this.nextOffset = 0;
    this.highOffset = 0;
  }

  /** Offset 0 follows ISN `isn`. */
  rebase(isn: number): void {
    this.isn = isn;
    this.isnKnown = true;
    this.startAt((isn + 1) >>> 0);
    this.ackedTo = NOT_ACKNOWLEDGED;
  }

  /** The peer acknowledged bytes past the delivery point while ranges are held: a hole it shows was never captured. */
  ackedPastHole(): boolean {
    return this.ackedTo > this.nextOffset && this.held.length > 0;
  }

  /** Nothing of the stream seen yet (offset 0 may still move). */
  untouched(): boolean {
    return this.nextOffset === 0 && this.highOffset === 0 && this.held.length === 0;
  }

  advance(n: number): void {
    this.nextOffset += n;
    this.nextSeq = (this.nextSeq + n) | 0;
    if (this.highOffset < this.nextOffset) this.highOffset = this.nextOffset;
  }
}

/** Whether `ack` acknowledges the SYN (and any data on it) of a side whose SYN was captured. */
export function acknowledgesSyn(synSide: SideState, ack: number): boolean {
  const acked = synSide.offsetOf(ack);
  return acked >= 0 && acked <= synSide.highOffset;
}

/** Whether `isn` is (one of) the ISN(s) of this side. */
export const knowsIsn = (s: SideState, isn: number): boolean => s.isnKnown && (s.isn === isn || s.isns.includes(isn));

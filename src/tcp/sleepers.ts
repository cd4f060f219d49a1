/**
 * The tracker's connections asleep after one segment, in typed arrays: a SYN flood or a scan is millions of
 * connections of one SYN each, and as objects (a ConnState, its log array and the numbers they box) each took
 * about 360 bytes; here one is 64 bytes in columns and 4 in the hash table, none of it on the JavaScript heap
 * the garbage collector walks.
 *
 * Only what an IPv4 connection's first segment leaves is kept: its 4-tuple (addresses as numbers), its id and how
 * its roles were decided, and the segment's numbers as the tracker logs them. A second segment, or closing it,
 * turns the record back into the object it stands for (ConnectionTracker.rouse); what it reports is the same.
 */

/** Slots at the start; doubled when full. */
const FIRST_CAPACITY = 1024;

/** No slot (end of a chain, nothing found). */
export const NO_SLOT = -1;

/** A record: the 4-tuple as the tracker's table keys it, then the logged segment (see ConnectionTracker.logSegment). */
export interface SleeperRecord {
  /** flowHash of the 4-tuple. */
  hash: number;
  clientKey: number;
  clientPort: number;
  serverKey: number;
  serverPort: number;
  id: number;
  /** The logged segment's bits and how the roles were decided, as the tracker packs them. */
  meta: number;
  frame: number;
  time: number;
  /** Unsigned 32-bit sequence and acknowledgement numbers. */
  seq: number;
  ack: number;
  /** The MSS option plus one (0: none). */
  mss: number;
}

/**
 * Records by the hash of their 4-tuple, the same both ways (chained hash table over the columns; free slots are
 * chained through the same column). Memory: 68 bytes a slot, the slots doubling as needed, never shrinking:
 * at most the power of two above the connections open at once.
 */
export class SleeperTable {
  private capacity = 0;
  private count = 0;
  private freeHead = NO_SLOT;
  private hashes = new Int32Array(0);
  private clientKeys = new Int32Array(0);
  private serverKeys = new Int32Array(0);
  /** Client port in the high 16 bits, server port in the low. */
  private ports = new Int32Array(0);
  private metas = new Int32Array(0);
  private mssPlusOne = new Int32Array(0);
  private seqs = new Uint32Array(0);
  private acks = new Uint32Array(0);
  private ids = new Float64Array(0);
  private frames = new Float64Array(0);
  private times = new Float64Array(0);
  /** Where each record is in the tracker's ActivityQueue (see queueIndex). */
  private queueIndexes = new Int32Array(0);
  /** Next record in the same bucket, or next free slot. */
  private next = new Int32Array(0);
  /** First slot of each bucket (hash & mask); as many buckets as slots. */
  private buckets = new Int32Array(0);

  constructor() {
    this.grow(FIRST_CAPACITY);
  }

  get size(): number {
    return this.count;
  }

  /** The slot of the record of this 4-tuple, either way round, or NO_SLOT. */
  find(hash: number, srcKey: number, srcPort: number, dstKey: number, dstPort: number): number {
    const forward = (srcPort << 16) | dstPort;
    const backward = (dstPort << 16) | srcPort;
    for (let slot = this.buckets[hash & (this.capacity - 1)]!; slot !== NO_SLOT; slot = this.next[slot]!) {
      if (this.hashes[slot] !== hash) continue;
      const ports = this.ports[slot];
      const c = this.clientKeys[slot];
      const s = this.serverKeys[slot];
      if ((ports === forward && c === srcKey && s === dstKey) || (ports === backward && c === dstKey && s === srcKey)) return slot;
    }
    return NO_SLOT;
  }

  /** Keeps a record; returns its slot. */
  add(r: SleeperRecord): number {
    if (this.freeHead === NO_SLOT) this.grow(this.capacity * 2);
    const slot = this.freeHead;
    this.freeHead = this.next[slot]!;
    this.hashes[slot] = r.hash;
    this.clientKeys[slot] = r.clientKey;
    this.serverKeys[slot] = r.serverKey;
    this.ports[slot] = (r.clientPort << 16) | r.serverPort;
    this.metas[slot] = r.meta;
    this.mssPlusOne[slot] = r.mss;
    this.seqs[slot] = r.seq;
    this.acks[slot] = r.ack;
    this.ids[slot] = r.id;
    this.frames[slot] = r.frame;
    this.times[slot] = r.time;
    const at = r.hash & (this.capacity - 1);
    this.next[slot] = this.buckets[at]!;
    this.buckets[at] = slot;
    this.count++;
    return slot;
  }

  /** The record in `slot`, into `into` (one object, refilled). */
  read(slot: number, into: SleeperRecord): SleeperRecord {
    const ports = this.ports[slot]!;
    into.hash = this.hashes[slot]!;
    into.clientKey = this.clientKeys[slot]!;
    into.clientPort = ports >>> 16;
    into.serverKey = this.serverKeys[slot]!;
    into.serverPort = ports & 0xffff;
    into.id = this.ids[slot]!;
    into.meta = this.metas[slot]!;
    into.frame = this.frames[slot]!;
    into.time = this.times[slot]!;
    into.seq = this.seqs[slot]!;
    into.ack = this.acks[slot]!;
    into.mss = this.mssPlusOne[slot]!;
    return into;
  }

  /** Where the record is in the tracker's ActivityQueue: the tracker sets it, the table only keeps it. */
  queueIndex(slot: number): number {
    return this.queueIndexes[slot]!;
  }

  setQueueIndex(slot: number, index: number): void {
    this.queueIndexes[slot] = index;
  }

  /** The logged segment's time (the record's last activity). */
  time(slot: number): number {
    return this.times[slot]!;
  }

  /** Forgets the record in `slot`; the slot is reused. */
  remove(slot: number): void {
    const at = this.hashes[slot]! & (this.capacity - 1);
    if (this.buckets[at] === slot) {
      this.buckets[at] = this.next[slot]!;
    } else {
      for (let p = this.buckets[at]!; p !== NO_SLOT; p = this.next[p]!) {
        if (this.next[p] === slot) {
          this.next[p] = this.next[slot]!;
          break;
        }
      }
    }
    this.next[slot] = this.freeHead;
    this.freeHead = slot;
    this.count--;
  }

  /** Room for `capacity` records (a power of two): the columns copied, the chains made anew. */
  private grow(capacity: number): void {
    const old = this.capacity;
    const wider = <A extends Int32Array | Uint32Array | Float64Array>(a: A, make: new (n: number) => A): A => {
      const b = new make(capacity);
      b.set(a);
      return b;
    };
    this.hashes = wider(this.hashes, Int32Array);
    this.clientKeys = wider(this.clientKeys, Int32Array);
    this.serverKeys = wider(this.serverKeys, Int32Array);
    this.ports = wider(this.ports, Int32Array);
    this.metas = wider(this.metas, Int32Array);
    this.mssPlusOne = wider(this.mssPlusOne, Int32Array);
    this.seqs = wider(this.seqs, Uint32Array);
    this.acks = wider(this.acks, Uint32Array);
    this.ids = wider(this.ids, Float64Array);
    this.frames = wider(this.frames, Float64Array);
    this.times = wider(this.times, Float64Array);
    this.queueIndexes = wider(this.queueIndexes, Int32Array);
    this.capacity = capacity;
    // Every slot was in use (grow is called when none is free): the chains are made anew from all of them.
    this.next = new Int32Array(capacity);
    this.buckets = new Int32Array(capacity).fill(NO_SLOT);
    for (let slot = 0; slot < old; slot++) {
      const at = this.hashes[slot]! & (capacity - 1);
      this.next[slot] = this.buckets[at]!;
      this.buckets[at] = slot;
    }
    for (let slot = capacity - 1; slot >= old; slot--) {
      this.next[slot] = this.freeHead;
      this.freeHead = slot;
    }
  }
}

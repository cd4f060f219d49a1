/**
 * IP fragment reassembly (IPv4 and IPv6 share it; the caller builds the key).
 *
 * Memory is bounded by the limits: the number of datagrams pending, the bytes held in total, and the
 * fragments per datagram; the oldest pending datagram is dropped to make room. A datagram whose first
 * fragment is older (in capture time) than the timeout is dropped. Overlapping fragments are accepted
 * and the bytes that arrived first win (later copies of the same range are ignored); a fragment that
 * contradicts the datagram's known length drops the datagram.
 */
import { ownedCopy } from '../capture/bytes.js';

export interface ReassemblyLimits {
  /** Datagrams being rebuilt at once. */
  maxDatagrams: number;
  /** Fragment bytes held over all datagrams. */
  maxBytes: number;
  /** Fragments of one datagram. */
  maxFragmentsPerDatagram: number;
  /** Seconds (capture time) a datagram may wait for its missing fragments. */
  timeoutSeconds: number;
}

/** Linux's defaults are 30 s (ipfrag_time) and 4 MiB (ipfrag_high_thresh). */
export const DEFAULT_REASSEMBLY_LIMITS: ReassemblyLimits = {
  maxDatagrams: 1024,
  maxBytes: 4 * 1024 * 1024,
  maxFragmentsPerDatagram: 256,
  timeoutSeconds: 30,
};

/** Largest datagram payload IP can describe with a fragment offset (13 bits × 8) plus a 16-bit length. */
const MAX_DATAGRAM = 65535;

interface Piece {
  offset: number;
  data: Buffer;
}

interface PendingDatagram {
  firstTime: number;
  /** In arrival order. */
  pieces: Piece[];
  bytes: number;
  /** Payload length, known once the last fragment (more-fragments clear) arrived; -1 before. */
  totalLength: number;
  /** Upper-layer protocol, from the fragment at offset 0 (IPv6) or the header (IPv4). */
  protocol: number;
}

export interface Reassembled {
  payload: Buffer;
  protocol: number;
}

export type FragmentOutcome = 'pending' | 'dropped';

export class FragmentReassembler {
  private readonly pending = new Map<string, PendingDatagram>();
  private bytes = 0;

  constructor(private readonly limits: ReassemblyLimits = DEFAULT_REASSEMBLY_LIMITS) {}

  /** Datagrams waiting for fragments. */
  get pendingDatagrams(): number {
    return this.pending.size;
  }

  /** Bytes held for them. */
  get pendingBytes(): number {
    return this.bytes;
  }

  /**
   * Add one fragment (`data` is copied). `protocol` is the upper-layer protocol this fragment names,
   * or -1 when it does not know (IPv6 fragments after the first still carry one; pass it).
   * Returns the rebuilt payload when this fragment completes the datagram, else why not.
   */
  add(
    key: string,
    time: number,
    offset: number,
    moreFragments: boolean,
    data: Buffer,
    protocol: number,
  ): Reassembled | FragmentOutcome {
    this.expire(time);
    const end = offset + data.length;
    let d = this.pending.get(key);
    if (end > MAX_DATAGRAM) {
      if (d) this.drop(key, d);
      return 'dropped';
    }
    if (!d) {
      while (this.pending.size >= this.limits.maxDatagrams) this.dropOldest();
      d = { firstTime: time, pieces: [], bytes: 0, totalLength: -1, protocol };
      this.pending.set(key, d);
    }
    if (offset === 0 || d.protocol < 0) d.protocol = protocol;
    if (!moreFragments) {
      if ((d.totalLength >= 0 && d.totalLength !== end) || d.pieces.some((p) => p.offset + p.data.length > end)) {
        this.drop(key, d);
        return 'dropped';
      }
      d.totalLength = end;
    } else if (d.totalLength >= 0 && end > d.totalLength) {
      this.drop(key, d);
      return 'dropped';
    }
    if (d.pieces.length >= this.limits.maxFragmentsPerDatagram || data.length > this.limits.maxBytes) {
      this.drop(key, d);
      return 'dropped';
    }
    while (this.bytes + data.length > this.limits.maxBytes && this.pending.size > 0) {
      const oldestKey = this.pending.keys().next().value as string;
      if (oldestKey === key) break;
      this.dropOldest();
    }
    if (this.bytes + data.length > this.limits.maxBytes) {
      this.drop(key, d);
      return 'dropped';
    }
    d.pieces.push({ offset, data: ownedCopy(data) });
    d.bytes += data.length;
    this.bytes += data.length;
    if (d.totalLength < 0 || !covers(d.pieces, d.totalLength)) return 'pending';

    const payload = Buffer.alloc(d.totalLength);
    // Later arrivals first, so that earlier arrivals overwrite them: the first copy of a byte wins.
    for (let i = d.pieces.length - 1; i >= 0; i--) {
      const p = d.pieces[i];
      p.data.copy(payload, p.offset, 0, Math.min(p.data.length, d.totalLength - p.offset));
    }
    const result: Reassembled = { payload, protocol: d.protocol };
    this.drop(key, d);
    return result;
  }

  private expire(now: number): void {
    const limit = now - this.limits.timeoutSeconds;
    // Map order is arrival order of each datagram's first fragment; capture time is nearly monotonic.
    for (const [key, d] of this.pending) {
      if (d.firstTime >= limit) break;
      this.drop(key, d);
    }
  }

  private dropOldest(): void {
    const first = this.pending.entries().next();
    if (!first.done) this.drop(first.value[0], first.value[1]);
  }

  private drop(key: string, d: PendingDatagram): void {
    this.bytes -= d.bytes;
    this.pending.delete(key);
  }
}

/** Do the pieces cover [0, total) without a gap? */
function covers(pieces: Piece[], total: number): boolean {
  const sorted = pieces.slice().sort((a, b) => a.offset - b.offset);
  let covered = 0;
  for (const p of sorted) {
    if (p.offset > covered) return false;
    const end = p.offset + p.data.length;
    if (end > covered) covered = end;
    if (covered >= total) return true;
  }
  return covered >= total;
}

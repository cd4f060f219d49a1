import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * What a Spill filled in another thread hands over (`data`) for this thread's Spill to take (`adopt`): the file it
 * wrote into (made here by `Spill.file`, so that it outlives the worker thread: Node closes the files a worker
 * opened when the worker ends), or its strings where no file could be made, and where each entry is.
 */
export interface SpillData {
  fd: number | null;
  memory: string[] | null;
  offsets: number[];
  lengths: number[];
  orders: number[];
}

/** Where entries are kept: a file, or (no temporary file could be made) the strings themselves. */
type Store = { fd: number; owned: boolean } | { memory: string[] };

/**
 * Strings put aside until their turn comes, on disk: `analyze` writes a connection's part of the report as the
 * connection closes, but the report's order (capture lines first, connections by number) is known only at the
 * end. A temporary file holds the text; memory keeps about 20 bytes per entry. Where no temporary file can be
 * made, the strings stay in memory. Entries another thread put aside can be taken over (`adopt`): they are read
 * from its file, in order with the rest.
 */
export class Spill {
  /** Store 0 is where `add` writes; adopted ones follow. */
  private readonly stores: Store[];
  /** What `add` has not written out yet; once `get` has flushed it, what `get` read ahead (`window`). */
  private buffer = Buffer.allocUnsafe(1 << 20);
  private buffered = 0;
  /** Which bytes of which store `buffer` holds, read ahead by `get`; null once `add` writes into it. */
  private window: { store: number; start: number; end: number } | null = null;
  /** Bytes written to store 0 (the buffer's included). */
  private size = 0;
  /** Per entry: its store, its offset in it (index for strings), its length in bytes, its place in the output. */
  private readonly storeOf: number[] = [];
  private readonly offsets: number[] = [];
  private readonly lengths: number[] = [];
  private readonly orders: number[] = [];

  /**
   * `into`: a file made by `Spill.file` in another thread, which that thread will adopt and close (this Spill
   * writes into it and never closes it); null: its strings stay in memory.
   */
  constructor(into?: number | null) {
    if (into !== undefined) {
      this.stores = [into === null ? { memory: [] } : { fd: into, owned: false }];
      return;
    }
    const fd = Spill.file();
    this.stores = [fd === null ? { memory: [] } : { fd, owned: true }];
  }

  /**
   * A temporary file, already gone from its directory where the system allows it (the open file lives on until
   * it is closed, or the process ends however it ends: `| head`, Ctrl-C); elsewhere removed at exit. Null when
   * none can be made.
   */
  static file(): number | null {
    let dir: string;
    try {
      dir = mkdtempSync(join(tmpdir(), 'tlsdissect-'));
    } catch {
      return null;
    }
    const remove = (): void => rmSync(dir, { recursive: true, force: true });
    try {
      const fd = openSync(join(dir, 'report.tmp'), 'w+');
      try {
        remove();
      } catch {
        process.once('exit', remove);
      }
      return fd;
    } catch {
      remove();
      return null;
    }
  }

  /** Let go of a file from `Spill.file` (with what another thread put aside in it) without taking it. */
  static discard(fd: number | null): void {
    if (fd !== null) closeSync(fd);
  }

  get count(): number {
    return this.orders.length;
  }

  /** Put `text` aside, to come at `order` in the output (`inOrder`). */
  add(text: string, order: number): void {
    const store = this.stores[0]!;
    this.window = null;
    this.orders.push(order);
    this.storeOf.push(0);
    if ('memory' in store) {
      this.offsets.push(store.memory.push(text) - 1);
      this.lengths.push(0);
      return;
    }
    const bytes = Buffer.byteLength(text);
    if (this.buffered + bytes > this.buffer.length) this.flush();
    if (bytes > this.buffer.length) {
      this.writeAll(Buffer.from(text));
    } else {
      this.buffer.write(text, this.buffered);
      this.buffered += bytes;
    }
    this.offsets.push(this.size);
    this.lengths.push(bytes);
    this.size += bytes;
  }

  /** What was added here, for another thread's Spill to `adopt` (everything written out first). */
  data(): SpillData {
    this.flush();
    const store = this.stores[0]!;
    return {
      fd: 'fd' in store ? store.fd : null,
      memory: 'memory' in store ? store.memory : null,
      offsets: this.offsets,
      lengths: this.lengths,
      orders: this.orders,
    };
  }

  /** Take over the entries another thread put aside (its `data()`); their file is closed with this Spill. */
  adopt(data: SpillData): void {
    const index = this.stores.push(data.fd !== null ? { fd: data.fd, owned: true } : { memory: data.memory ?? [] }) - 1;
    for (let i = 0; i < data.orders.length; i++) {
      this.storeOf.push(index);
      this.offsets.push(data.offsets[i]!);
      this.lengths.push(data.lengths[i]!);
      this.orders.push(data.orders[i]!);
    }
  }

  /** The entries' indexes sorted by their order. */
  inOrder(): number[] {
    return this.orders.map((_, i) => i).sort((a, b) => this.orders[a]! - this.orders[b]!);
  }

  /** The order entry `index` was put aside with. */
  orderOf(index: number): number {
    return this.orders[index]!;
  }

  /** The text put aside as entry `index`. */
  get(index: number): string {
    const storeIndex = this.storeOf[index]!;
    const store = this.stores[storeIndex]!;
    if ('memory' in store) return store.memory[this.offsets[index]!]!;
    this.flush();
    const offset = this.offsets[index]!;
    const length = this.lengths[index]!;
    const w = this.window;
    if (w !== null && w.store === storeIndex && offset >= w.start && offset + length <= w.end) {
      return this.buffer.toString('utf8', offset - w.start, offset - w.start + length);
    }
    if (length > this.buffer.length) {
      const into = Buffer.allocUnsafe(length);
      this.readAt(store.fd, into, offset, length);
      return into.toString('utf8');
    }
    // Entries are mostly taken in the order they were written: read ahead a buffer's worth (one read per entry
    // was 16,000 reads for a capture of 16,000 small connections).
    const got = this.readAt(store.fd, this.buffer, offset, length);
    this.window = { store: storeIndex, start: offset, end: offset + got };
    return this.buffer.toString('utf8', 0, length);
  }

  /** Read from `offset` into `into` up to its length, at least `length` bytes; returns how many were read. */
  private readAt(fd: number, into: Buffer, offset: number, length: number): number {
    let done = 0;
    while (done < into.length) {
      const n = readSync(fd, into, done, into.length - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    if (done < length) throw new Error('the temporary report file is shorter than what was written to it');
    return done;
  }

  /** Close the temporary files this Spill owns (a file is removed once closed). */
  close(): void {
    this.flush();
    for (const store of this.stores) {
      if ('fd' in store && store.owned && store.fd >= 0) closeSync(store.fd);
    }
    this.stores.length = 0;
  }

  private flush(): void {
    if (this.buffered === 0) return;
    this.writeAll(this.buffer.subarray(0, this.buffered));
    this.buffered = 0;
  }

  private writeAll(bytes: Buffer): void {
    const store = this.stores[0]!;
    if (!('fd' in store)) return;
    let done = 0;
    while (done < bytes.length) done += writeSync(store.fd, bytes, done, bytes.length - done);
  }
}

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
  offsets: ArrayLike<number>;
  lengths: ArrayLike<number>;
  orders: ArrayLike<number>;
}

/**
 * Numbers in a typed array grown by half again when full: 8 or 4 bytes an entry, where a JS array takes 8 for
 * any number (and grows by half plus 16). `streams` puts a million entries aside for a million connections.
 */
class Column<A extends Float64Array | Uint32Array> {
  private values: A;
  length = 0;

  constructor(private readonly make: (size: number) => A) {
    this.values = make(1024);
  }

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = this.make(Math.ceil(this.values.length * 1.5));
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  at(index: number): number {
    return this.values[index]!;
  }

  /** A copy of the entries (to hand to another thread). */
  copy(): A {
    return this.values.slice(0, this.length) as A;
  }
}

const float64s = (size: number): Float64Array => new Float64Array(size);
const uint32s = (size: number): Uint32Array => new Uint32Array(size);

/**
 * Entries are read back in output order, not the order they were written (connections close in another order
 * than they opened), but near it: those of consecutive connections lie within a few MB of the file (the
 * connections open at once times an entry's size). So the file is read in blocks, and the blocks last read are
 * kept: 16 KiB blocks, 128 of them (2 MiB). On `npm run bench`'s 1 GB capture (2,000 connections open at once,
 * 3.8 MB of text rows) 1 MiB of blocks took 2,900 reads and 47 MB, 2 MiB 564 reads and 9 MB, 4 MiB 244 reads and
 * the 3.8 MB once. (A 1 MiB window read ahead from each entry it lacked had read 4.7 GB for those rows, 14 GB for
 * the JSON entries.)
 */
const READ_BLOCK = 16 * 1024;
const BLOCKS_KEPT = 128;
/**
 * Entries larger than this are read by themselves, not through the blocks: a connection's JSON is about 12 KB,
 * and the next ones in output order are spread over tens of MB of the file, more than the blocks could keep.
 */
const ENTRY_READ_ALONE = 4 * 1024;
/** A buffer for entries read by themselves is kept up to this size (a larger entry gets one of its own). */
const LARGE_ENTRY_BUFFER = 1 << 20;
const EMPTY = Buffer.alloc(0);
/** Stores a Spill can have: its own and those it adopted (one per capture analyzed in another thread). */
const MAX_STORES = 1 << 20;

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
  /** What `add` has not written out yet. */
  private buffer = Buffer.allocUnsafe(1 << 20);
  private buffered = 0;
  /** Blocks of the files read back by `get`, least recently used first (Map order); `add` empties it. */
  private readonly blocks = new Map<number, Buffer>();
  /** An entry that spans two blocks, joined. */
  private joined: Buffer | null = null;
  /** Where an entry larger than ENTRY_READ_ALONE is read (it grows to the largest, up to LARGE_ENTRY_BUFFER). */
  private large: Buffer | null = null;
  /** Bytes `get` read from the files (what the tests measure the block cache by). */
  bytesRead = 0;
  /** Bytes written to store 0 (the buffer's included). */
  private size = 0;
  /**
   * Per entry: its store (null while every entry is in store 0), its offset in it (index for strings), its length
   * in bytes, its place in the output: 20 bytes an entry.
   */
  private storeOf: Column<Uint32Array> | null = null;
  private readonly offsets = new Column(float64s);
  private readonly lengths = new Column(uint32s);
  private readonly orders = new Column(float64s);

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

  /**
   * Put `text` aside, to come at `order` in the output (`inOrder`); `body`, when given, follows it in the same
   * entry. Written piece by piece: a connection's 11 KB of JSON joined to its few bytes of head would be copied
   * whole into one flat string before being encoded.
   */
  add(text: string, order: number, body = ''): void {
    const store = this.stores[0]!;
    // The last block read may have ended where this entry now goes.
    if (this.blocks.size > 0) this.blocks.clear();
    this.orders.push(order);
    this.storeOf?.push(0);
    if ('memory' in store) {
      this.offsets.push(store.memory.push(text + body) - 1);
      this.lengths.push(0);
      return;
    }
    const bytes = this.put(text) + (body === '' ? 0 : this.put(body));
    this.offsets.push(this.size);
    this.lengths.push(bytes);
    this.size += bytes;
  }

  /** Writes `text` after what is buffered (or straight out when larger than the buffer); returns its bytes. */
  private put(text: string): number {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: with that much room, encode at once (no measuring pass first).
    if (text.length * 3 <= this.buffer.length - this.buffered) {
      const written = this.buffer.write(text, this.buffered);
      this.buffered += written;
      return written;
    }
    const bytes = Buffer.byteLength(text);
    if (this.buffered + bytes > this.buffer.length) this.flush();
    if (bytes > this.buffer.length) {
      this.writeAll(Buffer.from(text));
    } else {
      this.buffer.write(text, this.buffered);
      this.buffered += bytes;
    }
    return bytes;
  }

  /** What was added here, for another thread's Spill to `adopt` (everything written out first). */
  data(): SpillData {
    this.flush();
    const store = this.stores[0]!;
    return {
      fd: 'fd' in store ? store.fd : null,
      memory: 'memory' in store ? store.memory : null,
      offsets: this.offsets.copy(),
      lengths: this.lengths.copy(),
      orders: this.orders.copy(),
    };
  }

  /** Take over the entries another thread put aside (its `data()`); their file is closed with this Spill. */
  adopt(data: SpillData): void {
    const index = this.stores.push(data.fd !== null ? { fd: data.fd, owned: true } : { memory: data.memory ?? [] }) - 1;
    if (this.storeOf === null) {
      this.storeOf = new Column(uint32s);
      for (let i = 0; i < this.orders.length; i++) this.storeOf.push(0);
    }
    for (let i = 0; i < data.orders.length; i++) {
      this.storeOf.push(index);
      this.offsets.push(data.offsets[i]!);
      this.lengths.push(data.lengths[i]!);
      this.orders.push(data.orders[i]!);
    }
  }

  /** The entries' indexes sorted by their order (4 bytes each: a million for `streams` on a SYN flood). */
  inOrder(): Uint32Array {
    const orders = this.orders;
    const n = orders.length;
    const indexes = new Uint32Array(n);
    let sorted = true;
    for (let i = 0; i < n; i++) {
      indexes[i] = i;
      if (i > 0 && orders.at(i) < orders.at(i - 1)) sorted = false;
    }
    // Often so already (connections closing in the order they opened): then not sorted again.
    return sorted ? indexes : indexes.sort((a, b) => orders.at(a) - orders.at(b));
  }

  /** The order entry `index` was put aside with. */
  orderOf(index: number): number {
    return this.orders.at(index);
  }

  /** The text put aside as entry `index`. */
  get(index: number): string {
    const store = this.stores[this.storeOf === null ? 0 : this.storeOf.at(index)]!;
    if ('memory' in store) return store.memory[this.offsets.at(index)]!;
    const bytes = this.bytes(index);
    return bytes.toString('utf8', 0, bytes.length);
  }

  /**
   * Entry `index` as the UTF-8 bytes it was put aside as, for a writer that wants bytes (no decoding and encoding
   * again): a view of this Spill's buffers, valid until the next `get`, `bytes` or `add`.
   */
  bytes(index: number): Buffer {
    const storeIndex = this.storeOf === null ? 0 : this.storeOf.at(index);
    const store = this.stores[storeIndex]!;
    if ('memory' in store) return Buffer.from(store.memory[this.offsets.at(index)]!);
    this.flush();
    const offset = this.offsets.at(index);
    const length = this.lengths.at(index);
    if (length > ENTRY_READ_ALONE) {
      let into = this.large;
      if (into === null || into.length < length) {
        into = Buffer.allocUnsafe(length);
        if (length <= LARGE_ENTRY_BUFFER) this.large = into;
      }
      this.bytesRead += this.readAt(store.fd, into.subarray(0, length), offset, length);
      return into.subarray(0, length);
    }
    if (length === 0) return EMPTY;
    const first = Math.floor(offset / READ_BLOCK);
    const at = offset - first * READ_BLOCK;
    if (at + length <= READ_BLOCK) return this.block(storeIndex, store.fd, first, at + length).subarray(at, at + length);
    // Across two blocks: the bytes joined first (a character's bytes may be split between them).
    const head = READ_BLOCK - at;
    const joined = (this.joined ??= Buffer.allocUnsafe(READ_BLOCK));
    this.block(storeIndex, store.fd, first, READ_BLOCK).copy(joined, 0, at, READ_BLOCK);
    this.block(storeIndex, store.fd, first + 1, length - head).copy(joined, head, 0, length - head);
    return joined.subarray(0, length);
  }

  /**
   * Block `n` of a store's file, from those read last or read now (in place of the least recently used), with at
   * least `need` bytes in it (a block read before the last `add` is no longer kept, so a kept one has them).
   */
  private block(storeIndex: number, fd: number, n: number, need: number): Buffer {
    const key = n * MAX_STORES + storeIndex;
    const cached = this.blocks.get(key);
    if (cached !== undefined) {
      this.blocks.delete(key);
      this.blocks.set(key, cached);
      return cached;
    }
    let buffer: Buffer;
    if (this.blocks.size >= BLOCKS_KEPT) {
      const [oldest, reused] = this.blocks.entries().next().value as [number, Buffer];
      this.blocks.delete(oldest);
      buffer = reused;
    } else {
      buffer = Buffer.allocUnsafe(READ_BLOCK);
    }
    this.bytesRead += this.readAt(fd, buffer, n * READ_BLOCK, need);
    this.blocks.set(key, buffer);
    return buffer;
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

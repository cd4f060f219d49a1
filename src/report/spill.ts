import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Strings put aside until their turn comes, on disk: `analyze` writes a connection's part of the report as the
 * connection closes, but the report's order (capture lines first, connections by number) is known only at the
 * end. A temporary file holds the text; memory keeps 16 bytes per entry. Where no temporary file can be made,
 * the strings stay in memory.
 */
export class Spill {
  private fd: number | null = null;
  private dir: string | null = null;
  private readonly memory: string[] | null = null;
  private buffer = Buffer.allocUnsafe(1 << 20);
  private buffered = 0;
  /** Bytes written to the file (and in the buffer). */
  private size = 0;
  private readonly offsets: number[] = [];
  private readonly lengths: number[] = [];
  /** Each entry's place in the output (`add`'s `order`). */
  private readonly orders: number[] = [];

  constructor() {
    try {
      this.dir = mkdtempSync(join(tmpdir(), 'tlsdissect-'));
      this.fd = openSync(join(this.dir, 'report.tmp'), 'w+');
    } catch {
      this.close();
      this.memory = [];
      return;
    }
    // Gone from the directory at once where the system allows it (the open file lives on until it is closed, or
    // the process ends however it ends: `| head`, Ctrl-C); elsewhere at exit.
    try {
      rmSync(this.dir, { recursive: true, force: true });
      this.dir = null;
    } catch {
      process.once('exit', this.removeDir);
    }
  }

  private readonly removeDir = (): void => {
    if (this.dir !== null) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  };

  get count(): number {
    return this.memory ? this.memory.length : this.offsets.length;
  }

  /** Put `text` aside, to come at `order` in the output (`inOrder`); returns its index. */
  add(text: string, order: number): number {
    this.orders.push(order);
    if (this.memory) return this.memory.push(text) - 1;
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
    return this.offsets.length - 1;
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
    if (this.memory) return this.memory[index]!;
    this.flush();
    const length = this.lengths[index]!;
    const into = length <= this.buffer.length ? this.buffer : Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd!, into, done, length - done, this.offsets[index]! + done);
      if (n === 0) throw new Error('the temporary report file is shorter than what was written to it');
      done += n;
    }
    return into.toString('utf8', 0, length);
  }

  /** Remove the temporary file. */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.removeDir();
    process.off('exit', this.removeDir);
  }

  private flush(): void {
    if (this.buffered === 0) return;
    this.writeAll(this.buffer.subarray(0, this.buffered));
    this.buffered = 0;
  }

  private writeAll(bytes: Buffer): void {
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd!, bytes, done, bytes.length - done);
  }
}

/**
 * A report's text gathered as UTF-8 bytes into pieces of about a given size. Text is encoded once, straight into
 * the piece, and bytes already encoded (a connection's JSON read back from the spill) are copied as they are: no
 * megabyte strings built up and turned into Buffers again. A piece is a view of one buffer that the next piece
 * reuses: write it (or copy it) before asking for the next.
 */
export class BytePieces {
  private buffer: Buffer;
  private at = 0;

  constructor(private readonly size: number) {
    this.buffer = Buffer.allocUnsafe(size + (size >> 2));
  }

  /** Bytes gathered since the last `take`. */
  get length(): number {
    return this.at;
  }

  text(s: string): void {
    // A UTF-16 unit is at most 3 bytes of UTF-8 (a pair of them 4).
    this.room(s.length * 3);
    this.at += this.buffer.write(s, this.at);
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buffer.set(b, this.at);
    this.at += b.length;
  }

  /** The piece gathered so far, valid until the next `text` or `bytes`; the next starts empty. */
  take(): Buffer {
    const piece = this.buffer.subarray(0, this.at);
    this.at = 0;
    return piece;
  }

  /** At least `n` bytes free: a larger buffer when not (a connection larger than a piece). */
  private room(n: number): void {
    if (this.at + n <= this.buffer.length) return;
    const larger = Buffer.allocUnsafe(Math.max(this.at + n, this.buffer.length * 2));
    this.buffer.copy(larger, 0, 0, this.at);
    this.buffer = larger;
  }
}

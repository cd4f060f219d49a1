/**
 * The unconsumed bytes of a stream that arrives in chunks.
 *
 * Parsers ask for a contiguous view of the next `n` bytes once `length >= n`. When those bytes lie in one
 * chunk the view is a subarray (no copy); when they span chunks they are gathered once into a new buffer
 * that replaces the pieces, so a record is copied at most once however many chunks it arrived in. Waiting
 * for a large record only appends chunk references: nothing is re-concatenated per chunk.
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  /** Index of the first chunk that still holds unconsumed bytes. */
  private first = 0;
  /** Read position inside chunks[first]. */
  private pos = 0;
  private available = 0;
  /** Bytes consumed (skipped) since the start of the stream: the stream offset of the next byte. */
  consumed = 0;
  /**
   * Bytes copied so far, to join a record's pieces or to keep those of a chunk the caller reuses: at most about
   * what was pushed (each byte copied once); the tests' measure of re-buffering.
   */
  copied = 0;

  /** Unconsumed bytes held. */
  get length(): number {
    return this.available;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.available += chunk.length;
  }

  /**
   * The chunk holding the next byte, and that byte's position in it (requires length > 0): a parser reads the
   * records lying wholly inside it in place, then skips them all at once.
   */
  get headChunk(): Buffer {
    return this.chunks[this.first];
  }

  get headPos(): number {
    return this.pos;
  }

  /**
   * Stop referring to `chunk` (the last one pushed), whose buffer the caller is about to reuse: the bytes of it
   * still unconsumed (the start of a record not yet complete, usually a few hundred bytes) are copied.
   */
  release(chunk: Buffer): void {
    const last = this.chunks.length - 1;
    if (last < this.first) return;
    // The last piece is `chunk` or, after a gather, the part of it that follows the gathered record.
    const piece = this.chunks[last];
    if (piece.buffer !== chunk.buffer || piece.byteOffset < chunk.byteOffset || piece.byteOffset >= chunk.byteOffset + chunk.length) return;
    const from = last === this.first ? this.pos : 0;
    this.chunks[last] = Buffer.from(piece.subarray(from));
    this.copied += piece.length - from;
    if (last === this.first) this.pos = 0;
  }

  /** Contiguous view of the next `n` bytes (requires n <= length). Valid until the chunks are released. */
  peek(n: number): Buffer {
    const head = this.chunks[this.first];
    if (head.length - this.pos >= n) return head.subarray(this.pos, this.pos + n);
    return this.gather(n);
  }

  /** Consume `n` bytes (n <= length). */
  skip(n: number): void {
    this.available -= n;
    this.consumed += n;
    let left = n;
    while (left > 0) {
      const head = this.chunks[this.first];
      const inHead = head.length - this.pos;
      if (left < inHead) {
        this.pos += left;
        return;
      }
      left -= inHead;
      this.chunks[this.first] = EMPTY;
      this.first++;
      this.pos = 0;
    }
    this.compact();
  }

  /** Consume up to `n` bytes; returns how many were consumed. */
  discard(n: number): number {
    const take = n < this.available ? n : this.available;
    if (take > 0) this.skip(take);
    return take;
  }

  private gather(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    this.copied += n;
    let copied = 0;
    let i = this.first;
    let p = this.pos;
    while (copied < n) {
      const c = this.chunks[i];
      const take = Math.min(c.length - p, n - copied);
      c.copy(out, copied, p, p + take);
      copied += take;
      p += take;
      if (p === c.length) {
        i++;
        p = 0;
      }
    }
    // chunks[first .. i-1] are now wholly inside `out`; chunks[i] from p on is what follows.
    if (p > 0) this.chunks[i] = this.chunks[i].subarray(p);
    this.chunks.splice(this.first, i - this.first, out);
    this.pos = 0;
    return out;
  }

  private compact(): void {
    if (this.first === this.chunks.length) {
      this.chunks.length = 0;
      this.first = 0;
    } else if (this.first >= 64) {
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
  }
}

const EMPTY = Buffer.alloc(0);

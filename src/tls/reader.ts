/**
 * A bounds-checked reader over buf[start, end) for TLS presentation-language structures.
 *
 * Reads never go past `end`: a read that would is reported by throwing TlsDecodeError, whose message
 * is one line for a user. Parsers catch it at their boundary with `attempt()` and return a
 * `Result`, so nothing outside this stage ever sees the exception. Vectors and sub-readers are views
 * on the same Buffer (no copies), and lengths read from the input never size an allocation.
 */
import { plural } from '../text/words.js';

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

/** The one exception the TLS parsers use internally; never escapes a parser. */
export class TlsDecodeError extends Error {
  override name = 'TlsDecodeError';
}

/** Runs `parse`, turning a TlsDecodeError into `{ ok: false, error }`; other exceptions are bugs and propagate. */
export function attempt<T>(parse: () => T): Result<T> {
  try {
    return { ok: true, value: parse() };
  } catch (e) {
    if (e instanceof TlsDecodeError) return { ok: false, error: e.message };
    throw e;
  }
}


export class ByteReader {
  readonly buf: Buffer;
  readonly start: number;
  readonly end: number;
  private pos: number;
  /** This reader's own part of its context; `within`: the reader it was cut from, whose context comes first. */
  private readonly label: string;
  private readonly within: ByteReader | null;

  constructor(buf: Buffer, start = 0, end = buf.length, context = 'message', within: ByteReader | null = null) {
    this.buf = buf;
    this.end = Math.max(0, Math.min(end, buf.length));
    this.start = Math.max(0, Math.min(start, this.end));
    this.pos = this.start;
    this.label = context;
    this.within = within;
  }

  /**
   * What this reader covers, for messages: 'ClientHello', 'ClientHello extensions', 'extension server_name', …
   * Made when a message asks for it: a hello's dozens of readers would otherwise each join a string none reads.
   */
  get context(): string {
    return this.within === null ? this.label : `${this.within.context} ${this.label}`;
  }

  /** Absolute offset in `buf` of the next byte. */
  get offset(): number {
    return this.pos;
  }

  /** Bytes read so far, relative to `start`. */
  get consumed(): number {
    return this.pos - this.start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  private need(n: number, what: string): void {
    if (n > this.end - this.pos) {
      throw new TlsDecodeError(
        `${this.context}: ${what} needs ${plural(n, 'byte')}, only ${this.end - this.pos} left`,
      );
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }

  u16(what: string): number {
    this.need(2, what);
    const v = (this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u24(what: string): number {
    this.need(3, what);
    const v = (this.buf[this.pos]! << 16) | (this.buf[this.pos + 1]! << 8) | this.buf[this.pos + 2]!;
    this.pos += 3;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** The next n bytes as a view (no copy). */
  bytes(n: number, what: string): Buffer {
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  skip(n: number, what: string): void {
    this.need(n, what);
    this.pos += n;
  }

  /** Everything left, as a view; the reader ends up at its end. */
  rest(): Buffer {
    const v = this.buf.subarray(this.pos, this.end);
    this.pos = this.end;
    return v;
  }

  /** A reader over the next n bytes; this reader moves past them. Its context: `context`, else this one's and `what`. */
  sub(n: number, what: string, context?: string): ByteReader {
    this.need(n, what);
    const r = context === undefined ? new ByteReader(this.buf, this.pos, this.pos + n, what, this) : new ByteReader(this.buf, this.pos, this.pos + n, context);
    this.pos += n;
    return r;
  }

  private vector(prefixBytes: 1 | 2 | 3, what: string, context?: string): ByteReader {
    // The length's name is made only for the message that needs it: checked here, the reads below cannot fail.
    if (prefixBytes > this.end - this.pos) this.need(prefixBytes, `${what} length`);
    const n = prefixBytes === 1 ? this.u8(what) : prefixBytes === 2 ? this.u16(what) : this.u24(what);
    if (n > this.remaining) {
      throw new TlsDecodeError(`${this.context}: ${what} length ${n} exceeds the ${plural(this.remaining, 'byte')} left`);
    }
    return this.sub(n, what, context);
  }

  /** opaque x<0..2^8-1>: a reader over its content. */
  vector8(what: string, context?: string): ByteReader {
    return this.vector(1, what, context);
  }

  /** opaque x<0..2^16-1>: a reader over its content. */
  vector16(what: string, context?: string): ByteReader {
    return this.vector(2, what, context);
  }

  /** opaque x<0..2^24-1>: a reader over its content. */
  vector24(what: string, context?: string): ByteReader {
    return this.vector(3, what, context);
  }

  opaque8(what: string): Buffer {
    return this.vector8(what).rest();
  }

  opaque16(what: string): Buffer {
    return this.vector16(what).rest();
  }

  opaque24(what: string): Buffer {
    return this.vector24(what).rest();
  }

  /** A list of uint16 filling this reader; an odd byte count is an error. */
  u16List(what: string): number[] {
    if (this.remaining % 2 !== 0) {
      throw new TlsDecodeError(`${this.context}: ${what} has an odd length (${this.remaining} bytes)`);
    }
    const out: number[] = [];
    while (this.pos < this.end) {
      out.push((this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!);
      this.pos += 2;
    }
    return out;
  }

  /** A list of uint8 filling this reader. */
  u8List(): number[] {
    const out: number[] = [];
    while (this.pos < this.end) out.push(this.buf[this.pos++]!);
    return out;
  }

  /** Throws when bytes are left over (a length that says less than the structure holds). */
  expectEnd(what = 'data'): void {
    if (this.pos < this.end) {
      throw new TlsDecodeError(`${this.context}: ${plural(this.end - this.pos, 'byte')} of unexpected ${what} at the end`);
    }
  }
}

/** Printable ASCII kept, anything else as \xNN, so names from the wire are safe to print on one line. */
export function printable(bytes: Buffer): string {
  // The usual name needs no escaping: decode it in one go (one flat string, not a chain of one per byte).
  let plain = 0;
  while (plain < bytes.length && isPrintable(bytes[plain]!)) plain++;
  if (plain === bytes.length) return bytes.toString('latin1');
  let s = bytes.toString('latin1', 0, plain);
  for (let i = plain; i < bytes.length; i++) {
    const c = bytes[i]!;
    s += isPrintable(c) ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return s.normalize();
}

function isPrintable(c: number): boolean {
  return c >= 0x20 && c < 0x7f && c !== 0x5c;
}

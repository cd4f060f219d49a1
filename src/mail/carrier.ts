/**
 * A protocol that carries TLS after a short binary exchange of its own: SOCKS (socks.ts), MySQL's SSL request and
 * PostgreSQL's SSLRequest (database-ssl.ts). The mail sniffer hands a connection's first bytes to one when they
 * look like it (front.ts decides once per connection); the carrier reads its own messages on both sides and then
 * says what follows on each: TLS, the tunnel's own bytes (read as the mail sniffer reads any stream), or the
 * carrier's application in plaintext (not read further).
 */
import type { Side } from '../tcp/types.js';

export type CarrierName = 'socks' | 'mysql' | 'postgresql';

/** What follows a side's carrier messages. */
export type AfterCarrier = 'tls' | 'tunnel' | 'opaque';

/**
 * The longest carrier message kept: a MySQL greeting believed is at most 4 + 767 bytes (database-ssl.ts), a SOCKS5
 * username/password request 2 + 255 + 1 + 255. Kept only while a side is in its carrier's messages.
 */
const MAX_MESSAGE = 1024;

/** One message of a side, complete: `buf[0, length)`. */
export interface CarrierMessage {
  buf: Buffer;
  length: number;
  frame: number;
}

export abstract class Carrier {
  abstract readonly name: CarrierName;
  /** The server said it can do TLS (MySQL's CLIENT_SSL in its greeting), when known. */
  offered: boolean | null = null;
  /** The client asked for TLS (MySQL SSL request, PostgreSQL SSLRequest) or for a tunnel (SOCKS CONNECT). */
  asked = false;
  /** The server's answer in words ('S', 'N', 'succeeded', 'connection refused'), null before it came. */
  reply: string | null = null;
  accepted: boolean | null = null;
  /** Lines for the transcript, e.g. '[SOCKS5 CONNECT example.com:443]' (a host name: redacted with the rest). */
  readonly lines: { from: Side; frame: number; line: string }[] = [];
  problem: string | null = null;
  /** What follows each side's carrier messages, once they are over. */
  protected readonly afterSide: Record<Side, AfterCarrier | null> = { client: null, server: null };
  private readonly buf: Record<Side, Buffer | null> = { client: null, server: null };
  private readonly length: Record<Side, number> = { client: 0, server: 0 };

  /** Whether `from`'s carrier messages are over: its bytes from now on are what `after` says. */
  after(from: Side): AfterCarrier | null {
    return this.afterSide[from];
  }

  /**
   * Takes `from`'s bytes from `data[start]`; returns the index in `data` where its carrier messages ended
   * (data.length while they go on).
   */
  push(from: Side, data: Buffer, start: number, frame: number): number {
    let i = start;
    while (this.afterSide[from] === null && i < data.length) {
      const waiting = this.waiting(from, data, i);
      if (waiting !== null) {
        this.afterSide[from] = waiting;
        break;
      }
      const buf = (this.buf[from] ??= Buffer.allocUnsafe(MAX_MESSAGE));
      // Copy up to what is known to be needed, then ask again: a message's length shows in its first bytes.
      let target = this.lengthOf(from, buf, this.length[from]);
      while (target > this.length[from] && target <= MAX_MESSAGE && i < data.length) {
        const k = Math.min(target - this.length[from], data.length - i);
        data.copy(buf, this.length[from], i, i + k);
        this.length[from] += k;
        i += k;
        target = this.lengthOf(from, buf, this.length[from]);
      }
      if (target < 0 || target > MAX_MESSAGE) {
        const first = buf.toString('hex', 0, Math.min(8, this.length[from])).replace(/(..)(?!$)/g, '$1 ');
        this.malformed(from, target < 0 ? `bytes that are no ${this.name} message (${first})` : `a ${this.name} message longer than ${MAX_MESSAGE} bytes`);
        break;
      }
      if (this.length[from] < target) break;
      const length = this.length[from];
      this.length[from] = 0;
      this.message(from, { buf, length, frame });
    }
    if (this.afterSide[from] === null) return data.length;
    this.buf[from] = null;
    return i;
  }

  /** `from`'s bytes ended (or were lost) inside a carrier message. */
  cut(from: Side): void {
    if (this.afterSide[from] !== null) return;
    if (this.length[from] > 0) this.problem ??= `the ${from}'s ${this.name} message was cut short after ${this.length[from]} bytes`;
    this.afterSide[from] = 'opaque';
    this.buf[from] = null;
  }

  /**
   * The length of `from`'s next message when `buf[0, have)` tells it; otherwise more than `have` (how many bytes
   * are needed to tell more); -1 when those bytes are no message of this protocol.
   */
  protected abstract lengthOf(from: Side, buf: Buffer, have: number): number;
  /** A complete message: read it; set `afterSide[from]` when it was `from`'s last one. */
  protected abstract message(from: Side, m: CarrierMessage): void;

  /**
   * Called before each message of a side whose next step depends on the other side's answer: what follows, when
   * it is already known (or has to be guessed from the first byte), else null to read a message.
   */
  protected waiting(_from: Side, _data: Buffer, _at: number): AfterCarrier | null {
    return null;
  }

  protected malformed(from: Side, what: string): void {
    this.problem ??= `the ${from} sent ${what}; what follows is read as it comes`;
    this.afterSide[from] = 'tunnel';
  }
}

/** The first byte of a TLS record (content types 20–23) or of an SSLv2 record (top bit set). */
export function tlsRecordByte(b: number | undefined): boolean {
  return b !== undefined && ((b >= 20 && b <= 23) || (b & 0x80) !== 0);
}

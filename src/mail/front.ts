/**
 * What comes before a connection's own protocol: a PROXY protocol header at the start of the client's stream
 * (proxy-header.ts), then perhaps a carrier that hands on to TLS (SOCKS, MySQL, PostgreSQL: carrier.ts). Decided
 * once per connection, at its first bytes: a first byte that opens none of them (every SMTP, IMAP or POP3 line,
 * every TLS record) decides at once; the few that could open one are held until enough bytes tell (at most
 * DECIDE_BYTES), so a header split over segments is read whole.
 */
import type { Side } from '../tcp/types.js';
import { type AfterCarrier, type Carrier, tlsRecordByte } from './carrier.js';
import { MysqlCarrier, PostgresCarrier, mysqlGreetingStart, postgresSslRequestStart } from './database-ssl.js';
import { ProxyHeaderReader, type ProxyHeader, proxyHeaderStart } from './proxy-header.js';
import { SocksCarrier, socksStart } from './socks.js';

/** Enough bytes to tell every opening apart: the 12-byte PROXY v2 signature is the longest. */
const DECIDE_BYTES = 12;

/** Where a side stands: deciding (`start` may still see a PROXY header, `carrier` only a carrier), or past it. */
type FrontStep = 'start' | 'proxy' | 'carrier-check' | 'carrier' | 'done';

type Decision = 'proxy-v1' | 'proxy-v2' | 'socks4' | 'socks5' | 'postgresql' | 'mysql' | 'none' | 'maybe';

export class StreamFront {
  private readonly step: Record<Side, FrontStep> = { client: 'start', server: 'start' };
  /** Bytes of earlier pushes held while undecided (at most DECIDE_BYTES). */
  private readonly held: Record<Side, Buffer | null> = { client: null, server: null };
  /** Held bytes that turned out to be the application's, for the sniffer to read first. */
  private readonly released: Record<Side, Buffer | null> = { client: null, server: null };
  private reader: ProxyHeaderReader | null = null;
  header: ProxyHeader | null = null;
  /** The frame that completed the header. */
  headerFrame = 0;
  carrier: Carrier | null = null;
  /** Notes on the header (malformed, cut short): the connection's, not the mail phase's. */
  readonly notes: string[] = [];
  /** What follows each side once past its front: null for a side with nothing in front (or a PROXY header only). */
  readonly after: Record<Side, AfterCarrier | null> = { client: null, server: null };

  /** Whether `from`'s bytes still go to the front. */
  open(from: Side): boolean {
    return this.step[from] !== 'done';
  }

  /** Held bytes that belong to the application after all (read them before the bytes `push` returned an index into). */
  takeReleased(from: Side): Buffer | null {
    const r = this.released[from];
    this.released[from] = null;
    return r;
  }

  /** Takes `from`'s bytes; returns the index in `data` where its front ended (data.length while it goes on). */
  push(from: Side, data: Buffer, frame: number): number {
    let i = 0;
    while (this.step[from] !== 'done') {
      switch (this.step[from]) {
        case 'start':
        case 'carrier-check': {
          const held = this.held[from];
          const view = held === null ? data : Buffer.concat([held, data.subarray(0, DECIDE_BYTES)]);
          const viewStart = held === null ? i : 0;
          const decision = this.decide(from, view, viewStart, Math.min(view.length, viewStart + DECIDE_BYTES));
          if (decision === 'maybe') {
            // Not enough bytes to tell yet: hold them (a first push of 1–11 bytes).
            this.held[from] = Buffer.from(view.subarray(viewStart));
            return data.length;
          }
          this.held[from] = null;
          if (decision === 'none') {
            this.step[from] = 'done';
            this.released[from] = held;
            return i;
          }
          this.begin(from, decision);
          // The held bytes go first to what was decided.
          if (held !== null) {
            const k = this.pushInside(from, held, 0, frame);
            if (k < held.length) {
              // It ended inside the held bytes (a 1-byte PostgreSQL answer…): the rest is the application's.
              this.released[from] = held.subarray(k);
              return i;
            }
          }
          break;
        }
        default: {
          if (i >= data.length) return data.length;
          i = this.pushInside(from, data, i, frame);
          const now = this.stepOf(from);
          if (now !== 'done' && now !== 'carrier-check') return data.length;
        }
      }
      if (i >= data.length && this.stepOf(from) !== 'done') return data.length;
    }
    return i;
  }

  /** The step, read afresh (what a call just changed). */
  private stepOf(from: Side): FrontStep {
    return this.step[from];
  }

  /** Bytes of `from` were lost, or its stream ended (`why`), while it was still in its front. */
  cut(from: Side, why: string): void {
    if (this.step[from] === 'done') return;
    if (this.step[from] === 'proxy') {
      this.reader!.truncated(why);
      this.headerDone();
    } else if (this.step[from] === 'carrier') {
      this.carrier!.cut(from);
      this.after[from] = this.carrier!.after(from);
    } else {
      this.released[from] = this.held[from];
      this.held[from] = null;
    }
    this.step[from] = 'done';
  }

  private decide(from: Side, b: Buffer, start: number, end: number): Decision {
    const have = end - start;
    if (have <= 0) return 'maybe';
    const bytes = start === 0 ? b : b.subarray(start);
    const peer: Side = from === 'client' ? 'server' : 'client';
    // A TLS record or any text line decides at its first byte: the common case costs one comparison or two.
    if (tlsRecordByte(bytes[0]) && from === 'client') return 'none';
    if (from === 'client') {
      if (this.step.client === 'start') {
        const proxy = proxyHeaderStart(bytes, 0, have);
        if (proxy === 'yes') return bytes[0] === 0x50 ? 'proxy-v1' : 'proxy-v2';
        if (proxy === 'maybe') return 'maybe';
      }
      // SOCKS and PostgreSQL's client speaks first: not once the server has.
      if (this.step.server !== 'start') return 'none';
      const socks = socksStart(bytes, have);
      if (socks === 4) return 'socks4';
      if (socks === 5) return 'socks5';
      const pg = postgresSslRequestStart(bytes, have);
      if (pg === 'yes') return 'postgresql';
      return socks === 'maybe' || pg === 'maybe' ? 'maybe' : 'none';
    }
    // The server: a MySQL greeting, before the client sent anything but a PROXY header.
    if (this.step[peer] === 'done') return 'none';
    const mysql = mysqlGreetingStart(bytes, have);
    return mysql === 'yes' ? 'mysql' : mysql === 'maybe' && !tlsRecordByte(bytes[0]) ? 'maybe' : 'none';
  }

  private begin(from: Side, decision: Exclude<Decision, 'none' | 'maybe'>): void {
    switch (decision) {
      case 'proxy-v1':
      case 'proxy-v2':
        this.reader = new ProxyHeaderReader(decision === 'proxy-v1' ? 1 : 2);
        this.step.client = 'proxy';
        return;
      case 'socks4':
      case 'socks5':
        this.carrier = new SocksCarrier(decision === 'socks4' ? 4 : 5);
        break;
      case 'postgresql':
        this.carrier = new PostgresCarrier();
        break;
      case 'mysql':
        this.carrier = new MysqlCarrier();
        break;
    }
    this.step[from] = 'carrier';
    // The other side's bytes go to the carrier too, once it has not decided otherwise.
    const peer: Side = from === 'client' ? 'server' : 'client';
    if (this.step[peer] === 'start' || this.step[peer] === 'carrier-check') this.step[peer] = 'carrier';
  }

  /** Bytes of a side inside its header or carrier; returns where they ended. */
  private pushInside(from: Side, data: Buffer, start: number, frame: number): number {
    if (this.step[from] === 'proxy') {
      const end = this.reader!.push(data, start);
      if (this.reader!.done) {
        this.headerFrame = frame;
        this.headerDone();
      }
      return end;
    }
    const carrier = this.carrier!;
    const end = carrier.push(from, data, start, frame);
    const after = carrier.after(from);
    if (after !== null) {
      this.after[from] = after;
      this.step[from] = 'done';
    }
    return end;
  }

  private headerDone(): void {
    const reader = this.reader!;
    this.header = reader.header;
    if (reader.problem !== null) this.notes.push(reader.problem);
    this.reader = null;
    // After the header the client's stream begins again: it may still open a carrier (HAProxy in front of MySQL).
    this.step.client = this.carrier !== null ? 'carrier' : 'carrier-check';
  }
}

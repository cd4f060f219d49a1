import type { Side } from '../tcp/types.js';
import { concatOwned, ownedCopy } from '../capture/bytes.js';

/**
 * The TLS record layer of one side of a connection: cuts that side's in-order byte stream into records,
 * whatever the segmentation, and resynchronises after bytes missing from the capture.
 *
 * Two wire formats are understood:
 * - TLS/SSLv3 records: type(1) version(2) length(2), RFC 5246 §6.2.1 / RFC 8446 §5.1;
 * - SSLv2 records (draft-hickman-netscape-ssl-00 §1.2): a 2-byte header when the first byte's top bit is
 *   set, otherwise a 3-byte header whose third byte is the padding length. The 3-byte form can only be
 *   told from a TLS header by context, so it is read only on a side that already speaks SSLv2.
 *
 * Bytes handed to `push` are only valid during the call (the TCP stage reuses them): a record that lies
 * whole inside one push is passed on as a view of it; one that spans pushes is copied once, piece by
 * piece, into a buffer of the record's length (at most MAX_SSLV2_RECORD_LENGTH, whatever the input says).
 */

/** RFC 5246 §6.2.3: TLSCiphertext.length must not exceed 2^14 + 2048. */
export const MAX_TLS_RECORD_LENGTH = 16384 + 2048;
/** SSLv2 2-byte header: 15 bits of length. */
export const MAX_SSLV2_RECORD_LENGTH = 0x7fff;
export const TLS_RECORD_HEADER_LENGTH = 5;
/**
 * After a resynchronisation, a bad header among the next records means the header found by scanning
 * was a chance match: scanning goes on instead of declaring the stream not TLS.
 */
const RESYNC_CONFIRMING_RECORDS = 2;

/** TLS ContentType values (RFC 8446 §5.1, RFC 6520 for heartbeat). */
export const CONTENT_CHANGE_CIPHER_SPEC = 20;
export const CONTENT_ALERT = 21;
export const CONTENT_HANDSHAKE = 22;
export const CONTENT_APPLICATION_DATA = 23;
export const CONTENT_HEARTBEAT = 24;

/** SSLv2 message types (draft-hickman-netscape-ssl-00 appendix). */
export const SSLV2_ERROR = 0;
export const SSLV2_CLIENT_HELLO = 1;
export const SSLV2_CLIENT_MASTER_KEY = 2;
export const SSLV2_SERVER_HELLO = 4;
/** The record version reported for SSLv2 records (as tshark does). */
export const SSLV2_RECORD_VERSION = 0x0002;

export type RecordFormat = 'tls' | 'sslv2';

export interface RecordHeader {
  format: RecordFormat;
  /** TLS ContentType; 0 for SSLv2 records, which have none. */
  contentType: number;
  /** Record-layer version; SSLV2_RECORD_VERSION for SSLv2 records. */
  version: number;
  /** Bytes after the header (for SSLv2: MAC, data and padding). */
  length: number;
  headerLength: number;
  /** SSLv2 3-byte header: number of padding bytes at the end of the record. */
  padding: number;
  /** Position of the header in this side's stream. */
  offset: number;
}

/** Receives what a reader finds. Implemented once per connection (no per-packet closures). */
export interface RecordSink {
  /** Whether the record's bytes are needed; when false they are skipped, never copied. */
  wantsPayload(from: Side, header: RecordHeader): boolean;
  /**
   * A whole record. `payload` is null when it was not wanted or when bytes of it are missing from the
   * capture (`missing` > 0). `owned` says whether payload outlives this call (false: a view of the
   * pushed bytes, copy what you keep).
   */
  onRecord(
    from: Side,
    header: RecordHeader,
    payload: Buffer | null,
    owned: boolean,
    missing: number,
    frame: number,
    time: number,
  ): void;
  /** This side's bytes are not (or no longer) TLS records; the reader has stopped. One line. */
  onNotTls(from: Side, note: string, frame: number, time: number): void;
  /** The reader found a plausible record header again after a gap, having skipped `skipped` bytes. */
  onResync(from: Side, skipped: number, frame: number, time: number): void;
}

type ReaderState =
  /** Before this side's first record: the format is not known yet. */
  | 'start'
  /** Between records, or inside a header. */
  | 'header'
  | 'body'
  /** After a gap: looking for a plausible TLS record header. */
  | 'scan'
  /** Not TLS: everything is skipped until a gap gives a chance to resynchronise. */
  | 'stopped';

export type GapOutcome =
  /** The gap lay inside a record whose header was seen: the next record boundary is still known. */
  | 'inside-record'
  /** The record boundary was lost: the reader scans for the next plausible header. */
  | 'resync';

/** Whether a 5-byte TLS record header is plausible. Returns a reason when it is not, else null. */
export function tlsHeaderProblem(type: number, major: number, minor: number, length: number): string | null {
  if (type < CONTENT_CHANGE_CIPHER_SPEC || type > CONTENT_HEARTBEAT) return `content type ${type} is not a TLS content type`;
  if (major !== 3 || minor > 4) return `record version 0x${hex2(major)}${hex2(minor)} is not SSLv3..TLS 1.3`;
  if (length > MAX_TLS_RECORD_LENGTH) return `record length ${length} exceeds ${MAX_TLS_RECORD_LENGTH}`;
  return null;
}

/** Bytes as '47 45 54 20 ("GET ")' for notes. */
export function describeBytes(bytes: Buffer): string {
  let hexText = '';
  let ascii = '';
  let printable = true;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    hexText += (i ? ' ' : '') + hex2(b);
    if (b >= 0x20 && b < 0x7f) ascii += String.fromCharCode(b);
    else if (b === 0x0d) ascii += '\\r';
    else if (b === 0x0a) ascii += '\\n';
    else printable = false;
  }
  return printable && bytes.length > 0 ? `${hexText} ("${ascii}")` : hexText;
}

function hex2(b: number): string {
  return (b < 16 ? '0' : '') + b.toString(16);
}

/** Parts of an SSLv2 first record that make it plausible (draft-hickman §2.5, §2.6). */
function sslv2FirstRecordProblem(from: Side, h: Buffer): string | null {
  const length = ((h[0] & 0x7f) << 8) | h[1];
  const messageType = h[2];
  if (from === 'client') {
    const version = (h[3] << 8) | h[4];
    const versionOk = version === SSLV2_RECORD_VERSION || (h[3] === 3 && h[4] <= 4);
    // CLIENT-HELLO: type, version, 3 lengths, then at least one 3-byte cipher spec and a 16-byte challenge.
    if (messageType === SSLV2_CLIENT_HELLO && versionOk && length >= 9) return null;
    return 'not an SSLv2 CLIENT-HELLO';
  }
  // SERVER-HELLO: type, hit flag, cert type, version, 3 lengths; or ERROR: type and a 2-byte code.
  if (messageType === SSLV2_SERVER_HELLO && h[3] <= 1 && length >= 11) return null;
  if (messageType === SSLV2_ERROR && length === 3) return null;
  return 'not an SSLv2 SERVER-HELLO';
}

export class TlsRecordReader {
  /** The record format this side speaks ('unknown' before its first record). */
  format: 'unknown' | RecordFormat = 'unknown';
  /**
   * The other side speaks SSLv2: this side's records without the top bit set are 3-byte SSLv2 headers,
   * never TLS. Set by the connection decoder.
   */
  peerSslv2 = false;
  /** Record-layer version of the last TLS record (used to recognise headers when resynchronising). */
  lastVersion = -1;
  /** Stream position of the next byte. */
  offset = 0;
  records = 0;
  /** Bytes skipped: scanned over after a gap, or after the stream stopped being TLS (gap bytes excluded). */
  skipped = 0;
  /** Bytes never captured (sum of gaps). */
  missingBytes = 0;

  private state: ReaderState;
  // From the shared pool: Buffer.alloc makes an ArrayBuffer of its own (allocUnsafe does not), which costs more
  // than the whole reader and, as memory outside the heap, brings full collections forward.
  private readonly head = Buffer.allocUnsafe(TLS_RECORD_HEADER_LENGTH).fill(0);
  private headLength = 0;
  private current: RecordHeader | null = null;
  private wanted = false;
  /** Record body gathered across pushes (allocated at the record's length, bounded by the format). */
  private body: Buffer | null = null;
  /** Body bytes accounted for, including missing ones. */
  private bodyFilled = 0;
  private bodyMissing = 0;
  private scanSkipped = 0;
  /** Records completed since the last resynchronisation (a large number when there was none). */
  private recordsSinceResync = Number.MAX_SAFE_INTEGER;

  constructor(
    readonly side: Side,
    private readonly sink: RecordSink,
    /** The stream's start was not captured: look for the first plausible header instead of judging byte 0. */
    midStream = false,
  ) {
    this.state = midStream ? 'scan' : 'start';
  }

  get stopped(): boolean {
    return this.state === 'stopped';
  }

  /** Bytes held for a record not yet complete. */
  get buffered(): number {
    return this.headLength + (this.body ? this.bodyFilled - this.bodyMissing : 0);
  }

  /** Stop reading this side (the decoder judged its content not TLS); a later gap resynchronises. */
  stop(): void {
    this.state = 'stopped';
    this.resetRecord();
  }

  push(data: Buffer, frame: number, time: number): void {
    let pos = 0;
    const end = data.length;
    while (pos < end) {
      switch (this.state) {
        case 'stopped':
          this.skipped += end - pos;
          this.offset += end - pos;
          return;
        case 'scan':
          pos = this.scan(data, pos, frame, time);
          break;
        case 'start':
        case 'header':
          pos = this.readHeader(data, pos, frame, time);
          break;
        case 'body':
          pos = this.readBody(data, pos, frame, time);
          break;
      }
    }
  }

  /** `length` bytes of this side were never captured. */
  gap(length: number, frame: number, time: number): GapOutcome {
    this.missingBytes += length;
    this.offset += length;
    const current = this.current;
    if (this.state === 'body' && current && length <= current.length - this.bodyFilled) {
      this.bodyFilled += length;
      this.bodyMissing += length;
      if (this.bodyFilled === current.length) this.finishRecord(null, false, frame, time);
      return 'inside-record';
    }
    this.resetRecord();
    this.state = 'scan';
    this.scanSkipped = 0;
    return 'resync';
  }

  private resetRecord(): void {
    this.headLength = 0;
    this.current = null;
    this.body = null;
    this.bodyFilled = 0;
    this.bodyMissing = 0;
  }

  /** How many header bytes are needed, given those already read; 0 when the header is complete. */
  private headerNeed(): number {
    const n = this.headLength;
    if (this.state === 'start') return TLS_RECORD_HEADER_LENGTH - n;
    if (this.format !== 'sslv2') return TLS_RECORD_HEADER_LENGTH - n;
    if (n === 0) return 1;
    const b0 = this.head[0];
    if (b0 & 0x80) return 2 - n;
    if (n < 3) return 3 - n;
    return this.sslv2SideSendsTls() ? TLS_RECORD_HEADER_LENGTH - n : 0;
  }

  /** On an SSLv2 side (an SSLv2-compatible hello), a TLS-looking header means the side moved to TLS. */
  private sslv2SideSendsTls(): boolean {
    const h = this.head;
    return !this.peerSslv2 && h[0] >= CONTENT_CHANGE_CIPHER_SPEC && h[0] <= CONTENT_HEARTBEAT && h[1] === 3 && h[2] <= 4;
  }

  private readHeader(data: Buffer, pos: number, frame: number, time: number): number {
    for (;;) {
      const need = this.headerNeed();
      if (need === 0) break;
      const take = Math.min(need, data.length - pos);
      // At most 5 bytes: a loop costs less than Buffer.copy's checks.
      const head = this.head;
      for (let k = 0; k < take; k++) head[this.headLength + k] = data[pos + k]!;
      this.headLength += take;
      pos += take;
      this.offset += take;
      if (take < need) return pos;
    }
    return this.decideHeader(data, pos, frame, time);
  }

  /** The header bytes are in `head`: validate them and start the record body. */
  private decideHeader(data: Buffer, pos: number, frame: number, time: number): number {
    const h = this.head;
    const headerOffset = this.offset - this.headLength;
    if (this.state === 'start') {
      if (h[0] & 0x80) {
        const problem = sslv2FirstRecordProblem(this.side, h);
        if (problem) return this.notTls(`not TLS: first bytes ${describeBytes(h)}`, data, pos, frame, time);
        this.format = 'sslv2';
        const length = ((h[0] & 0x7f) << 8) | h[1];
        // Five header bytes were read but the header has two: the other three start the body.
        this.beginRecord({ format: 'sslv2', contentType: 0, version: SSLV2_RECORD_VERSION, length, headerLength: 2, padding: 0, offset: headerOffset }, 2, frame, time);
        return pos;
      }
      const length = (h[3] << 8) | h[4];
      const problem = tlsHeaderProblem(h[0], h[1], h[2], length);
      if (problem) {
        // A TLS type and version with an impossible length: say so, it is what makes these bytes not TLS.
        const why = tlsHeaderProblem(h[0], h[1], h[2], 0) === null ? ` (${problem})` : '';
        return this.notTls(`not TLS: first bytes ${describeBytes(h)}${why}`, data, pos, frame, time);
      }
      this.format = 'tls';
      this.beginTls(headerOffset, frame, time);
      return pos;
    }
    if (this.format === 'sslv2' && this.headLength < TLS_RECORD_HEADER_LENGTH) {
      const twoByte = (h[0] & 0x80) !== 0;
      const length = twoByte ? ((h[0] & 0x7f) << 8) | h[1] : ((h[0] & 0x3f) << 8) | h[1];
      const padding = twoByte ? 0 : h[2];
      if (padding > length) {
        return this.notTls(`SSLv2 record at byte ${headerOffset} has ${padding} padding bytes in a ${length}-byte record; decoding of this side stopped`, data, pos, frame, time);
      }
      this.beginRecord({ format: 'sslv2', contentType: 0, version: SSLV2_RECORD_VERSION, length, headerLength: this.headLength, padding, offset: headerOffset }, this.headLength, frame, time);
      return pos;
    }
    const length = (h[3] << 8) | h[4];
    const problem = tlsHeaderProblem(h[0], h[1], h[2], length);
    if (problem && this.recordsSinceResync < RESYNC_CONFIRMING_RECORDS) {
      // The header found by scanning was a chance match: scan again from the byte after this header's start.
      this.head.copy(this.head, 0, 1, TLS_RECORD_HEADER_LENGTH);
      this.headLength = TLS_RECORD_HEADER_LENGTH - 1;
      this.skipped += 1;
      this.state = 'scan';
      return pos;
    }
    if (problem) {
      const first = this.records === 0 ? `not TLS: first bytes ${describeBytes(h)}` : `not a TLS record header at byte ${headerOffset}: ${describeBytes(h)} (${problem})`;
      return this.notTls(`${first}; decoding of this side stopped`, data, pos, frame, time);
    }
    this.format = 'tls';
    this.beginTls(headerOffset, frame, time);
    return pos;
  }

  private beginTls(headerOffset: number, frame: number, time: number): void {
    const h = this.head;
    this.beginRecord(
      { format: 'tls', contentType: h[0], version: (h[1] << 8) | h[2], length: (h[3] << 8) | h[4], headerLength: TLS_RECORD_HEADER_LENGTH, padding: 0, offset: headerOffset },
      TLS_RECORD_HEADER_LENGTH,
      frame,
      time,
    );
  }

  /** `used` of the header bytes belong to the header; the rest (SSLv2 at stream start) begin the body. */
  private beginRecord(header: RecordHeader, used: number, frame: number, time: number): void {
    this.current = header;
    this.wanted = this.sink.wantsPayload(this.side, header);
    this.state = 'body';
    this.body = null;
    this.bodyFilled = 0;
    this.bodyMissing = 0;
    const extra = this.headLength - used;
    this.headLength = 0;
    if (extra > 0) {
      if (this.wanted) {
        this.body = Buffer.allocUnsafeSlow(header.length);
        this.head.copy(this.body, 0, used, used + extra);
      }
      this.bodyFilled = extra;
    }
    // Complete already (empty record, or an SSLv2 record inside the bytes read as a header): finish it
    // in this frame, whatever comes next.
    if (this.bodyFilled === header.length) this.finishRecord(this.body, true, frame, time);
  }

  private readBody(data: Buffer, pos: number, frame: number, time: number): number {
    const current = this.current as RecordHeader;
    const remaining = current.length - this.bodyFilled;
    const available = data.length - pos;
    const take = remaining < available ? remaining : available;
    if (this.bodyFilled === 0 && take === current.length) {
      // The whole body is in this push: hand on a view, no copy.
      this.offset += take;
      this.bodyFilled = take;
      this.finishRecord(this.wanted ? data.subarray(pos, pos + take) : null, false, frame, time);
      return pos + take;
    }
    if (this.wanted) {
      if (!this.body) this.body = Buffer.allocUnsafeSlow(current.length);
      data.copy(this.body, this.bodyFilled, pos, pos + take);
    }
    this.bodyFilled += take;
    this.offset += take;
    if (this.bodyFilled === current.length) this.finishRecord(this.body, true, frame, time);
    return pos + take;
  }

  private finishRecord(payload: Buffer | null, owned: boolean, frame: number, time: number): void {
    const header = this.current as RecordHeader;
    const missing = this.bodyMissing;
    this.records++;
    this.recordsSinceResync++;
    if (header.format === 'tls') this.lastVersion = header.version;
    this.resetRecord();
    this.state = 'header';
    this.sink.onRecord(this.side, header, missing > 0 || !this.wanted ? null : payload, owned, missing, frame, time);
  }

  private notTls(note: string, data: Buffer, pos: number, frame: number, time: number): number {
    this.state = 'stopped';
    this.resetRecord();
    this.sink.onNotTls(this.side, note, frame, time);
    this.skipped += data.length - pos;
    this.offset += data.length - pos;
    return data.length;
  }

  /**
   * After a gap: look for 5 bytes that make a plausible TLS header with the version this side used
   * before. Up to 4 bytes carry over between pushes in `head`, so the result does not depend on how
   * the stream was cut into pushes.
   */
  private scan(data: Buffer, pos: number, frame: number, time: number): number {
    const carry = this.headLength;
    const total = carry + (data.length - pos);
    const h = this.head;
    for (let i = 0; i + TLS_RECORD_HEADER_LENGTH <= total; i++) {
      const type = this.scanAt(data, pos, carry, i);
      if (type < CONTENT_CHANGE_CIPHER_SPEC || type > CONTENT_HEARTBEAT) continue;
      const major = this.scanAt(data, pos, carry, i + 1);
      const minor = this.scanAt(data, pos, carry, i + 2);
      const length = (this.scanAt(data, pos, carry, i + 3) << 8) | this.scanAt(data, pos, carry, i + 4);
      if (tlsHeaderProblem(type, major, minor, length) !== null) continue;
      if (this.lastVersion >= 0 && ((major << 8) | minor) !== this.lastVersion) continue;
      // Found: bytes before i are skipped; the header is rebuilt in `head`.
      const header = [type, major, minor, this.scanAt(data, pos, carry, i + 3), this.scanAt(data, pos, carry, i + 4)];
      for (let k = 0; k < TLS_RECORD_HEADER_LENGTH; k++) h[k] = header[k];
      this.headLength = TLS_RECORD_HEADER_LENGTH;
      const consumedFromData = i + TLS_RECORD_HEADER_LENGTH - carry;
      this.scanSkipped += i;
      this.skipped += i;
      this.offset += consumedFromData;
      this.format = 'tls';
      this.sink.onResync(this.side, this.scanSkipped, frame, time);
      this.scanSkipped = 0;
      this.recordsSinceResync = 0;
      this.state = 'header';
      this.beginTls(this.offset - TLS_RECORD_HEADER_LENGTH, frame, time);
      return pos + consumedFromData;
    }
    // Nothing yet: keep the last (up to 4) bytes, skip the rest.
    const keep = Math.min(TLS_RECORD_HEADER_LENGTH - 1, total);
    const drop = total - keep;
    const tail = Buffer.allocUnsafe(keep);
    for (let k = 0; k < keep; k++) tail[k] = this.scanAt(data, pos, carry, drop + k);
    tail.copy(h, 0);
    this.headLength = keep;
    this.scanSkipped += drop;
    this.skipped += drop;
    this.offset += data.length - pos;
    return data.length;
  }

  /** Byte i of the carried-over bytes followed by data[pos..]. */
  private scanAt(data: Buffer, pos: number, carry: number, i: number): number {
    return i < carry ? this.head[i] : data[pos + i - carry];
  }
}

/** The body of every empty handshake message (nothing can be written into it). */
const EMPTY_BODY = Buffer.alloc(0);

/** Receives the handshake messages a HandshakeAssembler cuts out of plaintext handshake records. */
export interface HandshakeSink {
  /**
   * One whole handshake message. `body` is null when the message was longer than the reassembly cap
   * (its bytes were skipped, not kept). `owned`: `body` is memory of its own, which outlives the call; otherwise
   * it is a view of bytes the caller reuses (a message wholly inside one record read in place), valid during the
   * call only: copy what is kept. `recordVersion` is the version of the record that carried the message's first
   * byte; `frame`/`time` are those of the record that completed it.
   */
  onMessage(from: Side, type: number, body: Buffer | null, owned: boolean, length: number, recordVersion: number, frame: number, time: number): void;
}

/**
 * Cuts one side's plaintext handshake records into handshake messages (RFC 8446 §5.1: a message may span
 * records and a record may hold several messages). A message's pieces are kept as they come (views of
 * owned record buffers, or copies of transient ones) and joined once, when the message is complete. A message
 * wholly inside one push is handed on as a view, not copied: most are, and most are read there and then and
 * dropped (hellos, key exchanges); the sink copies what it keeps.
 */
export class HandshakeAssembler {
  /** From the shared pool, as TlsRecordReader's. */
  private readonly head = Buffer.allocUnsafe(4).fill(0);
  private headLength = 0;
  private type = -1;
  private length = 0;
  private got = 0;
  private pieces: Buffer[] = [];
  /** The message is longer than the cap: its bytes are counted, not kept. */
  private skipping = false;
  private recordVersion = 0;

  constructor(
    readonly side: Side,
    private readonly sink: HandshakeSink,
    /** Longest message kept, in bytes; longer ones are reported without a body. */
    private readonly maxMessage: number,
  ) {}

  /** Bytes held for a message not yet complete. */
  get buffered(): number {
    return this.headLength + (this.skipping ? 0 : this.got);
  }

  /** The message partly received: its type, declared length, bytes received so far, and whether they are kept. */
  get progress(): { type: number; length: number; received: number; kept: boolean } | null {
    if (this.headLength < 4) return null;
    return { type: this.type, length: this.length, received: this.got, kept: !this.skipping };
  }

  /** Whether a message is partly received. */
  get pending(): boolean {
    return this.headLength > 0;
  }

  /** Forget a partly received message (bytes were lost, or the side's records became encrypted). */
  reset(): void {
    this.headLength = 0;
    this.type = -1;
    this.length = 0;
    this.got = 0;
    this.pieces = [];
    this.skipping = false;
  }

  /** A plaintext handshake record's content. `owned`: the payload outlives this call. */
  push(payload: Buffer, owned: boolean, recordVersion: number, frame: number, time: number): void {
    let pos = 0;
    const end = payload.length;
    while (pos < end) {
      if (this.headLength < 4) {
        if (this.headLength === 0) this.recordVersion = recordVersion;
        while (this.headLength < 4 && pos < end) this.head[this.headLength++] = payload[pos++];
        if (this.headLength < 4) return;
        this.type = this.head[0];
        this.length = (this.head[1] << 16) | (this.head[2] << 8) | this.head[3];
        this.got = 0;
        this.pieces = [];
        this.skipping = this.length > this.maxMessage;
        if (this.length === 0) this.complete(EMPTY_BODY, true, frame, time);
        continue;
      }
      const need = this.length - this.got;
      const take = need < end - pos ? need : end - pos;
      if (!this.skipping) {
        const piece = payload.subarray(pos, pos + take);
        if (take === this.length) {
          pos += take;
          this.complete(piece, owned, frame, time);
          continue;
        }
        this.pieces.push(owned ? piece : ownedCopy(piece));
      }
      this.got += take;
      pos += take;
      if (this.got === this.length) {
        const pieces = this.pieces;
        const body = this.skipping ? null : pieces.length === 1 ? pieces[0] : concatOwned(pieces, this.length);
        this.complete(body, true, frame, time);
      }
    }
  }

  private complete(body: Buffer | null, owned: boolean, frame: number, time: number): void {
    const type = this.type;
    const length = this.length;
    const recordVersion = this.recordVersion;
    this.reset();
    this.sink.onMessage(this.side, type, body, owned, length, recordVersion, frame, time);
  }
}

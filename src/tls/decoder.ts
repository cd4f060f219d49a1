import type { PerSide, Side } from '../tcp/types.js';
import { ownedCopy } from '../capture/bytes.js';
import { BoundedCache } from '../bounded-cache.js';
import type { CertificateMessage, ServerHello, TlsEvent, TlsRecordInfo } from './types.js';
import { sharedClientHello, sharedServerHello } from './shared-hellos.js';
import { parseSslv2ClientMasterKey, parseSslv2Error, parseSslv2ServerHello } from './sslv2.js';
import {
  parseAlert,
  parseCertificateMessage,
  parseClientHello,
  parseServerHello,
  parseServerKeyExchange,
  parseSslv2ClientHello,
  encryptedAlert,
} from './messages.js';
import { contentTypeName, handshakeTypeName, HandshakeType } from './names.js';
import { ConnectionDecryption, type KeyLookup } from './decrypt.js';
import {
  CONTENT_ALERT,
  CONTENT_APPLICATION_DATA,
  CONTENT_CHANGE_CIPHER_SPEC,
  CONTENT_HANDSHAKE,
  CONTENT_HEARTBEAT,
  HandshakeAssembler,
  SSLV2_CLIENT_HELLO,
  SSLV2_CLIENT_MASTER_KEY,
  SSLV2_ERROR,
  SSLV2_RECORD_VERSION,
  SSLV2_SERVER_HELLO,
  TlsRecordReader,
  type HandshakeSink,
  type RecordFormat,
  type RecordHeader,
  type RecordSink,
} from './records.js';

/**
 * TLS 1.3: after the client's answer to the server's flight (its Finished, when decrypted), the records followed
 * for the server's reaction (an alert refusing the client's certificate, or session tickets) at most.
 */
const TLS13_RECORDS_AFTER_CLIENT_FINISHED = 8;

/** An alert is two bytes: level, description (RFC 8446 §6). */
const ALERT_LENGTH = 2;

/**
 * SSLv2 ERROR codes (draft-hickman-netscape-ssl-00 appendix A). An SSLv2 ERROR message ends the
 * handshake like a fatal alert, so it is reported as one, named after the code.
 */
const SSLV2_ERROR_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0001, 'SSLv2 NO-CIPHER-ERROR'],
  [0x0002, 'SSLv2 NO-CERTIFICATE-ERROR'],
  [0x0004, 'SSLv2 BAD-CERTIFICATE-ERROR'],
  [0x0006, 'SSLv2 UNSUPPORTED-CERTIFICATE-TYPE-ERROR'],
]);

/** TLS 1.3 final, its drafts (0x7fXX), Google's experiments (0x7eXX) and Facebook's (0xfbXX). */
export function isTls13Version(version: number): boolean {
  const high = version >> 8;
  return version === 0x0304 || (version <= 0xffff && (high === 0x7f || high === 0x7e || high === 0xfb));
}

export interface TlsDecoderOptions {
  /**
   * Longest handshake message reassembled per side, in bytes (default 1 MiB). A longer one is reported
   * with its type and length but not decoded. Partial records add at most 32 KiB per side.
   */
  maxBufferedPerSide?: number;
  /** Record headers kept in `records` (default 4096); later ones are counted in `recordsDropped`. */
  maxRecords?: number;
  /**
   * false: keep no record header at all (`records` stays empty, nothing is counted as dropped). The analysis
   * reads none (what it needs of records is counted per side), so it keeps none: an object per record of every
   * connection still in its handshake was garbage the collector had to copy. Default true.
   */
  keepRecords?: boolean;
  /** Events kept in `events` (default 2048); later ones are counted in `eventsDropped`. */
  maxEvents?: number;
  /**
   * Application-data events kept per side (default 64). They are kept only while the handshake is not
   * `done()`; every application-data record is counted in `applicationData` regardless.
   */
  maxApplicationDataEvents?: number;
  /**
   * The capture missed the start of both streams (no SYN): look for the first plausible record header
   * instead of judging the first bytes.
   */
  midStream?: boolean;
  /**
   * Secrets from key logs (`--keylog`, a pcapng's Decryption Secrets Blocks): the encrypted handshake messages and
   * alerts are decrypted and reported as what they are (decrypt.ts). Application data is never read.
   */
  keys?: KeyLookup;
}

/** What one side of the connection looked like, for reports. */
export interface TlsSideSummary {
  format: 'unknown' | RecordFormat;
  records: number;
  /** Distinct record-layer versions, in the order first seen (0x0002 for SSLv2 records). */
  recordVersions: number[];
  /** Frame of this side's first encrypted record, or null. */
  encryptedFrom: number | null;
  changeCipherSpec: boolean;
  /** Bytes of this side's stream read (including skipped and missing ones). */
  streamBytes: number;
  /** Bytes currently held for an incomplete record or handshake message. */
  bufferedBytes: number;
  /** Bytes skipped while looking for a record header after a gap, or after the stream stopped being TLS. */
  skippedBytes: number;
  /** Bytes never captured (gaps). */
  missingBytes: number;
  applicationData: { records: number; bytes: number };
  heartbeats: number;
  /** The side's bytes are not TLS (decoding stopped until a gap allows a resynchronisation). */
  notTls: boolean;
  /** One line each: errors and resynchronisations (bounded). */
  notes: string[];
  /** Plaintext handshake, alert or ChangeCipherSpec records with no content (RFC 8446 §5.1 forbids them). Absent when none. */
  zeroLengthRecords?: number;
  /**
   * A handshake message whose header was read but whose body never completed: its declared length, the body bytes
   * received, and whether they were kept (false past the reassembly cap). Absent when none.
   */
  pendingMessage?: { type: number; name: string; length: number; received: number; kept: boolean };
}

interface SideState {
  encrypted: boolean;
  /** Encryption starts with this side's next record (after its ChangeCipherSpec or ServerHello). */
  encryptNext: boolean;
  encryptedFrom: number | null;
  changeCipherSpec: boolean;
  /** TLS ≤ 1.2: the first encrypted handshake record (Finished) after ChangeCipherSpec was seen. */
  finished: boolean;
  /** Records sent under encryption. */
  encryptedRecords: number;
  /** Handshake messages other than ClientHello sent in plaintext (a client past its hello). */
  laterHandshakeMessages: number;
  /** First byte of an alert whose second byte is in the next alert record, or -1. */
  alertCarry: number;
  recordVersions: number[];
  notes: string[];
  applicationData: { records: number; bytes: number };
  applicationDataEvents: number;
  heartbeats: number;
  notTls: boolean;
  /** Records this side completed (any format). */
  records: number;
  sslv2HelloSeen: boolean;
  zeroLengthRecords: number;
}

const MAX_NOTES_PER_SIDE = 20;
/** Problems of one readable but malformed message reported one by one; past it they are counted. */
const MAX_PROBLEMS_PER_MESSAGE = 5;
const MAX_RECORD_VERSIONS = 8;

function newSideState(): SideState {
  return {
    encrypted: false,
    encryptNext: false,
    encryptedFrom: null,
    changeCipherSpec: false,
    finished: false,
    encryptedRecords: 0,
    laterHandshakeMessages: 0,
    alertCarry: -1,
    recordVersions: [],
    notes: [],
    applicationData: { records: 0, bytes: 0 },
    applicationDataEvents: 0,
    heartbeats: 0,
    notTls: false,
    records: 0,
    sslv2HelloSeen: false,
    zeroLengthRecords: 0,
  };
}

/** Whether a record of several alerts is plausible: whole alerts, each of level warning(1) or fatal(2). */
function looksLikeAlerts(payload: Buffer): boolean {
  if (payload.length % ALERT_LENGTH !== 0) return false;
  for (let i = 0; i < payload.length; i += ALERT_LENGTH) {
    const level = payload[i];
    if (level !== 1 && level !== 2) return false;
  }
  return true;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Decodes one connection's TLS: both sides' record streams, their handshake messages, and the
 * encryption state of each side, which decides what each record means.
 *
 * Feed each side's in-order bytes (after any STARTTLS plaintext) in capture order across sides. Each
 * event carries the frame that completed it. Never throws on input bytes: problems become 'error' events.
 */
export class TlsConnectionDecoder implements RecordSink, HandshakeSink {
  /** What was found, in order (bounded by maxEvents; see eventsDropped). */
  readonly events: TlsEvent[] = [];
  /** Every record header (bounded by maxRecords; see recordsDropped). */
  readonly records: TlsRecordInfo[] = [];
  eventsDropped = 0;
  recordsDropped = 0;
  /** Application-data records and payload bytes per side, whether or not kept as events. */
  readonly applicationData: PerSide<{ records: number; bytes: number }>;

  /** -1: keepRecords false (none kept, none counted as dropped). */
  private readonly maxRecords: number;
  private readonly maxEvents: number;
  private readonly maxApplicationDataEvents: number;
  private readonly readers: Record<Side, TlsRecordReader>;
  private readonly assemblers: Record<Side, HandshakeAssembler>;
  private readonly sides: Record<Side, SideState>;

  /** A ServerHello other than a HelloRetryRequest was seen. */
  private serverHelloSeen = false;
  private helloRetryRequest = false;
  private tls13 = false;
  private sslv2Session = false;
  /** TLS 1.3: the client sent an encrypted record after the server's encrypted flight began. */
  private tls13ClientAnswered = false;
  /**
   * TLS 1.3: the frame of that answer, records from either side after it, and whether the server sent one or the
   * client went on in a later frame.
   */
  private tls13AnswerFrame = -1;
  private tls13RecordsAfterAnswer = 0;
  private tls13AnswerFollowed = false;
  private isDone = false;
  /** The capture missed the streams' starts: the encryption state is learnt from the first records. */
  private readonly midStream: boolean;
  /** The suite the ServerHello selected (tells the ServerKeyExchange parser what to expect). */
  private cipherSuite: number | null = null;
  private readonly keys: KeyLookup | null;
  /** Opens protected records: made at the ClientHello when keys are known (null otherwise). */
  private decryption: ConnectionDecryption | null = null;
  /** Cut decrypted handshake records into messages (made at the first one). */
  private decryptedAssemblers: Record<Side, HandshakeAssembler> | null = null;
  /** A decrypted record's content is being handed on: its messages and alerts are marked decrypted. */
  private decrypting = false;
  /** Notes about decryption made (each said once per connection; made at the first). */
  private decryptionNotes: Set<string> | null = null;
  /** TLS 1.3: the client's Finished was decrypted; records after it, and whether the server sent one. */
  private tls13ClientFinished = false;
  private tls13RecordsAfterClientFinished = 0;
  private tls13ServerAfterClientFinished = false;
  private readonly maxBuffered: number;

  constructor(opts: TlsDecoderOptions = {}) {
    const maxBuffered = opts.maxBufferedPerSide ?? 1 << 20;
    this.maxRecords = opts.keepRecords === false ? -1 : (opts.maxRecords ?? 4096);
    this.maxEvents = opts.maxEvents ?? 2048;
    this.maxApplicationDataEvents = opts.maxApplicationDataEvents ?? 64;
    const midStream = opts.midStream ?? false;
    this.midStream = midStream;
    this.maxBuffered = maxBuffered;
    this.keys = opts.keys ?? null;
    this.readers = {
      client: new TlsRecordReader('client', this, midStream),
      server: new TlsRecordReader('server', this, midStream),
    };
    this.assemblers = {
      client: new HandshakeAssembler('client', this, maxBuffered),
      server: new HandshakeAssembler('server', this, maxBuffered),
    };
    this.sides = { client: newSideState(), server: newSideState() };
    this.applicationData = { client: this.sides.client.applicationData, server: this.sides.server.applicationData };
  }

  /** In-order bytes of one side's TLS stream (after any STARTTLS plaintext), in capture order across sides. */
  push(from: Side, data: Buffer, frame: number, time: number): void {
    if (data.length === 0) return;
    try {
      this.readers[from].push(data, frame, time);
    } catch (error) {
      // A bug in the record layer must not take the whole run down: report it and stop this side.
      this.error(from, frame, time, `internal error in the TLS record layer: ${errorText(error)}; decoding of this side stopped`);
      this.readers[from].stop();
      this.sides[from].notTls = true;
    }
  }

  /** `length` bytes of that side were never captured: resynchronise on the next plausible record header. */
  gap(from: Side, length: number, frame: number, time: number): void {
    if (!(length > 0)) return;
    try {
      const reader = this.readers[from];
      const inside = reader.gap(length, frame, time);
      this.assemblers[from].reset();
      this.sides[from].alertCarry = -1;
      this.sides[from].notTls = false;
      const where = inside === 'inside-record' ? ' (inside a record)' : '';
      this.error(from, frame, time, `${length} bytes missing from the capture${where}; decoding resumed at the next record`);
    } catch (error) {
      this.error(from, frame, time, `internal error handling a gap: ${errorText(error)}`);
    }
  }

  /**
   * True once neither side's bytes are still needed for the handshake: both sides past their Finished
   * (TLS ≤ 1.2), the client answered the server's encrypted flight and the connection went on (TLS 1.3),
   * both sides sent encrypted SSLv2 records, or the stream is not TLS.
   */
  done(): boolean {
    return this.isDone;
  }

  /** Per-side state for reports. */
  side(from: Side): TlsSideSummary {
    const s = this.sides[from];
    const reader = this.readers[from];
    const summary: TlsSideSummary = {
      format: reader.format,
      records: s.records,
      recordVersions: s.recordVersions.slice(),
      encryptedFrom: s.encryptedFrom,
      changeCipherSpec: s.changeCipherSpec,
      streamBytes: reader.offset,
      bufferedBytes: reader.buffered + this.assemblers[from].buffered,
      skippedBytes: reader.skipped,
      missingBytes: reader.missingBytes,
      applicationData: { ...s.applicationData },
      heartbeats: s.heartbeats,
      notTls: s.notTls,
      notes: s.notes.slice(),
    };
    if (s.zeroLengthRecords > 0) summary.zeroLengthRecords = s.zeroLengthRecords;
    const pending = this.assemblers[from].progress;
    if (pending) summary.pendingMessage = { ...pending, name: handshakeTypeName(pending.type) };
    return summary;
  }

  // ---- RecordSink ------------------------------------------------------------------------------

  wantsPayload(from: Side, header: RecordHeader): boolean {
    const s = this.sides[from];
    if (header.format === 'sslv2') return !s.encrypted;
    // Protected records to open (and, in TLS 1.0 CBC, the last block of the others: the next record's IV).
    if (this.decryption && (s.encrypted || (this.tls13 && header.contentType === CONTENT_APPLICATION_DATA)) && header.contentType !== CONTENT_CHANGE_CIPHER_SPEC && this.decryption.opens(from)) return true;
    switch (header.contentType) {
      case CONTENT_HANDSHAKE:
        return !s.encrypted;
      case CONTENT_ALERT:
        // An encrypted alert cannot be read; a 2-byte one is plaintext whatever the state (see below).
        return !s.encrypted || header.length === ALERT_LENGTH;
      case CONTENT_CHANGE_CIPHER_SPEC:
        // Its one byte is checked (tlsRecord); a longer one is malformed whatever it holds.
        return !s.encrypted && header.length === 1;
      default:
        return false;
    }
  }

  onRecord(from: Side, header: RecordHeader, payload: Buffer | null, owned: boolean, missing: number, frame: number, time: number): void {
    const s = this.sides[from];
    s.records++;
    s.notTls = false;
    if (this.records.length < this.maxRecords) {
      const info: TlsRecordInfo = { from, contentType: header.contentType, version: header.version, length: header.length, frame, time };
      if (header.format === 'sslv2') info.sslv2 = true;
      this.records.push(info);
    } else if (this.maxRecords >= 0) {
      this.recordsDropped++;
    }
    if (s.recordVersions.length < MAX_RECORD_VERSIONS && !s.recordVersions.includes(header.version)) s.recordVersions.push(header.version);
    if (header.length === 0 && header.format === 'tls' && !s.encrypted && header.contentType >= CONTENT_CHANGE_CIPHER_SPEC && header.contentType <= CONTENT_HANDSHAKE) s.zeroLengthRecords++;
    try {
      if (header.format === 'sslv2') this.sslv2Record(from, header, payload, frame, time);
      else this.tlsRecord(from, header, payload, owned, missing, frame, time);
    } catch (error) {
      const what = header.format === 'sslv2' ? 'an SSLv2' : `a ${contentTypeName(header.contentType)}`;
      this.error(from, frame, time, `internal error decoding ${what} record: ${errorText(error)}`);
    }
    if (s.encryptNext) {
      s.encryptNext = false;
      this.startEncryption(from, frame, time);
    }
    this.updateDone(from);
  }

  onNotTls(from: Side, note: string, frame: number, time: number): void {
    this.sides[from].notTls = true;
    this.error(from, frame, time, note);
    this.updateDone(from);
  }

  onResync(from: Side, skipped: number, frame: number, time: number): void {
    this.note(from, `frame ${frame}: found a record header again after skipping ${skipped} bytes`);
  }

  // ---- HandshakeSink ---------------------------------------------------------------------------

  onMessage(from: Side, type: number, body: Buffer | null, owned: boolean, length: number, recordVersion: number, frame: number, time: number): void {
    const s = this.sides[from];
    const event: Extract<TlsEvent, { kind: 'handshake' }> = {
      kind: 'handshake',
      from,
      frame,
      time,
      type,
      name: handshakeTypeName(type),
      length,
      encrypted: false,
    };
    if (this.decrypting) event.decrypted = true;
    if (type !== HandshakeType.ClientHello) s.laterHandshakeMessages++;
    let problem: string | null = null;
    /**
     * What was wrong in a ClientHello that could still be read (an extension running past its block, …): a client's
     * malformed hello explains a server's refusal. (The other parsers' problems stay on their messages: a draft
     * TLS 1.3 ServerHello legitimately carries what the final parser calls malformed.)
     */
    let readableButWrong: string[] | undefined;
    if (body === null) {
      problem = `${event.name} of ${length} bytes is longer than the reassembly limit; not decoded`;
    } else {
      switch (type) {
        case HandshakeType.ClientHello: {
          const r = parseClientHello(body, recordVersion);
          if (r.ok) {
            event.clientHello = sharedClientHello(r.value);
            readableButWrong = r.value.problems;
            if (this.keys && !this.keys.empty) (this.decryption ??= new ConnectionDecryption(this.keys)).clientHello(r.value.random);
          } else problem = `malformed ClientHello: ${r.error}`;
          break;
        }
        case HandshakeType.ServerHello: {
          const r = parseServerHello(body);
          if (r.ok) {
            event.serverHello = sharedServerHello(r.value);
            if (!r.value.helloRetryRequest) this.cipherSuite = r.value.cipherSuite;
            this.onServerHello(r.value.helloRetryRequest, r.value.selectedVersion);
            if (!r.value.helloRetryRequest) this.decryption?.serverHello(r.value.random, r.value.cipherSuite, r.value.selectedVersion, this.tls13, r.value.extensions);
          } else {
            problem = `malformed ServerHello: ${r.error}`;
            // Go on with what the fixed part says, so that the records that follow are read correctly.
            this.onServerHello(false, body.length >= 2 ? body.readUInt16BE(0) : 0);
          }
          break;
        }
        case HandshakeType.HelloRetryRequest:
          this.helloRetryRequest = true;
          break;
        case HandshakeType.Certificate: {
          // The certificates are views of the shared body, which is memory of its own (a copy when `body` is not).
          const r = parsedCertificateMessage(sharedCertificateBody(body, owned), this.tls13);
          if (r.ok) {
            event.certificate = r.value;
          } else problem = `malformed Certificate: ${r.error}`;
          break;
        }
        case HandshakeType.ServerKeyExchange: {
          const r = parseServerKeyExchange(body, this.cipherSuite ?? undefined);
          if (r.ok) event.serverKeyExchange = r.value;
          else problem = `malformed ServerKeyExchange: ${r.error}`;
          break;
        }
      }
    }
    this.emit(event);
    if (this.decrypting) this.afterDecryptedMessage(from, type);
    if (problem) this.error(from, frame, time, problem, body === null ? undefined : event.name);
    if (readableButWrong) {
      const shown = readableButWrong.length > MAX_PROBLEMS_PER_MESSAGE ? MAX_PROBLEMS_PER_MESSAGE - 1 : readableButWrong.length;
      for (let i = 0; i < shown; i++) this.error(from, frame, time, `malformed ${event.name}: ${readableButWrong[i].replace(/^ClientHello: /, '')}`, event.name);
      if (shown < readableButWrong.length) this.error(from, frame, time, `malformed ${event.name}: ${readableButWrong.length - shown} more problems`, event.name);
    }
  }

  // ---- TLS records -----------------------------------------------------------------------------

  private tlsRecord(from: Side, header: RecordHeader, payload: Buffer | null, owned: boolean, missing: number, frame: number, time: number): void {
    const s = this.sides[from];
    const type = header.contentType;
    // Joined mid-connection: a side whose first record is application data is past its handshake.
    if (this.midStream && s.records === 1 && type === CONTENT_APPLICATION_DATA) {
      this.startEncryption(from, frame, time);
      s.finished = true;
    }
    // TLS 1.3: the client's first application_data record after the ServerHello is encrypted handshake
    // traffic (its Finished), whether or not a middlebox-compatibility ChangeCipherSpec came first.
    if (!s.encrypted && this.tls13 && from === 'client' && type === CONTENT_APPLICATION_DATA) this.startEncryption(from, frame, time);
    if (s.encrypted) {
      if (s.encryptedFrom === null) s.encryptedFrom = frame;
      // A (compatibility) ChangeCipherSpec is never protected: it does not count as encrypted traffic.
      if (type !== CONTENT_CHANGE_CIPHER_SPEC) {
        s.encryptedRecords++;
        this.countTls13Progress(from, frame);
      }
      this.encryptedTlsRecord(from, header, payload, frame, time);
      return;
    }
    switch (type) {
      case CONTENT_CHANGE_CIPHER_SPEC:
        // RFC 5246 §7.1: exactly one byte, 1; a peer rejects anything else (unexpected_message or decode_error).
        if (header.length > 0 && (header.length !== 1 || (payload !== null && payload[0] !== 1))) {
          this.error(from, frame, time, `malformed ChangeCipherSpec: ${header.length === 1 ? `value ${payload![0]}` : `${header.length} bytes`} (must be the one byte 1: a peer rejects it)`, 'ChangeCipherSpec');
        }
        this.onChangeCipherSpec(from, frame, time);
        break;
      case CONTENT_ALERT:
        if (payload) this.plaintextAlerts(from, payload, frame, time);
        else if (missing > 0) s.alertCarry = -1;
        break;
      case CONTENT_HANDSHAKE:
        if (payload) this.assemblers[from].push(payload, owned, header.version, frame, time);
        else this.assemblers[from].reset();
        break;
      case CONTENT_APPLICATION_DATA:
        this.applicationDataRecord(from, header.length, frame, time);
        break;
      case CONTENT_HEARTBEAT:
        s.heartbeats++;
        break;
    }
  }

  private encryptedTlsRecord(from: Side, header: RecordHeader, payload: Buffer | null, frame: number, time: number): void {
    const s = this.sides[from];
    if (this.decryption && payload && header.contentType !== CONTENT_CHANGE_CIPHER_SPEC && this.openRecord(from, header, payload, frame, time)) return;
    switch (header.contentType) {
      case CONTENT_HANDSHAKE:
        if (!s.finished) s.finished = true;
        this.emit({ kind: 'handshake', from, frame, time, type: -1, name: 'EncryptedHandshakeMessage', length: header.length, encrypted: true });
        break;
      case CONTENT_ALERT:
        // A protected record is never 2 bytes long (it carries at least a MAC or an AEAD tag), so a 2-byte
        // alert after encryption started was sent in plaintext (draft TLS 1.3 clients do this) and is read.
        if (payload && header.length === ALERT_LENGTH) this.plaintextAlerts(from, payload, frame, time);
        else this.emit({ kind: 'alert', from, frame, time, alert: encryptedAlert() });
        break;
      case CONTENT_CHANGE_CIPHER_SPEC:
        s.changeCipherSpec = true;
        this.emit({ kind: 'change-cipher-spec', from, frame, time });
        break;
      case CONTENT_APPLICATION_DATA:
        this.applicationDataRecord(from, header.length, frame, time);
        break;
      case CONTENT_HEARTBEAT:
        s.heartbeats++;
        break;
    }
  }

  /**
   * A protected record opened with the key log: its handshake messages and alerts go on as plaintext ones, marked
   * decrypted. False when it was not opened (no keys, a failure: said once in a note) or is not to be opened
   * (TLS ≤ 1.2 application data): it is then reported as encrypted.
   */
  private openRecord(from: Side, header: RecordHeader, payload: Buffer, frame: number, time: number): boolean {
    const decryption = this.decryption!;
    const type = header.contentType;
    if ((!this.tls13 && type === CONTENT_APPLICATION_DATA) || type === CONTENT_HEARTBEAT) {
      decryption.skip(from, payload);
      return false;
    }
    // Two bytes cannot be protected (see encryptedTlsRecord): a plaintext alert, read as one.
    if (type === CONTENT_ALERT && header.length === ALERT_LENGTH) return false;
    const opening = decryption.open(from, type, header.version, payload);
    if (opening.kind === 'not-opened') {
      const said = (this.decryptionNotes ??= new Set());
      if (opening.note && !said.has(opening.note)) {
        said.add(opening.note);
        this.note(from, `frame ${frame}: ${opening.note}`);
      }
      return false;
    }
    if (opening.kind === 'application-data') {
      this.applicationDataRecord(from, header.length, frame, time);
      return true;
    }
    const s = this.sides[from];
    this.decrypting = true;
    try {
      switch (opening.contentType) {
        case CONTENT_HANDSHAKE:
          if (!s.finished) s.finished = true;
          this.decryptedAssembler(from).push(opening.content, true, header.version, frame, time);
          return true;
        case CONTENT_ALERT:
          for (let pos = 0; pos < opening.content.length; pos += ALERT_LENGTH) this.alert(from, opening.content.subarray(pos, pos + ALERT_LENGTH), frame, time);
          return true;
        default:
          return false;
      }
    } finally {
      this.decrypting = false;
    }
  }

  private decryptedAssembler(from: Side): HandshakeAssembler {
    this.decryptedAssemblers ??= { client: new HandshakeAssembler('client', this, this.maxBuffered), server: new HandshakeAssembler('server', this, this.maxBuffered) };
    return this.decryptedAssemblers[from];
  }

  /** A decrypted Finished or KeyUpdate changes the keys of that side's next records. */
  private afterDecryptedMessage(from: Side, type: number): void {
    if (type === HandshakeType.Finished) {
      this.decryption!.finished(from);
      if (from === 'client' && this.tls13) this.tls13ClientFinished = true;
    } else if (type === HandshakeType.KeyUpdate) {
      this.decryption!.keyUpdate(from);
    }
  }

  private onChangeCipherSpec(from: Side, frame: number, time: number): void {
    const s = this.sides[from];
    s.changeCipherSpec = true;
    this.emit({ kind: 'change-cipher-spec', from, frame, time });
    if (this.tls13) {
      // The server is already encrypted; the client's compatibility CCS precedes its encrypted flight.
      if (from === 'client') s.encryptNext = true;
      return;
    }
    // TLS 1.3 middlebox compatibility: a CCS around a HelloRetryRequest changes nothing.
    if (this.helloRetryRequest && !this.serverHelloSeen) return;
    // A client CCS right after its ClientHello (TLS 1.3 compatibility mode, before any ServerHello) does
    // not start encryption; after a ClientKeyExchange (or once the ServerHello is known) it does.
    if (from === 'client' && !this.serverHelloSeen && s.laterHandshakeMessages === 0) return;
    s.encryptNext = true;
    this.decryption?.changeCipherSpec(from);
  }

  private onServerHello(helloRetryRequest: boolean, selectedVersion: number): void {
    if (helloRetryRequest) {
      this.helloRetryRequest = true;
      return;
    }
    this.serverHelloSeen = true;
    if (isTls13Version(selectedVersion)) {
      this.tls13 = true;
      // RFC 8446 §2: everything the server sends after its ServerHello is protected.
      this.sides.server.encryptNext = true;
    }
  }

  private startEncryption(from: Side, frame: number, time: number): void {
    const s = this.sides[from];
    if (s.encrypted) return;
    s.encrypted = true;
    const assembler = this.assemblers[from];
    if (assembler.pending) {
      this.error(from, frame, time, 'an incomplete handshake message was cut off by the start of encryption');
      assembler.reset();
    }
  }

  private plaintextAlerts(from: Side, payload: Buffer, frame: number, time: number): void {
    const s = this.sides[from];
    if (s.alertCarry < 0 && payload.length > ALERT_LENGTH && !looksLikeAlerts(payload)) {
      // Longer than one alert and not a run of alerts: protected under a state this decoder did not see
      // begin (a capture that starts mid-connection, or a ChangeCipherSpec lost in a gap).
      this.emit({ kind: 'alert', from, frame, time, alert: encryptedAlert() });
      return;
    }
    let pos = 0;
    if (s.alertCarry >= 0 && payload.length > 0) {
      this.alert(from, Buffer.from([s.alertCarry, payload[0]]), frame, time);
      s.alertCarry = -1;
      pos = 1;
    }
    for (; pos + ALERT_LENGTH <= payload.length; pos += ALERT_LENGTH) this.alert(from, payload.subarray(pos, pos + ALERT_LENGTH), frame, time);
    if (pos < payload.length) s.alertCarry = payload[pos];
  }

  private alert(from: Side, bytes: Buffer, frame: number, time: number): void {
    const r = parseAlert(bytes);
    if (r.ok && this.decrypting) r.value.decrypted = true;
    if (r.ok) this.emit({ kind: 'alert', from, frame, time, alert: r.value });
    else this.error(from, frame, time, `malformed alert: ${r.error}`, 'Alert');
  }

  private applicationDataRecord(from: Side, length: number, frame: number, time: number): void {
    const s = this.sides[from];
    s.applicationData.records++;
    s.applicationData.bytes += length;
    if (this.isDone || s.applicationDataEvents >= this.maxApplicationDataEvents) return;
    s.applicationDataEvents++;
    this.emit({ kind: 'application-data', from, frame, time, length });
  }

  // ---- SSLv2 records ---------------------------------------------------------------------------

  private sslv2Record(from: Side, header: RecordHeader, payload: Buffer | null, frame: number, time: number): void {
    const s = this.sides[from];
    if (!s.encrypted && payload && payload.length > 0) {
      const messageType = payload[0];
      if (from === 'client' && !s.sslv2HelloSeen && messageType === SSLV2_CLIENT_HELLO) {
        s.sslv2HelloSeen = true;
        this.sslv2ClientHello(header, payload, frame, time);
        return;
      }
      if (from === 'server' && !s.sslv2HelloSeen && messageType === SSLV2_SERVER_HELLO) {
        s.sslv2HelloSeen = true;
        this.sslv2ServerHello(payload, frame, time);
        return;
      }
      if (from === 'client' && messageType === SSLV2_CLIENT_MASTER_KEY) {
        const event: Extract<TlsEvent, { kind: 'handshake' }> = { kind: 'handshake', from, frame, time, type: HandshakeType.ClientKeyExchange, name: 'SSLv2 ClientMasterKey', length: payload.length - 1, encrypted: false, sslv2Type: SSLV2_CLIENT_MASTER_KEY };
        const masterKey = parseSslv2ClientMasterKey(payload);
        if (masterKey.ok) event.sslv2CipherKind = masterKey.value.cipherKind;
        this.emit(event);
        s.laterHandshakeMessages++;
        s.encryptNext = true;
        return;
      }
      const error = messageType === SSLV2_ERROR ? parseSslv2Error(payload) : null;
      if (error?.ok) {
        const code = error.value.code;
        const name = SSLV2_ERROR_NAMES.get(code) ?? `SSLv2 error 0x${code.toString(16).padStart(4, '0')}`;
        this.emit({ kind: 'alert', from, frame, time, alert: { level: 2, description: code, name, encrypted: false } });
        return;
      }
    }
    if (!s.encrypted && payload === null && header.length > 0) {
      // Bytes of a plaintext SSLv2 message are missing: nothing to decode.
      return;
    }
    // Anything else on an SSLv2 side is protected: SERVER-VERIFY, CLIENT-FINISHED, SERVER-FINISHED, data.
    this.startEncryption(from, frame, time);
    if (s.encryptedFrom === null) s.encryptedFrom = frame;
    s.encryptedRecords++;
    if (this.isDone) {
      s.applicationData.records++;
      s.applicationData.bytes += header.length;
      return;
    }
    this.emit({ kind: 'handshake', from, frame, time, type: -1, name: 'EncryptedHandshakeMessage', length: header.length, encrypted: true, sslv2Type: -1 });
  }

  private sslv2ClientHello(header: RecordHeader, payload: Buffer, frame: number, time: number): void {
    // The message parser reads the whole record, header included.
    const record = Buffer.allocUnsafe(2 + payload.length);
    record[0] = 0x80 | (header.length >> 8);
    record[1] = header.length & 0xff;
    payload.copy(record, 2);
    const r = parseSslv2ClientHello(record);
    const event: Extract<TlsEvent, { kind: 'handshake' }> = {
      kind: 'handshake',
      from: 'client',
      frame,
      time,
      type: HandshakeType.ClientHello,
      name: handshakeTypeName(HandshakeType.ClientHello),
      length: payload.length - 1,
      encrypted: false,
    };
    const version = payload.length >= 3 ? payload.readUInt16BE(1) : 0;
    // A hello that offers only SSLv2 starts a pure SSLv2 session; one offering SSLv3/TLS is the
    // compatibility form, answered in TLS records.
    if (version === SSLV2_RECORD_VERSION) event.sslv2Type = SSLV2_CLIENT_HELLO;
    if (r.ok) event.clientHello = sharedClientHello(r.value);
    this.emit(event);
    if (!r.ok) this.error('client', frame, time, `malformed SSLv2 ClientHello: ${r.error}`, 'SSLv2 ClientHello');
  }

  /** SERVER-HELLO (draft-hickman §2.6): type, session-id-hit, certificate type, version, three lengths. */
  private sslv2ServerHello(payload: Buffer, frame: number, time: number): void {
    this.sslv2Session = true;
    this.readers.client.peerSslv2 = true;
    this.readers.server.peerSslv2 = true;
    const event: Extract<TlsEvent, { kind: 'handshake' }> = {
      kind: 'handshake',
      from: 'server',
      frame,
      time,
      type: HandshakeType.ServerHello,
      name: 'SSLv2 ServerHello',
      length: payload.length - 1,
      encrypted: false,
      sslv2Type: SSLV2_SERVER_HELLO,
    };
    const r = parseSslv2ServerHello(payload);
    if (r.ok) {
      const hello = r.value;
      const serverHello: ServerHello = {
        version: hello.version,
        selectedVersion: hello.version,
        random: hello.connectionId.toString('hex'),
        sessionId: '',
        cipherSuite: hello.cipherSpecs[0] ?? -1,
        compressionMethod: 0,
        extensions: [],
        helloRetryRequest: false,
        keyShareGroup: null,
        alpn: null,
      };
      event.serverHello = sharedServerHello(serverHello);
      if (hello.certificate.length > 0) {
        const certificate: CertificateMessage = { certificates: [ownedCopy(hello.certificate)], totalLength: hello.certificate.length };
        event.certificate = certificate;
      }
      // A session-id hit skips CLIENT-MASTER-KEY: the client's next record is already protected.
      if (hello.sessionIdHit) this.startEncryption('client', frame, time);
    }
    this.sides.server.encryptNext = true;
    this.emit(event);
    if (!r.ok) this.error('server', frame, time, `malformed SSLv2 ServerHello: ${r.error}`, 'SSLv2 ServerHello');
  }

  // ---- bookkeeping -----------------------------------------------------------------------------

  private countTls13Progress(from: Side, frame: number): void {
    if (!this.tls13) return;
    if (this.tls13ClientFinished) {
      this.tls13RecordsAfterClientFinished++;
      if (from === 'server') this.tls13ServerAfterClientFinished = true;
      return;
    }
    if (this.tls13ClientAnswered) {
      this.tls13RecordsAfterAnswer++;
      // The server's reaction, or the client going on in a later packet than its answer (its flight is sent at once).
      if (from === 'server' || frame !== this.tls13AnswerFrame) this.tls13AnswerFollowed = true;
      return;
    }
    if (from === 'client' && this.sides.server.encryptedRecords > 0) {
      this.tls13ClientAnswered = true;
      this.tls13AnswerFrame = frame;
    }
  }

  private updateDone(from: Side): void {
    if (this.isDone) return;
    const client = this.sides.client;
    const server = this.sides.server;
    let done: boolean;
    if (client.notTls && client.records === 0 && from === 'client') done = true;
    else if (client.notTls && server.notTls) done = true;
    else if (this.sslv2Session) done = (client.encryptedRecords > 0 || client.notTls) && (server.encryptedRecords > 0 || server.notTls);
    else if (this.tls13ClientFinished) done = this.tls13ServerAfterClientFinished || this.tls13RecordsAfterClientFinished >= TLS13_RECORDS_AFTER_CLIENT_FINISHED;
    // The client's records being decrypted, its Finished will be seen: the answer that matters comes after it.
    // Otherwise the client's answer (its Certificate and Finished may take several records) is followed until
    // the server's reaction to it (an alert refusing the client's certificate, tls13-refusal.ts), the client's
    // next packet, or a few records.
    else if (this.tls13) done = !this.decryption?.opens('client') && (this.tls13AnswerFollowed || this.tls13RecordsAfterAnswer >= TLS13_RECORDS_AFTER_CLIENT_FINISHED);
    else done = (client.finished || client.notTls) && (server.finished || server.notTls);
    if (done) this.isDone = true;
  }

  private emit(event: TlsEvent): void {
    if (this.events.length < this.maxEvents) this.events.push(event);
    else this.eventsDropped++;
  }

  private error(from: Side, frame: number, time: number, note: string, malformed?: string): void {
    this.emit(malformed === undefined ? { kind: 'error', from, frame, time, note } : { kind: 'error', from, frame, time, note, malformed });
    this.note(from, `frame ${frame}: ${note}`);
  }

  private note(from: Side, note: string): void {
    const notes = this.sides[from].notes;
    if (notes.length < MAX_NOTES_PER_SIDE) notes.push(note);
  }
}

/**
 * A server sends the same chain to every client, so thousands of open connections would each keep a copy
 * of the same few kilobytes until they close: an identical Certificate body seen before is shared instead.
 * Found by a cheap key (its length and its last bytes), then compared in full. Chains that end in the same
 * intermediate certificate often have the same key (a server's chains for two names, two servers under one CA):
 * a key holds a few bodies. Bounded, and only for bodies of a real chain's size.
 */
const CERTIFICATE_KEYS = 64;
const certificateBodies = new BoundedCache<number, Buffer[]>(CERTIFICATE_KEYS);
const BODIES_PER_KEY = 8;
const MAX_SHARED_CERTIFICATE_BODY = 64 * 1024;
/** Bytes from the end of a body that go into its key. */
const KEYED_TAIL = 64;

/** `owned` false: `body` is a view of bytes about to be reused, copied when it is the one kept. */
export function sharedCertificateBody(body: Buffer, owned = true): Buffer {
  if (body.length > MAX_SHARED_CERTIFICATE_BODY) return owned ? body : ownedCopy(body);
  let key = Math.imul(body.length, 0x9e3779b1);
  for (let i = Math.max(0, body.length - KEYED_TAIL); i < body.length; i++) key = Math.imul(key ^ body[i]!, 0x01000193);
  key >>>= 0;
  let bodies = certificateBodies.get(key);
  if (bodies) {
    for (const seen of bodies) if (seen.equals(body)) return seen;
  } else {
    certificateBodies.set(key, (bodies = []));
  }
  const kept = owned ? body : ownedCopy(body);
  if (bodies.length < BODIES_PER_KEY) bodies.push(kept);
  return kept;
}

/** A shared Certificate body read once (the message and its certificates' views are the same objects then). */
const parsedBodies = { tls12: new WeakMap<Buffer, ReturnType<typeof parseCertificateMessage>>(), tls13: new WeakMap<Buffer, ReturnType<typeof parseCertificateMessage>>() };

function parsedCertificateMessage(body: Buffer, tls13: boolean): ReturnType<typeof parseCertificateMessage> {
  const parsed = tls13 ? parsedBodies.tls13 : parsedBodies.tls12;
  let r = parsed.get(body);
  if (r === undefined) {
    r = parseCertificateMessage(body, tls13, false);
    parsed.set(body, r);
  }
  return r;
}

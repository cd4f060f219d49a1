import { HandshakeType } from '../tls/names.js';
import type { Side } from '../tcp/types.js';
import { isTls13Version } from '../tls/decoder.js';
import type { Alert, ClientHello, ServerHello, TlsEvent } from '../tls/types.js';
import {
  HISTORY_ALERT,
  HISTORY_CHANGE_CIPHER_SPEC,
  HISTORY_HELLO_RETRY_REQUEST,
  HISTORY_LETTER_BY_HANDSHAKE_TYPE,
  HISTORY_MAX_LENGTH,
  HISTORY_UNKNOWN_HANDSHAKE,
  stepName,
} from './steps.js';

/** The real shape of a handshake; each maps its messages onto the nine classic steps differently. */
export type Shape = 'full' | 'resumed' | 'tls13' | 'sslv2' | 'none';

/**
 * What a message means for the walk. Plaintext handshake messages keep their RFC names; the others are
 * the walk's own words for things that can only be recognised by their place in the stream.
 */
export type Move =
  | 'ClientHello'
  | 'ServerHello'
  | 'HelloRetryRequest'
  /** TLS 1.3, read with a key log: the first message of the server's encrypted flight. */
  | 'EncryptedExtensions'
  | 'Certificate'
  | 'CertificateStatus'
  | 'ServerKeyExchange'
  | 'CertificateRequest'
  | 'ServerHelloDone'
  | 'ClientKeyExchange'
  | 'CertificateVerify'
  | 'NewSessionTicket'
  | 'ChangeCipherSpec'
  /** The first encrypted handshake message after a side's ChangeCipherSpec (TLS ≤ 1.2). */
  | 'Finished'
  /** TLS 1.3: encrypted handshake records (the server's flight; the client's Certificate…Finished). */
  | 'EncryptedFlight'
  /** SSLv2 messages. */
  | 'SSLv2 ClientMasterKey'
  | 'SSLv2 Encrypted';

type Transition = readonly [shape: Shape, from: Side, move: Move, step: number | null];

/**
 * The transition table: in a handshake of this shape, this message from this side reaches this step
 * (null: shown in the timeline, but not a step of its own). Check it against RFC 5246 §7.3 (full),
 * RFC 5246 §7.3 figure 2 (abbreviated: the server's ChangeCipherSpec and Finished come first),
 * RFC 8446 §2 (TLS 1.3: the server's flight after ServerHello is steps 3–4, the client's encrypted
 * flight is 5–7, and a finished 1.3 handshake counts as 9) and the SSLv2 draft (hello, master key).
 */
export const TRANSITIONS: readonly Transition[] = [
  ['full', 'client', 'ClientHello', 1],
  ['full', 'server', 'ServerHello', 2],
  ['full', 'server', 'Certificate', 3],
  ['full', 'server', 'CertificateStatus', 3],
  ['full', 'server', 'ServerKeyExchange', 3],
  ['full', 'server', 'CertificateRequest', 3],
  ['full', 'server', 'ServerHelloDone', 4],
  ['full', 'client', 'Certificate', 5],
  ['full', 'client', 'ClientKeyExchange', 5],
  ['full', 'client', 'CertificateVerify', 5],
  ['full', 'client', 'ChangeCipherSpec', 6],
  ['full', 'client', 'Finished', 7],
  ['full', 'server', 'NewSessionTicket', null],
  ['full', 'server', 'ChangeCipherSpec', 8],
  ['full', 'server', 'Finished', 9],

  ['resumed', 'client', 'ClientHello', 1],
  ['resumed', 'server', 'ServerHello', 2],
  ['resumed', 'server', 'NewSessionTicket', null],
  ['resumed', 'server', 'ChangeCipherSpec', 8],
  ['resumed', 'server', 'Finished', 9],
  ['resumed', 'client', 'ChangeCipherSpec', 6],
  ['resumed', 'client', 'Finished', 7],

  ['tls13', 'client', 'ClientHello', 1],
  ['tls13', 'server', 'HelloRetryRequest', null],
  ['tls13', 'server', 'ServerHello', 2],
  ['tls13', 'server', 'ChangeCipherSpec', null],
  ['tls13', 'server', 'EncryptedFlight', 3],
  ['tls13', 'client', 'ChangeCipherSpec', null],
  ['tls13', 'client', 'EncryptedFlight', 7],
  // The same flights decrypted with a key log: each message in its place (RFC 8446 §2, figure 1).
  ['tls13', 'server', 'EncryptedExtensions', 3],
  ['tls13', 'server', 'CertificateRequest', 3],
  ['tls13', 'server', 'Certificate', 3],
  ['tls13', 'server', 'CertificateVerify', 3],
  ['tls13', 'server', 'Finished', 4],
  ['tls13', 'client', 'Certificate', 5],
  ['tls13', 'client', 'CertificateVerify', 5],
  ['tls13', 'client', 'Finished', 7],
  ['tls13', 'server', 'NewSessionTicket', null],

  ['sslv2', 'client', 'ClientHello', 1],
  ['sslv2', 'server', 'ServerHello', 2],
  ['sslv2', 'client', 'SSLv2 ClientMasterKey', 5],
  ['sslv2', 'client', 'SSLv2 Encrypted', 7],
  ['sslv2', 'server', 'SSLv2 Encrypted', 9],
];

/** shape → side → move → step: looked up without building a key string per message. */
const bySide = (): Record<Side, Map<Move | null, number | null>> => ({ client: new Map(), server: new Map() });
const TRANSITION_INDEX: Readonly<Record<Shape, Record<Side, Map<Move | null, number | null>>>> = { full: bySide(), resumed: bySide(), tls13: bySide(), sslv2: bySide(), none: bySide() };
for (const [shape, from, move, step] of TRANSITIONS) TRANSITION_INDEX[shape][from].set(move, step);

/** The step this move reaches in a handshake of this shape: null when the table says none, undefined when it has no row. */
export function transition(shape: Shape, from: Side, move: Move | null): number | null | undefined {
  return TRANSITION_INDEX[shape][from].get(move);
}

const MOVE_BY_HANDSHAKE_TYPE: Readonly<Record<number, Move>> = {
  [HandshakeType.ClientHello]: 'ClientHello',
  [HandshakeType.ServerHello]: 'ServerHello',
  [HandshakeType.NewSessionTicket]: 'NewSessionTicket',
  [HandshakeType.Certificate]: 'Certificate',
  [HandshakeType.ServerKeyExchange]: 'ServerKeyExchange',
  [HandshakeType.CertificateRequest]: 'CertificateRequest',
  [HandshakeType.ServerHelloDone]: 'ServerHelloDone',
  [HandshakeType.CertificateVerify]: 'CertificateVerify',
  [HandshakeType.ClientKeyExchange]: 'ClientKeyExchange',
  [HandshakeType.Finished]: 'Finished',
  [HandshakeType.CertificateStatus]: 'CertificateStatus',
  [HandshakeType.EncryptedExtensions]: 'EncryptedExtensions',
};

/**
 * In TLS 1.3 an alert sent after encryption started is an ordinary-looking application_data record; its
 * size gives it away: 2 bytes of alert + 1 byte inner content type + a 16-byte AEAD tag.
 */
export const TLS13_ENCRYPTED_ALERT_RECORD_LENGTH = 2 + 1 + 16;

export interface StepReached {
  step: number;
  name: string;
  from: Side;
  /** The message that reached it, as it appears in the timeline. */
  message: string;
  frame: number;
  time: number;
}

export interface AlertSeen {
  from: Side;
  frame: number;
  time: number;
  alert: Alert;
  /** Sent before the handshake was complete. */
  duringHandshake: boolean;
}

export interface TimelineEntry {
  from: Side;
  frame: number;
  time: number;
  /** 'ClientHello', 'ChangeCipherSpec', 'Alert unknown_ca', 'Finished (encrypted)', … */
  type: string;
  length?: number;
  step: number | null;
}

export interface Walk {
  shape: Shape;
  /** Steps in the order they were reached (first time each). */
  steps: StepReached[];
  lastStep: number;
  complete: boolean;
  /** When the handshake completed (the message that completed it), or null. */
  completedAt: { frame: number; time: number } | null;
  clientHello: ClientHello | null;
  serverHello: ServerHello | null;
  helloRetryRequest: boolean;
  /** Negotiated version (ServerHello's selected version), or null. */
  version: number | null;
  cipher: number | null;
  /** Zeek's ssl_history string. */
  history: string;
  alerts: AlertSeen[];
  timeline: TimelineEntry[];
  /** The last plaintext-or-recognised handshake message of each side. */
  lastMessage: { client: TimelineEntry | null; server: TimelineEntry | null };
  /** Decoder problems (malformed messages, not-TLS bytes), one line each. */
  problems: string[];
  /** The first message whose structure was wrong (a peer rejects such a message), or null. */
  firstMalformed: { from: Side; frame: number; time: number; message: string; note: string } | null;
  /** Application data records/bytes after the handshake, per side. */
  applicationData: { client: { records: number; bytes: number }; server: { records: number; bytes: number } };
  /**
   * TLS 1.3 without keys: the server's first record after the client's encrypted answer completed the handshake
   * (tls13-refusal.ts judges whether it was an alert). Absent otherwise.
   */
  tls13ServerAnswer?: { frame: number; time: number; length: number };
}

/**
 * Before the ServerHello says which shape a handshake has, its messages are read as a full handshake's: a
 * capture that starts after the hellos still shows the steps it has.
 */
const READ_AS: Readonly<Record<Shape, Exclude<Shape, 'none'>>> = {
  full: 'full',
  resumed: 'resumed',
  tls13: 'tls13',
  sslv2: 'sslv2',
  none: 'full',
};

/** What tells the walk which shape a handshake has. */
export type ShapeSignal =
  /** Any message in SSLv2's own format (SSLv2 ClientHello, ServerHello, CLIENT-MASTER-KEY, encrypted). */
  | 'SSLv2 message'
  /** A TLS ClientHello in an SSLv2 record (RFC 5246 appendix E.2): TLS follows. */
  | 'SSLv2-compatible ClientHello'
  | 'HelloRetryRequest'
  | 'ServerHello choosing TLS 1.3'
  | 'ServerHello choosing TLS 1.2 or earlier'
  /** The server's ChangeCipherSpec before its ServerHelloDone and the client's key exchange. */
  | 'early server ChangeCipherSpec';

type ShapeChange = readonly [from: Shape | 'any', signal: ShapeSignal, to: Shape];

/**
 * The shape transitions: in a handshake of shape `from`, this signal makes it `to` (a signal with no row for the
 * current shape changes nothing). The ServerHello decides (RFC 8446 §4.1.3: a HelloRetryRequest is a TLS 1.3
 * ServerHello); an early server ChangeCipherSpec is RFC 5246 §7.3 figure 2, the abbreviated handshake.
 */
export const SHAPE_CHANGES: readonly ShapeChange[] = [
  ['any', 'SSLv2 message', 'sslv2'],
  ['any', 'SSLv2-compatible ClientHello', 'full'],
  ['any', 'HelloRetryRequest', 'tls13'],
  ['any', 'ServerHello choosing TLS 1.3', 'tls13'],
  ['any', 'ServerHello choosing TLS 1.2 or earlier', 'full'],
  ['full', 'early server ChangeCipherSpec', 'resumed'],
];

/** `from signal` → shape (signals are rare: a few per connection). */
const SHAPE_CHANGE_INDEX = new Map(SHAPE_CHANGES.map(([from, signal, to]) => [`${from} ${signal}`, to]));

/** The shape a handshake of this shape has after this signal. */
export function shapeAfter(shape: Shape, signal: ShapeSignal): Shape {
  return SHAPE_CHANGE_INDEX.get(`${shape} ${signal}`) ?? SHAPE_CHANGE_INDEX.get(`any ${signal}`) ?? shape;
}

/**
 * The completion rules: a handshake of this shape is complete when all these steps are reached, at the message
 * that reaches the last of them. Both Finished messages (RFC 5246 §7.4.9, in either order: the abbreviated
 * handshake sends the server's first); in TLS 1.3 the client's Finished, after which the server has nothing left
 * to send (RFC 8446 §2); SSLv2's encrypted messages of both sides (its Finished and verify messages).
 */
export const COMPLETED_BY: Readonly<Record<Exclude<Shape, 'none'>, readonly number[]>> = {
  full: [7, 9],
  resumed: [7, 9],
  tls13: [7],
  sslv2: [7, 9],
};

/** What shows, from outside, that a TLS 1.3 server's encrypted flight was whole. */
export type FlightEndEvidence =
  /** The client answered it: with its first encrypted record or an alert (it reads the flight first). */
  | 'client answered'
  /** The client acknowledged every byte of it and the server then waited (build.ts, from the TCP side). */
  | 'client acknowledged all of it';

/**
 * TLS 1.3's step 4: the end of the server's flight (its Finished) is encrypted, so it is inferred from what the
 * client did next (RFC 8446 §4.4.4: a client sends its Finished, or an alert, after reading the server's). Each
 * row: the evidence, and the step's message (`{bytes}`: the flight's length).
 */
export const TLS13_FLIGHT_END: Readonly<Record<FlightEndEvidence, string>> = {
  'client answered': 'end of the encrypted server flight (seen when the client answered)',
  'client acknowledged all of it': 'end of the encrypted server flight (the client acknowledged all {bytes} bytes of it and the server then waited)',
};

/** What a TLS 1.3 record during the handshake is, told by its side, its order and its size. */
type Tls13RecordKind = 'server flight' | 'server flight continued' | 'early data' | 'client alert' | 'client flight' | 'client flight continued';

/** What a TLS 1.3 record does besides its timeline entry and its move. */
type Tls13RecordEffect =
  /** It begins its side's encrypted flight (tls13RecordKind reads whether a side's has begun). */
  | 'begins its flight'
  /** It shows the server's flight was whole: step 4 (TLS13_FLIGHT_END). */
  | 'ends server flight'
  /** It is an alert, told by its size. */
  | 'is an alert';

/**
 * How each kind of TLS 1.3 handshake record is read: its timeline entry (null: none), the move it makes in
 * TRANSITIONS (null: none), and its effects.
 */
const TLS13_RECORDS: Readonly<Record<Tls13RecordKind, readonly [label: string | null, move: Move | null, ...effects: Tls13RecordEffect[]]>> = {
  'server flight': ['encrypted server flight (EncryptedExtensions…Finished)', 'EncryptedFlight', 'begins its flight'],
  'server flight continued': ['encrypted server flight (continued)', null],
  // Before the server answered: 0-RTT early data, not part of the nine steps.
  'early data': ['early data (encrypted)', null],
  'client alert': ['Alert (encrypted, by its size)', null, 'ends server flight', 'is an alert'],
  // The client's first encrypted record after the server's flight: its Finished (or the Certificate before it).
  'client flight': ['encrypted client Finished', 'EncryptedFlight', 'begins its flight', 'ends server flight'],
  'client flight continued': [null, null],
};

/** A TLS 1.3 handshake record's kind: `begun` whether its side's encrypted flight has begun before it. */
function tls13RecordKind(from: Side, begun: boolean, serverBegun: boolean, length: number): Tls13RecordKind {
  if (from === 'server') return begun ? 'server flight continued' : 'server flight';
  if (!serverBegun) return 'early data';
  if (begun) return 'client flight continued';
  return length === TLS13_ENCRYPTED_ALERT_RECORD_LENGTH ? 'client alert' : 'client flight';
}

interface SideState {
  changedCipher: boolean;
  finishedSeen: boolean;
  /** TLS 1.3 without keys: this side's encrypted flight has begun (TLS13_RECORDS says which record begins it). */
  flightBegun: boolean;
}

type HandshakeEvent = Extract<TlsEvent, { kind: 'handshake' }>;

function emptyWalk(): Walk {
  return {
    shape: 'none',
    steps: [],
    lastStep: 0,
    complete: false,
    completedAt: null,
    clientHello: null,
    serverHello: null,
    helloRetryRequest: false,
    version: null,
    cipher: null,
    history: '',
    alerts: [],
    timeline: [],
    lastMessage: { client: null, server: null },
    problems: [],
    firstMalformed: null,
    applicationData: { client: { records: 0, bytes: 0 }, server: { records: 0, bytes: 0 } },
  };
}

/** Decoder problems kept per connection. */
const MAX_PROBLEMS = 20;

/**
 * One connection's walk through the nine steps: fed its TLS events in order, one method per event kind; the
 * tables above decide. `walk` is the result so far.
 */
export class HandshakeWalker {
  readonly walk: Walk = emptyWalk();
  private readonly side: Record<Side, SideState> = {
    client: { changedCipher: false, finishedSeen: false, flightBegun: false },
    server: { changedCipher: false, finishedSeen: false, flightBegun: false },
  };

  feed(ev: TlsEvent): void {
    switch (ev.kind) {
      case 'handshake':
        if (ev.sslv2Type !== undefined) this.onSslv2(ev);
        else if (ev.encrypted) this.onEncryptedHandshake(ev.from, ev.frame, ev.time, ev.length);
        else this.onHandshake(ev);
        return;
      case 'change-cipher-spec':
        return this.onChangeCipherSpec(ev.from, ev.frame, ev.time);
      case 'alert':
        return this.onAlert(ev);
      case 'application-data':
        return this.onApplicationData(ev.from, ev.frame, ev.time, ev.length);
      case 'error':
        return this.onError(ev);
    }
  }

  /** A plaintext handshake message. */
  onHandshake(ev: HandshakeEvent): void {
    const walk = this.walk;
    const retry = ev.serverHello?.helloRetryRequest === true;
    this.addHistory(ev.from, retry ? HISTORY_HELLO_RETRY_REQUEST : (HISTORY_LETTER_BY_HANDSHAKE_TYPE[ev.type] ?? HISTORY_UNKNOWN_HANDSHAKE));
    if (ev.clientHello && ev.from === 'client') {
      if (!walk.clientHello || walk.helloRetryRequest) walk.clientHello = ev.clientHello;
      if (ev.clientHello.sslv2) this.signal('SSLv2-compatible ClientHello');
    }
    if (ev.serverHello && ev.from === 'server') {
      const sh = ev.serverHello;
      walk.serverHello = sh;
      walk.version = sh.selectedVersion;
      walk.cipher = sh.cipherSuite;
      if (sh.helloRetryRequest) {
        walk.helloRetryRequest = true;
        this.signal('HelloRetryRequest');
        this.reach('server', 'HelloRetryRequest', ev.frame, ev.time, 'HelloRetryRequest', ev.length);
        return;
      }
      this.signal(isTls13Version(sh.selectedVersion) ? 'ServerHello choosing TLS 1.3' : 'ServerHello choosing TLS 1.2 or earlier');
    }
    const move = MOVE_BY_HANDSHAKE_TYPE[ev.type] ?? null;
    this.reach(ev.from, move, ev.frame, ev.time, ev.name, ev.length);
    // A Finished read with a key log: its side is done (reach() completed the handshake when that was the last
    // step its shape needs), so a later encrypted handshake record of that side is no Finished.
    if (move === 'Finished' && ev.decrypted) this.side[ev.from].finishedSeen = true;
  }

  /** A handshake record that cannot be read: encrypted, or not a whole message. */
  onEncryptedHandshake(from: Side, frame: number, time: number, length: number): void {
    if (this.walk.shape === 'tls13') return this.onTls13Record(from, frame, time, length);
    const state = this.side[from];
    if (state.changedCipher && !state.finishedSeen) {
      state.finishedSeen = true;
      this.reach(from, 'Finished', frame, time, 'Finished (encrypted)', length);
      return;
    }
    // After Finished: renegotiation or a post-handshake message.
    this.walk.timeline.push({ from, frame, time, type: 'Encrypted handshake message', step: null, length });
  }

  onChangeCipherSpec(from: Side, frame: number, time: number): void {
    const walk = this.walk;
    this.addHistory(from, HISTORY_CHANGE_CIPHER_SPEC);
    // A client ChangeCipherSpec before any ServerHello and before any key exchange is TLS 1.3's middlebox
    // compatibility one (RFC 8446 D.4), e.g. with a second ClientHello after an uncaptured HelloRetryRequest
    // (ja4/tls-sni.pcapng): not step 6, and it starts nothing.
    if (from === 'client' && walk.serverHello === null && !walk.steps.some((s) => s.step >= 5)) {
      this.reach(from, null, frame, time, 'ChangeCipherSpec');
      return;
    }
    // (Before step 4, so before any key exchange of the client's, step 5.)
    if (from === 'server' && walk.lastStep < 4) this.signal('early server ChangeCipherSpec');
    this.side[from].changedCipher = true;
    this.reach(from, 'ChangeCipherSpec', frame, time, 'ChangeCipherSpec');
  }

  onAlert(ev: Extract<TlsEvent, { kind: 'alert' }>): void {
    const walk = this.walk;
    const { from, frame, time, alert } = ev;
    if (!alert.encrypted) this.addHistory(from, HISTORY_ALERT);
    // A TLS 1.3 client that answers the server's encrypted flight with an alert has read that flight.
    if (walk.shape === 'tls13' && from === 'client' && this.side.server.flightBegun) reachFlightEnd(walk, 'client answered', frame, time);
    walk.alerts.push({ from, frame, time, alert, duringHandshake: !walk.complete });
    const type = alert.encrypted ? 'Alert (encrypted)' : `Alert ${alert.level === 1 ? 'warning' : 'fatal'} ${alert.name}`;
    walk.timeline.push({ from, frame, time, type, step: null });
  }

  onApplicationData(from: Side, frame: number, time: number, length: number): void {
    // TLS 1.3 sends its encrypted handshake as application data records.
    if (this.walk.shape === 'tls13' && !this.walk.complete) return this.onTls13Record(from, frame, time, length);
    // The server's first record after the client's encrypted answer (tls13-refusal.ts judges whether it was an alert).
    if (this.walk.shape === 'tls13' && from === 'server' && !this.walk.tls13ServerAnswer && this.side.client.flightBegun) this.walk.tls13ServerAnswer = { frame, time, length };
    const counter = this.walk.applicationData[from];
    counter.records++;
    counter.bytes += length;
  }

  onError(ev: Extract<TlsEvent, { kind: 'error' }>): void {
    const walk = this.walk;
    if (walk.problems.length < MAX_PROBLEMS) walk.problems.push(`${ev.from}, frame ${ev.frame}: ${ev.note}`);
    if (ev.malformed !== undefined && walk.firstMalformed === null) {
      walk.firstMalformed = { from: ev.from, frame: ev.frame, time: ev.time, message: ev.malformed, note: ev.note };
    }
  }

  /** A message in SSLv2's own format. */
  onSslv2(ev: HandshakeEvent): void {
    const walk = this.walk;
    this.signal('SSLv2 message');
    if (ev.clientHello) {
      walk.clientHello = ev.clientHello;
      this.addHistory('client', 'c');
      this.reach('client', 'ClientHello', ev.frame, ev.time, 'SSLv2 ClientHello', ev.length);
    } else if (ev.encrypted) {
      this.reach(ev.from, 'SSLv2 Encrypted', ev.frame, ev.time, 'SSLv2 encrypted message', ev.length);
    } else if (ev.from === 'server') {
      this.addHistory('server', 's');
      walk.version = 0x0002;
      this.reach('server', 'ServerHello', ev.frame, ev.time, 'SSLv2 ServerHello', ev.length);
    } else {
      // In SSLv2 the client picks the cipher, in its CLIENT-MASTER-KEY.
      if (ev.sslv2CipherKind !== undefined) walk.cipher = ev.sslv2CipherKind;
      this.reach('client', 'SSLv2 ClientMasterKey', ev.frame, ev.time, ev.name, ev.length);
    }
  }

  /** A TLS 1.3 encrypted record before the handshake completed. */
  private onTls13Record(from: Side, frame: number, time: number, length: number): void {
    const walk = this.walk;
    const state = this.side[from];
    const kind = tls13RecordKind(from, state.flightBegun, this.side.server.flightBegun, length);
    const [label, move, ...effects] = TLS13_RECORDS[kind];
    if (effects.includes('begins its flight')) state.flightBegun = true;
    if (effects.includes('ends server flight')) reachFlightEnd(walk, 'client answered', frame, time);
    if (effects.includes('is an alert')) {
      const alert: Alert = { level: 0, description: -1, name: 'encrypted', encrypted: true };
      walk.alerts.push({ from, frame, time, alert, duringHandshake: true });
    }
    if (move !== null) this.reach(from, move, frame, time, label ?? move, length);
    else if (label !== null) walk.timeline.push({ from, frame, time, type: label, step: null, length });
  }

  private signal(signal: ShapeSignal): void {
    this.walk.shape = shapeAfter(this.walk.shape, signal);
  }

  private addHistory(from: Side, letter: string): void {
    if (this.walk.history.length >= HISTORY_MAX_LENGTH) return;
    this.walk.history += from === 'client' ? letter.toUpperCase() : letter.toLowerCase();
  }

  /**
   * A message in the timeline and the last of its side; with a move, the step TRANSITIONS gives it (null: none),
   * reached the first time, and the handshake complete when that was the last step its shape needs.
   */
  private reach(from: Side, move: Move | null, frame: number, time: number, label: string, length?: number): void {
    const walk = this.walk;
    const readAs = READ_AS[walk.shape];
    const step = transition(readAs, from, move) ?? null;
    const entry: TimelineEntry = { from, frame, time, type: label, step };
    if (length !== undefined) entry.length = length;
    walk.timeline.push(entry);
    walk.lastMessage[from] = entry;
    if (step === null || walk.steps.some((s) => s.step === step)) return;
    walk.steps.push({ step, name: stepName(step, walk.shape), from, message: label, frame, time });
    walk.lastStep = Math.max(walk.lastStep, step);
    if (COMPLETED_BY[readAs].every((needed) => walk.steps.some((s) => s.step === needed))) this.complete(frame, time);
  }

  /** The handshake complete at this frame (the first time only): step 9 reached, whatever the shape calls it. */
  private complete(frame: number, time: number): void {
    if (this.walk.complete) return;
    this.walk.complete = true;
    this.walk.completedAt = { frame, time };
    this.walk.lastStep = 9;
  }
}

/**
 * Walk a connection's TLS events through the nine steps. Pure: the same events give the same walk.
 */
export function walkHandshake(events: readonly TlsEvent[]): Walk {
  const walker = new HandshakeWalker();
  for (const ev of events) walker.feed(ev);
  return walker.walk;
}

/** TLS 1.3's step 4 reached, on this evidence (TLS13_FLIGHT_END), unless it already was. */
function reachFlightEnd(walk: Walk, evidence: FlightEndEvidence, frame: number, time: number, bytes?: number): void {
  if (walk.steps.some((s) => s.step === 4)) return;
  const message = TLS13_FLIGHT_END[evidence].replace('{bytes}', String(bytes));
  walk.steps.push({ step: 4, name: stepName(4, 'tls13'), from: 'server', message, frame, time });
  walk.lastStep = Math.max(walk.lastStep, 4);
}

/**
 * TLS 1.3: the server's first flight delivered without the client answering it. The client acknowledged every
 * byte the server had sent (`bytes`) in frame `ack.frame`, and the server sent nothing more: it was waiting for
 * the client, so its flight was whole (a server with more to say would have gone on sending). Step 4 is reached
 * at that acknowledgement. Nothing changes when the walk is not TLS 1.3, already past step 3, or never reached it.
 */
export function markTls13FlightDelivered(walk: Walk, ack: { frame: number; time: number }, bytes: number): boolean {
  // lastStep is the highest step reached: 3 means step 3 reached and step 4 not.
  if (walk.shape !== 'tls13' || walk.lastStep !== 3) return false;
  const flight = walk.steps.find((s) => s.step === 3)!;
  if (ack.time < flight.time) return false;
  reachFlightEnd(walk, 'client acknowledged all of it', ack.frame, ack.time, bytes);
  return true;
}

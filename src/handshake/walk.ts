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
const TRANSITION_INDEX = new Map<Shape, Record<Side, Map<Move, number | null>>>();
for (const [shape, from, move, step] of TRANSITIONS) {
  let bySide = TRANSITION_INDEX.get(shape);
  if (!bySide) TRANSITION_INDEX.set(shape, (bySide = { client: new Map(), server: new Map() }));
  bySide[from].set(move, step);
}

export function transition(shape: Shape, from: Side, move: Move): number | null | undefined {
  return TRANSITION_INDEX.get(shape)?.[from].get(move);
}

const MOVE_BY_HANDSHAKE_TYPE: Readonly<Record<number, Move>> = {
  1: 'ClientHello',
  2: 'ServerHello',
  4: 'NewSessionTicket',
  8: 'EncryptedExtensions',
  11: 'Certificate',
  12: 'ServerKeyExchange',
  13: 'CertificateRequest',
  14: 'ServerHelloDone',
  15: 'CertificateVerify',
  16: 'ClientKeyExchange',
  20: 'Finished',
  22: 'CertificateStatus',
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

interface SideState {
  changedCipher: boolean;
  finishedSeen: boolean;
  /** TLS 1.3: encrypted records this side sent during the handshake. */
  encryptedRecords: number;
}

/**
 * Walk a connection's TLS events through the nine steps. Pure: the same events give the same walk.
 */
export function walkHandshake(events: readonly TlsEvent[]): Walk {
  const walk: Walk = {
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
  const side: Record<Side, SideState> = {
    client: { changedCipher: false, finishedSeen: false, encryptedRecords: 0 },
    server: { changedCipher: false, finishedSeen: false, encryptedRecords: 0 },
  };

  const addHistory = (from: Side, letter: string) => {
    if (walk.history.length >= HISTORY_MAX_LENGTH) return;
    walk.history += from === 'client' ? letter.toUpperCase() : letter.toLowerCase();
  };

  const reach = (from: Side, move: Move, frame: number, time: number, label: string, length?: number) => {
    const shape = walk.shape === 'none' ? 'full' : walk.shape;
    const step = transition(shape, from, move) ?? null;
    const entry: TimelineEntry = { from, frame, time, type: label, step };
    if (length !== undefined) entry.length = length;
    walk.timeline.push(entry);
    walk.lastMessage[from] = entry;
    if (step !== null && !walk.steps.some((s) => s.step === step)) {
      walk.steps.push({ step, name: stepName(step, walk.shape), from, message: label, frame, time });
      if (step > walk.lastStep) walk.lastStep = step;
    }
  };

  const complete = (frame: number, time: number) => {
    if (walk.complete) return;
    walk.complete = true;
    walk.completedAt = { frame, time };
    walk.lastStep = 9;
  };

  for (const ev of events) {
    switch (ev.kind) {
      case 'handshake': {
        if (ev.sslv2Type !== undefined) {
          walkSslv2(ev);
          break;
        }
        if (ev.encrypted || ev.type < 0) {
          onEncryptedHandshake(ev.from, ev.frame, ev.time, ev.length);
          break;
        }
        const letter =
          ev.type === 2 && ev.serverHello?.helloRetryRequest
            ? HISTORY_HELLO_RETRY_REQUEST
            : (HISTORY_LETTER_BY_HANDSHAKE_TYPE[ev.type] ?? HISTORY_UNKNOWN_HANDSHAKE);
        addHistory(ev.from, letter);
        if (ev.clientHello && ev.from === 'client') {
          if (!walk.clientHello || walk.helloRetryRequest) walk.clientHello = ev.clientHello;
          if (ev.clientHello.sslv2) walk.shape = 'full';
        }
        if (ev.serverHello && ev.from === 'server') {
          onServerHello(ev.serverHello);
          if (ev.serverHello.helloRetryRequest) {
            reach('server', 'HelloRetryRequest', ev.frame, ev.time, 'HelloRetryRequest', ev.length);
            break;
          }
        }
        const move = MOVE_BY_HANDSHAKE_TYPE[ev.type];
        if (move) reach(ev.from, move, ev.frame, ev.time, ev.name, ev.length);
        else {
          const entry: TimelineEntry = { from: ev.from, frame: ev.frame, time: ev.time, type: ev.name, step: null, length: ev.length };
          walk.timeline.push(entry);
          walk.lastMessage[ev.from] = entry;
        }
        // A Finished read with a key log: what an encrypted one after ChangeCipherSpec means, known for sure.
        if (move === 'Finished' && ev.decrypted) onDecryptedFinished(ev.from, ev.frame, ev.time);
        break;
      }
      case 'change-cipher-spec': {
        addHistory(ev.from, HISTORY_CHANGE_CIPHER_SPEC);
        // A client ChangeCipherSpec before any ServerHello and before any key exchange is TLS 1.3's middlebox
        // compatibility one (RFC 8446 D.4), e.g. with a second ClientHello after an uncaptured HelloRetryRequest
        // (ja4/tls-sni.pcapng): not step 6, and it starts nothing.
        if (ev.from === 'client' && walk.serverHello === null && !walk.steps.some((s) => s.step >= 5)) {
          const entry: TimelineEntry = { from: ev.from, frame: ev.frame, time: ev.time, type: 'ChangeCipherSpec', step: null };
          walk.timeline.push(entry);
          walk.lastMessage.client = entry;
          break;
        }
        // A server ChangeCipherSpec before the client's key exchange: the server resumed the session.
        if (walk.shape === 'full' && ev.from === 'server' && walk.lastStep < 4 && !walk.steps.some((s) => s.step === 5)) {
          walk.shape = 'resumed';
        }
        side[ev.from].changedCipher = true;
        reach(ev.from, 'ChangeCipherSpec', ev.frame, ev.time, 'ChangeCipherSpec');
        break;
      }
      case 'alert': {
        if (!ev.alert.encrypted) addHistory(ev.from, HISTORY_ALERT);
        // A TLS 1.3 client that answers the server's encrypted flight with an alert has read that flight.
        if (walk.shape === 'tls13' && ev.from === 'client' && side.server.encryptedRecords > 0) markServerFlightDone(ev.frame, ev.time);
        walk.alerts.push({ from: ev.from, frame: ev.frame, time: ev.time, alert: ev.alert, duringHandshake: !walk.complete });
        walk.timeline.push({
          from: ev.from,
          frame: ev.frame,
          time: ev.time,
          type: ev.alert.encrypted ? 'Alert (encrypted)' : `Alert ${ev.alert.level === 1 ? 'warning' : 'fatal'} ${ev.alert.name}`,
          step: null,
        });
        break;
      }
      case 'application-data': {
        if (walk.shape === 'tls13' && !walk.complete) {
          onTls13Record(ev.from, ev.frame, ev.time, ev.length);
          break;
        }
        if (walk.shape === 'tls13' && ev.from === 'server' && !walk.tls13ServerAnswer && side.client.encryptedRecords > 0) walk.tls13ServerAnswer = { frame: ev.frame, time: ev.time, length: ev.length };
        const counter = walk.applicationData[ev.from];
        counter.records++;
        counter.bytes += ev.length;
        break;
      }
      case 'error': {
        if (walk.problems.length < 20) walk.problems.push(`${ev.from}, frame ${ev.frame}: ${ev.note}`);
        if (ev.malformed !== undefined && walk.firstMalformed === null) {
          walk.firstMalformed = { from: ev.from, frame: ev.frame, time: ev.time, message: ev.malformed, note: ev.note };
        }
        break;
      }
    }
  }
  return walk;

  function onServerHello(sh: ServerHello) {
    walk.serverHello = sh;
    if (sh.helloRetryRequest) {
      walk.helloRetryRequest = true;
      walk.shape = 'tls13';
      walk.version = sh.selectedVersion;
      walk.cipher = sh.cipherSuite;
      return;
    }
    walk.version = sh.selectedVersion;
    walk.cipher = sh.cipherSuite;
    if (isTls13Version(sh.selectedVersion)) walk.shape = 'tls13';
    else walk.shape = 'full';
  }

  function onEncryptedHandshake(from: Side, frame: number, time: number, length: number) {
    if (walk.shape === 'tls13') {
      onTls13Record(from, frame, time, length);
      return;
    }
    const state = side[from];
    if (state.changedCipher && !state.finishedSeen) {
      state.finishedSeen = true;
      reach(from, 'Finished', frame, time, 'Finished (encrypted)', length);
      if (side.client.finishedSeen && side.server.finishedSeen) complete(frame, time);
      return;
    }
    // An encrypted handshake message after Finished: renegotiation or a post-handshake message.
    const entry: TimelineEntry = { from, frame, time, type: 'Encrypted handshake message', step: null, length };
    walk.timeline.push(entry);
  }

  function onTls13Record(from: Side, frame: number, time: number, length: number) {
    const state = side[from];
    if (from === 'server') {
      state.encryptedRecords++;
      if (state.encryptedRecords === 1) reach('server', 'EncryptedFlight', frame, time, 'encrypted server flight (EncryptedExtensions…Finished)', length);
      else walk.timeline.push({ from, frame, time, type: 'encrypted server flight (continued)', step: null, length });
      return;
    }
    // The client: its first encrypted record after the server's flight is its Finished (or Certificate),
    // unless it has exactly the size of an encrypted alert.
    if (side.server.encryptedRecords === 0) {
      // Early data before the server answered: not part of the nine steps.
      walk.timeline.push({ from, frame, time, type: 'early data (encrypted)', step: null, length });
      return;
    }
    if (length === TLS13_ENCRYPTED_ALERT_RECORD_LENGTH && state.encryptedRecords === 0) {
      // The server's flight was complete enough for the client to judge it: step 4 is reached.
      markServerFlightDone(frame, time);
      walk.alerts.push({
        from,
        frame,
        time,
        alert: { level: 0, description: -1, name: 'encrypted', encrypted: true },
        duringHandshake: true,
      });
      walk.timeline.push({ from, frame, time, type: 'Alert (encrypted, by its size)', step: null, length });
      return;
    }
    state.encryptedRecords++;
    if (state.encryptedRecords === 1) {
      markServerFlightDone(frame, time);
      reach('client', 'EncryptedFlight', frame, time, 'encrypted client Finished', length);
      complete(frame, time);
    }
  }

  function onDecryptedFinished(from: Side, frame: number, time: number) {
    const state = side[from];
    state.finishedSeen = true;
    if (walk.shape === 'tls13') {
      if (from === 'client') complete(frame, time);
      return;
    }
    if (side.client.finishedSeen && side.server.finishedSeen) complete(frame, time);
  }

  function markServerFlightDone(frame: number, time: number) {
    if (walk.steps.some((s) => s.step === 4)) return;
    walk.steps.push({ step: 4, name: stepName(4, 'tls13'), from: 'server', message: 'end of the encrypted server flight (seen when the client answered)', frame, time });
    if (walk.lastStep < 4) walk.lastStep = 4;
  }

  function walkSslv2(ev: Extract<TlsEvent, { kind: 'handshake' }>) {
    walk.shape = 'sslv2';
    if (ev.clientHello) {
      walk.clientHello = ev.clientHello;
      addHistory('client', 'c');
      reach('client', 'ClientHello', ev.frame, ev.time, 'SSLv2 ClientHello', ev.length);
      return;
    }
    if (ev.encrypted) {
      reach(ev.from, 'SSLv2 Encrypted', ev.frame, ev.time, `SSLv2 encrypted message`, ev.length);
      const other = walk.steps.some((s) => s.step === 7) && walk.steps.some((s) => s.step === 9);
      if (other) complete(ev.frame, ev.time);
      return;
    }
    if (ev.from === 'server') {
      addHistory('server', 's');
      walk.version = 0x0002;
      reach('server', 'ServerHello', ev.frame, ev.time, 'SSLv2 ServerHello', ev.length);
    } else {
      // In SSLv2 the client picks the cipher, in its CLIENT-MASTER-KEY.
      if (ev.sslv2CipherKind !== undefined) walk.cipher = ev.sslv2CipherKind;
      reach('client', 'SSLv2 ClientMasterKey', ev.frame, ev.time, ev.name, ev.length);
    }
  }
}


/**
 * TLS 1.3: the server's first flight delivered without the client answering it. The client acknowledged every
 * byte the server had sent (`bytes`) in frame `ack.frame`, and the server sent nothing more: it was waiting for
 * the client, so its flight was whole (a server with more to say would have gone on sending). Step 4 is reached
 * at that acknowledgement. Nothing changes when the walk is not TLS 1.3, already past step 3, or never reached it.
 */
export function markTls13FlightDelivered(walk: Walk, ack: { frame: number; time: number }, bytes: number): boolean {
  if (walk.shape !== 'tls13' || walk.lastStep !== 3 || walk.steps.some((s) => s.step === 4)) return false;
  const flight = walk.steps.find((s) => s.step === 3);
  if (!flight || ack.time < flight.time) return false;
  walk.steps.push({
    step: 4,
    name: stepName(4, 'tls13'),
    from: 'server',
    message: `end of the encrypted server flight (the client acknowledged all ${bytes} bytes of it and the server then waited)`,
    frame: ack.frame,
    time: ack.time,
  });
  walk.lastStep = 4;
  return true;
}

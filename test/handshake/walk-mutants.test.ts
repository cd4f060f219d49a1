/**
 * The walk's decisions one by one, written from the survivors of mutation testing (docs/testing.md): what a reader
 * sees of each (the step, the timeline entry, the history letter, the shape, the counters) on event sequences
 * shaped like the RFC figures, and on real captures decrypted with their key logs where one has the case.
 *
 * walk.ts is imported inside each test, never at the top of this file: a mutant that breaks the module while it
 * loads (a row of its tables emptied) then fails a test here. The suite sees such a mutant too (every file that
 * imports walk.ts fails to load), but Stryker's vitest runner counts a file that fails to load as no test run, so
 * the mutant would "survive" with no test run at all.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Move, Shape, ShapeSignal, Walk } from '../../src/handshake/walk.js';
import type { Side } from '../../src/tcp/types.js';
import type { Alert, ClientHello, ServerHello, TlsEvent } from '../../src/tls/types.js';

const walkModule = () => import('../../src/handshake/walk.js');

async function walkOf(events: TlsEvent[]): Promise<Walk> {
  const { walkHandshake } = await walkModule();
  return walkHandshake(events);
}

let frame = 0;
const at = () => ({ frame: ++frame, time: frame / 100 });
type HandshakeEvent = Extract<TlsEvent, { kind: 'handshake' }>;
const hs = (from: Side, type: number, name: string, extra: Partial<HandshakeEvent> = {}): HandshakeEvent => ({ kind: 'handshake', from, ...at(), type, name, length: 10, encrypted: false, ...extra });
const enc = (from: Side, length = 40): HandshakeEvent => ({ kind: 'handshake', from, ...at(), type: -1, name: 'EncryptedHandshakeMessage', length, encrypted: true });
const ccs = (from: Side): TlsEvent => ({ kind: 'change-cipher-spec', from, ...at() });
const app = (from: Side, length: number): TlsEvent => ({ kind: 'application-data', from, ...at(), length });
const alert = (from: Side, level: number, description: number, name: string): TlsEvent => ({ kind: 'alert', from, ...at(), alert: { level, description, name, encrypted: false } });
const ENCRYPTED_ALERT: Alert = { level: 0, description: -1, name: 'encrypted', encrypted: true };

const clientHello: ClientHello = { sslv2: false, recordVersion: 0x0301, version: 0x0303, random: '', sessionId: '', cipherSuites: [0xc030], compressionMethods: [0], extensions: [], sni: null, alpn: [], supportedVersions: [], supportedGroups: [], ecPointFormats: [], signatureAlgorithms: [], keyShareGroups: [], pskKeyExchangeModes: [], sessionTicket: false, preSharedKey: false };
const serverHello = (selectedVersion: number): ServerHello => ({ version: 0x0303, selectedVersion, random: '', sessionId: '', cipherSuite: 0x1302, compressionMethod: 0, extensions: [], helloRetryRequest: false, keyShareGroup: null, alpn: null });
const ch = (extra: Partial<HandshakeEvent> = {}) => hs('client', 1, 'ClientHello', { clientHello, ...extra });
const sh12 = () => hs('server', 2, 'ServerHello', { serverHello: serverHello(0x0303) });
const sh13 = () => hs('server', 2, 'ServerHello', { serverHello: serverHello(0x0304) });

const types = (w: Walk) => w.timeline.map((t) => t.type);
const steps = (w: Walk) => w.steps.map((s) => s.step);

type Row = readonly [from: Side, move: Move, step: number | null];
/**
 * Which message is which step, per shape, written from the RFCs (not read from walk.ts): RFC 5246 §7.3 figure 1
 * (full) and figure 2 (abbreviated: the server's ChangeCipherSpec and Finished first), RFC 5077 §3.3 (a
 * NewSessionTicket is no step), RFC 8446 §2 figure 1 (TLS 1.3: the server's flight after ServerHello, decrypted
 * or not, is step 3 up to its Finished, 4; the client's Certificate and CertificateVerify 5, its Finished 7; a
 * HelloRetryRequest and the compatibility ChangeCipherSpecs, D.4, are no step), and the SSL 2.0 draft (hello,
 * CLIENT-MASTER-KEY, then each side's encrypted messages).
 */
const RFC_STEPS: Readonly<Record<Exclude<Shape, 'none'>, readonly Row[]>> = {
  full: [
    ['client', 'ClientHello', 1],
    ['server', 'ServerHello', 2],
    ['server', 'Certificate', 3],
    ['server', 'CertificateStatus', 3],
    ['server', 'ServerKeyExchange', 3],
    ['server', 'CertificateRequest', 3],
    ['server', 'ServerHelloDone', 4],
    ['client', 'Certificate', 5],
    ['client', 'ClientKeyExchange', 5],
    ['client', 'CertificateVerify', 5],
    ['client', 'ChangeCipherSpec', 6],
    ['client', 'Finished', 7],
    ['server', 'NewSessionTicket', null],
    ['server', 'ChangeCipherSpec', 8],
    ['server', 'Finished', 9],
  ],
  resumed: [
    ['client', 'ClientHello', 1],
    ['server', 'ServerHello', 2],
    ['server', 'NewSessionTicket', null],
    ['server', 'ChangeCipherSpec', 8],
    ['server', 'Finished', 9],
    ['client', 'ChangeCipherSpec', 6],
    ['client', 'Finished', 7],
  ],
  tls13: [
    ['client', 'ClientHello', 1],
    ['server', 'HelloRetryRequest', null],
    ['server', 'ServerHello', 2],
    ['server', 'ChangeCipherSpec', null],
    ['server', 'EncryptedFlight', 3],
    ['client', 'ChangeCipherSpec', null],
    ['client', 'EncryptedFlight', 7],
    ['server', 'EncryptedExtensions', 3],
    ['server', 'CertificateRequest', 3],
    ['server', 'Certificate', 3],
    ['server', 'CertificateVerify', 3],
    ['server', 'Finished', 4],
    ['client', 'Certificate', 5],
    ['client', 'CertificateVerify', 5],
    ['client', 'Finished', 7],
    ['server', 'NewSessionTicket', null],
  ],
  sslv2: [
    ['client', 'ClientHello', 1],
    ['server', 'ServerHello', 2],
    ['client', 'SSLv2 ClientMasterKey', 5],
    ['client', 'SSLv2 Encrypted', 7],
    ['server', 'SSLv2 Encrypted', 9],
  ],
};

describe('the tables, as the RFCs give them', () => {
  it('every message of every shape reaches the step the RFCs make it, and the table has no other row', async () => {
    const { TRANSITIONS, transition } = await walkModule();
    for (const [shape, rows] of Object.entries(RFC_STEPS) as [Shape, readonly Row[]][]) {
      // null (no step, by a row of its own) is told from undefined (no row).
      for (const [from, move, step] of rows) expect(transition(shape, from, move), `${shape} ${from} ${move}`).toBe(step);
    }
    expect(TRANSITIONS).toHaveLength(Object.values(RFC_STEPS).flat().length);
    expect(transition('none', 'client', 'ClientHello')).toBeUndefined();
    expect(transition('full', 'client', null)).toBeUndefined();
  });

  it('the signals that change the shape, from every shape', async () => {
    const { shapeAfter } = await walkModule();
    const shapes: Shape[] = ['none', 'full', 'resumed', 'tls13', 'sslv2'];
    const after = (signal: ShapeSignal) => shapes.map((shape) => shapeAfter(shape, signal));
    expect(after('SSLv2 message')).toEqual(['sslv2', 'sslv2', 'sslv2', 'sslv2', 'sslv2']);
    // RFC 5246 appendix E.2: a TLS ClientHello in an SSLv2 record; TLS follows.
    expect(after('SSLv2-compatible ClientHello')).toEqual(['full', 'full', 'full', 'full', 'full']);
    expect(after('HelloRetryRequest')).toEqual(['tls13', 'tls13', 'tls13', 'tls13', 'tls13']);
    expect(after('ServerHello choosing TLS 1.3')).toEqual(['tls13', 'tls13', 'tls13', 'tls13', 'tls13']);
    expect(after('ServerHello choosing TLS 1.2 or earlier')).toEqual(['full', 'full', 'full', 'full', 'full']);
    expect(after('early server ChangeCipherSpec')).toEqual(['none', 'resumed', 'resumed', 'tls13', 'sslv2']);
  });
});

describe('a walk before and after its events', () => {
  it('before any event: nothing reached, nothing counted', async () => {
    expect(await walkOf([])).toEqual({
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
    });
  });

  it('a TLS 1.2 handshake: each message in the timeline with its length, application data counted per side', async () => {
    const w = await walkOf([ch(), sh12(), hs('server', 11, 'Certificate'), hs('server', 14, 'ServerHelloDone'), hs('client', 16, 'ClientKeyExchange'), ccs('client'), enc('client'), ccs('server'), enc('server'), app('client', 100), app('server', 70), app('client', 50)]);
    expect(w.timeline.map((t) => [t.type, t.step, t.length])).toEqual([
      ['ClientHello', 1, 10],
      ['ServerHello', 2, 10],
      ['Certificate', 3, 10],
      ['ServerHelloDone', 4, 10],
      ['ClientKeyExchange', 5, 10],
      ['ChangeCipherSpec', 6, undefined],
      ['Finished (encrypted)', 7, 40],
      ['ChangeCipherSpec', 8, undefined],
      ['Finished (encrypted)', 9, 40],
    ]);
    expect(w.applicationData).toEqual({ client: { records: 2, bytes: 150 }, server: { records: 1, bytes: 70 } });
    expect([w.helloRetryRequest, w.problems, w.firstMalformed, w.tls13ServerAnswer]).toEqual([false, [], null, undefined]);
  });

  it('complete once, at the message that completed it: a late message of an earlier step changes nothing', async () => {
    const events = [ch(), sh12(), ccs('client'), enc('client'), ccs('server'), enc('server'), hs('client', 16, 'ClientKeyExchange')];
    const w = await walkOf(events);
    expect([steps(w), w.complete, w.completedAt, w.lastStep]).toEqual([[1, 2, 6, 7, 8, 9, 5], true, { frame: events[5]!.frame, time: events[5]!.time }, 9]);
  });

  it('only the client spoke: the last message of the server is none', async () => {
    const w = await walkOf([ch()]);
    expect(w.lastMessage).toEqual({ client: w.timeline[0], server: null });
  });
});

describe('ClientHello', () => {
  it('the first ClientHello is kept when a second comes without a HelloRetryRequest', async () => {
    const second = { ...clientHello, sni: 'second.example' };
    const w = await walkOf([ch(), ch({ clientHello: second })]);
    expect(w.clientHello).toBe(clientHello);
  });

  it("a ClientHello the server sent is not the client's", async () => {
    const w = await walkOf([hs('server', 1, 'ClientHello', { clientHello })]);
    expect([w.clientHello, w.history]).toEqual([null, 'c']);
  });

  it('a TLS ClientHello in an SSLv2 record: a TLS handshake (shape full), not SSL 2.0', async () => {
    const w = await walkOf([ch({ clientHello: { ...clientHello, sslv2: true } })]);
    expect([w.shape, steps(w)]).toEqual(['full', [1]]);
  });
});

describe('ChangeCipherSpec', () => {
  it("a capture that starts after the hellos: the server's ChangeCipherSpec and Finished are still 8 and 9", async () => {
    const w = await walkOf([ccs('server'), enc('server')]);
    expect(steps(w)).toEqual([8, 9]);
  });

  it("a client ChangeCipherSpec after the ServerHello is step 6 even when its key exchange was not captured; the handshake stays full", async () => {
    const w = await walkOf([ch(), sh12(), ccs('client'), enc('client')]);
    expect([w.shape, steps(w)]).toEqual(['full', [1, 2, 6, 7]]);
  });

  it("the server's ChangeCipherSpec after its ServerHelloDone is a full handshake's step 8, not a resumption", async () => {
    const w = await walkOf([ch(), sh12(), hs('server', 11, 'Certificate'), hs('server', 14, 'ServerHelloDone'), ccs('server')]);
    expect([w.shape, steps(w)]).toEqual(['full', [1, 2, 3, 4, 8]]);
  });

  it('a resumed handshake whose client sent its ChangeCipherSpec but no Finished: step 9 was reached, the handshake is not complete', async () => {
    const w = await walkOf([ch(), sh12(), ccs('server'), enc('server'), ccs('client')]);
    expect([w.shape, steps(w), w.lastStep, w.complete]).toEqual(['resumed', [1, 2, 8, 9, 6], 9, false]);
  });
});

describe('encrypted handshake records (TLS 1.2 and earlier)', () => {
  it("before its side's ChangeCipherSpec: no Finished, no step", async () => {
    const w = await walkOf([ch(), sh12(), enc('client'), enc('server')]);
    expect(w.timeline.slice(2).map((t) => [t.type, t.step])).toEqual([
      ['Encrypted handshake message', null],
      ['Encrypted handshake message', null],
    ]);
    expect(steps(w)).toEqual([1, 2]);
  });

  it('after the Finished: a renegotiation or post-handshake message, not a second Finished', async () => {
    const w = await walkOf([ch(), sh12(), ccs('client'), enc('client'), enc('client', 60)]);
    expect(w.timeline.slice(3).map((t) => [t.type, t.step, t.length])).toEqual([
      ['Finished (encrypted)', 7, 40],
      ['Encrypted handshake message', null, 60],
    ]);
  });

  it('after a Finished decrypted with a key log: the next encrypted record is no Finished', async () => {
    const w = await walkOf([ch(), sh12(), ccs('client'), hs('client', 20, 'Finished', { decrypted: true }), enc('client')]);
    expect(w.timeline.slice(3).map((t) => [t.type, t.step])).toEqual([
      ['Finished', 7],
      ['Encrypted handshake message', null],
    ]);
  });

  it('after another decrypted message: the next encrypted record is still the Finished', async () => {
    const w = await walkOf([ch(), sh12(), ccs('client'), hs('client', 15, 'CertificateVerify', { decrypted: true }), enc('client')]);
    expect(w.timeline.at(-1)).toMatchObject({ type: 'Finished (encrypted)', step: 7 });
  });
});

describe('TLS 1.3 without keys', () => {
  it("the server's flight, continued, the client's Finished; the server's first record after it is kept apart", async () => {
    const events = [ch(), sh13(), app('server', 2000), app('server', 300), app('client', 69), app('client', 50), app('server', 100), app('server', 19)];
    const w = await walkOf(events);
    expect(types(w)).toEqual(['ClientHello', 'ServerHello', 'encrypted server flight (EncryptedExtensions…Finished)', 'encrypted server flight (continued)', 'encrypted client Finished']);
    expect(w.steps.map((s) => [s.step, s.name, s.message])).toEqual([
      [1, 'ClientHello', 'ClientHello'],
      [2, 'ServerHello', 'ServerHello'],
      [3, 'server flight (encrypted)', 'encrypted server flight (EncryptedExtensions…Finished)'],
      [4, 'end of server flight', 'end of the encrypted server flight (seen when the client answered)'],
      [7, 'client Finished (encrypted)', 'encrypted client Finished'],
    ]);
    // The flight's first record is the server's last recognised message, not its continuation.
    expect(w.lastMessage.server?.frame).toBe(events[2]!.frame);
    expect(w.tls13ServerAnswer).toEqual({ frame: events[6]!.frame, time: events[6]!.time, length: 100 });
    expect(w.applicationData).toEqual({ client: { records: 1, bytes: 50 }, server: { records: 2, bytes: 119 } });
  });

  it('a client record before the server spoke is early data; an alert-sized answer to the flight is an alert', async () => {
    const events = [ch(), sh13(), app('client', 500), app('server', 2000), app('client', 19)];
    const w = await walkOf(events);
    expect(w.timeline.slice(2).map((t) => [t.type, t.step])).toEqual([
      ['early data (encrypted)', null],
      ['encrypted server flight (EncryptedExtensions…Finished)', 3],
      ['Alert (encrypted, by its size)', null],
    ]);
    expect(w.alerts).toEqual([{ from: 'client', frame: events[4]!.frame, time: events[4]!.time, alert: ENCRYPTED_ALERT, duringHandshake: true }]);
    expect([steps(w), w.lastStep, w.complete]).toEqual([[1, 2, 3, 4], 4, false]);
  });

  it("encrypted handshake records: the same flights; the client's second record is no entry of its own", async () => {
    const w = await walkOf([ch(), sh13(), enc('server'), enc('server'), enc('client'), enc('client')]);
    expect(types(w)).toEqual(['ClientHello', 'ServerHello', 'encrypted server flight (EncryptedExtensions…Finished)', 'encrypted server flight (continued)', 'encrypted client Finished']);
    expect([steps(w), w.complete]).toEqual([[1, 2, 3, 4, 7], true]);
  });

  it("no answer is kept apart when the client's Finished was decrypted, nor in TLS 1.2", async () => {
    const decrypted = await walkOf([ch(), sh13(), hs('server', 8, 'EncryptedExtensions', { decrypted: true }), hs('server', 20, 'Finished', { decrypted: true }), hs('client', 20, 'Finished', { decrypted: true }), app('server', 19)]);
    expect([steps(decrypted), decrypted.complete, decrypted.tls13ServerAnswer]).toEqual([[1, 2, 3, 4, 7], true, undefined]);
    const tls12 = await walkOf([ch(), sh12(), ccs('client'), enc('client'), ccs('server'), enc('server'), app('client', 30), app('server', 19)]);
    expect([tls12.complete, tls12.tls13ServerAnswer]).toEqual([true, undefined]);
  });

  it('the TLS 1.3 readings stop when a later ServerHello makes the walk TLS 1.2 (a garbled or hostile stream)', async () => {
    // The server's flight began, then a ServerHello chose TLS 1.2: a client alert is no answer to a TLS 1.3 flight.
    const alerted = await walkOf([ch(), sh13(), app('server', 2000), sh12(), alert('client', 2, 48, 'unknown_ca')]);
    expect([alerted.shape, steps(alerted)]).toEqual(['full', [1, 2, 3]]);
    // The client's flight began too: the server's next record is no answer to it.
    const answered = await walkOf([ch(), sh13(), app('server', 2000), app('client', 69), sh12(), app('server', 19)]);
    expect([answered.shape, answered.tls13ServerAnswer, answered.applicationData.server]).toEqual(['full', undefined, { records: 1, bytes: 19 }]);
  });
});

describe('alerts', () => {
  it('in the timeline with their level and name, in the history, during the handshake or after it', async () => {
    const w = await walkOf([ch(), alert('server', 1, 112, 'unrecognized_name'), sh12(), ccs('client'), enc('client'), ccs('server'), enc('server'), alert('client', 2, 40, 'handshake_failure')]);
    expect(w.timeline.filter((t) => t.type.startsWith('Alert')).map((t) => t.type)).toEqual(['Alert warning unrecognized_name', 'Alert fatal handshake_failure']);
    expect(w.alerts.map((a) => [a.from, a.alert.name, a.duringHandshake])).toEqual([
      ['server', 'unrecognized_name', true],
      ['client', 'handshake_failure', false],
    ]);
    expect(w.history).toBe('ClsIiL');
  });

  it('an encrypted alert has no history letter (Zeek sees no alert)', async () => {
    const w = await walkOf([ch(), sh12(), ccs('client'), enc('client'), ccs('server'), enc('server'), { kind: 'alert', from: 'client', ...at(), alert: ENCRYPTED_ALERT }]);
    expect([w.history, w.timeline.at(-1)?.type]).toEqual(['CsIi', 'Alert (encrypted)']);
  });

  it("TLS 1.3: a client's alert after the server's flight is its answer (step 4); the server's, or one before the flight, is not", async () => {
    const answered = await walkOf([ch(), sh13(), app('server', 2000), alert('client', 2, 48, 'unknown_ca')]);
    expect(answered.steps.at(-1)).toMatchObject({ step: 4, message: 'end of the encrypted server flight (seen when the client answered)' });
    const byServer = await walkOf([ch(), sh13(), app('server', 2000), alert('server', 2, 40, 'handshake_failure')]);
    expect(steps(byServer)).toEqual([1, 2, 3]);
    const beforeFlight = await walkOf([ch(), sh13(), alert('client', 2, 40, 'handshake_failure'), app('server', 2000)]);
    expect(steps(beforeFlight)).toEqual([1, 2, 3]);
    const tls12 = await walkOf([ch(), sh12(), app('server', 2000), alert('client', 2, 48, 'unknown_ca')]);
    expect(steps(tls12)).toEqual([1, 2]);
  });

  it('TLS 1.3: step 4 is reached once, however many answers show it', async () => {
    const w = await walkOf([ch(), sh13(), app('server', 2000), app('client', 19), alert('client', 2, 48, 'unknown_ca')]);
    expect(steps(w)).toEqual([1, 2, 3, 4]);
  });
});

describe('decoder problems', () => {
  const error = (from: Side, note: string, malformed?: string): TlsEvent => ({ kind: 'error', from, ...at(), note, ...(malformed === undefined ? {} : { malformed }) });

  it('kept up to 20 per connection, each with its side and frame', async () => {
    const events = Array.from({ length: 25 }, (_, i) => error('server', `problem ${i}`));
    const w = await walkOf(events);
    expect(w.problems).toHaveLength(20);
    expect([w.problems[0], w.problems[19]]).toEqual([`server, frame ${events[0]!.frame}: problem 0`, `server, frame ${events[19]!.frame}: problem 19`]);
  });

  it('the first malformed message is kept, not a problem before it nor a malformed one after it', async () => {
    const events = [error('client', 'not TLS'), error('server', 'Certificate: too short', 'Certificate'), error('client', 'Finished: too long', 'Finished')];
    const w = await walkOf(events);
    expect(w.firstMalformed).toEqual({ from: 'server', frame: events[1]!.frame, time: events[1]!.time, message: 'Certificate', note: 'Certificate: too short' });
  });
});

describe('SSL 2.0', () => {
  it('complete only when both sides sent their encrypted messages; the cipher is unknown when the master key could not be read', async () => {
    const { HandshakeWalker } = await walkModule();
    const walker = new HandshakeWalker();
    const events: HandshakeEvent[] = [
      hs('client', 1, 'SSLv2 ClientHello', { clientHello: { ...clientHello, sslv2: true }, sslv2Type: 1 }),
      hs('server', 4, 'SSLv2 ServerHello', { sslv2Type: 4 }),
      hs('client', 16, 'SSLv2 ClientMasterKey', { sslv2Type: 2 }),
      { ...enc('client'), sslv2Type: -1 },
    ];
    for (const ev of events) walker.feed(ev);
    expect([walker.walk.complete, steps(walker.walk), walker.walk.history, walker.walk.version, walker.walk.cipher]).toEqual([false, [1, 2, 5, 7], 'Cs', 0x0002, null]);
    const last = { ...enc('server'), sslv2Type: -1 };
    walker.feed(last);
    expect([walker.walk.complete, walker.walk.completedAt, walker.walk.shape]).toEqual([true, { frame: last.frame, time: last.time }, 'sslv2']);
  });
});

describe('history', () => {
  it("is capped at Zeek's 100 letters", async () => {
    const w = await walkOf(Array.from({ length: 150 }, () => ccs('client')));
    expect(w.history).toBe('I'.repeat(100));
  });
});

describe('markTls13FlightDelivered', () => {
  const flight = () => [ch(), sh13(), app('server', 2000)];

  it('step 4 at the acknowledgement of the whole flight, with its size, once', async () => {
    const { markTls13FlightDelivered } = await walkModule();
    const events = flight();
    const w = await walkOf(events);
    // An acknowledgement in the same instant as the flight's last record counts.
    expect(markTls13FlightDelivered(w, { frame: 99, time: events[2]!.time }, 2000)).toBe(true);
    expect(w.steps.at(-1)).toEqual({ step: 4, name: 'end of server flight', from: 'server', message: 'end of the encrypted server flight (the client acknowledged all 2000 bytes of it and the server then waited)', frame: 99, time: events[2]!.time });
    expect(w.lastStep).toBe(4);
    expect(markTls13FlightDelivered(w, { frame: 100, time: 100 }, 2000)).toBe(false);
    expect(steps(w)).toEqual([1, 2, 3, 4]);
  });

  it('nothing before the flight, for an acknowledgement older than the flight, nor outside TLS 1.3', async () => {
    const { markTls13FlightDelivered } = await walkModule();
    const noFlight = await walkOf([ch(), sh13()]);
    expect(markTls13FlightDelivered(noFlight, { frame: 99, time: 99 }, 2000)).toBe(false);
    const events = flight();
    const early = await walkOf(events);
    // Between the ClientHello and the flight: it acknowledged something else.
    expect(markTls13FlightDelivered(early, { frame: 99, time: events[1]!.time }, 2000)).toBe(false);
    const tls12 = await walkOf([ch(), sh12(), hs('server', 11, 'Certificate')]);
    expect(markTls13FlightDelivered(tls12, { frame: 99, time: 99 }, 2000)).toBe(false);
    expect([steps(noFlight), steps(early), steps(tls12)]).toEqual([[1, 2], [1, 2, 3], [1, 2, 3]]);
  });
});

describe('decrypted with a key log (captures/keylog, scripts/make-keylog-captures.sh)', () => {
  const KEYLOG = join(import.meta.dirname, '../../captures/keylog');
  async function analyzed(name: string) {
    const { analyzeCapture } = await import('../../src/analyze/pipeline.js');
    const { readKeyLog } = await import('../../src/tls/keylog.js');
    const keyLog = readKeyLog(readFileSync(join(KEYLOG, `${name}.keys`), 'latin1')).keys;
    const { connections } = await analyzeCapture(join(KEYLOG, `${name}.pcapng`), { keyLog });
    return connections[0]!;
  }

  it('TLS 1.3 with a client certificate: each message in its place (RFC 8446 §2)', async () => {
    const r = await analyzed('tls13-client-cert');
    expect(r.messages.map((m) => `${m.from} ${m.type} ${m.step}`)).toEqual([
      'client ClientHello 1',
      'server ServerHello 2',
      'server ChangeCipherSpec null',
      'server EncryptedExtensions 3',
      'server CertificateRequest 3',
      'server Certificate 3',
      'server CertificateVerify 3',
      'server Finished 4',
      'client ChangeCipherSpec null',
      'client Certificate 5',
      'client CertificateVerify 5',
      'client Finished 7',
      'server NewSessionTicket null',
    ]);
    expect([r.outcome, r.lastStep, r.history]).toEqual(['complete', 9, 'CsiorxyfIXYFt']);
  });

  it('TLS 1.2: both Finished messages decrypted, the handshake complete at the server\'s', async () => {
    const r = await analyzed('tls12-gcm');
    expect(r.messages.map((m) => `${m.from} ${m.type} ${m.step}`).slice(-5)).toEqual(['client ChangeCipherSpec 6', 'client Finished 7', 'server NewSessionTicket null', 'server ChangeCipherSpec 8', 'server Finished 9']);
    expect([r.outcome, r.history]).toEqual(['complete', 'CsxknGIFtif']);
  });
});

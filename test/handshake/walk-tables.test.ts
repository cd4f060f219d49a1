/**
 * The walk's tables beside TRANSITIONS: shape changes, completion rules and TLS 1.3's step 4. These pin what
 * each row means; walk.test.ts and the oracle tests prove the walk that reads them.
 */
import { describe, expect, it } from 'vitest';
import { COMPLETED_BY, HandshakeWalker, SHAPE_CHANGES, shapeAfter, TLS13_ENCRYPTED_ALERT_RECORD_LENGTH, TRANSITIONS, markTls13FlightDelivered, type Shape } from '../../src/handshake/walk.js';
import type { Side } from '../../src/tcp/types.js';
import type { ServerHello, TlsEvent } from '../../src/tls/types.js';

const SHAPES: Shape[] = ['none', 'full', 'resumed', 'tls13', 'sslv2'];

let frame = 0;
const at = () => ({ frame: ++frame, time: frame / 1000 });
const serverHello = (version: number, helloRetryRequest = false): ServerHello => ({ version: 0x0303, selectedVersion: version, random: '', sessionId: '', cipherSuite: 0x1302, compressionMethod: 0, extensions: [], helloRetryRequest, keyShareGroup: null, alpn: null });
const hello = (from: Side, type: number, name: string, extra: Partial<Extract<TlsEvent, { kind: 'handshake' }>> = {}): TlsEvent => ({ kind: 'handshake', from, ...at(), type, name, length: 100, encrypted: false, ...extra });
const record = (from: Side, length: number): TlsEvent => ({ kind: 'application-data', from, ...at(), length });

function walkOf(events: TlsEvent[]) {
  const walker = new HandshakeWalker();
  for (const ev of events) walker.feed(ev);
  return walker.walk;
}

describe('shape changes', () => {
  it('the ServerHello decides, from any shape', () => {
    for (const shape of SHAPES) {
      expect(shapeAfter(shape, 'ServerHello choosing TLS 1.3')).toBe('tls13');
      expect(shapeAfter(shape, 'HelloRetryRequest')).toBe('tls13');
      expect(shapeAfter(shape, 'ServerHello choosing TLS 1.2 or earlier')).toBe('full');
      expect(shapeAfter(shape, 'SSLv2 message')).toBe('sslv2');
    }
  });

  it('an early server ChangeCipherSpec makes only a full handshake a resumed one', () => {
    expect(SHAPES.map((shape) => shapeAfter(shape, 'early server ChangeCipherSpec'))).toEqual(['none', 'resumed', 'resumed', 'tls13', 'sslv2']);
  });

  it('every shape a change leads to has transitions of its own', () => {
    for (const [, , to] of SHAPE_CHANGES) expect(TRANSITIONS.some(([shape]) => shape === to), to).toBe(true);
  });
});

describe('completion rules', () => {
  it('each step a shape needs is one its transitions reach', () => {
    for (const [shape, steps] of Object.entries(COMPLETED_BY)) {
      for (const step of steps) expect(TRANSITIONS.some(([s, , , reached]) => s === shape && reached === step), `${shape} ${step}`).toBe(true);
    }
  });

  it('a walk completes at the message that reaches the last step its shape needs', () => {
    // TLS 1.3 needs only the client's Finished; the server's Finished (step 9 in TLS 1.2) has no step here.
    const w = walkOf([
      hello('client', 1, 'ClientHello'),
      hello('server', 2, 'ServerHello', { serverHello: serverHello(0x0304) }),
      record('server', 2000),
      record('client', 74),
    ]);
    expect([w.shape, w.complete, w.completedAt?.frame, w.lastStep]).toEqual(['tls13', true, frame, 9]);
  });
});

describe("TLS 1.3's step 4", () => {
  const start = () => [hello('client', 1, 'ClientHello'), hello('server', 2, 'ServerHello', { serverHello: serverHello(0x0304) }), record('server', 2000)];

  it("is reached when the client answers the server's flight, with its Finished or an alert told by its size", () => {
    const finished = walkOf([...start(), record('client', 74)]);
    expect(finished.steps.find((s) => s.step === 4)?.message).toContain('seen when the client answered');
    const alerted = walkOf([...start(), record('client', TLS13_ENCRYPTED_ALERT_RECORD_LENGTH)]);
    expect([alerted.lastStep, alerted.complete, alerted.alerts.length]).toEqual([4, false, 1]);
  });

  it("is not reached by a client record before the server's flight (early data)", () => {
    const w = walkOf([hello('client', 1, 'ClientHello'), hello('server', 2, 'ServerHello', { serverHello: serverHello(0x0304) }), record('client', 500), record('server', 2000)]);
    expect(w.steps.map((s) => s.step)).toEqual([1, 2, 3]);
    expect(w.timeline.map((t) => t.type)).toContain('early data (encrypted)');
  });

  it('is reached when the client acknowledged the whole flight, with its size in the message', () => {
    const w = walkOf(start());
    expect(markTls13FlightDelivered(w, { frame: 99, time: 99 }, 2000)).toBe(true);
    expect(w.steps.at(-1)).toMatchObject({ step: 4, frame: 99, message: expect.stringContaining('acknowledged all 2000 bytes') });
    expect(markTls13FlightDelivered(w, { frame: 100, time: 100 }, 2000)).toBe(false);
  });
});

/**
 * The walk on event sequences shaped like the RFC figures. Real captures prove it end to end (lab.test.ts,
 * oracle tests); these pin the transition table's meaning for each shape.
 */
import { describe, expect, it } from 'vitest';
import { STEPS } from '../../src/handshake/steps.js';
import { TRANSITIONS, walkHandshake } from '../../src/handshake/walk.js';
import type { Side } from '../../src/tcp/types.js';
import type { ClientHello, ServerHello, TlsEvent } from '../../src/tls/types.js';

let frame = 0;
const hs = (from: Side, type: number, name: string, extra: Partial<Extract<TlsEvent, { kind: 'handshake' }>> = {}): TlsEvent => ({
  kind: 'handshake', from, frame: ++frame, time: frame / 1000, type, name, length: 10, encrypted: false, ...extra,
});
const encrypted = (from: Side): TlsEvent => ({ kind: 'handshake', from, frame: ++frame, time: frame / 1000, type: -1, name: 'EncryptedHandshakeMessage', length: 40, encrypted: true });
const ccs = (from: Side): TlsEvent => ({ kind: 'change-cipher-spec', from, frame: ++frame, time: frame / 1000 });
const appData = (from: Side, length: number): TlsEvent => ({ kind: 'application-data', from, frame: ++frame, time: frame / 1000, length });

const clientHello = { sslv2: false, recordVersion: 0x0301, version: 0x0303, random: '', sessionId: '', cipherSuites: [0xc030], compressionMethods: [0], extensions: [], sni: null, alpn: [], supportedVersions: [], supportedGroups: [], ecPointFormats: [], signatureAlgorithms: [], keyShareGroups: [], pskKeyExchangeModes: [], sessionTicket: false, preSharedKey: false } satisfies ClientHello;
const serverHello = (version: number, hrr = false): ServerHello => ({ version: 0x0303, selectedVersion: version, random: '', sessionId: '', cipherSuite: 0xc030, compressionMethod: 0, extensions: [], helloRetryRequest: hrr, keyShareGroup: null, alpn: null });

describe('the transition table', () => {
  it('covers all nine steps for a full handshake, each from the side that sends it', () => {
    for (const s of STEPS) {
      const row = TRANSITIONS.find(([shape, , , step]) => shape === 'full' && step === s.step);
      expect(row, `step ${s.step}`).toBeDefined();
      expect(row![1]).toBe(s.by);
    }
  });
});

describe('walkHandshake', () => {
  it('a full TLS 1.2 handshake reaches 9 with Zeek\'s history', () => {
    const w = walkHandshake([
      hs('client', 1, 'ClientHello', { clientHello }), hs('server', 2, 'ServerHello', { serverHello: serverHello(0x0303) }),
      hs('server', 11, 'Certificate'), hs('server', 12, 'ServerKeyExchange'), hs('server', 14, 'ServerHelloDone'),
      hs('client', 16, 'ClientKeyExchange'), ccs('client'), encrypted('client'), hs('server', 4, 'NewSessionTicket'), ccs('server'), encrypted('server'),
    ]);
    expect(w.shape).toBe('full');
    expect(w.complete).toBe(true);
    expect(w.steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(w.history).toBe('CsxknGIti');
  });

  it('an abbreviated (resumed) handshake is shown in its real order: 1 2 8 9 6 7', () => {
    const w = walkHandshake([
      hs('client', 1, 'ClientHello', { clientHello }), hs('server', 2, 'ServerHello', { serverHello: serverHello(0x0303) }),
      ccs('server'), encrypted('server'), ccs('client'), encrypted('client'),
    ]);
    expect(w.shape).toBe('resumed');
    expect(w.steps.map((s) => s.step)).toEqual([1, 2, 8, 9, 6, 7]);
    expect(w.complete).toBe(true);
  });

  it('a resumed handshake the client never finishes is not complete', () => {
    const w = walkHandshake([hs('client', 1, 'ClientHello', { clientHello }), hs('server', 2, 'ServerHello', { serverHello: serverHello(0x0303) }), ccs('server'), encrypted('server')]);
    expect(w.complete).toBe(false);
    expect(w.shape).toBe('resumed');
  });

  it('TLS 1.3: the server flight is 3–4, the client\'s encrypted Finished completes it', () => {
    const w = walkHandshake([
      hs('client', 1, 'ClientHello', { clientHello }), hs('server', 2, 'ServerHello', { serverHello: serverHello(0x0304) }), ccs('server'),
      appData('server', 23), appData('server', 2000), appData('server', 281), appData('server', 69), ccs('client'), appData('client', 69),
    ]);
    expect(w.shape).toBe('tls13');
    expect(w.steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 7]);
    expect(w.complete).toBe(true);
    expect(w.lastStep).toBe(9);
  });

  it('TLS 1.3: a 19-byte client record after the server flight is an encrypted alert, not a Finished', () => {
    const w = walkHandshake([
      hs('client', 1, 'ClientHello', { clientHello }), hs('server', 2, 'ServerHello', { serverHello: serverHello(0x0304) }),
      appData('server', 23), appData('server', 2000), appData('client', 19),
    ]);
    expect(w.complete).toBe(false);
    expect(w.lastStep).toBe(4);
    expect(w.alerts).toHaveLength(1);
    expect(w.alerts[0]!.alert.encrypted).toBe(true);
    expect(w.alerts[0]!.from).toBe('client');
  });

  it('a HelloRetryRequest is not a step; the second ClientHello is the one kept', () => {
    const second = { ...clientHello, keyShareGroups: [23] };
    const w = walkHandshake([
      hs('client', 1, 'ClientHello', { clientHello }), hs('server', 2, 'ServerHello', { serverHello: serverHello(0x0304, true) }),
      hs('client', 1, 'ClientHello', { clientHello: second }), hs('server', 2, 'ServerHello', { serverHello: serverHello(0x0304) }),
    ]);
    expect(w.helloRetryRequest).toBe(true);
    expect(w.clientHello).toBe(second);
    expect(w.history).toBe('CjCs');
    expect(w.lastStep).toBe(2);
  });

  it('a client ChangeCipherSpec before any ServerHello is TLS 1.3 compatibility, not step 6 (ja4/tls-sni.pcapng)', () => {
    const w = walkHandshake([hs('client', 1, 'ClientHello', { clientHello }), ccs('client'), hs('client', 1, 'ClientHello', { clientHello })]);
    expect(w.lastStep).toBe(1);
    expect(w.steps.map((s) => s.step)).toEqual([1]);
    expect(w.history).toBe('CIC');
  });

  it('a client ChangeCipherSpec after its key exchange is step 6 even when the server side was not captured', () => {
    const w = walkHandshake([hs('client', 1, 'ClientHello', { clientHello }), hs('client', 16, 'ClientKeyExchange'), ccs('client'), encrypted('client')]);
    expect(w.steps.map((s) => s.step)).toEqual([1, 5, 6, 7]);
  });

  it('SSLv2: the cipher is the one the client chose in its CLIENT-MASTER-KEY', () => {
    const w = walkHandshake([
      hs('client', 1, 'ClientHello', { clientHello: { ...clientHello, sslv2: true }, sslv2Type: 1 }),
      hs('server', 2, 'SSLv2 ServerHello', { sslv2Type: 4, serverHello: { ...serverHello(0x0002), cipherSuite: 0x010080 } }),
      hs('client', 16, 'SSLv2 ClientMasterKey', { sslv2Type: 2, sslv2CipherKind: 0x0700c0 }),
    ]);
    expect(w.shape).toBe('sslv2');
    expect([w.version, w.cipher]).toEqual([0x0002, 0x0700c0]);
  });
});

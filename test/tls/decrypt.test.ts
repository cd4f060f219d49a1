/**
 * ConnectionDecryption on records sealed here with node:crypto (the key schedule itself is checked against RFC 8448
 * in keylog.test.ts, whole captures against tshark in keylog-decrypt.test.ts): what only synthetic records reach
 * — TLS 1.3 application data opened and wiped, a KeyUpdate, a damaged record, an unknown ClientHello.
 */
import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConnectionDecryption, FAILED_NOTE, NO_KEYS_NOTE } from '../../src/tls/decrypt.js';
import { suiteProtection, tls13NextSecret, tls13TrafficKeys } from '../../src/tls/key-schedule.js';
import type { SessionSecrets } from '../../src/tls/keylog.js';

const CLIENT_RANDOM = '01'.repeat(32);
const SERVER_RANDOM = '02'.repeat(32);
const TLS_AES_128_GCM_SHA256 = 0x1301;
const secrets: SessionSecrets = {
  serverHandshake: Buffer.alloc(32, 0x11),
  clientHandshake: Buffer.alloc(32, 0x22),
  serverTraffic0: Buffer.alloc(32, 0x33),
  clientTraffic0: Buffer.alloc(32, 0x44),
};
const lookup = { empty: false, secrets: (random: string) => (random === CLIENT_RANDOM ? secrets : undefined) };
const protection = suiteProtection(TLS_AES_128_GCM_SHA256)!;

/** A TLS 1.3 record payload (RFC 8446 §5.2): content, its real type, AES-128-GCM under `secret`'s keys. */
function seal(secret: Buffer, sequence: number, type: number, content: Buffer): Buffer {
  const { key, iv } = tls13TrafficKeys(protection, secret);
  const nonce = Buffer.from(iv);
  nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ sequence) >>> 0, 8);
  const inner = Buffer.concat([content, Buffer.from([type])]);
  const length = inner.length + 16;
  const cipher = createCipheriv('aes-128-gcm', key, nonce);
  cipher.setAAD(Buffer.from([23, 3, 3, length >> 8, length & 0xff]));
  return Buffer.concat([cipher.update(inner), cipher.final(), cipher.getAuthTag()]);
}

function decryption(): ConnectionDecryption {
  const d = new ConnectionDecryption(lookup);
  d.clientHello(CLIENT_RANDOM);
  d.serverHello(SERVER_RANDOM, TLS_AES_128_GCM_SHA256, 0x0304, true, []);
  return d;
}

describe('ConnectionDecryption (TLS 1.3)', () => {
  it('opens handshake records, then after Finished opens application data only to wipe it, and follows a KeyUpdate', () => {
    const d = decryption();
    const finished = Buffer.from([20, 0, 0, 32, ...Buffer.alloc(32, 7)]);
    expect(d.open('server', 23, 0x0303, seal(secrets.serverHandshake!, 0, 22, finished))).toEqual({ kind: 'opened', contentType: 22, content: finished });
    d.finished('server');
    const data = seal(secrets.serverTraffic0!, 0, 23, Buffer.from('250 mail.example.org'));
    expect(d.open('server', 23, 0x0303, data)).toEqual({ kind: 'application-data' });
    expect(d.opened).toBe(1);
    d.keyUpdate('server');
    const next = tls13NextSecret(protection, secrets.serverTraffic0!);
    expect(d.open('server', 23, 0x0303, seal(next, 0, 21, Buffer.from([2, 40])))).toEqual({ kind: 'opened', contentType: 21, content: Buffer.from([2, 40]) });
  });

  it('a damaged record: one note, then that side is left encrypted', () => {
    const d = decryption();
    const record = seal(secrets.clientHandshake!, 0, 22, Buffer.from([20, 0, 0, 0]));
    record[3]! ^= 1;
    const first = d.open('client', 23, 0x0303, record);
    expect(first.kind === 'not-opened' && first.note).toContain(FAILED_NOTE);
    expect(d.open('client', 23, 0x0303, seal(secrets.clientHandshake!, 1, 22, Buffer.from([20, 0, 0, 0])))).toEqual({ kind: 'not-opened', note: null });
    expect(d.opens('client')).toBe(false);
    expect(d.opens('server')).toBe(true);
  });

  it('a ClientHello the key log does not hold: the note that says so, once', () => {
    const d = new ConnectionDecryption(lookup);
    d.clientHello('03'.repeat(32));
    d.serverHello(SERVER_RANDOM, TLS_AES_128_GCM_SHA256, 0x0304, true, []);
    expect(d.open('server', 23, 0x0303, Buffer.alloc(40))).toEqual({ kind: 'not-opened', note: NO_KEYS_NOTE });
    expect(d.open('server', 23, 0x0303, Buffer.alloc(40))).toEqual({ kind: 'not-opened', note: null });
  });
});

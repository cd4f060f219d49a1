import { describe, expect, it } from 'vitest';
import { KeyLogStore, readKeyLog } from '../../src/tls/keylog.js';
import { hkdfExpandLabel, prf, suiteProtection } from '../../src/tls/key-schedule.js';

const RANDOM = 'ab'.repeat(32);

describe('readKeyLog', () => {
  it('reads the NSS labels by client random, counts the unused ones, and names bad lines by number only', () => {
    const text = [
      '# SSL/TLS secrets log file',
      `CLIENT_RANDOM ${RANDOM.toUpperCase()} ${'11'.repeat(48)}`,
      `CLIENT_HANDSHAKE_TRAFFIC_SECRET ${RANDOM} ${'22'.repeat(32)}\r`,
      `EXPORTER_SECRET ${RANDOM} ${'33'.repeat(32)}`,
      `CLIENT_RANDOM ${RANDOM} secretnothex`,
      'hello world',
      '',
    ].join('\n');
    const r = readKeyLog(text);
    expect(r.lines).toBe(2);
    expect(r.ignored).toBe(1);
    expect(r.problems).toEqual(['line 5: the secret is not hex', 'line 6: unknown label']);
    const entry = r.keys.get(RANDOM)!;
    expect(entry.masterSecret!.toString('hex')).toBe('11'.repeat(48));
    expect(entry.clientHandshake!.length).toBe(32);
    expect(entry.serverHandshake).toBeUndefined();
  });

  it('a capture\'s keys come before the given ones, and an empty store says so', () => {
    const given = readKeyLog(`CLIENT_RANDOM ${RANDOM} ${'11'.repeat(48)}`).keys;
    expect(new KeyLogStore(undefined).empty).toBe(true);
    const store = new KeyLogStore(given);
    expect(store.empty).toBe(false);
    store.addFromCapture(`CLIENT_RANDOM ${RANDOM} ${'22'.repeat(48)}`);
    expect(store.secrets(RANDOM)!.masterSecret![0]).toBe(0x22);
    expect(store.secrets('cd'.repeat(32))).toBeUndefined();
  });
});

describe('key schedules', () => {
  it('HKDF-Expand-Label gives RFC 8448 §3 server handshake key and IV', () => {
    // RFC 8448 (Example Handshake Traces for TLS 1.3), simple 1-RTT handshake, TLS_AES_128_GCM_SHA256.
    const secret = Buffer.from('b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38', 'hex');
    expect(hkdfExpandLabel('sha256', secret, 'key', Buffer.alloc(0), 16).toString('hex')).toBe('3fce516009c21727d0f2e4e86ee403bc');
    expect(hkdfExpandLabel('sha256', secret, 'iv', Buffer.alloc(0), 12).toString('hex')).toBe('5d313eb2671276ee13000b30');
  });

  it('the TLS 1.2 PRF gives the known SHA-256 test vector', () => {
    // The widely used P_SHA256 test vector (IETF TLS mailing list, 2008; used by Go's and Python's TLS tests).
    const out = prf(0x0303, 'sha256', Buffer.from('9bbe436ba940f017b17652849a71db35', 'hex'), 'test label', Buffer.from('a0ba9f936cda311827a6f796ffd5198c', 'hex'), 100);
    expect(out.subarray(0, 16).toString('hex')).toBe('e3f229ba727be17b8d122620557cd453');
  });

  it('reads what a suite needs from its IANA name', () => {
    expect(suiteProtection(0x1301)).toMatchObject({ mode: 'gcm', keyLength: 16, prfHash: 'sha256' });
    expect(suiteProtection(0x1302)).toMatchObject({ mode: 'gcm', keyLength: 32, prfHash: 'sha384' });
    expect(suiteProtection(0x1305)).toMatchObject({ mode: 'ccm8', tagLength: 8 });
    expect(suiteProtection(0xcca8)).toMatchObject({ mode: 'chacha20-poly1305', fixedIvLength: 12 });
    expect(suiteProtection(0xc013)).toMatchObject({ mode: 'cbc', macHash: 'sha1', prfHash: 'sha256', blockLength: 16 });
    expect(suiteProtection(0x0005)).toBeNull(); // RC4
  });
});

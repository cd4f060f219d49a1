/**
 * The SSLv2 messages read after CLIENT-HELLO, on payloads laid out as draft-hickman-netscape-ssl-00 §2.5–2.7
 * and appendix A describe them (the decoder tests run them on whole SSLv2 conversations).
 */
import { describe, expect, it } from 'vitest';
import { parseSslv2ClientMasterKey, parseSslv2Error, parseSslv2ServerHello } from '../../src/tls/sslv2.js';

function serverHello(opts: { hit?: boolean; certificate?: Buffer; specs?: number[]; connectionId?: Buffer; lengths?: [number, number, number] } = {}): Buffer {
  const certificate = opts.certificate ?? Buffer.from('3082000130', 'hex');
  const specs = Buffer.concat((opts.specs ?? [0x010080, 0x0700c0]).map((s) => Buffer.from([s >> 16, (s >> 8) & 0xff, s & 0xff])));
  const connectionId = opts.connectionId ?? Buffer.alloc(16, 0xab);
  const [c, s, i] = opts.lengths ?? [certificate.length, specs.length, connectionId.length];
  const head = Buffer.from([4, opts.hit ? 1 : 0, 1, 0x00, 0x02, c >> 8, c & 0xff, s >> 8, s & 0xff, i >> 8, i & 0xff]);
  return Buffer.concat([head, certificate, specs, connectionId]);
}

describe('SSLv2 SERVER-HELLO', () => {
  it('reads the fixed part and what its three lengths measure', () => {
    const r = parseSslv2ServerHello(serverHello());
    expect(r.ok && { ...r.value, certificate: r.value.certificate.toString('hex'), connectionId: r.value.connectionId.toString('hex') }).toEqual({
      sessionIdHit: false,
      certificateType: 1,
      version: 0x0002,
      certificate: '3082000130',
      cipherSpecs: [0x010080, 0x0700c0],
      connectionId: 'ab'.repeat(16),
    });
  });

  it('a session-id hit with no certificate and no cipher specs', () => {
    const r = parseSslv2ServerHello(serverHello({ hit: true, certificate: Buffer.alloc(0), specs: [] }));
    expect(r.ok && [r.value.sessionIdHit, r.value.certificate.length, r.value.cipherSpecs]).toEqual([true, 0, []]);
  });

  it('says what is wrong with a malformed one', () => {
    expect(parseSslv2ServerHello(serverHello().subarray(0, 10))).toEqual({ ok: false, error: 'shorter than its fixed part' });
    expect(parseSslv2ServerHello(serverHello({ lengths: [5, 6, 17] }))).toEqual({ ok: false, error: 'lengths run past the record' });
    expect(parseSslv2ServerHello(serverHello({ lengths: [5, 5, 16] }))).toEqual({ ok: false, error: 'lengths run past the record' });
  });
});

describe('SSLv2 CLIENT-MASTER-KEY and ERROR', () => {
  it('reads the cipher kind the client chose', () => {
    expect(parseSslv2ClientMasterKey(Buffer.from([2, 0x07, 0x00, 0xc0, 0, 0]))).toEqual({ ok: true, value: { cipherKind: 0x0700c0 } });
    expect(parseSslv2ClientMasterKey(Buffer.from([2, 0x07, 0x00])).ok).toBe(false);
  });

  it('reads an ERROR of exactly type and code, and nothing longer', () => {
    expect(parseSslv2Error(Buffer.from([0, 0x00, 0x01]))).toEqual({ ok: true, value: { code: 1 } });
    expect(parseSslv2Error(Buffer.from([0, 0x00, 0x01, 0x99])).ok).toBe(false);
    expect(parseSslv2Error(Buffer.from([0, 0x00])).ok).toBe(false);
  });
});

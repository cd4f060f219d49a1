/**
 * The SSLv2 messages the decoder reads after CLIENT-HELLO (messages.ts reads that one): SERVER-HELLO,
 * CLIENT-MASTER-KEY and ERROR (draft-hickman-netscape-ssl-00 §2.5–2.7 and appendix A), each from a record's
 * payload (message type first), through ByteReader like every other parser. Pure: Buffer in, Result out; what
 * they return are views of the payload.
 */
import { attempt, ByteReader, TlsDecodeError, type Result } from './reader.js';
import { SSLV2_CLIENT_MASTER_KEY, SSLV2_ERROR, SSLV2_SERVER_HELLO } from './records.js';

export interface Sslv2ServerHello {
  /** The server knew the session id: the client sends no CLIENT-MASTER-KEY, and protects its next record. */
  sessionIdHit: boolean;
  certificateType: number;
  version: number;
  /** The server's certificate (DER), empty on a session-id hit. */
  certificate: Buffer;
  /** The 3-byte CIPHER-KINDs the server accepts, in its order. */
  cipherSpecs: number[];
  connectionId: Buffer;
}

/** The problem with a SERVER-HELLO, in the words of the decoder's error lines. */
const SHORTER_THAN_FIXED_PART = 'shorter than its fixed part';
const LENGTHS_PAST_RECORD = 'lengths run past the record';

/** SERVER-HELLO: type, session-id-hit, certificate type, version, three lengths, then what they measure. */
export function parseSslv2ServerHello(payload: Buffer): Result<Sslv2ServerHello> {
  return attempt(() => {
    const r = new ByteReader(payload, 0, payload.length, 'SSLv2 SERVER-HELLO');
    let fixed: { sessionIdHit: boolean; certificateType: number; version: number; certificateLength: number; cipherSpecsLength: number; connectionIdLength: number };
    try {
      if (r.u8('message type') !== SSLV2_SERVER_HELLO) throw new TlsDecodeError('not a SERVER-HELLO');
      fixed = {
        sessionIdHit: r.u8('session id hit') !== 0,
        certificateType: r.u8('certificate type'),
        version: r.u16('version'),
        certificateLength: r.u16('certificate length'),
        cipherSpecsLength: r.u16('cipher specs length'),
        connectionIdLength: r.u16('connection id length'),
      };
    } catch (e) {
      throw e instanceof TlsDecodeError ? new TlsDecodeError(SHORTER_THAN_FIXED_PART) : e;
    }
    if (fixed.cipherSpecsLength % 3 !== 0 || fixed.certificateLength + fixed.cipherSpecsLength + fixed.connectionIdLength > r.remaining) {
      throw new TlsDecodeError(LENGTHS_PAST_RECORD);
    }
    const certificate = r.bytes(fixed.certificateLength, 'certificate');
    const specs = r.sub(fixed.cipherSpecsLength, 'cipher specs');
    const cipherSpecs: number[] = [];
    while (!specs.atEnd) cipherSpecs.push(specs.u24('cipher kind'));
    const connectionId = r.bytes(fixed.connectionIdLength, 'connection id');
    return { sessionIdHit: fixed.sessionIdHit, certificateType: fixed.certificateType, version: fixed.version, certificate, cipherSpecs, connectionId };
  });
}

/** CLIENT-MASTER-KEY: type, then the 3-byte CIPHER-KIND the client chose (the rest, keys, is not needed here). */
export function parseSslv2ClientMasterKey(payload: Buffer): Result<{ cipherKind: number }> {
  return attempt(() => {
    const r = new ByteReader(payload, 0, payload.length, 'SSLv2 CLIENT-MASTER-KEY');
    if (r.u8('message type') !== SSLV2_CLIENT_MASTER_KEY) throw new TlsDecodeError('SSLv2 CLIENT-MASTER-KEY: wrong message type');
    return { cipherKind: r.u24('cipher kind') };
  });
}

/** ERROR: type and a 2-byte error code, nothing more (a longer record is not an ERROR in the clear). */
export function parseSslv2Error(payload: Buffer): Result<{ code: number }> {
  return attempt(() => {
    const r = new ByteReader(payload, 0, payload.length, 'SSLv2 ERROR');
    if (r.u8('message type') !== SSLV2_ERROR) throw new TlsDecodeError('SSLv2 ERROR: wrong message type');
    const code = r.u16('error code');
    r.expectEnd('bytes');
    return { code };
  });
}

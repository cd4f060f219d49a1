/**
 * Databases that start TLS inside their own protocol:
 * - MySQL and MariaDB: the server's greeting (Protocol::HandshakeV10) lists CLIENT_SSL; a client that wants TLS
 *   answers with a 32-byte SSL request packet that sets it, then sends its ClientHello (arkime/mysql-tls.pcap).
 * - PostgreSQL: the client's 8-byte SSLRequest; the server answers one byte, 'S' (TLS follows) or 'N'.
 * Neither's login is read: after a refusal or a plaintext login the rest is the database's, not looked at.
 */
import type { Side } from '../tcp/types.js';
import { Carrier, type CarrierMessage, tlsRecordByte, type AfterCarrier } from './carrier.js';

/** MySQL packet header: 3-byte little-endian payload length, 1-byte sequence id. */
const MYSQL_HEADER = 4;
const MYSQL_PROTOCOL_V10 = 0x0a;
/** CLIENT_SSL in the capability flags. */
const MYSQL_CLIENT_SSL = 0x0800;
/** The SSL request's payload: capability flags (4), max packet size (4), character set (1), filler (23). */
const MYSQL_SSL_REQUEST_PAYLOAD = 32;
/** A greeting this short or this long is not one (a version string, 4 + 8 + 1 + 2 bytes at least). */
const MYSQL_GREETING_MIN = 20;
/** Below 0x300 the length's middle byte is not 3, so the bytes cannot be a TLS record's header (version 3.x). */
const MYSQL_GREETING_MAX = 0x2ff;
/** Bytes after the greeting's version string up to the lower capability flags: connection id, auth data, filler. */
const MYSQL_CAPS_AFTER_VERSION = 4 + 8 + 1;

/** PostgreSQL SSLRequest (protocol.html, "SSLRequest"): length 8, code 80877103 (1234 << 16 | 5679). */
export const PG_SSL_REQUEST = Buffer.from([0x00, 0x00, 0x00, 0x08, 0x04, 0xd2, 0x16, 0x2f]);
const PG_WILLING = 0x53; // 'S'
const PG_UNWILLING = 0x4e; // 'N'
const PG_ERROR = 0x45; // 'E' (servers before 7.0 answer an error)

/** Whether a server's first bytes are a MySQL greeting: 'maybe' while fewer than 5 are known. */
export function mysqlGreetingStart(b: Buffer, have: number): 'yes' | 'no' | 'maybe' {
  if (have < MYSQL_HEADER + 1) return 'maybe';
  const length = b.readUIntLE(0, 3);
  return b[3] === 0 && b[4] === MYSQL_PROTOCOL_V10 && length >= MYSQL_GREETING_MIN && length <= MYSQL_GREETING_MAX ? 'yes' : 'no';
}

/** Whether a client's first bytes are PostgreSQL's SSLRequest: 'maybe' while they match but are fewer than 8. */
export function postgresSslRequestStart(b: Buffer, have: number): 'yes' | 'no' | 'maybe' {
  const n = Math.min(have, PG_SSL_REQUEST.length);
  for (let i = 0; i < n; i++) if (b[i] !== PG_SSL_REQUEST[i]) return 'no';
  return n === PG_SSL_REQUEST.length ? 'yes' : 'maybe';
}

export class MysqlCarrier extends Carrier {
  readonly name = 'mysql';
  private greeted = false;

  protected lengthOf(_from: Side, b: Buffer, have: number): number {
    return have < MYSQL_HEADER ? MYSQL_HEADER : MYSQL_HEADER + b.readUIntLE(0, 3);
  }

  protected message(from: Side, m: CarrierMessage): void {
    const b = m.buf;
    const payload = m.length - MYSQL_HEADER;
    if (from === 'server') {
      // The greeting: protocol version, NUL-terminated server version, then the lower capability flags.
      const versionEnd = b.indexOf(0, MYSQL_HEADER + 1);
      const capsAt = versionEnd + 1 + MYSQL_CAPS_AFTER_VERSION;
      if (versionEnd >= 0 && versionEnd < m.length && capsAt + 2 <= m.length) this.offered = (b.readUInt16LE(capsAt) & MYSQL_CLIENT_SSL) !== 0;
      const version = versionEnd >= 0 && versionEnd < m.length ? b.toString('latin1', MYSQL_HEADER + 1, versionEnd) : '?';
      this.greeted = true;
      this.lines.push({ from, frame: m.frame, line: `[MySQL greeting, server ${version}${this.offered === true ? ', TLS offered' : this.offered === false ? ', TLS not offered' : ''}]` });
      return;
    }
    // The client's first packet: the SSL request, or a whole login in plaintext.
    const caps = payload >= 4 ? b.readUInt32LE(MYSQL_HEADER) : 0;
    if (payload === MYSQL_SSL_REQUEST_PAYLOAD && (caps & MYSQL_CLIENT_SSL) !== 0) {
      this.asked = true;
      this.lines.push({ from, frame: m.frame, line: '[MySQL SSL request]' });
      this.afterSide.client = 'tls';
    } else {
      this.lines.push({ from, frame: m.frame, line: '[MySQL login without TLS]' });
      this.afterSide.client = 'opaque';
    }
  }

  protected override waiting(from: Side, data: Buffer, at: number): AfterCarrier | null {
    // The server's greeting is its only carrier message: then TLS when the client asked for it.
    if (from !== 'server' || !this.greeted) return null;
    if (this.asked) return 'tls';
    // A client packet not seen (lost, or the capture began late): the first byte says.
    return this.afterSide.client === null && tlsRecordByte(data[at]) ? 'tls' : 'opaque';
  }
}

export class PostgresCarrier extends Carrier {
  readonly name = 'postgresql';

  protected lengthOf(from: Side, _b: Buffer, _have: number): number {
    return from === 'client' ? PG_SSL_REQUEST.length : 1;
  }

  protected message(from: Side, m: CarrierMessage): void {
    if (from === 'client') {
      this.asked = true;
      this.lines.push({ from, frame: m.frame, line: '[PostgreSQL SSLRequest]' });
      return;
    }
    const answer = m.buf[0];
    this.accepted = answer === PG_WILLING;
    this.reply = answer === PG_WILLING ? 'S' : answer === PG_UNWILLING ? 'N' : answer === PG_ERROR ? 'E' : `0x${answer!.toString(16).padStart(2, '0')}`;
    this.lines.push({ from, frame: m.frame, line: `[PostgreSQL ${this.accepted ? "'S': TLS follows" : `'${this.reply}': no TLS`}]` });
    this.afterSide.server = this.accepted ? 'tls' : 'opaque';
    if (!this.accepted && answer !== PG_UNWILLING && answer !== PG_ERROR) this.problem ??= `the server answered the SSLRequest with byte ${this.reply}, neither 'S' nor 'N'`;
  }

  protected override waiting(from: Side, data: Buffer, at: number): AfterCarrier | null {
    // After its SSLRequest the client waits for the server's byte: then TLS, or a plaintext startup message.
    if (from !== 'client' || !this.asked) return null;
    if (this.accepted !== null) return this.accepted ? 'tls' : 'opaque';
    return tlsRecordByte(data[at]) ? 'tls' : 'opaque';
  }
}

/**
 * SOCKS 4, 4a and 5 (RFC 1928, with RFC 1929 username/password): the client asks a SOCKS server to connect it
 * somewhere, and the tunnel that follows carries the client's own protocol, often TLS
 * (ja4/socks-https-example.pcap). Only the client's CONNECT (and BIND) and the server's answers are read; the
 * password of RFC 1929 is never kept.
 */
import { formatIPv4, formatIPv6 } from '../net/address.js';
import type { Side } from '../tcp/types.js';
import { Carrier, type CarrierMessage } from './carrier.js';

export const SOCKS4_VERSION = 0x04;
export const SOCKS5_VERSION = 0x05;
/** SOCKS4 reply version byte (the reply's VN is 0, not 4). */
const SOCKS4_REPLY_VERSION = 0x00;
/** RFC 1929 §2: the username/password sub-negotiation's version. */
const USERPASS_VERSION = 0x01;
const METHOD_USERPASS = 0x02;
const METHOD_NONE_ACCEPTABLE = 0xff;

/** Commands: SOCKS4 CD and SOCKS5 CMD (RFC 1928 §4). */
const COMMANDS: ReadonlyMap<number, string> = new Map([
  [0x01, 'CONNECT'],
  [0x02, 'BIND'],
  [0x03, 'UDP ASSOCIATE'],
]);
/** SOCKS5 ATYP and the size of its address (a domain name's is in its first byte). */
const ATYP_IPV4 = 0x01;
const ATYP_DOMAIN = 0x03;
const ATYP_IPV6 = 0x04;
/** SOCKS4 reply codes (CD). */
const SOCKS4_REPLIES: ReadonlyMap<number, string> = new Map([
  [90, 'granted'],
  [91, 'rejected or failed'],
  [92, 'rejected: no identd on the client'],
  [93, 'rejected: identd does not confirm the user'],
]);
const SOCKS4_GRANTED = 90;
/** SOCKS5 REP (RFC 1928 §6). */
const SOCKS5_REPLIES: readonly string[] = [
  'succeeded',
  'general SOCKS server failure',
  'connection not allowed by ruleset',
  'network unreachable',
  'host unreachable',
  'connection refused',
  'TTL expired',
  'command not supported',
  'address type not supported',
];
const SOCKS5_SUCCEEDED = 0x00;
/** Methods a SOCKS5 greeting may list: assigned ones (0x00–0x09) and the private range (0x80–0xFE). */
const isMethod = (m: number) => m <= 0x09 || (m >= 0x80 && m < 0xff);
/** A SOCKS5 greeting with more methods than this is not believed (RFC 1928 allows 255; clients send a few). */
const MAX_METHODS = 32;

/**
 * Whether a client's first bytes open a SOCKS request: `bytes[0, have)`; 'maybe' while too few to tell.
 * SOCKS4: VN 4, a known command. SOCKS5: VN 5, 1–32 methods, the first one assigned or private.
 */
export function socksStart(bytes: Buffer, have: number): 4 | 5 | 'no' | 'maybe' {
  if (have < 1) return 'maybe';
  if (bytes[0] === SOCKS4_VERSION) {
    if (have < 2) return 'maybe';
    return bytes[1] === 0x01 || bytes[1] === 0x02 ? 4 : 'no';
  }
  if (bytes[0] === SOCKS5_VERSION) {
    if (have < 3) return 'maybe';
    const n = bytes[1]!;
    return n >= 1 && n <= MAX_METHODS && isMethod(bytes[2]!) ? 5 : 'no';
  }
  return 'no';
}

/** The next message on each side: what the protocol expects there. */
type ClientStep = 'request4' | 'greeting' | 'auth-or-request' | 'done';
type ServerStep = 'reply4' | 'method' | 'auth-or-reply' | 'done';

export class SocksCarrier extends Carrier {
  readonly name = 'socks';
  private clientStep: ClientStep;
  private serverStep: ServerStep;

  constructor(readonly version: 4 | 5) {
    super();
    this.clientStep = version === 4 ? 'request4' : 'greeting';
    this.serverStep = version === 4 ? 'reply4' : 'method';
  }

  protected lengthOf(from: Side, b: Buffer, have: number): number {
    const step = from === 'client' ? this.clientStep : this.serverStep;
    switch (step) {
      case 'request4': {
        // VN CD DSTPORT(2) DSTIP(4) USERID NUL, and for 4a (DSTIP 0.0.0.x, x ≠ 0) HOST NUL.
        if (have < 9) return 9;
        const userEnd = b.indexOf(0, 8);
        if (userEnd < 0 || userEnd >= have) return have + 1;
        const socks4a = b[4] === 0 && b[5] === 0 && b[6] === 0 && b[7] !== 0;
        if (!socks4a) return userEnd + 1;
        const hostEnd = b.indexOf(0, userEnd + 1);
        return hostEnd < 0 || hostEnd >= have ? have + 1 : hostEnd + 1;
      }
      case 'reply4':
        return 8;
      case 'greeting':
        return have < 2 ? 2 : 2 + b[1]!;
      case 'method':
        return 2;
      case 'auth-or-request':
        if (have < 1) return 1;
        if (b[0] === USERPASS_VERSION) {
          if (have < 2) return 2;
          const passLengthAt = 2 + b[1]!;
          return have <= passLengthAt ? passLengthAt + 1 : passLengthAt + 1 + b[passLengthAt]!;
        }
        return socks5AddressMessageLength(b, have);
      case 'auth-or-reply':
        if (have < 1) return 1;
        if (b[0] === USERPASS_VERSION) return 2;
        return socks5AddressMessageLength(b, have);
      case 'done':
        return -1;
    }
  }

  protected message(from: Side, m: CarrierMessage): void {
    const b = m.buf;
    if (from === 'client') {
      switch (this.clientStep) {
        case 'request4': {
          const command = COMMANDS.get(b[1]!) ?? `command ${b[1]}`;
          const socks4a = b[4] === 0 && b[5] === 0 && b[6] === 0 && b[7] !== 0;
          const userEnd = b.indexOf(0, 8);
          const host = socks4a ? b.toString('latin1', userEnd + 1, m.length - 1) : formatIPv4(b, 4);
          this.asked = true;
          this.lines.push({ from, frame: m.frame, line: `[SOCKS${socks4a ? '4a' : '4'} ${command} ${hostPort(host, b.readUInt16BE(2))}]` });
          this.clientStep = 'done';
          this.afterSide.client = 'tunnel';
          return;
        }
        case 'greeting':
          this.lines.push({ from, frame: m.frame, line: `[SOCKS5 greeting, ${b[1]} method${b[1] === 1 ? '' : 's'}]` });
          this.clientStep = 'auth-or-request';
          return;
        case 'auth-or-request':
          if (b[0] === USERPASS_VERSION) {
            this.lines.push({ from, frame: m.frame, line: '[SOCKS5 username and password: <redacted>]' });
            return;
          }
          if (b[0] !== SOCKS5_VERSION) return this.malformed(from, `a SOCKS5 request of version ${b[0]}`);
          this.asked = true;
          this.lines.push({ from, frame: m.frame, line: `[SOCKS5 ${COMMANDS.get(b[1]!) ?? `command ${b[1]}`} ${socks5Address(b, m.length)}]` });
          this.clientStep = 'done';
          this.afterSide.client = 'tunnel';
          return;
        default:
          return;
      }
    }
    switch (this.serverStep) {
      case 'reply4': {
        if (b[0] !== SOCKS4_REPLY_VERSION) return this.malformed(from, `a SOCKS4 reply of version ${b[0]}, not 0`);
        this.answer(from, m.frame, SOCKS4_REPLIES.get(b[1]!) ?? `reply code ${b[1]}`, b[1] === SOCKS4_GRANTED);
        return;
      }
      case 'method':
        if (b[0] !== SOCKS5_VERSION) return this.malformed(from, `a SOCKS5 method selection of version ${b[0]}`);
        if (b[1] === METHOD_NONE_ACCEPTABLE) return this.answer(from, m.frame, 'no acceptable authentication method', false);
        this.lines.push({ from, frame: m.frame, line: `[SOCKS5 method ${b[1]}${b[1] === METHOD_USERPASS ? ' (username/password)' : b[1] === 0 ? ' (no authentication)' : ''}]` });
        this.serverStep = 'auth-or-reply';
        return;
      case 'auth-or-reply':
        if (b[0] === USERPASS_VERSION) {
          if (b[1] !== 0) return this.answer(from, m.frame, 'authentication failed', false);
          this.lines.push({ from, frame: m.frame, line: '[SOCKS5 authentication succeeded]' });
          return;
        }
        if (b[0] !== SOCKS5_VERSION) return this.malformed(from, `a SOCKS5 reply of version ${b[0]}`);
        this.answer(from, m.frame, SOCKS5_REPLIES[b[1]!] ?? `reply code ${b[1]}`, b[1] === SOCKS5_SUCCEEDED);
        return;
      default:
        return;
    }
  }

  private answer(from: Side, frame: number, words: string, granted: boolean): void {
    this.reply = words;
    this.accepted = granted;
    this.lines.push({ from, frame, line: `[SOCKS${this.version} ${words}]` });
    this.serverStep = 'done';
    this.afterSide.server = granted ? 'tunnel' : 'opaque';
  }
}

/** VER CMD|REP RSV ATYP ADDR PORT(2): the length once the address type (and a domain's length) is known. */
function socks5AddressMessageLength(b: Buffer, have: number): number {
  if (have < 4) return 4;
  switch (b[3]) {
    case ATYP_IPV4:
      return 4 + 4 + 2;
    case ATYP_IPV6:
      return 4 + 16 + 2;
    case ATYP_DOMAIN:
      return have < 5 ? 5 : 5 + b[4]! + 2;
    default:
      return -1;
  }
}

function socks5Address(b: Buffer, length: number): string {
  const port = b.readUInt16BE(length - 2);
  switch (b[3]) {
    case ATYP_IPV4:
      return hostPort(formatIPv4(b, 4), port);
    case ATYP_IPV6:
      return hostPort(formatIPv6(b, 4), port);
    default:
      return hostPort(b.toString('latin1', 5, 5 + b[4]!), port);
  }
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The PROXY protocol header a load balancer (HAProxy `send-proxy` / `send-proxy-v2`, AWS NLB, …) puts at the start
 * of the client's stream to tell the server who the real client is: version 1 (one text line) and version 2 (a
 * binary header with TLVs). The specification is HAProxy's doc/proxy-protocol.txt; its numbers are below, once.
 *
 * `ProxyHeaderReader` takes the client's first bytes in as many pieces as they come and says when the header is
 * over; it never throws and keeps at most MAX_KEPT bytes (a longer v2 header's tail is skipped, not kept).
 */
import { formatIPv4, formatIPv6 } from '../net/address.js';
import type { Endpoint } from '../tcp/types.js';

/** "PROXY " opens a version 1 header; the whole line is at most 107 bytes with its CRLF (spec §2.1). */
export const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
export const V1_MAX_LENGTH = 107;
/** The 12-byte signature of version 2 (spec §2.2): \r\n\r\n\0\r\nQUIT\n. */
export const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
/** Signature, version/command, family/transport, 2-byte length. */
export const V2_FIXED_LENGTH = 16;
const V2_VERSION = 2;

/** Version 2 commands (low nibble of byte 13). */
const V2_COMMANDS: ReadonlyMap<number, ProxyCommand> = new Map([
  [0x0, 'local'],
  [0x1, 'proxy'],
]);

/** Version 2 address families (high nibble of byte 14), with the size of their address block. */
const V2_FAMILIES: ReadonlyMap<number, { family: 'unspec' | 'inet' | 'inet6' | 'unix'; addressBytes: number }> = new Map([
  [0x0, { family: 'unspec', addressBytes: 0 }],
  [0x1, { family: 'inet', addressBytes: 12 }],
  [0x2, { family: 'inet6', addressBytes: 36 }],
  [0x3, { family: 'unix', addressBytes: 216 }],
]);

/** Version 2 transport protocols (low nibble of byte 14). */
const V2_TRANSPORTS: ReadonlyMap<number, 'unspec' | 'stream' | 'dgram'> = new Map([
  [0x0, 'unspec'],
  [0x1, 'stream'],
  [0x2, 'dgram'],
]);

/** TLV types (spec §2.2.x). 0xE0–0xEF are for applications (AWS 0xEA, Azure 0xEE, GCP 0xE0). */
const PP2_TYPE_ALPN = 0x01;
const PP2_TYPE_AUTHORITY = 0x02;
const PP2_TYPE_CRC32C = 0x03;
const PP2_TYPE_NOOP = 0x04;
const PP2_TYPE_UNIQUE_ID = 0x05;
const PP2_TYPE_SSL = 0x20;
const PP2_TYPE_NETNS = 0x30;
/** Sub-TLVs of PP2_TYPE_SSL, after its 1-byte client field and 4-byte verify field. */
const PP2_SSL_SUBTYPES: ReadonlyMap<number, 'version' | 'cn' | 'cipher' | 'sigAlg' | 'keyAlg'> = new Map([
  [0x21, 'version'],
  [0x22, 'cn'],
  [0x23, 'cipher'],
  [0x24, 'sigAlg'],
  [0x25, 'keyAlg'],
]);
/** Bits of the SSL TLV's client field. */
const PP2_CLIENT_SSL = 0x01;
const PP2_CLIENT_CERT_CONN = 0x02;
const PP2_CLIENT_CERT_SESS = 0x04;
const SSL_TLV_FIXED = 5;
const TLV_HEADER = 3;

/** Bytes of a header kept to be parsed: every address block and the usual TLVs fit; a longer tail is skipped. */
const MAX_KEPT = 1024;
/** Longest text shown of one TLV value or v1 field. */
const MAX_VALUE_CHARS = 255;

export type ProxyCommand = 'proxy' | 'local' | 'unknown';

export interface ProxySslTlv {
  /** The client connected over TLS (PP2_CLIENT_SSL), and sent a certificate on this connection or session. */
  tls: boolean;
  clientCertificate: boolean;
  /** 0 when the client's certificate was verified. */
  verify: number;
  version?: string;
  cn?: string;
  cipher?: string;
  sigAlg?: string;
  keyAlg?: string;
}

/** The TLVs of a version 2 header that were present, decoded; binary ones in hex. */
export interface ProxyTlvs {
  alpn?: string;
  authority?: string;
  crc32c?: string;
  /** Text when all of it is printable ASCII (HAProxy's unique-id-format), else hex. */
  uniqueId?: string;
  ssl?: ProxySslTlv;
  netns?: string;
  /** Any other type (application-specific 0xE0–0xEF, unassigned): the value as text when printable ASCII, else hex. */
  other?: { type: number; value: string }[];
}

export interface ProxyHeader {
  version: 1 | 2;
  command: ProxyCommand;
  /** v1: 'tcp4' | 'tcp6' | 'unknown'; v2: family/transport, e.g. 'inet/stream'. */
  family: string;
  /** The client and the address it connected to, as announced (null for LOCAL, UNKNOWN, UNSPEC and UNIX). */
  source: Endpoint | null;
  destination: Endpoint | null;
  tlvs: ProxyTlvs;
  /** Bytes of the header on the wire. */
  length: number;
}

/** Whether `data[start…]` can begin a PROXY header: `known` says how many bytes were compared (all there were, up to 12). */
export function proxyHeaderStart(bytes: Buffer | number[], start: number, end: number): 'yes' | 'no' | 'maybe' {
  const n = end - start;
  if (n <= 0) return 'maybe';
  const signature = bytes[start] === V1_PREFIX[0] ? V1_PREFIX : bytes[start] === V2_SIGNATURE[0] ? V2_SIGNATURE : null;
  if (signature === null) return 'no';
  const k = Math.min(n, signature.length);
  for (let i = 0; i < k; i++) if (bytes[start + i] !== signature[i]) return 'no';
  return k === signature.length ? 'yes' : 'maybe';
}

/**
 * Reads one PROXY header from the client's first bytes. `push` returns how many of the given bytes belong to the
 * header (all of them while it goes on); once `done`, `header` is the result (null when it could not be read)
 * and `problem` says what was wrong, if anything.
 */
export class ProxyHeaderReader {
  done = false;
  header: ProxyHeader | null = null;
  problem: string | null = null;
  private readonly kept = Buffer.allocUnsafe(MAX_KEPT);
  private keptLength = 0;
  /** Total bytes of the header read so far (kept or skipped). */
  private read = 0;
  /** Version 2: the header's whole length, once its fixed part is read. */
  private wanted: number | null = null;

  constructor(private readonly version: 1 | 2) {}

  /** Bytes of the header read so far (for a note on a header that never ended). */
  get bytesRead(): number {
    return this.read;
  }

  /** Takes `data[start…]`; returns the index in `data` where the header ended (data.length while it goes on). */
  push(data: Buffer, start: number): number {
    if (this.done) return start;
    return this.version === 1 ? this.pushV1(data, start) : this.pushV2(data, start);
  }

  /** The stream ended, or bytes were lost, before the header did. */
  truncated(why: string): void {
    if (this.done) return;
    this.done = true;
    const whole = this.wanted !== null ? ` of ${this.wanted}` : '';
    this.problem = `PROXY protocol v${this.version} header cut short after ${this.read}${whole} bytes (${why}): the announced client is unknown`;
  }

  private pushV1(data: Buffer, start: number): number {
    const room = V1_MAX_LENGTH - this.keptLength;
    const lf = data.indexOf(0x0a, start);
    const end = lf >= 0 && lf - start < room ? lf + 1 : Math.min(data.length, start + room);
    data.copy(this.kept, this.keptLength, start, end);
    this.keptLength += end - start;
    this.read += end - start;
    if (lf >= 0 && lf < end) {
      this.done = true;
      this.parseV1();
      return end;
    }
    if (this.keptLength >= V1_MAX_LENGTH) {
      this.done = true;
      this.problem = `PROXY protocol v1 header without its line end in ${V1_MAX_LENGTH} bytes: the announced client is unknown`;
      return end;
    }
    return data.length;
  }

  private parseV1(): void {
    const lineEnd = this.keptLength >= 2 && this.kept[this.keptLength - 2] === 0x0d ? this.keptLength - 2 : this.keptLength - 1;
    const line = this.kept.toString('latin1', V1_PREFIX.length, lineEnd);
    const fields = line.split(' ');
    const family = fields[0] ?? '';
    const bad = (why: string) => {
      this.problem = `PROXY protocol v1 header ${quoted(this.kept.toString('latin1', 0, lineEnd))} ${why}: the announced client is unknown`;
    };
    if (lineEnd === this.keptLength - 1) return bad('ends in a bare LF, not CRLF');
    if (family === 'UNKNOWN') {
      // The sender could not tell (spec §2.1): whatever follows UNKNOWN is to be ignored; the peer stays the client.
      this.header = { version: 1, command: 'unknown', family: 'unknown', source: null, destination: null, tlvs: {}, length: this.read };
      return;
    }
    if (family !== 'TCP4' && family !== 'TCP6') return bad(`names protocol ${quoted(family)}, not TCP4, TCP6 or UNKNOWN`);
    if (fields.length !== 5) return bad(`has ${fields.length} fields after PROXY, not 5`);
    const [, srcIp, dstIp, srcPort, dstPort] = fields as [string, string, string, string, string];
    const v4 = family === 'TCP4';
    for (const ip of [srcIp, dstIp]) if (!(v4 ? isIpv4(ip) : isIpv6(ip))) return bad(`has ${quoted(ip)} where an ${v4 ? 'IPv4' : 'IPv6'} address belongs`);
    for (const port of [srcPort, dstPort]) if (!isPort(port)) return bad(`has ${quoted(port)} where a port (0–65535, no leading zero) belongs`);
    this.header = {
      version: 1,
      command: 'proxy',
      family: family.toLowerCase(),
      source: { ip: v4 ? srcIp : canonicalIpv6(srcIp), port: Number(srcPort) },
      destination: { ip: v4 ? dstIp : canonicalIpv6(dstIp), port: Number(dstPort) },
      tlvs: {},
      length: this.read,
    };
  }

  private pushV2(data: Buffer, start: number): number {
    let i = start;
    if (this.wanted === null) {
      const k = Math.min(V2_FIXED_LENGTH - this.keptLength, data.length - i);
      data.copy(this.kept, this.keptLength, i, i + k);
      this.keptLength += k;
      this.read += k;
      i += k;
      if (this.keptLength < V2_FIXED_LENGTH) return data.length;
      this.wanted = V2_FIXED_LENGTH + this.kept.readUInt16BE(14);
    }
    const left = this.wanted - this.read;
    const k = Math.min(left, data.length - i);
    const keep = Math.min(k, MAX_KEPT - this.keptLength);
    if (keep > 0) data.copy(this.kept, this.keptLength, i, i + keep);
    this.keptLength += Math.max(0, keep);
    this.read += k;
    i += k;
    if (this.read < this.wanted) return data.length;
    this.done = true;
    this.parseV2();
    return i;
  }

  private parseV2(): void {
    const kept = this.kept.subarray(0, this.keptLength);
    const verCmd = kept[12]!;
    const famByte = kept[13]!;
    const bad = (why: string) => {
      this.problem = `PROXY protocol v2 header ${why}: the announced client is unknown`;
    };
    if (verCmd >> 4 !== V2_VERSION) return bad(`has version ${verCmd >> 4}, not 2`);
    const command = V2_COMMANDS.get(verCmd & 0x0f);
    if (command === undefined) return bad(`has command ${verCmd & 0x0f}, neither LOCAL (0) nor PROXY (1)`);
    const family = V2_FAMILIES.get(famByte >> 4);
    const transport = V2_TRANSPORTS.get(famByte & 0x0f);
    if (family === undefined || transport === undefined) return bad(`has address family/transport byte 0x${famByte.toString(16).padStart(2, '0')}, not one the specification defines`);
    const body = this.wanted! - V2_FIXED_LENGTH;
    const header: ProxyHeader = { version: 2, command, family: `${family.family}/${transport}`, source: null, destination: null, tlvs: {}, length: this.read };
    this.header = header;
    // LOCAL: the balancer's own connection (a health check); its addresses, if any, are to be ignored (spec §2.2).
    if (command === 'local') return this.parseTlvs(kept, V2_FIXED_LENGTH + Math.min(family.addressBytes, body));
    if (body < family.addressBytes) {
      this.header = null;
      return bad(`is ${body} bytes long after its fixed part, too short for a ${family.family} address block (${family.addressBytes})`);
    }
    const a = V2_FIXED_LENGTH;
    if (family.family === 'inet') {
      header.source = { ip: formatIPv4(kept, a), port: kept.readUInt16BE(a + 8) };
      header.destination = { ip: formatIPv4(kept, a + 4), port: kept.readUInt16BE(a + 10) };
    } else if (family.family === 'inet6') {
      header.source = { ip: formatIPv6(kept, a), port: kept.readUInt16BE(a + 32) };
      header.destination = { ip: formatIPv6(kept, a + 16), port: kept.readUInt16BE(a + 34) };
    }
    if (family.family !== 'inet' && family.family !== 'inet6') {
      this.problem = `PROXY protocol v2 header announces a ${family.family} address, not an IP one: the load balancer stays the client`;
    } else if (transport !== 'stream') {
      this.problem = `PROXY protocol v2 header announces a ${transport} connection on a TCP stream`;
    }
    this.parseTlvs(kept, a + family.addressBytes);
  }

  private parseTlvs(kept: Buffer, from: number): void {
    const tlvs = this.header!.tlvs;
    const end = Math.min(this.wanted!, kept.length);
    let i = from;
    while (i + TLV_HEADER <= end) {
      const type = kept[i]!;
      const length = kept.readUInt16BE(i + 1);
      const v = i + TLV_HEADER;
      if (v + length > this.wanted!) {
        this.problem = `PROXY protocol v2 TLV of type 0x${hex2(type)} claims ${length} bytes, past the header's end: the TLVs after it are not read`;
        return;
      }
      if (v + length > end) {
        this.problem = `PROXY protocol v2 TLVs past the first ${MAX_KEPT} bytes of the header were not read`;
        return;
      }
      const value = kept.subarray(v, v + length);
      switch (type) {
        case PP2_TYPE_ALPN:
          tlvs.alpn = text(value);
          break;
        case PP2_TYPE_AUTHORITY:
          tlvs.authority = text(value);
          break;
        case PP2_TYPE_CRC32C:
          tlvs.crc32c = value.toString('hex');
          break;
        case PP2_TYPE_NOOP:
          break;
        case PP2_TYPE_UNIQUE_ID:
          // Opaque bytes (spec §2.2.5); HAProxy's unique-id-format makes text: shown as text when it is.
          tlvs.uniqueId = printableAscii(value) ? value.toString('latin1', 0, MAX_VALUE_CHARS) : value.toString('hex').slice(0, MAX_VALUE_CHARS);
          break;
        case PP2_TYPE_SSL:
          tlvs.ssl = sslTlv(value);
          break;
        case PP2_TYPE_NETNS:
          tlvs.netns = text(value);
          break;
        default:
          (tlvs.other ??= []).push({ type, value: printableAscii(value) ? value.toString('latin1', 0, MAX_VALUE_CHARS) : value.toString('hex').slice(0, MAX_VALUE_CHARS) });
      }
      i = v + length;
    }
    if (i < end && this.problem === null) this.problem = `PROXY protocol v2 header ends in ${end - i} bytes that are not a whole TLV`;
  }
}

function sslTlv(value: Buffer): ProxySslTlv {
  const client = value[0] ?? 0;
  const ssl: ProxySslTlv = {
    tls: (client & PP2_CLIENT_SSL) !== 0,
    clientCertificate: (client & (PP2_CLIENT_CERT_CONN | PP2_CLIENT_CERT_SESS)) !== 0,
    verify: value.length >= SSL_TLV_FIXED ? value.readUInt32BE(1) : 0,
  };
  let i = SSL_TLV_FIXED;
  while (i + TLV_HEADER <= value.length) {
    const length = value.readUInt16BE(i + 1);
    const field = PP2_SSL_SUBTYPES.get(value[i]!);
    if (i + TLV_HEADER + length > value.length) break;
    if (field !== undefined) ssl[field] = text(value.subarray(i + TLV_HEADER, i + TLV_HEADER + length));
    i += TLV_HEADER + length;
  }
  return ssl;
}

/** The header in one transcript line, e.g. '[PROXY v2 proxy inet/stream 192.0.2.7:40112 -> 10.0.0.1:25, TLVs alpn, ssl]'. */
export function proxyHeaderWords(h: ProxyHeader): string {
  const ep = (e: Endpoint) => (e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);
  const addresses = h.source && h.destination ? ` ${ep(h.source)} -> ${ep(h.destination)}` : '';
  const tlvs = Object.keys(h.tlvs);
  return `[PROXY v${h.version} ${h.command} ${h.family}${addresses}${tlvs.length > 0 ? `, TLVs ${tlvs.join(', ')}` : ''}]`;
}

function printableAscii(value: Buffer): boolean {
  for (const c of value) if (c < 0x20 || c >= 0x7f || c === 0x5c) return false;
  return value.length > 0;
}

const hex2 = (n: number) => n.toString(16).padStart(2, '0');

/** A TLV value as text: printable ASCII as is, other bytes as \xNN, at most MAX_VALUE_CHARS. */
function text(value: Buffer): string {
  let out = '';
  for (let i = 0; i < value.length && out.length < MAX_VALUE_CHARS; i++) {
    const c = value[i]!;
    out += c >= 0x20 && c < 0x7f && c !== 0x5c ? String.fromCharCode(c) : c === 0x5c ? '\\\\' : `\\x${hex2(c)}`;
  }
  return out.slice(0, MAX_VALUE_CHARS);
}

function quoted(s: string): string {
  return `"${text(Buffer.from(s.slice(0, 80), 'latin1'))}"`;
}

/** A v1 IPv6 field in the RFC 5952 form the capture's own addresses have (lower case, '::' for the longest zero run). */
function canonicalIpv6(s: string): string {
  try {
    return new URL(`http://[${s}]/`).hostname.slice(1, -1);
  } catch {
    return s.toLowerCase();
  }
}

function isIpv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

function isIpv6(s: string): boolean {
  return s.length <= 45 && /^[0-9A-Fa-f:.]+$/.test(s) && s.includes(':');
}

function isPort(s: string): boolean {
  return /^(0|[1-9]\d{0,4})$/.test(s) && Number(s) <= 65535;
}

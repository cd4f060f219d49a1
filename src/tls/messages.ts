/**
 * Parsers of TLS handshake message bodies (the bytes after the 4-byte handshake header), of the
 * SSLv2-compatible CLIENT-HELLO record and of alerts. Pure functions: Buffer in, Result out; they
 * never throw on input bytes. Problems that leave the message readable (a malformed extension) are
 * returned in `problems` next to what could be read.
 */
import {
  alertDescriptionName,
  cipherSuiteName,
  extensionName,
  isGrease,
  sslv2MessageTypeName,
} from './names.js';
import { attempt, ByteReader, printable, TlsDecodeError, type Result } from './reader.js';
import { ownedCopy } from '../capture/bytes.js';
import { BoundedCache } from '../bounded-cache.js';
import type { Alert, CertificateMessage, ClientHello, Extension, ServerHello, ServerKeyExchange } from './types.js';

export type { Result } from './reader.js';

// ---------------------------------------------------------------------------------------------
// Protocol constants (RFC 8446 §4.1.3, §4.2).

/** ServerHello.random of a HelloRetryRequest: SHA-256("HelloRetryRequest"). */
const HELLO_RETRY_REQUEST_RANDOM = Buffer.from(
  'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c',
  'hex',
);
/** "DOWNGRD" followed by 0x01 (TLS 1.2 negotiated) or 0x00 (TLS 1.1 or below). */
const DOWNGRADE_PREFIX = Buffer.from('444f574e475244', 'hex');

/** Whether `bytes` holds `expected` at `at` (a loop: Buffer.equals on a fresh view costs more for 32 bytes). */
function bytesAt(bytes: Buffer, at: number, expected: Buffer): boolean {
  if (bytes.length - at < expected.length) return false;
  for (let i = 0; i < expected.length; i++) if (bytes[at + i] !== expected[i]) return false;
  return true;
}

/** Extension type numbers the decoders below refer to (names live in names.ts). */
const EXT = {
  serverName: 0,
  maxFragmentLength: 1,
  statusRequest: 5,
  supportedGroups: 10,
  ecPointFormats: 11,
  signatureAlgorithms: 13,
  heartbeat: 15,
  alpn: 16,
  signedCertificateTimestamp: 18,
  padding: 21,
  encryptThenMac: 22,
  extendedMasterSecret: 23,
  compressCertificate: 27,
  delegatedCredential: 34,
  recordSizeLimit: 28,
  sessionTicket: 35,
  keyShareDraft: 40,
  preSharedKey: 41,
  earlyData: 42,
  supportedVersions: 43,
  cookie: 44,
  pskKeyExchangeModes: 45,
  postHandshakeAuth: 49,
  signatureAlgorithmsCert: 50,
  keyShare: 51,
  renegotiationInfo: 65281,
} as const;

/** SSL 2.0 CLIENT-HELLO message type. */
const SSLV2_CLIENT_HELLO = 1;
/** ServerKeyExchange ECCurveType named_curve (RFC 8422 §5.4). */
const EC_CURVE_TYPE_NAMED = 3;
/** server_name NameType host_name (RFC 6066 §3). */
const SERVER_NAME_HOST = 0;
/** CertificateStatusType ocsp (RFC 6066 §8). */
const STATUS_TYPE_OCSP = 1;

// ---------------------------------------------------------------------------------------------
// Extension values: the shapes `Extension.value` takes for the extensions decoded here.

/** Where an extensions block was found; some extensions have a different shape in each. */
export type ExtensionContext =
  | 'client_hello'
  | 'server_hello'
  | 'hello_retry_request'
  | 'encrypted_extensions'
  | 'certificate'
  | 'certificate_request'
  | 'new_session_ticket';

export interface KeyShareEntryValue {
  group: number;
  keyLength: number;
}

export type KeyShareValue =
  | { kind: 'client'; shares: KeyShareEntryValue[] }
  | { kind: 'server'; group: number; keyLength: number }
  | { kind: 'hello_retry_request'; group: number };

export type PreSharedKeyValue =
  | {
      kind: 'client';
      identities: Array<{ identityLength: number; obfuscatedTicketAge: number }>;
      binderLengths: number[];
    }
  | { kind: 'server'; selectedIdentity: number };

/** status_request: the request (ClientHello, CertificateRequest) or the OCSP response (TLS 1.3 Certificate). */
export type StatusRequestValue =
  | { kind: 'request'; statusType: number; responderIdListLength: number; requestExtensionsLength: number }
  | { kind: 'response'; statusType: number; responseLength: number }
  /** The server's empty acknowledgement (TLS 1.2 ServerHello). */
  | { kind: 'acknowledgement' };

/** Value shapes by extension (see decodeExtensionValue). */
export interface ExtensionValues {
  server_name: string[]; // host names; [] for a server's empty acknowledgement
  max_fragment_length: number;
  status_request: StatusRequestValue;
  supported_groups: number[];
  ec_point_formats: number[];
  signature_algorithms: number[];
  signature_algorithms_cert: number[];
  delegated_credential: number[]; // ClientHello / CertificateRequest only
  heartbeat: number;
  application_layer_protocol_negotiation: string[];
  signed_certificate_timestamp: { count: number } | { kind: 'request' };
  padding: { length: number; allZero: boolean };
  encrypt_then_mac: true;
  extended_master_secret: true;
  post_handshake_auth: true;
  compress_certificate: number[];
  record_size_limit: number;
  session_ticket: { ticketLength: number };
  key_share: KeyShareValue;
  pre_shared_key: PreSharedKeyValue;
  early_data: { kind: 'indication' } | { kind: 'max_early_data_size'; maxEarlyDataSize: number };
  supported_versions: number[] | number; // client list / server selection
  cookie: { length: number };
  psk_key_exchange_modes: number[];
  renegotiation_info: { renegotiatedConnectionLength: number };
}

type Decoder = (r: ByteReader, context: ExtensionContext) => unknown;

function empty(r: ByteReader): true {
  r.expectEnd('data (this extension is empty)');
  return true;
}

function nonEmptyList(r: ByteReader, what: string): ByteReader {
  if (r.remaining === 0) throw new TlsDecodeError(`${r.context}: empty ${what}`);
  return r;
}

function decodeKeyShare(r: ByteReader, context: ExtensionContext): KeyShareValue {
  if (context === 'hello_retry_request') {
    const group = r.u16('selected group');
    r.expectEnd();
    return { kind: 'hello_retry_request', group };
  }
  if (context === 'server_hello') {
    const group = r.u16('group');
    const keyLength = r.opaque16('key exchange').length;
    r.expectEnd();
    return { kind: 'server', group, keyLength };
  }
  const list = r.vector16('client shares');
  r.expectEnd();
  const shares: KeyShareEntryValue[] = [];
  while (!list.atEnd) {
    const group = list.u16('group');
    shares.push({ group, keyLength: list.opaque16('key exchange').length });
  }
  return { kind: 'client', shares };
}

function decodePreSharedKey(r: ByteReader, context: ExtensionContext): PreSharedKeyValue {
  if (context === 'server_hello') {
    const selectedIdentity = r.u16('selected identity');
    r.expectEnd();
    return { kind: 'server', selectedIdentity };
  }
  const identitiesReader = nonEmptyList(r.vector16('identities'), 'identities list');
  const bindersReader = nonEmptyList(r.vector16('binders'), 'binders list');
  r.expectEnd();
  const identities: Array<{ identityLength: number; obfuscatedTicketAge: number }> = [];
  while (!identitiesReader.atEnd) {
    const identityLength = identitiesReader.opaque16('identity').length;
    identities.push({ identityLength, obfuscatedTicketAge: identitiesReader.u32('obfuscated ticket age') });
  }
  const binderLengths: number[] = [];
  while (!bindersReader.atEnd) binderLengths.push(bindersReader.opaque8('binder').length);
  return { kind: 'client', identities, binderLengths };
}

function decodeStatusRequest(r: ByteReader, context: ExtensionContext): StatusRequestValue {
  if ((context === 'server_hello' || context === 'encrypted_extensions') && r.atEnd) {
    return { kind: 'acknowledgement' };
  }
  const statusType = r.u8('status type');
  if (context === 'certificate') {
    const responseLength = r.opaque24('response').length;
    r.expectEnd();
    return { kind: 'response', statusType, responseLength };
  }
  if (statusType !== STATUS_TYPE_OCSP) {
    // Other request types have their own layout; keep the type and skip the rest.
    r.rest();
    return { kind: 'request', statusType, responderIdListLength: 0, requestExtensionsLength: 0 };
  }
  const responderIdListLength = r.opaque16('responder id list').length;
  const requestExtensionsLength = r.opaque16('request extensions').length;
  r.expectEnd();
  return { kind: 'request', statusType, responderIdListLength, requestExtensionsLength };
}

function decodeServerName(r: ByteReader, context: ExtensionContext): string[] {
  if (context !== 'client_hello' && r.atEnd) return [];
  const list = nonEmptyList(r.vector16('server name list'), 'server name list');
  r.expectEnd();
  const names: string[] = [];
  while (!list.atEnd) {
    const type = list.u8('name type');
    const name = list.opaque16('name');
    if (type === SERVER_NAME_HOST) names.push(printable(name));
  }
  return names;
}

function decodeAlpn(r: ByteReader): string[] {
  const list = nonEmptyList(r.vector16('protocol name list'), 'protocol name list');
  r.expectEnd();
  const names: string[] = [];
  while (!list.atEnd) {
    const name = list.opaque8('protocol name');
    if (name.length === 0) throw new TlsDecodeError(`${list.context}: empty protocol name`);
    names.push(printable(name));
  }
  return names;
}

function decodeSct(r: ByteReader, context: ExtensionContext): ExtensionValues['signed_certificate_timestamp'] {
  if (context === 'client_hello' || context === 'certificate_request') {
    empty(r);
    return { kind: 'request' };
  }
  const list = r.vector16('signed certificate timestamp list');
  r.expectEnd();
  let count = 0;
  while (!list.atEnd) {
    list.opaque16('signed certificate timestamp');
    count++;
  }
  return { count };
}

function decodeEarlyData(r: ByteReader, context: ExtensionContext): ExtensionValues['early_data'] {
  if (context === 'new_session_ticket') {
    const maxEarlyDataSize = r.u32('max early data size');
    r.expectEnd();
    return { kind: 'max_early_data_size', maxEarlyDataSize };
  }
  empty(r);
  return { kind: 'indication' };
}

function decodeSupportedVersions(r: ByteReader, context: ExtensionContext): number[] | number {
  if (context === 'server_hello' || context === 'hello_retry_request') {
    const selected = r.u16('selected version');
    r.expectEnd();
    return selected;
  }
  const list = nonEmptyList(r.vector8('versions'), 'versions list').u16List('versions');
  r.expectEnd();
  return list;
}

function u16Vector16(what: string): Decoder {
  return (r) => {
    const list = r.vector16(what).u16List(what);
    r.expectEnd();
    return list;
  };
}

function u8Vector8(what: string): Decoder {
  return (r) => {
    const list = r.vector8(what).u8List();
    r.expectEnd();
    return list;
  };
}

function singleU8(what: string): Decoder {
  return (r) => {
    const v = r.u8(what);
    r.expectEnd();
    return v;
  };
}

const DECODERS: ReadonlyMap<number, Decoder> = new Map<number, Decoder>([
  [EXT.serverName, decodeServerName],
  [EXT.maxFragmentLength, singleU8('max fragment length')],
  [EXT.statusRequest, decodeStatusRequest],
  [EXT.supportedGroups, u16Vector16('named group list')],
  [EXT.ecPointFormats, u8Vector8('point format list')],
  [EXT.signatureAlgorithms, u16Vector16('signature algorithm list')],
  [EXT.signatureAlgorithmsCert, u16Vector16('signature algorithm list')],
  // RFC 9345: in a ClientHello (or CertificateRequest) the schemes accepted for delegated credentials.
  [
    EXT.delegatedCredential,
    (r, context) => {
      if (context !== 'client_hello' && context !== 'certificate_request') return undefined;
      const list = r.vector16('signature algorithm list').u16List('signature algorithm list');
      r.expectEnd();
      return list;
    },
  ],
  [EXT.heartbeat, singleU8('heartbeat mode')],
  [EXT.alpn, decodeAlpn],
  [EXT.signedCertificateTimestamp, decodeSct],
  [
    EXT.padding,
    (r) => {
      const bytes = r.rest();
      return { length: bytes.length, allZero: bytes.every((b) => b === 0) };
    },
  ],
  [EXT.encryptThenMac, empty],
  [EXT.extendedMasterSecret, empty],
  [EXT.postHandshakeAuth, empty],
  [
    EXT.compressCertificate,
    (r) => {
      const list = nonEmptyList(r.vector8('algorithms'), 'algorithms list').u16List('algorithms');
      r.expectEnd();
      return list;
    },
  ],
  [
    EXT.recordSizeLimit,
    (r) => {
      const v = r.u16('record size limit');
      r.expectEnd();
      return v;
    },
  ],
  [EXT.sessionTicket, (r) => ({ ticketLength: r.rest().length })],
  [EXT.keyShare, decodeKeyShare],
  // TLS 1.3 drafts before -23 used 40 for key_share, with the same layout; nothing else ever used it.
  [EXT.keyShareDraft, decodeKeyShare],
  [EXT.preSharedKey, decodePreSharedKey],
  [EXT.earlyData, decodeEarlyData],
  [EXT.supportedVersions, decodeSupportedVersions],
  [
    EXT.cookie,
    (r) => {
      const cookie = r.opaque16('cookie');
      r.expectEnd();
      if (cookie.length === 0) throw new TlsDecodeError(`${r.context}: empty cookie`);
      return { length: cookie.length };
    },
  ],
  [EXT.pskKeyExchangeModes, u8Vector8('modes')],
  [
    EXT.renegotiationInfo,
    (r) => {
      const renegotiatedConnectionLength = r.opaque8('renegotiated connection').length;
      r.expectEnd();
      return { renegotiatedConnectionLength };
    },
  ],
]);

// ---------------------------------------------------------------------------------------------
// Extensions blocks.

/**
 * Decodes the extensions in `block[start, end)`: the content of an extensions field, after its
 * 2-byte length. Never throws: a framing error stops the walk (what came before is kept, an
 * extension whose length runs past the block is kept with no value) and each problem is one line
 * in `problems`. Extensions not decoded here keep only type, name and length.
 */
export function parseExtensions(
  block: Buffer,
  context: ExtensionContext,
  start = 0,
  end = block.length,
): { extensions: Extension[]; problems: string[] } {
  const problems: string[] = [];
  const extensions = walkExtensions(new ByteReader(block, start, end, 'extensions'), context, problems);
  return { extensions, problems };
}

/** `extension server_name`, made once per type (a hello's every extension would join one), for the first 1,024 types seen. */
const extensionContexts = new Map<number, string>();
function extensionContext(type: number, name: string): string {
  let context = extensionContexts.get(type);
  if (context === undefined) {
    context = `extension ${name}`;
    if (extensionContexts.size < 1024) extensionContexts.set(type, context);
  }
  return context;
}

function walkExtensions(block: ByteReader, context: ExtensionContext, problems: string[]): Extension[] {
  const extensions: Extension[] = [];
  // Types seen so far: a hello has a few dozen at most, and an array costs less than a Set per block.
  const seen: number[] = [];
  while (!block.atEnd) {
    if (block.remaining < 4) {
      problems.push(`extensions block ends with ${block.remaining} stray byte${block.remaining === 1 ? '' : 's'}`);
      break;
    }
    const type = block.u16('extension type');
    const length = block.u16('extension length');
    const name = extensionName(type);
    const grease = isGrease(type);
    if (length > block.remaining) {
      problems.push(`extension ${name} length ${length} exceeds the ${block.remaining} bytes left in the extensions block`);
      extensions.push({ type, name, length, grease });
      break;
    }
    const data = block.sub(length, name, extensionContext(type, name));
    const extension: Extension = { type, name, length, grease };
    if (seen.includes(type)) problems.push(`extension ${name} appears more than once`);
    else seen.push(type);
    const decoder = grease ? undefined : DECODERS.get(type);
    if (decoder) {
      // attempt() inlined: no closure per extension.
      try {
        extension.value = decoder(data, context);
      } catch (e) {
        if (!(e instanceof TlsDecodeError)) throw e;
        problems.push(e.message);
      }
    }
    extensions.push(extension);
  }
  if (context === 'client_hello') {
    const psk = extensions.findIndex((e) => e.type === EXT.preSharedKey);
    if (psk >= 0 && psk !== extensions.length - 1) problems.push('extension pre_shared_key is not the last one');
  }
  return extensions;
}

/** Reads the optional `Extension extensions<0..2^16-1>` that ends a hello; framing problems go to `problems`. */
function readHelloExtensions(r: ByteReader, context: ExtensionContext, problems: string[]): Extension[] {
  if (r.atEnd) return [];
  if (r.remaining < 2) {
    problems.push(`${r.context}: 1 stray byte where the extensions length should be`);
    r.rest();
    return [];
  }
  const declared = r.u16('extensions length');
  let block: ByteReader;
  if (declared > r.remaining) {
    problems.push(`${r.context}: extensions length ${declared} exceeds the ${r.remaining} bytes left`);
    block = r.sub(r.remaining, 'extensions', 'extensions');
  } else {
    block = r.sub(declared, 'extensions', 'extensions');
  }
  const extensions = walkExtensions(block, context, problems);
  if (!r.atEnd) problems.push(`${r.context}: ${r.remaining} bytes after the extensions`);
  return extensions;
}

function valueOf<K extends keyof ExtensionValues>(extensions: Extension[], type: number): ExtensionValues[K] | undefined {
  for (const e of extensions) if (e.type === type) return e.value as ExtensionValues[K] | undefined;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// ClientHello.

function clientHelloFromFields(
  fields: Pick<ClientHello, 'sslv2' | 'recordVersion' | 'version' | 'random' | 'sessionId' | 'cipherSuites' | 'compressionMethods' | 'extensions'>,
  problems: string[],
): ClientHello {
  const ext = fields.extensions;
  // One pass over the extensions (the first of each type wins, as a lookup by type would find it).
  let keyShare: KeyShareValue | undefined;
  let keyShareDraft: KeyShareValue | undefined;
  let versions: ExtensionValues['supported_versions'] | undefined;
  let ticket: ExtensionValues['session_ticket'] | undefined;
  let serverName: ExtensionValues['server_name'] | undefined;
  let alpn: ExtensionValues['application_layer_protocol_negotiation'] | undefined;
  let groups: number[] | undefined;
  let pointFormats: number[] | undefined;
  let signatureAlgorithms: number[] | undefined;
  let pskModes: number[] | undefined;
  let seenKeyShare = false;
  let seenKeyShareDraft = false;
  let seenVersions = false;
  let seenTicket = false;
  let seenServerName = false;
  let seenAlpn = false;
  let seenGroups = false;
  let seenPointFormats = false;
  let seenSignatureAlgorithms = false;
  let seenPskModes = false;
  let preSharedKey = false;
  for (let i = 0; i < ext.length; i++) {
    const e = ext[i]!;
    const v = e.value;
    switch (e.type) {
      case EXT.keyShare:
        if (!seenKeyShare) (seenKeyShare = true), (keyShare = v as KeyShareValue | undefined);
        break;
      case EXT.keyShareDraft:
        if (!seenKeyShareDraft) (seenKeyShareDraft = true), (keyShareDraft = v as KeyShareValue | undefined);
        break;
      case EXT.supportedVersions:
        if (!seenVersions) (seenVersions = true), (versions = v as typeof versions);
        break;
      case EXT.sessionTicket:
        if (!seenTicket) (seenTicket = true), (ticket = v as typeof ticket);
        break;
      case EXT.serverName:
        if (!seenServerName) (seenServerName = true), (serverName = v as typeof serverName);
        break;
      case EXT.alpn:
        if (!seenAlpn) (seenAlpn = true), (alpn = v as typeof alpn);
        break;
      case EXT.supportedGroups:
        if (!seenGroups) (seenGroups = true), (groups = v as number[] | undefined);
        break;
      case EXT.ecPointFormats:
        if (!seenPointFormats) (seenPointFormats = true), (pointFormats = v as number[] | undefined);
        break;
      case EXT.signatureAlgorithms:
        if (!seenSignatureAlgorithms) (seenSignatureAlgorithms = true), (signatureAlgorithms = v as number[] | undefined);
        break;
      case EXT.pskKeyExchangeModes:
        if (!seenPskModes) (seenPskModes = true), (pskModes = v as number[] | undefined);
        break;
      case EXT.preSharedKey:
        preSharedKey = true;
        break;
    }
  }
  const share = keyShare ?? keyShareDraft;
  const keyShareGroups: number[] = [];
  if (share?.kind === 'client') for (const s of share.shares) keyShareGroups.push(s.group);
  // Built in one literal, in the order of the ClientHello interface (a spread of `fields` is several times slower).
  const hello: ClientHello = {
    sslv2: fields.sslv2,
    recordVersion: fields.recordVersion,
    version: fields.version,
    random: fields.random,
    sessionId: fields.sessionId,
    cipherSuites: fields.cipherSuites,
    compressionMethods: fields.compressionMethods,
    extensions: ext,
    sni: serverName?.[0] ?? null,
    alpn: alpn ?? [],
    supportedVersions: Array.isArray(versions) ? versions : [],
    supportedGroups: groups ?? [],
    ecPointFormats: pointFormats ?? [],
    signatureAlgorithms: signatureAlgorithms ?? [],
    keyShareGroups,
    pskKeyExchangeModes: pskModes ?? [],
    sessionTicket: (ticket?.ticketLength ?? 0) > 0,
    preSharedKey,
  };
  if (problems.length > 0) hello.problems = problems;
  return hello;
}

/**
 * A ClientHello body. Fails only when a field before the extensions cannot be read; a malformed
 * extensions block still yields the hello, with what was wrong in `problems`.
 */
export function parseClientHello(body: Buffer, recordVersion: number): Result<ClientHello> {
  return attempt(() => {
    const r = new ByteReader(body, 0, body.length, 'ClientHello');
    const problems: string[] = [];
    const version = r.u16('version');
    const random = r.bytes(32, 'random').toString('hex');
    const sessionId = r.opaque8('session id');
    if (sessionId.length > 32) problems.push(`ClientHello: session id of ${sessionId.length} bytes (at most 32 allowed)`);
    const suites = r.vector16('cipher suites');
    if (suites.remaining === 0) problems.push('ClientHello: no cipher suites');
    const cipherSuites = suites.u16List('cipher suites');
    const compressionMethods = r.vector8('compression methods').u8List();
    if (compressionMethods.length === 0) problems.push('ClientHello: no compression methods');
    const extensions = readHelloExtensions(r, 'client_hello', problems);
    return clientHelloFromFields(
      {
        sslv2: false,
        recordVersion,
        version,
        random,
        sessionId: sessionId.toString('hex'),
        cipherSuites,
        compressionMethods,
        extensions,
      },
      problems,
    );
  });
}

/**
 * An SSLv2-format CLIENT-HELLO record, header included: the 2-byte header (top bit set) or the
 * 3-byte one (with padding). Cipher specs are 24-bit: a spec 0x00XXXX is TLS suite 0xXXXX and is
 * returned as that 16-bit number, the SSLv2 CIPHER-KINDs keep their 24-bit value (cipherSuiteName
 * names both). `random` is the challenge as sent (RFC 5246 E.2 left-pads it to 32 bytes).
 */
export function parseSslv2ClientHello(record: Buffer): Result<ClientHello> {
  return attempt(() => {
    const r = new ByteReader(record, 0, record.length, 'SSLv2 record');
    const first = r.u8('header');
    let length: number;
    let padding = 0;
    if (first & 0x80) {
      length = ((first & 0x7f) << 8) | r.u8('header');
    } else {
      length = ((first & 0x3f) << 8) | r.u8('header');
      padding = r.u8('padding length');
    }
    if (length > r.remaining) {
      throw new TlsDecodeError(`SSLv2 record: length ${length} exceeds the ${r.remaining} bytes left`);
    }
    const m = r.sub(length, 'message', 'SSLv2 CLIENT-HELLO');
    const problems: string[] = [];
    if (!r.atEnd) problems.push(`SSLv2 record: ${r.remaining} bytes after the record`);
    const type = m.u8('message type');
    if (type !== SSLV2_CLIENT_HELLO) {
      throw new TlsDecodeError(`SSLv2 record: message type ${type} (${sslv2MessageTypeName(type)}) is not a CLIENT-HELLO`);
    }
    const version = m.u16('version');
    const specsLength = m.u16('cipher specs length');
    const sessionIdLength = m.u16('session id length');
    const challengeLength = m.u16('challenge length');
    const specs = m.sub(specsLength, 'cipher specs');
    if (specsLength % 3 !== 0) {
      throw new TlsDecodeError(`SSLv2 CLIENT-HELLO: cipher specs length ${specsLength} is not a multiple of 3`);
    }
    const sessionId = m.bytes(sessionIdLength, 'session id');
    const challenge = m.bytes(challengeLength, 'challenge');
    if (sessionIdLength !== 0 && sessionIdLength !== 16) {
      problems.push(`SSLv2 CLIENT-HELLO: session id of ${sessionIdLength} bytes (0 or 16 expected)`);
    }
    if (challengeLength < 16 || challengeLength > 32) {
      problems.push(`SSLv2 CLIENT-HELLO: challenge of ${challengeLength} bytes (16 to 32 expected)`);
    }
    if (m.remaining !== padding) {
      problems.push(`SSLv2 CLIENT-HELLO: ${m.remaining} bytes after the challenge (padding ${padding} declared)`);
    }
    const cipherSuites: number[] = [];
    while (!specs.atEnd) {
      const spec = specs.u24('cipher spec');
      cipherSuites.push(spec >> 16 === 0 ? spec & 0xffff : spec);
    }
    return clientHelloFromFields(
      {
        sslv2: true,
        recordVersion: 0x0002,
        version,
        random: challenge.toString('hex'),
        sessionId: sessionId.toString('hex'),
        cipherSuites,
        compressionMethods: [],
        extensions: [],
      },
      problems,
    );
  });
}

// ---------------------------------------------------------------------------------------------
// ServerHello.

/**
 * A ServerHello body, including a HelloRetryRequest (recognised by its random) and the TLS 1.3
 * draft layout before draft 22 (version 0x7f00..0x7f15: no session id, no compression method).
 */
export function parseServerHello(body: Buffer): Result<ServerHello> {
  return attempt(() => {
    const r = new ByteReader(body, 0, body.length, 'ServerHello');
    const problems: string[] = [];
    const version = r.u16('version');
    const randomBytes = r.bytes(32, 'random');
    const helloRetryRequest = bytesAt(randomBytes, 0, HELLO_RETRY_REQUEST_RANDOM);
    const draftLayout = version >> 8 === 0x7f && (version & 0xff) < 22;
    let sessionId = '';
    let compressionMethod = 0;
    let cipherSuite: number;
    if (draftLayout) {
      cipherSuite = r.u16('cipher suite');
    } else {
      const sid = r.opaque8('session id');
      if (sid.length > 32) problems.push(`ServerHello: session id of ${sid.length} bytes (at most 32 allowed)`);
      sessionId = sid.toString('hex');
      cipherSuite = r.u16('cipher suite');
      compressionMethod = r.u8('compression method');
    }
    const extensions = readHelloExtensions(r, helloRetryRequest ? 'hello_retry_request' : 'server_hello', problems);
    const selected = valueOf<'supported_versions'>(extensions, EXT.supportedVersions);
    const keyShare = valueOf<'key_share'>(extensions, EXT.keyShare) ?? valueOf<'key_share'>(extensions, EXT.keyShareDraft);
    const hello: ServerHello = {
      version,
      selectedVersion: typeof selected === 'number' ? selected : version,
      random: randomBytes.toString('hex'),
      sessionId,
      cipherSuite,
      compressionMethod,
      extensions,
      helloRetryRequest,
      keyShareGroup: keyShare && keyShare.kind !== 'client' ? keyShare.group : null,
      alpn: valueOf<'application_layer_protocol_negotiation'>(extensions, EXT.alpn)?.[0] ?? null,
    };
    if (!helloRetryRequest && bytesAt(randomBytes, 24, DOWNGRADE_PREFIX)) {
      if (randomBytes[31] === 1) hello.downgradeSentinel = 'tls12';
      else if (randomBytes[31] === 0) hello.downgradeSentinel = 'tls11';
    }
    if (problems.length > 0) hello.problems = problems;
    return hello;
  });
}

// ---------------------------------------------------------------------------------------------
// Certificate.

/**
 * A Certificate body: TLS ≤ 1.2 `ASN.1Cert certificate_list<0..2^24-1>`, or TLS 1.3 with a
 * request context and extensions per entry. The certificates are copies (not views on `body`), so
 * they stay valid whatever the caller does with its buffer afterwards; a caller whose `body` is its own
 * and outlives the result (the connection decoder's) passes `copy` false and gets views.
 */
export function parseCertificateMessage(body: Buffer, tls13: boolean, copy = true): Result<CertificateMessage> {
  return attempt(() => {
    const r = new ByteReader(body, 0, body.length, 'Certificate');
    const requestContext = tls13 ? r.opaque8('certificate request context').toString('hex') : undefined;
    const list = r.vector24('certificate list');
    r.expectEnd('data after the certificate list');
    const totalLength = list.remaining;
    const certificates: Buffer[] = [];
    const entryExtensions: Extension[][] = [];
    const problems: string[] = [];
    while (!list.atEnd) {
      const der = list.opaque24('certificate');
      if (der.length === 0) throw new TlsDecodeError('Certificate: empty certificate in the list');
      certificates.push(copy ? ownedCopy(der) : der);
      if (tls13) {
        const ext = list.vector16('certificate entry extensions', 'certificate entry extensions');
        entryExtensions.push(walkExtensions(ext, 'certificate', problems));
      }
    }
    const message: CertificateMessage = { certificates, totalLength };
    if (tls13) {
      message.requestContext = requestContext;
      message.entryExtensions = entryExtensions;
    }
    if (problems.length > 0) message.problems = problems;
    return message;
  });
}

// ---------------------------------------------------------------------------------------------
// ServerKeyExchange.

/** Reads a TLS ≤ 1.2 `digitally-signed` tail; returns the SignatureAndHashAlgorithm or null, or undefined when it does not fit. */
function readSignatureTail(r: ByteReader): number | null | undefined {
  if (r.atEnd) return null; // anonymous key exchange: no signature
  const at = r.offset;
  // TLS 1.2: algorithm (2) + signature<0..2^16-1>, exactly to the end.
  if (r.remaining >= 4) {
    const probe = new ByteReader(r.buf, at, r.end, r.context);
    const algorithm = probe.u16('signature algorithm');
    const length = probe.u16('signature length');
    if (length === probe.remaining && length > 0) return algorithm;
  }
  // TLS 1.0/1.1: signature<0..2^16-1> only.
  const probe = new ByteReader(r.buf, at, r.end, r.context);
  if (probe.remaining >= 2 && probe.u16('signature length') === probe.remaining) return null;
  return undefined;
}

function bitLength(big: Buffer): number {
  let i = 0;
  while (i < big.length && big[i] === 0) i++;
  if (i === big.length) return 0;
  return (big.length - i - 1) * 8 + (32 - Math.clz32(big[i]!));
}

type KeyExchangeShape = { kind: 'ecdhe'; group: number } | { kind: 'dhe'; bits: number };

/**
 * Tries one shape of ServerKeyExchange; strict = the whole body must be accounted for. PSK key
 * exchanges (RFC 4279, 5489) put a psk_identity_hint first and are not signed.
 */
function tryShape(
  body: Buffer,
  kind: 'ecdhe' | 'dhe',
  strict: boolean,
  psk: boolean,
): (KeyExchangeShape & { signature: number | null }) | null {
  const result = attempt(() => {
    const r = new ByteReader(body, 0, body.length, 'ServerKeyExchange');
    if (psk) r.opaque16('psk identity hint');
    let shape: KeyExchangeShape;
    if (kind === 'ecdhe') {
      if (r.u8('curve type') !== EC_CURVE_TYPE_NAMED) return null;
      shape = { kind, group: r.u16('named curve') };
      if (!strict) return { ...shape, signature: null };
      if (r.opaque8('public point').length === 0) return null;
    } else {
      const p = r.opaque16('dh_p');
      if (p.length === 0) return null;
      shape = { kind, bits: bitLength(p) };
      if (!strict) return { ...shape, signature: null };
      if (r.opaque16('dh_g').length === 0 || r.opaque16('dh_Ys').length === 0) return null;
    }
    if (psk) return r.atEnd ? { ...shape, signature: null } : null;
    const signature = readSignatureTail(r);
    return signature === undefined ? null : { ...shape, signature };
  });
  return result.ok ? result.value : null;
}

/** Which shapes to try for a negotiated suite; [] when its key exchange has neither (RSA-export, SRP, plain PSK). */
function shapesForSuite(cipherSuite: number | undefined): { kinds: Array<'ecdhe' | 'dhe'>; psk: boolean } {
  if (cipherSuite === undefined) return { kinds: ['ecdhe', 'dhe'], psk: false };
  // Every connection to a server picks among a few suites: the name's patterns are read once per suite.
  const shapes = shapesBySuite.getOrSet(cipherSuite, shapesForSuiteNumber);
  return { kinds: shapes.kinds.slice(), psk: shapes.psk };
}

const MAX_CACHED_SUITES = 1024;
const shapesBySuite = new BoundedCache<number, { kinds: Array<'ecdhe' | 'dhe'>; psk: boolean }>(MAX_CACHED_SUITES);
const shapesForSuiteNumber = (cipherSuite: number) => shapesForSuiteName(cipherSuiteName(cipherSuite));

function shapesForSuiteName(name: string): { kinds: Array<'ecdhe' | 'dhe'>; psk: boolean } {
  const psk = /_PSK_/.test(name);
  if (/^TLS_ECDHE?_/.test(name)) return { kinds: ['ecdhe'], psk };
  if (/^TLS_(DHE|DH_anon)_/.test(name)) return { kinds: ['dhe'], psk };
  if (/^TLS_(RSA|DH|ECDH|PSK|SRP|KRB5|NULL|ECCPWD|GOST)|^SSL_/.test(name)) return { kinds: [], psk };
  return { kinds: ['ecdhe', 'dhe'], psk: false }; // TLS 1.3 or unknown suite: go by shape
}

/**
 * A ServerKeyExchange body, best effort: ECDHE (named curve) or DHE (prime size) is recognised by
 * the layout, checked against the signature that must end the message. Give the negotiated cipher
 * suite when known: it settles which layout applies (and rules out RSA-export/SRP bodies that
 * could pass for DHE). A truncated body still yields the group or prime size when those bytes are
 * there. Never fails: an unrecognised body is `kind: 'unknown'` with nulls.
 */
export function parseServerKeyExchange(body: Buffer, cipherSuite?: number): Result<ServerKeyExchange> {
  const { kinds, psk } = shapesForSuite(cipherSuite);
  const found =
    kinds.map((k) => tryShape(body, k, true, psk)).find((s) => s !== null) ??
    kinds.map((k) => tryShape(body, k, false, psk)).find((s) => s !== null) ??
    null;
  const value: ServerKeyExchange = {
    namedGroup: found?.kind === 'ecdhe' ? found.group : null,
    dhBits: found?.kind === 'dhe' ? found.bits : null,
    length: body.length,
    kind: found?.kind ?? 'unknown',
    signatureAlgorithm: found?.signature ?? null,
  };
  return { ok: true, value };
}

// ---------------------------------------------------------------------------------------------
// Alerts.

/** The Alert for an alert record sent under encryption (its content cannot be read). */
export function encryptedAlert(): Alert {
  return { level: 0, description: -1, name: 'encrypted', encrypted: true };
}

/**
 * A plaintext alert record payload: exactly level + description. Anything else is not a
 * plaintext alert (an encrypted one is at least 17 bytes); the caller decides whether to report it
 * as encrypted.
 */
export function parseAlert(bytes: Buffer): Result<Alert> {
  if (bytes.length !== 2) {
    return {
      ok: false,
      error: `alert of ${bytes.length} byte${bytes.length === 1 ? '' : 's'} (a plaintext alert is 2 bytes)`,
    };
  }
  const level = bytes[0]!;
  const description = bytes[1]!;
  return { ok: true, value: { level, description, name: alertDescriptionName(description), encrypted: false } };
}

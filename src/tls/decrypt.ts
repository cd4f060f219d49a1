/**
 * Opening protected TLS records with the secrets of a key log (keylog.ts), for the handshake's sake only: the
 * encrypted handshake messages (TLS 1.3's whole flight after ServerHello, TLS ≤ 1.2's Finished) and alerts.
 *
 * - TLS 1.3 (RFC 8446 §5.2, §5.3): AEAD with the handshake traffic secrets, then the traffic secrets 0 after each
 *   side's Finished (and their successors after a KeyUpdate). A record's real type is inside it, so a record after
 *   a side's Finished is opened to learn it: when it is application data its plaintext is wiped at once, never
 *   read or kept.
 * - TLS 1.0–1.2 (RFC 5246 §6.2.3): GCM and CCM (RFC 5288, RFC 6655), ChaCha20-Poly1305 (RFC 7905) and CBC with its
 *   MAC (MAC-then-encrypt, or encrypt-then-MAC when negotiated, RFC 7366). Application data records are never
 *   opened: their type is in the clear; they only advance the sequence number (and, in TLS 1.0, the CBC IV).
 *
 * Never throws on input: a record that does not open disables decryption of that direction, with a note.
 */
import { createDecipheriv, createHmac, timingSafeEqual, type DecipherCCM, type DecipherGCM } from 'node:crypto';
import type { Side } from '../tcp/types.js';
import type { SessionSecrets } from './keylog.js';
import { hashLength, suiteProtection, tls12KeyBlock, tls13NextSecret, tls13TrafficKeys, type SuiteProtection } from './key-schedule.js';
import { cipherSuiteName } from './names.js';

/** Where a connection's secrets are found (keylog.ts KeyLogStore). */
export interface KeyLookup {
  readonly empty: boolean;
  secrets(clientRandomHex: string): SessionSecrets | undefined;
}

/** TLS ContentType application_data (RFC 8446 §5.1). */
const CONTENT_APPLICATION_DATA = 23;
/** TLS 1.0 and 1.1 record versions (CBC IVs: implicit before 1.1, explicit from it; RFC 4346 §6.2.3.2). */
const TLS10 = 0x0301;
const TLS11 = 0x0302;
/** The lowest version this tool decrypts: SSL 3.0's MAC and key derivation are of their own. */
const LOWEST_DECRYPTED = TLS10;
/** RFC 7366 encrypt_then_mac extension. */
const EXTENSION_ENCRYPT_THEN_MAC = 22;

/** What became of one protected record. */
export type Opening =
  /** A handshake, alert or ChangeCipherSpec record: its real type and content (a fresh buffer, the caller's). */
  | { kind: 'opened'; contentType: number; content: Buffer }
  /** TLS 1.3 application data: opened to learn its type, its plaintext wiped. */
  | { kind: 'application-data' }
  /** Not opened; `note` (once per direction) says why. */
  | { kind: 'not-opened'; note: string | null };

interface Direction {
  protection: SuiteProtection;
  key: Buffer;
  /** TLS 1.3 and ChaCha: the per-record nonce's base; GCM/CCM: the implicit salt; TLS 1.0 CBC: the chained IV. */
  iv: Buffer;
  macKey: Buffer;
  /** TLS 1.3: the current traffic secret (for a KeyUpdate). */
  secret: Buffer | null;
  sequence: bigint;
}

type DirectionState = Direction | 'waiting' | { disabled: string | null };

export const NO_KEYS_NOTE = 'key log has no keys for this ClientHello';
export const FAILED_NOTE = 'decryption failed: wrong keys or a damaged record';

export class ConnectionDecryption {
  private clientRandom: Buffer | null = null;
  private serverRandom: Buffer | null = null;
  private suite = -1;
  private version = 0;
  private tls13 = false;
  private encryptThenMac = false;
  private readonly directions: Record<Side, DirectionState> = { client: 'waiting', server: 'waiting' };
  /** Records opened (handshake and alerts), for the report's note. */
  opened = 0;

  constructor(private readonly keys: KeyLookup) {}

  clientHello(random: string): void {
    if (random.length === 64) this.clientRandom = Buffer.from(random, 'hex');
  }

  serverHello(random: string, cipherSuite: number, selectedVersion: number, tls13: boolean, extensions: readonly { type: number }[]): void {
    this.serverRandom = Buffer.from(random, 'hex');
    this.suite = cipherSuite;
    this.version = selectedVersion;
    this.tls13 = tls13;
    this.encryptThenMac = extensions.some((e) => e.type === EXTENSION_ENCRYPT_THEN_MAC);
  }

  /** Whether this direction's protected records are being opened (or about to be): their payload is wanted. */
  opens(from: Side): boolean {
    const d = this.directions[from];
    return d === 'waiting' ? !this.keys.empty && this.clientRandom !== null : !('disabled' in d);
  }

  /** TLS ≤ 1.2: this side's ChangeCipherSpec; its next records are protected under the new keys. */
  changeCipherSpec(from: Side): void {
    if (this.tls13 || this.keys.empty || this.clientRandom === null) return;
    this.directions[from] = this.tls12Direction(from);
  }

  /** TLS 1.3: this side sent its Finished; its next records use its traffic secret 0 (RFC 8446 §7.1). */
  finished(from: Side): void {
    if (!this.tls13) return;
    const d = this.directions[from];
    if (d === 'waiting' || 'disabled' in d) return;
    const secrets = this.secrets();
    const secret = from === 'client' ? secrets?.clientTraffic0 : secrets?.serverTraffic0;
    if (!secret) {
      this.directions[from] = { disabled: `key log has no ${from === 'client' ? 'CLIENT' : 'SERVER'}_TRAFFIC_SECRET_0 for this ClientHello: its records after its Finished stay encrypted` };
      return;
    }
    this.directions[from] = this.tls13Direction(d.protection, secret);
  }

  /** TLS 1.3: this side sent a KeyUpdate; its next records use the next secret (RFC 8446 §4.6.3). */
  keyUpdate(from: Side): void {
    const d = this.directions[from];
    if (!this.tls13 || d === 'waiting' || 'disabled' in d || d.secret === null) return;
    this.directions[from] = this.tls13Direction(d.protection, tls13NextSecret(d.protection, d.secret));
  }

  /** A protected record of this side that is not opened (TLS ≤ 1.2 application data): it still counts. */
  skip(from: Side, payload: Buffer | null): void {
    const d = this.directions[from];
    if (d === 'waiting' || 'disabled' in d) return;
    d.sequence++;
    if (d.protection.mode === 'cbc' && this.version < TLS11) {
      if (payload && payload.length >= d.protection.blockLength) d.iv = Buffer.from(payload.subarray(payload.length - d.protection.blockLength));
      else this.directions[from] = { disabled: 'a TLS 1.0 record needed for the next CBC IV was not captured: later records stay encrypted' };
    }
  }

  /** Open one protected record (`header` fields: outer type, version, length). */
  open(from: Side, contentType: number, recordVersion: number, payload: Buffer): Opening {
    let d = this.directions[from];
    if (d === 'waiting') {
      if (!this.tls13) return { kind: 'not-opened', note: null };
      d = this.directions[from] = this.tls13Handshake(from);
    }
    if ('disabled' in d) {
      const note = d.disabled;
      d.disabled = null;
      return { kind: 'not-opened', note };
    }
    const sequence = d.sequence;
    let result: { type: number; content: Buffer } | null;
    try {
      result = this.tls13 ? openTls13(d, contentType, recordVersion, payload) : openTls12(d, contentType, recordVersion, payload, this.version, this.encryptThenMac);
    } catch {
      result = null;
    }
    if (result === null) {
      this.directions[from] = { disabled: null };
      return { kind: 'not-opened', note: `${FAILED_NOTE} (record ${sequence + 1n} under these keys)` };
    }
    d.sequence++;
    if (this.tls13 && result.type === CONTENT_APPLICATION_DATA) {
      result.content.fill(0);
      return { kind: 'application-data' };
    }
    this.opened++;
    return { kind: 'opened', contentType: result.type, content: result.content };
  }

  private secrets(): SessionSecrets | undefined {
    return this.clientRandom ? this.keys.secrets(this.clientRandom.toString('hex')) : undefined;
  }

  private protection(): SuiteProtection | string {
    const p = this.suite >= 0 ? suiteProtection(this.suite) : null;
    if (p === null) return `cipher suite ${this.suite >= 0 ? cipherSuiteName(this.suite) : '(no ServerHello seen)'} is not one this tool decrypts: its records stay encrypted`;
    return p;
  }

  private tls13Handshake(from: Side): Direction | { disabled: string | null } {
    const p = this.protection();
    if (typeof p === 'string') return { disabled: p };
    const secrets = this.secrets();
    if (!secrets) return { disabled: NO_KEYS_NOTE };
    const secret = from === 'client' ? secrets.clientHandshake : secrets.serverHandshake;
    if (!secret) return { disabled: `key log has no ${from === 'client' ? 'CLIENT' : 'SERVER'}_HANDSHAKE_TRAFFIC_SECRET for this ClientHello` };
    return this.tls13Direction(p, secret);
  }

  private tls13Direction(p: SuiteProtection, secret: Buffer): Direction {
    const { key, iv } = tls13TrafficKeys(p, secret);
    return { protection: p, key, iv, macKey: Buffer.alloc(0), secret, sequence: 0n };
  }

  private tls12Direction(from: Side): Direction | { disabled: string | null } {
    if (this.version < LOWEST_DECRYPTED) return { disabled: 'SSL 3.0 records are not decrypted' };
    const p = this.protection();
    if (typeof p === 'string') return { disabled: p };
    const secrets = this.secrets();
    if (!secrets || !this.clientRandom || !this.serverRandom) return { disabled: NO_KEYS_NOTE };
    if (!secrets.masterSecret) return { disabled: 'key log has no CLIENT_RANDOM line (master secret) for this ClientHello' };
    const block = tls12KeyBlock(this.version, p, secrets.masterSecret, this.clientRandom, this.serverRandom);
    const keys = block[from];
    return { protection: p, key: keys.key, iv: keys.iv, macKey: keys.macKey, secret: null, sequence: 0n };
  }
}

function sequenceBytes(sequence: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(sequence);
  return b;
}

/** RFC 8446 §5.3: the IV with the 64-bit sequence number XORed into its last bytes (RFC 7905 §2 likewise). */
function perRecordNonce(iv: Buffer, sequence: bigint): Buffer {
  const nonce = Buffer.from(iv);
  const seq = sequenceBytes(sequence);
  for (let i = 0; i < 8; i++) nonce[nonce.length - 8 + i]! ^= seq[i]!;
  return nonce;
}

function aeadOpen(p: SuiteProtection, key: Buffer, nonce: Buffer, aad: Buffer, sealed: Buffer): Buffer | null {
  if (sealed.length < p.tagLength) return null;
  const ciphertext = sealed.subarray(0, sealed.length - p.tagLength);
  const tag = sealed.subarray(sealed.length - p.tagLength);
  if (p.mode === 'ccm' || p.mode === 'ccm8') {
    const d = createDecipheriv(p.cipher as 'aes-128-ccm', key, nonce, { authTagLength: p.tagLength }) as DecipherCCM;
    d.setAuthTag(tag);
    d.setAAD(aad, { plaintextLength: ciphertext.length });
    const out = d.update(ciphertext);
    d.final();
    return out;
  }
  const d = createDecipheriv(p.cipher as 'aes-128-gcm', key, nonce, { authTagLength: p.tagLength }) as DecipherGCM;
  d.setAAD(aad);
  d.setAuthTag(tag);
  const first = d.update(ciphertext);
  const last = d.final();
  return last.length ? Buffer.concat([first, last]) : first;
}

/** RFC 8446 §5.2: the record header is the additional data; the content ends in its real type and zero padding. */
function openTls13(d: Direction, outerType: number, version: number, payload: Buffer): { type: number; content: Buffer } | null {
  const aad = Buffer.from([outerType, version >> 8, version & 0xff, payload.length >> 8, payload.length & 0xff]);
  const inner = aeadOpen(d.protection, d.key, perRecordNonce(d.iv, d.sequence), aad, payload);
  if (!inner) return null;
  let end = inner.length;
  while (end > 0 && inner[end - 1] === 0) end--;
  if (end === 0) return null;
  return { type: inner[end - 1]!, content: inner.subarray(0, end - 1) };
}

/** RFC 5246 §6.2.3.3 additional data, and the MAC's input header: seq_num, type, version, length. */
function tls12Header(sequence: bigint, type: number, version: number, length: number): Buffer {
  const h = Buffer.alloc(13);
  h.writeBigUInt64BE(sequence, 0);
  h[8] = type;
  h.writeUInt16BE(version, 9);
  h.writeUInt16BE(length, 11);
  return h;
}

function openTls12(d: Direction, type: number, recordVersion: number, payload: Buffer, version: number, encryptThenMac: boolean): { type: number; content: Buffer } | null {
  const p = d.protection;
  if (p.mode === 'chacha20-poly1305') {
    const length = payload.length - p.tagLength;
    if (length < 0) return null;
    const content = aeadOpen(p, d.key, perRecordNonce(d.iv, d.sequence), tls12Header(d.sequence, type, recordVersion, length), payload);
    return content ? { type, content } : null;
  }
  if (p.mode !== 'cbc') {
    // RFC 5288 §3, RFC 6655 §3: 4 implicit bytes from the key block, 8 explicit at the record's start.
    const explicit = 8;
    const length = payload.length - explicit - p.tagLength;
    if (length < 0) return null;
    const nonce = Buffer.concat([d.iv, payload.subarray(0, explicit)]);
    const content = aeadOpen(p, d.key, nonce, tls12Header(d.sequence, type, recordVersion, length), payload.subarray(explicit));
    return content ? { type, content } : null;
  }
  return openCbc(d, type, recordVersion, payload, version, encryptThenMac);
}

function macMatches(expected: Buffer, got: Buffer): boolean {
  return expected.length === got.length && timingSafeEqual(expected, got);
}

function openCbc(d: Direction, type: number, recordVersion: number, payload: Buffer, version: number, encryptThenMac: boolean): { type: number; content: Buffer } | null {
  const p = d.protection;
  const macLength = hashLength(p.macHash!);
  const block = p.blockLength;
  let body = payload;
  if (encryptThenMac) {
    // RFC 7366 §3: the MAC covers the IV and ciphertext, and follows them outside the encryption.
    if (payload.length < macLength + block) return null;
    body = payload.subarray(0, payload.length - macLength);
    const mac = createHmac(p.macHash!, d.macKey).update(tls12Header(d.sequence, type, recordVersion, body.length)).update(body).digest();
    if (!macMatches(mac, payload.subarray(body.length))) return null;
  }
  const explicitIv = version >= TLS11;
  const iv = explicitIv ? body.subarray(0, block) : d.iv;
  const ciphertext = explicitIv ? body.subarray(block) : body;
  if (ciphertext.length === 0 || ciphertext.length % block !== 0) return null;
  const decipher = createDecipheriv(p.cipher, d.key, iv).setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  if (!explicitIv) d.iv = Buffer.from(ciphertext.subarray(ciphertext.length - block));
  const padding = plain[plain.length - 1]!;
  const unpadded = plain.length - padding - 1;
  if (unpadded < (encryptThenMac ? 0 : macLength)) return null;
  for (let i = unpadded; i < plain.length - 1; i++) if (plain[i] !== padding) return null;
  if (encryptThenMac) return { type, content: plain.subarray(0, unpadded) };
  const content = plain.subarray(0, unpadded - macLength);
  const mac = createHmac(p.macHash!, d.macKey).update(tls12Header(d.sequence, type, recordVersion, content.length)).update(content).digest();
  return macMatches(mac, plain.subarray(content.length, unpadded)) ? { type, content } : null;
}

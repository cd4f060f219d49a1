/**
 * Key schedules: TLS 1.3's HKDF-Expand-Label (RFC 8446 §7.1, §7.3) and the TLS 1.0–1.2 PRF with its key block
 * (RFC 2246 §5, RFC 5246 §5, §6.3). And what a cipher suite needs of them, read from its IANA name (names.ts holds
 * the numbers, once): the bulk cipher, its key and IV lengths, the MAC and the PRF hash.
 */
import { createHmac } from 'node:crypto';
import { cipherSuiteName } from './names.js';

export type HashName = 'md5' | 'sha1' | 'sha256' | 'sha384';

const HASH_LENGTH: Record<HashName, number> = { md5: 16, sha1: 20, sha256: 32, sha384: 48 };

/** How records of a suite are protected. */
export interface SuiteProtection {
  /** 'gcm', 'ccm' (16-byte tag), 'ccm8' (8-byte tag), 'chacha20-poly1305', or 'cbc' (MAC-then-encrypt). */
  mode: 'gcm' | 'ccm' | 'ccm8' | 'chacha20-poly1305' | 'cbc';
  /** node:crypto's name of the cipher ('aes-128-gcm', 'aes-256-cbc', 'des-ede3-cbc', …). */
  cipher: string;
  keyLength: number;
  /** TLS ≤ 1.2 key block IV bytes: the implicit salt of GCM/CCM (4), ChaCha's whole nonce (12), a CBC block. */
  fixedIvLength: number;
  /** CBC block size (bytes), 0 for AEAD. */
  blockLength: number;
  /** The record MAC's hash (CBC only), else null. */
  macHash: HashName | null;
  /** The PRF's (TLS 1.2) or HKDF's (TLS 1.3) hash. */
  prfHash: HashName;
  tagLength: number;
}

/** Bulk ciphers by the part of the IANA name after WITH_ (TLS 1.3 names have no WITH_). */
const BULK: Record<string, { cipher: string; keyLength: number; blockLength: number }> = {
  AES_128_GCM: { cipher: 'aes-128-gcm', keyLength: 16, blockLength: 0 },
  AES_256_GCM: { cipher: 'aes-256-gcm', keyLength: 32, blockLength: 0 },
  AES_128_CCM: { cipher: 'aes-128-ccm', keyLength: 16, blockLength: 0 },
  AES_256_CCM: { cipher: 'aes-256-ccm', keyLength: 32, blockLength: 0 },
  AES_128_CCM_8: { cipher: 'aes-128-ccm', keyLength: 16, blockLength: 0 },
  AES_256_CCM_8: { cipher: 'aes-256-ccm', keyLength: 32, blockLength: 0 },
  CHACHA20_POLY1305: { cipher: 'chacha20-poly1305', keyLength: 32, blockLength: 0 },
  AES_128_CBC: { cipher: 'aes-128-cbc', keyLength: 16, blockLength: 16 },
  AES_256_CBC: { cipher: 'aes-256-cbc', keyLength: 32, blockLength: 16 },
  '3DES_EDE_CBC': { cipher: 'des-ede3-cbc', keyLength: 24, blockLength: 8 },
  CAMELLIA_128_CBC: { cipher: 'camellia-128-cbc', keyLength: 16, blockLength: 16 },
  CAMELLIA_256_CBC: { cipher: 'camellia-256-cbc', keyLength: 32, blockLength: 16 },
};

const SUITE_NAME = /^TLS_(?:.*_WITH_)?((?:AES_(?:128|256)_(?:GCM|CCM_8|CCM|CBC))|CHACHA20_POLY1305|3DES_EDE_CBC|CAMELLIA_(?:128|256)_CBC)_?(SHA384|SHA256|SHA)?$/;

const cache = new Map<number, SuiteProtection | null>();

/** What protecting records with `suite` takes, or null for a suite this tool cannot decrypt (export, RC4, NULL, …). */
export function suiteProtection(suite: number): SuiteProtection | null {
  let p = cache.get(suite);
  if (p !== undefined) return p;
  p = null;
  const m = SUITE_NAME.exec(cipherSuiteName(suite));
  const bulk = m ? BULK[m[1]!] : undefined;
  if (m && bulk) {
    const name = m[1]!;
    const hashPart = m[2] ?? 'SHA256';
    const mode: SuiteProtection['mode'] = name.endsWith('GCM') ? 'gcm' : name.endsWith('CCM_8') ? 'ccm8' : name.endsWith('CCM') ? 'ccm' : name === 'CHACHA20_POLY1305' ? 'chacha20-poly1305' : 'cbc';
    const macHash: HashName = hashPart === 'SHA384' ? 'sha384' : hashPart === 'SHA256' ? 'sha256' : 'sha1';
    p = {
      mode,
      cipher: bulk.cipher,
      keyLength: bulk.keyLength,
      fixedIvLength: mode === 'cbc' ? bulk.blockLength : mode === 'chacha20-poly1305' ? 12 : 4,
      blockLength: bulk.blockLength,
      macHash: mode === 'cbc' ? macHash : null,
      // RFC 5246 §5: suites named _SHA (and the CCM suites) use the SHA-256 PRF; _SHA384 ones SHA-384.
      prfHash: macHash === 'sha384' ? 'sha384' : 'sha256',
      tagLength: mode === 'ccm8' ? 8 : mode === 'cbc' ? 0 : 16,
    };
  }
  cache.set(suite, p);
  return p;
}

/** RFC 5869 §2.3 HKDF-Expand. */
function hkdfExpand(hash: HashName, prk: Buffer, info: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let i = 1, got = 0; got < length; i++) {
    previous = createHmac(hash, prk).update(previous).update(info).update(Buffer.from([i])).digest();
    blocks.push(previous);
    got += previous.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** RFC 8446 §7.1 HKDF-Expand-Label(Secret, Label, Context, Length). */
export function hkdfExpandLabel(hash: HashName, secret: Buffer, label: string, context: Buffer, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'ascii');
  const info = Buffer.alloc(2 + 1 + full.length + 1 + context.length);
  info.writeUInt16BE(length, 0);
  info[2] = full.length;
  full.copy(info, 3);
  info[3 + full.length] = context.length;
  context.copy(info, 4 + full.length);
  return hkdfExpand(hash, secret, info, length);
}

/** RFC 8446 §7.3: a traffic secret's write key and IV. */
export function tls13TrafficKeys(p: SuiteProtection, secret: Buffer): { key: Buffer; iv: Buffer } {
  const none = Buffer.alloc(0);
  return { key: hkdfExpandLabel(p.prfHash, secret, 'key', none, p.keyLength), iv: hkdfExpandLabel(p.prfHash, secret, 'iv', none, 12) };
}

/** RFC 8446 §7.2: the next application traffic secret after a KeyUpdate. */
export function tls13NextSecret(p: SuiteProtection, secret: Buffer): Buffer {
  return hkdfExpandLabel(p.prfHash, secret, 'traffic upd', Buffer.alloc(0), HASH_LENGTH[p.prfHash]);
}

/** RFC 5246 §5 P_hash. */
function pHash(hash: HashName, secret: Buffer, seed: Buffer, length: number): Buffer {
  const out: Buffer[] = [];
  let a = seed;
  for (let got = 0; got < length; ) {
    a = createHmac(hash, secret).update(a).digest();
    const block = createHmac(hash, secret).update(a).update(seed).digest();
    out.push(block);
    got += block.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

/** The PRF of TLS 1.2 (RFC 5246 §5) or, for TLS 1.0 and 1.1, P_MD5 ⊕ P_SHA-1 over the secret's halves (RFC 2246 §5). */
export function prf(version: number, hash: HashName, secret: Buffer, label: string, seed: Buffer, length: number): Buffer {
  const labelled = Buffer.concat([Buffer.from(label, 'ascii'), seed]);
  if (version >= 0x0303) return pHash(hash, secret, labelled, length);
  const half = Math.ceil(secret.length / 2);
  const md5 = pHash('md5', secret.subarray(0, half), labelled, length);
  const sha1 = pHash('sha1', secret.subarray(secret.length - half), labelled, length);
  for (let i = 0; i < length; i++) md5[i]! ^= sha1[i]!;
  return md5;
}

/** One direction's keys in TLS ≤ 1.2. */
export interface Tls12WriteKeys {
  macKey: Buffer;
  key: Buffer;
  iv: Buffer;
}

/** RFC 5246 §6.3: the key block cut into each side's MAC key, write key and IV. */
export function tls12KeyBlock(version: number, p: SuiteProtection, masterSecret: Buffer, clientRandom: Buffer, serverRandom: Buffer): { client: Tls12WriteKeys; server: Tls12WriteKeys } {
  const macLength = p.macHash ? HASH_LENGTH[p.macHash] : 0;
  const total = 2 * (macLength + p.keyLength + p.fixedIvLength);
  const block = prf(version, p.prfHash, masterSecret, 'key expansion', Buffer.concat([serverRandom, clientRandom]), total);
  let at = 0;
  const take = (n: number) => block.subarray(at, (at += n));
  const clientMac = take(macLength);
  const serverMac = take(macLength);
  const clientKey = take(p.keyLength);
  const serverKey = take(p.keyLength);
  const clientIv = take(p.fixedIvLength);
  const serverIv = take(p.fixedIvLength);
  return { client: { macKey: clientMac, key: clientKey, iv: clientIv }, server: { macKey: serverMac, key: serverKey, iv: serverIv } };
}

export function hashLength(hash: HashName): number {
  return HASH_LENGTH[hash];
}


#!/usr/bin/env node
/**
 * Writes the hostile capture of issue 22 point 3: TLS connections whose Certificate message holds
 * certificates that all bear the same name (each names itself and every other one as its issuer) with
 * keys that are expensive to verify with (16,384-bit RSA, 10,000-bit DSA), and bogus signatures.
 * Before the chain checks had a budget, 100 such connections (5 MB) took 64-111 s to analyze.
 *
 * No key is generated: a public key is only numbers, so the moduli (and DSA's p, q, g, y) are random
 * numbers of the right size, which OpenSSL reads and verifies with like real ones. Deterministic (seeded).
 *
 *   node scripts/make-expensive-chains.mjs OUT.pcap [--connections 100] [--certificates 12]
 *        [--key rsa|dsa] [--bits 16384] [--same] [--names one|each]
 *   --same: every connection sends the same chain; --names each: another SNI in each connection
 *
 * Also imported by the tests (test/tls/signatures.test.ts); types in make-expensive-chains.d.mts.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { rng } from './fuzz-mutate.mjs';

/** Seeded random bytes (the fuzzer's mulberry32): the same bytes on every run. */
function random(seed) {
  const { next } = rng(seed);
  return (n) => {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(next() * 256);
    return b;
  };
}

// ---------------------------------------------------------------------------------------------
// DER.

function tlv(tag, ...parts) {
  const content = Buffer.concat(parts);
  const n = content.length;
  let head;
  if (n < 0x80) head = Buffer.from([tag, n]);
  else if (n < 0x100) head = Buffer.from([tag, 0x81, n]);
  else if (n < 0x10000) head = Buffer.from([tag, 0x82, n >> 8, n & 0xff]);
  else head = Buffer.from([tag, 0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([head, content]);
}
const seq = (...parts) => tlv(0x30, ...parts);
/** A non-negative INTEGER from big-endian bytes. */
const int = (bytes) => tlv(0x02, bytes[0] & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
const small = (n) => int(Buffer.from([n]));
const bits = (bytes) => tlv(0x03, Buffer.from([0]), bytes);
function oid(text) {
  const arcs = text.split('.').map(Number);
  const out = [arcs[0] * 40 + arcs[1]];
  for (const arc of arcs.slice(2)) {
    const groups = [];
    let v = arc;
    do {
      groups.unshift(v & 0x7f);
      v = Math.floor(v / 128);
    } while (v > 0);
    for (let i = 0; i < groups.length - 1; i++) groups[i] |= 0x80;
    out.push(...groups);
  }
  return tlv(0x06, Buffer.from(out));
}
const NULL = Buffer.from([0x05, 0x00]);
const name = (cn) => seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn, 'utf8')))));
const utcTime = (text) => tlv(0x17, Buffer.from(text, 'latin1'));

/** `n` random bytes with the top bit set (a number of exactly n*8 bits) and the low bit set (odd). */
function sized(rand, n) {
  const b = rand(n);
  b[0] |= 0x80;
  b[n - 1] |= 1;
  return b;
}

/** SubjectPublicKeyInfo and the matching signature algorithm and (bogus) signature value. */
function keyAndSignature(rand, key, keyBits) {
  const bytes = Math.ceil(keyBits / 8);
  if (key === 'rsa') {
    const spki = seq(seq(oid('1.2.840.113549.1.1.1'), NULL), bits(seq(int(sized(rand, bytes)), int(Buffer.from([1, 0, 1])))));
    // sha256WithRSAEncryption; a signature value as long as the modulus, a little below it.
    const signature = rand(bytes);
    signature[0] &= 0x7f;
    return { spki, algorithm: seq(oid('1.2.840.113549.1.1.11'), NULL), signature };
  }
  // DSA: p of keyBits, q of 256 bits (the most OpenSSL accepts), g and y below p; dsa-with-SHA256.
  const p = sized(rand, bytes);
  const q = sized(rand, 32);
  const below = (b) => {
    const x = rand(b.length);
    x[0] = (x[0] & 0x3f) | 0x10; // below b, and no leading zero byte (DER integers are minimal)
    x[b.length - 1] |= 2;
    return x;
  };
  const spki = seq(seq(oid('1.2.840.10040.4.1'), seq(int(p), int(q), int(below(p)))), bits(int(below(p))));
  // r and s within (0, q), so that OpenSSL goes on to the exponentiations before it finds them wrong.
  const signature = seq(int(below(q)), int(below(q)));
  return { spki, algorithm: seq(oid('2.16.840.1.101.3.4.3.2')), signature };
}

/** One certificate: subject and issuer `cn`, v3, valid 2020-2040, the given key, a random signature. */
export function expensiveCertificate(rand, { key = 'rsa', bits: keyBits = 16384, cn = 'mail.example.test', serial = 1 } = {}) {
  const { spki, algorithm, signature } = keyAndSignature(rand, key, keyBits);
  const serialBytes = Buffer.alloc(8);
  serialBytes.writeUInt32BE(0x10000000 + serial, 0);
  rand(4).copy(serialBytes, 4);
  const tbs = seq(tlv(0xa0, small(2)), int(serialBytes), algorithm, name(cn), seq(utcTime('200101000000Z'), utcTime('400101000000Z')), name(cn), spki);
  return seq(tbs, algorithm, bits(signature));
}

// ---------------------------------------------------------------------------------------------
// TLS and TCP.

function u24(n) {
  return Buffer.from([n >> 16, (n >> 8) & 0xff, n & 0xff]);
}
const handshake = (type, body) => Buffer.concat([Buffer.from([type]), u24(body.length), body]);
/** Handshake bytes in records of at most 16 KB. */
function records(bytes) {
  const out = [];
  for (let at = 0; at < bytes.length; at += 16384) {
    const part = bytes.subarray(at, at + 16384);
    out.push(Buffer.from([22, 3, 3, part.length >> 8, part.length & 0xff]), part);
  }
  return Buffer.concat(out);
}

function clientHello(rand, sni) {
  const host = Buffer.from(sni, 'latin1');
  const entry = Buffer.concat([Buffer.from([0]), Buffer.from([host.length >> 8, host.length & 0xff]), host]);
  const list = Buffer.concat([Buffer.from([entry.length >> 8, entry.length & 0xff]), entry]);
  const ext = Buffer.concat([Buffer.from([0, 0, list.length >> 8, list.length & 0xff]), list]);
  const body = Buffer.concat([Buffer.from([3, 3]), rand(32), Buffer.from([0, 0, 2, 0xc0, 0x2f, 1, 0]), Buffer.from([ext.length >> 8, ext.length & 0xff]), ext]);
  return handshake(1, body);
}

function serverFlight(rand, chain) {
  const hello = handshake(2, Buffer.concat([Buffer.from([3, 3]), rand(32), Buffer.from([0, 0xc0, 0x2f, 0])]));
  const list = Buffer.concat(chain.flatMap((c) => [u24(c.length), c]));
  const certificate = handshake(11, Buffer.concat([u24(list.length), list]));
  return Buffer.concat([hello, certificate, handshake(14, Buffer.alloc(0))]);
}

/** One IPv4 + TCP packet, raw IP (checksums zero: nothing reads them). */
function packet(src, dst, sport, dport, seqNo, ackNo, flags, payload = Buffer.alloc(0)) {
  const b = Buffer.alloc(40 + payload.length);
  b[0] = 0x45;
  b.writeUInt16BE(40 + payload.length, 2);
  b[8] = 64;
  b[9] = 6;
  Buffer.from(src).copy(b, 12);
  Buffer.from(dst).copy(b, 16);
  b.writeUInt16BE(sport, 20);
  b.writeUInt16BE(dport, 22);
  b.writeUInt32BE(seqNo >>> 0, 24);
  b.writeUInt32BE(ackNo >>> 0, 28);
  b[32] = 5 << 4;
  b[33] = flags;
  b.writeUInt16BE(65535, 34);
  payload.copy(b, 40);
  return b;
}

const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x08;
const FIN = 0x01;
const MSS = 1460;

/**
 * The capture: `connections` TLS 1.2 connections to port 465, each with a ClientHello (SNI
 * mail.example.test) and a server flight of ServerHello, a Certificate message of `certificates`
 * expensive certificates, ServerHelloDone; then the client closes. With `same`, every connection sends
 * the chain of the first; otherwise every certificate in the capture is another one. With names 'each',
 * connection N asks for mxN.mail.example.test.
 */
export function expensiveChainCapture({ connections = 100, certificates = 12, key = 'rsa', bits: keyBits = key === 'rsa' ? 16384 : 10000, same = false, names = 'one', seed = 22 } = {}) {
  const rand = random(seed);
  const makeChain = (c) => Array.from({ length: certificates }, (_, i) => expensiveCertificate(rand, { key, bits: keyBits, serial: c * 1000 + i }));
  const first = makeChain(0);
  const frames = [];
  const client = [10, 0, 0, 1];
  const server = [10, 0, 0, 2];
  for (let c = 0; c < connections; c++) {
    const sport = 40000 + c;
    let cs = 1000 + c * 7;
    let ss = 900000 + c * 13;
    const chain = same || c === 0 ? first : makeChain(c);
    frames.push(packet(client, server, sport, 465, cs, 0, SYN));
    frames.push(packet(server, client, 465, sport, ss, cs + 1, SYN | ACK));
    cs++;
    ss++;
    frames.push(packet(client, server, sport, 465, cs, ss, ACK));
    const hello = records(clientHello(rand, names === 'each' ? `mx${c}.mail.example.test` : 'mail.example.test'));
    frames.push(packet(client, server, sport, 465, cs, ss, ACK | PSH, hello));
    cs += hello.length;
    const flight = records(serverFlight(rand, chain));
    for (let at = 0; at < flight.length; at += MSS) {
      const part = flight.subarray(at, at + MSS);
      frames.push(packet(server, client, 465, sport, ss, cs, ACK | (at + MSS >= flight.length ? PSH : 0), part));
      ss += part.length;
    }
    frames.push(packet(client, server, sport, 465, cs, ss, FIN | ACK));
    cs++;
    frames.push(packet(server, client, 465, sport, ss, cs, FIN | ACK));
    ss++;
    frames.push(packet(client, server, sport, 465, cs, ss, ACK));
  }
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(101, 20); // LINKTYPE_RAW
  const parts = [header];
  frames.forEach((data, i) => {
    const rec = Buffer.alloc(16);
    // 2026-01-01 onwards, 1 ms apart: inside the certificates' validity.
    const t = 1_767_225_600 + i * 0.001;
    rec.writeUInt32LE(Math.floor(t), 0);
    rec.writeUInt32LE(Math.round((t - Math.floor(t)) * 1e6) % 1_000_000, 4);
    rec.writeUInt32LE(data.length, 8);
    rec.writeUInt32LE(data.length, 12);
    parts.push(rec, data);
  });
  return Buffer.concat(parts);
}

function main(argv) {
  const out = argv[0];
  if (!out || out.startsWith('-')) {
    process.stderr.write('usage: make-expensive-chains.mjs OUT.pcap [--connections N] [--certificates N] [--key rsa|dsa] [--bits N] [--same] [--names one|each]\n');
    process.exit(2);
  }
  const options = {};
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--same') options.same = true;
    else if (a === '--connections' || a === '--certificates' || a === '--bits') options[a.slice(2)] = Number(argv[++i]);
    else if (a === '--key') options.key = argv[++i];
    else if (a === '--names') options.names = argv[++i];
    else {
      process.stderr.write(`unknown option ${a}\n`);
      process.exit(2);
    }
  }
  const capture = expensiveChainCapture(options);
  writeFileSync(out, capture);
  process.stdout.write(`${out}: ${capture.length} bytes\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2));

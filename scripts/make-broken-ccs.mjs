#!/usr/bin/env node
// Makes captures/tls1.2-broken-ccs.pcap from captures/tls1.2.pcap (Zeek's testing/btest/Traces/tls/tls1.2.pcap):
// the same capture but for 3 bytes that break the client's ChangeCipherSpec record, our stand-in for Zeek's
// tls1.2-late-protocol-error.pcap ("identical but for 3 bytes that break the client's ChangeCipherSpec"), which
// is not in the shared corpus.
//
// The client's flight in frame 10 is ClientKeyExchange, ChangeCipherSpec, Finished (encrypted: a 37-byte record),
// each in its own record. A ChangeCipherSpec record is `14 03 03 00 01 01`: content type 20, version, length 1,
// and the one byte change_cipher_spec(1) (RFC 5246 §7.1). Three bytes change:
//   - the record length 0x0001 becomes 0x0026 (38), so the record claims the 37-byte Finished record that
//     follows as part of its body: a length no ChangeCipherSpec can have;
//   - the ChangeCipherSpec byte 1 becomes 2, which is not change_cipher_spec;
//   - the content type of the Finished record's header, now inside that body, 22 becomes 20, so nothing in
//     the bytes still reads as the client's Finished.
// A TLS 1.2 server rejects this (OpenSSL: "bad change cipher spec", a decode_error or unexpected_message
// alert). The TCP stream keeps its framing (every later record of the client still starts where it did), the
// TCP lengths do not change, and nothing else is fixed: the server's answer that follows in the capture is
// the original one (a real server would have sent an alert instead), and the TCP checksum of frame 10 is now
// wrong. Neither tshark (which checks TCP checksums only with -o tcp.check_checksum:TRUE) nor tlsdissect
// (which never does: captures taken on the sending host carry checksums the NIC fills in later) cares.
//
// Run from the repository root: node scripts/make-broken-ccs.mjs [in.pcap] [out.pcap]
import { readFileSync, writeFileSync } from 'node:fs';

const input = process.argv[2] ?? 'captures/tls1.2.pcap';
const output = process.argv[3] ?? 'captures/tls1.2-broken-ccs.pcap';

const CONTENT_CHANGE_CIPHER_SPEC = 20;
const CONTENT_HANDSHAKE = 22;
const RECORD_HEADER = 5;

const bytes = Buffer.from(readFileSync(input));
const magic = bytes.readUInt32LE(0);
if (magic !== 0xa1b2c3d4 && magic !== 0xd4c3b2a1) fail('not a classic microsecond pcap file');
const le = magic === 0xa1b2c3d4; // read little-endian, the magic is a1b2c3d4: the file is little-endian
const u32 = (p) => (le ? bytes.readUInt32LE(p) : bytes.readUInt32BE(p));
const linkType = u32(20) & 0x03ffffff;
if (linkType !== 1) fail(`link type ${linkType}: only Ethernet is handled`);

/** Every frame's TCP payload: where it lies in the file, and the endpoints. */
const frames = [];
for (let p = 24, n = 1; p + 16 <= bytes.length; n++) {
  const captured = u32(p + 8);
  const data = p + 16;
  p = data + captured;
  if (p > bytes.length) fail(`frame ${n} is cut short`);
  let l3 = data + 12;
  let etherType = bytes.readUInt16BE(l3);
  while (etherType === 0x8100 || etherType === 0x88a8) {
    l3 += 4;
    etherType = bytes.readUInt16BE(l3);
  }
  l3 += 2;
  if (etherType !== 0x0800 || bytes[l3 + 9] !== 6) continue; // IPv4 carrying TCP only (the capture has nothing else)
  const ipHeader = (bytes[l3] & 0x0f) * 4;
  const ipTotal = bytes.readUInt16BE(l3 + 2);
  const tcp = l3 + ipHeader;
  const tcpHeader = (bytes[tcp + 12] >> 4) * 4;
  const flags = bytes[tcp + 13];
  const src = `${[...bytes.subarray(l3 + 12, l3 + 16)].join('.')}:${bytes.readUInt16BE(tcp)}`;
  const payloadStart = tcp + tcpHeader;
  const payloadEnd = Math.min(l3 + ipTotal, p);
  frames.push({ n, src, syn: (flags & 0x02) !== 0, ack: (flags & 0x10) !== 0, start: payloadStart, end: payloadEnd });
}

const client = frames.find((f) => f.syn && !f.ack)?.src;
if (!client) fail('no SYN: cannot tell the client');

// The client's records, segment by segment (in this capture each of its segments starts with a record).
let found = null;
for (const f of frames) {
  if (f.src !== client || f.end <= f.start) continue;
  for (let r = f.start; r + RECORD_HEADER <= f.end; ) {
    const type = bytes[r];
    const length = bytes.readUInt16BE(r + 3);
    if (type === CONTENT_CHANGE_CIPHER_SPEC) {
      found = { frame: f.n, at: r, end: f.end };
      break;
    }
    r += RECORD_HEADER + length;
  }
  if (found) break;
}
if (!found) fail("no ChangeCipherSpec record from the client");

const { frame, at, end } = found;
if (bytes.readUInt16BE(at + 3) !== 1 || bytes[at + 5] !== 1) fail(`frame ${frame}: the client's ChangeCipherSpec is not the usual 14 03 03 00 01 01`);
const next = at + RECORD_HEADER + 1;
if (next + RECORD_HEADER > end || bytes[next] !== CONTENT_HANDSHAKE) fail(`frame ${frame}: no handshake record (the Finished) right after the ChangeCipherSpec`);
const finishedLength = RECORD_HEADER + bytes.readUInt16BE(next + 3);
if (next + finishedLength > end) fail(`frame ${frame}: the Finished record does not end in the same segment`);

const swallowed = 1 + finishedLength;
const changes = [
  { at: at + 4, to: swallowed & 0xff, what: `ChangeCipherSpec record length 1 → ${swallowed}` },
  { at: at + 5, to: 2, what: 'ChangeCipherSpec byte 1 → 2' },
  { at: next, to: CONTENT_CHANGE_CIPHER_SPEC, what: `content type of the Finished record header (now inside the ChangeCipherSpec body) ${CONTENT_HANDSHAKE} → ${CONTENT_CHANGE_CIPHER_SPEC}` },
];
if (swallowed > 0xff) fail('the Finished record is too long for a one-byte change of the length');
for (const c of changes) {
  if (bytes[c.at] === c.to) fail(`byte at ${c.at} is already ${c.to}`);
  bytes[c.at] = c.to;
}
writeFileSync(output, bytes);
process.stdout.write(`${output}: frame ${frame}, client ${client}\n${changes.map((c) => `  file offset ${c.at}: ${c.what}`).join('\n')}\n`);

function fail(message) {
  process.stderr.write(`make-broken-ccs: ${input}: ${message}\n`);
  process.exit(1);
}

#!/usr/bin/env node
// Makes captures/two-chains-retry.pcap from the lab captures (captures/LAB-README.md: real Postfix 3.7 on
// 10.77.0.1 and 10.77.0.4, a real client on 10.77.0.100): the story of a renewal half done. Postfix on
// 10.77.0.1:25 sends chain A (mail.lab.test and its intermediate, 2 certificates); the lab's 10.77.0.4 sends
// chain B (*.lab.test, 4 certificates, 7 KB). Connections of both are moved onto 10.77.0.1:25, as if one
// address served both chains (a process still holding the old chain, or two servers behind one address):
// every failure got chain B, and the clients that retried got chain A and completed.
//
// Each connection is copied whole from its source capture, packet by packet: the client address (and, for
// chain B's connections, the server address) rewritten, the times shifted so that it starts where the story
// puts it; the IPv4 and TCP checksums are computed again. Nothing else changes: TCP, TLS and SMTP are the
// real ones.
//
//   t (s)   client        connection                                    source
//   0       10.77.0.101   completes, chain A                            good-25-smtp-starttls.pcap #1
//   2       10.77.0.102   client FIN after ServerHelloDone, chain B     abort-after-shd.pcap #2 (10.77.0.4:25)
//   5.4     10.77.0.102   its retry: completes, chain A                 good-25-smtp-starttls.pcap #1
//   8       10.77.0.103   completes, chain A                            good-25-smtp-starttls.pcap #1
//   10      10.77.0.104   client FIN after ServerHelloDone, chain B     abort-then-retry.pcap #1 (10.77.0.4:25)
//   13      10.77.0.104   its retry: completes, chain A                 good-25-smtp-starttls.pcap #1
//   15      10.77.0.105   completes in TLS 1.3 (chain not visible)      good-25-smtp-starttls.pcap #2
//   17      10.77.0.106   client FIN after ServerHelloDone, chain B     abort-after-shd.pcap #2
//   18      10.77.0.106   to port 465 (another port: not a retry)       good-465-smtps.pcap #1
//   417     10.77.0.106   to port 25 again, 400 s later: completes, A    good-25-smtp-starttls.pcap #1
//
// Run from the repository root: node scripts/make-two-chains.mjs [out.pcap]
import { readFileSync, writeFileSync } from 'node:fs';

const output = process.argv[2] ?? 'captures/two-chains-retry.pcap';
const SERVER = '10.77.0.1';

const STORY = [
  { t: 0, client: '10.77.0.101', source: 'good-25-smtp-starttls.pcap', clientPort: 30082 },
  { t: 2, client: '10.77.0.102', source: 'abort-after-shd.pcap', clientPort: 21682 },
  { t: 5.4, client: '10.77.0.102', source: 'good-25-smtp-starttls.pcap', clientPort: 30082 },
  { t: 8, client: '10.77.0.103', source: 'good-25-smtp-starttls.pcap', clientPort: 30082 },
  { t: 10, client: '10.77.0.104', source: 'abort-then-retry.pcap', clientPort: 53402 },
  { t: 13, client: '10.77.0.104', source: 'good-25-smtp-starttls.pcap', clientPort: 30082, newPort: 30083 },
  { t: 15, client: '10.77.0.105', source: 'good-25-smtp-starttls.pcap', clientPort: 30096 },
  { t: 17, client: '10.77.0.106', source: 'abort-after-shd.pcap', clientPort: 21682 },
  { t: 18, client: '10.77.0.106', source: 'good-465-smtps.pcap', clientPort: 53470 },
  { t: 417, client: '10.77.0.106', source: 'good-25-smtp-starttls.pcap', clientPort: 30082, newPort: 30084 },
];

function fail(message) {
  process.stderr.write(`make-two-chains: ${message}\n`);
  process.exit(1);
}

/** A classic little-endian microsecond pcap of Ethernet frames: its header and frames. */
function readPcap(file) {
  const bytes = readFileSync(file);
  if (bytes.readUInt32LE(0) !== 0xa1b2c3d4) fail(`${file}: not a little-endian microsecond pcap`);
  if ((bytes.readUInt32LE(20) & 0x03ffffff) !== 1) fail(`${file}: not Ethernet`);
  const frames = [];
  for (let p = 24; p + 16 <= bytes.length; ) {
    const sec = bytes.readUInt32LE(p);
    const usec = bytes.readUInt32LE(p + 4);
    const captured = bytes.readUInt32LE(p + 8);
    const original = bytes.readUInt32LE(p + 12);
    frames.push({ time: sec + usec / 1e6, original, data: Buffer.from(bytes.subarray(p + 16, p + 16 + captured)) });
    p += 16 + captured;
  }
  return { header: bytes.subarray(0, 24), frames };
}

const ipText = (b, at) => [...b.subarray(at, at + 4)].join('.');
const ipBytes = (text) => Buffer.from(text.split('.').map(Number));

/** The IPv4 and TCP offsets of an Ethernet frame carrying IPv4/TCP, else null. */
function tcpOf(d) {
  if (d.readUInt16BE(12) !== 0x0800) return null;
  const ip = 14;
  if (d[ip + 9] !== 6) return null;
  return { ip, tcp: ip + (d[ip] & 0x0f) * 4 };
}

function checksum(buf, initial = 0) {
  let sum = initial;
  for (let i = 0; i + 1 < buf.length; i += 2) sum += buf.readUInt16BE(i);
  if (buf.length % 2) sum += buf[buf.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function fixChecksums(d, ip, tcp) {
  const ipHeader = d.subarray(ip, tcp);
  ipHeader.writeUInt16BE(0, 10);
  ipHeader.writeUInt16BE(checksum(ipHeader), 10);
  const total = d.readUInt16BE(ip + 2);
  const segment = d.subarray(tcp, ip + total);
  segment.writeUInt16BE(0, 16);
  const pseudo = Buffer.alloc(12);
  d.copy(pseudo, 0, ip + 12, ip + 20);
  pseudo[9] = 6;
  pseudo.writeUInt16BE(segment.length, 10);
  let sum = 0;
  for (let i = 0; i < 12; i += 2) sum += pseudo.readUInt16BE(i);
  segment.writeUInt16BE(checksum(segment, sum), 16);
}

const sources = new Map();
const out = [];
const base = readPcap('captures/good-25-smtp-starttls.pcap').frames[0].time;
for (const step of STORY) {
  if (!sources.has(step.source)) sources.set(step.source, readPcap(`captures/${step.source}`));
  const { frames } = sources.get(step.source);
  const mine = frames.filter((f) => {
    const at = tcpOf(f.data);
    return at && (f.data.readUInt16BE(at.tcp) === step.clientPort || f.data.readUInt16BE(at.tcp + 2) === step.clientPort);
  });
  if (mine.length === 0) fail(`${step.source}: no packet of client port ${step.clientPort}`);
  const shift = base + step.t - mine[0].time;
  for (const f of mine) {
    const d = Buffer.from(f.data);
    const { ip, tcp } = tcpOf(d);
    const fromClient = d.readUInt16BE(tcp) === step.clientPort;
    const [clientAt, serverAt] = fromClient ? [ip + 12, ip + 16] : [ip + 16, ip + 12];
    const portAt = fromClient ? tcp : tcp + 2;
    ipBytes(step.client).copy(d, clientAt);
    if (ipText(d, serverAt) !== SERVER) ipBytes(SERVER).copy(d, serverAt);
    if (step.newPort) d.writeUInt16BE(step.newPort, portAt);
    fixChecksums(d, ip, tcp);
    out.push({ time: f.time + shift, original: f.original, data: d });
  }
}
out.sort((a, b) => a.time - b.time);
const parts = [readPcap('captures/good-25-smtp-starttls.pcap').header];
for (const f of out) {
  const h = Buffer.alloc(16);
  const usecTotal = Math.round(f.time * 1e6);
  h.writeUInt32LE(Math.floor(usecTotal / 1e6), 0);
  h.writeUInt32LE(usecTotal % 1e6, 4);
  h.writeUInt32LE(f.data.length, 8);
  h.writeUInt32LE(f.original, 12);
  parts.push(h, f.data);
}
writeFileSync(output, Buffer.concat(parts));
process.stdout.write(`${output}: ${out.length} frames, ${STORY.length} connections\n`);

#!/usr/bin/env node
// Makes captures/proxy-headers.pcap (issue 19): hand-built PROXY protocol headers, valid and broken, in front of
// a real connection. The template is connection 1 of captures/good-25-smtp-starttls.pcap (the lab's Postfix 3.7,
// SMTP STARTTLS, TLS 1.2, completed). It is written once per header below, each copy from client port
// 41000 + n and 2 s after the one before, with the header sent by the client right after the TCP handshake, as
// HAProxy does, in one segment or in the pieces given. Every client sequence number after the handshake's ACK
// and every server acknowledgement after the SYN/ACK moves by the header's length; IPv4 lengths and header checksums are
// recomputed; TCP checksums are not (tlsdissect never checks them; tshark only when asked).
//
// Run from the repository root: node scripts/make-proxy-headers.mjs [template.pcap] [out.pcap]
import { readFileSync, writeFileSync } from 'node:fs';

const input = process.argv[2] ?? 'captures/good-25-smtp-starttls.pcap';
const output = process.argv[3] ?? 'captures/proxy-headers.pcap';

const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const v1 = (text) => Buffer.from(text, 'latin1');
const tlv = (type, value) => {
  const v = Buffer.isBuffer(value) ? value : Buffer.from(value, 'latin1');
  const h = Buffer.alloc(3);
  h[0] = type;
  h.writeUInt16BE(v.length, 1);
  return Buffer.concat([h, v]);
};
/** A version 2 header: ver/cmd byte, family byte, the address block and TLVs; `length` overrides the length field. */
const v2 = (verCmd, family, addresses, tlvs = [], length) => {
  const body = Buffer.concat([addresses, ...tlvs]);
  const fixed = Buffer.alloc(4);
  fixed[0] = verCmd;
  fixed[1] = family;
  fixed.writeUInt16BE(length ?? body.length, 2);
  return Buffer.concat([V2_SIGNATURE, fixed, body]);
};
const ipv4 = (text) => Buffer.from(text.split('.').map(Number));
const ipv6 = (groups) => {
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(g, i * 2));
  return b;
};
const ports = (src, dst) => {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(src, 0);
  b.writeUInt16BE(dst, 2);
  return b;
};
const inet = (src, dst, sport, dport) => Buffer.concat([ipv4(src), ipv4(dst), ports(sport, dport)]);
const sslTlv = Buffer.concat([Buffer.from([0x01, 0, 0, 0, 0]), tlv(0x21, 'TLSv1.3'), tlv(0x22, 'client.example.org')]);

// name (for the README and the tests), header bytes, pieces (segment sizes; the rest goes in the last piece)
const HEADERS = [
  ['v1 TCP4', v1('PROXY TCP4 192.0.2.10 10.77.0.1 51000 25\r\n')],
  ['v1 TCP6', v1('PROXY TCP6 2001:DB8:0:0::A 2001:db8::1 51001 25\r\n')],
  ['v2 PROXY INET with TLVs', v2(0x21, 0x11, inet('192.0.2.12', '10.77.0.1', 51002, 25), [
    tlv(0x01, 'smtp'), tlv(0x02, 'mail.example.net'), tlv(0x05, Buffer.from('f00dfeed0102', 'hex')), tlv(0x20, sslTlv), tlv(0x04, Buffer.alloc(3)), tlv(0xea, 'vpce-0123456789abcdef0'),
  ])],
  ['v2 PROXY INET6', v2(0x21, 0x21, Buffer.concat([ipv6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x0d]), ipv6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]), ports(51003, 25)]))],
  ['v1 in three segments', v1('PROXY TCP4 192.0.2.14 10.77.0.1 51004 25\r\n'), [3, 24]],
  ['v2 in three segments', v2(0x21, 0x11, inet('192.0.2.15', '10.77.0.1', 51005, 25), [tlv(0x02, 'split.example.net')]), [7, 9]],
  ['v2 LOCAL', v2(0x20, 0x11, inet('192.0.2.16', '10.77.0.1', 51006, 25))],
  ['v1 UNKNOWN', v1('PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n')],
  ['v2 PROXY UNIX', v2(0x21, 0x31, Buffer.concat([Buffer.from('/run/client.sock'.padEnd(108, '\0'), 'latin1'), Buffer.from('/run/server.sock'.padEnd(108, '\0'), 'latin1')]))],
  ['v1 bad address', v1('PROXY TCP4 999.0.2.19 10.77.0.1 51009 25\r\n')],
  ['v1 without line end', v1(`PROXY TCP4 ${'9'.repeat(104)}`)],
  ['v2 version 3', v2(0x31, 0x11, inet('192.0.2.21', '10.77.0.1', 51011, 25))],
  ['v2 TLV past the end', v2(0x21, 0x11, inet('192.0.2.22', '10.77.0.1', 51012, 25), [Buffer.from([0x02, 0x00, 0x40]), v1('short.example.net')])],
  ['v2 bad family', v2(0x21, 0x51, inet('192.0.2.23', '10.77.0.1', 51013, 25))],
  ['v2 cut short', v2(0x21, 0x11, inet('192.0.2.24', '10.77.0.1', 51014, 25), [], 4096)],
];

// ---- read the template ----
const bytes = Buffer.from(readFileSync(input));
const magic = bytes.readUInt32LE(0);
if (magic !== 0xa1b2c3d4) fail('not a little-endian microsecond pcap file');
if (bytes.readUInt32LE(20) !== 1) fail('only Ethernet is handled');
const records = [];
for (let p = 24; p + 16 <= bytes.length; ) {
  const incl = bytes.readUInt32LE(p + 8);
  records.push({ sec: bytes.readUInt32LE(p), usec: bytes.readUInt32LE(p + 4), data: bytes.subarray(p + 16, p + 16 + incl) });
  p += 16 + incl;
}
const ETH = 14;
const tcpOf = (d) => {
  if (d.readUInt16BE(12) !== 0x0800 || d[ETH + 9] !== 6) return null;
  const ihl = (d[ETH] & 0x0f) * 4;
  const t = ETH + ihl;
  const off = (d[t + 12] >> 4) * 4;
  return { t, sport: d.readUInt16BE(t), dport: d.readUInt16BE(t + 2), seq: d.readUInt32BE(t + 4), ack: d.readUInt32BE(t + 8), flags: d[t + 13], payload: d.length - t - off };
};
const syn = records.map((r) => tcpOf(r.data)).find((t) => t && t.flags === 0x02);
if (!syn) fail('no SYN in the template');
const clientPort = syn.sport;
const conn = records.filter((r) => {
  const t = tcpOf(r.data);
  return t && (t.sport === clientPort || t.dport === clientPort);
});

// ---- write the copies ----
const out = [bytes.subarray(0, 24)];
const firstSec = conn[0].sec;
HEADERS.forEach(([, header, pieces = []], n) => {
  const port = 41000 + n;
  const shift = (r) => ({ sec: r.sec - firstSec + firstSec + 2 * n, usec: r.usec });
  let inserted = false;
  for (const r of conn) {
    const d = Buffer.from(r.data);
    const t = tcpOf(d);
    const fromClient = t.sport === clientPort;
    d.writeUInt16BE(port, fromClient ? t.t : t.t + 2);
    const isSyn = (t.flags & 0x02) !== 0;
    // The client's ACK of the SYN/ACK goes before the header, at the sequence number it had.
    const handshakeAck = !inserted && fromClient && !isSyn && t.payload === 0;
    if (fromClient && !isSyn && !handshakeAck) d.writeUInt32BE((t.seq + header.length) >>> 0, t.t + 4);
    if (!fromClient && !isSyn && (t.flags & 0x10) !== 0) d.writeUInt32BE((t.ack + header.length) >>> 0, t.t + 8);
    out.push(record(shift(r), d));
    // The header right after the client's ACK of the SYN/ACK, in its pieces.
    if (handshakeAck) {
      inserted = true;
      let at = 0;
      const sizes = [...pieces, header.length - pieces.reduce((a, b) => a + b, 0)];
      sizes.forEach((size, k) => {
        out.push(record({ ...shift(r), usec: r.usec + 1 + k }, segment(r.data, port, t.seq + at, header.subarray(at, at + size))));
        at += size;
      });
    }
  }
});
writeFileSync(output, Buffer.concat(out));
console.log(`wrote ${output}: ${HEADERS.length} connections`);

/** A client segment like `template` (the handshake ACK) carrying `payload` at `seq`, PSH|ACK. */
function segment(template, port, seq, payload) {
  const t = tcpOf(template);
  const head = Buffer.from(template.subarray(0, template.length - t.payload));
  head.writeUInt16BE(port, t.t);
  head.writeUInt32BE(seq >>> 0, t.t + 4);
  head[t.t + 13] = 0x18;
  const d = Buffer.concat([head, payload]);
  d.writeUInt16BE(d.length - ETH, ETH + 2);
  ipChecksum(d);
  return d;
}

function record({ sec, usec }, data) {
  const h = Buffer.alloc(16);
  const carry = Math.floor(usec / 1e6);
  h.writeUInt32LE(sec + carry, 0);
  h.writeUInt32LE(usec % 1e6, 4);
  h.writeUInt32LE(data.length, 8);
  h.writeUInt32LE(data.length, 12);
  return Buffer.concat([h, data]);
}

function ipChecksum(d) {
  const ihl = (d[ETH] & 0x0f) * 4;
  d.writeUInt16BE(0, ETH + 10);
  let sum = 0;
  for (let i = 0; i < ihl; i += 2) sum += d.readUInt16BE(ETH + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  d.writeUInt16BE(~sum & 0xffff, ETH + 10);
}

function fail(message) {
  console.error(`make-proxy-headers: ${message}`);
  process.exit(1);
}

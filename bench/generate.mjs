#!/usr/bin/env node
/**
 * Writes a large, realistic mail-TLS capture for `npm run bench` by replaying the real handshakes of the lab
 * captures (captures/*.pcap: SMTP/IMAP/POP3 STARTTLS and implicit TLS, completed and failed, PMTU black hole
 * with retransmissions) with new client addresses, ports, sequence numbers and timing, thousands of
 * connections interleaved at once.
 *
 * Completed connections get a mail body as TLS application data inserted before their close (client to
 * server for SMTP, server to client for IMAP/POP3), cut into MSS-sized segments with the peer's ACKs; a few
 * segments are retransmitted or swapped with their neighbour (reordering). Sequence and acknowledgement
 * numbers (and SACK blocks) of the packets after the insertion move by the bytes inserted.
 *
 *   node bench/generate.mjs --size 100M [--out bench/out/mail-100M.pcap] [--seed 1] [--concurrency 2000]
 *   node bench/generate.mjs --profile syn-flood [--connections 1000000] [--rate 20000] [--answer none|syn-ack|rst]
 *   node bench/generate.mjs --profile mail-mix --size 100M [--out bench/out/mail-mix-100M.pcap] [--seed 1]
 *
 * The mail mix (issue 20, `mailMix`): what a mail server's capture mostly holds, many short sessions (about 24
 * packets and 7 KB each, 140 a MB) and no bodies; 45 % of them fail, a third each after ClientHello, after
 * ServerHelloDone and with a certificate alert. Every lab connection's own packets (STARTTLS dialogues
 * included), stretched in time, each with a client address and port of its own, arriving 50 a second.
 *
 * The output stops at the requested size, like a capture that was stopped: connections still open then are
 * cut off. Classic pcap, microseconds, Ethernet. Deterministic for a given seed.
 *
 * As a module, `generate(options)` does the same and, with `keepConnections`, also returns each connection's
 * frames (the frame numbers it got in the mixed file and its records) so a test can write it alone.
 */
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The lab captures replayed, and what happened in each connection (from captures/lab-truth.json, checked by tests). */
export const LAB_TEMPLATES = [
  'abort-after-shd.pcap',
  'abort-then-retry.pcap',
  'cert-reject.pcap',
  'good-110-pop3-stls.pcap',
  'good-25-smtp-starttls.pcap',
  'good-465-smtps.pcap',
  'good-993-imaps.pcap',
  'pmtu-blackhole-fail.pcap',
  'pmtu-blackhole-mssfix-ok.pcap',
];

const PCAP_HEADER = 24;
const RECORD_HEADER = 16;
const LINKTYPE_ETHERNET = 1;
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const IPPROTO_TCP = 6;
const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const PSH = 0x08;
const ACK = 0x10;
const TCP_OPTION_SACK = 5;
/** TLS application_data record: type 23, version TLS 1.2 on the wire (also for TLS 1.3). */
const TLS_APPLICATION_DATA = 23;
/** Full-size protected record: 2^14 of plaintext plus an AEAD tag and the TLS 1.3 inner type. */
const FULL_RECORD = 16384 + 17;
/** Well-known ports whose clients download (IMAP, POP3): the server sends the body. */
const DOWNLOAD_PORTS = new Set([110, 143, 993, 995]);

// ---- random numbers (deterministic) ----------------------------------------------------------------------

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(rand) {
  let u = 0;
  while (u === 0) u = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

// ---- templates ---------------------------------------------------------------------------------------------

/**
 * One packet of a template connection: its frame bytes and where the fields we rewrite are.
 * @typedef {{ time: number, data: Buffer, ipOff: number, ipVersion: 4 | 6, tcpOff: number, payloadLength: number,
 *   flags: number, fromClient: boolean, seqRel: number, ackRel: number, sackOffs: number[] }} TemplatePacket
 */

/** Frames of a classic pcap file (any of the four common magics). */
function readPcap(file) {
  const buf = readFileSync(file);
  const magic = buf.readUInt32BE(0);
  const le = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  const nanos = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  if (!le && magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error(`${file}: not a classic pcap`);
  const u32 = (o) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linkType = u32(20) & 0x03ffffff;
  const frames = [];
  let p = PCAP_HEADER;
  while (p + RECORD_HEADER <= buf.length) {
    const caplen = u32(p + 8);
    if (p + RECORD_HEADER + caplen > buf.length) break;
    const time = u32(p) + u32(p + 4) / (nanos ? 1e9 : 1e6);
    frames.push({ time, data: Buffer.from(buf.subarray(p + RECORD_HEADER, p + RECORD_HEADER + caplen)), wire: u32(p + 12) });
    p += RECORD_HEADER + caplen;
  }
  return { linkType, frames };
}

/** Ethernet (VLAN tags allowed) → IPv4/IPv6 → TCP; null for anything else (and for IP fragments). */
function locateTcp(d) {
  if (d.length < 14) return null;
  let off = 12;
  let type = d.readUInt16BE(off);
  off += 2;
  while (type === ETHERTYPE_VLAN && off + 4 <= d.length) {
    type = d.readUInt16BE(off + 2);
    off += 4;
  }
  if (type === ETHERTYPE_IPV4) {
    if (off + 20 > d.length || d[off] >> 4 !== 4 || d[off + 9] !== IPPROTO_TCP) return null;
    if ((d.readUInt16BE(off + 6) & 0x3fff) !== 0) return null;
    const ihl = (d[off] & 15) * 4;
    const end = off + d.readUInt16BE(off + 2);
    return { ipOff: off, ipVersion: 4, tcpOff: off + ihl, ipEnd: end, src: d.readUInt32BE(off + 12), dst: d.readUInt32BE(off + 16) };
  }
  if (type === ETHERTYPE_IPV6) {
    if (off + 40 > d.length || d[off + 6] !== IPPROTO_TCP) return null;
    const end = off + 40 + d.readUInt16BE(off + 4);
    return { ipOff: off, ipVersion: 6, tcpOff: off + 40, ipEnd: end, src: d.toString('hex', off + 8, off + 24), dst: d.toString('hex', off + 24, off + 40) };
  }
  return null;
}

/** Offsets of the 32-bit sequence numbers in a TCP header's SACK option. */
function sackOffsets(d, tcpOff, headerLength) {
  const out = [];
  let p = tcpOff + 20;
  const end = tcpOff + headerLength;
  while (p < end) {
    const kind = d[p];
    if (kind === 0) break;
    if (kind === 1) {
      p++;
      continue;
    }
    if (p + 1 >= end) break;
    const len = d[p + 1];
    if (len < 2 || p + len > end) break;
    if (kind === TCP_OPTION_SACK) for (let q = p + 2; q + 4 <= p + len; q += 4) out.push(q);
    p += len;
  }
  return out;
}

/**
 * Splits a capture into its TCP connections (by 4-tuple, a new client SYN after a close starting a new one).
 * Sequence numbers are made relative to each side's ISN (so they can be moved and shifted freely).
 */
export function extractTemplates(file) {
  const { linkType, frames } = readPcap(file);
  if (linkType !== LINKTYPE_ETHERNET) throw new Error(`${file}: link type ${linkType}, only Ethernet templates are replayed`);
  const open = new Map();
  const conns = [];
  for (const f of frames) {
    const d = f.data;
    const loc = locateTcp(d);
    if (!loc || f.wire !== d.length) continue;
    const t = loc.tcpOff;
    if (t + 20 > d.length) continue;
    const sport = d.readUInt16BE(t);
    const dport = d.readUInt16BE(t + 2);
    const flags = d[t + 13];
    const a = `${loc.src}:${sport}`;
    const b = `${loc.dst}:${dport}`;
    const key = a < b ? `${a}|${b}` : `${b}|${a}`;
    let c = open.get(key);
    if (c && (flags & (SYN | ACK)) === SYN && c.closed) c = undefined;
    if (!c) {
      // Client: the sender of a SYN without ACK; otherwise the side on the higher port.
      const clientIsSrc = (flags & (SYN | ACK)) === SYN || ((flags & SYN) === 0 && sport > dport);
      c = { file, client: clientIsSrc ? a : b, serverPort: clientIsSrc ? dport : sport, clientPort: clientIsSrc ? sport : dport, packets: [], isn: {}, closed: false, finSides: new Set() };
      open.set(key, c);
      conns.push(c);
    }
    const fromClient = a === c.client;
    const headerLength = (d[t + 12] >> 4) * 4;
    const payloadLength = Math.max(0, Math.min(loc.ipEnd, d.length) - t - headerLength);
    const seq = d.readUInt32BE(t + 4);
    const ackNo = d.readUInt32BE(t + 8);
    const side = fromClient ? 'c' : 's';
    const peer = fromClient ? 's' : 'c';
    if (c.isn[side] === undefined) c.isn[side] = (flags & SYN) !== 0 ? seq : (seq - 1) >>> 0;
    if (c.isn[peer] === undefined && (flags & ACK) !== 0) c.isn[peer] = (ackNo - 1) >>> 0;
    c.packets.push({ time: f.time, data: d, ...loc, headerLength, payloadLength, flags, fromClient, seq, ack: ackNo, sackOffs: sackOffsets(d, t, headerLength) });
    if (flags & RST) c.closed = true;
    if (flags & FIN) {
      c.finSides.add(side);
      if (c.finSides.size === 2) c.closed = true;
    }
  }
  return conns.map((c) => finishTemplate(c));
}

function finishTemplate(c) {
  const t0 = c.packets[0].time;
  const isnC = c.isn.c ?? 0;
  const isnS = c.isn.s ?? 0;
  const packets = c.packets.map((p) => {
    const mine = p.fromClient ? isnC : isnS;
    const theirs = p.fromClient ? isnS : isnC;
    return {
      time: p.time - t0,
      data: p.data,
      ipOff: p.ipOff,
      ipVersion: p.ipVersion,
      tcpOff: p.tcpOff,
      headerLength: p.headerLength,
      payloadLength: p.payloadLength,
      flags: p.flags,
      fromClient: p.fromClient,
      seqRel: (p.seq - mine) | 0,
      ackRel: (p.ack - theirs) | 0,
      sackRel: p.sackOffs.map((o) => ({ off: o, rel: (p.data.readUInt32BE(o) - theirs) | 0 })),
    };
  });
  // Where a mail body can go: just before the first FIN or RST (after the whole handshake and the dialogue).
  let closeAt = packets.findIndex((p) => (p.flags & (FIN | RST)) !== 0);
  if (closeAt < 0) closeAt = packets.length;
  let largest = { client: 0, server: 0 };
  for (const p of packets) {
    const side = p.fromClient ? 'client' : 'server';
    if (p.payloadLength > largest[side]) largest[side] = p.payloadLength;
  }
  return { file: c.file, clientPort: c.clientPort, serverPort: c.serverPort, packets, closeAt, largest, complete: false };
}

/** Every lab connection, with whether its handshake completed (from captures/lab-truth.json). */
export function loadLabTemplates(root = ROOT) {
  const truth = JSON.parse(readFileSync(join(root, 'captures/lab-truth.json'), 'utf8'));
  const templates = [];
  for (const name of LAB_TEMPLATES) {
    const known = new Map();
    for (const c of truth.captures?.[name]?.connections ?? []) known.set(c.client_port, c.expected_outcome === 'completed');
    for (const t of extractTemplates(join(root, 'captures', name))) {
      t.name = `${name}:${t.clientPort}`;
      t.complete = known.get(t.clientPort) ?? false;
      templates.push(t);
    }
  }
  return templates;
}

// ---- the mail mix ------------------------------------------------------------------------------------------

/** TLS record and handshake numbers the derived failures need (RFC 8446 B.1, B.2, B.3). */
const TLS_HANDSHAKE = 22;
const TLS_ALERT = 21;
const HANDSHAKE_CLIENT_HELLO = 1;
const ALERT_FATAL = 2;
const ALERT_HANDSHAKE_FAILURE = 40;

/** Failure kinds of the mail mix and the lab connections each is made from. */
export const MAIL_MIX_KINDS = {
  /** Both handshakes completed, TLS 1.2 and 1.3, every protocol the lab completed on (25, 465, 993, 110). */
  completed: (t) => t.complete,
  /** The client stops right after ServerHelloDone, FIN or RST, no alert (and the PMTU black hole's timeouts). */
  'after-server-hello-done': (t) => !t.complete && /^(abort-after-shd|abort-then-retry|pmtu-blackhole-fail)\.pcap/.test(t.name),
  /** The client rejects the certificate: a fatal alert (unknown_ca, bad_certificate), then both close. */
  alert: (t) => !t.complete && /^cert-reject\.pcap/.test(t.name),
};

/**
 * A failure after ClientHello, cut from a real connection: its packets up to the client's ClientHello (and the
 * server's acknowledgement of it), then either the server refuses, a fatal handshake_failure alert and a FIN, as
 * a server with no cipher or version in common does (`variant` 'server-alert'), or nothing comes back and the
 * client gives up after `wait` seconds with a FIN ('client-gives-up'). Headers copied from the connection's own.
 */
export function afterClientHello(tpl, variant, wait = 10) {
  const helloAt = tpl.packets.findIndex((p) => {
    const at = p.tcpOff + p.headerLength;
    return p.fromClient && p.payloadLength >= 6 && p.data[at] === TLS_HANDSHAKE && p.data[at + 5] === HANDSHAKE_CLIENT_HELLO;
  });
  if (helloAt < 0) return null;
  let keep = helloAt + 1;
  // The server's bare acknowledgement of the ClientHello, when the lab has one right after it.
  const next = tpl.packets[keep];
  if (next && !next.fromClient && next.payloadLength === 0 && (next.flags & (SYN | FIN | RST)) === 0) keep++;
  const packets = tpl.packets.slice(0, keep);
  const nextSeq = { client: 1, server: 1 };
  for (const p of packets) {
    const end = p.seqRel + p.payloadLength + ((p.flags & (SYN | FIN)) !== 0 ? 1 : 0);
    const side = p.fromClient ? 'client' : 'server';
    if (end > nextSeq[side]) nextSeq[side] = end;
  }
  let time = packets[packets.length - 1].time;
  const add = (fromClient, flags, payload, dt) => {
    // That side's last plain segment before the cut, else its first after (never a SYN: no MSS option).
    const plain = (p) => p.fromClient === fromClient && (p.flags & ACK) !== 0 && (p.flags & SYN) === 0;
    const model = tpl.packets.slice(0, helloAt + 1).findLast(plain) ?? tpl.packets.find(plain) ?? lastHeaderBefore(tpl, helloAt + 1, fromClient);
    const headerEnd = model.tcpOff + model.headerLength;
    const data = Buffer.alloc(headerEnd + payload.length);
    model.data.copy(data, 0, 0, headerEnd);
    payload.copy(data, headerEnd);
    for (const s of model.sackRel) data.fill(1, s.off - 2, s.off + 4);
    if (model.ipVersion === 4) data.writeUInt16BE(headerEnd - model.ipOff + payload.length, model.ipOff + 2);
    else data.writeUInt16BE(headerEnd - model.ipOff - 40 + payload.length, model.ipOff + 4);
    data[model.tcpOff + 13] = flags;
    time += dt;
    const side = fromClient ? 'client' : 'server';
    packets.push({
      time,
      data,
      ipOff: model.ipOff,
      ipVersion: model.ipVersion,
      tcpOff: model.tcpOff,
      headerLength: model.headerLength,
      payloadLength: payload.length,
      flags,
      fromClient,
      seqRel: nextSeq[side],
      ackRel: nextSeq[fromClient ? 'server' : 'client'],
      sackRel: [],
    });
    nextSeq[side] += payload.length + ((flags & FIN) !== 0 ? 1 : 0);
  };
  const rtt = 0.0004;
  if (variant === 'server-alert') {
    const alert = Buffer.from([TLS_ALERT, 3, 3, 0, 2, ALERT_FATAL, ALERT_HANDSHAKE_FAILURE]);
    add(false, ACK | PSH, alert, rtt);
    add(false, ACK | FIN, Buffer.alloc(0), 0.00002);
    add(true, ACK, Buffer.alloc(0), rtt);
    add(true, ACK | FIN, Buffer.alloc(0), 0.0001);
    add(false, ACK, Buffer.alloc(0), rtt);
  } else {
    add(true, ACK | FIN, Buffer.alloc(0), wait);
    add(false, ACK | FIN, Buffer.alloc(0), rtt);
    add(true, ACK, Buffer.alloc(0), rtt);
  }
  return { ...tpl, name: `${tpl.name}:after-client-hello:${variant}`, packets, closeAt: packets.length, complete: false };
}

export const MAIL_MIX = {
  /** Share of connections whose handshake fails (the issue: 40–50 %), split evenly over the three kinds. */
  failedShare: 0.45,
  /** New connections a second (Poisson): 40,000 connections (about 290 MB) take a little over 13 minutes. */
  arrivalRate: 50,
  /**
   * Each connection's gaps stretched by a factor log-uniform in this range: the lab ran over a veth link
   * (sub-millisecond round trips); across the Internet a mail session takes tenths of a second to seconds.
   */
  timeScale: [5, 200],
  /** Seconds no connection is stretched beyond (its own duration may be longer: the lab's timeouts). */
  maxDuration: 30,
  /** After the lab's captures (2026-11-28), so that their certificates are valid: 2026-12-01. */
  startTime: 1796083200,
  /** The client's wait before it gives up on a server that never answers its ClientHello (seconds, before the stretch). */
  clientHelloWait: 0.1,
};

/**
 * The mail mix (issue 20): many short mail sessions of the lab's real handshakes, no mail bodies, about 140
 * connections a MB. `failedShare` of them fail, a third each after ClientHello (cut from the lab's connections of
 * every protocol), after ServerHelloDone and with a certificate alert; the rest complete. Each connection its own
 * client address and port (unique for the first 1.6 million), Poisson arrivals at `arrivalRate`.
 */
export function mailMix(options = {}) {
  const o = { ...MAIL_MIX, ...options };
  const lab = o.templates ?? loadLabTemplates();
  const groups = {};
  for (const [kind, test] of Object.entries(MAIL_MIX_KINDS)) groups[kind] = lab.filter(test).map((t) => ({ ...t, kind }));
  groups['after-client-hello'] = [];
  for (const t of lab) {
    for (const variant of ['server-alert', 'client-gives-up']) {
      const cut = afterClientHello(t, variant, o.clientHelloWait);
      if (cut) groups['after-client-hello'].push({ ...cut, kind: 'after-client-hello' });
    }
  }
  const failures = ['after-client-hello', 'after-server-hello-done', 'alert'];
  const pick = (rand) => {
    const failed = rand() < o.failedShare;
    const group = groups[failed ? failures[Math.floor(rand() * failures.length)] : 'completed'];
    return group[Math.floor(rand() * group.length)];
  };
  return generate({ bodies: false, handshakeRetransmit: 0.02, ...o, pick, templates: lab });
}

// ---- one generated connection ------------------------------------------------------------------------------

/**
 * The packets of one replayed connection, in its own order, each an op the writer turns into bytes:
 * a template packet (with new numbers) or an inserted body segment / acknowledgement.
 */
function planConnection(tpl, rand, opts) {
  const ops = [];
  const bodyFromServer = DOWNLOAD_PORTS.has(tpl.serverPort);
  let body = 0;
  if (tpl.complete && opts.bodies) {
    body = Math.round(opts.bodyMedian * Math.exp(opts.bodySigma * normal(rand)));
    if (body > opts.bodyMax) body = opts.bodyMax;
    if (body < 200) body = 200;
  }
  // Sequence positions reached by each side just before the close (relative to its ISN + 1 … i.e. seqRel).
  let nextClient = 1;
  let nextServer = 1;
  for (let i = 0; i < tpl.closeAt; i++) {
    const p = tpl.packets[i];
    const end = p.seqRel + p.payloadLength + ((p.flags & (SYN | FIN)) !== 0 ? 1 : 0);
    if (p.fromClient) nextClient = Math.max(nextClient, end);
    else nextServer = Math.max(nextServer, end);
  }
  const shiftClient = bodyFromServer ? 0 : body;
  const shiftServer = bodyFromServer ? body : 0;
  // Server segments as large as the template's (an MSS clamp shows there); the lab server's own MSS allows 1448.
  const mss = bodyFromServer ? Math.max(536, Math.min(1448, tpl.largest.server)) : 1448;
  // Each client has its pace: segments of the body this far apart, after this long a dialogue before it.
  const gap = logUniform(rand, opts.segmentGap[0], opts.segmentGap[1]);
  const think = logUniform(rand, opts.thinkTime[0], opts.thinkTime[1]);
  let timeShift = 0;
  for (let i = 0; i < tpl.packets.length; i++) {
    if (i === tpl.closeAt && body > 0) {
      const before = tpl.packets[Math.max(0, i - 1)];
      let t = before.time + think;
      // The body as TLS records, cut into segments; the peer acknowledges every second one.
      const senderNext = bodyFromServer ? nextServer : nextClient;
      const peerNext = bodyFromServer ? nextClient : nextServer;
      const segs = [];
      for (let off = 0; off < body; off += mss) segs.push({ off, len: Math.min(mss, body - off) });
      const dataOps = [];
      for (let k = 0; k < segs.length; k++) {
        dataOps.push({ kind: 'data', fromClient: !bodyFromServer, seqRel: senderNext + segs[k].off, ackRel: peerNext, len: segs[k].len, bodyOff: segs[k].off, body });
        if (k % 2 === 1 || k === segs.length - 1) {
          dataOps.push({ kind: 'ack', fromClient: bodyFromServer, seqRel: peerNext, ackRel: senderNext + segs[k].off + segs[k].len });
        }
      }
      // Reordering (a segment overtakes the one before it) and retransmissions (a segment sent again a little later).
      for (let k = 1; k < dataOps.length; k++) {
        if (dataOps[k].kind === 'data' && dataOps[k - 1].kind === 'data' && rand() < opts.reorder) {
          const x = dataOps[k];
          dataOps[k] = dataOps[k - 1];
          dataOps[k - 1] = x;
          k++;
        }
      }
      for (let k = 0; k < dataOps.length; k++) {
        if (dataOps[k].kind === 'data' && rand() < opts.retransmit) {
          const at = Math.min(dataOps.length, k + 2 + Math.floor(rand() * 4));
          dataOps.splice(at, 0, { ...dataOps[k] });
          k++;
        }
      }
      for (const op of dataOps) {
        op.time = t;
        op.tpl = lastHeaderBefore(tpl, i, op.fromClient);
        ops.push(op);
        t += gap;
      }
      timeShift = t - tpl.packets[i].time;
    }
    const p = tpl.packets[i];
    const after = i >= tpl.closeAt;
    ops.push({
      kind: 'template',
      p,
      time: p.time + (after ? timeShift : 0),
      // Packets after the body: the sender's numbers move by what it inserted, its acknowledgements by the peer's.
      seqShift: after ? (p.fromClient ? shiftClient : shiftServer) : 0,
      ackShift: after ? (p.fromClient ? shiftServer : shiftClient) : 0,
    });
  }
  // A handshake segment retransmitted now and then (the lab's own retransmissions stay as they are).
  if (rand() < opts.handshakeRetransmit) {
    const candidates = [];
    for (let k = 0; k < ops.length; k++) if (ops[k].kind === 'template' && ops[k].p.payloadLength > 0 && k < tpl.closeAt) candidates.push(k);
    if (candidates.length > 0) {
      const k = candidates[Math.floor(rand() * candidates.length)];
      const at = Math.min(ops.length, k + 2);
      const copy = { ...ops[k], time: ops[at - 1].time };
      ops.splice(at, 0, copy);
    }
  }
  // A slower network or client than the lab's veth link: every gap of the connection stretched alike.
  if (opts.timeScale) {
    // Timeouts (the PMTU black hole's 15 s) are not round trips: no connection stretched beyond maxDuration.
    const duration = ops[ops.length - 1].time;
    const most = duration > 0 ? Math.max(1, opts.maxDuration / duration) : Infinity;
    const scale = Math.min(most, logUniform(rand, opts.timeScale[0], opts.timeScale[1]));
    for (const op of ops) op.time *= scale;
  }
  let bytes = 0;
  for (const op of ops) bytes += RECORD_HEADER + opLength(op);
  return { ops, body, bytes };
}

function logUniform(rand, lo, hi) {
  return lo * Math.exp(rand() * Math.log(hi / lo));
}

/** Frame length of an op. */
function opLength(op) {
  if (op.kind === 'template') return op.p.data.length;
  return op.tpl.tcpOff + op.tpl.headerLength + (op.kind === 'data' ? op.len : 0);
}

/** The template packet whose headers an inserted packet from that side copies (its last one before `i`). */
function lastHeaderBefore(tpl, i, fromClient) {
  for (let k = i - 1; k >= 0; k--) {
    const p = tpl.packets[k];
    if (p.fromClient === fromClient && (p.flags & ACK) !== 0 && (p.flags & SYN) === 0) return p;
  }
  for (const p of tpl.packets) if (p.fromClient === fromClient) return p;
  return tpl.packets[0];
}

// ---- writer --------------------------------------------------------------------------------------------------

class PcapWriter {
  constructor(fd, bufferSize = 4 << 20) {
    this.fd = fd;
    this.buf = Buffer.allocUnsafe(bufferSize);
    this.pos = 0;
    this.bytes = 0;
    const h = Buffer.alloc(PCAP_HEADER);
    h.writeUInt32LE(0xa1b2c3d4, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(262144, 16);
    h.writeUInt32LE(LINKTYPE_ETHERNET, 20);
    this.buf.set(h, 0);
    this.pos = PCAP_HEADER;
    this.bytes = PCAP_HEADER;
  }

  /** Room for one record of `length` bytes; returns the offset where its data goes. */
  begin(time, length) {
    if (this.pos + RECORD_HEADER + length > this.buf.length) this.flush();
    const b = this.buf;
    const seconds = Math.floor(time);
    let micros = Math.round((time - seconds) * 1e6);
    let s = seconds;
    if (micros >= 1e6) {
      s++;
      micros -= 1e6;
    }
    b.writeUInt32LE(s, this.pos);
    b.writeUInt32LE(micros, this.pos + 4);
    b.writeUInt32LE(length, this.pos + 8);
    b.writeUInt32LE(length, this.pos + 12);
    const at = this.pos + RECORD_HEADER;
    this.recordStart = this.pos;
    this.pos = at + length;
    this.bytes += RECORD_HEADER + length;
    return at;
  }

  flush() {
    if (this.fd !== null && this.pos > 0) writeSync(this.fd, this.buf, 0, this.pos);
    this.pos = 0;
  }
}

function ipv4Checksum(b, off) {
  const ihl = (b[off] & 15) * 4;
  b[off + 10] = 0;
  b[off + 11] = 0;
  let sum = 0;
  for (let i = 0; i < ihl; i += 2) sum += (b[off + i] << 8) | b[off + i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  b.writeUInt16BE(~sum & 0xffff, off + 10);
}

/**
 * The new identity of a connection: client address and port, ISNs, start time. Client addresses come from
 * 10.128.0.0/10, ports from 1024–65023; the pair is unique for the first 1.6 million connections.
 */
function identity(n, rand) {
  const host = (n * 7919) % 50000;
  return {
    clientV4: ((10 << 24) | (128 << 16) | (Math.floor(host / 250) << 8) | ((host % 250) + 2)) >>> 0,
    clientPort: 1024 + (n % 64000),
    isnClient: Math.floor(rand() * 4294967296) >>> 0,
    isnServer: Math.floor(rand() * 4294967296) >>> 0,
  };
}

/** Writes the bytes of one op into the capture. */
function writeOp(w, op, conn, rand, pool) {
  const id = conn.id;
  if (op.kind === 'template') {
    const p = op.p;
    const at = w.begin(op.at, p.data.length);
    const b = w.buf;
    p.data.copy(b, at);
    patchHeaders(b, at, p, p.fromClient, id, p.seqRel + op.seqShift, p.ackRel + op.ackShift, op.seqShift, op.ackShift);
    return;
  }
  const p = op.tpl;
  const headerEnd = p.tcpOff + p.headerLength;
  const payload = op.kind === 'data' ? op.len : 0;
  const length = headerEnd + payload;
  const at = w.begin(op.at, length);
  const b = w.buf;
  p.data.copy(b, at, 0, headerEnd);
  if (p.ipVersion === 4) b.writeUInt16BE(headerEnd - p.ipOff + payload, at + p.ipOff + 2);
  else b.writeUInt16BE(headerEnd - p.ipOff - 40 + payload, at + p.ipOff + 4);
  b[at + p.tcpOff + 13] = payload > 0 ? ACK | PSH : ACK;
  // An inserted packet carries no SACK: blank any SACK option of the copied header (NOPs).
  for (const s of p.sackRel) b.fill(1, at + s.off - 2, at + s.off + 4);
  patchHeaders(b, at, p, op.fromClient, id, op.seqRel, op.ackRel, 0, 0, true);
  if (payload > 0) writeBody(b, at + headerEnd, op.bodyOff, payload, op.body, pool, conn);
}

/** The body stream: TLS application_data records of FULL_RECORD bytes (the last one shorter) over random bytes. */
function writeBody(b, at, off, len, body, pool, conn) {
  const recordSpan = FULL_RECORD + 5;
  // Random filler first, then the record headers that fall into [off, off + len).
  const start = (off * 31 + conn.id * 977) % (pool.length - len);
  pool.copy(b, at, start, start + len);
  const first = Math.floor(off / recordSpan);
  for (let r = first; r * recordSpan < off + len; r++) {
    const h = r * recordSpan;
    const recLen = Math.min(FULL_RECORD, body - h - 5);
    const header = [TLS_APPLICATION_DATA, 3, 3, (recLen >> 8) & 0xff, recLen & 0xff];
    for (let k = 0; k < 5; k++) {
      const pos = h + k - off;
      if (pos >= 0 && pos < len) b[at + pos] = header[k];
    }
  }
}

function patchHeaders(b, at, p, fromClient, id, seqRel, ackRel, _seqShift, ackShift, inserted = false) {
  const ip = at + p.ipOff;
  if (p.ipVersion === 4) {
    b.writeUInt32BE(id.clientV4, ip + (fromClient ? 12 : 16));
    ipv4Checksum(b, ip);
  } else {
    b.writeUInt32BE(id.clientV4, ip + (fromClient ? 8 : 24) + 12);
  }
  const t = at + p.tcpOff;
  b.writeUInt16BE(id.clientPort, t + (fromClient ? 0 : 2));
  const mine = fromClient ? id.isnClient : id.isnServer;
  const theirs = fromClient ? id.isnServer : id.isnClient;
  b.writeUInt32BE((mine + seqRel) >>> 0, t + 4);
  if ((b[t + 13] & ACK) !== 0) b.writeUInt32BE((theirs + ackRel) >>> 0, t + 8);
  if (!inserted) for (const s of p.sackRel) b.writeUInt32BE((theirs + s.rel + ackShift) >>> 0, at + s.off);
}

// ---- the interleaving ---------------------------------------------------------------------------------------

/** Min-heap of active connections by the time of their next packet. */
class Heap {
  constructor() {
    this.items = [];
  }
  get size() {
    return this.items.length;
  }
  push(c) {
    const a = this.items;
    a.push(c);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (key(a[parent]) <= key(a[i])) break;
      [a[parent], a[i]] = [a[i], a[parent]];
      i = parent;
    }
  }
  pop() {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && key(a[l]) < key(a[m])) m = l;
        if (r < a.length && key(a[r]) < key(a[m])) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}

const key = (c) => c.start + c.plan.ops[c.next].time;

export const DEFAULTS = {
  seed: 1,
  /** Connections open at once. */
  concurrency: 2000,
  /**
   * Mail bodies of completed connections: log-normal, median and spread, capped. Median 20 KiB and sigma 1.6
   * give a mean near 72 KiB, the shape message sizes usually have (most small, a long tail of attachments).
   */
  bodies: true,
  bodyMedian: 20 * 1024,
  bodySigma: 1.6,
  bodyMax: 16 << 20,
  /** Seconds between the segments of a body (per connection, log-uniform in this range). */
  segmentGap: [0.0005, 0.01],
  /** Seconds of mail dialogue (greeting, EHLO, MAIL, RCPT, checks) before a body (log-uniform in this range). */
  thinkTime: [0.05, 5],
  /**
   * At the requested size: false, stop there as a stopped capture does (connections open then are cut);
   * true, start no new connection once the open ones will fill it, and let them finish.
   */
  drain: true,
  /** Per body segment: chance it is swapped with the one before it, and chance it is sent again. */
  reorder: 0.01,
  retransmit: 0.01,
  /** Per connection: chance that one of its handshake segments is sent twice. */
  handshakeRetransmit: 0.05,
  /** Share of connections replaying a completed handshake (the rest replay failures). */
  completeShare: 0.8,
  /** Capture start (seconds since the epoch). */
  startTime: 1767225600,
};

/**
 * Writes a capture of about `size` bytes to `out` (or nowhere, with out null). Returns counts; with
 * `keepConnections`, also each connection's template, global frame numbers and record bytes.
 */
export function generate(options) {
  const o = { ...DEFAULTS, ...options };
  const rand = mulberry32(o.seed);
  const templates = o.templates ?? loadLabTemplates();
  const good = templates.filter((t) => t.complete);
  const bad = templates.filter((t) => !t.complete);
  const pool = Buffer.allocUnsafe(1 << 20);
  for (let i = 0; i < pool.length; i++) pool[i] = Math.floor(rand() * 256);

  let fd = null;
  if (o.out) {
    mkdirSync(dirname(o.out), { recursive: true });
    fd = openSync(o.out, 'w');
  }
  const w = new PcapWriter(fd);
  const heap = new Heap();
  const kept = [];
  let started = 0;
  let frames = 0;
  const byKind = {};
  const startConnection = (at) => {
    let tpl;
    if (o.pick) tpl = o.pick(rand);
    else {
      const pick = good.length > 0 && (bad.length === 0 || rand() < o.completeShare) ? good : bad;
      tpl = pick[Math.floor(rand() * pick.length)];
    }
    const kind = tpl.kind ?? (tpl.complete ? 'completed' : 'failed');
    byKind[kind] = (byKind[kind] ?? 0) + 1;
    const id = identity(started, rand);
    const conn = { n: ++started, tpl, id, plan: planConnection(tpl, rand, o), start: at, next: 0, frames: o.keepConnections ? [] : null, records: o.keepConnections ? [] : null };
    if (o.keepConnections) kept.push(conn);
    heap.push(conn);
    return conn;
  };
  const limit = o.size ?? Infinity;
  const maxConnections = o.connections ?? Infinity;
  /** Bytes the open connections have still to write (for draining). */
  let pending = 0;
  const canStart = () => started < maxConnections && (!o.drain || w.bytes + pending < limit);
  const startOne = (at) => {
    pending += startConnection(at).plan.bytes;
  };
  // Arrivals: with `arrivalRate`, a Poisson stream of new connections (however many are open); without,
  // `concurrency` at the start and a new one each time one ends.
  let nextArrival = o.startTime;
  const arrive = () => {
    nextArrival += -Math.log(1 - rand()) / o.arrivalRate;
  };
  if (!o.arrivalRate) for (let i = 0; i < o.concurrency && canStart(); i++) startOne(o.startTime + (i / o.concurrency) * 0.5);
  for (;;) {
    if (o.arrivalRate) {
      while (canStart() && (heap.size === 0 || nextArrival <= key(heap.items[0]))) {
        startOne(nextArrival);
        arrive();
      }
    }
    if (heap.size === 0 || !(o.drain || w.bytes < limit)) break;
    const c = heap.pop();
    const op = c.plan.ops[c.next];
    const now = c.start + op.time;
    op.at = now;
    const bytesBefore = w.bytes;
    writeOp(w, op, c, rand, pool);
    pending -= w.bytes - bytesBefore;
    frames++;
    if (c.frames) {
      c.frames.push(frames);
      c.records.push(Buffer.from(w.buf.subarray(w.recordStart, w.pos)));
    }
    c.next++;
    if (c.next < c.plan.ops.length) heap.push(c);
    else if (!o.arrivalRate && canStart()) startOne(now + rand() * 0.002);
  }
  w.flush();
  if (fd !== null) closeSync(fd);
  return { bytes: w.bytes, frames, connections: started, byKind, connectionsList: o.keepConnections ? kept : undefined };
}

/**
 * A SYN flood (or scan) against one mail server: `connections` connections that never carry a byte, each its own
 * 4-tuple (client addresses spread over 11.0.0.0/8, distinct for the first 16.7 million, random ports; the server
 * 192.0.2.25:25), `rate` a second. `answer`: what each gets besides its SYN (MSS, SACK permitted, window scale):
 * 'none' (spoofed sources, a server that does not answer: SYN-only connections), 'syn-ack' (the server answers,
 * nobody completes), 'rst' (the port is closed). Classic pcap, Ethernet, IPv4. Deterministic for a given seed.
 */
export function synFlood(options = {}) {
  const o = { connections: 1_000_000, rate: 20_000, seed: 1, answer: 'none', startTime: DEFAULTS.startTime, ...options };
  const rand = mulberry32(o.seed);
  let fd = null;
  if (o.out) {
    mkdirSync(dirname(o.out), { recursive: true });
    fd = openSync(o.out, 'w');
  }
  const w = new PcapWriter(fd);
  const server = ((192 << 24) | (0 << 16) | (2 << 8) | 25) >>> 0;
  let frames = 0;
  const packet = (time, src, dst, srcPort, dstPort, seq, ack, flags, withOptions) => {
    const tcpLength = withOptions ? 32 : 20;
    const length = 14 + 20 + tcpLength;
    const at = w.begin(time, length);
    const b = w.buf;
    b.fill(0, at, at + length);
    b.writeUInt16BE(ETHERTYPE_IPV4, at + 12);
    const ip = at + 14;
    b[ip] = 0x45;
    b.writeUInt16BE(20 + tcpLength, ip + 2);
    b.writeUInt16BE(frames & 0xffff, ip + 4);
    b[ip + 6] = 0x40; // don't fragment
    b[ip + 8] = 64;
    b[ip + 9] = IPPROTO_TCP;
    b.writeUInt32BE(src, ip + 12);
    b.writeUInt32BE(dst, ip + 16);
    ipv4Checksum(b, ip);
    const t = ip + 20;
    b.writeUInt16BE(srcPort, t);
    b.writeUInt16BE(dstPort, t + 2);
    b.writeUInt32BE(seq >>> 0, t + 4);
    b.writeUInt32BE(ack >>> 0, t + 8);
    b[t + 12] = (tcpLength / 4) << 4;
    b[t + 13] = flags;
    b.writeUInt16BE(flags & RST ? 0 : 64240, t + 14);
    if (withOptions) {
      // MSS 1460; NOP NOP SACK permitted; NOP window scale 7.
      b.set([2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7], t + 20);
    }
    frames++;
  };
  for (let i = 0; i < o.connections; i++) {
    const time = o.startTime + i / o.rate;
    const client = ((11 << 24) | (Math.imul(i + 1, 0x9e3779b1) & 0xffffff)) >>> 0;
    const port = 1024 + Math.floor(rand() * 64512);
    const isn = Math.floor(rand() * 4294967296);
    packet(time, client, server, port, 25, isn, 0, SYN, true);
    if (o.answer === 'syn-ack') packet(time + 0.0001, server, client, 25, port, Math.floor(rand() * 4294967296), isn + 1, SYN | ACK, true);
    else if (o.answer === 'rst') packet(time + 0.0001, server, client, 25, port, 0, isn + 1, RST | ACK, false);
  }
  w.flush();
  if (fd !== null) closeSync(fd);
  return { bytes: w.bytes, frames, connections: o.connections };
}

/** A pcap file of the given records (each a 16-byte record header and its frame), as the generator writes them. */
export function pcapOf(records) {
  const h = Buffer.alloc(PCAP_HEADER);
  h.writeUInt32LE(0xa1b2c3d4, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(262144, 16);
  h.writeUInt32LE(LINKTYPE_ETHERNET, 20);
  return Buffer.concat([h, ...records]);
}

export function parseSize(text) {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)i?b?$/i.exec(String(text).trim());
  if (!m) throw new Error(`bad size: ${text}`);
  const unit = { '': 1, k: 1e3, m: 1e6, g: 1e9 }[m[2].toLowerCase()];
  return Math.round(Number(m[1]) * unit);
}

async function main() {
  const args = process.argv.slice(2);
  const opt = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
  };
  if (opt('profile', 'mail') === 'syn-flood') {
    const connections = Number(opt('connections', 1_000_000));
    const answer = opt('answer', 'none');
    const out = opt('out', join(ROOT, 'bench/out', `syn-flood-${connections}${answer === 'none' ? '' : `-${answer}`}.pcap`));
    const t0 = performance.now();
    const r = synFlood({ connections, out, answer, rate: Number(opt('rate', 20_000)), seed: Number(opt('seed', DEFAULTS.seed)) });
    process.stdout.write(`${out}: ${(r.bytes / 1e6).toFixed(1)} MB, ${r.frames} frames, ${r.connections} connections, in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    return;
  }
  if (opt('profile', 'mail') === 'mail-mix') {
    const sizeText = opt('size', '100M');
    const out = opt('out', join(ROOT, 'bench/out', `mail-mix-${sizeText}.pcap`));
    const t0 = performance.now();
    const r = mailMix({ size: parseSize(sizeText), out, seed: Number(opt('seed', DEFAULTS.seed)) });
    // What was generated, beside it: npm run bench reads the connection count from there.
    writeFileSync(`${out}.json`, JSON.stringify({ bytes: r.bytes, frames: r.frames, connections: r.connections, byKind: r.byKind }) + '\n');
    const kinds = Object.entries(r.byKind).map(([k, n]) => `${k} ${n}`).join(', ');
    process.stdout.write(`${out}: ${(r.bytes / 1e6).toFixed(1)} MB, ${r.frames} frames, ${r.connections} connections (${kinds}), in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    return;
  }
  const sizeText = opt('size', '100M');
  const size = parseSize(sizeText);
  const out = opt('out', join(ROOT, 'bench/out', `mail-${sizeText}.pcap`));
  const t0 = performance.now();
  const r = generate({ size, out, seed: Number(opt('seed', DEFAULTS.seed)), concurrency: Number(opt('concurrency', DEFAULTS.concurrency)) });
  const s = (performance.now() - t0) / 1000;
  process.stdout.write(`${out}: ${(r.bytes / 1e6).toFixed(1)} MB, ${r.frames} frames, ${r.connections} connections, in ${s.toFixed(1)} s\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();

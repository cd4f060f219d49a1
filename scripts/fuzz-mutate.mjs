// Mutations of real capture files, for the fuzzer (scripts/fuzz.mjs) and the property tests
// (test/fuzz/). Plain JavaScript so that the fuzzer runs without a TypeScript step; types in
// fuzz-mutate.d.mts.
//
// A capture is cut into its container (classic pcap records or pcapng blocks, gzip removed) so that most
// mutations keep the file readable and reach the stages behind the reader (IP, TCP, mail, TLS); a share of
// them works on the raw bytes instead, to exercise the reader's own damage handling.
import { gunzipSync, gzipSync } from 'node:zlib';

/** Deterministic PRNG (mulberry32): the same seed gives the same mutation, so every finding can be replayed. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    /** Integer in [0, n). */
    int: (n) => (n <= 0 ? 0 : Math.floor(next() * n)),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
  };
}

const PCAP_MAGICS = new Map([
  [0xa1b2c3d4, { le: false, recordHeader: 16 }],
  [0xd4c3b2a1, { le: true, recordHeader: 16 }],
  [0xa1b23c4d, { le: false, recordHeader: 16 }],
  [0x4d3cb2a1, { le: true, recordHeader: 16 }],
  [0xa1b2cd34, { le: false, recordHeader: 24 }],
  [0x34cdb2a1, { le: true, recordHeader: 24 }],
]);
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BOM = 0x1a2b3c4d;
const PCAPNG_EPB = 6;

/**
 * A capture cut into its parts. `kind` 'pcap': `header` is the file header, each unit a record (header + data,
 * `dataStart` 16 or 24). 'pcapng': `header` is empty, each unit a block (`dataStart` 28 for Enhanced Packet
 * Blocks, else -1: not a packet). 'raw': not understood, `header` is the whole file.
 */
export function splitCapture(input) {
  let bytes = input;
  let gzip = false;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
      gzip = true;
    } catch {
      return { kind: 'raw', gzip: false, le: true, header: input, units: [] };
    }
  }
  if (bytes.length >= 24) {
    const magic = bytes.readUInt32BE(0);
    const pcap = PCAP_MAGICS.get(magic);
    if (pcap) return splitPcap(bytes, gzip, pcap);
    if (magic === PCAPNG_SHB && bytes.length >= 12) return splitPcapng(bytes, gzip);
  }
  return { kind: 'raw', gzip, le: true, header: bytes, units: [] };
}

function splitPcap(bytes, gzip, { le, recordHeader }) {
  const units = [];
  let p = 24;
  while (p + recordHeader <= bytes.length) {
    const caplen = le ? bytes.readUInt32LE(p + 8) : bytes.readUInt32BE(p + 8);
    if (p + recordHeader + caplen > bytes.length) break;
    units.push({ bytes: Buffer.from(bytes.subarray(p, p + recordHeader + caplen)), dataStart: recordHeader });
    p += recordHeader + caplen;
  }
  const tail = bytes.subarray(p);
  return { kind: 'pcap', gzip, le, recordHeader, header: Buffer.from(bytes.subarray(0, 24)), units, tail: Buffer.from(tail) };
}

function splitPcapng(bytes, gzip) {
  const units = [];
  let le = bytes.readUInt32LE(8) === PCAPNG_BOM;
  let p = 0;
  while (p + 12 <= bytes.length) {
    const isShb = bytes.readUInt32BE(p) === PCAPNG_SHB;
    if (isShb) le = bytes.readUInt32LE(p + 8) === PCAPNG_BOM;
    const type = isShb ? PCAPNG_SHB : le ? bytes.readUInt32LE(p) : bytes.readUInt32BE(p);
    const length = le ? bytes.readUInt32LE(p + 4) : bytes.readUInt32BE(p + 4);
    if (length < 12 || length % 4 !== 0 || p + length > bytes.length) break;
    units.push({ bytes: Buffer.from(bytes.subarray(p, p + length)), dataStart: type === PCAPNG_EPB ? 28 : -1, le });
    p += length;
  }
  return { kind: 'pcapng', gzip, le, header: Buffer.alloc(0), units, tail: Buffer.from(bytes.subarray(p)) };
}

/** The bytes of a (possibly mutated) split capture; gzip-compressed again when it was. */
export function joinCapture(cap, { gzip = cap.gzip } = {}) {
  const parts = [cap.header];
  for (const u of cap.units) parts.push(u.bytes);
  if (cap.tail) parts.push(cap.tail);
  const out = Buffer.concat(parts);
  return gzip ? gzipSync(out, { level: 1 }) : out;
}

/** Values that break length and offset arithmetic. */
const INTERESTING_8 = [0, 1, 0x7f, 0x80, 0xff, 0x16, 0x17, 0x15, 0x14, 0x03];
const INTERESTING_16 = [0, 1, 2, 3, 4, 5, 0x7f, 0x80, 0xff, 0x100, 0x3fff, 0x4000, 0x4001, 0x4800, 0x4801, 0x7fff, 0x8000, 0xfffe, 0xffff];
const INTERESTING_32 = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x00ffffff, 0x01000000, 0x40000];

/** Positions of plausible TLS record headers in a buffer (content type 20..24, version 3.0..3.4). */
function tlsHeaders(buf, from) {
  const found = [];
  for (let i = from; i + 5 <= buf.length && found.length < 64; i++) {
    if (buf[i] >= 20 && buf[i] <= 24 && buf[i + 1] === 3 && buf[i + 2] <= 4) found.push(i);
  }
  return found;
}

/** One mutation inside a packet's data (the unit's bytes after its record/block header). Returns its name. */
function mutatePacketData(r, unit, cap) {
  const start = unit.dataStart;
  const b = unit.bytes;
  const end = cap.kind === 'pcapng' ? b.length - 4 : b.length;
  const n = end - start;
  if (n <= 0) return 'none';
  const at = start + r.int(n);
  switch (r.int(9)) {
    case 0: {
      const flips = 1 + r.int(4);
      for (let i = 0; i < flips; i++) b[start + r.int(n)] ^= 1 << r.int(8);
      return `bitflip x${flips}`;
    }
    case 1:
      b[at] = r.pick(INTERESTING_8);
      return 'byte';
    case 2:
      if (at + 2 <= end) b.writeUInt16BE(r.pick(INTERESTING_16), at);
      return 'u16';
    case 3:
      if (at + 4 <= end) b.writeUInt32BE(r.pick(INTERESTING_32), at);
      return 'u32';
    case 4:
    case 5:
    case 6: {
      // A TLS record or handshake length, or a byte shortly after a record header (extension lengths).
      const heads = tlsHeaders(b, start);
      if (heads.length === 0) {
        b[at] ^= 0xff;
        return 'invert';
      }
      const h = r.pick(heads);
      const which = r.int(4);
      if (which === 0 && h + 5 <= end) b.writeUInt16BE(r.pick(INTERESTING_16), h + 3);
      else if (which === 1 && h + 9 <= end) b.writeUIntBE(r.chance(0.5) ? r.pick(INTERESTING_16) : r.int(0x1000000), h + 6, 3);
      else {
        const p = h + 5 + r.int(Math.min(200, end - h - 5));
        if (p + 2 <= end) b.writeUInt16BE(r.pick(INTERESTING_16), p);
        else if (p < end) b[p] = r.pick(INTERESTING_8);
      }
      return 'tls-length';
    }
    case 7: {
      // TCP sequence/ack jump: a u32 somewhere in the first 60 bytes after the IP header, +2^31 or random.
      const p = start + r.int(Math.min(n, 80));
      if (p + 4 <= end) b.writeUInt32BE((b.readUInt32BE(p) + (r.chance(0.5) ? 0x80000000 : r.int(0x100000000))) >>> 0, p);
      return 'seq-jump';
    }
    default: {
      // Random bytes over a short run.
      const len = 1 + r.int(Math.min(32, end - at));
      for (let i = 0; i < len && at + i < end; i++) b[at + i] = r.int(256);
      return 'random-run';
    }
  }
}

/** Rewrite a unit's captured data to `data` (fixing the container's lengths when `fix`). */
function replaceData(cap, unit, data, fix) {
  const head = unit.bytes.subarray(0, unit.dataStart);
  if (cap.kind === 'pcap') {
    const out = Buffer.concat([head, data]);
    if (fix) {
      if (cap.le) out.writeUInt32LE(data.length, 8);
      else out.writeUInt32BE(data.length, 8);
    }
    unit.bytes = out;
    return;
  }
  const le = unit.le ?? cap.le;
  const pad = (4 - (data.length % 4)) % 4;
  const total = 28 + data.length + pad + 4;
  const out = Buffer.alloc(total);
  head.copy(out, 0);
  data.copy(out, 28);
  const w = (v, p) => (le ? out.writeUInt32LE(v, p) : out.writeUInt32BE(v, p));
  w(total, 4);
  if (fix) w(data.length, 20);
  w(total, total - 4);
  unit.bytes = out;
}

function packetUnits(cap) {
  return cap.units.filter((u) => u.dataStart > 0);
}

/** One structural mutation of a split capture. Returns its name. */
function mutateStructure(r, cap, corpus) {
  const units = cap.units;
  const packets = packetUnits(cap);
  if (units.length === 0) return 'none';
  switch (r.int(12)) {
    case 0:
    case 1:
    case 2:
    case 3: {
      if (packets.length === 0) return 'none';
      const u = r.pick(packets);
      return `data:${mutatePacketData(r, u, cap)}`;
    }
    case 4: {
      const k = 1 + r.int(Math.min(5, units.length));
      for (let i = 0; i < k && units.length > 1; i++) units.splice(r.int(units.length), 1);
      return `drop x${k}`;
    }
    case 5: {
      const u = r.pick(units);
      const copies = r.chance(0.1) ? 1 + r.int(50) : 1;
      const at = r.int(units.length + 1);
      for (let i = 0; i < copies; i++) units.splice(at, 0, { ...u, bytes: Buffer.from(u.bytes) });
      return `duplicate x${copies}`;
    }
    case 6: {
      const i = r.int(units.length);
      const j = r.int(units.length);
      [units[i], units[j]] = [units[j], units[i]];
      return 'swap';
    }
    case 7: {
      const i = r.int(units.length);
      const len = 2 + r.int(8);
      const part = units.slice(i, i + len).reverse();
      units.splice(i, part.length, ...part);
      return 'reverse-run';
    }
    case 8: {
      // Snaplen-like cut: fewer captured bytes than the original length.
      if (packets.length === 0) return 'none';
      const u = r.pick(packets);
      const dataEnd = cap.kind === 'pcapng' ? u.bytes.length - 4 : u.bytes.length;
      const data = u.bytes.subarray(u.dataStart, dataEnd);
      const keep = r.int(data.length + 1);
      replaceData(cap, u, Buffer.from(data.subarray(0, keep)), true);
      return `snap ${keep}/${data.length}`;
    }
    case 9: {
      // Insert or delete bytes inside a packet, lengths of the container fixed (IP/TCP/TLS ones are not).
      if (packets.length === 0) return 'none';
      const u = r.pick(packets);
      const dataEnd = cap.kind === 'pcapng' ? u.bytes.length - 4 : u.bytes.length;
      const data = u.bytes.subarray(u.dataStart, dataEnd);
      const at = r.int(data.length + 1);
      if (r.chance(0.5) && data.length > 0) {
        const len = 1 + r.int(Math.min(64, data.length - Math.min(at, data.length - 1)));
        const a = Math.min(at, data.length - 1);
        replaceData(cap, u, Buffer.concat([data.subarray(0, a), data.subarray(a + len)]), true);
        return 'delete-bytes';
      }
      const ins = Buffer.alloc(1 + r.int(64));
      for (let i = 0; i < ins.length; i++) ins[i] = r.chance(0.5) ? r.int(256) : r.pick(INTERESTING_8);
      replaceData(cap, u, Buffer.concat([data.subarray(0, at), ins, data.subarray(at)]), true);
      return 'insert-bytes';
    }
    case 10: {
      // Splice in packets of another capture of the same container kind.
      const others = corpus.map((c) => c.cap).filter((c) => c.kind === cap.kind && c.units.length > 0);
      if (others.length === 0) return 'none';
      const other = r.pick(others);
      const from = r.int(other.units.length);
      const take = 1 + r.int(Math.min(40, other.units.length - from));
      const at = r.int(units.length + 1);
      // pcapng: only packet blocks, so the other file's interface numbering does not have to match.
      const pieces = other.units.slice(from, from + take).filter((u) => cap.kind === 'pcap' || u.dataStart > 0);
      units.splice(at, r.chance(0.3) ? units.length - at : 0, ...pieces.map((u) => ({ ...u, bytes: Buffer.from(u.bytes) })));
      return `splice-packets ${pieces.length}`;
    }
    default: {
      // Mutate a record/block header field (lengths, timestamps, interface ids).
      const u = r.pick(units);
      const p = r.int(Math.max(1, Math.min(u.bytes.length, u.dataStart > 0 ? u.dataStart : 32) - 3));
      if (p + 4 <= u.bytes.length) u.bytes.writeUInt32BE((r.pick(INTERESTING_32) ^ (r.chance(0.5) ? 0 : r.int(0x100000000))) >>> 0, p);
      return 'container-field';
    }
  }
}

/** One mutation of the raw bytes. Returns [bytes, name]. */
function mutateRaw(r, bytes, corpusBytes) {
  const n = bytes.length;
  switch (r.int(7)) {
    case 0: {
      const out = Buffer.from(bytes);
      const flips = 1 + r.int(16);
      for (let i = 0; i < flips && n > 0; i++) out[r.int(n)] ^= 1 << r.int(8);
      return [out, `raw-bitflip x${flips}`];
    }
    case 1:
      return [bytes.subarray(0, r.int(n + 1)), 'truncate'];
    case 2: {
      const junk = Buffer.alloc(1 + r.int(256));
      for (let i = 0; i < junk.length; i++) junk[i] = r.int(256);
      return [Buffer.concat([bytes, junk]), 'garbage-after-end'];
    }
    case 3: {
      const other = r.pick(corpusBytes);
      return [Buffer.concat([bytes.subarray(0, r.int(n + 1)), other.subarray(r.int(other.length + 1))]), 'splice-files'];
    }
    case 4: {
      const out = Buffer.from(bytes);
      const at = r.int(n);
      const len = Math.min(n - at, 1 + r.int(64));
      for (let i = 0; i < len; i++) out[at + i] = r.int(256);
      return [out, 'raw-overwrite'];
    }
    case 5: {
      if (n === 0) return [bytes, 'none'];
      const at = r.int(n);
      const len = Math.min(n - at, 1 + r.int(512));
      return [Buffer.concat([bytes.subarray(0, at + len), bytes.subarray(at, at + len), bytes.subarray(at + len)]), 'raw-duplicate-chunk'];
    }
    default: {
      const out = Buffer.from(bytes);
      const at = r.int(Math.max(1, n - 4));
      if (at + 4 <= n) out.writeUInt32BE(r.pick(INTERESTING_32), at);
      return [out, 'raw-u32'];
    }
  }
}

/** Captures ready to be mutated: each split once, and its bytes without gzip (for raw splices). */
export function prepareCorpus(files) {
  return files.map(({ name, bytes }) => {
    const cap = splitCapture(bytes);
    return { name, bytes, cap, plain: joinCapture(cap, { gzip: false }) };
  });
}

/**
 * Mutate one capture of the corpus: 1–6 mutations, mostly structure-aware, sometimes on the raw bytes,
 * sometimes re-compressed (and cut short) with gzip. Other captures of the corpus are spliced in. The same
 * seed gives the same result. Returns the new bytes and the list of mutations applied.
 */
export function mutateCapture(seed, entry, corpus) {
  const r = rng(seed);
  const ops = [];
  const cap = splitCapture(entry.bytes);
  // Units are mutated in place: work on copies.
  cap.units = cap.units.map((u) => ({ ...u, bytes: Buffer.from(u.bytes) }));
  if (cap.header) cap.header = Buffer.from(cap.header);
  const structural = cap.kind !== 'raw' ? r.int(6) : 0;
  for (let i = 0; i < structural; i++) ops.push(mutateStructure(r, cap, corpus));
  let gzip = cap.gzip ? !r.chance(0.2) : r.chance(0.05);
  let bytes = joinCapture(cap, { gzip: false });
  if (cap.kind === 'raw' || r.chance(0.25)) {
    const raw = 1 + r.int(3);
    const corpusBytes = corpus.map((c) => c.plain);
    for (let i = 0; i < raw; i++) {
      const [b, name] = mutateRaw(r, bytes, corpusBytes);
      bytes = b;
      ops.push(name);
    }
  }
  if (ops.length === 0) {
    const u = packetUnits(cap);
    if (u.length > 0) {
      ops.push(`data:${mutatePacketData(r, r.pick(u), cap)}`);
      bytes = joinCapture(cap, { gzip: false });
    }
  }
  if (gzip) {
    bytes = gzipSync(bytes, { level: 1 });
    ops.push('gzip');
    if (r.chance(0.2)) {
      bytes = bytes.subarray(0, r.int(bytes.length + 1));
      ops.push('gzip-cut');
    } else if (r.chance(0.1)) {
      bytes = Buffer.from(bytes);
      bytes[r.int(bytes.length)] ^= 1 << r.int(8);
      ops.push('gzip-bitflip');
    }
  }
  return { bytes, ops };
}

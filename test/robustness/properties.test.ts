/**
 * Property tests (fast-check): the TLS decoders and message parsers return a result or a structured error for
 * any bytes, and the whole pipeline finishes and reports for any mutation of a real capture. Run counts are
 * kept small so that the file takes a few seconds; scripts/fuzz.mjs does the long runs.
 */
import { readdirSync, readFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { afterAll, describe, expect } from 'vitest';
import { joinCapture, mutateCapture, prepareCorpus, splitCapture } from '../../scripts/fuzz-mutate.mjs';
import { CaptureReader } from '../../src/capture/push-reader.js';
import { analyzeCapture } from '../../src/analyze/pipeline.js';
import { MailSniffer, defaultPorts } from '../../src/mail/sniffer.js';
import { NetDecoder } from '../../src/net/decoder.js';
import { inspectChain } from '../../src/tls/chain-checks.js';
import { TlsConnectionDecoder } from '../../src/tls/decoder.js';
import { ja3String, ja4 } from '../../src/tls/fingerprints.js';
import {
  parseAlert,
  parseCertificateMessage,
  parseClientHello,
  parseExtensions,
  parseServerHello,
  parseServerKeyExchange,
  parseSslv2ClientHello,
} from '../../src/tls/messages.js';
import { HandshakeAssembler, TlsRecordReader, type HandshakeSink, type RecordSink } from '../../src/tls/records.js';
import { capturePath } from '../helpers/frames.js';
import { summarize } from '../../src/analyze/summary.js';
import { renderAnalysisJson, renderAnalysisMarkdown } from '../helpers/render-whole.js';

const dir = mkdtempSync(join(tmpdir(), 'tlsdissect-props-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bytes = (max = 600) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));

/** A result, or a structured error with a one-line message. */
function expectResult(r: { ok: true; value: unknown } | { ok: false; error: string }): void {
  if (r.ok) expect(typeof r.value).toBe('object');
  else {
    expect(typeof r.error).toBe('string');
    expect(r.error).not.toMatch(/\n/);
  }
}

describe('TLS message parsers: any bytes give a result or a structured error', () => {
  test.prop([bytes(), fc.integer({ min: 0, max: 0xffff })], { numRuns: 400 })('ClientHello (and its fingerprints)', (body, recordVersion) => {
    const r = parseClientHello(body, recordVersion);
    expectResult(r);
    if (r.ok) {
      ja3String(r.value);
      ja4(r.value);
    }
  });

  test.prop([bytes()], { numRuns: 300 })('ServerHello', (body) => expectResult(parseServerHello(body)));
  test.prop([bytes(), fc.boolean()], { numRuns: 300 })('Certificate', (body, tls13) => expectResult(parseCertificateMessage(body, tls13)));
  test.prop([bytes(), fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined })], { numRuns: 300 })('ServerKeyExchange', (body, suite) =>
    expectResult(parseServerKeyExchange(body, suite)),
  );
  test.prop([bytes(8)], { numRuns: 100 })('alert', (body) => expectResult(parseAlert(body)));
  test.prop([bytes()], { numRuns: 300 })('SSLv2 ClientHello', (record) => expectResult(parseSslv2ClientHello(record)));
  test.prop([bytes(), fc.constantFrom('client_hello' as const, 'server_hello' as const, 'encrypted_extensions' as const, 'certificate' as const)], { numRuns: 300 })(
    'extensions block',
    (block, context) => {
      const r = parseExtensions(block, context);
      expect(Array.isArray(r.extensions)).toBe(true);
      for (const p of r.problems) expect(p).not.toMatch(/\n/);
    },
  );
  test.prop([fc.array(bytes(300), { maxLength: 4 })], { numRuns: 100 })('certificate chains of any bytes', (ders) => {
    const report = inspectChain(ders, { time: 1_700_000_000, names: [{ name: 'mail.example.org', source: 'sni' }], trustStore: null });
    // One summary per certificate sent (up to the cap), and random bytes are no certificate: each is named unreadable.
    expect(report.certificates).toHaveLength(ders.length);
    expect(report.certificates.map((c) => c.bytes)).toEqual(ders.map((d) => d.length));
    for (let i = 0; i < ders.length; i++) expect(report.problems.some((p) => p.code === 'unparseable' && p.index === i), `certificate ${i}`).toBe(true);
    for (const p of report.problems) expect(p.message).not.toMatch(/\n/);
  });
});

/** Pushes of a stream cut anywhere, with gaps between some of them. */
const pushes = fc.array(
  fc.record({ from: fc.constantFrom('client' as const, 'server' as const), data: bytes(400), gap: fc.option(fc.integer({ min: 1, max: 70000 }), { nil: undefined }) }),
  { maxLength: 12 },
);

/** Bytes that look like TLS records (any content type 20–24, any version 3.x, honest or lying lengths). */
const recordish = fc
  .record({
    type: fc.integer({ min: 19, max: 25 }),
    minor: fc.integer({ min: 0, max: 5 }),
    payload: bytes(200),
    lie: fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined, freq: 4 }),
    handshake: fc.option(fc.record({ type: fc.integer({ min: 0, max: 25 }), length: fc.integer({ min: 0, max: 0xffffff }) }), { nil: undefined }),
  })
  .map(({ type, minor, payload, lie, handshake }) => {
    let body = payload;
    if (handshake) {
      const h = Buffer.alloc(4);
      h[0] = handshake.type;
      h.writeUIntBE(Math.min(handshake.length, body.length + 50), 1, 3);
      body = Buffer.concat([h, body]);
    }
    const head = Buffer.from([type, 3, minor, 0, 0]);
    head.writeUInt16BE(lie ?? body.length, 3);
    return Buffer.concat([head, body]);
  });

describe('TLS record and handshake decoders: any bytes, any cuts, any gaps, never a throw', () => {
  test.prop([pushes, fc.boolean()], { numRuns: 300 })('TlsConnectionDecoder on random bytes', (list, midStream) => {
    const tls = new TlsConnectionDecoder({ midStream, maxBufferedPerSide: 4096 });
    let frame = 1;
    for (const p of list) {
      if (p.gap) tls.gap(p.from, p.gap, frame, frame);
      tls.push(p.from, p.data, frame, frame);
      frame++;
    }
    for (const side of ['client', 'server'] as const) expect(tls.side(side).bufferedBytes).toBeLessThanOrEqual(4096 + 18432 + 5);
    for (const e of tls.events) if (e.kind === 'error') expect(e.note).not.toMatch(/internal error/);
    tls.done();
  });

  test.prop([fc.array(fc.record({ from: fc.constantFrom('client' as const, 'server' as const), records: fc.array(recordish, { maxLength: 6 }), cut: fc.nat() }), { maxLength: 10 })], {
    numRuns: 300,
  })('TlsConnectionDecoder on record-shaped bytes cut anywhere', (flights) => {
    const tls = new TlsConnectionDecoder();
    let frame = 1;
    for (const f of flights) {
      const all = Buffer.concat(f.records);
      const at = all.length > 0 ? f.cut % all.length : 0;
      tls.push(f.from, all.subarray(0, at), frame++, 0);
      tls.push(f.from, all.subarray(at), frame++, 0);
    }
    for (const e of tls.events) if (e.kind === 'error') expect(e.note).not.toMatch(/internal error/);
  });

  test.prop([fc.array(bytes(300), { maxLength: 10 })], { numRuns: 200 })('TlsRecordReader and HandshakeAssembler alone', (chunks) => {
    const messages: number[] = [];
    const hsSink: HandshakeSink = { onMessage: (_f, type) => void messages.push(type) };
    const assembler = new HandshakeAssembler('client', hsSink, 1024);
    const sink: RecordSink = {
      wantsPayload: () => true,
      onRecord: (_from, header, payload, owned) => {
        if (payload && header.contentType === 22) assembler.push(payload, owned, header.version, 1, 0);
      },
      onNotTls: () => undefined,
      onResync: () => undefined,
    };
    const reader = new TlsRecordReader('client', sink);
    chunks.forEach((c, i) => (i % 3 === 2 ? reader.gap(c.length + 1, i, 0) : reader.push(c, i, 0)));
    expect(assembler.buffered).toBeLessThanOrEqual(1024 + 4);
  });

  test.prop([pushes], { numRuns: 200 })('MailSniffer on any bytes', (list) => {
    const sniffer = new MailSniffer(25, defaultPorts());
    const offsets = { client: 0, server: 0 };
    for (const p of list) {
      if (p.gap) {
        sniffer.gap(p.from, offsets[p.from], p.gap);
        offsets[p.from] += p.gap;
      }
      const at = sniffer.push(p.from, p.data, offsets[p.from], 1, 0);
      expect(at).toBeGreaterThanOrEqual(0);
      offsets[p.from] += p.data.length;
    }
    sniffer.result();
  });
});

describe('capture reader and network decoder: any bytes', () => {
  test.prop([fc.array(bytes(200), { maxLength: 8 }), fc.constantFrom(0, 0xa1b2c3d4, 0xd4c3b2a1, 0x0a0d0d0a)], { numRuns: 300 })('CaptureReader in chunks', (chunks, magic) => {
    let frames = 0;
    const reader = new CaptureReader('x', () => void frames++);
    if (magic) {
      const head = Buffer.alloc(4);
      head.writeUInt32BE(magic);
      reader.push(head);
    }
    for (const c of chunks) reader.push(c);
    const summary = reader.end();
    expect(summary.frames).toBe(frames);
    if (summary.damage) expect(summary.damage.message).not.toMatch(/\n/);
  });

  test.prop([bytes(200), fc.constantFrom(0, 1, 101, 113, 276, 228, 229, 12, 239)], { numRuns: 400 })('NetDecoder on any frame', (data, linkType) => {
    const net = new NetDecoder();
    const segment = net.decode({ number: 1, time: 0, linkType, interfaceId: 0, data, originalLength: data.length });
    // Every frame is accounted for once: a TCP segment whose payload lies within the frame, or a counted reason.
    const s = net.stats;
    expect(s.frames).toBe(1);
    const reasons = s.nonTcp + s.nonIp + s.malformed + s.fragments + Object.values(s.unknownLinkTypes).reduce((a, b) => a + b, 0);
    if (segment) {
      expect(s.tcpSegments).toBe(1);
      expect(segment.payload.length).toBeLessThanOrEqual(data.length);
      expect(segment.payload.length).toBeLessThanOrEqual(segment.payloadLength);
    } else {
      expect(s.tcpSegments).toBe(0);
      expect(reasons).toBeGreaterThanOrEqual(1);
    }
  });
});

// ---- the whole pipeline on mutated real captures -------------------------------------------------------------

/** The smaller captures (the pipeline runs a few hundred times here). */
const NAMES = readdirSync(join(capturePath('.'))).filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f) && statSync(capturePath(f)).size < 25_000).sort();
const CORPUS = prepareCorpus(NAMES.map((name) => ({ name, bytes: readFileSync(capturePath(name)) })));

let fileNumber = 0;
async function pipeline(bytes: Buffer): Promise<void> {
  const file = join(dir, `m${++fileNumber}.pcap`);
  writeFileSync(file, bytes);
  const { info, connections } = await analyzeCapture(file);
  expect(info.file).toBe(file);
  for (const c of connections) {
    expect(['complete', 'failed', 'not-tls', 'unknown']).toContain(c.outcome);
    expect(typeof c.diagnosis).toBe('string');
    // The decoders' safety nets turn a bug into such a note: none may be needed.
    for (const n of c.notes) expect(n).not.toMatch(/internal error/);
  }
  const result = { captures: [info], connections, summary: summarize([]) };
  JSON.parse(renderAnalysisJson(result));
  renderAnalysisMarkdown(result);
}

type Edit =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'duplicate'; i: number; j: number }
  | { kind: 'swap'; i: number; j: number }
  | { kind: 'drop'; i: number }
  | { kind: 'splice'; other: number; from: number; at: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), i: fc.nat(), j: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), i: fc.nat(), j: fc.nat() }),
  fc.record({ kind: fc.constant('drop' as const), i: fc.nat() }),
  fc.record({ kind: fc.constant('splice' as const), other: fc.nat(), from: fc.nat(), at: fc.nat() }),
);

/** Apply edits: packet-level ones on the capture's records/blocks, byte-level ones on the result. */
function applyEdits(original: Buffer, edits: readonly Edit[]): Buffer {
  const cap = splitCapture(original);
  const units = cap.units.map((u) => ({ ...u }));
  for (const e of edits) {
    if (units.length === 0) break;
    if (e.kind === 'duplicate') units.splice(e.j % (units.length + 1), 0, units[e.i % units.length]!);
    else if (e.kind === 'swap') {
      const i = e.i % units.length;
      const j = e.j % units.length;
      [units[i], units[j]] = [units[j]!, units[i]!];
    } else if (e.kind === 'drop') units.splice(e.i % units.length, 1);
    else if (e.kind === 'splice') {
      // The other file from `from` on replaces this one from `at` on (two captures glued mid-way).
      const other = splitCapture(CORPUS[e.other % CORPUS.length]!.bytes);
      if (other.kind === cap.kind && other.units.length > 0) units.splice(e.at % units.length, units.length, ...other.units.slice(e.from % other.units.length));
    }
  }
  let out = joinCapture({ ...cap, units }, { gzip: false });
  for (const e of edits) {
    if (e.kind === 'flip' && out.length > 0) {
      if (out === original) out = Buffer.from(out);
      out[e.at % out.length]! ^= 1 << e.bit;
    } else if (e.kind === 'truncate') out = out.subarray(0, e.at % (out.length + 1));
  }
  return out;
}

describe('the whole pipeline finishes and reports for any mutation of a real capture', () => {
  test.prop([fc.nat({ max: CORPUS.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 6 })], { numRuns: 80 })(
    'bit flips, truncations, duplicated, reordered, dropped and spliced packets',
    async (which, edits) => {
      await pipeline(applyEdits(CORPUS[which]!.bytes, edits));
    },
  );

  test.prop([fc.integer({ min: 0, max: 2 ** 31 - 1 })], { numRuns: 80 })('the fuzzer\'s mutations (scripts/fuzz-mutate.mjs)', async (seed) => {
    const { bytes: mutated } = mutateCapture(seed, CORPUS[seed % CORPUS.length]!, CORPUS);
    await pipeline(mutated);
  });
});

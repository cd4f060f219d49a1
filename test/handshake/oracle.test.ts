/**
 * Every public capture against the reference dissector: what tshark 4.0.17 decodes from it (the oracle TSVs in
 * fixtures/tshark/, made by /work/shared/captures/public/tshark-oracle/oracle.sh; see fixtures/README.md) must be
 * what `analyze` reports, frame by frame:
 *
 * - every plaintext handshake message (by type), ChangeCipherSpec and plaintext alert tshark shows in a frame of
 *   a TCP connection is in our `messages[]` with that frame (the frame that completed it) and that sender, and
 *   we show no plaintext message tshark does not;
 * - the version and cipher each connection negotiated are those of tshark's last ServerHello on that stream.
 *
 * Where the two disagree, the difference is listed in EXCEPTIONS with the reason, and the test checks that the
 * difference is still there (a fixed one must be taken off the list). Rules that apply to every capture:
 *
 * - Rows with an empty tcp.stream are TLS inside QUIC CRYPTO frames (ja4/tls-handshake.pcapng, ndpi/sites.pcapng,
 *   cesnet-ipfixprobe/tls.pcap): tlsdissect reads TCP only.
 * - SSLv2 rows (record version 0x0002, no content type) use SSLv2 message numbers: 1 CLIENT-HELLO, 2
 *   CLIENT-MASTER-KEY, 4 SERVER-HELLO (4 is not NewSessionTicket there). An SSLv2-compatible hello that offers
 *   TLS is our 'ClientHello'; a pure SSLv2 one is 'SSLv2 ClientHello'.
 * - Encrypted handshake records and encrypted alerts have no type in tshark's output; ours are labelled
 *   '… (encrypted)', 'encrypted server flight …': neither side's is compared.
 * - certgrep/sess_smtps.pcapng is implicit TLS on port 587: tshark decodes it as SMTP ("DATA fragments") unless
 *   told `-d tcp.port==587,tls`; the oracle was made with that option, our content-based detection needs none.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/analyze/pipeline.js';
import type { ConnectionReport } from '../../src/handshake/report.js';
import { nameKey, tsharkNames } from '../helpers/tshark-registries.js';

const CAPTURES = join(import.meta.dirname, '../../captures');
const ORACLE = join(import.meta.dirname, 'fixtures/tshark');

interface Exception {
  /** The capture's path in the public corpus (the TSV's `file` column). */
  capture: string;
  why: string;
  /** Frames where tshark and we disagree (both directions of the frame's sender). */
  frames?: number[];
  /** Server ports whose connections tlsdissect does not take for TLS at all: nothing on them is compared. */
  serverPorts?: number[];
  /** tshark stream numbers whose negotiated version and cipher are not compared. */
  streams?: number[];
}

const EXCEPTIONS: Exception[] = [
  {
    capture: 'zeek/tls-fragmented-handshake.pcap.gz',
    frames: [410],
    why: 'tshark does not reassemble the ~330 KB server Certificate spread over ~21 full records (MANIFEST.md): no Certificate row at all. We complete it in frame 410; Zeek\'s baseline (ssl.fragment, history Csxkn) parsed it too.',
  },
  {
    capture: 'zeek/hrr.pcap',
    frames: [11],
    why: 'frame 9 (second half of the server flight) arrived before frame 11 (first half): tshark\'s single pass does not decode the ServerHello once frame 11 fills the hole. Frame 11 completes it; Zeek\'s history CjiICs agrees.',
  },
  {
    capture: 'ndpi/tls_multiple_synack_different_seq.pcapng',
    frames: [6, 10],
    why: 'one SYN answered by SYN/ACKs with three different ISNs: tshark takes the whole server flight for retransmissions and decodes none of it. We follow the ISN the server\'s data continues: ServerHello in 6, Certificate in 10.',
  },
  {
    capture: 'suricata-verify/tls-subjectaltname/input.pcap',
    frames: [126, 130],
    why: 'tshark marks the retransmitted SYN of port 59691 (frame 113) as a reused port and then every server segment as a retransmission: it decodes neither the server flight (126) nor its ChangeCipherSpec (130). The client\'s ClientKeyExchange in 128, which tshark does decode, answers that flight.',
  },
  {
    capture: 'cesnet-ipfixprobe/tls.pcap',
    frames: [81],
    why: 'frames 79 and 80 were cut by the 1500-byte snaplen inside the server\'s Certificate record: tshark gives up on the rest of the flight ("Ignored Unknown Record"). We skip the missing bytes by the record\'s length and read CertificateStatus, ServerKeyExchange and ServerHelloDone in frame 81 (the client\'s ClientKeyExchange in 82 answers them).',
  },
  {
    capture: 'pcapplusplus/tls2.pcap',
    frames: [6810],
    why: 'the server\'s first 2920 bytes (its ServerHello and the start of its Certificate) were never captured: tshark shows frame 6810 as "Continuation Data". We resynchronise on the next record header and find ServerKeyExchange and ServerHelloDone there.',
  },
  {
    capture: 'mercury/capture2.pcap',
    frames: [2778, 2779, 2856, 2857, 2881, 2882, 2991, 2992, 3208, 3209, 3230, 3231],
    why: 'every server segment of these streams was captured twice, before and after a sequence-translating middlebox (another ISN, acknowledging another client ISN). tshark\'s choice of copy varies per stream; we always follow the copy whose SYN/ACK acknowledges the captured SYN. Same messages, one frame apart.',
  },
  {
    capture: 'ndpi/tls_invalid_reads.pcap',
    frames: [6],
    why: 'fuzzed capture: the record after the ServerHello holds a plaintext handshake message of type 9 (RequestConnectionId, a TLS 1.3/DTLS message) whose length fits the record. tshark calls it "Encrypted Handshake Message"; we name its type (history letter z).',
  },
  {
    capture: 'mercury/imap2.pcap',
    frames: [28, 30],
    why: 'the ChangeCipherSpecs of a renegotiation inside the encrypted session: tlsdissect stops reading a connection once its first handshake is over.',
  },
  {
    capture: 'mercury/capture2.pcap',
    streams: [218],
    why: 'the capture starts at the server\'s ServerHello (frame 5579: no SYN, no ClientHello) and neither port (8443, 54454) is a known server port or below 1024, so the first sender, the server, is taken for the client: its ServerHello is the "client\'s" and no connection has 173.36.224.94:8443 as its server. `--port 8443=tls` puts the roles right.',
  },
];

// ---- the oracle --------------------------------------------------------------------------------------------

type Row = Record<string, string>;

const list = (v: string | undefined) => (v ? v.split(',').filter((x) => x !== '') : []);
const lastOf = (v: string) => list(v).pop() ?? '';

function readOracle(file: string): { label: string; rows: Row[] } {
  const lines = readFileSync(join(ORACLE, file), 'utf8').split('\n').filter((l) => l !== '');
  const head = lines[0]!.split('\t');
  const rows = lines.slice(1).map((l) => Object.fromEntries(l.split('\t').map((v, i) => [head[i], v])) as Row);
  return { label: rows[0]?.file ?? '', rows };
}

/** With tunnels the address columns list every header, outer first; the last is the one of the TCP ports shown. */
const srcOf = (r: Row) => `${r['ipv6.src'] ? lastOf(r['ipv6.src']) : lastOf(r['ip.src']!)}:${r['tcp.srcport']}`;
const dstOf = (r: Row) => `${r['ipv6.dst'] ? lastOf(r['ipv6.dst']) : lastOf(r['ip.dst']!)}:${r['tcp.dstport']}`;
const isSslv2Row = (r: Row) => r['tls.record.content_type'] === '' && list(r['tls.record.version']).includes('0x0002');
const SSLV2_MESSAGES: Record<string, string> = { '1': 'ClientHello', '2': 'SSLv2 ClientMasterKey', '4': 'SSLv2 ServerHello' };

/**
 * tshark's names come from tshark's own tables (test/helpers/tshark-registries.ts), never through src/tls/names.ts:
 * a wrong entry there would otherwise turn tshark's number into our own wrong name and agree with itself. Labels
 * are compared by nameKey ("Server Hello Done" ~ "ServerHelloDone", "Unknown CA" ~ "unknown_ca").
 */
function tsharkName(field: Parameters<typeof tsharkNames>[0], code: string): string {
  return tsharkNames(field).get(Number(code)) ?? `unknown(${code})`;
}

function alertLabel(level: string, description: string): string {
  return `Alert ${level === '1' ? 'warning' : 'fatal'} ${tsharkName('tls.alert_message.desc', description)}`;
}

/** What tshark shows, per "frame sender" key. */
function tsharkView(rows: Row[]): Map<string, string[]> {
  const view = new Map<string, string[]>();
  for (const r of rows) {
    if (r['tcp.stream'] === '') continue; // QUIC
    const key = `${r['frame.number']} ${srcOf(r)}`;
    const out = view.get(key) ?? [];
    const sslv2 = isSslv2Row(r);
    for (const t of list(r['tls.handshake.type'])) out.push(sslv2 ? (SSLV2_MESSAGES[t] ?? `SSLv2 message ${t}`) : tsharkName('tls.handshake.type', t));
    for (const ct of list(r['tls.record.content_type'])) if (ct === '20') out.push('ChangeCipherSpec');
    const levels = list(r['tls.alert_message.level']);
    const descriptions = list(r['tls.alert_message.desc']);
    levels.forEach((level, i) => out.push(alertLabel(level, descriptions[i] ?? '')));
    view.set(key, out);
  }
  return view;
}

/** Our labels that tshark has no counterpart for (encrypted records, early data). */
const NOT_IN_ORACLE = /encrypted|Encrypted handshake|early data/;

function ourView(connections: ConnectionReport[]): Map<string, string[]> {
  const view = new Map<string, string[]>();
  for (const c of connections) {
    for (const m of c.messages) {
      if (NOT_IN_ORACLE.test(m.type)) continue;
      const ep = m.from === 'client' ? c.client : c.server;
      const key = `${m.frame} ${ep.ip}:${ep.port}`;
      // tshark shows a HelloRetryRequest as the ServerHello it is on the wire; an SSLv2-compatible hello and a
      // pure SSLv2 one are both its CLIENT-HELLO.
      const type = m.type === 'HelloRetryRequest' ? 'ServerHello' : m.type === 'SSLv2 ClientHello' ? 'ClientHello' : m.type;
      view.set(key, [...(view.get(key) ?? []), type]);
    }
  }
  return view;
}

const sortedCopy = (xs: readonly string[]) => xs.map(nameKey).sort();

const oracles = readdirSync(ORACLE)
  .filter((f) => f.endsWith('.tsv'))
  .sort()
  .map((tsv) => ({ capture: tsv.slice(0, -'.tsv'.length), ...readOracle(tsv) }));

const analyses = new Map<string, Promise<ConnectionReport[]>>();
function analyze(capture: string): Promise<ConnectionReport[]> {
  let p = analyses.get(capture);
  if (!p) {
    p = analyzeCapture(join(CAPTURES, capture)).then((r) => r.connections);
    analyses.set(capture, p);
  }
  return p;
}

describe('the oracle fixtures', () => {
  it('cover every public capture (113 files), each copied into captures/', () => {
    expect(oracles).toHaveLength(113);
    const labels = new Set(oracles.map((o) => o.label).filter((l) => l !== ''));
    for (const e of EXCEPTIONS) expect(labels, e.capture).toContain(e.capture);
  });
});

for (const { capture, label, rows } of oracles) {
  const name = label || capture;
  const exceptions = EXCEPTIONS.filter((e) => e.capture === label);
  const exceptedFrames = new Set(exceptions.flatMap((e) => e.frames ?? []));
  const exceptedPorts = new Set(exceptions.flatMap((e) => e.serverPorts ?? []));
  const exceptedStreams = new Set(exceptions.flatMap((e) => e.streams ?? []).map(String));
  const onExceptedPort = (r: Row) => exceptedPorts.has(Number(r['tcp.srcport'])) || exceptedPorts.has(Number(r['tcp.dstport']));
  const compared = rows.filter((r) => !onExceptedPort(r));

  describe(`${name} (captures/${capture})`, () => {
    it('has every handshake message, ChangeCipherSpec and plaintext alert in the frame tshark shows it', async () => {
      const connections = await analyze(capture);
      const theirs = tsharkView(compared);
      const ours = ourView(connections.filter((c) => !exceptedPorts.has(c.server.port)));
      const differ: string[] = [];
      for (const key of new Set([...theirs.keys(), ...ours.keys()])) {
        const a = sortedCopy(theirs.get(key) ?? []);
        const b = sortedCopy(ours.get(key) ?? []);
        if (a.join() === b.join()) continue;
        if (exceptedFrames.has(Number(key.split(' ')[0]))) continue;
        differ.push(`frame ${key}: tshark [${a.join(', ')}], tlsdissect [${b.join(', ')}]`);
      }
      expect(differ).toEqual([]);
      // Every exception still describes a real difference (a fixed one must leave the list).
      for (const frame of exceptedFrames) {
        const keys = [...new Set([...theirs.keys(), ...ours.keys()])].filter((k) => k.startsWith(`${frame} `));
        const stillDiffers = keys.some((k) => sortedCopy(theirs.get(k) ?? []).join() !== sortedCopy(ours.get(k) ?? []).join());
        expect(stillDiffers, `exception for frame ${frame} of ${name} still needed`).toBe(true);
      }
      for (const port of exceptedPorts) {
        expect(rows.some((r) => Number(r['tcp.srcport']) === port || Number(r['tcp.dstport']) === port), `tshark shows TLS on port ${port}`).toBe(true);
        expect(connections.some((c) => c.server.port === port && c.messages.length > 0), `we find no TLS on port ${port}`).toBe(false);
      }
    });

    it('reaches step 4 of a full handshake in a frame where tshark shows a ServerHelloDone', async () => {
      const connections = await analyze(capture);
      const theirs = new Set(compared.filter((r) => list(r['tls.handshake.type']).includes('14') && !isSslv2Row(r)).map((r) => `${r['frame.number']} ${srcOf(r)}`));
      const ours = connections
        .filter((c) => c.shape === 'full' && !exceptedPorts.has(c.server.port))
        .flatMap((c) => c.steps.filter((s) => s.step === 4).map((s) => `${s.frame} ${c.server.ip}:${c.server.port}`));
      expect(ours.filter((k) => !theirs.has(k) && !exceptedFrames.has(Number(k.split(' ')[0])))).toEqual([]);
    });

    it("negotiates the version and cipher of tshark's last ServerHello on each stream", async () => {
      const connections = await analyze(capture);
      // The last ServerHello (or SSLv2 SERVER-HELLO) of each TCP stream; SSLv2's cipher is the client's choice.
      const serverHellos = new Map<string, Row>();
      const sslv2Choice = new Map<string, string>();
      for (const r of compared) {
        if (r['tcp.stream'] === '') continue;
        const types = list(r['tls.handshake.type']);
        if (isSslv2Row(r)) {
          if (types.includes('4')) serverHellos.set(r['tcp.stream']!, r);
          if (types.includes('2')) sslv2Choice.set(r['tcp.stream']!, list(r['tls.handshake.cipherspec'])[0]!);
        } else if (types.includes('2')) {
          serverHellos.set(r['tcp.stream']!, r);
        }
      }
      const differ: string[] = [];
      for (const [stream, r] of serverHellos) {
        const server = srcOf(r);
        const client = dstOf(r);
        const frame = Number(r['frame.number']);
        // The connection of these endpoints that had begun by that frame (a 4-tuple can be reused).
        const conn = connections
          .filter((c) => `${c.server.ip}:${c.server.port}` === server && `${c.client.ip}:${c.client.port}` === client && c.firstFrame <= frame)
          .sort((x, y) => x.firstFrame - y.firstFrame)
          .pop();
        const sslv2 = isSslv2Row(r);
        // TLS 1.3 servers put 0x0303 in the hello and the version in supported_versions (MANIFEST.md).
        const selected = lastOf(r['tls.handshake.extensions.supported_version'] ?? '') || lastOf(r['tls.handshake.version']!);
        const cipher = sslv2 ? sslv2Choice.get(stream) : lastOf(r['tls.handshake.ciphersuite']!);
        const want = `${tsharkName('tls.record.version', selected)} ${cipher ? tsharkName(sslv2 ? 'tls.handshake.cipherspec' : 'tls.handshake.ciphersuite', cipher) : null}`;
        const got = conn ? `${conn.tls.version} ${conn.tls.cipher}` : 'no such connection';
        if (exceptedStreams.has(stream)) expect(got, `exception for stream ${stream} still needed`).not.toBe(want);
        else if (want !== got) differ.push(`stream ${stream} (${client} → ${server}): tshark ${want}, tlsdissect ${got}`);
      }
      expect(differ).toEqual([]);
    });
  });
}

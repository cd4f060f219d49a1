/**
 * The tracker on every capture in captures/ that holds TCP, checked against tshark 4.0.17
 * (fixtures/<capture>.tshark.json, written by fixtures/tshark-oracle.py; the tests do not need tshark). Captures
 * are read the way the product reads them: src/capture → src/net → ConnectionTracker (`trackCapture`), so
 * tunnels, PPPoE, VLANs, pcapng with several interfaces and IP fragments are decoded as `analyze` decodes them.
 *
 * What is compared: the connection list (first frame of each, in order); per connection and side: packets,
 * payload bytes counted once, FIN, RST and retransmissions; per connection: the handshake RTT (tshark's
 * tcp.analysis.initial_rtt).
 *
 * Retransmissions: we count a segment whose sequence space (payload, SYN, FIN) was all seen before, as tshark's
 * tcp.analysis.retransmission intends. tshark decides by sequence numbers and timing instead, so where a
 * capture makes its heuristics misfire the two differ. Every difference, of any field, is listed in EXPLAINED
 * with our exact values, the frames and the reason; the test fails if our value moves or if tshark's turns out
 * to equal ours (an explanation that explains nothing).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NetDecoder } from '../../src/net/decoder.js';
import { trackCapture } from '../../src/tcp/collect.js';
import { ConnectionTracker } from '../../src/tcp/tracker.js';
import type { Connection, Side } from '../../src/tcp/types.js';
import { Recorder } from './segments.js';

const CAPTURES = new URL('../../captures/', import.meta.url);
const FIXTURES = new URL('./fixtures/', import.meta.url);

interface OracleSide {
  packets: number;
  bytes: number;
  fin: boolean;
  rst: boolean;
  retransmissions: number;
  outOfOrder: number;
  lostSegment: number;
}
interface OracleStream {
  stream: number;
  firstFrame: number;
  initialRtt: number | null;
  /** Keyed "ip port" of the sender; counts that are 0 and flags that are false are left out. */
  sides: Record<string, Partial<OracleSide>>;
}

const NO_SIDE: OracleSide = {
  packets: 0,
  bytes: 0,
  fin: false,
  rst: false,
  retransmissions: 0,
  outOfOrder: 0,
  lostSegment: 0,
};

function oracle(file: string): OracleStream[] {
  return JSON.parse(readFileSync(new URL(`${file}.tshark.json`, FIXTURES), 'utf8')).streams;
}

/** Captures with nothing to compare, and why. */
const SKIPPED: Record<string, string> = {
  'bigendian.pcap': 'no TCP: two ICMP echo frames (capture-stage test of a big-endian pcap)',
  'test101.pcapng': 'no TCP: DHCP and Dropbox LAN-sync UDP (capture-stage test: big-endian pcapng, 3 interfaces)',
  'test202.pcapng': 'no TCP: DHCP and UDP frames plus custom blocks (capture-stage test: 3 sections)',
};

/** Every capture file in captures/, each with a fixture or a reason in SKIPPED. */
const ALL = readdirSync(CAPTURES)
  .filter((f) => /\.(pcap|pcapng|pcap\.gz)$/.test(f))
  .sort();
const FILES = ALL.filter((f) => !(f in SKIPPED));

interface Tracked {
  conns: Connection[];
  recorders: Map<number, Recorder>;
}

const tracked = new Map<string, Promise<Tracked>>();

/** The capture through the product's own path (trackCapture: reader → NetDecoder → tracker), once per file. */
function track(file: string): Promise<Tracked> {
  let run = tracked.get(file);
  if (run === undefined) {
    run = (async () => {
      const recorders = new Map<number, Recorder>();
      const tracker = new ConnectionTracker({
        open: (conn) => {
          const r = new Recorder();
          recorders.set(conn.id, r);
          return r;
        },
      });
      const path = new URL(file, CAPTURES).pathname;
      const summary = await trackCapture(path, new NetDecoder({ reuseSegments: true }), tracker);
      expect(summary.damage?.kind).not.toBe('unreadable');
      return { conns: tracker.finish(), recorders };
    })();
    tracked.set(file, run);
  }
  return run;
}

// ---- explained differences ---------------------------------------------------------------------------------

type SideField = 'packets' | 'bytes' | 'fin' | 'rst' | 'retransmissions';
const SIDE_FIELDS: readonly SideField[] = ['packets', 'bytes', 'fin', 'rst', 'retransmissions'];

/** Our values where they differ from tshark's: per side, per connection (`handshakeRtt`), or per capture. */
interface Ours {
  packets?: number;
  bytes?: number;
  fin?: boolean;
  rst?: boolean;
  retransmissions?: number;
  /** Connection key `file#stream` only; seconds, compared to 6 decimals. */
  handshakeRtt?: number | null;
  /** Capture key `file` only: the first frame of each of our connections, where tshark's list differs. */
  connections?: number[];
}

/**
 * Kinds of difference. Those that say how the counts relate are checked for it (see the last test).
 * - tshark-out-of-order: a segment repeating bytes already captured, which tshark calls out-of-order because it
 *   came within its RTT threshold (the initial RTT, else 3 ms) of the highest segment; tshark's
 *   retransmissions + out-of-order = ours.
 * - hole-filled-late: a segment whose bytes were never captured before but lie below a sequence number already
 *   seen (data after a hole, or a pure ACK's seq). tshark calls it a retransmission when it comes later than
 *   its threshold; for us its bytes are new (the first copy the capture holds). Ours < tshark's.
 * - stray-ack-base / several-isns / middlebox-copy / keep-alive: sequence-number situations tshark reads
 *   differently (each entry says how).
 * - rtt-*: tshark's initial RTT runs from the most recent SYN to the first later segment of *either* side with
 *   ACK set and SYN clear (RST/ACK and data included), and treats a result of 0 as "not measured yet". Ours is
 *   the handshake: the most recent SYN → SYN/ACK → the client's ACK of it; null without that handshake.
 */
type Kind =
  | 'tshark-out-of-order'
  | 'hole-filled-late'
  | 'stray-ack-base'
  | 'several-isns'
  | 'middlebox-copy'
  | 'keep-alive'
  | 'rtt-rst-answer'
  | 'rtt-zero'
  | 'rtt-no-syn-ack'
  | 'rtt-stray-ack';

interface Explained {
  kind: Kind;
  ours: Ours;
  why: string;
}

/** Entries of one kind: `general` is said once, each entry adds its frames. */
function kind(k: Kind, general: string, entries: Record<string, [Ours, string]>): Record<string, Explained> {
  const out: Record<string, Explained> = {};
  for (const [where, [ours, why]] of Object.entries(entries)) {
    out[where] = { kind: k, ours, why: `${general} Here: ${why}` };
  }
  return out;
}

/**
 * Every difference from tshark, keyed `file#stream:side` (side counters), `file#stream` (handshakeRtt) or `file`
 * (the connection list). `stream` is tshark's tcp.stream.
 */
const EXPLAINED: Record<string, Explained> = {
  ...kind('tshark-out-of-order', 'A repeat of bytes already captured, within tshark’s out-of-order time threshold.', {
    'pmtu-blackhole-fail.pcap#1:server': [
      { retransmissions: 7 },
      'frame 40 repeats frame 33 (seq 1..1449) byte for byte, 26 µs after the flight ended; tshark calls it ' +
        'out-of-order because it came within its RTT threshold of the highest segment. All its bytes were seen.',
    ],
    'psiphon3.pcap#0:client': [
      { retransmissions: 10 },
      'the capture holds most segments twice (frames 6/8, 29-32/33-36, 47-49/50-52…); tshark labels the ' +
        'copies that come within 3 ms "out-of-order" (5 here) and the rest retransmissions (5). All 10 repeat ' +
        'bytes already seen.',
    ],
    'psiphon3.pcap#0:server': [
      { retransmissions: 7 },
      'as for the client: 5 tshark retransmissions + 2 copies tshark calls out-of-order (frames 13, 25).',
    ],
    'suricata-bug-5881-01.pcap#0:client': [
      { retransmissions: 7 },
      'frames 17, 27 and 28 resend bytes 518..2046 already seen in frames 14-16; tshark calls them ' +
        'out-of-order by timing (frame 28 even gets "New fragment overlaps old data").',
    ],
    '6in4tunnel.pcap#1:client': [
      { retransmissions: 2 },
      'frames 46-47 resend client bytes 1220..2618 of frame 36 (as 1388 + 10 bytes, after the ICMPv6 Packet Too ' +
        'Big of frame 45), 23 ms after frame 43, under the 96 ms initial RTT.',
    ],
    'alexa-app.pcapng#66:client': [{ retransmissions: 4 }, 'frame 1392 repeats frame 1367 (seq 299+1460).'],
    'alexa-app.pcapng#84:client': [
      { retransmissions: 6 },
      'frames 1978 and 1982 repeat frames 1972 (seq 311+1460) and 1974 (seq 1771+1460).',
    ],
    'alexa-app.pcapng#112:client': [{ retransmissions: 4 }, 'frame 2818 repeats frame 2812 (seq 203+126).'],
    'pppoe-over-qinq.pcap#0:client': [
      { retransmissions: 12 },
      'frames 57 and 58 repeat frames 50 (seq 7899+1440) and 51 (seq 9339+428), 3 ms after the highest segment.',
    ],
  }),

  ...kind(
    'hole-filled-late',
    'Bytes captured for the first time, below a sequence number already seen; tshark: retransmission, ours: new ' +
      'bytes (the sender did retransmit them, but the capture never held the first copy).',
    {
      'browsers-x509.pcapng#0:server': [
        { retransmissions: 6 },
        'frame 89 (pure ACK, seq 11995) shows server bytes 11811..11995 sent but not captured; frames 92 ' +
          '(11811+146) and 94 (11957+38) bring them 2.3 s and 2.4 s later.',
      ],
      'tls13_psk_succesfull.pcap#0:server': [
        { retransmissions: 0 },
        'frame 18 (seq 494) comes before the server FIN it implies; frame 19 is that FIN (seq 493), seen first there.',
      ],
      'tls2.pcap#150:server': [
        { retransmissions: 0 },
        'client frame 3741 acknowledges server bytes 2881..3461 never captured: delivery skipped them as a gap; ' +
          'frame 3750 brings them (tshark: spurious retransmission). Ours counts them as `late` bytes (580).',
      ],
      'capture2.pcap#9:client': [
        { retransmissions: 0 },
        'frame 1450 (seq 205) shows bytes 166..205 sent; frame 1453 brings them, 0.18 s later.',
      ],
      'capture2.pcap#18:server': [
        { retransmissions: 0 },
        'frames 936-937 (seq 139, FIN) show bytes 1..139 sent; frame 950 brings them after the client’s RST (938).',
      ],
      // capture2.pcap streams 121-151: one HTTP client's downloads, every frame captured twice (3416/3417…); the
      // first copy of each hole filler is ours new and tshark's retransmission, the second copy both count.
      'capture2.pcap#121:server': [
        { retransmissions: 71 },
        'frames 3622, 3624, 3742, 3798, 3892, 4086, 4312, 4314, 4746, 4748, 4776, 4778, 4836, 4882, 4958 (1400 ' +
          'bytes each) fill holes.',
      ],
      'capture2.pcap#122:server': [
        { retransmissions: 54 },
        'frames 3466, 3594, 3754, 3818, 3906, 3962, 4072, 4256, 4328, 4688, 4788, 4848, 4950 fill holes.',
      ],
      'capture2.pcap#123:server': [
        { retransmissions: 66 },
        'frames 3430, 3548, 3644, 3908, 3966, 4036, 4126, 4170, 4368, 4580, 4582, 4642, 4866, 4898, 4918, 4920 ' +
          'fill holes (16); and frame 4327 repeats 4326 4 µs later, tshark: out-of-order, ours: retransmission ' +
          '(66 = 81 − 16 + 1).',
      ],
      'capture2.pcap#124:server': [
        { retransmissions: 14 },
        'frames 3448, 3450, 3452 (seq 2801..7001, after frame 3442 at 7001), 4450, 4550, 4552 fill holes.',
      ],
      'capture2.pcap#126:server': [
        { retransmissions: 15 },
        'frames 3678, 3712, 3714, 3860, 4162, 4408, 4424, 4750 fill holes (the first, 3678, the server’s bytes 1..60).',
      ],
      'capture2.pcap#130:server': [{ retransmissions: 4 }, 'frame 3620 (seq 2415+1384) fills a hole.'],
      'capture2.pcap#131:server': [
        { retransmissions: 51 },
        'frames 3602, 3640, 3694, 3836, 3928, 3968, 4108, 4188, 4318, 4540, 4614, 4832, 4964 fill holes.',
      ],
      'capture2.pcap#141:server': [{ retransmissions: 7 }, 'frame 3952 (seq 42+45) fills a hole.'],
      'capture2.pcap#150:server': [
        { retransmissions: 31 },
        'frames 4438, 4648, 4666, 4874, 4900, 4902 fill holes (6); and frame 4391 repeats 4390 6 µs later, ' +
          'tshark: out-of-order, ours: retransmission (31 = 36 − 6 + 1).',
      ],
      'capture2.pcap#151:server': [
        { retransmissions: 3 },
        'frames 4636 (seq 1+65) and 4662 (66+45) fill holes, and 4664 is the first capture of the FIN at 111.',
      ],
      'suricata-tls-subjectaltname.pcap#4:server': [
        { retransmissions: 0 },
        'frame 92 (pure ACK, seq 12001) shows bytes 7132..12001 sent; frames 94, 96, 97, 98, 100 bring them 0.45 s later.',
      ],
      'suricata-tls-subjectaltname.pcap#14:server': [
        { retransmissions: 7 },
        'frames 850, 873, 874, 895, 915, 925, 926, 947, 958, 979, 986, 1508, 1534 fill holes (20 − 13 = 7).',
      ],
      'suricata-tls-subjectaltname.pcap#15:server': [{ retransmissions: 0 }, 'frames 1558 and 1599 fill holes.'],
      'suricata-tls-subjectaltname.pcap#18:server': [{ retransmissions: 0 }, 'frame 1422 (seq 60333+484) fills a hole.'],
      'suricata-tls-subjectaltname.pcap#27:server': [{ retransmissions: 0 }, 'frame 1568 (seq 41751+1206) fills a hole.'],
      'suricata-tls-subjectaltname.pcap#57:server': [
        { retransmissions: 0 },
        'frame 2759 (pure ACK, seq 11877) shows bytes up to it sent; 2760-2763 fill the hole within the RTT ' +
          '(tshark: out-of-order), 2766-2768 (9795..11877) 31 ms after 2759 (tshark: retransmission).',
      ],
    },
  ),

  ...kind(
    'stray-ack-base',
    'The server answered the first SYN with a bare ACK of an unrelated sequence number (a stale connection), ' +
      'the client reset, and 3 s later repeated the SYN and got a proper SYN/ACK. tshark keeps the stray ACK’s seq ' +
      'as where the server’s stream is, so the SYN/ACK and every server segment after it look old to it; the ' +
      'client acknowledges all of them as new.',
    {
      'suricata-tls-subjectaltname.pcap#3:server': [
        { retransmissions: 0 },
        'stray ACK frame 45; tshark flags the SYN/ACK 114 and data 118-120, 122, 124, 126, 130.',
      ],
      'suricata-tls-subjectaltname.pcap#35:server': [
        { retransmissions: 0 },
        'stray ACK frame 1450; tshark flags the SYN/ACK 1996, data 2005 and the FIN 2864.',
      ],
    },
  ),

  ...kind('several-isns', 'A server answering one SYN with SYN/ACKs of several ISNs.', {
    'tls_multiple_synack_different_seq.pcapng#0:server': [
      { retransmissions: 1 },
      'the server answers one SYN with SYN/ACKs of three ISNs (frames 1-2: 238755595, 3: 2859879429, 4: ' +
        '2829651200). tshark keeps counting from an earlier ISN and flags frames 3-4 and all data (6-10) as ' +
        'retransmissions. The client acknowledges 2829651201, so the data is new on that ISN; only frame 2 ' +
        '(frame 1 again) repeats anything.',
    ],
  }),

  ...kind(
    'middlebox-copy',
    'capture2.pcap streams 99-112 (10.6.9.137 → 10.10.0.2:443) hold every server segment twice: once in the ' +
      'sequence space the client acknowledges and once, with the same timestamp, in another one (a ' +
      'sequence-translating middlebox seen from both sides; the first SYN/ACK, e.g. frame 2323, does not ' +
      'acknowledge the SYN). We take the copy outside the acknowledged space as strays (packets only); tshark ' +
      'counts it as more bytes (twice ours) and flags it as retransmissions or out-of-order.',
    {
      'capture2.pcap#99:server': [
        { bytes: 1380, retransmissions: 1 },
        'no SYN, so no way to tell the spaces apart: the server side starts at frame 2312, in the space the ' +
          'client does not acknowledge (its ACKs 2318-2319 fall outside the stream and are ignored). The copies ' +
          '2313/2315/2317 lie 808 MB behind it, within TCP’s window reach, so frame 2315 (1357 bytes) counts as ' +
          'a repeat of bytes before the stream start (our 1 retransmission; tshark: out-of-order) and the FIN ' +
          'copy 2317 counts nothing. Bytes agree with the other streams: one copy.',
      ],
      'capture2.pcap#100:server': [
        { bytes: 232399, retransmissions: 0 },
        'strays: 170 segments (frames 2327, 2333, 2335…).',
      ],
      'capture2.pcap#101:server': [{ bytes: 2624 }, '4 strays.'],
      'capture2.pcap#102:server': [{ bytes: 12102, retransmissions: 0 }, '10 strays.'],
      'capture2.pcap#103:server': [{ bytes: 3062, retransmissions: 0 }, '4 strays.'],
      'capture2.pcap#105:server': [{ bytes: 470, retransmissions: 0 }, '3 strays.'],
      'capture2.pcap#108:server': [{ bytes: 387 }, '3 strays.'],
      'capture2.pcap#111:server': [{ bytes: 1654 }, '4 strays.'],
      'capture2.pcap#112:server': [{ bytes: 122 }, '1 stray.'],
    },
  ),

  ...kind(
    'keep-alive',
    'No SYN: the client side starts at its first captured segment; TCP keep-alive probes later carry 1 byte at ' +
      'the sequence number just before it. tshark counts that byte (the oracle’s union of ranges); for us it lies ' +
      'before the stream and is not counted.',
    {
      'capture2.pcap#124:client': [{ bytes: 0 }, 'stream starts at pure ACK 3428 (seq 1); keep-alives 3994/3995 at seq 0.'],
      'capture2.pcap#125:client': [
        { bytes: 0, retransmissions: 5 },
        'stream starts at the FIN 3424 (seq 1); 3425, 3756, 3757, 4522, 4523 repeat the FIN (both count them); ' +
          'the keep-alives 4942/4943 (1 byte at seq 0) tshark also counts as retransmissions.',
      ],
    },
  ),

  ...kind('rtt-rst-answer', 'The SYN was answered by RST/ACK: no handshake, so no RTT for us; tshark times the RST.', {
    'alexa-app.pcapng#13': [{ handshakeRtt: null }, 'SYN 215, RST/ACK 216.'],
    'alexa-app.pcapng#59': [{ handshakeRtt: null }, 'SYN 1200, RST/ACK 1207.'],
    'capture2.pcap#4': [{ handshakeRtt: null }, 'SYN 86, RST/ACK 87.'],
    'capture2.pcap#6': [{ handshakeRtt: null }, 'SYN 98, RST/ACK 99.'],
    'capture2.pcap#25': [{ handshakeRtt: null }, 'SYN 901, RST/ACK 918.'],
    'capture2.pcap#29': [{ handshakeRtt: null }, 'SYN 971, RST/ACK 972.'],
    'capture2.pcap#38': [{ handshakeRtt: null }, 'SYN 1064, RST/ACK 1077.'],
    'capture2.pcap#40': [{ handshakeRtt: null }, 'SYN 1071, RST/ACK 1090.'],
    'capture2.pcap#43': [{ handshakeRtt: null }, 'SYN 1091, RST/ACK 1132.'],
    'capture2.pcap#50': [{ handshakeRtt: null }, 'SYN 1167, RST/ACK 1211.'],
    'capture2.pcap#56': [{ handshakeRtt: null }, 'SYN 1292, RST/ACK 1293.'],
    'capture2.pcap#59': [{ handshakeRtt: null }, 'SYN 1430, RST/ACK 1434.'],
    'capture2.pcap#61': [{ handshakeRtt: null }, 'SYN 1466, RST/ACK 1467.'],
    'capture2.pcap#62': [{ handshakeRtt: null }, 'SYN 1683, RST/ACK 1684.'],
    'capture2.pcap#66': [{ handshakeRtt: null }, 'SYN 1728, RST/ACK 1729.'],
    'capture2.pcap#67': [{ handshakeRtt: null }, 'SYN 1730, RST/ACK 1782.'],
    'capture2.pcap#71': [{ handshakeRtt: null }, 'SYN 1805, RST/ACK 1806.'],
    'capture2.pcap#75': [{ handshakeRtt: null }, 'SYN 1815, RST/ACK 1817.'],
    'capture2.pcap#77': [{ handshakeRtt: null }, 'SYN 1850, RST/ACK 1851.'],
    'capture2.pcap#94': [{ handshakeRtt: null }, 'SYN 2250, RST/ACK 2258.'],
    'capture2.pcap#97': [{ handshakeRtt: null }, 'SYN 2262, RST/ACK 2271.'],
    'capture2.pcap#164': [{ handshakeRtt: null }, 'SYN 5011, RST/ACK 5012.'],
    'pcapng-example.pcapng#11': [{ handshakeRtt: null }, 'SYN 90, RST/ACK 91.'],
    'suricata-tls-duplicate-hello.pcap#0': [{ handshakeRtt: null }, 'SYN 1, RST/ACK 2.'],
  }),

  ...kind(
    'rtt-zero',
    'SYN, SYN/ACK and ACK carry the same timestamp: our RTT is 0; tshark takes 0 for "not measured" and times ' +
      'the next ACK-carrying segment instead (or gives none).',
    {
      'capture2.pcap#100': [{ handshakeRtt: 0 }, 'frames 2322/2324/2325; tshark times frame 2333.'],
      'capture2.pcap#105': [{ handshakeRtt: 0 }, 'frames 2851/2853/2854; tshark times frame 2868.'],
      'capture2.pcap#106': [{ handshakeRtt: 0 }, 'frames 2876/2878/2879; tshark times frame 2884.'],
      'capture2.pcap#108': [{ handshakeRtt: 0 }, 'frames 2986/2988/2989; tshark times frame 2996.'],
      'capture2.pcap#112': [{ handshakeRtt: 0 }, 'frames 3225/3227/3228; tshark times frame 3233.'],
      'chrome-1250-tls-x25519-kyber.pcap#0': [{ handshakeRtt: 0 }, 'frames 1-3 at 0.000000; tshark times frame 4.'],
      'ml-dsa-44-cert.pcap#0': [{ handshakeRtt: 0 }, 'every frame at 0.000000: tshark gives no initial RTT.'],
    },
  ),

  ...kind(
    'rtt-no-syn-ack',
    'The SYN/ACK was not captured: no handshake for us; tshark times the client’s next segment (its ACK).',
    {
      'capture2.pcap#107': [{ handshakeRtt: null }, 'SYN 2896 → the client’s ACK 2897 (0.1 s).'],
      'capture2.pcap#109': [{ handshakeRtt: null }, 'SYN 3006 → the client’s ACK 3007 (0.1 s).'],
      'tls_1.2_unidirectional_client.pcapng#0': [{ handshakeRtt: null }, 'client side only: SYN 1 → ACK 2.'],
    },
  ),

  ...kind(
    'rtt-stray-ack',
    'The first SYN got a stray bare ACK (see stray-ack-base), the client reset and repeated the SYN 3 s later. ' +
      'tshark’s RTT is first SYN → that stray ACK; ours the repeated SYN → SYN/ACK → the client’s ACK.',
    {
      'suricata-tls-subjectaltname.pcap#0': [{ handshakeRtt: 0.018237 }, 'tshark 10 → 12, ours 20 → 21 → 22.'],
      'suricata-tls-subjectaltname.pcap#1': [{ handshakeRtt: 0.018272 }, 'tshark 11 → 13, ours 140 → 141 → 142.'],
      'suricata-tls-subjectaltname.pcap#3': [{ handshakeRtt: 0.019078 }, 'tshark 43 → 45, ours 113 → 114 → 115.'],
      'suricata-tls-subjectaltname.pcap#7': [{ handshakeRtt: 0.018139 }, 'tshark 152 → 154, ours 157 → 158 → 159.'],
      'suricata-tls-subjectaltname.pcap#8': [{ handshakeRtt: 0.020157 }, 'tshark 249 → 250, ours 256 → 257 → 258.'],
      'suricata-tls-subjectaltname.pcap#12': [{ handshakeRtt: 0.018254 }, 'tshark 339 → 363, ours 1859 → 1860 → 1861.'],
      'suricata-tls-subjectaltname.pcap#20': [{ handshakeRtt: 0.01819 }, 'tshark 391 → 412, ours 1864 → 1865 → 1866.'],
      'suricata-tls-subjectaltname.pcap#35': [{ handshakeRtt: 0.019028 }, 'tshark 1380 → 1450, ours 1994 → 1996 → 1997.'],
      'suricata-tls-subjectaltname.pcap#40': [{ handshakeRtt: 0.01841 }, 'tshark 1854 → 1855, ours 2626 → 2627 → 2628.'],
    },
  ),
};

/** tshark's and our initial RTT agree when within 5 µs (tshark prints µs or ns; our times are doubles). */
const sameRtt = (a: number | null, b: number | null) => (a === null || b === null ? a === b : Math.abs(a - b) < 5e-6);

function sideOf(conn: Connection, side: Side, stream: OracleStream): OracleSide {
  return { ...NO_SIDE, ...stream.sides[`${conn[side].ip} ${conn[side].port}`] };
}

/** Our connections paired with tshark's streams by first frame (the lists are checked to agree first). */
function pairs(file: string, conns: Connection[], streams: OracleStream[]): [Connection, OracleStream][] {
  const byFirst = new Map(streams.map((s) => [s.firstFrame, s]));
  const out: [Connection, OracleStream][] = [];
  for (const conn of conns) {
    const stream = byFirst.get(conn.firstFrame);
    if (stream) out.push([conn, stream]);
    else expect(EXPLAINED[file]?.ours.connections, `${file}: our connection at frame ${conn.firstFrame}`).toBeDefined();
  }
  return out;
}

describe('ConnectionTracker against tshark on every capture', () => {
  it('every capture has a tshark fixture or a reason to be skipped', () => {
    const fixtures = new Set(readdirSync(FIXTURES).filter((f) => f.endsWith('.tshark.json')));
    expect(FILES.filter((f) => !fixtures.has(`${f}.tshark.json`))).toEqual([]);
    expect(Object.keys(SKIPPED).filter((f) => !ALL.includes(f))).toEqual([]);
    expect(FILES.length).toBeGreaterThanOrEqual(120);
  });

  it('skipped captures hold no TCP for us either', async () => {
    for (const file of Object.keys(SKIPPED)) {
      expect(oracle(file), file).toEqual([]);
      expect((await track(file)).conns, file).toEqual([]);
    }
  });

  for (const file of FILES) {
    it(file, async () => {
      const streams = oracle(file);
      const { conns, recorders } = await track(file);
      const listDiffers = EXPLAINED[file]?.ours.connections;
      if (listDiffers) {
        expect(conns.map((c) => c.firstFrame)).toEqual(listDiffers);
        expect(streams.map((s) => s.firstFrame)).not.toEqual(listDiffers);
      } else {
        expect(conns.map((c) => c.firstFrame)).toEqual(streams.map((s) => s.firstFrame));
      }
      for (const [conn, stream] of pairs(file, conns, streams)) {
        expect(Object.keys(stream.sides).every((k) => [conn.client, conn.server].some((e) => `${e.ip} ${e.port}` === k))).toBe(
          true,
        );
        for (const side of ['client', 'server'] as const) {
          const want = sideOf(conn, side, stream);
          const where = `${file}#${stream.stream}:${side}`;
          const explained = EXPLAINED[where]?.ours ?? {};
          const ours = {
            where,
            packets: conn.packets[side],
            bytes: conn.bytes[side],
            fin: conn.fin[side],
            rst: conn.rst[side],
            retransmissions: conn.retransmissions[side],
          };
          const expected: Record<string, unknown> = { where };
          for (const field of SIDE_FIELDS) {
            if (field in explained) {
              expected[field] = explained[field];
              const stale = `${where} ${field}: tshark agrees with ours, the explanation is stale`;
              expect(want[field], stale).not.toBe(explained[field]);
            } else {
              expected[field] = want[field];
            }
          }
          expect(ours).toEqual(expected);
          // Whatever was delivered is one contiguous stream (gaps included) that ends where the counters say.
          const r = recorders.get(conn.id)!;
          const delivered = r.chunks.filter((c) => c.from === side).reduce((n, c) => n + c.text.length, 0);
          const skipped = r.gaps.filter((g) => g.from === side).reduce((n, g) => n + g.length, 0);
          expect(() => r.stream(side)).not.toThrow();
          expect(skipped).toBe(conn.gaps[side]);
          expect(delivered + skipped).toBeGreaterThanOrEqual(conn.bytes[side] - (conn.late?.[side] ?? 0));
        }
        const where = `${file}#${stream.stream}`;
        const rtt = EXPLAINED[where]?.ours;
        if (rtt && 'handshakeRtt' in rtt) {
          const mine = rtt.handshakeRtt ?? null;
          if (mine === null) expect(conn.handshakeRtt, where).toBeNull();
          else expect(conn.handshakeRtt, where).toBeCloseTo(mine, 6);
          const stale = `${where}: tshark agrees, the explanation is stale`;
          expect(sameRtt(stream.initialRtt, conn.handshakeRtt), stale).toBe(false);
        } else {
          const both = `${where}: ours ${conn.handshakeRtt}, tshark ${stream.initialRtt}`;
          expect(sameRtt(stream.initialRtt, conn.handshakeRtt), both).toBe(true);
        }
      }
    });
  }

  it('every explanation is for a connection that exists, says only what fits its key, and its kind holds', async () => {
    for (const [where, d] of Object.entries(EXPLAINED)) {
      const [, file, stream, side] = /^(.*?)(?:#(\d+)(?::(client|server))?)?$/.exec(where)!;
      expect(FILES, where).toContain(file);
      const fields = Object.keys(d.ours);
      expect(fields.length, where).toBeGreaterThan(0);
      if (stream === undefined) {
        expect(fields, where).toEqual(['connections']);
        continue;
      }
      const s = oracle(file).find((x) => x.stream === Number(stream));
      expect(s, where).toBeDefined();
      const conn = (await track(file)).conns.find((c) => c.firstFrame === s!.firstFrame);
      expect(conn, where).toBeDefined();
      if (side === undefined) {
        expect(fields, where).toEqual(['handshakeRtt']);
        continue;
      }
      expect(fields.every((f) => (SIDE_FIELDS as readonly string[]).includes(f)), where).toBe(true);
      const want = sideOf(conn!, side as Side, s!);
      const ours = d.ours.retransmissions;
      if (d.kind === 'tshark-out-of-order') {
        // tshark's timing relabels repeats as out-of-order: its two counts add up to ours.
        expect(want.retransmissions + want.outOfOrder, where).toBe(ours);
      } else if (d.kind === 'hole-filled-late' || d.kind === 'stray-ack-base' || d.kind === 'several-isns') {
        expect(ours, where).toBeLessThan(want.retransmissions);
      } else if (d.kind === 'middlebox-copy') {
        expect(want.bytes, where).toBe(2 * conn!.bytes[side as Side]);
        // The copies are strays, but for stream 99 (no SYN, copy within window reach: see its entry).
        if (!ours) expect(conn!.strays?.[side as Side] ?? 0, where).toBeGreaterThan(0);
      }
    }
  });
});

describe('ConnectionTracker: what real captures deliver', () => {
  it('lab SMTP: the client and server streams are the SMTP dialogue, with nothing missing', async () => {
    const { conns, recorders } = await track('good-25-smtp-starttls.pcap');
    expect(conns).toHaveLength(3);
    for (const conn of conns) {
      const r = recorders.get(conn.id)!;
      expect(r.stream('server').startsWith('220 ')).toBe(true);
      expect(r.stream('client').startsWith('EHLO ')).toBe(true);
      expect(r.stream('client')).toContain('STARTTLS\r\n');
      expect(r.stream('client').length).toBe(conn.bytes.client);
      expect(conn.gaps).toEqual({ client: 0, server: 0 });
      expect(conn.facts.client.ackedByPeer).toBe(conn.bytes.client);
      expect(conn.facts.server.ackedByPeer).toBe(conn.bytes.server);
      expect(r.closed).toBe(1);
    }
  });

  it('pcap and pcapng of the same lab traffic give the same connections', async () => {
    const strip = (c: Connection) => ({ ...c, events: c.events.length });
    expect((await track('good-25-smtp-starttls.pcapng')).conns.map(strip)).toEqual(
      (await track('good-25-smtp-starttls.pcap')).conns.map(strip),
    );
  });

  it('tls_missing_ch_frag: the ClientHello hole is a gap at offset 1024, then delivery goes on', async () => {
    const { conns, recorders } = await track('tls_missing_ch_frag.pcap');
    const [conn] = conns;
    const r = recorders.get(1)!;
    expect(conn.syn).toBe(false); // only the SYN/ACK was captured
    expect(conn.facts.client.streamStart).toBe('syn-ack');
    expect(r.gaps).toEqual([
      // frame 3 acknowledged 1505 bytes, only 1024 were seen; skipped when frame 9 brought data after the hole
      { from: 'client', offset: 1024, length: 481, frame: 9 },
      // frame 14 acknowledges 1306 server bytes past the last captured one: reported at the end
      { from: 'server', offset: 6121, length: 1306, frame: 14 },
    ]);
    expect(r.stream('client').charCodeAt(0)).toBe(0x16); // a TLS handshake record
    expect(conn.gaps).toEqual({ client: 481, server: 1306 });
    expect(conn.outOfOrder).toEqual({ client: 1, server: 0 });
  });

  it('ndpi-smtp-starttls: 5760 IPv6 client bytes never captured, skipped as two acknowledged holes', async () => {
    const { conns, recorders } = await track('ndpi-smtp-starttls.pcap');
    const conn = conns[1];
    expect(conn.client).toEqual({ ip: '2003:de:2016:125:fc36:8317:4e86:cb72', port: 7562 });
    expect(recorders.get(2)!.gaps).toEqual([
      { from: 'client', offset: 634, length: 2880, frame: 60 },
      { from: 'client', offset: 3514, length: 2880, frame: 61 },
    ]);
    expect(conn.rst).toEqual({ client: true, server: false });
  });

  it('TCP Fast Open: the SYN’s data is delivered once although the server made the client send it again', async () => {
    const { conns, recorders } = await track('suricata-tcp-fastopen-10-syn-data-ignore.pcap');
    const [conn] = conns;
    const r = recorders.get(1)!;
    expect(r.chunks[0]).toMatchObject({ from: 'client', offset: 0, frame: 1 });
    expect(r.chunks[0].text.length).toBe(517);
    expect(r.stream('client').length).toBe(839);
    // The server answered with SYN/ACKs of two ISNs, alternating; the client went on with 97572840.
    expect(r.stream('server').length).toBe(6068);
    expect(conn.fin).toEqual({ client: true, server: true });
  });

  it('cesnet tls.pcap: snaplen-cut payloads become snaplen-cut events and gaps', async () => {
    const { conns } = await track('tls.pcap');
    const cut = conns.flatMap((c) => c.events.filter((e) => e.kind === 'snaplen-cut'));
    // tshark -Y 'frame.cap_len < frame.len && tcp.len > 0' lists 8 frames
    expect(cut).toHaveLength(8);
    expect(conns[4].gaps.server).toBe(4);
    const noSyn = conns.filter((c) => !c.syn);
    expect(noSyn.length).toBeGreaterThan(0);
    expect(noSyn.every((c) => c.roleBy === 'port' && c.server.port === 443)).toBe(true);
  });

  it('tls_tcp_frag.pcap.gz: a capture that starts mid-connection', async () => {
    const { conns, recorders } = await track('tls_tcp_frag.pcap.gz');
    expect(conns).toHaveLength(1);
    expect(conns[0]).toMatchObject({ syn: false, roleBy: 'port', server: { port: 443 } });
    expect(conns[0].facts.server.streamStart).toBe('first-segment');
    expect(recorders.get(1)!.stream('server').length).toBe(conns[0].bytes.server);
  });
});

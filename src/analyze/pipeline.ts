import type { CaptureSummary } from '../capture/types.js';
import { MailSniffer, defaultPorts, type PortMap } from '../mail/sniffer.js';
import type { MailPhase } from '../mail/types.js';
import { NetDecoder } from '../net/decoder.js';
import type { NetStats } from '../net/types.js';
import { outputOrder, trackCapture } from '../tcp/collect.js';
import { ConnectionTracker, DEFAULT_LIMITS, type TrackerLimits, type TrackerStats } from '../tcp/tracker.js';
import type { Connection, Side, StreamConsumer, TcpEvent } from '../tcp/types.js';
import { TlsConnectionDecoder, type TlsDecoderOptions } from '../tls/decoder.js';
import { KeyLogStore, type KeyLog } from '../tls/keylog.js';
import { SecretsType } from '../capture/pcapng.js';
import { collectBeforeReport } from '../memory.js';
import type { TlsEvent } from '../tls/types.js';
import { buildReport } from '../handshake/build.js';
import type { ConnectionReport, RetryLink } from '../handshake/report.js';
import { SummaryBuilder, type AnalysisSummary, type SummaryData } from './summary.js';
import { walkHandshake, type Walk } from '../handshake/walk.js';
import { configuredChainReports } from '../tls/configured-chain.js';
import { connectionSecurity, type ConnectionSecurity, type SecurityOptions } from '../handshake/security.js';
import { addUnlisted, captureCapNotes, connectionCapNotes, DEFAULT_MAX_CONNECTIONS, ReportKeeper, tcpAnomalyNotes, tlsCapNotes, type UnlistedConnections } from './caps.js';

export interface AnalyzeOptions extends SecurityOptions {
  /** Extra or overriding port → protocol assignments (`--port 2525=smtp`). */
  ports?: PortMap;
  /** Called with each connection's report and every TLS event decoded in it (for tools and tests that need more than the report). */
  inspect?: (report: ConnectionReport, events: readonly TlsEvent[]) => void;
  /** Connections listed one by one over all captures (default 50,000); the others are only counted. */
  maxConnections?: number;
  /** The TCP tracker's memory caps (tests lower them). */
  limits?: Partial<TrackerLimits>;
  /** `--retry-window`: seconds after a failed connection's start in which the same client's next connection to the same server and port is its retry (default 300). */
  retryWindow?: number;
  /** `--keylog`: secrets by client random (tls/keylog.ts); a pcapng's Decryption Secrets Blocks add to them. */
  keyLog?: KeyLog;
}

export interface CaptureInfo extends CaptureSummary {
  net: NetStats;
  connections: number;
  /** The TCP tracker's counters: connections evicted, buffer caps hit, … */
  tcp?: TrackerStats;
  /** Connections past `maxConnections`: counted here and in the summary, not listed. Absent when none. */
  unlisted?: UnlistedConnections;
  /** One line per cap of the whole capture that was reached. Absent when none. */
  notes?: string[];
}

export interface AnalysisResult {
  captures: CaptureInfo[];
  connections: ConnectionReport[];
  summary: AnalysisSummary;
}

/** What a report needs of a connection's mail phase and TLS handshake (the rest comes from its TCP connection). */
interface HandshakePart {
  walk: Walk;
  mail: MailPhase;
  notTls: boolean;
  /** unfinishedNotes and tlsCapNotes, in that order. */
  unfinished: string[];
  tlsCaps: string[];
  security: ConnectionSecurity;
  /** The TLS events, kept only for `inspect`. */
  events: readonly TlsEvent[];
}

/** The analysis reads no record header (see TlsDecoderOptions.keepRecords). */
const DECODER_OPTIONS: TlsDecoderOptions = { keepRecords: false };

/**
 * Follows one connection from its first byte: the plaintext mail phase, then TLS, until the handshake is
 * over. After that its bytes are no longer wanted, so the tracker stops buffering them; and what the report
 * needs of the handshake is worked out there and then (`summarize`), and the decoder and the mail sniffer are
 * let go: a connection that carries mail for minutes keeps a few kilobytes, not its decoded hellos, records
 * and transcript (issue 6: memory follows the connections open at once, and as little as it can per connection).
 */
class ConnectionFollower implements StreamConsumer {
  /** Made at the first byte that needs them: a connection that never carries a byte (a SYN scan) costs little. */
  private mailSniffer: MailSniffer | null = null;
  private decoder: TlsConnectionDecoder | null = null;
  /** Set once the handshake is over and summarized: from then on the connection's bytes are not looked at. */
  handshake: HandshakePart | null = null;
  readonly tlsStart: Record<Side, number | null> = { client: null, server: null };
  /** Server TLS bytes before the client answered the server's flight (or closed the connection). */
  serverFlightBytes = 0;
  private flightOpen = true;
  private eventsSeen = 0;
  private clientHelloSeen = false;
  clientHelloFrame: number | null = null;
  serverHelloFrame: number | null = null;

  /** Called once the tracker closed the connection: the report is built then and this follower let go. */
  onClose: (() => void) | null = null;

  constructor(
    readonly conn: Connection,
    private readonly ports: PortMap,
    private readonly summarize: (follower: ConnectionFollower) => HandshakePart,
    private readonly decoderOptions: TlsDecoderOptions = DECODER_OPTIONS,
  ) {}

  /** The decoder, until the handshake is summarized. */
  get tls(): TlsConnectionDecoder {
    return (this.decoder ??= new TlsConnectionDecoder(this.decoderOptions));
  }

  /** The mail sniffer, until the handshake is summarized. */
  get mail(): MailSniffer {
    // No transcript: no report prints it.
    return (this.mailSniffer ??= new MailSniffer(this.conn.server.port, this.ports, false));
  }

  /** The handshake's part of the report: summarized already, or now (a connection closed mid-handshake). */
  handshakePart(): HandshakePart {
    return this.handshake ?? this.summarize(this);
  }

  /**
   * Once the decoder is done with both sides in TLS, nothing it or the sniffer holds can change any more (no
   * byte of this connection reaches them again): summarize and let them go.
   */
  private settleIfOver(): void {
    if (!this.tls.done() || this.tlsStart.client === null || this.tlsStart.server === null) return;
    this.handshake = this.summarize(this);
    this.decoder = null;
    this.mailSniffer = null;
  }

  close(): void {
    const onClose = this.onClose;
    this.onClose = null;
    onClose?.();
  }

  data(from: Side, data: Buffer, offset: number, frame: number, time: number): void {
    if (this.handshake) return;
    let tlsBytes = data;
    if (this.tlsStart[from] === null) {
      const at = this.mail.push(from, data, offset, frame, time);
      if (at >= data.length) return;
      this.tlsStart[from] = offset + at;
      tlsBytes = at === 0 ? data : data.subarray(at);
    }
    // What the server sends once the client has closed or reset (an alert answering the FIN) is no part of its flight.
    if (from === 'server' && this.flightOpen && !this.conn.fin.client && !this.conn.rst.client) this.serverFlightBytes += tlsBytes.length;
    this.tls.push(from, tlsBytes, frame, time);
    this.scanNewEvents();
    this.settleIfOver();
  }

  gap(from: Side, offset: number, length: number, frame: number, time: number): void {
    if (this.handshake) return;
    if (this.tlsStart[from] === null) {
      // Bytes lost at the very start of a side whose peer spoke TLS from its first byte were this side's first
      // TLS records (pcapplusplus/tls2.pcap stream 297): decode the rest, resynchronising on a record header.
      const peer: Side = from === 'client' ? 'server' : 'client';
      if (offset !== 0 || this.tlsStart[peer] !== 0) {
        this.mail.gap(from, offset, length);
        return;
      }
      this.tlsStart[from] = 0;
    }
    this.tls.gap(from, length, frame, time);
    this.settleIfOver();
  }

  wants(from: Side): boolean {
    if (this.handshake) return false;
    if (this.tlsStart[from] === null) return true;
    return !this.tls.done();
  }

  private scanNewEvents(): void {
    const events = this.tls.events;
    for (; this.eventsSeen < events.length; this.eventsSeen++) {
      const ev = events[this.eventsSeen]!;
      if (ev.kind !== 'handshake' && ev.kind !== 'change-cipher-spec' && ev.kind !== 'alert' && ev.kind !== 'application-data') continue;
      if (ev.kind === 'handshake' && ev.from === 'client' && ev.clientHello && !this.clientHelloSeen) {
        this.clientHelloSeen = true;
        this.clientHelloFrame = ev.frame;
        continue;
      }
      if (ev.kind === 'handshake' && ev.from === 'server' && ev.serverHello && this.serverHelloFrame === null) {
        this.serverHelloFrame = ev.frame;
      }
      // The client's first word after its hello closes the server's flight (a HelloRetryRequest's second
      // ClientHello does not: the flight that matters is the one after it).
      if (ev.from === 'client' && this.clientHelloSeen && !(ev.kind === 'handshake' && ev.clientHello)) this.flightOpen = false;
    }
  }
}

/**
 * Analyze one capture file. Never throws for damaged content: the damage is in the capture info. With `sink`,
 * each listed connection's report goes to it as the connection closes (in no particular order) and is not
 * kept: `connections` is then empty.
 */
export async function analyzeCapture(file: string, options: AnalyzeOptions = {}, sink?: ReportSink): Promise<{ info: CaptureInfo; connections: ConnectionReport[] }> {
  const ports = mergePorts(options.ports);
  const net = new NetDecoder({ reuseSegments: true });
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const keeper = new ReportKeeper(options.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
  const keys = new KeyLogStore(options.keyLog);
  const decoderOptions: TlsDecoderOptions = { ...DECODER_OPTIONS, keys };
  const tracker = new ConnectionTracker({
    serverPorts: new Set(ports.keys()),
    limits,
    // Each connection is reported when the tracker closes it (FIN/RST both ways, port reuse, eviction, end of
    // capture) and then forgotten: memory follows the connections open at once, not all the capture holds.
    keepClosed: false,
    open: (conn) => {
      const follower = new ConnectionFollower(conn, ports, handshakePart, decoderOptions);
      follower.onClose = () => {
        const report = reportOf(conn, follower);
        if (sink && report.id <= keeper.max) sink(report);
        else keeper.add(report);
      };
      return follower;
    },
  });
  // A file that cannot be opened is damage of this capture, not the end of the run: the others are analyzed.
  const summary = await trackCapture(file, net, tracker, (type, data) => {
    if (type === SecretsType.TLS_KEY_LOG) keys.addFromCapture(data.toString('latin1'));
  });
  function handshakePart(follower: ConnectionFollower): HandshakePart {
    const tls = follower.tls;
    const walk = walkHandshake(tls.events);
    // After the handshake the decoder only counts application data; its counters are the whole truth.
    walk.applicationData = tls.applicationData;
    const security = connectionSecurity(tls.events, walk, options);
    return {
      walk,
      mail: follower.mail.result(),
      notTls: bytesNotTls(tls),
      unfinished: unfinishedNotes(tls),
      tlsCaps: tlsCapNotes(tls),
      security,
      events: options.inspect ? tls.events : [],
    };
  }
  function reportOf(conn: Connection, follower: ConnectionFollower | undefined): ConnectionReport {
    const part = follower?.handshakePart() ?? null;
    const walk = part?.walk ?? walkHandshake([]);
    const report = buildReport({
      capture: file,
      conn,
      mail: part?.mail ?? null,
      walk,
      clientHelloFrame: follower?.clientHelloFrame ?? null,
      serverHelloFrame: follower?.serverHelloFrame ?? null,
      serverFlightBytes: follower?.serverFlightBytes ?? 0,
      serverTlsStart: follower?.tlsStart.server ?? 0,
      notTls: part?.notTls ?? false,
      notes: [...gapNotes(conn.events), ...(part?.unfinished ?? []), ...tcpAnomalyNotes(conn), ...connectionCapNotes(conn), ...(part?.tlsCaps ?? [])],
      security: part?.security ?? connectionSecurity([], walk, options),
      configuredChains: options.configuredChains,
    });
    options.inspect?.(report, part?.events ?? []);
    return report;
  }
  const tcp = { ...tracker.stats };
  const info: CaptureInfo = { ...summary, net: net.stats, connections: tcp.connections, tcp };
  const notes = captureCapNotes(tcp, keeper.max, keeper.unlisted, limits, tracker.silencedHalfClosed);
  if (keeper.unlisted.connections > 0) info.unlisted = keeper.unlisted;
  if (notes.length > 0) info.notes = notes;
  return { info, connections: keeper.reports() };
}

/** Receives each listed connection's report once: it may keep what it needs of it, the analysis keeps nothing. */
export type ReportSink = (report: ConnectionReport) => void;

/** Every capture's connections, one capture after the other (the reports are kept: see analyzeCapturesTo). */
export async function analyzeCaptures(files: string[], options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  const connections: ConnectionReport[] = [];
  const order: number[] = [];
  const { captures, summary, retries } = await analyzeCapturesTo(files, options, (report, captureIndex) => {
    connections.push(report);
    order.push(outputOrder(captureIndex, report.id));
  });
  connections.forEach((r, i) => (r.retry = retries.get(order[i]!) ?? null));
  // Reports come as connections close: put them in capture order, then by number.
  const sorted = connections.map((_, i) => i).sort((a, b) => order[a]! - order[b]!);
  return { captures, connections: sorted.map((i) => connections[i]!), summary };
}

/**
 * Captures analyzed apart, several at once (analyze/lanes.ts: worker threads): `count` at once, this
 * thread included. The run takes each part in the order of the captures, or drops it and analyzes its capture
 * again here when it listed more connections than the cap left for it.
 */
export interface CaptureLanes {
  count: number;
  /** Analyze capture `captureIndex` apart: in lane `lane` (1 … count-1: other threads; 0: this thread, into a part of its own). */
  run(file: string, captureIndex: number, options: AnalyzeOptions, lane: number): Promise<CapturePart>;
}

/** One capture analyzed apart: what the summary needs of it, and what its reports became, to take or drop. */
export interface CapturePart {
  info: CaptureInfo;
  summary: SummaryData;
  /** Connections listed (reports made). */
  listed: number;
  /** Hand what its reports became to the run's output (called once, in capture order). */
  take(): void;
  /** Let it go: its capture is analyzed again here. */
  drop(): void;
}

/**
 * One capture analyzed with the summary of its listed connections added to `summary` as they come (what a lane
 * does, into a summary of its own): each report goes to `sink` too, with the capture's place in the run.
 */
export async function analyzeCaptureSummarized(
  file: string,
  captureIndex: number,
  options: AnalyzeOptions,
  sink: (report: ConnectionReport, captureIndex: number) => void,
  summary: SummaryBuilder = new SummaryBuilder(),
): Promise<{ info: CaptureInfo; summary: SummaryBuilder; listed: number }> {
  let listed = 0;
  const { info } = await analyzeCapture(file, options, (report) => {
    listed++;
    summary.add(report, outputOrder(captureIndex, report.id));
    sink(report, captureIndex);
  });
  return { info, summary, listed };
}

/**
 * analyzeCaptures without keeping the reports: each listed connection's report goes to `sink` as its connection
 * closes (within a capture in the order connections close), with the index of its capture in `files`. The
 * summary is built as they go. With `lanes`, the captures after the first are analyzed apart, several at once,
 * and their reports do not come to `sink`: the lane's part has them (CapturePart.take). A report names its
 * capture by file, so each file should be given once (the command line reads a repeated one once).
 */
export async function analyzeCapturesTo(
  files: string[],
  options: AnalyzeOptions,
  sink: (report: ConnectionReport, captureIndex: number) => void,
  lanes?: CaptureLanes,
): Promise<{ captures: CaptureInfo[]; summary: AnalysisSummary; retries: Map<number, RetryLink> }> {
  const captures: CaptureInfo[] = [];
  const summary = new SummaryBuilder(options.retryWindow);
  const cap = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  let listed = 0;
  // The cap on listed connections is for the whole run: each capture gets what the previous ones left.
  const here = async (k: number): Promise<void> => {
    const done = await analyzeCaptureSummarized(files[k]!, k, { ...options, maxConnections: Math.max(0, cap - listed) }, sink, summary);
    listed += done.listed;
    captures.push(done.info);
  };
  const parts = lanes && lanes.count > 1 && files.length > 1 && !files.includes('-') ? await analyzeApart(files, options, lanes, () => here(0)) : null;
  if (parts === null) {
    for (let k = 0; k < files.length; k++) await here(k);
  } else {
    // The first capture went to the sink in this thread; the others are taken in order, as if analyzed one
    // after the other: a part analyzed with the whole cap stands when it listed no more than what is left.
    for (let k = 1; k < files.length; k++) {
      const part = parts[k - 1]!;
      const left = Math.max(0, cap - listed);
      if (left === cap || (part.listed <= left && !part.info.unlisted)) {
        summary.merge(part.summary);
        listed += part.listed;
        captures.push(part.info);
        part.take();
      } else {
        part.drop();
        await here(k);
      }
    }
  }
  // Every capture read: the heap let go of what it held for them before the report is drawn up (memory.ts).
  collectBeforeReport();
  const result = addUnlisted(summary.result(), captures.map((c) => c.unlisted));
  if (options.configuredChains && options.configuredChains.length > 0) {
    // The configured chain's own problems, once, judged when the capture begins.
    const times = captures.map((c) => c.firstTime).filter((t): t is number => t !== null);
    const time = times.length > 0 ? Math.min(...times) : null;
    result.configuredChains = configuredChainReports(options.configuredChains, { time, serverName: options.serverName, trustStore: options.trustStore });
  }
  // The reports written aside wait for their `retry` (retries.ts): the links, by output order.
  return { captures, summary: result, retries: summary.retryLinks() };
}

/**
 * The first capture analyzed here by `first` (its reports streamed), the others in the lanes, `lanes.count` at
 * once; this thread takes the next waiting capture when it is done with one, as every lane does.
 */
async function analyzeApart(files: string[], options: AnalyzeOptions, lanes: CaptureLanes, first: () => Promise<void>): Promise<CapturePart[]> {
  const parts: CapturePart[] = [];
  let next = 1;
  const lane = async (index: number): Promise<void> => {
    if (index === 0) await first();
    while (next < files.length) {
      const k = next++;
      parts[k - 1] = await lanes.run(files[k]!, k, options, index);
    }
  };
  const running = Array.from({ length: Math.min(lanes.count, files.length) }, (_, i) => lane(i));
  const settled = await Promise.allSettled(running);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    for (const part of parts) part?.drop();
    throw failed.reason;
  }
  return parts;
}

function mergePorts(extra: PortMap | undefined): PortMap {
  const ports = defaultPorts();
  if (extra) for (const [port, v] of extra) ports.set(port, v);
  return ports;
}

/** Not one TLS record on either side, and the bytes taken for TLS were judged not to be TLS. */
function bytesNotTls(tls: TlsConnectionDecoder): boolean {
  const client = tls.side('client');
  const server = tls.side('server');
  return client.records === 0 && server.records === 0 && (client.notTls || server.notTls);
}

/** A side whose last TLS record or message never completed: the rest was never sent, or not captured. */
function unfinishedNotes(tls: TlsConnectionDecoder): string[] {
  // The decoder's errors are in the walk's problems already; its per-side notes repeat them: keep the others.
  const errors = new Set<string>();
  for (const e of tls.events) if (e.kind === 'error') errors.add(`${e.from}: frame ${e.frame}: ${e.note}`);
  const notes: string[] = [];
  for (const side of ['client', 'server'] as const) {
    const s = tls.side(side);
    const pending = s.pendingMessage;
    if (pending && !pending.kept) {
      notes.push(`${side}: its last handshake message (${pending.name}, ${pending.length} bytes declared) is incomplete: ${pending.received} bytes of it were captured, not kept (longer than the reassembly cap)`);
    } else if (s.bufferedBytes > 0) {
      notes.push(`${side}: its last TLS message is incomplete: ${s.bufferedBytes} bytes of it were captured, the rest never was (not sent, or lost before the capture point)`);
    }
    if (s.zeroLengthRecords) notes.push(`${side}: ${s.zeroLengthRecords} zero-length TLS record${s.zeroLengthRecords === 1 ? '' : 's'} (RFC 8446 §5.1 forbids them)`);
    for (const n of s.notes) if (!errors.has(`${side}: ${n}`)) notes.push(`${side}: ${n}`);
  }
  return notes;
}

function gapNotes(events: readonly TcpEvent[]): string[] {
  const notes: string[] = [];
  for (const e of events) {
    if (e.kind !== 'gap' || notes.length >= 5) continue;
    // The stream offset tells apart holes of the same size skipped at the same frame (pcapplusplus/tls2.pcap).
    const at = e.offset !== undefined ? ` (its stream bytes ${e.offset}–${e.offset + (e.length ?? 0)})` : '';
    notes.push(`${e.from}: ${e.length ?? '?'} bytes never captured before frame ${e.frame}${at}`);
  }
  return notes;
}

import { readCapture } from '../capture/reader.js';
import type { CaptureSummary } from '../capture/types.js';
import { MailSniffer, defaultPorts, type PortMap } from '../mail/sniffer.js';
import type { MailPhase } from '../mail/types.js';
import { NetDecoder } from '../net/decoder.js';
import type { NetStats } from '../net/types.js';
import { ConnectionTracker } from '../tcp/tracker.js';
import type { Connection, Side, StreamConsumer, TcpEvent } from '../tcp/types.js';
import { TlsConnectionDecoder } from '../tls/decoder.js';
import { buildReport } from './build.js';
import type { ConnectionReport } from './report.js';
import { summarize, type AnalysisSummary } from './summary.js';
import { walkHandshake } from './walk.js';

export interface AnalyzeOptions {
  /** Extra or overriding port → protocol assignments (`--port 2525=smtp`). */
  ports?: PortMap;
}

export interface CaptureInfo extends CaptureSummary {
  net: NetStats;
  connections: number;
}

export interface AnalysisResult {
  captures: CaptureInfo[];
  connections: ConnectionReport[];
  summary: AnalysisSummary;
}

/**
 * Follows one connection from its first byte: the plaintext mail phase, then TLS, until the handshake is
 * over. After that its bytes are no longer wanted, so the tracker stops buffering them.
 */
class ConnectionFollower implements StreamConsumer {
  readonly mail: MailSniffer;
  readonly tls = new TlsConnectionDecoder();
  readonly tlsStart: Record<Side, number | null> = { client: null, server: null };
  /** Server TLS bytes before the client answered the server's flight. */
  serverFlightBytes = 0;
  private flightOpen = true;
  private eventsSeen = 0;
  private clientHelloSeen = false;
  clientHelloFrame: number | null = null;
  serverHelloFrame: number | null = null;

  constructor(readonly conn: Connection, ports: PortMap) {
    this.mail = new MailSniffer(conn.server.port, ports);
  }

  data(from: Side, data: Buffer, offset: number, frame: number, time: number): void {
    let tlsBytes = data;
    if (this.tlsStart[from] === null) {
      const at = this.mail.push(from, data, offset, frame, time);
      if (at >= data.length) return;
      this.tlsStart[from] = offset + at;
      tlsBytes = at === 0 ? data : data.subarray(at);
    }
    if (from === 'server' && this.flightOpen) this.serverFlightBytes += tlsBytes.length;
    this.tls.push(from, tlsBytes, frame, time);
    this.scanNewEvents();
  }

  gap(from: Side, _offset: number, length: number, frame: number, time: number): void {
    if (this.tlsStart[from] !== null) this.tls.gap(from, length, frame, time);
  }

  wants(from: Side): boolean {
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

/** Analyze one capture file. Never throws for damaged content: the damage is in the capture info. */
export async function analyzeCapture(file: string, options: AnalyzeOptions = {}): Promise<{ info: CaptureInfo; connections: ConnectionReport[] }> {
  const ports = mergePorts(options.ports);
  const net = new NetDecoder();
  const followers = new Map<number, ConnectionFollower>();
  const tracker = new ConnectionTracker({
    serverPorts: new Set(ports.keys()),
    open: (conn) => {
      const follower = new ConnectionFollower(conn, ports);
      followers.set(conn.id, follower);
      return follower;
    },
  });
  const summary = await readCapture(file, (frame) => {
    const segment = net.decode(frame);
    if (segment) tracker.segment(segment);
  });
  const conns = tracker.finish();
  const reports = conns.map((conn) => {
    const follower = followers.get(conn.id);
    const events = follower?.tls.events ?? [];
    const walk = walkHandshake(events);
    // After the handshake the decoder only counts application data; its counters are the whole truth.
    if (follower) walk.applicationData = follower.tls.applicationData;
    const mail: MailPhase | null = follower ? follower.mail.result() : null;
    return buildReport({
      capture: file,
      conn,
      mail,
      walk,
      clientHelloFrame: follower?.clientHelloFrame ?? null,
      serverHelloFrame: follower?.serverHelloFrame ?? null,
      serverFlightBytes: follower?.serverFlightBytes ?? 0,
      serverTlsStart: follower?.tlsStart.server ?? 0,
      notes: [...gapNotes(conn.events), ...(follower ? unfinishedNotes(follower.tls) : [])],
    });
  });
  return { info: { ...summary, net: net.stats, connections: conns.length }, connections: reports };
}

export async function analyzeCaptures(files: string[], options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  const captures: CaptureInfo[] = [];
  const connections: ConnectionReport[] = [];
  for (const file of files) {
    const { info, connections: reports } = await analyzeCapture(file, options);
    captures.push(info);
    connections.push(...reports);
  }
  return { captures, connections, summary: summarize(connections) };
}

function mergePorts(extra: PortMap | undefined): PortMap {
  const ports = defaultPorts();
  if (extra) for (const [port, v] of extra) ports.set(port, v);
  return ports;
}

/** A side whose last TLS record or message never completed: the rest was never sent, or not captured. */
function unfinishedNotes(tls: TlsConnectionDecoder): string[] {
  const notes: string[] = [];
  for (const side of ['client', 'server'] as const) {
    const s = tls.side(side);
    if (s.bufferedBytes > 0) notes.push(`${side}: its last TLS message is incomplete: ${s.bufferedBytes} bytes of it were captured, the rest never was (not sent, or lost before the capture point)`);
    for (const n of s.notes) notes.push(`${side}: ${n}`);
  }
  return notes;
}

function gapNotes(events: readonly TcpEvent[]): string[] {
  const notes: string[] = [];
  for (const e of events) {
    if (e.kind === 'gap' && notes.length < 5) notes.push(`${e.from}: ${e.length ?? '?'} bytes never captured before frame ${e.frame}`);
  }
  return notes;
}

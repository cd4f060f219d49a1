import type { Side } from '../tcp/types.js';
import type { Dialogue, DialogueEvents } from './dialogue.js';
import { ImapDialogue } from './imap.js';
import { ManageSieveDialogue } from './managesieve.js';
import { Pop3Dialogue } from './pop3.js';
import {
  type MailApplication,
  type PortRole,
  defaultPorts,
  plainProtocol,
  protocolFor,
  roleProtocol,
} from './ports.js';

// The port tables live in ports.ts; the later stages and the CLI import them from here with the sniffer.
export {
  type AppProtocol,
  type MailApplication,
  type PortMap,
  type PortOption,
  type PortRole,
  defaultPorts,
  parsePortOption,
} from './ports.js';
import { SmtpDialogue } from './smtp.js';
import { StreamFront } from './front.js';
import { proxyHeaderWords } from './proxy-header.js';
import type { MailPhase, MailProtocol } from './types.js';

/** Longest line kept; a longer one is cut (no mail command or reply is near this long). */
const MAX_LINE = 4096;
const MAX_TRANSCRIPT_LINES = 100;
const MAX_TRANSCRIPT_CHARS = 200;
/** How much of a line a problem text quotes. */
const MAX_QUOTE_CHARS = 80;

// First byte of a TLS record (RFC 8446 §5.1 ContentType: change_cipher_spec 20 … application_data 23), or of an
// SSLv2 record with a 2-byte header (top bit set). None of them can start a line of SMTP, IMAP or POP3.
const TLS_CONTENT_TYPE_MIN = 20;
const TLS_CONTENT_TYPE_MAX = 23;
const TLS_HANDSHAKE = 22;
const SSL2_HEADER_BIT = 0x80;
/** Record versions 0x0300 (SSL 3.0) … 0x0304: the first version byte is always 3. */
const TLS_RECORD_VERSION_MAJOR = 3;
const TLS_RECORD_VERSION_MINOR_MAX = 4;
// SSLv2 message types in the byte after a 2-byte record header: ERROR 0, CLIENT-HELLO 1, SERVER-HELLO 4.
const SSL2_FIRST_MESSAGES: ReadonlySet<number> = new Set([0, 1, 4]);

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;

/** How a side's TLS began: at its first byte, where STARTTLS made it expected, or mid-stream unasked. */
type TlsStartKind = 'first-byte' | 'expected' | 'unasked';

class SideState {
  /** Any byte of this side was seen (a gap counts: what follows it is not the first byte). */
  seen = false;
  tlsAt: number | null = null;
  tlsKind: TlsStartKind | null = null;
  /** The first bytes from the TLS start (up to 3, big-endian in one number), checked against a record header once there are 3. */
  headBytes = 0;
  headLength = 0;
  /** Bytes of a line split across pushes; allocated only when one is. */
  line: Buffer | null = null;
  lineLength = 0;
  /** Bytes to pass over without reading lines (IMAP literal, BDAT chunk). */
  skip = 0;
  /** STARTTLS was sent (client) or accepted (server): the next byte should begin TLS. */
  expectTls = false;
  /** A plaintext byte came where TLS was expected; the line it begins is kept in `plainWhereTls`. */
  catchPlainLine = false;
  plainWhereTls: string | null = null;
  firstLine: string | null = null;
  firstLineBinary = false;
  /** The first line's first bytes in hex, for a binary first line only. */
  firstBytes = '';
  lines = 0;
  bodyLines = 0;
  bodyBytes = 0;
  gapBytes = 0;
  /** Frame of the last push, for a line that never ends. */
  lastFrame = 0;
}

/**
 * What a connection's plaintext dialogue said of STARTTLS, as the dialogue reports it (DialogueEvents). Methods, not
 * closures: five closures and their context cost about 400 bytes a connection, kept while its handshake lasts.
 */
class StartTlsExchange implements DialogueEvents {
  offeredByServer: boolean | null = null;
  askedByClient = false;
  heloUsed = false;
  reply: string | null = null;
  accepted: boolean | null = null;

  constructor(
    private readonly client: SideState,
    private readonly server: SideState,
  ) {}

  offered(yes: boolean): void {
    if (this.offeredByServer !== true) this.offeredByServer = yes;
  }

  asked(): void {
    this.askedByClient = true;
    this.client.expectTls = true;
  }

  answered(reply: string, accepted: boolean): void {
    this.reply = reply;
    this.accepted = accepted;
    this.server.expectTls = accepted;
  }

  helo(): void {
    this.heloUsed = true;
  }

  skip(from: Side, length: number): void {
    (from === 'client' ? this.client : this.server).skip += length;
  }
}

/**
 * Reads the plaintext phase of one mail connection (both sides, in capture order) and finds where TLS begins on
 * each side: at byte 0 on implicit-TLS ports, after STARTTLS/STLS and its acceptance, or wherever a client sends a
 * ClientHello it should not have. Never throws on input bytes; memory is bounded per connection (one line buffer
 * per side, a bounded transcript and command queue).
 */
export class MailSniffer {
  private role: PortRole | undefined;
  private app: MailApplication | null;
  private dialogue: Dialogue | null = null;
  private readonly client = new SideState();
  private readonly server = new SideState();
  /** What the dialogue said of STARTTLS (it reports to this object). */
  private readonly exchange = new StartTlsExchange(this.client, this.server);
  private readonly transcript: MailPhase['transcript'] = [];
  private transcriptDropped = 0;
  private readonly streamProblems: string[] = [];
  /** A PROXY header or a carrier (SOCKS, MySQL, PostgreSQL) before the connection's own protocol. */
  private readonly front = new StreamFront();

  /**
   * @param serverPort the connection's server port, looked up in `ports`
   * @param ports what each port carries; default `defaultPorts()`. Ports not in it are sniffed from their first bytes.
   * @param keepTranscript whether `result()` has the plaintext lines (`transcript`). `analyze` does not print them and
   *   says no: a STARTTLS session's dozen lines would wait in memory until its connection closes.
   */
  constructor(
    private readonly serverPort: number,
    private readonly ports: ReadonlyMap<number, PortRole> = defaultPorts(),
    private readonly keepTranscript = true,
  ) {
    const role = ports.get(serverPort);
    this.role = role && (role.app !== null || role.implicitTls) ? role : undefined;
    this.app = this.role?.app ?? null;
    if (this.app !== null) this.dialogue = makeDialogue(this.app, this.exchange);
  }

  /**
   * Feeds one side's in-order bytes (`offset` is the stream position of `data[0]`), called in capture order with
   * both sides interleaved. Returns the index in `data` where TLS begins on that side: `data.length` while all of
   * it is plaintext, 0 when TLS starts at `data[0]` or had already begun.
   */
  push(from: Side, data: Buffer, offset: number, frame: number, _time: number): number {
    const side = this.sideOf(from);
    if (side.tlsAt !== null) {
      this.checkTlsHead(from, side, data, 0);
      return 0;
    }
    side.lastFrame = frame;
    let start = 0;
    const front = this.front;
    if (front.open(from)) {
      start = front.push(from, data, frame);
      const released = front.takeReleased(from);
      if (front.open(from)) return data.length;
      this.afterFront(from, side);
      // Bytes held while the front was undecided come first (the bytes just before `data`).
      if (released !== null && this.read(from, side, released, 0, offset - released.length, frame) < released.length) return 0;
    }
    return this.read(from, side, data, start, offset, frame);
  }

  /** Reads `data[start…]` as lines of `from`'s dialogue; returns the index where TLS begins (data.length: none). */
  private read(from: Side, side: SideState, data: Buffer, start: number, offset: number, frame: number): number {
    const n = data.length;
    let i = start;
    while (i < n) {
      if (side.skip > 0) {
        const k = Math.min(side.skip, n - i);
        side.skip -= k;
        i += k;
        continue;
      }
      if (side.lineLength === 0 && this.tlsBegins(from, side, data[i])) {
        side.tlsAt = offset + i;
        side.line = null;
        this.checkTlsHead(from, side, data, i);
        return i;
      }
      const lf = data.indexOf(LF, i);
      if (lf < 0) {
        this.keep(side, data, i, n);
        break;
      }
      if (side.lineLength === 0) {
        this.lineDone(from, side, data, i, lf + 1, frame);
      } else {
        this.keep(side, data, i, lf + 1);
        const length = side.lineLength;
        side.lineLength = 0;
        this.lineDone(from, side, side.line!, 0, length, frame);
      }
      i = lf + 1;
    }
    return n;
  }

  /** `length` bytes of `from`'s stream at `offset` were never captured. */
  gap(from: Side, offset: number, length: number): void {
    const side = this.sideOf(from);
    if (side.tlsAt !== null) return;
    if (this.front.open(from)) {
      this.front.cut(from, `${length} bytes were not captured`);
      this.afterFront(from, side);
      const released = this.front.takeReleased(from);
      if (released !== null) this.read(from, side, released, 0, offset - released.length, side.lastFrame);
    }
    side.gapBytes += length;
    side.seen = true;
    side.lineLength = 0;
    side.skip = Math.max(0, side.skip - length);
  }

  /** A side is past its front: what follows is TLS (expected), a tunnel (read like a new stream) or not read at all. */
  private afterFront(from: Side, side: SideState): void {
    // Behind a load balancer the server's own port is often a private one (10025); the port the client dialled,
    // which the PROXY header announces, says what it carries.
    const announced = this.front.header?.destination?.port;
    if (from === 'client' && announced !== undefined && this.role === undefined && this.dialogue === null && this.server.lines === 0) {
      const role = this.ports.get(announced);
      if (role && (role.app !== null || role.implicitTls)) {
        this.role = role;
        this.app = role.app;
        if (role.app !== null) this.dialogue = makeDialogue(role.app, this.exchange);
      }
    }
    const after = this.front.after[from];
    if (after === 'tls') side.expectTls = true;
    else if (after === 'opaque') {
      side.seen = true;
      side.skip = Infinity;
    }
  }

  /** Whether TLS has begun on `from`'s side (every later byte of it belongs to the TLS stage). */
  tlsStarted(from: Side): boolean {
    return this.sideOf(from).tlsAt !== null;
  }

  result(): MailPhase {
    const { client, server, front } = this;
    for (const from of ['client', 'server'] as const) if (front.open(from)) front.cut(from, 'no more of it was captured');
    const anyTls = client.tlsAt !== null || server.tlsAt !== null;
    // A carrier's own request and answer stand for STARTTLS's when no mail dialogue ran inside it.
    const carrier = front.carrier !== null && this.dialogue === null ? front.carrier : null;
    const phase: MailPhase = {
      protocol: this.protocol(),
      application: this.app,
      tlsMode: !anyTls
        ? null
        : client.tlsKind === 'expected' || server.tlsKind === 'expected'
          ? 'starttls'
          : 'implicit',
      serverOffered: carrier ? carrier.offered : this.exchange.offeredByServer,
      clientAsked: carrier ? carrier.asked : this.exchange.askedByClient,
      serverReply: carrier ? carrier.reply : this.exchange.reply,
      accepted: carrier ? carrier.accepted : this.exchange.accepted,
      problem: this.problem(),
      tlsStart: { client: client.tlsAt, server: server.tlsAt },
      transcript: this.transcriptWithFront(),
      transcriptDropped: this.transcriptDropped,
    };
    if (front.header !== null) phase.proxy = front.header;
    if (front.notes.length > 0) phase.notes = front.notes;
    return phase;
  }

  /** The transcript with the front's lines (the PROXY header, a carrier's messages) in frame order. */
  private transcriptWithFront(): MailPhase['transcript'] {
    if (!this.keepTranscript) return [];
    const lines = this.transcriptWithUnfinishedLines();
    const { header, carrier, headerFrame } = this.front;
    const frontLines: MailPhase['transcript'] = [];
    if (header !== null) frontLines.push({ from: 'client', frame: headerFrame, line: printable(proxyHeaderWords(header), MAX_TRANSCRIPT_CHARS) });
    for (const l of carrier?.lines ?? []) frontLines.push({ from: l.from, frame: l.frame, line: printable(l.line, MAX_TRANSCRIPT_CHARS) });
    if (frontLines.length === 0) return lines;
    // Stable: a front line comes before the dialogue's lines of its frame.
    return [...frontLines, ...lines].sort((a, b) => a.frame - b.frame);
  }

  /** The transcript, plus each side's last line if it never got its line ending (e.g. a capture cut short). */
  private transcriptWithUnfinishedLines(): MailPhase['transcript'] {
    const out = this.transcript.slice();
    for (const from of ['client', 'server'] as const) {
      const side = this.sideOf(from);
      if (side.tlsAt !== null || side.lineLength === 0 || side.line === null) continue;
      if (from === 'client' && this.dialogue?.clientBody) continue;
      if (out.length >= MAX_TRANSCRIPT_LINES) continue;
      const suffix = ' [no line end]';
      const text = printable(side.line.toString('latin1', 0, side.lineLength), MAX_TRANSCRIPT_CHARS - suffix.length);
      out.push({ from, frame: side.lastFrame, line: text + suffix });
    }
    return out;
  }

  private sideOf(from: Side): SideState {
    return from === 'client' ? this.client : this.server;
  }

  /** Decides, on the first byte of a line, whether this side's TLS begins here. */
  private tlsBegins(from: Side, side: SideState, byte: number): boolean {
    const first = !side.seen;
    side.seen = true;
    if (from === 'client' && this.dialogue?.clientBody) return false;
    const recordByte =
      (byte >= TLS_CONTENT_TYPE_MIN && byte <= TLS_CONTENT_TYPE_MAX) || (byte & SSL2_HEADER_BIT) !== 0;
    if ((first || side.expectTls) && recordByte) {
      side.tlsKind = side.expectTls ? 'expected' : 'first-byte';
      return true;
    }
    // A ClientHello in the middle of a plaintext dialogue, without STARTTLS (0x16 never begins a text line;
    // a client that sent binary junk from the start is not believed).
    if (from === 'client' && byte === TLS_HANDSHAKE && !side.firstLineBinary) {
      side.tlsKind = 'unasked';
      return true;
    }
    // The server's answer to that ClientHello, after its plaintext reply (an HTTP CONNECT proxy's "200", ja4/https-connect.pcap).
    if (from === 'server' && byte === TLS_HANDSHAKE && this.client.tlsKind === 'unasked' && !side.firstLineBinary) {
      side.tlsKind = 'unasked';
      return true;
    }
    if (side.expectTls) {
      side.expectTls = false;
      side.catchPlainLine = true;
    }
    return false;
  }

  /** Checks that the bytes where TLS begins start a TLS (or SSLv2) record, once 3 of them are known. */
  private checkTlsHead(from: Side, side: SideState, data: Buffer, start: number): void {
    if (side.headLength >= 3) return;
    for (let i = start; i < data.length && side.headLength < 3; i++) {
      side.headBytes = (side.headBytes << 8) | data[i]!;
      side.headLength++;
    }
    if (side.headLength < 3) return;
    const type = side.headBytes >>> 16;
    const major = (side.headBytes >>> 8) & 0xff;
    const minor = side.headBytes & 0xff;
    const tlsRecord =
      type >= TLS_CONTENT_TYPE_MIN &&
      type <= TLS_CONTENT_TYPE_MAX &&
      major === TLS_RECORD_VERSION_MAJOR &&
      minor <= TLS_RECORD_VERSION_MINOR_MAX;
    const ssl2Record = (type & SSL2_HEADER_BIT) !== 0 && SSL2_FIRST_MESSAGES.has(minor);
    if (!tlsRecord && !ssl2Record) {
      const hex = [type, major, minor].map((b) => b.toString(16).padStart(2, '0')).join(' ');
      this.streamProblems.push(
        `the ${from}'s bytes at offset ${side.tlsAt} were taken as the start of TLS but are not a TLS record header: ${hex}`,
      );
    }
  }

  /** Keeps bytes of an unfinished line, up to MAX_LINE (the rest of a longer line is dropped). */
  private keep(side: SideState, data: Buffer, from: number, to: number): void {
    const room = MAX_LINE - side.lineLength;
    const k = Math.min(room, to - from);
    if (k <= 0) return;
    if (side.line === null) side.line = Buffer.allocUnsafe(MAX_LINE);
    data.copy(side.line, side.lineLength, from, from + k);
    side.lineLength += k;
  }

  /** One complete line: `buf[start, end)` including its line ending. */
  private lineDone(from: Side, side: SideState, buf: Buffer, start: number, end: number, frame: number): void {
    let stop = end;
    if (stop > start && buf[stop - 1] === LF) stop--;
    if (stop > start && buf[stop - 1] === CR) stop--;
    if (stop - start > MAX_LINE) stop = start + MAX_LINE;
    side.lines++;
    const dialogue = this.dialogue;
    if (from === 'client' && dialogue?.clientBody) {
      // Message body: counted, not shown; only the lone '.' that ends it is a command.
      if (stop - start !== 1 || buf[start] !== DOT) {
        side.bodyLines++;
        side.bodyBytes += end - start;
        return;
      }
      this.note(from, frame, `[message body: ${side.bodyLines} lines, ${side.bodyBytes} bytes]`);
      side.bodyLines = 0;
      side.bodyBytes = 0;
    }
    const text = buf.toString('latin1', start, stop);
    if (dialogue === null && from === 'server' && this.app === null && side.lines === 1) this.sniff(text);
    // A text protocol we have no dialogue for that starts TLS with a bare STARTTLS (ManageSieve, RFC 5804 §2.2):
    // the client's command and the server's next line (OK …) mark where each side's TLS is expected.
    if (this.dialogue === null && this.front.carrier === null) {
      if (from === 'client' && !this.exchange.askedByClient && /^STARTTLS$/i.test(text)) this.exchange.asked();
      else if (from === 'server' && this.exchange.askedByClient && this.exchange.accepted === null) this.exchange.answered(text, /^OK\b/i.test(text));
    }
    // What the transcript and problem texts show: the line with credentials redacted.
    let shown = text;
    if (this.dialogue !== null) {
      if (from === 'client') shown = this.dialogue.clientLine(text);
      else this.dialogue.serverLine(text);
    }
    if (side.firstLine === null) {
      side.firstLine = shown;
      side.firstLineBinary = looksBinary(buf, start, stop);
      // Shown only for a binary first line (a hex string and a regular expression for every connection, otherwise).
      if (side.firstLineBinary) side.firstBytes = buf.toString('hex', start, Math.min(stop, start + 8)).replace(/(..)(?!$)/g, '$1 ');
    }
    if (side.catchPlainLine) {
      side.catchPlainLine = false;
      if (side.plainWhereTls === null) side.plainWhereTls = shown;
    }
    this.note(from, frame, shown);
  }

  /** Port without a known application: the server's first line names it. */
  private sniff(firstServerLine: string): void {
    let app: MailApplication | null = null;
    if (/^220[ -]/.test(firstServerLine)) app = 'smtp';
    else if (/^\* (OK|PREAUTH|BYE)\b/i.test(firstServerLine)) app = 'imap';
    else if (/^\+OK\b/i.test(firstServerLine)) app = 'pop3';
    // A ManageSieve greeting is its capability list, which RFC 5804 §1.7 says starts with IMPLEMENTATION.
    else if (/^"IMPLEMENTATION" "/i.test(firstServerLine)) app = 'managesieve';
    if (app === null) return;
    this.app = app;
    this.dialogue = makeDialogue(app, this.exchange);
  }

  private note(from: Side, frame: number, text: string): void {
    if (!this.keepTranscript) return;
    if (this.transcript.length >= MAX_TRANSCRIPT_LINES) {
      this.transcriptDropped++;
      return;
    }
    this.transcript.push({ from, frame, line: printable(text, MAX_TRANSCRIPT_CHARS) });
  }

  private protocol(): MailProtocol {
    if (this.front.carrier !== null) return this.front.carrier.name;
    const role = this.role;
    if (role?.implicitTls) return roleProtocol(role);
    // The server itself spoke TLS from its first byte: this port is an implicit-TLS port, whatever its number
    // suggests (e.g. implicit TLS on 587); so is an unknown port where the client opened with TLS and no
    // plaintext application showed up.
    if (this.server.tlsKind === 'first-byte' || (this.client.tlsKind === 'first-byte' && this.app === null)) {
      return protocolFor(this.app, true);
    }
    if (this.app === null) return 'unknown';
    if (this.exchange.askedByClient || this.client.tlsAt !== null) return role ? roleProtocol(role) : protocolFor(this.app, false);
    return plainProtocol(this.app);
  }

  private problem(): string | null {
    const { client, server } = this;
    const problems: string[] = [];
    const port = `port ${this.serverPort}`;
    const command = this.dialogue?.startCommand ?? 'STARTTLS';
    const anyTls = client.tlsAt !== null || server.tlsAt !== null;
    if (this.role?.implicitTls) {
      if (server.tlsAt === null && server.firstLine !== null) {
        problems.push(
          `server sent a plaintext banner on ${port}, where TLS starts at the first byte: ${quote(server.firstLine)}; ` +
            `the server is not set up for implicit TLS ("SSL/TLS") on this port` +
            (client.tlsAt !== null ? ', so it cannot answer the client\'s TLS' : ''),
        );
      } else if (client.tlsAt === null && client.firstLine !== null) {
        problems.push(
          `client sent plaintext ${quote(client.firstLine)} on ${port} without TLS: the mail client is set to ` +
            `"STARTTLS" (or no encryption) where this port needs "SSL/TLS"`,
        );
      }
    } else if (this.app !== null) {
      if (client.tlsKind === 'first-byte' && server.tlsKind !== 'first-byte') {
        problems.push(
          `client sent a TLS ClientHello on ${port} without ${command}: the mail client is set to "SSL/TLS" ` +
            `where this port needs "STARTTLS"`,
        );
      } else if (client.tlsKind === 'unasked') {
        problems.push(`client sent a TLS ClientHello on ${port} in the middle of the plaintext dialogue, without ${command}`);
      }
      const { askedByClient, accepted, reply, offeredByServer, heloUsed } = this.exchange;
      if (askedByClient) {
        if (accepted === false) {
          problems.push(`server refused ${command}: ${reply}`);
        } else if (accepted === true) {
          if (server.plainWhereTls !== null) {
            problems.push(
              `server accepted ${command} (${quote(reply ?? '')}) but then sent plaintext instead of TLS: ` +
                quote(server.plainWhereTls),
            );
          }
          if (client.plainWhereTls !== null && client.tlsAt === null) {
            problems.push(`server accepted ${command} but the client went on in plaintext: ${quote(client.plainWhereTls)}`);
          }
        } else if (!anyTls) {
          problems.push(`server never answered ${command}`);
        }
      } else if (!anyTls && client.firstLine !== null) {
        if (client.firstLineBinary) {
          problems.push(
            `client sent binary data that is neither ${this.app.toUpperCase()} nor TLS (first bytes ${client.firstBytes})`,
          );
        } else if (offeredByServer === false) {
          problems.push(`server did not offer ${command}`);
        } else if (offeredByServer === null && heloUsed) {
          problems.push(
            'client never asked for STARTTLS: it greeted with HELO, so the server could not offer it',
          );
        } else {
          problems.push(`client never asked for ${command}`);
        }
      }
    }
    const carrierProblem = this.front.carrier?.problem;
    if (carrierProblem) problems.push(carrierProblem);
    problems.push(...this.streamProblems);
    if (client.gapBytes > 0 || server.gapBytes > 0) {
      problems.push(
        `bytes of the plaintext phase were not captured (client ${client.gapBytes}, server ${server.gapBytes}), ` +
          'so this reading may be incomplete',
      );
    }
    return problems.length > 0 ? problems.join('; ') : null;
  }
}

function makeDialogue(app: MailApplication, events: DialogueEvents): Dialogue {
  switch (app) {
    case 'smtp':
      return new SmtpDialogue(events);
    case 'imap':
      return new ImapDialogue(events);
    case 'pop3':
      return new Pop3Dialogue(events);
    case 'managesieve':
      return new ManageSieveDialogue(events);
  }
}

/** Control characters, or mostly bytes above ASCII: not a line of a text protocol. */
function looksBinary(buf: Buffer, start: number, end: number): boolean {
  let high = 0;
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if ((b < 0x20 && b !== 0x09) || b === 0x7f) return true;
    if (b > 0x7f) high++;
  }
  return high * 4 > end - start;
}

/** ASCII with other characters as \xNN (and \ as \\), cut to `max` characters. */
function printable(text: string, max: number): string {
  // Most lines need no escaping: return them as they are, one flat string. Built a character at a time, a
  // line is a chain of a string object per character, kept as long as the connection's transcript.
  let plain = 0;
  while (plain < text.length && plain < max && isPlain(text.charCodeAt(plain))) plain++;
  if (plain === text.length || plain === max) return text.slice(0, plain);
  let out = text.slice(0, plain);
  for (let i = plain; i < text.length && out.length < max; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) out += '\\\\';
    else if ((c >= 0x20 && c < 0x7f) || c === 0x09) out += text[i];
    else out += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  // Flattened (a copy into one sequential string), so what is kept is the text, not the chain that built it.
  return (out.length > max ? out.slice(0, max) : out).normalize();
}

function isPlain(c: number): boolean {
  return ((c >= 0x20 && c < 0x7f) || c === 0x09) && c !== 0x5c;
}

function quote(text: string): string {
  const shown = printable(text, MAX_QUOTE_CHARS);
  return `"${shown}${shown.length >= MAX_QUOTE_CHARS ? '…' : ''}"`;
}

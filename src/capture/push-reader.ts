import { ByteQueue } from './byte-queue.js';
import {
  ALL_MAGICS,
  GZIP_MAGIC_0,
  GZIP_MAGIC_1,
  hexBytes,
  Magic,
  type FormatParser,
  type ParserContext,
} from './formats.js';
import { PcapParser } from './pcap.js';
import { PcapngParser } from './pcapng.js';
import type { CaptureDamage, CaptureSummary, Frame, FrameSink } from './types.js';

/**
 * Push parser for pcap and pcapng: feed it bytes as they arrive, in chunks of any size, then call end().
 *
 * The format is detected from the magic number, never the file name. Only the bytes of the current
 * incomplete record are kept between pushes. Frames are delivered to the sink synchronously during
 * push(); one Frame object is reused, and it and its `data` are only valid during the sink call.
 *
 * Damaged input never throws: reading stops at the first problem, which end() reports in `damage`;
 * every frame before it has been delivered. Bytes pushed after damage are ignored.
 *
 * push() keeps a reference to the chunk until its bytes are consumed (no copy): do not reuse or modify a
 * buffer after pushing it, unless it was pushed as `transient` (then what is left of it is copied). A record that spans chunks is gathered into one buffer once, when complete.
 *
 * The ParserContext methods (emitFrame, damage, …) are for the format parsers, not for callers.
 */
/** Distinct link types listed in a summary (real captures have one or a few). */
const MAX_LINK_TYPES_LISTED = 64;

export class CaptureReader implements ParserContext {
  readonly queue = new ByteQueue();
  private parser: FormatParser | null = null;
  private readonly frame = new ReaderFrame();
  private frameNumber = 0;
  private frames = 0;
  private truncatedFrames = 0;
  private bytes = 0;
  private readonly linkTypes: number[] = [];
  private readonly linkTypeSet = new Set<number>();
  private timePrecision = -1;
  /**
   * The first and last frame's times, when `frames` > 0 (numbers, never null: a field that can be null holds a
   * fractional number as an object of its own, allocated at every store).
   */
  private firstTime = 0;
  private lastTime = 0;
  /** ParserContext.frameTime. */
  frameTime = 0;
  private damageFound: CaptureDamage | null = null;
  private ended = false;

  constructor(
    private readonly file: string,
    private readonly sink: FrameSink,
    /** Receives the capture's decryption secrets (pcapng Decryption Secrets Blocks). */
    private readonly onSecrets?: (type: number, data: Buffer) => void,
  ) {}

  secrets(type: number, data: Buffer): void {
    this.onSecrets?.(type, data);
  }

  /** True once damage was found: further input is ignored, so a caller may stop reading. */
  get stopped(): boolean {
    return this.damageFound !== null;
  }

  /** `transient`: the caller reuses the chunk's buffer once push() returns. */
  push(chunk: Buffer, transient = false): void {
    if (this.damageFound || this.ended || chunk.length === 0) return;
    this.bytes += chunk.length;
    this.queue.push(chunk);
    if (this.parser || this.detect()) this.parser!.parse();
    if (transient) this.queue.release(chunk);
  }

  end(): CaptureSummary {
    if (!this.ended) {
      this.ended = true;
      if (!this.damageFound) {
        if (this.bytes === 0) {
          this.damageFound = { kind: 'empty', offset: 0, message: 'the file is empty' };
        } else if (!this.parser) {
          this.damageFound = this.shortFileDamage();
        } else {
          this.damageFound = this.parser.atEnd();
        }
      }
    }
    return {
      file: this.file,
      format: this.parser ? this.parser.format : null,
      gzip: false,
      frames: this.frames,
      truncatedFrames: this.truncatedFrames,
      bytes: this.bytes,
      linkTypes: this.linkTypes.slice(),
      timePrecision: this.timePrecision < 0 ? 6 : this.timePrecision,
      firstTime: this.frames > 0 ? this.firstTime : null,
      lastTime: this.frames > 0 ? this.lastTime : null,
      damage: this.damageFound,
    };
  }

  // ParserContext

  emitFrame(linkType: number, interfaceId: number, data: Buffer, originalLength: number): void {
    this.emitFrameAt(linkType, interfaceId, data, 0, data.length, originalLength);
  }

  emitFrameAt(linkType: number, interfaceId: number, buf: Buffer, start: number, end: number, originalLength: number): void {
    const time = this.frameTime;
    const f = this.frame;
    f.number = ++this.frameNumber;
    f.time = time;
    f.linkType = linkType;
    f.interfaceId = interfaceId;
    f.place(buf, start, end);
    f.originalLength = originalLength;
    if (++this.frames === 1) this.firstTime = time;
    if (end - start < originalLength) this.truncatedFrames++;
    this.lastTime = time;
    this.sink(f);
  }

  nextFrameNumber(): number {
    return this.frameNumber + 1;
  }

  skipFrameNumber(): void {
    this.frameNumber++;
  }

  damage(kind: CaptureDamage['kind'], offset: number, message: string): void {
    if (!this.damageFound) this.damageFound = { kind, offset, message };
  }

  declareLinkType(linkType: number): void {
    // A Set, and a bounded list: a pcapng of a million interface blocks, each of another link type, must cost
    // neither quadratic time nor a list as long as the file.
    if (this.linkTypeSet.has(linkType) || this.linkTypeSet.size >= MAX_LINK_TYPES_LISTED) return;
    this.linkTypeSet.add(linkType);
    this.linkTypes.push(linkType);
  }

  declareTimePrecision(digits: number): void {
    if (this.timePrecision < 0) this.timePrecision = digits;
  }

  private detect(): boolean {
    if (this.queue.length < 4) return false;
    const head = this.queue.peek(4);
    const magic = head.readUInt32BE(0);
    if (magic === Magic.PCAPNG_SHB) {
      this.parser = new PcapngParser(this);
      return true;
    }
    if (ALL_MAGICS.includes(magic)) {
      this.parser = new PcapParser(this);
      return true;
    }
    this.damage('not-a-capture', 0, notACaptureMessage(head));
    return false;
  }

  /** Fewer than four bytes: a cut-off magic number, or something else. */
  private shortFileDamage(): CaptureDamage {
    const n = this.queue.length;
    const head = this.queue.peek(n);
    const prefixOfMagic = ALL_MAGICS.some((m) => {
      for (let i = 0; i < n; i++) if (head[i] !== ((m >>> (24 - 8 * i)) & 0xff)) return false;
      return true;
    });
    if (prefixOfMagic) {
      return { kind: 'truncated', offset: 0, message: `the file ends inside its magic number: ${n} of 4 bytes` };
    }
    return { kind: 'not-a-capture', offset: 0, message: notACaptureMessage(head) };
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * The one Frame a reader hands out, filled in place; `data` is built only if it is read. Its own enumerable
 * properties are a plain Frame's (a copy made by spreading it holds `data`); where `data` lies is not among
 * them.
 */
class ReaderFrame implements Frame {
  number = 0;
  time = 0;
  linkType = 0;
  interfaceId = 0;
  originalLength = 0;
  declare buffer: Buffer;
  declare offset: number;
  declare capturedLength: number;
  declare data: Buffer;
  private declare view: Buffer | null;

  constructor() {
    Object.defineProperties(this, {
      buffer: { value: EMPTY, writable: true, enumerable: false },
      offset: { value: 0, writable: true, enumerable: false },
      capturedLength: { value: 0, writable: true, enumerable: false },
      view: { value: null, writable: true, enumerable: false },
      data: {
        enumerable: true,
        get(this: ReaderFrame): Buffer {
          return (this.view ??= this.buffer.subarray(this.offset, this.offset + this.capturedLength));
        },
      },
    });
  }

  place(buf: Buffer, start: number, end: number): void {
    this.buffer = buf;
    this.offset = start;
    this.capturedLength = end - start;
    this.view = start === 0 && end === buf.length ? buf : null;
  }
}

function notACaptureMessage(head: Buffer): string {
  const hex = hexBytes(head, 4);
  if (head.length >= 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1) {
    return `not a pcap or pcapng file: it starts with ${hex}, gzip-compressed data`;
  }
  let text = true;
  for (let i = 0; i < head.length; i++) {
    const b = head[i];
    if (!(b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f))) text = false;
  }
  return `not a pcap or pcapng file: it starts with ${hex}${text ? ', which looks like text' : ''}`;
}

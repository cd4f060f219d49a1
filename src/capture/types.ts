/**
 * One captured frame, as the capture file stores it.
 *
 * Readers reuse buffers: `data` is a view into the reader's current chunk and is only valid during
 * the `onFrame` call. Copy what you keep.
 */
export interface Frame {
  /** 1-based position in the capture, counted over all sections and interfaces (Wireshark's frame.number). */
  number: number;
  /** Seconds since the Unix epoch, with the sub-second part (microsecond precision survives a double). */
  time: number;
  /** LINKTYPE_* value of the interface that captured the frame. */
  linkType: number;
  /** pcapng interface index (0 for classic pcap). */
  interfaceId: number;
  /** The bytes that were captured (may be fewer than `originalLength` when snaplen cut the packet). */
  data: Buffer;
  /** Length of the packet on the wire. */
  originalLength: number;
  /**
   * Where `data` lies, when the reader says so (CaptureReader does): `data` is buffer[offset, offset +
   * capturedLength). A decoder reads the frame there, and the reader builds `data` only when it is read.
   */
  buffer?: Buffer;
  offset?: number;
  capturedLength?: number;
}

export type CaptureFormat = 'pcap' | 'pcapng';

/** Why a capture could not be read to its end. Never thrown out of a reader: it is recorded and reading stops. */
export interface CaptureDamage {
  /**
   * 'not-a-capture': unknown magic; 'empty': zero bytes; 'truncated': ends mid-header or mid-packet; 'corrupt': a
   * length or field that cannot be right; 'unreadable': the file could not be opened or reading it failed (only
   * with `ReadCaptureOptions.unreadableAsDamage`).
   */
  kind: 'not-a-capture' | 'empty' | 'truncated' | 'corrupt' | 'unreadable';
  /** Byte offset in the (decompressed) capture where the problem is. */
  offset: number;
  /** One line, no file name (the caller adds it): "packet record 1234 is cut off: 60 of 1514 bytes". */
  message: string;
}

export interface CaptureSummary {
  /** The file name as given by the user ('-' for stdin). */
  file: string;
  format: CaptureFormat | null;
  gzip: boolean;
  /** Frames delivered to the sink. */
  frames: number;
  /** Frames whose captured length is smaller than the original length (snaplen). */
  truncatedFrames: number;
  /** Bytes of (decompressed) capture read. */
  bytes: number;
  /** Distinct link types seen, in order of first appearance. */
  linkTypes: number[];
  /** Timestamp precision of the file or of its first interface, in digits after the second (6 or 9, …). */
  timePrecision: number;
  /** Time of the first and last frame, or null when there were none. */
  firstTime: number | null;
  lastTime: number | null;
  /** Present when the file could not be read to its end; every frame before `damage.offset` was delivered. */
  damage: CaptureDamage | null;
}

export type FrameSink = (frame: Frame) => void;

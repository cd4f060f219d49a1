import type { Frame } from '../capture/types.js';

/** TCP flag bits, as in the TCP header's flags byte. */
export const TcpFlag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
} as const;

/** Options from a TCP header that later stages explain failures with. Absent ones are undefined. */
export interface TcpOptions {
  mss?: number;
  windowScale?: number;
  sackPermitted?: boolean;
  /** SACK blocks as [left, right) sequence pairs. */
  sack?: number[];
  timestamp?: { value: number; echo: number };
}

/**
 * One TCP segment decoded from a frame (after link layer, VLAN/tunnel, IP and IP fragment reassembly).
 *
 * Like Frame, `payload` is a view into reader memory, valid only during the call that hands it out.
 */
export interface TcpSegment {
  frame: number;
  time: number;
  ipVersion: 4 | 6;
  /** Canonical text form: dotted quad for IPv4, RFC 5952 for IPv6. */
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  /** Unsigned 32-bit sequence and acknowledgement numbers. */
  seq: number;
  ack: number;
  /** Flags byte (see TcpFlag). */
  flags: number;
  /** Window field as sent (not yet scaled). */
  window: number;
  options: TcpOptions;
  /** TCP payload bytes that were captured. */
  payload: Buffer;
  /**
   * Payload length according to the IP header. Larger than payload.length when snaplen cut the frame:
   * the missing bytes were on the wire but not captured.
   */
  payloadLength: number;
  /**
   * IPv4 source and destination as unsigned 32-bit numbers, when the decoder provides them (NetDecoder with
   * `reuseSegments`): the tracker keys connections by them instead of by the address text.
   */
  srcV4?: number;
  dstV4?: number;
  /** `payload.length`, given without building the view (ReusedSegment builds it only when it is read). */
  payloadCaptured?: number;
}

/** Counters for what the network layer skipped; nothing here is fatal. */
export interface NetStats {
  frames: number;
  tcpSegments: number;
  /** Frames of a link type we do not decode, by LINKTYPE value. */
  unknownLinkTypes: Record<number, number>;
  /** IP packets that are not TCP (UDP, ICMP, …). */
  nonTcp: number;
  /** Frames that are not IP at all (ARP, LLDP, …). */
  nonIp: number;
  /** Frames too short or inconsistent to decode. */
  malformed: number;
  /** IPv4/IPv6 fragments seen, and datagrams rebuilt from them. */
  fragments: number;
  reassembledDatagrams: number;
}

export interface NetDecoderApi {
  /** Decode one frame. Returns null when the frame carries no (complete) TCP segment. */
  decode(frame: Frame): TcpSegment | null;
  readonly stats: NetStats;
}

import type { Frame } from '../capture/types.js';
import { AddressNames } from './address.js';
import {
  ARPHRD_NETLINK,
  BsdAddressFamily,
  EtherType,
  GRE_PPP,
  IpProto,
  LinkType,
  PppProtocol,
  TunnelPort,
} from './constants.js';
import { DEFAULT_REASSEMBLY_LIMITS, FragmentReassembler, type ReassemblyLimits } from './reassembly.js';
import { ReusedSegment } from './reused-segment.js';
import { parseTcpOptions } from './tcp-options.js';
import type { NetDecoderApi, NetStats, TcpSegment } from './types.js';

/** Tunnels inside tunnels beyond this depth are treated as malformed (a crafted packet could nest forever). */
const MAX_ENCAPSULATION_DEPTH = 8;
/** IPv6 extension headers followed per packet. */
const MAX_IPV6_EXTENSION_HEADERS = 16;

const ETHERNET_HEADER = 14;
const SLL_HEADER = 16;
const SLL2_HEADER = 20;
const NULL_HEADER = 4;
const PPPOE_HEADER = 6;
const VLAN_TAG = 4;
const IPV4_MIN_HEADER = 20;
const IPV6_HEADER = 40;
const IPV6_FRAGMENT_HEADER = 8;
const TCP_MIN_HEADER = 20;
const UDP_HEADER = 8;
const VXLAN_HEADER = 8;
const GTP_MIN_HEADER = 8;
const GTP_MESSAGE_G_PDU = 0xff;
const GENEVE_MIN_HEADER = 8;

export interface NetDecoderOptions {
  reassembly?: Partial<ReassemblyLimits>;
  /**
   * Hand out one segment object, filled in place for each frame (see ReusedSegment), instead of a new one per
   * frame: for a caller that is done with a segment when the next frame comes (the pipeline). It also carries
   * `srcV4`/`dstV4`.
   */
  reuseSegments?: boolean;
}

/**
 * Lengths: every `end` passed between the methods below is the *reported* end of a layer, the way
 * Wireshark counts it: where the packet ends on the wire, which may lie beyond the captured bytes
 * (`buf.length`) when snaplen cut the frame. A length field (IP total length, PPPoE length) narrows it
 * but never widens it: an IP header claiming more than the packet had is clamped, like Wireshark does.
 * Bounds checks use the captured end, min(end, buf.length).
 */

/**
 * Frame → TcpSegment: link layer (Ethernet with VLAN/QinQ/MPLS/LLC-SNAP/PPPoE, Linux SLL and SLL2, raw IP,
 * BSD NULL/LOOP), IPv4 (options, padding trimmed, fragments reassembled), IPv6 (extension headers,
 * fragments reassembled, AH skipped), tunnels (IP-in-IP, 6in4, GRE, VXLAN, Geneve, GTP-U) and TCP.
 *
 * Never throws on packet bytes: what cannot be decoded is counted in `stats` and gives null.
 * A returned segment's `payload` views frame (or reassembly) memory: valid only during the call.
 * For tunnelled packets the segment carries the innermost IP header's addresses.
 */
export class NetDecoder implements NetDecoderApi {
  readonly stats: NetStats = {
    frames: 0,
    tcpSegments: 0,
    unknownLinkTypes: {},
    nonTcp: 0,
    nonIp: 0,
    malformed: 0,
    fragments: 0,
    reassembledDatagrams: 0,
  };
  private readonly names = new AddressNames();
  private readonly reused: ReusedSegment | null;
  private readonly ipv4Fragments: FragmentReassembler;
  private readonly ipv6Fragments: FragmentReassembler;
  /** The frame being decoded. */
  private frameNumber = 0;
  private frameTime = 0;

  constructor(options: NetDecoderOptions = {}) {
    const limits = { ...DEFAULT_REASSEMBLY_LIMITS, ...options.reassembly };
    this.reused = options.reuseSegments ? new ReusedSegment(this.names) : null;
    this.ipv4Fragments = new FragmentReassembler(limits);
    this.ipv6Fragments = new FragmentReassembler(limits);
  }

  decode(frame: Frame): TcpSegment | null {
    this.stats.frames++;
    this.frameNumber = frame.number;
    this.frameTime = frame.time;
    // The frame's bytes are d[b, b + length): read in place in the reader's chunk when the frame says where
    // (no view built per frame), else its `data`.
    let d: Buffer;
    let b: number;
    let length: number;
    if (frame.buffer !== undefined) {
      d = frame.buffer;
      b = frame.offset ?? 0;
      length = frame.capturedLength ?? 0;
    } else {
      d = frame.data;
      b = 0;
      length = d.length;
    }
    frameBuffer = d;
    frameCapturedEnd = b + length;
    const end = b + (frame.originalLength > length ? frame.originalLength : length);
    switch (frame.linkType) {
      case LinkType.ETHERNET:
        return this.ethernet(d, b, end, 0);
      case LinkType.LINUX_SLL:
        if (length < SLL_HEADER) return this.malformed();
        if (d.readUInt16BE(b + 2) === ARPHRD_NETLINK) return this.nonIp();
        return this.etherType(d, b + SLL_HEADER, end, d.readUInt16BE(b + 14), 0);
      case LinkType.LINUX_SLL2:
        if (length < SLL2_HEADER) return this.malformed();
        if (d.readUInt16BE(b + 8) === ARPHRD_NETLINK) return this.nonIp();
        return this.etherType(d, b + SLL2_HEADER, end, d.readUInt16BE(b), 0);
      case LinkType.RAW:
        return this.rawIp(d, b, end, 0);
      case LinkType.RAW_12:
      case LinkType.RAW_14: {
        // Raw IP on most systems; on OpenBSD 12 is DLT_LOOP (a big-endian address family first).
        const version = length > 0 ? d[b] >> 4 : 0;
        if (version === 4 || version === 6 || length < NULL_HEADER) return this.rawIp(d, b, end, 0);
        return this.bsdFamily(d, b + NULL_HEADER, end, d.readUInt32BE(b), 0);
      }
      case LinkType.IPV4:
        return this.ipv4(d, b, end, 0);
      case LinkType.IPV6:
        return this.ipv6(d, b, end, 0);
      case LinkType.NULL:
      case LinkType.LOOP: {
        if (length < NULL_HEADER) return this.malformed();
        let family: number;
        if (frame.linkType === LinkType.LOOP) family = d.readUInt32BE(b);
        else {
          // Host byte order of the capturing machine: a family is small, so a value with high bits set was swapped.
          family = d.readUInt32LE(b);
          if (family > 0xffff) family = d.readUInt32BE(b);
        }
        return this.bsdFamily(d, b + NULL_HEADER, end, family, 0);
      }
      default:
        this.stats.unknownLinkTypes[frame.linkType] = (this.stats.unknownLinkTypes[frame.linkType] ?? 0) + 1;
        return null;
    }
  }

  private bsdFamily(buf: Buffer, off: number, end: number, family: number, depth: number): TcpSegment | null {
    switch (family) {
      case BsdAddressFamily.INET:
        return this.ipv4(buf, off, end, depth);
      case BsdAddressFamily.INET6_BSD:
      case BsdAddressFamily.INET6_FREEBSD:
      case BsdAddressFamily.INET6_DARWIN:
        return this.ipv6(buf, off, end, depth);
      default:
        return this.nonIp();
    }
  }

  private ethernet(buf: Buffer, off: number, end: number, depth: number): TcpSegment | null {
    if (captured(buf, end) - off < ETHERNET_HEADER) return this.malformed();
    return this.etherType(buf, off + ETHERNET_HEADER, end, buf.readUInt16BE(off + 12), depth);
  }

  /** What follows an Ethernet type field: VLAN tags, LLC/SNAP, MPLS and PPPoE are walked through. */
  private etherType(buf: Buffer, off: number, end: number, type: number, depth: number): TcpSegment | null {
    const cap = captured(buf, end);
    for (;;) {
      switch (type) {
        case EtherType.IPV4:
          return this.ipv4(buf, off, end, depth);
        case EtherType.IPV6:
          return this.ipv6(buf, off, end, depth);
        case EtherType.VLAN:
        case EtherType.QINQ:
        case EtherType.QINQ_OLD_9100:
        case EtherType.QINQ_OLD_9200:
          if (cap - off < VLAN_TAG) return this.malformed();
          type = buf.readUInt16BE(off + 2);
          off += VLAN_TAG;
          continue;
        case EtherType.PPPOE_SESSION: {
          if (cap - off < PPPOE_HEADER + 2) return this.malformed();
          const length = buf.readUInt16BE(off + 4);
          const protocol = buf.readUInt16BE(off + PPPOE_HEADER);
          const pppEnd = Math.min(end, off + PPPOE_HEADER + length);
          const payload = off + PPPOE_HEADER + 2;
          if (protocol === PppProtocol.IPV4) return this.ipv4(buf, payload, pppEnd, depth);
          if (protocol === PppProtocol.IPV6) return this.ipv6(buf, payload, pppEnd, depth);
          return this.nonIp();
        }
        case EtherType.MPLS_UNICAST:
        case EtherType.MPLS_MULTICAST: {
          // Pop labels to the bottom of the stack, then guess the payload from the IP version nibble.
          for (;;) {
            if (cap - off < 4) return this.malformed();
            const bottom = buf[off + 2] & 1;
            off += 4;
            if (bottom) break;
          }
          if (off >= cap) return this.malformed();
          return this.rawIp(buf, off, end, depth);
        }
        default:
          if (type <= EtherType.MAX_802_3_LENGTH) {
            // 802.3 length field: IP only under LLC/SNAP (AA AA 03, OUI, type).
            if (cap - off >= 8 && buf[off] === 0xaa && buf[off + 1] === 0xaa && buf[off + 2] === 0x03) {
              type = buf.readUInt16BE(off + 6);
              off += 8;
              continue;
            }
          }
          return this.nonIp();
      }
    }
  }

  /** IP whose version is known only from its first nibble. */
  private rawIp(buf: Buffer, off: number, end: number, depth: number): TcpSegment | null {
    if (off >= captured(buf, end)) return this.malformed();
    const version = buf[off] >> 4;
    if (version === 4) return this.ipv4(buf, off, end, depth);
    if (version === 6) return this.ipv6(buf, off, end, depth);
    return this.nonIp();
  }

  private ipv4(buf: Buffer, off: number, end: number, depth: number): TcpSegment | null {
    const cap = captured(buf, end);
    if (cap - off < IPV4_MIN_HEADER || buf[off] >> 4 !== 4) return this.malformed();
    const headerLength = (buf[off] & 0x0f) * 4;
    const totalLength = buf.readUInt16BE(off + 2);
    // Zero: the capture was taken before segmentation offload filled it in; the frame holds the packet.
    const ipEnd = totalLength === 0 || off + totalLength > end ? end : off + totalLength;
    if (headerLength < IPV4_MIN_HEADER || ipEnd - off < headerLength || cap - off < headerLength) {
      return this.malformed();
    }
    const fragmentField = buf.readUInt16BE(off + 6);
    const moreFragments = (fragmentField & 0x2000) !== 0;
    const fragmentOffset = (fragmentField & 0x1fff) * 8;
    const protocol = buf[off + 9];
    const payload = off + headerLength;
    if (moreFragments || fragmentOffset !== 0) {
      this.stats.fragments++;
      // A fragment cut by snaplen cannot be used: its datagram will never complete and times out.
      if (cap < ipEnd) return null;
      const key = `4:${buf.readUInt32BE(off + 12)}:${buf.readUInt32BE(off + 16)}:${buf.readUInt16BE(off + 4)}:${protocol}`;
      const r = this.ipv4Fragments.add(
        key,
        this.frameTime,
        fragmentOffset,
        moreFragments,
        buf.subarray(payload, ipEnd),
        protocol,
      );
      if (typeof r === 'string') return null;
      this.stats.reassembledDatagrams++;
      const whole = r.payload;
      return this.transport(protocol, 4, buf, off + 12, off + 16, whole, 0, whole.length, depth);
    }
    return this.transport(protocol, 4, buf, off + 12, off + 16, buf, payload, ipEnd, depth);
  }

  private ipv6(buf: Buffer, off: number, end: number, depth: number): TcpSegment | null {
    if (captured(buf, end) - off < IPV6_HEADER || buf[off] >> 4 !== 6) return this.malformed();
    const payloadLength = buf.readUInt16BE(off + 4);
    // Zero: a jumbogram or a capture before segmentation offload; the frame holds the packet.
    const ipEnd = payloadLength === 0 || off + IPV6_HEADER + payloadLength > end ? end : off + IPV6_HEADER + payloadLength;
    return this.ipv6Chain(buf[off + 6], buf, off, off + IPV6_HEADER, ipEnd, buf, depth);
  }

  /**
   * Follow IPv6 extension headers from `p` (next header `next`) to the upper layer, up to the reported
   * end `end`. `addr` holds the fixed header at `hdr` (for the addresses); `buf` holds the headers being
   * walked (the packet, or a reassembled payload).
   */
  private ipv6Chain(
    next: number,
    addr: Buffer,
    hdr: number,
    p: number,
    end: number,
    buf: Buffer,
    depth: number,
  ): TcpSegment | null {
    const cap = captured(buf, end);
    for (let n = 0; n < MAX_IPV6_EXTENSION_HEADERS; n++) {
      switch (next) {
        case IpProto.HOP_BY_HOP:
        case IpProto.IPV6_ROUTING:
        case IpProto.IPV6_DEST_OPTIONS:
        case IpProto.IPV6_MOBILITY:
        case IpProto.HIP:
        case IpProto.SHIM6: {
          if (cap - p < 2) return this.malformed();
          const length = (buf[p + 1] + 1) * 8;
          next = buf[p];
          p += length;
          if (p > cap) return this.malformed();
          continue;
        }
        case IpProto.AH: {
          if (cap - p < 2) return this.malformed();
          const length = (buf[p + 1] + 2) * 4;
          next = buf[p];
          p += length;
          if (p > cap) return this.malformed();
          continue;
        }
        case IpProto.IPV6_FRAGMENT: {
          if (cap - p < IPV6_FRAGMENT_HEADER) return this.malformed();
          const field = buf.readUInt16BE(p + 2);
          const offset = field & 0xfff8;
          const more = (field & 1) !== 0;
          const fragmentNext = buf[p];
          if (offset === 0 && !more) {
            // Atomic fragment (RFC 6946): a whole packet that merely carries a fragment header.
            next = fragmentNext;
            p += IPV6_FRAGMENT_HEADER;
            continue;
          }
          this.stats.fragments++;
          // A fragment cut by snaplen cannot be used: its datagram will never complete and times out.
          if (cap < end) return null;
          const key = `6:${addr.toString('latin1', hdr + 8, hdr + 40)}:${buf.readUInt32BE(p + 4)}`;
          const r = this.ipv6Fragments.add(
            key,
            this.frameTime,
            offset,
            more,
            buf.subarray(p + IPV6_FRAGMENT_HEADER, end),
            fragmentNext,
          );
          if (typeof r === 'string') return null;
          this.stats.reassembledDatagrams++;
          const whole = r.payload;
          return this.ipv6Chain(r.protocol, addr, hdr, 0, whole.length, whole, depth);
        }
        default:
          return this.transport(next, 6, addr, hdr + 8, hdr + 24, buf, p, end, depth);
      }
    }
    return this.malformed();
  }

  /**
   * The IP payload [off, end) of protocol `protocol` (`end` reported: beyond `buf.length` when snaplen cut
   * the frame). The IP addresses are at srcOff/dstOff in `addr`.
   */
  private transport(
    protocol: number,
    ipVersion: 4 | 6,
    addr: Buffer,
    srcOff: number,
    dstOff: number,
    buf: Buffer,
    off: number,
    end: number,
    depth: number,
  ): TcpSegment | null {
    switch (protocol) {
      case IpProto.TCP:
        return this.tcp(ipVersion, addr, srcOff, dstOff, buf, off, end);
      case IpProto.IPV4_IN_IP:
        if (depth >= MAX_ENCAPSULATION_DEPTH) return this.malformed();
        return this.ipv4(buf, off, end, depth + 1);
      case IpProto.IPV6_IN_IP:
        if (depth >= MAX_ENCAPSULATION_DEPTH) return this.malformed();
        return this.ipv6(buf, off, end, depth + 1);
      case IpProto.GRE:
        if (depth >= MAX_ENCAPSULATION_DEPTH) return this.malformed();
        return this.gre(buf, off, end, depth + 1);
      case IpProto.UDP:
        return this.udp(buf, off, end, depth);
      default:
        return this.nonTcp();
    }
  }

  private udp(buf: Buffer, off: number, end: number, depth: number): TcpSegment | null {
    const cap = captured(buf, end);
    if (cap - off < UDP_HEADER) return this.nonTcp();
    const srcPort = buf.readUInt16BE(off);
    const dstPort = buf.readUInt16BE(off + 2);
    const p = off + UDP_HEADER;
    if (depth >= MAX_ENCAPSULATION_DEPTH) return this.nonTcp();
    if (dstPort === TunnelPort.VXLAN) {
      // Flags byte with the I bit (VNI valid); the rest of the header is VNI and reserved bytes.
      if (cap - p >= VXLAN_HEADER && (buf[p] & 0x08) !== 0) return this.ethernet(buf, p + VXLAN_HEADER, end, depth + 1);
      return this.nonTcp();
    }
    if (dstPort === TunnelPort.GTP_U || srcPort === TunnelPort.GTP_U) return this.gtpU(buf, p, end, depth + 1);
    if (dstPort === TunnelPort.GENEVE) return this.geneve(buf, p, end, depth + 1);
    return this.nonTcp();
  }

  /** GTP-U (3GPP TS 29.281): only G-PDUs carry user IP packets. */
  private gtpU(buf: Buffer, off: number, end: number, depth: number): TcpSegment | null {
    const cap = captured(buf, end);
    if (cap - off < GTP_MIN_HEADER) return this.nonTcp();
    const flags = buf[off];
    if (flags >> 5 !== 1 || (flags & 0x10) === 0 || buf[off + 1] !== GTP_MESSAGE_G_PDU) return this.nonTcp();
    let p = off + GTP_MIN_HEADER;
    if (flags & 0x07) {
      // Sequence number (2), N-PDU number (1), next extension header type (1), then the extensions.
      if (cap - p < 4) return this.malformed();
      let nextExtension = buf[p + 3];
      p += 4;
      while (nextExtension !== 0) {
        if (p >= cap) return this.malformed();
        const length = buf[p] * 4;
        if (length === 0 || p + length > cap) return this.malformed();
        nextExtension = buf[p + length - 1];
        p += length;
      }
    }
    return this.rawIp(buf, p, end, depth);
  }

  /** Geneve (RFC 8926). */
  private geneve(buf: Buffer, off: number, end: number, depth: number): TcpSegment | null {
    const cap = captured(buf, end);
    if (cap - off < GENEVE_MIN_HEADER || buf[off] >> 6 !== 0) return this.nonTcp();
    const p = off + GENEVE_MIN_HEADER + (buf[off] & 0x3f) * 4;
    if (p > cap) return this.malformed();
    const protocol = buf.readUInt16BE(off + 2);
    if (protocol === EtherType.TRANSPARENT_ETHERNET) return this.ethernet(buf, p, end, depth);
    return this.etherType(buf, p, end, protocol, depth);
  }

  /** GRE (RFC 2784/2890), and PPTP's enhanced GRE (version 1, RFC 2637) carrying PPP. */
  private gre(buf: Buffer, off: number, end: number, depth: number): TcpSegment | null {
    const cap = captured(buf, end);
    if (cap - off < 4) return this.malformed();
    const flags = buf.readUInt16BE(off);
    const protocol = buf.readUInt16BE(off + 2);
    const version = flags & 0x07;
    let p = off + 4;
    if (version === 0) {
      if (flags & 0x4000) return this.nonTcp(); // source routing (RFC 1701), obsolete
      if (flags & 0x8000) p += 4; // checksum + reserved
      if (flags & 0x2000) p += 4; // key
      if (flags & 0x1000) p += 4; // sequence number
      if (p > cap) return this.malformed();
      if (protocol === EtherType.TRANSPARENT_ETHERNET) return this.ethernet(buf, p, end, depth);
      return this.etherType(buf, p, end, protocol, depth);
    }
    if (version === 1 && protocol === GRE_PPP) {
      p += 4; // payload length + call ID (the key field, always present)
      if (flags & 0x1000) p += 4; // sequence number
      if (flags & 0x0080) p += 4; // acknowledgement number
      if (cap - p < 2) return this.malformed();
      if (buf[p] === 0xff && buf[p + 1] === 0x03) p += 2; // HDLC address and control, unless compressed away
      if (cap - p < 1) return this.malformed();
      // PPP protocol field, possibly compressed to one byte (an odd first byte).
      let pppProtocol = buf[p];
      if ((pppProtocol & 1) === 0) {
        if (cap - p < 2) return this.malformed();
        pppProtocol = buf.readUInt16BE(p);
        p += 2;
      } else {
        p += 1;
      }
      if (pppProtocol === PppProtocol.IPV4) return this.ipv4(buf, p, end, depth);
      if (pppProtocol === PppProtocol.IPV6) return this.ipv6(buf, p, end, depth);
      return this.nonIp();
    }
    return this.nonTcp();
  }

  private tcp(
    ipVersion: 4 | 6,
    addr: Buffer,
    srcOff: number,
    dstOff: number,
    buf: Buffer,
    off: number,
    end: number,
  ): TcpSegment | null {
    const cap = captured(buf, end);
    const length = end - off;
    if (cap - off < TCP_MIN_HEADER || length < TCP_MIN_HEADER) return this.malformed();
    const headerLength = (buf[off + 12] >> 4) * 4;
    if (headerLength < TCP_MIN_HEADER || headerLength > length) return this.malformed();
    const headerEnd = off + headerLength;
    const payloadStart = headerEnd < cap ? headerEnd : cap;
    const names = this.names;
    this.stats.tcpSegments++;
    if (this.reused !== null) {
      // The time stored here, not passed to fill: a fraction passed to a function not inlined is a new number.
      const seg = this.reused;
      seg.time = this.frameTime;
      return seg.fill(this.frameNumber, ipVersion, addr, srcOff, dstOff, buf, off, payloadStart, cap, length - headerLength);
    }
    return {
      frame: this.frameNumber,
      time: this.frameTime,
      ipVersion,
      src: ipVersion === 4 ? names.ipv4(addr, srcOff) : names.ipv6(addr, srcOff),
      dst: ipVersion === 4 ? names.ipv4(addr, dstOff) : names.ipv6(addr, dstOff),
      srcPort: buf.readUInt16BE(off),
      dstPort: buf.readUInt16BE(off + 2),
      seq: buf.readUInt32BE(off + 4),
      ack: buf.readUInt32BE(off + 8),
      flags: buf[off + 13],
      window: buf.readUInt16BE(off + 14),
      options: parseTcpOptions(buf, off + TCP_MIN_HEADER, payloadStart),
      payload: buf.subarray(payloadStart, cap),
      payloadLength: length - headerLength,
    };
  }

  private malformed(): null {
    this.stats.malformed++;
    return null;
  }

  private nonTcp(): null {
    this.stats.nonTcp++;
    return null;
  }

  private nonIp(): null {
    this.stats.nonIp++;
    return null;
  }
}

/**
 * The frame being decoded: its buffer may be the reader's whole chunk, whose captured part ends at
 * frameCapturedEnd, not at the buffer's end. (Decoding is synchronous: one frame at a time.)
 */
let frameBuffer: Buffer | null = null;
let frameCapturedEnd = 0;

/** The captured end of a layer whose reported end is `end`. */
function captured(buf: Buffer, end: number): number {
  const cap = buf === frameBuffer ? frameCapturedEnd : buf.length;
  return end < cap ? end : cap;
}

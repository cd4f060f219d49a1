import {
  Magic,
  MAX_CAPTURED_LENGTH,
  stripFcs,
  ticksToSeconds,
  type FormatParser,
  type ParserContext,
} from './formats.js';
import type { CaptureDamage } from './types.js';

/** pcapng block types (draft-ietf-opsawg-pcapng). */
export const BlockType = {
  SECTION_HEADER: 0x0a0d0d0a,
  INTERFACE_DESCRIPTION: 0x00000001,
  /** Obsolete Packet Block. */
  PACKET: 0x00000002,
  SIMPLE_PACKET: 0x00000003,
  NAME_RESOLUTION: 0x00000004,
  INTERFACE_STATISTICS: 0x00000005,
  ENHANCED_PACKET: 0x00000006,
  SYSTEMD_JOURNAL_EXPORT: 0x00000009,
  DECRYPTION_SECRETS: 0x0000000a,
  CUSTOM_COPY: 0x00000bad,
  CUSTOM_NO_COPY: 0x40000bad,
} as const;

/** Decryption Secrets Block secrets types (draft-ietf-opsawg-pcapng §4.8). */
export const SecretsType = {
  /** 'TLSK': an NSS key log (RFC 9850), as `editcap --inject-secrets tls,FILE` writes it. */
  TLS_KEY_LOG: 0x544c534b,
} as const;

const BLOCK_NAMES: Record<number, string> = {
  [BlockType.SECTION_HEADER]: 'Section Header Block',
  [BlockType.INTERFACE_DESCRIPTION]: 'Interface Description Block',
  [BlockType.PACKET]: 'Packet Block',
  [BlockType.SIMPLE_PACKET]: 'Simple Packet Block',
  [BlockType.NAME_RESOLUTION]: 'Name Resolution Block',
  [BlockType.INTERFACE_STATISTICS]: 'Interface Statistics Block',
  [BlockType.ENHANCED_PACKET]: 'Enhanced Packet Block',
  [BlockType.SYSTEMD_JOURNAL_EXPORT]: 'systemd Journal Export Block',
  [BlockType.DECRYPTION_SECRETS]: 'Decryption Secrets Block',
  [BlockType.CUSTOM_COPY]: 'Custom Block',
  [BlockType.CUSTOM_NO_COPY]: 'Custom Block',
};

/** Smallest legal total length per block type (header 8 + fixed fields + trailing length 4). */
const MIN_BLOCK_LENGTH: Record<number, number> = {
  [BlockType.SECTION_HEADER]: 28,
  [BlockType.INTERFACE_DESCRIPTION]: 20,
  [BlockType.PACKET]: 32,
  [BlockType.SIMPLE_PACKET]: 16,
  [BlockType.ENHANCED_PACKET]: 32,
  [BlockType.DECRYPTION_SECRETS]: 20,
};
const MIN_ANY_BLOCK = 12;
/** Blocks we read whole (section, interface, packets): a real one is at most a packet plus options. */
const MAX_PARSED_BLOCK = 1024 * 1024;
/** Blocks we skip are discarded as they stream past, so they cost no memory; beyond this the length is nonsense. */
const MAX_SKIPPED_BLOCK = 16 * 1024 * 1024;

/** Interface Description Block options we use. */
const IdbOption = {
  END: 0,
  IF_TSRESOL: 9,
  IF_FCSLEN: 13,
  IF_TSOFFSET: 14,
} as const;

interface Interface {
  linkType: number;
  snapLength: number;
  unitsPerSecond: number;
  offsetSeconds: number;
  fcsBytes: number;
}

/** Wireshark makes a frame of these blocks although they hold no packet; frame numbers stay in step with it. */
function isNumberedNonPacket(type: number): boolean {
  return (
    type === BlockType.CUSTOM_COPY || type === BlockType.CUSTOM_NO_COPY || type === BlockType.SYSTEMD_JOURNAL_EXPORT
  );
}

export class PcapngParser implements FormatParser {
  readonly format = 'pcapng' as const;
  private littleEndian = true;
  private interfaces: Interface[] = [];
  /** Bytes of a skipped block still to discard, and the block's description for a cut-off message. */
  private skipRemaining = 0;
  private skipType = 0;
  private skipLength = 0;
  private skipOffset = 0;
  /** Time of the last packet, given to Simple Packet Blocks (which carry none). */
  private lastTime = 0;

  constructor(private readonly ctx: ParserContext) {}

  parse(): void {
    const q = this.ctx.queue;
    const ctx = this.ctx;
    for (;;) {
      if (this.skipRemaining > 0) {
        this.skipRemaining -= q.discard(this.skipRemaining);
        if (this.skipRemaining > 0) return;
      }
      if (q.length < 8) return;
      const offset = q.consumed;
      let head = q.peek(8);
      const rawType = head.readUInt32BE(0);
      let le = this.littleEndian;
      if (rawType === Magic.PCAPNG_SHB) {
        if (q.length < 12) return;
        head = q.peek(12);
        const bom = head.readUInt32LE(8);
        if (bom === Magic.PCAPNG_BYTE_ORDER) le = true;
        else if (head.readUInt32BE(8) === Magic.PCAPNG_BYTE_ORDER) le = false;
        else {
          ctx.damage('corrupt', offset + 8, `Section Header Block has no valid byte-order magic`);
          return;
        }
      }
      const type = rawType === Magic.PCAPNG_SHB ? rawType : le ? head.readUInt32LE(0) : rawType;
      const length = le ? head.readUInt32LE(4) : head.readUInt32BE(4);
      const name = blockName(type);
      const min = MIN_BLOCK_LENGTH[type] ?? MIN_ANY_BLOCK;
      if (length % 4 !== 0 || length < min) {
        ctx.damage(
          'corrupt',
          offset,
          length % 4 !== 0
            ? `${name} has length ${length}, not a multiple of 4`
            : `${name} has length ${length}, less than the minimum ${min}`,
        );
        return;
      }
      const parsed = type in MIN_BLOCK_LENGTH;
      // Secrets are read whole too: a key log of many connections may be longer than a packet.
      if (length > (parsed && type !== BlockType.DECRYPTION_SECRETS ? MAX_PARSED_BLOCK : MAX_SKIPPED_BLOCK)) {
        ctx.damage('corrupt', offset, `${name} claims a length of ${length} bytes, more than any real block`);
        return;
      }
      if (!parsed) {
        if (isNumberedNonPacket(type)) ctx.skipFrameNumber();
        this.skipType = type;
        this.skipLength = length;
        this.skipOffset = offset;
        this.skipRemaining = length;
        continue;
      }
      if (q.length < length) return;
      const block = q.peek(length);
      const trailer = le ? block.readUInt32LE(length - 4) : block.readUInt32BE(length - 4);
      if (trailer !== length) {
        ctx.damage('corrupt', offset, `${name} has length ${length} at its start but ${trailer} at its end`);
        return;
      }
      if (type === BlockType.SECTION_HEADER) {
        if (!this.readSectionHeader(block, le, offset)) return;
      } else if (type === BlockType.INTERFACE_DESCRIPTION) {
        this.readInterface(block, length);
      } else if (type === BlockType.DECRYPTION_SECRETS) {
        this.readSecrets(block, length);
      } else if (!this.readPacket(block, type, length, offset)) {
        return;
      }
      q.skip(length);
    }
  }

  atEnd(): CaptureDamage | null {
    const q = this.ctx.queue;
    if (this.skipRemaining > 0) {
      return {
        kind: 'truncated',
        offset: this.skipOffset,
        message: `${blockName(this.skipType)} is cut off: ${this.skipLength - this.skipRemaining} of ${this.skipLength} bytes`,
      };
    }
    const left = q.length;
    if (left === 0) return null;
    const offset = q.consumed;
    const head = q.peek(Math.min(left, 12));
    const isSection = left >= 4 && head.readUInt32BE(0) === Magic.PCAPNG_SHB;
    const headerLength = isSection ? 12 : 8;
    if (left < headerLength) {
      return { kind: 'truncated', offset, message: `block header is cut off: ${left} of ${headerLength} bytes` };
    }
    let le = this.littleEndian;
    if (isSection) le = head.readUInt32LE(8) === Magic.PCAPNG_BYTE_ORDER;
    const type = isSection ? Magic.PCAPNG_SHB : le ? head.readUInt32LE(0) : head.readUInt32BE(0);
    const length = le ? head.readUInt32LE(4) : head.readUInt32BE(4);
    const what = isPacketBlock(type)
      ? `${blockName(type)} (frame ${this.ctx.nextFrameNumber()})`
      : blockName(type);
    return { kind: 'truncated', offset, message: `${what} is cut off: ${left} of ${length} bytes` };
  }

  private readSectionHeader(block: Buffer, le: boolean, offset: number): boolean {
    const major = le ? block.readUInt16LE(12) : block.readUInt16BE(12);
    const minor = le ? block.readUInt16LE(14) : block.readUInt16BE(14);
    if (major !== 1) {
      this.ctx.damage('corrupt', offset + 12, `unsupported pcapng version ${major}.${minor}`);
      return false;
    }
    this.littleEndian = le;
    this.interfaces = [];
    return true;
  }

  private readInterface(block: Buffer, length: number): void {
    const le = this.littleEndian;
    const iface: Interface = {
      linkType: le ? block.readUInt16LE(8) : block.readUInt16BE(8),
      snapLength: le ? block.readUInt32LE(12) : block.readUInt32BE(12),
      unitsPerSecond: 1e6,
      offsetSeconds: 0,
      fcsBytes: 0,
    };
    let precision = 6;
    // Options: (code u16, length u16, value padded to 4). A malformed option ends the list; it is not fatal.
    let p = 16;
    const end = length - 4;
    while (p + 4 <= end) {
      const code = le ? block.readUInt16LE(p) : block.readUInt16BE(p);
      const olen = le ? block.readUInt16LE(p + 2) : block.readUInt16BE(p + 2);
      const value = p + 4;
      if (code === IdbOption.END || value + olen > end) break;
      if (code === IdbOption.IF_TSRESOL && olen >= 1) {
        const v = block[value];
        if (v & 0x80) {
          const exponent = v & 0x7f;
          iface.unitsPerSecond = 2 ** exponent;
          precision = Math.ceil(exponent * Math.LOG10E * Math.LN2);
        } else {
          iface.unitsPerSecond = 10 ** v;
          precision = v;
        }
      } else if (code === IdbOption.IF_TSOFFSET && olen >= 8) {
        iface.offsetSeconds = Number(le ? block.readBigInt64LE(value) : block.readBigInt64BE(value));
      } else if (code === IdbOption.IF_FCSLEN && olen >= 1) {
        iface.fcsBytes = block[value];
      }
      p = value + ((olen + 3) & ~3);
    }
    this.interfaces.push(iface);
    this.ctx.declareLinkType(iface.linkType);
    this.ctx.declareTimePrecision(precision);
  }

  /** Secrets type (u32), secrets length (u32), the secrets; a length past the block is ignored, not fatal. */
  private readSecrets(block: Buffer, length: number): void {
    const le = this.littleEndian;
    const type = le ? block.readUInt32LE(8) : block.readUInt32BE(8);
    const size = le ? block.readUInt32LE(12) : block.readUInt32BE(12);
    if (16 + size > length - 4) return;
    this.ctx.secrets(type, block.subarray(16, 16 + size));
  }

  private readPacket(block: Buffer, type: number, length: number, offset: number): boolean {
    const le = this.littleEndian;
    const ctx = this.ctx;
    const name = blockName(type);
    let interfaceId: number;
    let capturedLength: number;
    let originalLength: number;
    let time: number;
    let dataStart: number;
    if (type === BlockType.SIMPLE_PACKET) {
      interfaceId = 0;
      originalLength = le ? block.readUInt32LE(8) : block.readUInt32BE(8);
      dataStart = 12;
      capturedLength = Math.min(originalLength, length - 16);
      const iface = this.interfaces[0];
      if (iface && iface.snapLength > 0 && capturedLength > iface.snapLength) capturedLength = iface.snapLength;
      time = this.lastTime;
    } else {
      interfaceId =
        type === BlockType.PACKET
          ? le
            ? block.readUInt16LE(8)
            : block.readUInt16BE(8)
          : le
            ? block.readUInt32LE(8)
            : block.readUInt32BE(8);
      const high = le ? block.readUInt32LE(12) : block.readUInt32BE(12);
      const low = le ? block.readUInt32LE(16) : block.readUInt32BE(16);
      capturedLength = le ? block.readUInt32LE(20) : block.readUInt32BE(20);
      originalLength = le ? block.readUInt32LE(24) : block.readUInt32BE(24);
      dataStart = 28;
      const iface = this.interfaces[interfaceId];
      time = iface ? ticksToSeconds(high, low, iface.unitsPerSecond, iface.offsetSeconds) : 0;
    }
    const frame = ctx.nextFrameNumber();
    const iface = this.interfaces[interfaceId];
    if (!iface) {
      ctx.damage(
        'corrupt',
        offset,
        `${name} (frame ${frame}) refers to interface ${interfaceId}, but the section declares ${this.interfaces.length}`,
      );
      return false;
    }
    if (capturedLength > MAX_CAPTURED_LENGTH) {
      ctx.damage(
        'corrupt',
        offset,
        `${name} (frame ${frame}) claims ${capturedLength} captured bytes (more than the ${MAX_CAPTURED_LENGTH} any capture holds)`,
      );
      return false;
    }
    if (dataStart + capturedLength > length - 4) {
      ctx.damage(
        'corrupt',
        offset,
        `${name} (frame ${frame}) claims ${capturedLength} captured bytes but has room for ${length - 4 - dataStart}`,
      );
      return false;
    }
    let data = block.subarray(dataStart, dataStart + capturedLength);
    if (iface.fcsBytes > 0) {
      data = stripFcs(data, originalLength, iface.fcsBytes);
      if (originalLength >= iface.fcsBytes) originalLength -= iface.fcsBytes;
    }
    this.lastTime = time;
    ctx.frameTime = time;
    ctx.emitFrame(iface.linkType, interfaceId, data, originalLength);
    return true;
  }
}

function isPacketBlock(type: number): boolean {
  return type === BlockType.ENHANCED_PACKET || type === BlockType.SIMPLE_PACKET || type === BlockType.PACKET;
}

function blockName(type: number): string {
  return BLOCK_NAMES[type] ?? `block of type 0x${type.toString(16).padStart(8, '0')}`;
}

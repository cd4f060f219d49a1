import { TcpOptionKind } from './constants.js';
import type { TcpOptions } from './types.js';

/** Shared by every segment without options (most data segments without timestamps): do not mutate. */
export const NO_TCP_OPTIONS: TcpOptions = Object.freeze({});

/**
 * Parse the options area [off, end) of a TCP header. A malformed option (length under 2 or running past
 * the header) ends parsing, keeping what was read before; a known option with the wrong length is skipped.
 */
export function parseTcpOptions(buf: Buffer, off: number, end: number): TcpOptions {
  let options: TcpOptions | null = null;
  while (off < end) {
    const kind = buf[off];
    if (kind === TcpOptionKind.END) break;
    if (kind === TcpOptionKind.NOP) {
      off++;
      continue;
    }
    if (off + 1 >= end) break;
    const length = buf[off + 1];
    if (length < 2 || off + length > end) break;
    switch (kind) {
      case TcpOptionKind.MSS:
        if (length === 4) (options ??= {}).mss = buf.readUInt16BE(off + 2);
        break;
      case TcpOptionKind.WINDOW_SCALE:
        if (length === 3) (options ??= {}).windowScale = buf[off + 2];
        break;
      case TcpOptionKind.SACK_PERMITTED:
        if (length === 2) (options ??= {}).sackPermitted = true;
        break;
      case TcpOptionKind.SACK:
        if (length >= 10 && (length - 2) % 8 === 0) {
          const blocks: number[] = [];
          for (let p = off + 2; p < off + length; p += 4) blocks.push(buf.readUInt32BE(p));
          (options ??= {}).sack = blocks;
        }
        break;
      case TcpOptionKind.TIMESTAMP:
        if (length === 10) {
          (options ??= {}).timestamp = { value: buf.readUInt32BE(off + 2), echo: buf.readUInt32BE(off + 6) };
        }
        break;
    }
    off += length;
  }
  return options ?? NO_TCP_OPTIONS;
}

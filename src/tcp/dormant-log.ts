/**
 * What a dormant connection keeps of its segments (ConnState.log) and how they are read back when it wakes.
 */
import { TcpFlag, type TcpOptions, type TcpSegment } from '../net/types.js';
import type { Connection } from './types.js';

/**
 * Segments a dormant connection logs before it wakes anyway (see ConnState): a SYN retransmitted five times and
 * answered is seven; a connection that goes on without a byte past that (acknowledgements of a direction the
 * capture missed) is not what dormancy is for.
 */
export const DORMANT_SEGMENTS = 8;

/**
 * Numbers per logged segment: frame, time, sequence number, acknowledgement number, bits (LoggedBit and the flags
 * byte), the MSS option plus one (0: none).
 */
export const LOGGED_FIELDS = 6;

/** Bits of a logged segment above its flags byte (bits 0–7); the window scale option is in bits 12–19. */
export const LoggedBit = {
  FROM_CLIENT: 1 << 8,
  ZERO_WINDOW: 1 << 9,
  SACK_PERMITTED: 1 << 10,
  WINDOW_SCALE: 1 << 11,
} as const;
export const WINDOW_SCALE_SHIFT = 12;

/** How a sleeper's roles were decided (Connection.roleBy), by its number in the record's `meta`, above the logged bits. */
export const ROLES_BY: readonly Connection['roleBy'][] = ['syn', 'port', 'first-sender'];
export const ROLE_SHIFT = 24;
export const LOGGED_BITS = (1 << ROLE_SHIFT) - 1;

/** The bits of a logged segment (LoggedBit, the flags byte, the window scale). */
export function loggedBits(seg: TcpSegment, fromClient: boolean): number {
  let bits = seg.flags | (fromClient ? LoggedBit.FROM_CLIENT : 0) | (seg.window === 0 ? LoggedBit.ZERO_WINDOW : 0);
  // Only a SYN's options are read (onSyn).
  if ((seg.flags & TcpFlag.SYN) !== 0) {
    const o = seg.options;
    if (o.sackPermitted) bits |= LoggedBit.SACK_PERMITTED;
    if (o.windowScale !== undefined) bits |= LoggedBit.WINDOW_SCALE | ((o.windowScale & 255) << WINDOW_SCALE_SHIFT);
  }
  return bits;
}

/** A logged segment's MSS option plus one (0: none, or not a SYN). */
export function loggedMss(seg: TcpSegment): number {
  return (seg.flags & TcpFlag.SYN) !== 0 && seg.options.mss !== undefined ? seg.options.mss + 1 : 0;
}

/** A dormant connection's log before its first segment (logSegment replaces it, never fills it). */
export const NOTHING_LOGGED: readonly number[] = [];

export const NO_PAYLOAD = Buffer.alloc(0);
export const NO_OPTIONS: TcpOptions = Object.freeze({});

/** A dormant connection's logged segment, handed to the per-segment code when it wakes (one object, refilled). */
export class LoggedSegment implements TcpSegment {
  frame = 0;
  time = 0;
  ipVersion: 4 | 6 = 4;
  src = '';
  dst = '';
  srcPort = 0;
  dstPort = 0;
  seq = 0;
  ack = 0;
  flags = 0;
  window = 0;
  options: TcpOptions = NO_OPTIONS;
  payload = NO_PAYLOAD;
  payloadLength = 0;
  payloadCaptured = 0;
}

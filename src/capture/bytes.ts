/**
 * A copy of `view` in memory of its own, for bytes a later stage keeps (a held segment, a record or message
 * being assembled, a certificate).
 *
 * Not `Buffer.from(view)`: a copy under 4 KiB comes out of Node's shared 8 KiB pool, and the whole slab then
 * lives as long as the copy does. Kept per connection, that was 8 KiB of memory per open connection for a
 * 5-byte record header.
 */
export function ownedCopy(view: Uint8Array): Buffer {
  const copy = Buffer.allocUnsafeSlow(view.length);
  copy.set(view);
  return copy;
}

/** `Buffer.concat` into memory of its own (see `ownedCopy`). */
export function concatOwned(pieces: readonly Uint8Array[], length: number): Buffer {
  const out = Buffer.allocUnsafeSlow(length);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

/**
 * An unsigned 32-bit big-endian number at `at` (which the caller checked is in bounds), as arithmetic that is
 * compiled into the caller. Buffer's readUInt32BE, when not inlined, returns anything from 2^30 up as a new heap
 * number: for sequence numbers, acknowledgements and timestamps, an allocation per packet.
 */
export function u32be(buf: Uint8Array, at: number): number {
  return ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
}

/** u32be, little-endian. */
export function u32le(buf: Uint8Array, at: number): number {
  return ((buf[at + 3]! << 24) | (buf[at + 2]! << 16) | (buf[at + 1]! << 8) | buf[at]!) >>> 0;
}

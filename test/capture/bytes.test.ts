import { describe, expect, it } from 'vitest';
import { concatOwned, ownedCopy, u32be, u32le } from '../../src/capture/bytes.js';

describe('ownedCopy / concatOwned', () => {
  it('a small copy has memory of its own, not a slice of Node’s shared pool', () => {
    const source = Buffer.from('a 1 MB capture chunk stands in here');
    const copy = ownedCopy(source.subarray(2, 7));
    expect(copy.toString()).toBe('1 MB ');
    // Buffer.from(view) would sit in an 8 KiB pool slab and keep all of it alive.
    expect(copy.buffer.byteLength).toBe(5);
    source.fill(0);
    expect(copy.toString()).toBe('1 MB ');
  });

  it('concatOwned joins pieces into one buffer of exactly their length', () => {
    const out = concatOwned([Buffer.from('ab'), new Uint8Array([0x63]), Buffer.from('de')], 5);
    expect(out.toString()).toBe('abcde');
    expect(out.buffer.byteLength).toBe(5);
  });
});

describe('u32be / u32le', () => {
  it('read what Buffer reads, the top bit included (never a negative number)', () => {
    const buf = Buffer.from([0x00, 0xff, 0xff, 0xff, 0xff, 0x80, 0x00, 0x00, 0x01, 0x12, 0x34, 0x56, 0x78]);
    for (let at = 0; at + 4 <= buf.length; at++) {
      expect(u32be(buf, at)).toBe(buf.readUInt32BE(at));
      expect(u32le(buf, at)).toBe(buf.readUInt32LE(at));
    }
    expect(u32be(buf, 1)).toBe(0xffffffff);
    expect(u32le(buf, 5)).toBe(0x01000080);
  });
});

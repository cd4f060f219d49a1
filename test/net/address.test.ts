import { describe, expect, it } from 'vitest';
import { AddressNames, canonicalIPv6, formatIPv4, formatIPv6, isIPv4Mapped, parseIPv4, parseIPv6 } from '../../src/net/address.js';

function v6(hex: string): string {
  return formatIPv6(Buffer.from(hex.replace(/[: ]/g, ''), 'hex'), 0);
}

describe('IPv6 text form (RFC 5952)', () => {
  it.each([
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    // §4.2.2: a single zero group is not compressed.
    ['2001:0db8:0000:0001:0001:0001:0001:0001', '2001:db8:0:1:1:1:1:1'],
    // §4.2.3: the longest run is compressed; on a tie, the first.
    ['2001:0000:0000:0001:0000:0000:0000:0001', '2001:0:0:1::1'],
    ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
    // §4.3: lower case; §4.1: no leading zeros.
    ['2001:0DB8:00AB:0C00:0000:0000:0000:000F', '2001:db8:ab:c00::f'],
    ['0000:0000:0000:0000:0000:0000:0000:0000', '::'],
    ['0000:0000:0000:0000:0000:0000:0000:0001', '::1'],
    ['fe80:0000:0000:0000:0202:b3ff:fe1e:8329', 'fe80::202:b3ff:fe1e:8329'],
    ['2001:0db8:0000:0000:0000:0000:0001:0000', '2001:db8::1:0'],
    ['2001:0db8:0001:0001:0001:0001:0000:0000', '2001:db8:1:1:1:1::'],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    // §5: IPv4-mapped addresses keep the dotted quad.
    ['0000:0000:0000:0000:0000:ffff:c000:0201', '::ffff:192.0.2.1'],
  ])('%s → %s', (hex, text) => {
    expect(v6(hex)).toBe(text);
  });

  it('reads at an offset', () => {
    const b = Buffer.concat([Buffer.from([9, 9, 9]), Buffer.from('20010db8000000000000000000000001', 'hex')]);
    expect(formatIPv6(b, 3)).toBe('2001:db8::1');
  });
});

describe('IPv4 text form', () => {
  it('dotted quad', () => {
    expect(formatIPv4(Buffer.from([0, 10, 0, 255, 1]), 1)).toBe('10.0.255.1');
  });
});

describe('AddressNames memo', () => {
  it('gives the same text as the formatters, for many addresses', () => {
    const names = new AddressNames();
    const b = Buffer.alloc(16);
    for (let i = 0; i < 100; i++) {
      b.writeUInt32BE(0x20010db8, 0);
      b.writeUInt32BE(i % 37, 12);
      expect(names.ipv6(b, 0)).toBe(formatIPv6(b, 0));
      b.writeUInt32BE((i * 2654435761) >>> 0, 0);
      expect(names.ipv4(b, 0)).toBe(formatIPv4(b, 0));
    }
  });
});

describe('IPv6 text read in any form (RFC 4291 §2.2) and written canonically', () => {
  it.each([
    ['0:0:0:0:0:0:0:1', '::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8::1', '2001:db8::1'],
    ['::', '::'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['0:0:0:0:0:ffff:c000:201', '::ffff:192.0.2.1'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
  ])('%s → %s', (text, canonical) => {
    expect(canonicalIPv6(text)).toBe(canonical);
  });

  it.each(['', ':', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1::2::3', '1:2:3:4:5:6:7::8', '12345::1', 'g::1', '::1.2.3.256', '::1.2.3'])('refuses %j', (text) => {
    expect(parseIPv6(text)).toBeNull();
  });

  it('gives the bytes the formatter writes back, and tells IPv4-mapped addresses', () => {
    const bytes = parseIPv6('::ffff:10.1.2.3')!;
    expect(bytes.toString('hex')).toBe('00000000000000000000ffff0a010203');
    expect(isIPv4Mapped(bytes, 0)).toBe(true);
    expect(isIPv4Mapped(parseIPv6('::10.1.2.3')!, 0)).toBe(false);
  });

  it('reads dotted quads, leading zeros and all, and refuses octets past 255', () => {
    expect(parseIPv4('192.000.02.1')).toEqual([192, 0, 2, 1]);
    expect(parseIPv4('192.0.2.256')).toBeNull();
    expect(parseIPv4('192.0.2')).toBeNull();
  });
});

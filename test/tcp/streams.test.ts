import { describe, expect, it } from 'vitest';
import { isoMicros, summarizeConnection } from '../../src/tcp/streams.js';
import { ConnectionTracker } from '../../src/tcp/tracker.js';
import { readSegments } from './minicapture.js';

describe('isoMicros', () => {
  it('writes UTC with exactly six fractional digits', () => {
    expect(isoMicros(0)).toBe('1970-01-01T00:00:00.000000Z');
    expect(isoMicros(1445324973.614159)).toBe('2015-10-20T07:09:33.614159Z');
    expect(isoMicros(1700000000.000001)).toBe('2023-11-14T22:13:20.000001Z');
    // Rounding to the microsecond may carry into the second.
    expect(isoMicros(1700000000.9999996)).toBe('2023-11-14T22:13:21.000000Z');
  });

  it('does not throw on a time outside the calendar (pcapplusplus/pcapng-example.pcapng, interface 1)', () => {
    expect(isoMicros(18446744073204.126)).toMatch(/^18446744073204\.\d+ s since 1970/);
    expect(isoMicros(Number.NaN)).toMatch(/^NaN s since 1970/);
  });
});

describe('summarizeConnection', () => {
  it('gives the `tlsdissect streams` row of a real connection', () => {
    const tracker = new ConnectionTracker();
    for (const seg of readSegments(new URL('../../captures/tls_missing_ch_frag.pcap', import.meta.url).pathname)) {
      tracker.segment(seg);
    }
    const [conn] = tracker.finish();
    const row = summarizeConnection(conn);
    expect(row).toEqual({
      id: 1,
      client: { ip: '192.168.0.1', port: 33063 },
      server: { ip: '10.10.10.1', port: 443 },
      start: '2021-07-14T08:47:51.399786Z', // tshark: frame.time_epoch 1626252471.399786
      duration: 0.374385,
      firstFrame: 1,
      syn: false,
      packets: { client: 8, server: 6 },
      bytes: { client: 3029, server: 6121 },
      fin: { client: true, server: false },
      rst: { client: false, server: false },
      retransmissions: { client: 0, server: 0 },
      gaps: { client: 481, server: 1306 },
    });
    // A plain JSON value: no shared objects with the live connection.
    expect(row.packets).not.toBe(conn.packets);
    expect(JSON.parse(JSON.stringify(row))).toEqual(row);
  });
});

import { describe, expect, it } from 'vitest';
import { summarizeConnection } from '../../src/tcp/streams.js';
import { ConnectionTracker } from '../../src/tcp/tracker.js';
import { readSegments } from './minicapture.js';

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

import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/handshake/analyze.js';
import type { TlsEvent } from '../../src/tls/types.js';

const capture = (name: string) => new URL(`../../captures/${name}`, import.meta.url).pathname;

describe('the same certificate chain in many connections', () => {
  it('is kept once while the connections are open (lab: a failed and a retried STARTTLS, one server chain)', async () => {
    const chains: Buffer[][] = [];
    await analyzeCapture(capture('abort-then-retry.pcap'), {
      inspect: (_report, events: readonly TlsEvent[]) => {
        for (const e of events) if (e.kind === 'handshake' && e.certificate) chains.push(e.certificate.certificates);
      },
    });
    expect(chains).toHaveLength(2);
    const [first, ...others] = chains;
    for (const chain of others) {
      expect(chain.map((c) => c.toString('hex'))).toEqual(first!.map((c) => c.toString('hex')));
      // Views into one shared message body, not a copy per connection.
      chain.forEach((der, i) => expect(der.buffer).toBe(first![i]!.buffer));
    }
  });
});

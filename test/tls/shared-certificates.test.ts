import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/analyze/pipeline.js';
import { sharedCertificateBody, TlsConnectionDecoder } from '../../src/tls/decoder.js';
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

describe('the certificates of two reports of the same chain', () => {
  it('are copies: changing one report (as --redact might) leaves the other as it was', async () => {
    const reports: import('../../src/handshake/report.js').ConnectionReport[] = [];
    await analyzeCapture(capture('abort-then-retry.pcap'), { inspect: (report) => void reports.push(report) });
    const [a, b] = reports.filter((r) => r.certificates.length > 0);
    expect(a!.certificates).toEqual(b!.certificates);
    const before = JSON.stringify(b!.certificates);
    a!.certificates[0]!.subject = 'CN=changed';
    a!.certificates[0]!.san.push('changed.example');
    expect(JSON.stringify(b!.certificates)).toBe(before);
  });
});

describe('sharedCertificateBody', () => {
  const body = (head: number, length = 3000) => {
    const b = Buffer.alloc(length, 0x5a);
    b[0] = head;
    return b;
  };

  it('gives the body seen before for the same bytes', () => {
    const first = body(1);
    expect(sharedCertificateBody(first)).toBe(first);
    expect(sharedCertificateBody(body(1))).toBe(first);
  });

  it('never gives another body that only shares its length and its last bytes (the key), and shares that one too', () => {
    const first = body(2);
    const other = body(3);
    const got = sharedCertificateBody(other);
    expect(got).toBe(other);
    expect(sharedCertificateBody(first)).toBe(first);
    // Chains that end in the same intermediate have the same key: each is still shared.
    expect(sharedCertificateBody(body(3))).toBe(other);
    expect(sharedCertificateBody(body(2))).toBe(first);
  });
});

describe('a Certificate message read in place from a buffer that is reused', () => {
  it('keeps a copy: the chain stays as sent after the buffer is overwritten', () => {
    const body = (head: number) => Buffer.concat([Buffer.from([head]), Buffer.alloc(2999, 0x33)]);
    const view = body(7);
    const kept = sharedCertificateBody(view, false);
    expect(kept).not.toBe(view);
    view.fill(0xee);
    expect(kept.equals(body(7))).toBe(true);
    // Seen again: the kept copy, not the new view.
    expect(sharedCertificateBody(body(7), false)).toBe(kept);
  });

  it('through the decoder: a record holding the whole message, pushed from a buffer overwritten after the call', () => {
    const der = Buffer.from('3082000a' + '0123456789abcdef0123', 'hex');
    const entry = Buffer.concat([Buffer.from([0, 0, der.length]), der]);
    const message = Buffer.concat([Buffer.from([11, 0, 0, entry.length + 3, 0, 0, entry.length]), entry]);
    const record = Buffer.concat([Buffer.from([22, 3, 3, 0, message.length]), message]);
    const decoder = new TlsConnectionDecoder();
    const reused = Buffer.from(record);
    decoder.push('server', reused, 1, 0);
    reused.fill(0xee);
    const event = decoder.events.find((e) => e.kind === 'handshake' && e.certificate);
    expect(event?.kind === 'handshake' && event.certificate?.certificates.map((c) => c.toString('hex'))).toEqual([der.toString('hex')]);
  });
});

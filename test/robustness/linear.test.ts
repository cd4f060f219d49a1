/**
 * Time linear in input size: each hostile shape is run at 1× and 8× its size and the times compared. Linear
 * work gives about 8×, quadratic 64×; the bound (24×) leaves room for noise. No absolute time is asserted.
 * What is compared is CPU time in a process of its own (linear-child.mjs, on the built code that the suite's
 * global setup compiles), and this file runs alone once the other test files are done (its own project in
 * vitest.config.ts): wall-clock time inside the runner, beside other test files on a 2-core machine, measured
 * linear work at 59×, and even CPU time in a process of its own at 25–36× (6–19× alone).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Flow, halfOpenFlood, handshakeMessage, interfaceFlood, pcapFile, tlsRecord } from './pcap-writer.js';

const SCALE = 8;
const RATIO = 24;
const CHILD = join(import.meta.dirname, 'linear-child.mjs');

const dir = mkdtempSync(join(tmpdir(), 'tlsdissect-linear-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Kind = 'analyze' | 'read' | 'redact';

/**
 * The lowest ratio of CPU time, large input over small, over a few attempts (see linear-child.mjs), is below
 * RATIO. `write` makes the input at a scale and returns its bytes.
 */
function expectLinear(kind: Kind, name: string, write: (scale: number) => Buffer | string): void {
  const inputs = [1, SCALE].map((scale) => {
    const file = join(dir, `${name}-${scale}`);
    writeFileSync(file, write(scale));
    return file;
  });
  const out = execFileSync(process.execPath, [CHILD, kind, inputs[0]!, inputs[1]!, String(SCALE), String(RATIO)], { encoding: 'utf8' });
  const { ratios } = JSON.parse(out) as { ratios: number[] };
  // Every attempt in the message: one that fails says whether it was close or far.
  expect(Math.min(...ratios), `CPU time ratios ${ratios.map((x) => x.toFixed(1)).join(', ')}`).toBeLessThan(RATIO);
}

describe('time is linear in input size', () => {
  it('a ClientHello cut into one-byte records (handshake reassembly)', () => {
    expectLinear('analyze', 'one-byte-records', (scale) => {
      const hello = handshakeMessage(1, Buffer.alloc(1500 * scale));
      const flow = new Flow().handshake();
      // One-byte records, 1000 to a segment.
      for (let i = 0; i < hello.length; i += 1000) {
        const piece = hello.subarray(i, i + 1000);
        flow.send('client', Buffer.concat(Array.from(piece, (b) => tlsRecord(22, Buffer.from([b])))));
      }
      return pcapFile(flow.fin('client').packets);
    });
  });

  it('segments arriving in reverse order (out-of-order reassembly)', () => {
    expectLinear('analyze', 'reverse', (scale) => {
      const flow = new Flow().handshake();
      const base = flow.clientSeq;
      const n = 300 * scale;
      for (let i = n - 1; i >= 0; i--) flow.send('client', Buffer.alloc(100, 0x16), { seq: base + i * 100 });
      flow.clientSeq = base + n * 100;
      return pcapFile(flow.fin('client').packets);
    });
  });

  it('one endless plaintext line in an SMTP dialogue', () => {
    expectLinear('analyze', 'long-line', (scale) => {
      const flow = new Flow('10.0.0.1', '10.0.0.2', 40000, 25).handshake();
      flow.send('server', Buffer.from('220 mail.example.org ESMTP\r\n'));
      for (let i = 0; i < 100 * scale; i++) flow.send('client', Buffer.alloc(1400, 0x41));
      return pcapFile(flow.fin('client').packets);
    });
  });

  it('many half-open connections', () => {
    // 8× the input is 8× the connections open at once, all live until the capture ends, so the collector's work
    // grows faster than the input: 6–19× measured here. A quadratic step cheaper than a connection's own work
    // (a walk of the open connections per new one measured 23×) can hide in that; the table's hash, the likely
    // culprit, has a test of its own (test/tcp/flow-hash.test.ts).
    expectLinear('analyze', 'half-open', (scale) => pcapFile(halfOpenFlood(1000 * scale)));
  });

  it('a pcapng of interface blocks, each of another link type', () => {
    expectLinear('read', 'interfaces', (scale) => interfaceFlood(6000 * scale));
  });

  it('redacting a report whose certificate has thousands of names', () => {
    expectLinear('redact', 'names', (scale) => {
      const names = Array.from({ length: 4000 * scale }, (_, i) => `DNS:${i}.alt.example.org`);
      const source = { client: { ip: '192.0.2.1' }, server: { ip: '198.51.100.1' }, certificates: [{ subject: 'CN=mail.example.org', san: names }] };
      const text = names.map((n) => `${n.slice(4)} and 192.0.2.1`).join(', ');
      return JSON.stringify({ source, text });
    });
  });
});

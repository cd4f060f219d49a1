/**
 * issue 20's mail mix (bench/generate.mjs --profile mail-mix): what `analyze` finds in a small one is the mix the
 * generator promises — every mail protocol, 40–50 % failed of the lab's kinds (after ClientHello, after
 * ServerHelloDone, certificate alerts), TLS 1.2 and 1.3 completed, a 4-tuple of its own per connection, about 150
 * connections a MB — and the same seed gives the same bytes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailMix, type GenerateResult } from '../../bench/generate.mjs';
import { analyzeCapture } from '../../src/analyze/pipeline.js';
import type { ConnectionReport } from '../../src/handshake/report.js';

let dir: string;
let file: string;
let generated: GenerateResult;
let connections: ConnectionReport[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tlsdissect-mail-mix-'));
  file = join(dir, 'mix.pcap');
  generated = mailMix({ size: 2e6, out: file, seed: 3 });
  connections = (await analyzeCapture(file)).connections;
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const count = <T>(xs: readonly T[], test: (x: T) => boolean): number => xs.filter(test).length;

describe('the mail mix', () => {
  it('holds as many connections as the generator started, about 150 a MB, each its own 4-tuple', () => {
    expect(connections.length).toBe(generated.connections);
    const perMb = connections.length / (generated.bytes / 1e6);
    expect(perMb).toBeGreaterThan(120);
    expect(perMb).toBeLessThan(180);
    const tuples = new Set(connections.map((c) => `${c.client.ip}:${c.client.port}-${c.server.ip}:${c.server.port}`));
    expect(tuples.size).toBe(connections.length);
  });

  it('fails 40–50 % of its handshakes, in each of the lab’s ways, as the generator says', () => {
    const failed = connections.filter((c) => c.outcome === 'failed');
    expect(count(connections, (c) => c.outcome === 'complete') + failed.length).toBe(connections.length);
    expect(failed.length / connections.length).toBeGreaterThanOrEqual(0.4);
    expect(failed.length / connections.length).toBeLessThanOrEqual(0.5);
    const kinds = generated.byKind!;
    expect(failed.length).toBe(connections.length - kinds['completed']!);
    // After ClientHello: the client gives up (FIN) or the server refuses with handshake_failure.
    const afterHello = failed.filter((c) => c.lastStep === 1);
    expect(afterHello.length).toBe(kinds['after-client-hello']);
    expect(afterHello.some((c) => c.end.alert?.name === 'handshake_failure' && c.end.by === 'server')).toBe(true);
    expect(afterHello.some((c) => c.end.by === 'client' && c.end.how === 'fin')).toBe(true);
    // After ServerHelloDone with no alert, FIN and RST; and the client's certificate alerts.
    expect(failed.some((c) => c.lastStepName === 'ServerHelloDone' && c.end.how === 'fin' && c.end.by === 'client')).toBe(true);
    expect(failed.some((c) => c.lastStepName === 'ServerHelloDone' && c.end.how === 'rst')).toBe(true);
    const alerts = count(failed, (c) => c.end.alert?.from === 'client' && ['unknown_ca', 'bad_certificate'].includes(c.end.alert.name));
    expect(alerts).toBe(kinds['alert']);
  });

  it('completes TLS 1.2 and TLS 1.3 and speaks every mail protocol, STARTTLS and implicit', () => {
    const versions = new Set(connections.filter((c) => c.outcome === 'complete').map((c) => c.tls.version));
    expect(versions).toEqual(new Set(['TLS 1.2', 'TLS 1.3']));
    expect(new Set(connections.map((c) => c.protocol))).toEqual(
      new Set(['smtp-starttls', 'submission-starttls', 'smtps', 'imap-starttls', 'imaps', 'pop3-stls', 'pop3s']),
    );
  });

  it('gives the same bytes for the same seed, other bytes for another', () => {
    const [first, again, other] = ['first', 'again', 'other'].map((name) => join(dir, `${name}.pcap`));
    mailMix({ size: 3e5, out: first, seed: 3 });
    mailMix({ size: 3e5, out: again, seed: 3 });
    mailMix({ size: 3e5, out: other, seed: 4 });
    expect(readFileSync(again).equals(readFileSync(first!))).toBe(true);
    expect(readFileSync(other).equals(readFileSync(first!))).toBe(false);
  });
});

/**
 * Where two connections part, in the words of `tlsdissect diff`'s first line, for each way a story can end: a step
 * the other never took, a FIN, an RST, an alert in clear or encrypted, the end of the capture, no TLS at all, and
 * two connections that stop at the same step for different reasons. Real connections from the shipped captures;
 * what each did was read with tshark.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffReports } from '../../src/diff/diff.js';
import { analyzeCapture } from '../../src/analyze/pipeline.js';
import type { ConnectionReport } from '../../src/handshake/report.js';

const CAPTURES = join(import.meta.dirname, '../../captures');
/** Analysed anew by each test: a cache shared between tests would hide from mutation testing which test reads what. */
async function connection(spec: string): Promise<ConnectionReport> {
  const [file, id] = spec.split('#') as [string, string];
  return (await analyzeCapture(join(CAPTURES, file))).connections.find((c) => c.id === Number(id))!;
}
async function diff(good: string, bad: string) {
  return diffReports(await connection(good), await connection(bad));
}
const likely = (r: Awaited<ReturnType<typeof diff>>) => r.differences.filter((d) => d.weight === 'likely-cause').map((d) => `${d.area}/${d.field}`);

describe('where two connections part', () => {
  it('before the ClientHello: the good client sends one, the bad one leaves after 30 s', async () => {
    const r = await diff('good-25-smtp-starttls.pcap#1', 'capture2.pcap#12');
    expect(r.divergence).toEqual({
      step: 0,
      stepName: 'nothing (no ClientHello)',
      summary: 'they part before the ClientHello; the good client sends ClientHello after 142 ms, the bad client closes with FIN after 30.7 s',
      good: { kind: 'step', by: 'client', step: 1, what: 'sends ClientHello', afterMs: 142.432, frame: 11, note: null },
      bad: { kind: 'fin', by: 'client', step: null, what: 'closes with FIN', afterMs: 30723.326, frame: 688, note: null },
    });
    expect(likely(r)).toEqual(['tcp/close']);
  });

  it('after the ClientHello: the good server answers, the bad client resets', async () => {
    const r = await diff('good-25-smtp-starttls.pcap#1', 'suricata-smtp-tls-protodetect.pcap#1');
    expect(r.divergence?.summary).toBe('both reach step 1 ClientHello; the good server answers with ServerHello after 1.8 ms, the bad client resets with RST after 292 ms');
    expect(r.divergence?.bad).toEqual({ kind: 'rst', by: 'client', step: null, what: 'resets with RST', afterMs: 292.487, frame: 7, note: null });
  });

  it('the good server goes on with its flight; the bad capture ends: no failure to explain', async () => {
    const r = await diff('good-25-smtp-starttls.pcap#1', 'ml-dsa-44-cert.pcap#1');
    expect(r.divergence?.summary).toBe('both reach step 3 Certificate/ServerKeyExchange; the good server goes on with ServerHelloDone after 0.001 ms, in the bad connection nothing more is captured');
    expect(r.divergence?.bad).toEqual({ kind: 'capture-end', by: null, step: null, what: 'nothing more is captured', afterMs: null, frame: null, note: null });
    expect(r.conclusion).toMatch(/^the capture does not hold the bad handshake's end/);
    expect(likely(r)).toEqual([]);
  });

  it('TLS 1.3: the good client finishes, the bad one sends an encrypted alert', async () => {
    const r = await diff('tls2.pcap#2', 'tls2.pcap#15');
    expect(r.divergence?.summary).toBe('both reach step 4 end of server flight; the good client answers with encrypted client Finished after 0.0 ms, the bad client sends an encrypted alert after 0.0 ms');
    expect(r.divergence?.bad).toMatchObject({ kind: 'alert', by: 'client', frame: 7150 });
    expect(likely(r)).toEqual(['alerts/alerts']);
  });

  it('no TLS in the bad connection: a client that never asks for STARTTLS, a server that answers it in plaintext', async () => {
    const never = await diff('good-25-smtp-starttls.pcap#1', 'capture2.pcap#163');
    expect(never.divergence?.summary).toBe('they part before the ClientHello; the good client sends ClientHello after 142 ms, the bad client never asks for STARTTLS');
    expect(never.conclusion).toBe('the bad connection never started TLS: client never asked for STARTTLS');
    const plaintext = await diff('good-25-smtp-starttls.pcap#1', 'suricata-protocol-change-failed-event.pcap#1');
    expect(plaintext.divergence?.summary).toBe('they part before the ClientHello; the good client sends ClientHello after 142 ms, in the bad connection nothing more is captured');
    expect(plaintext.conclusion).toBe('the bad connection never started TLS: server accepted STARTTLS ("220 2tart") but then sent plaintext instead of TLS: "HTTP/1.1 101"');
    expect(likely(plaintext)).toEqual(['server/starttlsReply', 'tcp/close']);
  });

  it('the same steps to different ends: both stop at step 4, each client with its own alert', async () => {
    const r = await diff('cert-reject.pcap#1', 'cert-reject.pcap#6');
    expect(r.divergence?.summary).toBe('both reach step 4 ServerHelloDone and stop there; the good client sends alert unknown_ca after 1.3 ms, the bad client sends alert bad_certificate after 1.4 ms');
    expect(r.conclusion).toBe('the bad client rejected (bad_certificate) the same certificate chain the good client accepted: the difference is in the clients (trust store, clock, the name they check)');
  });

  it("a client that leaves after the server's flight: what the server sent differently comes first", async () => {
    const r = await diff('good-25-smtp-starttls.pcap#1', 'heartbleed-success.pcap#1');
    expect(r.divergence?.summary).toBe('both reach step 4 ServerHelloDone; the good client answers with ClientKeyExchange after 1.5 ms, the bad client resets with RST after 271 ms');
    expect(likely(r)).toEqual(['certificates/serverCertificate', 'certificates/chain', 'certificates/chainBytes', 'server/cipherSuite', 'server/extensions', 'server/serverKeyExchangeBytes', 'tcp/close']);
  });

  it('the bad side may be the one that got further: here the good server left at once', async () => {
    const r = await diff('TLSv1-Extracted-MaliciousC2.pcap#1', 'tls2.pcap#181');
    expect(r.divergence?.summary).toBe('both reach step 1 ClientHello; the good server closes with FIN after 7174 ms, the bad server answers with ServerHello after 32.2 ms');
  });

  it('two connections that end alike do not part', async () => {
    expect((await diff('capture2.pcap#12', 'capture2.pcap#15')).divergence).toBeNull();
    expect((await diff('good-25-smtp-starttls.pcap#1', 'good-25-smtp-starttls.pcap#1')).divergence).toBeNull();
  });
});

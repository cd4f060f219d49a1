/**
 * Where two connections part, in the words of `tlsdissect diff`'s first line, for each way a story can end: a step
 * the other never took, a FIN, an RST, an alert in clear or encrypted, the end of the capture, no TLS at all, and
 * two connections that stop at the same step for different reasons. Real connections from the shipped captures;
 * what each did was read with tshark.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffReports } from '../../src/diff/diff.js';
import { findDivergence } from '../../src/diff/divergence.js';
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

/** A connection of a shipped capture, copied so a test can change what the case needs. */
async function copyOf(spec: string): Promise<ConnectionReport> {
  return structuredClone(await connection(spec));
}

describe('where two connections part: the rarer ends', () => {
  it('two completed handshakes that close differently do not part: what follows a completed handshake is not its story', async () => {
    const good = await connection('good-993-imaps.pcap#1');
    const bad = await connection('6in4tunnel.pcap#5');
    expect(good.steps.map((s) => s.step)).toEqual(bad.steps.map((s) => s.step));
    expect([good.outcome, bad.outcome, good.end.by, bad.end.by]).toEqual(['complete', 'complete', 'server', 'client']);
    expect(findDivergence(good, bad)).toBeNull();
  });

  it('the same steps, one completed and one not: they part where both stop', async () => {
    const good = await connection('good-993-imaps.pcap#1');
    const bad = await copyOf('good-993-imaps.pcap#1');
    bad.outcome = 'unknown';
    expect(findDivergence(good, bad)?.summary).toBe(
      'both reach step 9 server Finished and stop there; the good server closes with FIN after 3.2 ms, the bad server closes with FIN after 3.2 ms',
    );
    // The other way round too: a completed bad side is compared like any other.
    expect(findDivergence(bad, good)?.step).toBe(9);
  });

  it('the same steps, both failed: another close, or the same close by the other side, is a parting', async () => {
    const fin = await diff('abort-after-shd.pcap#1', 'abort-after-shd.pcap#3');
    expect(fin.divergence?.summary).toMatch(/^both reach step 4 ServerHelloDone and stop there; the good client closes with FIN after [\d.]+ ms, the bad client resets with RST after [\d.]+ ms$/);
    const sides = await diff('TLSv1-Extracted-MaliciousC2.pcap#1', 'smtperr.pcap#4');
    expect(sides.divergence?.summary).toMatch(/^both reach step 1 ClientHello and stop there; the good server closes with FIN after [\d.]+ (ms|s), the bad client closes with FIN after [\d.]+ (ms|s)$/);
  });

  it('the same steps to the same end, but not the same outcome, is a parting', async () => {
    const good = await connection('abort-after-shd.pcap#1');
    const bad = await copyOf('abort-after-shd.pcap#1');
    bad.outcome = 'unknown';
    expect(findDivergence(good, bad)?.summary).toMatch(/^both reach step 4 ServerHelloDone and stop there; the good client closes with FIN after [\d.]+ ms, the bad client closes with FIN after [\d.]+ ms$/);
    expect(findDivergence(good, await connection('abort-after-shd.pcap#1'))).toBeNull();
  });

  it("TLS 1.3: a step without a message of its own is told by its name (the end of the server's flight)", async () => {
    const r = await diff('curl-enabled-tls13.pcap#1', 'sites.pcapng#1');
    expect(r.divergence?.summary).toMatch(/^both reach step 3 server flight \(encrypted\); the good server goes on with end of server flight after [\d.]+ ms, in the bad connection nothing more is captured$/);
    expect(r.divergence?.good).toMatchObject({ kind: 'step', by: 'server', step: 4 });
  });

  it('a server that refuses STARTTLS, with and without a reply; a mail phase is only the story when no TLS began', async () => {
    const good = await connection('good-25-smtp-starttls.pcap#1');
    const bad = await copyOf('capture2.pcap#163');
    expect(bad.steps).toEqual([]);
    bad.mail = { ...bad.mail!, clientAsked: true, accepted: false, serverReply: '454 4.7.0 TLS not available' };
    const refused = findDivergence(good, bad)!;
    expect(refused.bad).toEqual({ kind: bad.end.how, by: 'server', step: null, what: 'refuses STARTTLS (454 4.7.0 TLS not available)', afterMs: null, frame: null, note: null });
    expect(refused.bad.kind).toBe('fin');
    bad.mail.serverReply = null;
    bad.end = { how: 'capture-end', by: null, alert: null, frame: null, time: null };
    expect(findDivergence(good, bad)!.bad).toMatchObject({ kind: 'capture-end', what: 'refuses STARTTLS (no reply)' });
    // Asked and accepted: not "never asks".
    bad.mail = { ...bad.mail, accepted: true };
    expect(findDivergence(good, bad)!.bad.what).toBe('nothing more is captured');
    // Implicit TLS (port 465, 993): there is nothing to ask for.
    bad.mail = { ...bad.mail, clientAsked: false, tlsMode: 'implicit' };
    expect(findDivergence(good, bad)!.bad.what).toBe('nothing more is captured');
    // No mail phase at all.
    bad.mail = null;
    expect(findDivergence(good, bad)!.bad.what).toBe('nothing more is captured');
    // A connection that began TLS is told by how TLS ended, whatever its mail phase says.
    const tls = await copyOf('smtperr.pcap#4');
    tls.mail = { ...tls.mail!, application: 'smtp', clientAsked: false, tlsMode: 'starttls', accepted: null };
    expect(findDivergence(good, tls)!.bad.what).toBe('closes with FIN');
  });

  it('an end whose frame is not among the TCP events has no time', async () => {
    const good = await connection('abort-after-shd.pcap#1');
    const bad = await copyOf('abort-after-shd.pcap#3');
    bad.end.frame = 1_000_000;
    const d = findDivergence(good, bad)!;
    expect(d.bad).toMatchObject({ kind: 'rst', afterMs: null, frame: 1_000_000 });
    expect(d.summary).toMatch(/, the bad client resets with RST$/);
  });

  it('retransmissions between the last common step and the end, counted per side, are the note', async () => {
    const good = await connection('abort-then-retry.pcap#2');
    const bad = await copyOf('abort-after-shd.pcap#1');
    const hello = bad.messages.find((m) => m.step === 1)!.atMs;
    const last = bad.steps.at(-1)!;
    const endFrame = bad.end.frame!;
    const endAt = bad.tcp.events.find((e) => e.frame === endFrame)!.atMs;
    const rtx = (from: 'client' | 'server', atMs: number, frame: number) => ({ frame, from, kind: 'retransmission', time: '', atMs, offset: 0, length: 100 });
    bad.tcp.events.push(
      rtx('server', hello + last.offsetMs - 0.5, last.frame), // before the last common step: not counted
      rtx('server', hello + last.offsetMs, last.frame), // with it: counted
      rtx('server', endAt, endFrame), // in the end's own frame: counted
      rtx('server', endAt + 1, endFrame + 1), // after the end: not counted
    );
    expect(findDivergence(good, bad)!.bad.note).toBe('the server retransmitted 2 times meanwhile');
    bad.tcp.events.push(rtx('client', endAt, endFrame));
    expect(findDivergence(good, bad)!.bad.note).toBe('the server retransmitted 2 times and the client retransmitted once meanwhile');
    expect(findDivergence(good, bad)!.summary).toMatch(/the bad client closes with FIN after [\d.]+ ms \(the server retransmitted 2 times and the client retransmitted once meanwhile\)$/);
  });
});

/**
 * The diagnosis, the sentence an admin reads first, on real captures: one connection for each way a handshake can
 * end (an alert in the peer's words, a certificate alert the chain explains, the path-MTU black hole, a client or
 * server that leaves without a word at each step, a capture of one direction, a capture that ends or begins
 * mid-handshake, a malformed message before the end, a completed and a resumed handshake). Each sentence was read
 * against the capture in Wireshark: who sent what, at which frame, after what. Then every alert of RFC 8446 §6.2
 * the diagnosis explains, from each side, on a synthetic connection: the sentence names the alert and says what it
 * means, not another alert's meaning.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/analyze/pipeline.js';
import type { ConnectionReport } from '../../src/handshake/report.js';
import { capturePath } from '../helpers/frames.js';
import { certificate, clientHello, serverFlight } from '../helpers/hostile-tls.js';
import { Flow, handshakeMessage, pcapFile, TCP_ACK, TCP_FIN, TCP_PSH, tlsRecord, u16 } from '../robustness/pcap-writer.js';

/**
 * Each test analyses its own capture: a cache shared between tests would hide from mutation testing (coverage per
 * test) which test reads which connection.
 */
async function connectionsOf(file: string): Promise<ConnectionReport[]> {
  return (await analyzeCapture(capturePath(file))).connections;
}

const REAL: [string, string][] = [
  ["abort-then-retry.pcap#1", "client closed (FIN) 0.1 ms after ServerHelloDone without an alert: it rejected the server's certificate or key exchange (a client that does not trust the chain, or a hostname mismatch, often leaves like this)"],
  ["cert-reject.pcap#1", "client sent alert unknown_ca (48) after the server's ServerHelloDone — the client does not trust the CA that issued the server's certificate: the chain is incomplete or the client lacks the root"],
  ["cert-reject.pcap#6", "client sent alert bad_certificate (42) after the server's ServerHelloDone — the client rejected the server's certificate (often a host name mismatch or an untrusted chain)"],
  ["badcurveball.pcap#1", "client sent alert certificate_unknown (46) after the server's ServerHelloDone — the client rejected the server's certificate; in the chain the server sent: the self-signed root #2 'INFIGO' is sent: clients only trust roots they already hold, so it is 885 bytes for nothing"],
  ["missing-intermediate.pcap#1", "client sent alert unknown_ca (48) after the server's ServerHelloDone — the client does not trust the CA that issued the server's certificate: the chain lacks the intermediate that issued the leaf: the server sent its certificate alone (issued by 'O=Missing Lab, CN=Missing Lab Issuing CA')"],
  ["certificate-request-failed.pcap#1", "server sent alert handshake_failure (40) after the client's Finished (encrypted) — no cipher suite, group or signature algorithm in common with the client"],
  ["tls13draft16-ff52.a01-aborted.pcap#1", "server sent alert protocol_version (70) after the client's ClientHello — the client offers TLS 1.3 (draft 16), TLS 1.2, TLS 1.1 and TLS 1.0, none of which the server accepts"],
  ["suricata-tls-extra-alert.pcap#1", "server sent alert handshake_failure (40) after the client's ClientHello — no cipher suite, group or signature algorithm in common (the client offered 32 cipher suites)"],
  ["top_100_fingerprints.pcap#12", "the client's ClientHello in frame 98 is malformed: extension pre_shared_key: identities length needs 2 bytes, only 0 left; then server sent alert decode_error (50) after the client's ClientHello — the server could not decode a client message"],
  ["pmtu-blackhole-fail.pcap#1", "client never acknowledged the server's 6,992-byte flight (acknowledged 0); server retransmitted 9× in segments up to 1,448 bytes (client MSS 1,460): path-MTU black hole likely (large packets dropped on the way without ICMP; clamp the MSS or fix the MTU)"],
  ["TLSv1-Extracted-MaliciousC2.pcap#1", "server closed (FIN) 7174 ms after ClientHello without an alert: it found nothing acceptable in the ClientHello (Dovecot does this on version or cipher mismatch: check its log)"],
  ["capture2.pcap#12", "client closed (FIN) before any ClientHello"],
  ["capture2.pcap#153", "client closed (FIN) after the connection opened, before any ServerHello: it gave up waiting for the server; the server answered after that (up to step 9 server Finished)"],
  ["suricata-smtp-tls-protodetect.pcap#1", "client reset (RST) after the connection opened, before any ServerHello: it gave up waiting for the server"],
  ["tls2.pcap#181", "server closed (FIN) 35.0 ms after ClientHello (handshake reached step 3 server flight (encrypted))"],
  ["tls13-client-leaves.pcap#1", "client closed (FIN) 508 ms after the server's encrypted flight without an alert, after the server's whole encrypted flight was delivered: it most likely rejected the server's certificate"],
  ["tls2.pcap#15", "client sent an encrypted alert after the server's encrypted flight (its certificate is inside): in TLS 1.3 the alert is hidden, but at this point it most likely rejected the server's certificate"],
  ["tls_1.2_unidirectional_client.pcapng#1", "only the client's direction was captured: not one packet from the server, though the client's TLS shows the server took part; how the handshake went on the server's side cannot be judged"],
  ["capture2.pcap#215", "only the server's direction was captured: not one packet from the client, though the server's TLS shows the client took part; how the handshake went on the client's side cannot be judged"],
  ["ml-dsa-44-cert.pcap#1", "capture ended 0.0 ms after server Certificate, with no answer from the client yet (handshake unfinished at step 3)"],
  ["openjdk-25.0.2-zeek.org.pcap#1", "capture ended 0.0 ms after server encrypted server flight (EncryptedExtensions…Finished), with no answer from the client yet (handshake unfinished at step 3)"],
  ["6in4tunnel.pcap#2", "capture began after the handshake started: nothing to judge"],
  ["tls1.2-broken-ccs.pcap#1", "the client's ChangeCipherSpec in frame 10 is malformed: 38 bytes (must be the one byte 1: a peer rejects it); then client sent an encrypted alert after the server's Finished (encrypted) (its content cannot be read)"],
  ["good-25-smtp-starttls.pcap#1", "handshake completed in 3.9 ms (TLS 1.2, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)"],
  ["tls1.3_session_resumption.pcap#1", "handshake completed in 0.9 ms (TLS 1.3, TLS_AES_256_GCM_SHA384, resumed session)"],
  ["tls-fragmented-handshake.pcap.gz#1", "client closed (FIN) 28.4 ms after ServerHelloDone without an alert: it rejected the server's certificate or key exchange, and the chain explains it: the chain lacks the intermediate that issued the leaf: the server sent its certificate alone (issued by 'CN=Bro')"],
  ["tls2.pcap#18", "handshake completed in 26.9 ms (unknown version, unknown cipher)"],
  ["6in4tunnel.pcap#4", "no TLS in this connection"],
  ["smtperr.pcap#2", "client never asked for STARTTLS: it greeted with HELO, so the server could not offer it"],
  ["capture2.pcap#125", "the server's bytes at offset 0 were taken as the start of TLS but are not a TLS record header: a5 ad 23"],
  ["suricata-tls-duplicate-hello.pcap#2", "the client's ClientHello in frame 9 is malformed: extension cookie: cookie length 2051 exceeds the 7 bytes left; then client reset (RST) 0.043 ms after the server's encrypted flight without an alert, after the server's whole encrypted flight was delivered: it most likely rejected the server's certificate"],
];

const BY_FILE = [...new Set(REAL.map(([spec]) => spec.split('#')[0]!))];

describe('the diagnosis of real connections', () => {
  it.each(BY_FILE)('%s', async (file) => {
    const connections = await connectionsOf(file);
    for (const [spec, sentence] of REAL.filter(([s]) => s.startsWith(`${file}#`))) {
      const id = Number(spec.split('#')[1]);
      expect(connections.find((c) => c.id === id)?.diagnosis, spec).toBe(sentence);
    }
  });
});

// ---- every alert the diagnosis explains, from each side, on a synthetic TLS 1.2 connection ----

const ALERT = 21;
const dir = mkdtempSync(join(tmpdir(), 'tlsdissect-diagnose-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SELF_SIGNED = certificate({ subject: 'mx.example.test', dnsNames: ['mx.example.test'] });

/**
 * A client that sends alert `code` after the server's whole flight (its chain: `chain`), or a server that answers
 * the ClientHello with it.
 */
async function alertDiagnosis(from: 'client' | 'server', code: number, chain: Buffer[] = []): Promise<string> {
  const flow = new Flow('10.0.0.1', '10.0.0.2', 40000, 25);
  flow.handshake().send('client', clientHello('mx.example.test'));
  if (from === 'client') flow.send('server', serverFlight(chain));
  flow.send(from, tlsRecord(ALERT, Buffer.from([2, code]))).fin(from).fin(from === 'client' ? 'server' : 'client');
  const path = join(dir, `${from}-${code}-${chain.length}.pcap`);
  writeFileSync(path, pcapFile(flow.packets.map((p, k) => ({ ...p, time: 1_700_000_000 + k * 0.001 }))));
  const { connections } = await analyzeCapture(path);
  expect(connections).toHaveLength(1);
  return connections[0]!.diagnosis;
}

/** What the diagnosis must say for each alert (IANA name and code) from each side: the words an admin acts on. */
const MEANING: [number, string, { client?: RegExp; server?: RegExp }][] = [
  [10, 'unexpected_message', { client: /^the client got a message it did not expect/, server: /^the server got a message it did not expect/ }],
  [20, 'bad_record_mac', { client: /^the client could not verify a record: keys disagree or bytes were corrupted/, server: /^the server could not verify a record/ }],
  [40, 'handshake_failure', { client: /^the client found the server's choice unacceptable$/, server: /^no cipher suite, group or signature algorithm in common/ }],
  [42, 'bad_certificate', { client: /^the client rejected the server's certificate \(often a host name mismatch or an untrusted chain\)$/, server: /^the server rejected the client's certificate$/ }],
  [43, 'unsupported_certificate', { client: /^the client does not support the server certificate's type or key$/ }],
  [44, 'certificate_revoked', { client: /^the client found the server's certificate revoked$/ }],
  [45, 'certificate_expired', { client: /^the client found the server's certificate expired \(check the certificate dates and the client's clock\)$/, server: /^the server found the client's certificate expired$/ }],
  [46, 'certificate_unknown', { client: /^the client rejected the server's certificate$/, server: /^the server rejected the client's certificate$/ }],
  [47, 'illegal_parameter', { client: /^the client found an illegal parameter in the server's messages$/, server: /^the server found an illegal parameter in the client's messages$/ }],
  [48, 'unknown_ca', { client: /^the client does not trust the CA that issued the server's certificate: the chain is incomplete or the client lacks the root$/, server: /^the server does not trust the CA that issued the client's certificate$/ }],
  [49, 'access_denied', { server: /^the server refused access$/ }],
  [50, 'decode_error', { client: /^the client could not decode a server message$/, server: /^the server could not decode a client message$/ }],
  [51, 'decrypt_error', { client: /^the client could not verify the server's key exchange or Finished$/, server: /^the server could not verify the client's key exchange or Finished$/ }],
  [70, 'protocol_version', { client: /^the client refuses the version the server chose$/, server: /^the client offers only TLS 1\.2, none of which the server accepts$/ }],
  [71, 'insufficient_security', { client: /^the server's choice is too weak for the client/, server: /^the client's offer is too weak for the server/ }],
  [80, 'internal_error', { client: /^the client hit an internal error$/, server: /^the server hit an internal error \(check its log\)$/ }],
  [86, 'inappropriate_fallback', { server: /^the client retried with a lower version than it supports/ }],
  [90, 'user_canceled', { client: /^the user or the client cancelled the handshake$/, server: /^the server cancelled the handshake$/ }],
  [109, 'missing_extension', { server: /^a required extension is missing$/ }],
  [110, 'unsupported_extension', { client: /^the server sent an extension the client does not support$/, server: /^the client sent an extension the server does not support$/ }],
  [112, 'unrecognized_name', { server: /^the server does not know the requested name \(SNI\)$/ }],
  [116, 'certificate_required', { server: /^the server requires a client certificate and got none$/ }],
  [120, 'no_application_protocol', { client: /^no ALPN protocol in common$/, server: /^no ALPN protocol in common$/ }],
];

describe('the diagnosis of each alert, from each side', () => {
  it.each(MEANING)('%i %s', async (code, name, meaning) => {
    for (const from of ['client', 'server'] as const) {
      const after = from === 'client' ? "the server's ServerHelloDone" : "the client's ClientHello";
      const d = await alertDiagnosis(from, code);
      const head = `${from} sent alert ${name} (${code}) after ${after}`;
      if (meaning[from]) {
        expect(d.startsWith(`${head} — `), d).toBe(true);
        expect(d.slice(head.length + 3), d).toMatch(meaning[from]!);
      } else {
        // No meaning for an alert this side does not send in a handshake: the alert alone, no guess.
        expect(d).toBe(head);
      }
    }
  });

  it('an alert it has no words for is named, with nothing added', async () => {
    expect(await alertDiagnosis('client', 99)).toMatch(/^client sent alert \S+ \(99\) after the server's ServerHelloDone$/);
  });

  it('a certificate alert the chain explains: what the client did, then the chain problem', async () => {
    const LEAD: [number, string][] = [
      [42, "the client rejected the server's certificate"],
      [43, "the client does not support the server certificate's type or key"],
      [44, "the client found the server's certificate revoked"],
      [46, "the client rejected the server's certificate"],
      [48, "the client does not trust the CA that issued the server's certificate"],
    ];
    for (const [code, lead] of LEAD) {
      const d = await alertDiagnosis('client', code, [SELF_SIGNED]);
      expect(d, d).toMatch(new RegExp(`^client sent alert \\S+ \\(${code}\\) after the server's ServerHelloDone — ${lead.replace(/[()']/g, '.')}: the server's certificate #1 'mx\\.example\\.test' is self-signed`));
    }
    // An expired certificate alert is explained only by an expired certificate: this one is not.
    expect(await alertDiagnosis('client', 45, [SELF_SIGNED])).toMatch(/— the client found the server's certificate expired \(check the certificate dates and the client's clock\); in the chain/);
  });
});

// ---- the rules no shipped capture reaches, on synthetic TLS 1.2 connections ----

/** The diagnosis of one connection written by `build` (packets at 1 ms apart, plus `gapAfter` seconds after packet `gapAt`). */
async function syntheticDiagnosis(name: string, build: (flow: Flow) => void, gap: { at: number; seconds: number } | null = null): Promise<string> {
  const flow = new Flow('10.0.0.1', '10.0.0.2', 40000, 25);
  build(flow);
  const times = flow.packets.map((_, k) => 1_700_000_000 + k * 0.001 + (gap && k >= gap.at ? gap.seconds : 0));
  const path = join(dir, `${name}.pcap`);
  writeFileSync(path, pcapFile(flow.packets.map((p, k) => ({ ...p, time: times[k]! }))));
  const { connections } = await analyzeCapture(path);
  expect(connections).toHaveLength(1);
  return connections[0]!.diagnosis;
}

describe('the rules no shipped capture reaches', () => {
  it("a server that closes after the client's key exchange, 12 s later", async () => {
    const d = await syntheticDiagnosis('server-leaves-after-cke', (f) => {
      f.handshake().send('client', clientHello('mx.example.test')).send('server', serverFlight([SELF_SIGNED]));
      f.send('client', tlsRecord(22, handshakeMessage(16, Buffer.alloc(33, 4)))).fin('server');
    }, { at: 6, seconds: 12 });
    expect(d).toBe("server closed (FIN) 12.0 s after ClientKeyExchange without an alert: it did not accept the client's key exchange or Finished (check its log)");
  });

  it('a ClientHello with no packet from the server at all: no answer yet, not a capture of one direction', async () => {
    const d = await syntheticDiagnosis('hello-only', (f) => void f.send('client', clientHello('mx.example.test')));
    expect(d).toBe('capture ended 0.0 ms after client ClientHello, with no answer from the server yet (handshake unfinished at step 1)');
  });

  it('a client that gives up with an alert right after its own ClientHello', async () => {
    const d = await syntheticDiagnosis('client-cancels', (f) => {
      f.handshake().send('client', clientHello('mx.example.test')).send('client', tlsRecord(ALERT, Buffer.from([2, 90]))).fin('client');
    });
    expect(d).toBe('client sent alert user_canceled (90) after its own ClientHello — the user or the client cancelled the handshake');
  });
});

// ---- rules and conditions mutation testing found unchecked (TLS 1.3 ones on synthetic TLS 1.3 connections) ----

/** A ClientHello offering these versions in supported_versions (and TLS_AES_128_GCM_SHA256). */
function clientHello13(versions: number[]): Buffer {
  const list = Buffer.concat([Buffer.from([versions.length * 2]), ...versions.map(u16)]);
  const extensions = Buffer.concat([u16(43), u16(list.length), list]);
  const body = Buffer.concat([u16(0x0303), Buffer.alloc(32, 7), Buffer.from([0]), u16(2), u16(0x1301), Buffer.from([1, 0]), u16(extensions.length), extensions]);
  return tlsRecord(22, handshakeMessage(1, body), { version: 0x0301 });
}

/** A TLS 1.3 ServerHello (supported_versions 0x0304, an X25519 share), the compatibility ChangeCipherSpec and a 900-byte encrypted flight. */
function serverFlight13(): Buffer {
  const share = Buffer.concat([u16(0x001d), u16(32), Buffer.alloc(32, 5)]);
  const extensions = Buffer.concat([u16(43), u16(2), u16(0x0304), u16(51), u16(share.length), share]);
  const hello = Buffer.concat([u16(0x0303), Buffer.alloc(32, 9), Buffer.from([0]), u16(0x1301), Buffer.from([0]), u16(extensions.length), extensions]);
  return Buffer.concat([tlsRecord(22, handshakeMessage(2, hello)), tlsRecord(20, Buffer.from([1])), tlsRecord(23, Buffer.alloc(900, 3))]);
}

const clientKeyExchange = () => tlsRecord(22, handshakeMessage(16, Buffer.alloc(33, 4)));

describe('the rules and conditions no other test tells apart', () => {
  it('a capture of the client alone that reaches exactly step 5 (its key exchange) is a capture of one direction', async () => {
    const d = await syntheticDiagnosis('client-only-to-step-5', (f) => void f.send('client', clientHello('mx.example.test')).send('client', clientKeyExchange()));
    expect(d).toBe("only the client's direction was captured: not one packet from the server, though the client's TLS shows the server took part; how the handshake went on the server's side cannot be judged");
  });

  it('a malformed message in the very frame that ends the connection still comes first', async () => {
    const d = await syntheticDiagnosis('malformed-in-end-frame', (f) => {
      f.handshake().send('client', clientHello('mx.example.test')).send('server', serverFlight([SELF_SIGNED]));
      // The key exchange and a two-byte ChangeCipherSpec, sent with the FIN.
      f.send('client', Buffer.concat([clientKeyExchange(), tlsRecord(20, Buffer.from([1, 1]))]), { flags: TCP_ACK | TCP_PSH | TCP_FIN });
    });
    expect(d).toBe(
      "the client's ChangeCipherSpec in frame 6 is malformed: 2 bytes (must be the one byte 1: a peer rejects it); then client closed (FIN) 1.0 ms after ServerHelloDone (handshake reached step 6 client ChangeCipherSpec)",
    );
  });

  it('a malformed message in a handshake the capture cut short: no failure, so no prefix', async () => {
    const d = await syntheticDiagnosis('malformed-then-capture-ends', (f) => {
      f.handshake().send('client', clientHello('mx.example.test')).send('server', serverFlight([SELF_SIGNED]));
      f.send('client', Buffer.concat([clientKeyExchange(), tlsRecord(20, Buffer.from([1, 1]))]));
    });
    expect(d).toMatch(/^capture ended 0\.0 ms after client ChangeCipherSpec, with no answer from the server yet/);
  });

  it('a malformed message after the end explains nothing: the diagnosis does not start with it', async () => {
    const flow = new Flow('10.0.0.1', '10.0.0.2', 40000, 25);
    flow.handshake().send('client', clientHello('mx.example.test')).fin('client');
    flow.send('server', serverFlight([SELF_SIGNED])).send('server', tlsRecord(20, Buffer.from([1, 1])));
    const path = join(dir, 'malformed-after-end.pcap');
    writeFileSync(path, pcapFile(flow.packets.map((p, k) => ({ ...p, time: 1_700_000_000 + k * 0.001 }))));
    const [r] = (await analyzeCapture(path)).connections;
    // The server's two-byte ChangeCipherSpec is malformed, and it came after the client's FIN.
    expect(r!.notes.join('\n')).toMatch(/malformed ChangeCipherSpec: 2 bytes/);
    expect(r!.diagnosis).toBe('client closed (FIN) after the connection opened, before any ServerHello: it gave up waiting for the server; the server answered after that (up to step 8 server ChangeCipherSpec)');
  });

  it('protocol_version to a client that offers TLS 1.3 alone: the server stops below it', async () => {
    const d = await syntheticDiagnosis('only-tls13-refused', (f) => {
      f.handshake().send('client', clientHello13([0x0a0a, 0x0304])).send('server', tlsRecord(ALERT, Buffer.from([2, 70]))).fin('server');
    });
    expect(d).toBe("server sent alert protocol_version (70) after the client's ClientHello — the client offers only TLS 1.3, none of which the server accepts (the server's maximum is below TLS 1.3)");
    const both = await syntheticDiagnosis('tls13-and-12-refused', (f) => {
      f.handshake().send('client', clientHello13([0x0304, 0x0303])).send('server', tlsRecord(ALERT, Buffer.from([2, 70]))).fin('server');
    });
    expect(both).toBe("server sent alert protocol_version (70) after the client's ClientHello — the client offers TLS 1.3 and TLS 1.2, none of which the server accepts");
  });

  it('an alert from a server that saw no ClientHello: its general meaning, and no count of what was offered', async () => {
    for (const [code, text] of [
      [70, 'protocol_version (70) after the connection opened — no protocol version in common'],
      [40, 'handshake_failure (40) after the connection opened — no cipher suite, group or signature algorithm in common with the client'],
    ] as const) {
      const d = await syntheticDiagnosis(`no-hello-${code}`, (f) => void f.handshake().send('server', tlsRecord(ALERT, Buffer.from([2, code]))).fin('server'));
      expect(d).toBe(`server sent alert ${text}`);
    }
  });

  it('a TLS 1.2 client that leaves after its Finished, before the server answers: the step it reached', async () => {
    const d = await syntheticDiagnosis('client-leaves-after-finished', (f) => {
      f.handshake().send('client', clientHello('mx.example.test')).send('server', serverFlight([SELF_SIGNED]));
      f.send('client', Buffer.concat([clientKeyExchange(), tlsRecord(20, Buffer.from([1])), tlsRecord(22, Buffer.alloc(40, 6))])).fin('client');
    });
    expect(d).toBe('client closed (FIN) 2.0 ms after ServerHelloDone (handshake reached step 7 client Finished)');
  });

  it('a TLS 1.3 client that leaves before the flight was seen delivered, having acknowledged part of it', async () => {
    const d = await syntheticDiagnosis('tls13-client-leaves-at-step-3', (f) => {
      f.handshake().send('client', clientHello13([0x0304, 0x0303])).send('server', serverFlight13());
      // Its FIN acknowledges only the first 506 bytes of the server's 1,006.
      f.packets.push({ src: f.client, dst: f.server, sport: f.sport, dport: f.dport, seq: f.clientSeq, ack: f.serverSeq - 500, flags: TCP_FIN | TCP_ACK });
    });
    expect(d).toBe(
      "client closed (FIN) 1.0 ms after the server's encrypted flight without an alert, before the server's encrypted flight was seen delivered (it had acknowledged 506 of its 1,006 bytes): it gave up waiting, or rejected the server's certificate",
    );
    const whole = await syntheticDiagnosis('tls13-client-leaves-acking-all', (f) => {
      f.handshake().send('client', clientHello13([0x0304, 0x0303])).send('server', serverFlight13()).fin('client');
    });
    expect(whole).toBe("client closed (FIN) 1.0 ms after the server's encrypted flight without an alert, before the server's encrypted flight was seen delivered: it gave up waiting, or rejected the server's certificate");
  });

  it("a TLS 1.3 server that answers the client's Finished with one alert-sized record and closes", async () => {
    const d = await syntheticDiagnosis('tls13-server-refuses-client', (f) => {
      f.handshake().send('client', clientHello13([0x0304, 0x0303])).send('server', serverFlight13());
      f.send('client', Buffer.concat([tlsRecord(20, Buffer.from([1])), tlsRecord(23, Buffer.alloc(53, 2))]));
      f.send('server', tlsRecord(23, Buffer.alloc(19, 8))).fin('server');
    });
    expect(d).toBe(
      "server answered the client's Finished with an encrypted alert and closed: a TLS 1.3 server does this when it requires a client certificate and got none, or rejected the one it got (give the session's key log with --keylog to read the alert)",
    );
  });

  it('a path-MTU black hole whose client announced no MSS: the sentence leaves the MSS out', async () => {
    // The synthetic SYN carries no MSS option; the server sends its flight three times and the client's FIN
    // acknowledges none of it.
    const flight = serverFlight([SELF_SIGNED, SELF_SIGNED, SELF_SIGNED]);
    // The size of an ECDSA signature varies by a byte or two from one key to the next.
    const bytes = flight.length.toLocaleString('en-US');
    const d = await syntheticDiagnosis('black-hole-without-mss', (f) => {
      f.handshake().send('client', clientHello('mx.example.test'));
      const flightStart = f.serverSeq;
      f.send('server', flight).send('server', flight, { seq: flightStart }).send('server', flight, { seq: flightStart });
      f.packets.push({ src: f.client, dst: f.server, sport: f.sport, dport: f.dport, seq: f.clientSeq, ack: flightStart, flags: TCP_FIN | TCP_ACK });
    });
    expect(d).toBe(
      `client never acknowledged the server's ${bytes}-byte flight (acknowledged 0); server retransmitted 2× in segments up to ${bytes} bytes: path-MTU black hole likely (large packets dropped on the way without ICMP; clamp the MSS or fix the MTU)`,
    );
  });

  it('handshake_failure from a client right after its own ClientHello is not the server finding nothing in common', async () => {
    const d = await syntheticDiagnosis('client-handshake-failure-after-hello', (f) => {
      f.handshake().send('client', clientHello('mx.example.test')).send('client', tlsRecord(ALERT, Buffer.from([2, 40]))).fin('client');
    });
    expect(d).toBe("client sent alert handshake_failure (40) after its own ClientHello — the client found the server's choice unacceptable");
  });

  it('who leaves, at which step and in which shape picks the sentence', async () => {
    // A TLS 1.3 server that closes once its flight is delivered (the client acknowledged all of it): the rule of a
    // client leaving there is not for a server.
    const server13 = await syntheticDiagnosis('tls13-server-leaves-at-step-4', (f) => {
      f.handshake().send('client', clientHello13([0x0304, 0x0303])).send('server', serverFlight13()).send('client', Buffer.alloc(0)).fin('server');
    });
    expect(server13).toBe('server closed (FIN) 3.0 ms after ClientHello (handshake reached step 4 end of server flight)');
    // A TLS 1.3 client that leaves after the ServerHello alone: not yet the flight's rule.
    const client13 = await syntheticDiagnosis('tls13-client-leaves-at-step-2', (f) => {
      const hello = serverFlight13().subarray(0, 5 + 4 + 2 + 32 + 1 + 2 + 1 + 2 + 4 + 2 + 4 + 36);
      f.handshake().send('client', clientHello13([0x0304, 0x0303])).send('server', hello).fin('client');
    });
    expect(client13).toBe('client closed (FIN) 1.0 ms after ServerHello (handshake reached step 2 ServerHello)');
    // A TLS 1.2 client that leaves after the server's Certificate, before its ServerHelloDone: not the TLS 1.3 rule.
    const client12 = await syntheticDiagnosis('tls12-client-leaves-at-step-3', (f) => {
      const hello = handshakeMessage(2, Buffer.concat([u16(0x0303), Buffer.alloc(32, 9), Buffer.from([0]), u16(0xc02f), Buffer.from([0]), u16(0)]));
      f.handshake().send('client', clientHello('mx.example.test')).send('server', tlsRecord(22, Buffer.concat([hello, handshakeMessage(11, Buffer.from([0, 0, 0]))]))).fin('client');
    });
    expect(client12).toBe('client closed (FIN) 1.0 ms after Certificate (handshake reached step 3 Certificate/ServerKeyExchange)');
    // A resumed TLS 1.2 handshake whose server sends its Finished and closes before the client's: step 9 is no
    // sign of a key exchange the server refused.
    const resumed = await syntheticDiagnosis('resumed-server-leaves-at-step-9', (f) => {
      const sessionId = Buffer.concat([Buffer.from([32]), Buffer.alloc(32, 0xaa)]);
      const hello = handshakeMessage(1, Buffer.concat([u16(0x0303), Buffer.alloc(32, 7), sessionId, u16(4), u16(0xc02f), u16(0x009c), Buffer.from([1, 0])]));
      const serverHello = handshakeMessage(2, Buffer.concat([u16(0x0303), Buffer.alloc(32, 9), sessionId, u16(0xc02f), Buffer.from([0])]));
      f.handshake().send('client', tlsRecord(22, hello, { version: 0x0301 }));
      f.send('server', Buffer.concat([tlsRecord(22, serverHello), tlsRecord(20, Buffer.from([1])), tlsRecord(22, Buffer.alloc(40, 6))])).fin('server');
    });
    expect(resumed).toBe('server closed (FIN) 2.0 ms after ClientHello (handshake reached step 9 server Finished)');
  });

  it('certificate_expired with an expired certificate in the chain: what the client did, then the dates, said once', async () => {
    // Expired on 2023-01-01; the connection is of 2023-11-14.
    const expired = certificate({ subject: 'mx.example.test', dnsNames: ['mx.example.test'], validity: ['220101000000Z', '230101000000Z'] });
    const d = await alertDiagnosis('client', 45, [expired]);
    expect(d).toBe(
      "client sent alert certificate_expired (45) after the server's ServerHelloDone — the client found the server's certificate expired: #1 'mx.example.test' had expired when the capture was taken: valid until 2023-01-01, 318 days before; in the chain the server sent: the server's certificate #1 'mx.example.test' is self-signed: only clients told to trust exactly this certificate accept it",
    );
  });

  it('a chain problem explains only a certificate alert from the client', async () => {
    // handshake_failure from the client after a self-signed chain: its own meaning, not a chain rejection.
    expect(await alertDiagnosis('client', 40, [SELF_SIGNED])).toBe("client sent alert handshake_failure (40) after the server's ServerHelloDone — the client found the server's choice unacceptable");
    // bad_certificate from the server (about the client's certificate) after a self-signed server chain.
    const d = await syntheticDiagnosis('server-bad-certificate-after-self-signed', (f) => {
      f.handshake().send('client', clientHello('mx.example.test')).send('server', serverFlight([SELF_SIGNED]));
      f.send('client', clientKeyExchange()).send('server', tlsRecord(ALERT, Buffer.from([2, 42]))).fin('server');
    });
    expect(d).toBe("server sent alert bad_certificate (42) after the client's ClientKeyExchange — the server rejected the client's certificate");
  });

  it('packets from the server alone, none of them TLS: no TLS, not a capture of one direction', async () => {
    const d = await syntheticDiagnosis('server-only-no-tls', (f) => void f.send('server', Buffer.from('hello world\r\n')));
    expect(d).toBe('no TLS in this connection');
  });

  it("an encrypted alert the TLS 1.3 rule does not explain: TLS 1.2 after the client's Finished, TLS 1.3 before it", async () => {
    const tls12 = await syntheticDiagnosis('tls12-server-encrypted-alert', (f) => {
      f.handshake().send('client', clientHello('mx.example.test')).send('server', serverFlight([SELF_SIGNED]));
      f.send('client', Buffer.concat([clientKeyExchange(), tlsRecord(20, Buffer.from([1])), tlsRecord(22, Buffer.alloc(40, 6))]));
      f.send('server', tlsRecord(ALERT, Buffer.alloc(26, 9))).fin('server');
    });
    expect(tls12).toBe("server sent an encrypted alert after the client's Finished (encrypted) (its content cannot be read)");
    const tls13 = await syntheticDiagnosis('tls13-server-alert-before-finished', (f) => {
      f.handshake().send('client', clientHello13([0x0304])).send('server', serverFlight13());
      f.send('server', tlsRecord(ALERT, Buffer.alloc(19, 9))).fin('server');
    });
    expect(tls13).toBe("server sent an encrypted alert after the server's encrypted flight (its certificate is inside) (its content cannot be read)");
  });

  it('a server that retransmits its flight is no black hole when the client acknowledged it, or answered it', async () => {
    // The client acknowledges the whole flight after the server sent it three times, then leaves.
    const acked = await syntheticDiagnosis('retransmitted-but-acknowledged', (f) => {
      f.handshake().send('client', clientHello('mx.example.test'));
      const flightStart = f.serverSeq;
      const flight = serverFlight([SELF_SIGNED]);
      f.send('server', flight).send('server', flight, { seq: flightStart }).send('server', flight, { seq: flightStart }).fin('client');
    });
    expect(acked).toMatch(/^client closed \(FIN\) [0-9.]+ ms after ServerHelloDone without an alert: it rejected the server's certificate or key exchange/);
    // The client answers with its key exchange (step 5) while its acknowledgement number still stops before the flight.
    const answered = await syntheticDiagnosis('retransmitted-and-answered', (f) => {
      f.handshake().send('client', clientHello('mx.example.test'));
      const flightStart = f.serverSeq;
      const flight = serverFlight([SELF_SIGNED]);
      f.send('server', flight).send('server', flight, { seq: flightStart }).send('server', flight, { seq: flightStart });
      const cke = clientKeyExchange();
      f.packets.push({ src: f.client, dst: f.server, sport: f.sport, dport: f.dport, seq: f.clientSeq, ack: flightStart, flags: TCP_ACK | TCP_PSH, payload: cke });
      f.clientSeq += cke.length;
      f.packets.push({ src: f.client, dst: f.server, sport: f.sport, dport: f.dport, seq: f.clientSeq, ack: flightStart, flags: TCP_FIN | TCP_ACK });
    });
    expect(answered).not.toMatch(/black hole/);
    expect(answered).toMatch(/^client closed \(FIN\) .*\(handshake reached step 5 ClientKeyExchange\)$/);
  });

  it('a capture that ends after the client spoke last: the server is the one not answering', async () => {
    const d = await syntheticDiagnosis('capture-ends-after-client', (f) => {
      // Then, 2 s later, a bare ACK from the server: the capture ends there.
      f.handshake().send('client', clientHello('mx.example.test')).send('server', serverFlight([SELF_SIGNED])).send('client', clientKeyExchange()).send('server', Buffer.alloc(0));
    }, { at: 6, seconds: 2 });
    expect(d).toBe('capture ended 2001 ms after client ClientKeyExchange, with no answer from the server yet (handshake unfinished at step 5)');
  });
});

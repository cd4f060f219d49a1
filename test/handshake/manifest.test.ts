/**
 * Sanity over the whole public corpus (/work/shared/captures/public, copied into captures/; see captures/README.md):
 *
 * - `tlsdissect analyze` reads every capture, in JSON and in text, exits 0 and never prints a stack trace;
 * - each connection's outcome is what MANIFEST.md says of its TCP stream ("server port/client port: version,
 *   outcome"), read by `expectationOf` below; where MANIFEST.md is wrong or says less than we know, OVERRIDES
 *   gives what is right and why;
 * - the two captures of many connections that show the motivating case add up as MANIFEST.md counts them.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/analyze/pipeline.js';
import type { ConnectionReport } from '../../src/handshake/report.js';

const ROOT = join(import.meta.dirname, '../..');
const CAPTURES = join(ROOT, 'captures');
/** The public corpus: one oracle TSV per capture, named after its copy in captures/. */
const PUBLIC = readdirSync(join(import.meta.dirname, 'fixtures/tshark'))
  .filter((f) => f.endsWith('.tsv'))
  .map((f) => f.slice(0, -'.tsv'.length))
  .sort();

/** [capture in captures/, server port, client port, MANIFEST.md's words for that stream] */
const MANIFEST_STREAMS: [string, number, number, string][] = [
  ['ndpi-smtp-starttls.pcap', 25, 57406, 'TLS1.0, full handshake completed'],
  ['ndpi-smtp-starttls.pcap', 25, 7562, 'TLS1.2, full handshake completed'],
  ['smtps.pcapng', 465, 37682, 'no ServerHello'],
  ['imaps.pcap', 993, 50506, 'TLS1.2, full handshake completed'],
  ['imaps.pcap', 993, 51529, 'TLS1.2, full handshake incomplete in capture'],
  ['pops.pcapng', 995, 55077, 'TLS1.2, full handshake incomplete in capture'],
  ['imap-starttls.pcap', 143, 49640, 'TLS1.2, full handshake completed'],
  ['pop3_stls.pcap', 110, 50583, 'TLS1.0, full handshake completed'],
  ['tls_alert.pcap', 443, 63158, 'alert protocol_version by server'],
  ['tls_alert.pcap', 443, 37780, 'partial (no hellos seen)'],
  ['ja3_lots_of_cipher_suites.pcap', 443, 58657, 'TLS1.2, no ClientKeyExchange after ServerHelloDone, then C-RST'],
  ['tls_long_cert.pcap', 443, 60174, 'TLS1.2, full handshake completed'],
  ['tls_verylong_certificate.pcap', 443, 54804, 'TLS1.2, full handshake completed'],
  ['tls_missing_ch_frag.pcap', 443, 33063, 'TLS1.3, TLS1.3 ServerHello seen (rest encrypted)'],
  ['tls_with_huge_ch.pcapng', 443, 40640, 'TLS1.3, TLS1.3 ServerHello seen (rest encrypted)'],
  ['tls_multiple_synack_different_seq.pcapng', 443, 59927, 'no ServerHello'],
  ['tls_2_reasms.pcapng', 443, 38134, 'TLS1.3(fb-experimental), TLS1.3 ServerHello seen (rest encrypted)'],
  ['tls_1.2_unidirectional_client.pcapng', 443, 43854, 'no ServerHello (C-RST)'],
  ['tls_1.2_unidirectional_server.pcapng', 443, 43854, 'TLS1.2, capture ends after ServerHelloDone'],
  ['dns2tcp_tunnel.pcap', 443, 44404, 'TLS1.3, TLS1.3 ServerHello seen (rest encrypted)'],
  ['tls_heur__trojan-tcp-tls.pcapng', 1234, 41796, 'TLS1.3, TLS1.3 ServerHello seen (rest encrypted)'],
  ['tls_heur__trojan-tcp-tls.pcapng', 1080, 60654, 'TLS1.3, TLS1.3 ServerHello seen (rest encrypted)'],
  ['tls_heur__trojan-tcp-tls.pcapng', 443, 58730, 'TLS1.3, TLS1.3 ServerHello seen (rest encrypted)'],
  ['psiphon3.pcap', 443, 40557, 'TLS1.2, full handshake completed'],
  ['whois.pcapng', 4343, 64016, 'TLS1.2, capture ends after ServerHelloDone'],
  ['steam.pcapng', 443, 54243, 'TLS1.3, TLS1.3 ServerHello seen (rest encrypted)'],
  ['steam.pcapng', 443, 57749, 'TLS1.3, TLS1.3 ServerHello seen (rest encrypted)'],
  ['steam.pcapng', 27038, 50983, 'TLS1.3, TLS1.3 ServerHello seen (rest encrypted)'],
  ['steam.pcapng', 443, 42070, 'TLS1.3, TLS1.3 ServerHello seen (rest encrypted)'],
  ['vxlan.pcap', 443, 45226, 'TLS1.3, TLS1.3 ServerHello seen (rest encrypted)'],
  ['vxlan.pcap', 443, 45228, 'TLS1.3, TLS1.3 ServerHello seen (rest encrypted)'],
  ['6in4tunnel.pcap', 443, 53234, 'TLS1.2, full handshake completed'],
  ['6in4tunnel.pcap', 443, 60205, 'TLS1.2, full handshake completed'],
  ['tls_invalid_reads.pcap', 443, 3967, 'TLS1.0, full handshake incomplete in capture'],
  ['tls_invalid_reads.pcap', 443, 58552, 'no ServerHello'],
  ['zeek-smtp-starttls.pcap', 25, 54170, 'TLS1.2, full handshake completed'],
  ['pop3-starttls.pcap', 110, 54775, 'TLS1.2, full handshake completed'],
  ['telesec.pcap', 993, 65343, 'TLS1.2, full handshake completed'],
  ['tls1_1.pcap', 443, 62987, 'TLS1.1, full handshake completed'],
  ['tls1.2.pcap', 443, 56637, 'TLS1.2, full handshake completed'],
  ['tls-1.2-handshake-failure.pcap', 443, 53525, 'alert handshake_failure by server'],
  ['certificate-request-failed.pcap', 3000, 52464, 'TLS1.2, alert handshake_failure by server'],
  ['tls-early-alert.pcap', 50020, 64132, 'TLS1.2, alert unrecognized_name by server'],
  ['tls13draft16-ff52.a01-aborted.pcap', 443, 54980, 'alert protocol_version by server'],
  ['tls13draft16-ff52.a01-aborted.pcap', 443, 54982, 'alert protocol_version by server'],
  ['tls13draft16-ff52.a01.pcap', 443, 36778, 'TLS1.3-draft16, alert unknown_ca by client'],
  ['tls13draft16-ff52.a01.pcap', 443, 36782, 'TLS1.3-draft16, TLS1.3 ServerHello seen (rest encrypted)'],
  ['hrr.pcap', 443, 63564, 'TLS1.3, TLS1.3 ServerHello seen (rest encrypted)'],
  ['chrome-1250-tls-x25519-kyber.pcap', 443, 13783, 'TLS1.3, TLS1.3 ServerHello seen (rest encrypted)'],
  ['tls13_psk_succesfull.pcap', 443, 54220, 'TLS1.3, TLS1.3 ServerHello seen (rest encrypted)'],
  ['tls-fragmented-handshake.pcap.gz', 4433, 61454, 'TLS1.2, no ClientKeyExchange after ServerHelloDone, then C-FIN S-FIN'],
  ['openjdk-25.0.2-zeek.org.pcap', 443, 55058, 'TLS1.3, TLS1.3 ServerHello seen (rest encrypted)'],
  ['ml-dsa-44-cert.pcap', 443, 55001, 'TLS1.2, full handshake incomplete in capture'],
  ['heartbleed-success.pcap', 443, 41459, 'TLS1.2, no ClientKeyExchange after ServerHelloDone, then C-RST'],
  ['client-certificate.pcap', 443, 49480, 'TLS1.2, full handshake completed'],
  ['ocsp-stapling.pcap', 443, 56253, 'TLS1.0, full handshake completed'],
  ['pppoe-over-qinq.pcap', 443, 20394, 'TLS1.2, full handshake completed'],
  ['suricata-smtp-startssl.pcap', 25, 34634, 'TLS1.3, TLS1.3 ServerHello seen (rest encrypted)'],
  ['smtperr.pcap', 465, 50649, 'no ServerHello (C-FIN S-FIN)'],
  ['suricata-smtp-tls-protodetect.pcap', 465, 62353, 'no ServerHello (C-RST)'],
  ['ssl-v2-s1.pcap', 443, 1660, 'TLS1.0, full handshake completed'],
  ['suricata-tls-extra-alert.pcap', 443, 37720, 'alert handshake_failure by server'],
  ['TLSv1-Extracted-MaliciousC2.pcap', 443, 49905, 'no ServerHello (S-FIN C-FIN)'],
  ['dump_mtu300.pcap', 443, 38576, 'TLS1.2, full handshake completed'],
  ['suricata-bug-5881-01.pcap', 443, 64731, 'TLS1.3, TLS1.3 ServerHello seen (rest encrypted)'],
  ['suricata-tcp-fastopen-10-syn-data-ignore.pcap', 443, 51615, 'TLS1.3, TLS1.3 ServerHello seen (rest encrypted)'],
  ['flow-test-01.pcap', 443, 15057, 'TLS1.2, full handshake incomplete in capture'],
  ['suricata-community-id-ipv6.pcap', 443, 33892, 'TLS1.3, TLS1.3 ServerHello seen (rest encrypted)'],
  ['suricata-community-id-ipv6.pcap', 443, 60202, 'TLS1.3, TLS1.3 ServerHello seen (rest encrypted)'],
  ['suricata-tls-duplicate-hello.pcap', 8443, 49954, 'TLS1.3, TLS1.3 ServerHello seen (rest encrypted)'],
  ['suricata-bug-7264-tcp-3whs-ack-data-tls-01.pcap', 443, 49584, 'TLS1.2, full handshake completed'],
  ['arkime-smtp-starttls.pcap', 25, 57406, 'TLS1.0, full handshake completed'],
  ['openssl-ssl3.pcap', 443, 45680, 'SSL3, full handshake completed'],
  ['openssl-tls1.pcap', 443, 40111, 'TLS1.0, full handshake completed'],
  ['openssl-tls1_1.pcap', 443, 43868, 'TLS1.1, full handshake completed'],
  ['openssl-tls1_2.pcap', 443, 57413, 'TLS1.2, full handshake completed'],
  ['openssl-tls1_2-tls1.pcap', 443, 40291, 'TLS1.0, full handshake completed'],
  ['pppoe.pcap', 443, 1063, 'SSL3, full handshake completed'],
  ['ssl-selfsign.pcap', 4443, 60101, 'SSL3, full handshake completed'],
  ['tls-client-sessionid.pcap', 443, 62938, 'TLS1.0, abbreviated (resumed) handshake completed'],
  ['mysql-tls.pcap', 3306, 41324, 'TLS1.1, capture ends after ServerHelloDone'],
  ['tls-split-client-hello.pcap', 443, 49927, 'TLS1.3, TLS1.3 ServerHello seen (rest encrypted)'],
  ['curl-enabled-tls13.pcap', 443, 46638, 'TLS1.3, TLS1.3 ServerHello seen (rest encrypted)'],
  ['badcurveball.pcap', 443, 55318, 'TLS1.2, alert certificate_unknown by client'],
  ['ipv6.pcapng', 443, 64034, 'TLS1.2, capture ends after ServerHelloDone'],
  ['tls1.2_aes256.pcap', 4433, 54524, 'TLS1.2, full handshake completed'],
  ['tls1.3_session_resumption.pcap', 4433, 43002, 'TLS1.3, TLS1.3 ServerHello seen (rest encrypted)'],
  ['many_interfaces-1.pcapng', 443, 50981, 'TLS1.2, abbreviated (resumed) handshake completed'],
  ['many_interfaces-1.pcapng', 443, 50982, 'no ServerHello'],
  ['pcapng-example.pcapng', 3306, 40304, 'TLS1.0, full handshake completed'],
  ['imap2.pcap', 143, 53477, 'TLS1.2, full handshake completed'],
  ['sll_tls.pcap', 443, 49818, 'no ServerHello'],
  ['sll2_tls.pcap', 443, 49818, 'no ServerHello'],
  ['sess_smtps.pcapng', 587, 1212, 'TLS1.0, full handshake completed'],
  ['sess_test_1.pcapng', 443, 34567, 'TLS1.1, full handshake completed'],
  ['illustrated-tls12-capture.pcap', 8443, 50159, 'TLS1.2, full handshake completed'],
  ['illustrated-tls13-capture.pcap', 8400, 59219, 'TLS1.3, TLS1.3 ServerHello seen (rest encrypted)'],
  ['tls_tcp_frag.pcap.gz', 443, 49183, 'TLS1.2, capture ends after ServerHelloDone'],
  ['ssl-v2.pcap', 443, 59062, 'SSL2, SSLv2 handshake (ClientHello, ServerHello, ClientMasterKey; rest encrypted)'],
];

type Outcome = ConnectionReport['outcome'];

interface Expectation {
  version?: string | null;
  outcome?: Outcome;
  shape?: ConnectionReport['shape'];
  resumed?: boolean;
  lastStep?: number;
  minStep?: number;
  end?: { how: ConnectionReport['end']['how']; by: 'client' | 'server' | null };
  alert?: string;
}

/** Where MANIFEST.md (written from tshark's view) is wrong or says less than the capture shows. */
const OVERRIDES: { capture: string; clientPort: number; expect: Expectation; why: string }[] = [
  {
    capture: 'tls_multiple_synack_different_seq.pcapng',
    clientPort: 59927,
    expect: { version: 'TLS 1.2', outcome: 'unknown', lastStep: 3, end: { how: 'capture-end', by: null } },
    why: 'tshark takes the server flight for retransmissions (oracle.test.ts): the ServerHello and Certificate are there, then the capture ends',
  },
  {
    capture: 'tls_1.2_unidirectional_client.pcapng',
    clientPort: 43854,
    expect: { version: null, outcome: 'unknown', end: { how: 'rst', by: 'client' } },
    why: 'only the client\'s packets were captured; its ClientKeyExchange and Finished show the server answered, so the handshake cannot be judged',
  },
  {
    capture: 'tls_1.2_unidirectional_server.pcapng',
    clientPort: 43854,
    expect: { version: 'TLS 1.2', outcome: 'unknown', lastStep: 9, end: { how: 'capture-end', by: null } },
    why: 'only the server\'s packets were captured, and they go on past ServerHelloDone: NewSessionTicket, ChangeCipherSpec, Finished',
  },
  {
    capture: 'tls-early-alert.pcap',
    clientPort: 64132, // as MANIFEST.md writes it
    expect: { version: 'TLS 1.2', outcome: 'complete', lastStep: 9 },
    why: 'MANIFEST.md has the ports the wrong way round (64132 is the server, frame 1 is 50020\'s SYN), and the unrecognized_name alert is a warning: the handshake goes on and completes',
  },
];

const VERSIONS: Record<string, string> = {
  SSL2: 'SSL 2.0',
  SSL3: 'SSL 3.0',
  'TLS1.0': 'TLS 1.0',
  'TLS1.1': 'TLS 1.1',
  'TLS1.2': 'TLS 1.2',
  'TLS1.3': 'TLS 1.3',
  'TLS1.3-draft16': 'TLS 1.3 (draft 16)',
  'TLS1.3(fb-experimental)': 'TLS 1.3 (Facebook draft 26)',
};

/** MANIFEST.md's words for a stream, as expectations on its report. */
function expectationOf(words: string): Expectation {
  const m = /^(SSL2|SSL3|TLS1\.[0-3](?:-draft16|\(fb-experimental\))?), (.*)$/.exec(words);
  const e: Expectation = { version: m ? VERSIONS[m[1]!] : null };
  const what = m ? m[2]! : words;
  let a: RegExpExecArray | null;
  if (what === 'full handshake completed') Object.assign(e, { outcome: 'complete', shape: 'full', lastStep: 9 });
  else if (what === 'abbreviated (resumed) handshake completed') Object.assign(e, { outcome: 'complete', shape: 'resumed', resumed: true, lastStep: 9 });
  else if (what === 'full handshake incomplete in capture') Object.assign(e, { outcome: 'unknown', end: { how: 'capture-end', by: null } });
  else if (what === 'capture ends after ServerHelloDone') Object.assign(e, { outcome: 'unknown', lastStep: 4, end: { how: 'capture-end', by: null } });
  else if (what === 'no ClientKeyExchange after ServerHelloDone, then C-RST') Object.assign(e, { outcome: 'failed', lastStep: 4, end: { how: 'rst', by: 'client' } });
  else if (what === 'no ClientKeyExchange after ServerHelloDone, then C-FIN S-FIN') Object.assign(e, { outcome: 'failed', lastStep: 4, end: { how: 'fin', by: 'client' } });
  else if ((a = /^alert (\w+) by (client|server)$/.exec(what))) Object.assign(e, { outcome: 'failed', alert: a[1], end: { how: 'alert', by: a[2] } });
  else if (what === 'no ServerHello') Object.assign(e, { outcome: 'unknown', lastStep: 1, end: { how: 'capture-end', by: null } });
  else if (what === 'no ServerHello (C-RST)') Object.assign(e, { outcome: 'failed', lastStep: 1, end: { how: 'rst', by: 'client' } });
  else if (what === 'no ServerHello (C-FIN S-FIN)') Object.assign(e, { outcome: 'failed', lastStep: 1, end: { how: 'fin', by: 'client' } });
  else if (what === 'no ServerHello (S-FIN C-FIN)') Object.assign(e, { outcome: 'failed', lastStep: 1, end: { how: 'fin', by: 'server' } });
  // Only the ServerHello is in the clear: how far the encrypted rest went is the walk's own reading.
  else if (what === 'TLS1.3 ServerHello seen (rest encrypted)') Object.assign(e, { shape: 'tls13', minStep: 2 });
  else if (what.startsWith('SSLv2 handshake')) Object.assign(e, { shape: 'sslv2', minStep: 5 });
  else if (what === 'partial (no hellos seen)') Object.assign(e, { outcome: 'unknown', lastStep: 0 });
  else throw new Error(`MANIFEST words not understood: ${words}`);
  return e;
}

function check(r: ConnectionReport, e: Expectation): void {
  if (e.version !== undefined) expect(r.tls.version, 'version').toBe(e.version);
  if (e.outcome !== undefined) expect(r.outcome, 'outcome').toBe(e.outcome);
  if (e.shape !== undefined) expect(r.shape, 'shape').toBe(e.shape);
  if (e.resumed !== undefined) expect(r.tls.resumed, 'resumed').toBe(e.resumed);
  if (e.lastStep !== undefined) expect(r.lastStep, 'last step').toBe(e.lastStep);
  if (e.minStep !== undefined) expect(r.lastStep, 'last step').toBeGreaterThanOrEqual(e.minStep);
  if (e.end !== undefined) expect({ how: r.end.how, by: r.end.by }, 'end').toEqual(e.end);
  if (e.alert !== undefined) expect(r.end.alert?.name, 'alert').toBe(e.alert);
}

const reports = new Map<string, Promise<ConnectionReport[]>>();
function analyze(capture: string): Promise<ConnectionReport[]> {
  let p = reports.get(capture);
  if (!p) {
    p = analyzeCapture(join(CAPTURES, capture)).then((r) => r.connections);
    reports.set(capture, p);
  }
  return p;
}

describe('tlsdissect analyze on every public capture', () => {
  for (const format of ['json', 'text']) {
    it(`exits 0 without a stack trace (${PUBLIC.length} captures, ${format})`, () => {
      const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'analyze', ...PUBLIC.map((c) => join('captures', c)), '-f', format], {
        cwd: ROOT,
        maxBuffer: 256 * 1024 * 1024,
        env: { ...process.env, NO_COLOR: '1' },
      });
      const stderr = r.stderr.toString();
      expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
      expect(stderr).not.toMatch(/internal error/);
      expect(r.status, stderr).toBe(0);
      if (format === 'json') expect(JSON.parse(r.stdout.toString()).captures).toHaveLength(PUBLIC.length);
    });
  }

  it('never repeats a note within a connection', async () => {
    for (const capture of PUBLIC) {
      for (const r of await analyze(capture)) expect(new Set(r.notes).size, `${capture} #${r.id}`).toBe(r.notes.length);
    }
  });
});

describe('outcomes against MANIFEST.md', () => {
  for (const [capture, serverPort, clientPort, words] of MANIFEST_STREAMS) {
    const override = OVERRIDES.find((o) => o.capture === capture && o.clientPort === clientPort);
    it(`${capture} ${serverPort}/${clientPort}: ${words}${override ? ` (but: ${override.why})` : ''}`, async () => {
      const connections = await analyze(capture);
      const r = connections.find((c) => c.client.port === clientPort && c.server.port === serverPort) ?? connections.find((c) => c.client.port === serverPort && c.server.port === clientPort);
      expect(r, 'connection found').toBeDefined();
      check(r!, override?.expect ?? expectationOf(words));
    });
  }

  it('every override is used', () => {
    for (const o of OVERRIDES) expect(MANIFEST_STREAMS.some(([c, , p]) => c === o.capture && p === o.clientPort), o.capture).toBe(true);
  });

  it('top_100_fingerprints.pcap: 82 clients reset after ServerHelloDone, 14 TLS 1.3, 4 decode_error alerts', async () => {
    const tls = (await analyze('top_100_fingerprints.pcap')).filter((r) => r.outcome !== 'not-tls');
    expect(tls).toHaveLength(100);
    expect(tls.filter((r) => r.outcome === 'failed' && r.lastStep === 4 && r.lastStepName === 'ServerHelloDone' && r.end.how === 'rst' && r.end.by === 'client')).toHaveLength(82);
    expect(tls.filter((r) => r.shape === 'tls13')).toHaveLength(14);
    // The TLS 1.3 clients reset too, after acknowledging the server's whole encrypted flight: step 4 by TLS 1.3's name.
    expect(tls.filter((r) => r.shape === 'tls13' && r.outcome === 'failed' && r.lastStep === 4 && r.lastStepName === 'end of server flight' && r.end.how === 'rst')).toHaveLength(14);
    expect(tls.filter((r) => r.end.alert?.name === 'decode_error' && r.end.by === 'server')).toHaveLength(4);
  });

  it('tls_certificate_too_long.pcap: 8 clients close after ServerHelloDone', async () => {
    const rs = await analyze('tls_certificate_too_long.pcap');
    expect(rs.filter((r) => r.outcome === 'failed' && r.lastStep === 4 && r.end.how === 'fin' && r.end.by === 'client')).toHaveLength(8);
  });
});

describe('regressions found on the public corpus', () => {
  it('pcapng-example.pcapng: binary protocols whose first byte has the SSLv2 header bit are not TLS, and its out-of-calendar clock is printed, not thrown', async () => {
    const { info, connections } = await analyzeCapture(join(CAPTURES, 'pcapng-example.pcapng'));
    expect(info.frames).toBe(159);
    // The one TLS connection is the one MySQL carries (src/mail/database-ssl.ts).
    expect(connections.filter((c) => c.outcome !== 'not-tls').map((c) => `${c.server.port}/${c.client.port} ${c.protocol}`)).toEqual(['3306/40304 mysql']);
    // Interface 1's timestamps are 2^64 µs off (tshark shows 18446744073204.126329): kept, and said so.
    expect(connections.some((c) => / s since 1970 \(outside the calendar\)$/.test(c.start))).toBe(true);
  });

  it('capture2.pcap: a client that sends its hello and its FIN at once is judged at its FIN, not after the late answer', async () => {
    const r = (await analyze('capture2.pcap')).find((c) => c.client.port === 56675)!;
    expect([r.outcome, r.end.how, r.end.by, r.end.frame]).toEqual(['failed', 'fin', 'client', 4472]);
    expect(r.diagnosis).toBe('client closed (FIN) after the connection opened, before any ServerHello: it gave up waiting for the server; the server answered after that (up to step 9 server Finished)');
  });

  it('tls2.pcap stream 297: a server whose first segments were never captured is decoded from the next record header', async () => {
    const r = (await analyze('tls2.pcap')).find((c) => c.messages.some((m) => m.frame === 6803))!;
    expect(r.messages.filter((m) => m.from === 'server').map((m) => `${m.frame} ${m.type}`)).toEqual([
      '6810 ServerKeyExchange',
      '6810 ServerHelloDone',
      '6838 NewSessionTicket',
      '6838 ChangeCipherSpec',
      '6838 Finished (encrypted)',
    ]);
    expect(r.outcome).toBe('complete');
  });
});


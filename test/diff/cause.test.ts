/**
 * Which differences explain the bad connection's failure, in which order, and the sentence that concludes it
 * (src/diff/cause.ts): each rule on a real pair from the shipped captures where one has the case, else on a
 * connection of a shipped capture changed the way the case needs, with the differences given by hand. The
 * sentences are checked word for word: they are what `diff` prints after "Likely cause:".
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyseCauses, type CauseAnalysis } from '../../src/diff/cause.js';
import { diffReports } from '../../src/diff/diff.js';
import type { Difference } from '../../src/diff/types.js';
import { analyzeCapture } from '../../src/analyze/pipeline.js';
import type { ConnectionReport } from '../../src/handshake/report.js';

const CAPTURES = join(import.meta.dirname, '../../captures');
/**
 * Each capture is analysed once for this file, and each test gets its own copy of a connection to change. (The
 * trap of a shared cache, docs/testing.md, is for modules the analysis runs: cause.ts runs after it, in each test.)
 */
const analysed = new Map<string, Promise<ConnectionReport[]>>();
async function connection(spec: string): Promise<ConnectionReport> {
  const [file, id] = spec.split('#') as [string, string];
  if (!analysed.has(file)) analysed.set(file, analyzeCapture(join(CAPTURES, file)).then((a) => a.connections));
  const c = (await analysed.get(file)!).find((x) => x.id === Number(id));
  if (!c) throw new Error(`no connection ${spec}`);
  return structuredClone(c);
}
async function diff(good: string, bad: string) {
  return diffReports(await connection(good), await connection(bad));
}
const likely = (r: ReturnType<typeof diffReports>) => r.differences.filter((d) => d.weight === 'likely-cause').map((d) => `${d.area}/${d.field}`);

/** A difference as compare.ts makes one; `removed` for the lists compared by name. */
function difference(key: string, extra: Partial<Difference> = {}): Difference {
  const [area, field] = key.split('/') as [Difference['area'], string];
  return { area, field, good: null, bad: null, weight: 'notable', summary: key, ...extra };
}
const differences = (keys: readonly string[], extra: Partial<Difference> = {}) => keys.map((k) => difference(k, extra));

/** The promoted keys, strongest first; the ranks are 1, 2, 3… */
function ranked(c: CauseAnalysis): string[] {
  const entries = [...c.ranks].sort((a, b) => a[1] - b[1]);
  expect(entries.map(([, r]) => r)).toEqual(entries.map((_, i) => i + 1));
  return entries.map(([k]) => k);
}

const CLIENTHELLO = ['cipherSuites', 'supportedGroups', 'signatureAlgorithms', 'keyShareGroups', 'supportedVersions', 'clientVersion', 'extensions', 'sni', 'sslv2Hello', 'recordVersion', 'alpn'].map((f) => `clienthello/${f}`);
const CERTIFICATES = ['chainProblems', 'serverCertificate', 'chain', 'chainOrder', 'certificateCount', 'chainBytes'].map((f) => `certificates/${f}`);
const SERVER = ['version', 'cipherSuite', 'keyShareGroup', 'extensions', 'alpn', 'serverKeyExchangeBytes'].map((f) => `server/${f}`);
const EVIDENCE = ['alerts/alerts', 'tcp/close', 'timing/steps'];
/** Every difference a rule could promote, in an order of its own (the ranks must not follow it). */
const EVERYTHING = [...EVIDENCE, ...[...CLIENTHELLO].reverse(), ...SERVER, ...CERTIFICATES, 'tcp/serverFlightAcked', 'tcp/mssClient', 'tcp/largestSegmentServer', 'tcp/retransmissionsServer', 'tcp/zeroWindowsClient', 'server/starttlsReply', 'messages/problems'];

function withAlert(r: ConnectionReport, from: 'client' | 'server', code: number | null, name: string): ConnectionReport {
  r.end = { ...r.end, how: 'alert', by: from, alert: { from, level: 2, code, name, encrypted: code === null } };
  return r;
}

describe('likely causes of real pairs, and the sentence that concludes them', () => {
  it('the path-MTU black hole: the unacknowledged flight, the MSS, the segments, the retransmissions', async () => {
    const r = await diff('pmtu-blackhole-mssfix-ok.pcap#1', 'pmtu-blackhole-fail.pcap#1');
    expect(r.conclusion).toBe(
      "the bad client never acknowledged the server's 6,992-byte flight; the server retransmitted segments of 1,448 bytes 9 times while the good connection's client announced MSS 1,360 and got segments of at most 1,348 bytes: path-MTU black hole likely (large packets dropped on the way without ICMP; clamp the MSS or fix the MTU)",
    );
    expect(likely(r)).toEqual(['tcp/serverFlightAcked', 'tcp/mssClient', 'tcp/largestSegmentServer', 'tcp/retransmissionsServer']);
  });

  it('a client that leaves after the same server flight: the reason is on the client side', async () => {
    const r = await diff('abort-then-retry.pcap#2', 'abort-then-retry.pcap#1');
    expect(r.conclusion).toBe(
      "the bad client left with FIN after step 4 ServerHelloDone without an alert, although the server's answer was the same as the good connection's: the reason is on the client side (its trust store, its host-name check, its own policy or timeout); the client's log will say",
    );
    expect(likely(r)).toEqual(['tcp/close']);
  });

  it('a client that leaves right after its ClientHello: nothing to conclude, the close is the evidence', async () => {
    const r = await diff('good-25-smtp-starttls.pcap#1', 'smtperr.pcap#4');
    expect([r.bad.lastStep, r.bad.outcome]).toEqual([1, 'failed']);
    expect(r.conclusion).toBeNull();
    expect(likely(r)[0]).toBe('tcp/close');
    expect(likely(r)).not.toContain('server/cipherSuite');
  });

  it('the same offer refused by another server (protocol_version)', async () => {
    const r = await diff('tls13draft16-ff52.a01.pcap#2', 'tls13draft16-ff52.a01-aborted.pcap#1');
    expect(r.conclusion).toMatch(
      /^the bad client's offer was the same as the good one's in everything protocol_version is about; the bad connection went to another server \(52\.32\.149\.186:443, the good one to [\d.:]+\), and that server refuses it$/,
    );
    expect(likely(r)).toEqual(['alerts/alerts']);
  });

  it('a chain the client rejects that is encrypted (TLS 1.3), from the same server that gave the good client one', async () => {
    const r = await diff('tls13draft16-ff52.a01.pcap#2', 'tls13draft16-ff52.a01.pcap#1');
    expect(r.conclusion).toMatch(
      /^the bad client rejected the server's certificate \(unknown_ca\); the chain is encrypted \(TLS 1\.3\) or was not captured, so it cannot be compared here, but the same server [\d.:]+ gave the good client a chain it accepted: compare the two clients' trust stores, clocks and the name they asked for$/,
    );
  });

  it('the same chain, rejected by one client and accepted by another', async () => {
    const r = await diff('good-25-smtp-starttls.pcap#1', 'cert-reject.pcap#1');
    expect(r.conclusion).toBe('the bad client rejected (unknown_ca) the same certificate chain the good client accepted: the difference is in the clients (trust store, clock, the name they check)');
    expect(likely(r)[0]).toBe('alerts/alerts');
  });

  it('two servers that both answer handshake_failure: the same alert explains nothing, it is not even evidence of a difference', async () => {
    const good = await connection('tls-1.2-handshake-failure.pcap#1');
    const bad = await connection('suricata-tls-extra-alert.pcap#1');
    expect([good.end.alert?.name, bad.end.alert?.name, bad.lastStep]).toEqual(['handshake_failure', 'handshake_failure', 1]);
    const c = analyseCauses(good, bad, differences([...CLIENTHELLO, 'tcp/close'], { removed: ['TLS_RSA_WITH_RC4_128_MD5'] }));
    expect(ranked(c)).toEqual(['tcp/close']);
    expect(c.conclusion).toBeNull();
  });

  it('a server that alerts handshake_failure after the client showed its certificate: what the client offered, dropped or not', async () => {
    const bad = await connection('certificate-request-failed.pcap#1');
    expect([bad.end.by, bad.end.alert?.code, bad.lastStep]).toEqual(['server', 40, 7]);
    const c = analyseCauses(await connection('tls1.2.pcap#1'), bad, differences(EVERYTHING, { removed: [] }));
    expect(ranked(c)).toEqual(['clienthello/cipherSuites', 'clienthello/supportedGroups', 'clienthello/signatureAlgorithms', 'clienthello/keyShareGroups', 'clienthello/supportedVersions', 'clienthello/clientVersion', 'clienthello/extensions', 'clienthello/sni', 'alerts/alerts']);
    expect(c.conclusion).toBeNull();
  });

  it('a server that closes after the ClientHello: what the bad client no longer offers', async () => {
    const bad = await connection('TLSv1-Extracted-MaliciousC2.pcap#1');
    expect([bad.end.how, bad.end.by, bad.lastStep, bad.outcome]).toEqual(['fin', 'server', 1, 'failed']);
    const diffs = [...differences(EVERYTHING, { removed: ['X'] }).filter((d) => d.field !== 'supportedGroups'), difference('clienthello/supportedGroups', { removed: [] })];
    const c = analyseCauses(await connection('tls1.2.pcap#1'), bad, diffs);
    expect(ranked(c)).toEqual(['clienthello/cipherSuites', 'clienthello/signatureAlgorithms', 'clienthello/keyShareGroups', 'clienthello/supportedVersions', 'clienthello/clientVersion', 'clienthello/extensions', 'clienthello/sni', 'tcp/close']);
    expect(c.conclusion).toBeNull();
    // The same with an RST.
    bad.end = { ...bad.end, how: 'rst' };
    expect(ranked(analyseCauses(await connection('tls1.2.pcap#1'), bad, diffs))).toEqual(ranked(c));
  });

  it('a server that closes later than the ClientHello: the ClientHello is no longer the suspect', async () => {
    const good = await connection('tls1.2.pcap#1');
    for (const step of [2, 3]) {
      const bad = await connection('TLSv1-Extracted-MaliciousC2.pcap#1');
      bad.lastStep = step;
      const c = analyseCauses(good, bad, differences(EVERYTHING.filter((k) => !k.startsWith('tcp/') || k === 'tcp/close'), { removed: ['X'] }));
      expect(ranked(c)).toEqual(['tcp/close']);
      expect(c.conclusion).toBeNull();
    }
    // Before any ClientHello (a server that closes at once): the same suspects as after it.
    const bad = await connection('TLSv1-Extracted-MaliciousC2.pcap#1');
    bad.lastStep = 0;
    expect(ranked(analyseCauses(good, bad, differences(['tcp/close', 'clienthello/sni'], { removed: ['X'] })))).toEqual(['clienthello/sni', 'tcp/close']);
  });

  it('a client whose ClientHello the server cannot decode (decode_error)', async () => {
    const bad = await connection('top_100_fingerprints.pcap#12');
    expect([bad.end.by, bad.end.alert?.code, bad.lastStep]).toEqual(['server', 50, 1]);
    const c = analyseCauses(await connection('tls1.2.pcap#1'), bad, differences(EVERYTHING, { removed: [] }));
    // Its ClientHello breaks its own lengths: the malformed message leads, and the sentence names it.
    expect(ranked(c)).toEqual(['messages/problems', 'clienthello/extensions', 'clienthello/sslv2Hello', 'clienthello/cipherSuites', 'clienthello/recordVersion', 'alerts/alerts']);
    expect(c.conclusion).toBe(
      "the bad client's ClientHello (frame 98) is malformed, the good client's is not: extension pre_shared_key: identities length needs 2 bytes, only 0 left; the handshake cannot complete past it",
    );
  });
});

describe('a server that alerts right after the ClientHello: the ClientHello fields each alert is about', () => {
  const EXPLAINED_BY: Record<number, [string, string[]]> = {
    40: ['handshake_failure', ['cipherSuites', 'supportedGroups', 'signatureAlgorithms', 'keyShareGroups', 'supportedVersions', 'clientVersion', 'extensions', 'sni']],
    71: ['insufficient_security', ['cipherSuites', 'supportedGroups', 'signatureAlgorithms', 'keyShareGroups', 'supportedVersions', 'clientVersion']],
    47: ['illegal_parameter', ['extensions', 'cipherSuites', 'supportedGroups', 'keyShareGroups', 'signatureAlgorithms', 'sslv2Hello']],
    50: ['decode_error', ['extensions', 'sslv2Hello', 'cipherSuites', 'recordVersion']],
    70: ['protocol_version', ['supportedVersions', 'clientVersion', 'recordVersion', 'sslv2Hello']],
    86: ['inappropriate_fallback', ['supportedVersions', 'clientVersion']],
    109: ['missing_extension', ['extensions', 'keyShareGroups', 'supportedGroups']],
    110: ['unsupported_extension', ['extensions']],
    112: ['unrecognized_name', ['sni']],
    120: ['no_application_protocol', ['alpn']],
  };
  for (const [code, [name, fields]] of Object.entries(EXPLAINED_BY)) {
    it(`${code} ${name}: ${fields.join(', ')}, then the alert`, async () => {
      const good = await connection('tls1.2.pcap#1');
      const bad = withAlert(await connection('tls-1.2-handshake-failure.pcap#1'), 'server', Number(code), name);
      const c = analyseCauses(good, bad, differences(EVERYTHING, { removed: ['X'] }));
      expect(ranked(c)).toEqual([...fields.map((f) => `clienthello/${f}`), 'alerts/alerts']);
      expect(c.conclusion).toBeNull();
      // Names the bad client only adds cannot take a common one away: for "nothing in common" (40, 71) only what it dropped counts.
      const onlyAdded = analyseCauses(good, bad, differences(EVERYTHING, { removed: [] }));
      expect(ranked(onlyAdded)).toEqual(code === '40' || code === '71' ? ['alerts/alerts'] : [...fields.map((f) => `clienthello/${f}`), 'alerts/alerts']);
      // A field compared as a whole (no removed list) counts.
      expect(ranked(analyseCauses(good, bad, [difference(`clienthello/${fields[0]!}`)]))).toEqual([`clienthello/${fields[0]!}`]);
    });
  }

  it('the same offer refused: by the same server, or by another one (the port counts)', async () => {
    const good = await connection('tls1.2.pcap#1');
    const bad = withAlert(await connection('tls-1.2-handshake-failure.pcap#1'), 'server', 47, 'illegal_parameter');
    bad.server = { ...good.server };
    const same = analyseCauses(good, bad, differences(['alerts/alerts', 'tcp/close']));
    expect(ranked(same)).toEqual(['alerts/alerts']);
    expect(same.conclusion).toBe(
      `the bad client's offer was the same as the good one's in everything illegal_parameter is about, and the same server ${good.server.ip}:${good.server.port} accepted it for the good client: its configuration or state changed between the two connections`,
    );
    bad.server = { ...good.server, port: good.server.port + 1 };
    expect(analyseCauses(good, bad, []).conclusion).toBe(
      `the bad client's offer was the same as the good one's in everything illegal_parameter is about; the bad connection went to another server (${good.server.ip}:${good.server.port + 1}, the good one to ${good.server.ip}:${good.server.port}), and that server refuses it`,
    );
    bad.server = { ...good.server, ip: '192.0.2.7' };
    expect(analyseCauses(good, bad, []).conclusion).toMatch(/^the bad client's offer was the same as the good one's in everything illegal_parameter is about; the bad connection went to another server \(192\.0\.2\.7:/);
  });

  it('an alert no field explains (internal_error), or an encrypted one: only the alert, and no conclusion', async () => {
    const good = await connection('tls1.2.pcap#1');
    for (const [code, name] of [[80, 'internal_error'], [null, 'encrypted']] as const) {
      const bad = withAlert(await connection('tls-1.2-handshake-failure.pcap#1'), 'server', code, name);
      const c = analyseCauses(good, bad, differences(EVERYTHING, { removed: ['X'] }));
      expect(ranked(c)).toEqual(['alerts/alerts']);
      expect(c.conclusion).toBeNull();
    }
  });
});

describe('a client that alerts', () => {
  it('a certificate alert: the chain first (its problems, the server certificate, …), then SNI, then the alert', async () => {
    const good = await connection('good-25-smtp-starttls.pcap#1');
    for (const [code, name] of [[42, 'bad_certificate'], [45, 'certificate_expired'], [46, 'certificate_unknown'], [48, 'unknown_ca']] as const) {
      const bad = withAlert(await connection('cert-reject.pcap#1'), 'client', code, name);
      const c = analyseCauses(good, bad, differences(EVERYTHING, { removed: ['X'] }));
      expect(ranked(c)).toEqual([...CERTIFICATES, 'clienthello/sni', 'alerts/alerts']);
      expect(c.conclusion).toBeNull();
      expect(ranked(analyseCauses(good, bad, [difference('clienthello/sni'), difference('alerts/alerts')]))).toEqual(['clienthello/sni', 'alerts/alerts']);
    }
  });

  it('a real certificate_unknown (badcurveball.pcap): the chain differences lead', async () => {
    const r = await diff('good-25-smtp-starttls.pcap#1', 'badcurveball.pcap#1');
    expect(r.bad.lastStep).toBe(4);
    const l = likely(r);
    expect(l.at(-1)).toBe('alerts/alerts');
    expect(l.filter((k) => !k.startsWith('certificates/') && k !== 'clienthello/sni')).toEqual(['alerts/alerts']);
    expect(l[0]).toMatch(/^certificates\//);
    expect(r.conclusion).toBeNull();
  });

  it('the same chain seen on both sides, or on one only, or on neither (the server counts by address and port)', async () => {
    const good = await connection('good-25-smtp-starttls.pcap#1');
    const bad = withAlert(await connection('cert-reject.pcap#1'), 'client', 42, 'bad_certificate');
    const seen = 'the bad client rejected (bad_certificate) the same certificate chain the good client accepted: the difference is in the clients (trust store, clock, the name they check)';
    expect(analyseCauses(good, bad, []).conclusion).toBe(seen);
    const unseen = (tail: string) =>
      `the bad client rejected the server's certificate (bad_certificate); the chain is encrypted (TLS 1.3) or was not captured, so it cannot be compared here${tail}: compare the two clients' trust stores, clocks and the name they asked for`;
    const noChainBad = structuredClone(bad);
    noChainBad.certificates = [];
    bad.server = { ...good.server };
    noChainBad.server = { ...good.server };
    expect(analyseCauses(good, noChainBad, []).conclusion).toBe(unseen(`, but the same server ${good.server.ip}:${good.server.port} gave the good client a chain it accepted`));
    const noChainGood = structuredClone(good);
    noChainGood.certificates = [];
    expect(analyseCauses(noChainGood, bad, []).conclusion).toBe(unseen(`, but the same server ${good.server.ip}:${good.server.port} gave the good client a chain it accepted`));
    noChainBad.server = { ...good.server, port: good.server.port + 1 };
    expect(analyseCauses(good, noChainBad, []).conclusion).toBe(unseen(''));
    noChainBad.server = { ...good.server, ip: '192.0.2.7' };
    expect(analyseCauses(good, noChainBad, []).conclusion).toBe(unseen(''));
  });

  it("a refusal of the server's answer (handshake_failure … no_application_protocol): the server's choices, then the alert", async () => {
    const good = await connection('good-25-smtp-starttls.pcap#1');
    for (const [code, name] of [[40, 'handshake_failure'], [47, 'illegal_parameter'], [70, 'protocol_version'], [71, 'insufficient_security'], [110, 'unsupported_extension'], [120, 'no_application_protocol']] as const) {
      const bad = withAlert(await connection('cert-reject.pcap#1'), 'client', code, name);
      const c = analyseCauses(good, bad, differences(EVERYTHING, { removed: ['X'] }));
      expect(ranked(c), name).toEqual([...SERVER, 'alerts/alerts']);
      expect(c.conclusion).toBeNull();
    }
  });

  it('any other client alert (decode_error, internal_error, encrypted): only the alert', async () => {
    const good = await connection('good-25-smtp-starttls.pcap#1');
    for (const [code, name] of [[50, 'decode_error'], [80, 'internal_error'], [null, 'encrypted']] as const) {
      const bad = withAlert(await connection('cert-reject.pcap#1'), 'client', code, name);
      bad.lastStep = 1;
      const c = analyseCauses(good, bad, differences(EVERYTHING, { removed: ['X'] }));
      expect(ranked(c), name).toEqual(['alerts/alerts']);
      expect(c.conclusion).toBeNull();
    }
  });

  it("a server that rejects the client's certificate (bad_certificate after ClientKeyExchange) does not put the server's chain on trial", async () => {
    const bad = withAlert(await connection('certificate-request-failed.pcap#1'), 'server', 42, 'bad_certificate');
    const c = analyseCauses(await connection('tls1.2.pcap#1'), bad, differences(EVERYTHING, { removed: ['X'] }));
    expect(ranked(c)).toEqual(['alerts/alerts']);
  });

  it('the same alert on both sides (cert-reject.pcap #1 and #2): no field is put on trial, the evidence stands alone', async () => {
    const good = await connection('cert-reject.pcap#1');
    const bad = await connection('cert-reject.pcap#2');
    expect([good.end.alert?.name, bad.end.alert?.name]).toEqual(['unknown_ca', 'unknown_ca']);
    const c = analyseCauses(good, bad, differences(EVERYTHING, { removed: ['X'] }));
    expect(ranked(c)).toEqual(['alerts/alerts']);
    expect(c.conclusion).toBeNull();
    expect(ranked(analyseCauses(good, bad, differences(['timing/steps', ...CERTIFICATES])))).toEqual(['timing/steps']);
  });

  it('a good side that ended with an alert against a bad one that closed: the alert is the bad side\'s to explain', async () => {
    const good = await connection('cert-reject.pcap#1');
    const bad = await connection('abort-after-shd.pcap#1');
    const c = analyseCauses(good, bad, differences(['tcp/close', 'certificates/chain']));
    expect(ranked(c)).toEqual(['certificates/chain', 'tcp/close']);
    expect(c.conclusion).toBeNull();
  });
});

describe('a client that leaves without a word', () => {
  /** abort-after-shd.pcap#1 (the client's FIN after ServerHelloDone), made to leave after `step`. */
  async function leftAfter(step: number, name: string, how: 'fin' | 'rst' = 'fin'): Promise<ConnectionReport> {
    const bad = await connection('abort-after-shd.pcap#1');
    bad.lastStep = step;
    bad.lastStepName = name;
    bad.end = { ...bad.end, how };
    return bad;
  }

  it('after the server flight (step 3 and on): the chain, the server, SNI, then the close', async () => {
    const good = await connection('abort-then-retry.pcap#2');
    for (const [step, name] of [[3, 'Certificate/ServerKeyExchange'], [4, 'ServerHelloDone']] as const) {
      const c = analyseCauses(good, await leftAfter(step, name), differences(EVERYTHING, { removed: ['X'] }));
      expect(ranked(c)).toEqual([...CERTIFICATES, ...SERVER, 'clienthello/sni', 'tcp/close']);
      expect(c.conclusion).toBeNull();
    }
  });

  it("after the ServerHello (step 2): the server's answer, then the close; the chain was not sent yet", async () => {
    const c = analyseCauses(await connection('abort-then-retry.pcap#2'), await leftAfter(2, 'ServerHello'), differences(EVERYTHING, { removed: ['X'] }));
    expect(ranked(c)).toEqual([...SERVER, 'tcp/close']);
    expect(c.conclusion).toBeNull();
  });

  it('after the ClientHello (step 1): nothing the server sent, only the close', async () => {
    const c = analyseCauses(await connection('abort-then-retry.pcap#2'), await leftAfter(1, 'ClientHello'), differences(EVERYTHING, { removed: ['X'] }));
    expect(ranked(c)).toEqual(['tcp/close']);
    expect(c.conclusion).toBeNull();
  });

  it('with nothing different from the server: the sentence names the close and the step', async () => {
    const good = await connection('abort-then-retry.pcap#2');
    const sentence = (how: string, step: string) =>
      `the bad client left with ${how} after step ${step} without an alert, although the server's answer was the same as the good connection's: the reason is on the client side (its trust store, its host-name check, its own policy or timeout); the client's log will say`;
    expect(analyseCauses(good, await leftAfter(2, 'ServerHello', 'rst'), []).conclusion).toBe(sentence('RST', '2 ServerHello'));
    expect(analyseCauses(good, await leftAfter(4, 'ServerHelloDone'), [difference('tcp/close')]).conclusion).toBe(sentence('FIN', '4 ServerHelloDone'));
    // Only the ClientHello was sent: the server's answer cannot be blamed, and nothing is concluded.
    expect(analyseCauses(good, await leftAfter(1, 'ClientHello'), [difference('tcp/close')]).conclusion).toBeNull();
    // A difference in the server's answer explains it instead.
    expect(analyseCauses(good, await leftAfter(2, 'ServerHello'), [difference('server/cipherSuite')]).conclusion).toBeNull();
  });
});

describe("the server's flight that never got through", () => {
  /** The black hole of pmtu-blackhole-fail.pcap#1 against the clamped client of pmtu-blackhole-mssfix-ok.pcap#1, as shipped. */
  async function pair() {
    return { good: await connection('pmtu-blackhole-mssfix-ok.pcap#1'), bad: await connection('pmtu-blackhole-fail.pcap#1') };
  }
  const FLIGHT = ['tcp/serverFlightAcked', 'tcp/mssClient', 'tcp/largestSegmentServer', 'tcp/retransmissionsServer', 'tcp/zeroWindowsClient'];
  const tail = 'path-MTU black hole likely (large packets dropped on the way without ICMP; clamp the MSS or fix the MTU)';

  it('what decides segment sizes, in order, ahead of the close', async () => {
    const { good, bad } = await pair();
    const c = analyseCauses(good, bad, differences(EVERYTHING, { removed: ['X'] }));
    expect(ranked(c)).toEqual(FLIGHT);
  });

  it('segments no larger, retransmissions no more than the good side: not promoted', async () => {
    const { good, bad } = await pair();
    bad.tcp.largestSegment.server = good.tcp.largestSegment.server;
    bad.tcp.retransmissions.server = 0;
    bad.tcp.events = bad.tcp.events.filter((e) => e.kind !== 'retransmission');
    good.tcp.retransmissions.server = 0;
    const c = analyseCauses(good, bad, differences(EVERYTHING));
    expect(ranked(c)).toEqual(['tcp/serverFlightAcked', 'tcp/mssClient', 'tcp/zeroWindowsClient']);
    expect(c.conclusion).toBe("the bad client never acknowledged the server's 6,992-byte flight: it did not arrive, or the client stopped reading");
    // As many retransmissions on both sides: no more than the good one.
    bad.tcp.retransmissions.server = 3;
    good.tcp.retransmissions.server = 3;
    expect(ranked(analyseCauses(good, bad, differences(FLIGHT)))).toEqual(['tcp/serverFlightAcked', 'tcp/mssClient', 'tcp/zeroWindowsClient']);
  });

  it('one retransmission is "once"; the MSS clause only when the good client announced a smaller MSS', async () => {
    const { good, bad } = await pair();
    bad.tcp.events = bad.tcp.events.filter((e) => e.kind !== 'retransmission');
    bad.tcp.retransmissions.server = 1;
    expect(analyseCauses(good, bad, []).conclusion).toBe(
      `the bad client never acknowledged the server's 6,992-byte flight; the server retransmitted segments of 1,448 bytes once while the good connection's client announced MSS 1,360 and got segments of at most 1,348 bytes: ${tail}`,
    );
    const noClamp = `the bad client never acknowledged the server's 6,992-byte flight; the server retransmitted segments of 1,448 bytes once: ${tail}`;
    good.tcp.mss.client = 1460;
    expect(analyseCauses(good, bad, []).conclusion).toBe(noClamp);
    good.tcp.mss.client = 1500;
    expect(analyseCauses(good, bad, []).conclusion).toBe(noClamp);
    good.tcp.mss.client = null;
    expect(analyseCauses(good, bad, []).conclusion).toBe(noClamp);
    good.tcp.mss.client = 1360;
    bad.tcp.mss.client = null;
    expect(analyseCauses(good, bad, []).conclusion).toBe(noClamp);
  });

  it('not the flight when the good side did not get its flight through either, or the bad one did', async () => {
    const { good, bad } = await pair();
    const bothStuck = structuredClone(good);
    bothStuck.tcp.serverFlight.ackedByClient = 0;
    const c = analyseCauses(bothStuck, bad, differences(['tcp/close', ...FLIGHT]));
    expect(ranked(c)).toEqual(['tcp/close']);
    expect(c.conclusion).toMatch(/^the bad client left with FIN after step 2 ServerHello without an alert/);
    // A client that said why (an alert) is judged by its alert, flight or no flight.
    const alerted = withAlert(structuredClone(bad), 'client', 48, 'unknown_ca');
    expect(ranked(analyseCauses(good, alerted, differences(['certificates/chain', ...FLIGHT, 'alerts/alerts'])))).toEqual(['certificates/chain', 'alerts/alerts']);
    bad.tcp.serverFlight.ackedByClient = bad.tcp.serverFlight.bytes;
    expect(ranked(analyseCauses(good, bad, differences(FLIGHT)))).toEqual([]);
  });
});

describe('the other rules', () => {
  it('a bad connection that completed: nothing to explain', async () => {
    const good = await connection('tls1.2.pcap#1');
    const c = analyseCauses(good, await connection('abort-then-retry.pcap#2'), differences(EVERYTHING, { removed: ['X'] }));
    expect(c.ranks.size).toBe(0);
    expect(c.conclusion).toBeNull();
  });

  it('a bad handshake the capture does not hold to its end: no cause, and the note says why', async () => {
    const bad = await connection('ml-dsa-44-cert.pcap#1');
    expect(bad.outcome).toBe('unknown');
    const c = analyseCauses(await connection('tls1.2.pcap#1'), bad, differences(EVERYTHING, { removed: ['X'] }));
    expect(c.ranks.size).toBe(0);
    expect(c.conclusion).toBe(
      "the capture does not hold the bad handshake's end (it began or ended mid-handshake, or one direction was not captured): there is no failure to explain, only the differences below",
    );
  });

  it('no TLS at all: the STARTTLS reply and the close, with the mail problem when there is one', async () => {
    const good = await connection('good-25-smtp-starttls.pcap#1');
    const bad = await connection('capture2.pcap#163');
    const c = analyseCauses(good, bad, differences(EVERYTHING, { removed: ['X'] }));
    expect(ranked(c)).toEqual(['server/starttlsReply', 'tcp/close']);
    expect(c.conclusion).toBe('the bad connection never started TLS: client never asked for STARTTLS');
    bad.mail = { ...bad.mail!, problem: null };
    expect(analyseCauses(good, bad, []).conclusion).toBe('the bad connection never started TLS');
    bad.mail = null;
    expect(analyseCauses(good, bad, []).conclusion).toBe('the bad connection never started TLS');
  });

  it('nothing explains it: the first evidence there is (the alert, else the close, else the steps)', async () => {
    const good = await connection('good-25-smtp-starttls.pcap#1');
    const bad = await connection('smtperr.pcap#4');
    expect(ranked(analyseCauses(good, bad, differences(['timing/steps', 'clienthello/cipherSuites'])))).toEqual(['timing/steps']);
    // The close is promoted by the rule itself (a client that left), before the fallback looks.
    expect(ranked(analyseCauses(good, bad, differences(['timing/steps', 'tcp/close'])))).toEqual(['tcp/close']);
    const same = await connection('cert-reject.pcap#2');
    const sameAlert = await connection('cert-reject.pcap#3');
    expect(ranked(analyseCauses(same, sameAlert, differences(['timing/steps', 'alerts/alerts', 'tcp/close'])))).toEqual(['alerts/alerts']);
    expect(ranked(analyseCauses(same, sameAlert, differences(['timing/steps', 'tcp/close'])))).toEqual(['tcp/close']);
    expect(ranked(analyseCauses(same, sameAlert, []))).toEqual([]);
  });
});

describe('a message only the bad side got wrong', () => {
  const CCS = 'malformed ChangeCipherSpec: 38 bytes (must be the one byte 1: a peer rejects it)';

  it('tls1.2-broken-ccs.pcap: the malformed ChangeCipherSpec first, and the sentence names it', async () => {
    const r = await diff('tls1.2.pcap#1', 'tls1.2-broken-ccs.pcap#1');
    expect(likely(r)[0]).toBe('messages/problems');
    expect(r.conclusion).toBe(`the bad client's ChangeCipherSpec (frame 10) is malformed, the good client's is not: 38 bytes (must be the one byte 1: a peer rejects it); the handshake cannot complete past it`);
  });

  it('the same problem on the good side is no cause; one after the end is none either; one in the end frame is', async () => {
    const good = await connection('tls1.2.pcap#1');
    const bad = await connection('tls1.2-broken-ccs.pcap#1');
    const problem = bad.notes.find((n) => n.includes(CCS))!;
    expect(problem).toBe(`client, frame 10: ${CCS}`);
    const withGood = structuredClone(good);
    withGood.notes.push(`client, frame 4: ${CCS}`);
    const c = analyseCauses(withGood, bad, differences(['messages/problems', 'alerts/alerts', 'timing/steps']));
    expect(ranked(c)).not.toContain('messages/problems');
    expect(c.conclusion).toBeNull();
    // The same problem from the other side of the good connection does not count as the same.
    const otherSide = structuredClone(good);
    otherSide.notes.push(`server, frame 4: ${CCS}`);
    expect(ranked(analyseCauses(otherSide, bad, differences(['messages/problems'])))).toEqual(['messages/problems']);
    const late = structuredClone(bad);
    late.notes = late.notes.map((n) => (n === problem ? `client, frame ${late.end.frame! + 1}: ${CCS}` : n));
    expect(ranked(analyseCauses(good, late, differences(['messages/problems'])))).toEqual([]);
    const atEnd = structuredClone(bad);
    atEnd.notes = atEnd.notes.map((n) => (n === problem ? `client, frame ${atEnd.end.frame!}: ${CCS}` : n));
    expect(ranked(analyseCauses(good, atEnd, differences(['messages/problems'])))).toEqual(['messages/problems']);
    // A note that is not about a malformed message is not one.
    const other = structuredClone(bad);
    other.notes = other.notes.map((n) => (n === problem ? 'client, frame 10: record too long' : n));
    expect(ranked(analyseCauses(good, other, differences(['messages/problems'])))).toEqual([]);
  });

  it('a malformed message with no end frame (no TLS), and one whose note names no message', async () => {
    const good = await connection('good-25-smtp-starttls.pcap#1');
    const bad = await connection('suricata-protocol-change-failed-event.pcap#1');
    expect([bad.outcome, bad.end.frame]).toEqual(['not-tls', null]);
    bad.notes.push(`server, frame 99: ${CCS}`);
    const notTls = analyseCauses(good, bad, differences(['messages/problems', 'server/starttlsReply']));
    expect(ranked(notTls)).toEqual(['messages/problems', 'server/starttlsReply']);
    // The rule's own sentence stands; the malformed message only speaks when nothing else concluded.
    expect(notTls.conclusion).toBe('the bad connection never started TLS: server accepted STARTTLS ("220 2tart") but then sent plaintext instead of TLS: "HTTP/1.1 101"');
    const failed = await connection('abort-after-shd.pcap#1');
    failed.notes.push(`server, frame 3: malformed record`);
    expect(analyseCauses(good, failed, [difference('server/cipherSuite')]).conclusion).toBe(`the bad server's message (frame 3) is malformed, the good server's is not: malformed record; the handshake cannot complete past it`);
  });
});

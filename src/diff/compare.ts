import { endpoint, groupThousands, millis, plural } from '../text/words.js';
import type { ClientHelloSummary, ConnectionReport } from '../handshake/report.js';
import type { Side } from '../tcp/types.js';
import { compareLists, sameList, sameValue } from './lists.js';
import type { DiffArea, Difference, DiffWeight } from './types.js';
import { helloAtMs, round3, someNames } from './words.js';

/** Differences and identical facts, gathered area by area. */
export class Comparison {
  readonly differences: Difference[] = [];
  readonly identical: { area: DiffArea; words: string }[] = [];

  add(d: Difference): void {
    this.differences.push(d);
  }

  same(area: DiffArea, words: string): void {
    this.identical.push({ area, words });
  }

  /**
   * A scalar (or small object) field: a difference when the values differ, else an identical fact. Facts that
   * are merely absent on both sides (no ALPN, zero zero-windows) are left out of the identical list unless
   * `sameWords` says them.
   */
  scalar(
    area: DiffArea,
    field: string,
    good: unknown,
    bad: unknown,
    weight: DiffWeight,
    label: string,
    show: (v: unknown) => string = plain,
    sameWords?: (v: unknown) => string | null,
  ): void {
    if (sameValue(good, bad)) {
      const words = sameWords ? sameWords(good) : isEmpty(good) ? null : `${label} ${show(good)}`;
      if (words) this.same(area, words);
    } else this.add({ area, field, good, bad, weight, summary: `${label}: bad ${show(bad)}, good ${show(good)}` });
  }

  /**
   * A list of names the client (or server) sends: added, removed, reordered. `orderWeight` is the weight of a
   * change of order alone (cosmetic for extensions, which browsers shuffle; notable for cipher suites).
   */
  list(area: DiffArea, field: string, who: string, label: string, good: readonly string[], bad: readonly string[], orderWeight: DiffWeight, extra = ''): void {
    const c = compareLists(good, bad);
    if (c.equal) {
      if (good.length > 0) this.same(area, `${plural(good.length, singular(label), label)}${good.length > 1 ? ' in the same order' : ''}`);
      return;
    }
    const parts: string[] = [`the bad ${who} sends ${groupThousands(bad.length)} ${label} (good: ${groupThousands(good.length)})`];
    if (c.added.length > 0) parts.push(`adds ${someNames(c.added)}`);
    if (c.removed.length > 0) parts.push(`drops ${someNames(c.removed)}`);
    if (c.reordered) parts.push(c.added.length + c.removed.length > 0 ? 'and orders the rest differently' : 'the same names in another order');
    const onlyOrder = c.added.length === 0 && c.removed.length === 0;
    const d: Difference = {
      area,
      field,
      good: [...good],
      bad: [...bad],
      weight: onlyOrder ? orderWeight : 'notable',
      summary: `${label}: ${parts.join('; ')}${extra}`,
      added: c.added,
      removed: c.removed,
      reordered: c.reordered,
    };
    this.add(d);
  }
}

function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.values(v as object).every(isEmpty);
  return false;
}

function singular(label: string): string {
  if (label === 'cipher suites') return 'cipher suite';
  return label.replace(/s$/, '');
}

export function plain(v: unknown): string {
  if (v === null || v === undefined) return 'none';
  if (Array.isArray(v)) return v.length === 0 ? 'none' : v.join(', ');
  if (typeof v === 'number') return groupThousands(v);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** ClientHello: versions, cipher suites, extensions, groups, signature algorithms, SNI, ALPN, resumption, SSLv2, JA3/JA4. */
export function compareClientHello(c: Comparison, good: ConnectionReport, bad: ConnectionReport): void {
  const g = good.clientHello;
  const b = bad.clientHello;
  if (!g || !b) {
    if (g || b) {
      c.add({
        area: 'clienthello',
        field: 'clientHello',
        good: g ? `frame ${g.frame}` : null,
        bad: b ? `frame ${b.frame}` : null,
        weight: 'notable',
        summary: b ? 'the good connection has no ClientHello in the capture' : 'the bad client never sent a ClientHello',
      });
    }
    return;
  }
  c.scalar('clienthello', 'sslv2Hello', g.sslv2, b.sslv2, 'notable', 'SSLv2-style hello', (v) => (v ? 'yes' : 'no'));
  c.scalar('clienthello', 'recordVersion', g.recordVersion, b.recordVersion, 'cosmetic', 'record version');
  c.scalar('clienthello', 'clientVersion', g.version, b.version, 'notable', 'client version');
  c.list('clienthello', 'supportedVersions', 'client', 'supported versions', g.supportedVersions, b.supportedVersions, 'notable');
  const chosen = good.serverHello?.cipherSuite;
  const chosenMissing = chosen && !b.cipherSuites.includes(chosen) ? `; the suite the server chose for the good client (${chosen}) is not in the bad client's offer` : '';
  c.list('clienthello', 'cipherSuites', 'client', 'cipher suites', g.cipherSuites, b.cipherSuites, 'notable', chosenMissing);
  c.list('clienthello', 'extensions', 'client', 'extensions', g.extensions, b.extensions, 'cosmetic');
  c.list('clienthello', 'supportedGroups', 'client', 'groups', g.supportedGroups, b.supportedGroups, 'notable');
  c.list('clienthello', 'signatureAlgorithms', 'client', 'signature algorithms', g.signatureAlgorithms, b.signatureAlgorithms, 'notable');
  c.list('clienthello', 'keyShareGroups', 'client', 'key shares', g.keyShareGroups, b.keyShareGroups, 'notable');
  c.list('clienthello', 'ecPointFormats', 'client', 'EC point formats', g.ecPointFormats.map(String), b.ecPointFormats.map(String), 'cosmetic');
  c.list('clienthello', 'compressionMethods', 'client', 'compression methods', g.compressionMethods.map(String), b.compressionMethods.map(String), 'notable');
  c.scalar('clienthello', 'sni', g.sni, b.sni, 'notable', 'SNI', plain, (v) => (v ? `SNI ${v as string}` : 'no SNI'));
  c.list('clienthello', 'alpn', 'client', 'ALPN protocols', g.alpn, b.alpn, 'notable');
  c.scalar('clienthello', 'resumption', resumptionAttempt(g), resumptionAttempt(b), 'notable', 'resumption attempt', resumptionWords, (v) => `resumption attempt: ${resumptionWords(v)}`);
  c.scalar('clienthello', 'ja3', good.fingerprints?.ja3 ?? null, bad.fingerprints?.ja3 ?? null, 'notable', 'JA3');
  c.scalar('clienthello', 'ja4', good.fingerprints?.ja4 ?? null, bad.fingerprints?.ja4 ?? null, 'notable', 'JA4');
}

function resumptionAttempt(h: ClientHelloSummary): { sessionId: boolean; ticket: boolean; psk: boolean } {
  return { sessionId: h.sessionId.length > 0, ticket: h.sessionTicket, psk: h.preSharedKey };
}

function resumptionWords(v: unknown): string {
  const r = v as ReturnType<typeof resumptionAttempt>;
  const ways = [r.sessionId && 'session id', r.ticket && 'session ticket', r.psk && 'pre-shared key'].filter(Boolean);
  return ways.length === 0 ? 'none' : ways.join(' + ');
}

/** The server's answer: STARTTLS, version and cipher chosen, extensions, key exchange, the size of its flight. */
export function compareServer(c: Comparison, good: ConnectionReport, bad: ConnectionReport): void {
  const addr = (r: ConnectionReport) => endpoint(r.server);
  c.scalar('server', 'serverAddress', addr(good), addr(bad), 'notable', 'server', plain, (v) => `server ${v as string}`);
  c.scalar('server', 'protocol', good.protocol, bad.protocol, 'notable', 'protocol');
  const gm = good.mail;
  const bm = bad.mail;
  if (gm?.clientAsked && bm?.clientAsked) {
    c.scalar('server', 'starttlsReply', gm.serverReply, bm.serverReply, gm.accepted === bm.accepted ? 'cosmetic' : 'notable', 'STARTTLS reply');
  }
  const g = good.serverHello;
  const b = bad.serverHello;
  if (!g || !b) {
    // A server that never answered has nothing to compare field by field: the divergence says so.
    return;
  }
  c.scalar('server', 'version', g.selectedVersion, b.selectedVersion, 'notable', 'version chosen');
  c.scalar('server', 'cipherSuite', g.cipherSuite, b.cipherSuite, 'notable', 'cipher suite chosen');
  c.list('server', 'extensions', 'server', 'server extensions', g.extensions, b.extensions, 'cosmetic');
  c.scalar('server', 'alpn', g.alpn, b.alpn, 'notable', 'ALPN chosen');
  c.scalar('server', 'keyShareGroup', g.keyShareGroup, b.keyShareGroup, 'notable', 'key share group');
  c.scalar('server', 'compressionMethod', g.compressionMethod, b.compressionMethod, 'notable', 'compression method');
  c.scalar('server', 'resumed', good.tls.resumed, bad.tls.resumed, 'notable', 'session resumed', (v) => (v ? 'yes' : 'no'), (v) => (v ? 'session resumed' : 'full handshake (no resumption)'));
  c.scalar('server', 'helloRetryRequest', good.tls.helloRetryRequest, bad.tls.helloRetryRequest, 'notable', 'HelloRetryRequest', (v) => (v ? 'yes' : 'no'));
  c.scalar('server', 'ja3s', good.fingerprints?.ja3s ?? null, bad.fingerprints?.ja3s ?? null, 'notable', 'JA3S');
  const gk = good.messages.find((m) => m.type === 'ServerKeyExchange' && m.from === 'server')?.length ?? null;
  const bk = bad.messages.find((m) => m.type === 'ServerKeyExchange' && m.from === 'server')?.length ?? null;
  if (good.lastStep >= 3 && bad.lastStep >= 3 && (gk !== null || bk !== null)) c.scalar('server', 'serverKeyExchangeBytes', gk, bk, 'notable', 'ServerKeyExchange size', bytesWords);
  const gf = good.tcp.serverFlight.bytes;
  const bf = bad.tcp.serverFlight.bytes;
  if (gf > 0 && bf > 0 && bad.lastStep >= 4 && good.lastStep >= 4) {
    // A few bytes either way is a session ticket or a record split differently; a chain change is kilobytes.
    const weight: DiffWeight = Math.abs(gf - bf) > 0.1 * Math.max(gf, bf) ? 'notable' : 'cosmetic';
    c.scalar('server', 'serverFlightBytes', gf, bf, weight, 'server flight', bytesWords);
  }
}

function bytesWords(v: unknown): string {
  return v === null || v === undefined ? 'none' : `${groupThousands(v as number)} bytes`;
}

/** The certificate chain, when at least one side's was read (TLS 1.3 chains are encrypted: nothing to compare). */
export function compareCertificates(c: Comparison, good: ConnectionReport, bad: ConnectionReport): void {
  const g = good.certificates ?? [];
  const b = bad.certificates ?? [];
  const gp = good.chainProblems ?? [];
  const bp = bad.chainProblems ?? [];
  if (g.length === 0 && b.length === 0) return;
  if (g.length === 0 || b.length === 0) {
    // The side without a chain stopped before the Certificate message: a consequence, said by the divergence.
    const missing = g.length === 0 ? good : bad;
    // TLS 1.3 encrypts the chain and a resumed session sends none: only a full handshake past step 3 should have one.
    if (missing.lastStep < 3 || missing.shape !== 'full') return;
    c.add({
      area: 'certificates',
      field: 'certificateCount',
      good: g.length,
      bad: b.length,
      weight: 'notable',
      summary: `the ${g.length === 0 ? 'good' : 'bad'} server's Certificate message carried no certificate that could be read`,
    });
    return;
  }
  c.scalar('certificates', 'certificateCount', g.length, b.length, 'notable', 'certificates in the chain', plain, (v) => plural(v as number, 'certificate'));
  const gBytes = g.reduce((a, x) => a + x.bytes, 0);
  const bBytes = b.reduce((a, x) => a + x.bytes, 0);
  c.scalar('certificates', 'chainBytes', gBytes, bBytes, 'notable', 'chain size', bytesWords);
  const leafG = g[0]!;
  const leafB = b[0]!;
  if (leafG.sha256 === leafB.sha256) c.same('certificates', `server certificate ${leafG.subject ?? '(unreadable)'} (same SHA-256)`);
  else {
    const words: string[] = [];
    if (leafG.subject !== leafB.subject) words.push(`subject ${leafB.subject ?? '?'} (good: ${leafG.subject ?? '?'})`);
    if (leafG.issuer !== leafB.issuer) words.push(`issuer ${leafB.issuer ?? '?'} (good: ${leafG.issuer ?? '?'})`);
    if (leafG.notAfter !== leafB.notAfter) words.push(`valid until ${millisShown(leafB.notAfter)} (good: ${millisShown(leafG.notAfter)})`);
    if (leafG.keyType !== leafB.keyType || leafG.keyBits !== leafB.keyBits) words.push(`key ${leafB.keyType ?? '?'} ${leafB.keyBits ?? ''} (good: ${leafG.keyType ?? '?'} ${leafG.keyBits ?? ''})`);
    c.add({
      area: 'certificates',
      field: 'serverCertificate',
      good: certRef(leafG),
      bad: certRef(leafB),
      weight: 'notable',
      summary: `a different server certificate${words.length > 0 ? `: ${words.join('; ')}` : ' (same names and dates, another key or serial)'}`,
    });
  }
  const gh = g.map((x) => x.sha256);
  const bh = b.map((x) => x.sha256);
  const rest = compareLists(gh.slice(1), bh.slice(1));
  if (rest.equal) {
    if (g.length > 1) c.same('certificates', `${plural(g.length - 1, 'certificate')} after the server's own, in the same order`);
  } else if (rest.added.length === 0 && rest.removed.length === 0) {
    c.add({ area: 'certificates', field: 'chainOrder', good: g.map((x) => x.subject), bad: b.map((x) => x.subject), weight: 'notable', summary: `the same certificates in another order: bad ${someNames(b.map((x) => x.subject ?? '?'), 6)}` });
  } else {
    const subjectOf = new Map([...g, ...b].map((x) => [x.sha256, x.subject ?? '(unreadable)']));
    const parts: string[] = [];
    if (rest.added.length > 0) parts.push(`the bad server also sends ${someNames(rest.added.map((h) => subjectOf.get(h)!))}`);
    if (rest.removed.length > 0) parts.push(`it does not send ${someNames(rest.removed.map((h) => subjectOf.get(h)!))}`);
    c.add({ area: 'certificates', field: 'chain', good: g.map(certRef), bad: b.map(certRef), weight: 'notable', summary: `another chain: ${parts.join('; ')}` });
  }
  const key = (p: { code: string; index: number | null }) => `${p.code}@${p.index ?? '-'}`;
  const gKeys = new Set(gp.map(key));
  const bKeys = new Set(bp.map(key));
  const newProblems = bp.filter((p) => !gKeys.has(key(p)));
  const goneProblems = gp.filter((p) => !bKeys.has(key(p)));
  if (newProblems.length === 0 && goneProblems.length === 0) {
    c.same('certificates', gp.length === 0 ? 'no chain problem' : `chain problems ${gp.map((p) => p.code).join(', ')}`);
  } else {
    const parts: string[] = [];
    if (newProblems.length > 0) parts.push(`bad only: ${newProblems.map((p) => p.message).join(' ')}`);
    if (goneProblems.length > 0) parts.push(`good only: ${goneProblems.map((p) => p.message).join(' ')}`);
    c.add({
      area: 'certificates',
      field: 'chainProblems',
      good: gp.map((p) => p.code),
      bad: bp.map((p) => p.code),
      weight: 'notable',
      summary: `chain problems differ: ${parts.join('; ')}`,
      added: newProblems.map((p) => p.code),
      removed: goneProblems.map((p) => p.code),
    });
  }
}

function certRef(x: { subject: string | null; issuer: string | null; notAfter: string | null; sha256: string; bytes: number }) {
  return { subject: x.subject, issuer: x.issuer, notAfter: x.notAfter, bytes: x.bytes, sha256: x.sha256 };
}

/** One side's retransmissions: which bytes of its stream, how often. */
export function retransmissionsOf(r: ConnectionReport, side: Side): { count: number; segments: { offset: number; length: number; times: number }[] } {
  const bySegment = new Map<string, { offset: number; length: number; times: number }>();
  let n = 0;
  for (const e of r.tcp.events) {
    if (e.kind !== 'retransmission' || e.from !== side) continue;
    n++;
    const k = `${e.offset ?? -1}/${e.length ?? 0}`;
    const s = bySegment.get(k);
    if (s) s.times++;
    else bySegment.set(k, { offset: e.offset ?? -1, length: e.length ?? 0, times: 1 });
  }
  // The counter counts every retransmission; events are bounded, so trust the counter for the total.
  return { count: Math.max(n, r.tcp.retransmissions[side]), segments: [...bySegment.values()] };
}

export function retransmissionWords(v: ReturnType<typeof retransmissionsOf>, side: Side): string {
  if (v.count === 0) return 'none';
  const segs = v.segments
    .slice(0, 3)
    .map((s) => `bytes ${groupThousands(s.offset)}–${groupThousands(s.offset + s.length - 1)} (${groupThousands(s.length)} B) ×${s.times}`)
    .join(', ');
  return `${v.count}× by the ${side}${segs ? `: ${segs}${v.segments.length > 3 ? ', …' : ''}` : ''}`;
}

export function flightFullyAcked(r: ConnectionReport): boolean {
  return r.tcp.serverFlight.ackedByClient >= r.tcp.serverFlight.bytes;
}

/** The first FIN or RST of the connection, since the ClientHello. */
export function firstClose(r: ConnectionReport): { by: Side; how: 'fin' | 'rst'; afterMs: number; since: 'ClientHello' | 'first frame' } | null {
  const e = r.tcp.events.find((x) => x.kind === 'fin' || x.kind === 'rst');
  if (!e) return null;
  // Without a ClientHello the zero is the connection's first frame.
  const hello = r.messages.some((m) => m.step === 1);
  return { by: e.from, how: e.kind as 'fin' | 'rst', afterMs: round3(e.atMs - (hello ? helloAtMs(r) : 0)), since: hello ? 'ClientHello' : 'first frame' };
}

export function closeWords(v: ReturnType<typeof firstClose>): string {
  return v ? `${v.by} ${v.how.toUpperCase()} ${millis(v.afterMs)} after the ${v.since}` : 'no FIN or RST (the capture ended first)';
}

/** TCP beneath the handshake: SYN options, segment sizes, retransmissions, the server flight, windows, RTT, the close. */
export function compareTcp(c: Comparison, good: ConnectionReport, bad: ConnectionReport): void {
  const g = good.tcp;
  const b = bad.tcp;
  if (g.syn !== b.syn) {
    c.add({ area: 'tcp', field: 'syn', good: g.syn, bad: b.syn, weight: 'cosmetic', summary: `the ${g.syn ? 'bad' : 'good'} connection's SYN is not in the capture: its MSS and window scale are unknown` });
  } else if (!g.syn) c.same('tcp', 'no SYN captured on either side (MSS and window scale unknown)');
  c.scalar('tcp', 'clientAddress', good.client.ip, bad.client.ip, 'notable', 'client address');
  const mssWords = (v: unknown) => (v === null ? 'not announced' : groupThousands(v as number));
  c.scalar('tcp', 'mssClient', g.mss.client, b.mss.client, 'notable', 'client MSS', mssWords);
  c.scalar('tcp', 'mssServer', g.mss.server, b.mss.server, 'notable', 'server MSS', mssWords);
  c.scalar('tcp', 'windowScaleClient', g.windowScale.client, b.windowScale.client, 'notable', 'client window scale', mssWords);
  c.scalar('tcp', 'windowScaleServer', g.windowScale.server, b.windowScale.server, 'notable', 'server window scale', mssWords);
  // Before the server's flight its segments are a ServerHello or an alert: their size says nothing about the path.
  if (good.lastStep >= 3 && bad.lastStep >= 2) {
    // A byte or two is a record split differently; a path that forces smaller segments changes them by an MSS step.
    const gs = g.largestSegment.server;
    const bs = b.largestSegment.server;
    const weight: DiffWeight = Math.abs(gs - bs) >= 0.05 * Math.max(gs, bs) ? 'notable' : 'cosmetic';
    c.scalar('tcp', 'largestSegmentServer', gs, bs, weight, 'largest server segment', bytesWords);
  }
  c.scalar('tcp', 'largestSegmentClient', g.largestSegment.client, b.largestSegment.client, 'cosmetic', 'largest client segment', bytesWords);
  for (const side of ['server', 'client'] as const) {
    const gr = retransmissionsOf(good, side);
    const br = retransmissionsOf(bad, side);
    if (gr.count === br.count && (gr.count === 0 || sameValue(gr.segments, br.segments))) c.same('tcp', gr.count === 0 ? `no ${side} retransmissions` : `${side} retransmissions ${retransmissionWords(gr, side)}`);
    else c.add({ area: 'tcp', field: `retransmissions${side === 'client' ? 'Client' : 'Server'}`, good: gr, bad: br, weight: br.count > gr.count ? 'notable' : 'cosmetic', summary: `${side} retransmissions: bad ${retransmissionWords(br, side)}; good ${retransmissionWords(gr, side)}` });
  }
  const gf = g.serverFlight;
  const bf = b.serverFlight;
  const ga = flightFullyAcked(good);
  const ba = flightFullyAcked(bad);
  if (ga === ba) {
    if (gf.bytes > 0) c.same('tcp', ga ? 'the client acknowledged the whole server flight' : 'the client did not acknowledge the whole server flight');
  } else {
    const words = (f: typeof gf, acked: boolean) => (acked ? `all ${groupThousands(f.bytes)} bytes acknowledged` : `${groupThousands(f.ackedByClient)} of ${groupThousands(f.bytes)} bytes acknowledged`);
    c.add({
      area: 'tcp',
      field: 'serverFlightAcked',
      good: { ...gf },
      bad: { ...bf },
      weight: 'notable',
      summary: ba
        ? `the good client did not acknowledge the whole server flight (${words(gf, ga)}); the bad one did (${words(bf, ba)})`
        : `bad: the server flight of ${groupThousands(bf.bytes)} bytes was never fully acknowledged (${groupThousands(bf.ackedByClient)} acknowledged); good: ${words(gf, ga)}`,
    });
  }
  c.scalar('tcp', 'zeroWindowsClient', g.zeroWindows.client, b.zeroWindows.client, 'notable', 'client zero windows');
  c.scalar('tcp', 'zeroWindowsServer', g.zeroWindows.server, b.zeroWindows.server, 'notable', 'server zero windows');
  c.scalar('tcp', 'gaps', g.gaps, b.gaps, 'notable', 'bytes missing from the capture (gaps)', (v) => {
    const x = v as { client: number; server: number };
    return x.client + x.server === 0 ? 'none' : `client ${x.client}, server ${x.server}`;
  });
  if (g.rttMs !== null && b.rttMs !== null) {
    const lo = Math.min(g.rttMs, b.rttMs);
    const hi = Math.max(g.rttMs, b.rttMs);
    // RTT jitters; only an order of magnitude (or more than 100 ms) says the path changed.
    const weight: DiffWeight = hi - lo > 100 || (hi > 5 * lo && hi - lo > 10) ? 'notable' : 'cosmetic';
    if (g.rttMs === b.rttMs) c.same('tcp', `RTT ${millis(g.rttMs)}`);
    else c.add({ area: 'tcp', field: 'rttMs', good: g.rttMs, bad: b.rttMs, weight, summary: `RTT from the SYN handshake: bad ${millis(b.rttMs)}, good ${millis(g.rttMs)}` });
  }
  const gc = firstClose(good);
  const bc = firstClose(bad);
  if (gc?.by === bc?.by && gc?.how === bc?.how) c.same('tcp', gc ? `the ${gc.by} sent the first ${gc.how.toUpperCase()}` : 'no FIN or RST');
  else c.add({ area: 'tcp', field: 'close', good: gc, bad: bc, weight: 'notable', summary: `first FIN/RST: bad ${closeWords(bc)}; good ${closeWords(gc)}` });
}

/** Every alert each side sent, in order. */
export function alertsOf(r: ConnectionReport): string[] {
  return r.messages.filter((m) => m.type.startsWith('Alert')).map((m) => `${m.from}: ${m.type}`);
}

export function compareAlerts(c: Comparison, good: ConnectionReport, bad: ConnectionReport): void {
  const g = alertsOf(good);
  const b = alertsOf(bad);
  if (sameList(g, b)) {
    c.same('alerts', g.length === 0 ? 'no alert' : `alerts ${g.join(', ')}`);
    return;
  }
  const end = bad.end.how === 'alert' && bad.end.alert ? ` (it ends the bad connection at step ${bad.lastStep} ${bad.lastStepName})` : '';
  c.add({
    area: 'alerts',
    field: 'alerts',
    good: g,
    bad: b,
    weight: 'notable',
    summary: `alerts: bad ${b.length > 0 ? b.join(', ') : 'none'}${end}; good ${g.length > 0 ? g.join(', ') : 'none'}`,
  });
}

/** One problem the TLS decoder found in a connection's records or messages. */
export interface MessageProblem {
  from: Side;
  frame: number;
  /** 'malformed ChangeCipherSpec: 38 bytes (must be the one byte 1: a peer rejects it)'. */
  note: string;
}

/** The walk's problems among the report's notes: they read `client, frame 10: malformed ChangeCipherSpec: …`. */
const PROBLEM_NOTE = /^(client|server), frame (\d+): (.+)$/;

export function messageProblemsOf(r: ConnectionReport): MessageProblem[] {
  const out: MessageProblem[] = [];
  for (const n of r.notes) {
    const m = PROBLEM_NOTE.exec(n);
    if (m) out.push({ from: m[1] as Side, frame: Number(m[2]), note: m[3]! });
  }
  return out;
}

const problemKey = (p: MessageProblem) => `${p.from}: ${p.note}`;

/** Records and messages the decoder found wrong (a malformed ChangeCipherSpec, a ClientHello that breaks its own lengths), compared without their frame numbers. */
export function compareMessageProblems(c: Comparison, good: ConnectionReport, bad: ConnectionReport): void {
  const g = messageProblemsOf(good);
  const b = messageProblemsOf(bad);
  const gk = new Set(g.map(problemKey));
  const bk = new Set(b.map(problemKey));
  const badOnly = b.filter((p) => !gk.has(problemKey(p)));
  const goodOnly = g.filter((p) => !bk.has(problemKey(p)));
  if (badOnly.length === 0 && goodOnly.length === 0) {
    c.same('messages', g.length === 0 ? 'no record or message the decoder found wrong' : `the same problems: ${g.map(problemKey).join('; ')}`);
    return;
  }
  const words = (ps: MessageProblem[]) => ps.map((p) => `${p.from}, frame ${p.frame}: ${p.note}`).join('; ');
  const parts: string[] = [];
  if (badOnly.length > 0) parts.push(`bad only: ${words(badOnly)}`);
  if (goodOnly.length > 0) parts.push(`good only: ${words(goodOnly)}`);
  c.add({
    area: 'messages',
    field: 'problems',
    good: g.map(problemKey),
    bad: b.map(problemKey),
    weight: 'notable',
    summary: `records or messages the decoder found wrong: ${parts.join('; ')}`,
    added: badOnly.map(problemKey),
    removed: goodOnly.map(problemKey),
  });
}

/** The step timeline: which steps each reached, and the time between steps both reached. */
export function compareTiming(c: Comparison, good: ConnectionReport, bad: ConnectionReport): void {
  const gs = good.steps.map((s) => s.step);
  const bs = bad.steps.map((s) => s.step);
  if (sameList(gs, bs)) c.same('timing', gs.length === 0 ? 'no handshake step' : `the same steps (${stepRange(gs)})`);
  else
    c.add({
      area: 'timing',
      field: 'steps',
      good: gs,
      bad: bs,
      weight: 'notable',
      summary: `steps reached: bad ${stepRange(bs)} (${bad.outcome}, last ${bad.lastStep} ${bad.lastStepName}); good ${stepRange(gs)} (${good.outcome})`,
    });
  let slower = 0;
  for (let i = 1; i < Math.min(good.steps.length, bad.steps.length); i++) {
    const g = good.steps[i]!;
    const b = bad.steps[i]!;
    if (g.step !== b.step || good.steps[i - 1]!.step !== bad.steps[i - 1]!.step) break;
    const gi = g.offsetMs - good.steps[i - 1]!.offsetMs;
    const bi = b.offsetMs - bad.steps[i - 1]!.offsetMs;
    const lo = Math.min(gi, bi);
    const hi = Math.max(gi, bi);
    // Milliseconds of jitter are noise; seconds, and several times slower, are a story (a timeout, a slow lookup).
    if (hi - lo < 2 || hi < 2 * lo) continue;
    slower++;
    const weight: DiffWeight = hi - lo >= 1000 && hi >= 3 * lo ? 'notable' : 'cosmetic';
    c.add({
      area: 'timing',
      field: 'stepIntervalMs',
      step: g.step,
      good: round3(gi),
      bad: round3(bi),
      weight,
      summary: `step ${g.step} ${g.name} came ${millis(bi)} after the step before in the bad connection, ${millis(gi)} in the good one`,
    });
  }
  if (slower === 0 && Math.min(good.steps.length, bad.steps.length) > 1) c.same('timing', 'similar time between the steps both reached');
}

function stepRange(steps: number[]): string {
  if (steps.length === 0) return 'none';
  let contiguous = true;
  for (let i = 1; i < steps.length; i++) if (steps[i] !== steps[i - 1]! + 1) contiguous = false;
  return contiguous && steps.length > 1 ? `${steps[0]}–${steps[steps.length - 1]}` : steps.join(', ');
}

/** A certificate's date as the diff's words have always shown it, to the millisecond (`2027-12-30T11:27:18.000Z`). */
function millisShown(iso: string | null): string {
  return iso === null ? '?' : iso.replace(/^(.*\.\d{3})\d{3}Z$/, '$1Z');
}

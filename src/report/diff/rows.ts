import { endWords, endpoint, groupThousands, millis } from '../../text/words.js';
import { STEPS } from '../../handshake/steps.js';
import type { ConnectionReport } from '../../handshake/report.js';
import { alertsOf, firstClose, messageProblemsOf, retransmissionsOf } from '../../diff/compare.js';
import type { DiffResult, DiffWeight, Difference } from '../../diff/types.js';

/** One row of the side-by-side view: a label, each side's value, and the strongest difference behind it. */
export interface DiffRow {
  section: string;
  label: string;
  good: string;
  bad: string;
  /** null = the same on both sides. */
  weight: DiffWeight | null;
}

export const MARK: Readonly<Record<DiffWeight, string>> = { 'likely-cause': '!', notable: '≠', cosmetic: '~' };
export const LEGEND = '! likely cause   ≠ differs   ~ differs, cosmetic';

const STRENGTH: Readonly<Record<DiffWeight, number>> = { 'likely-cause': 3, notable: 2, cosmetic: 1 };

function strongest(diffs: readonly Difference[], keys: readonly string[], step?: number): DiffWeight | null {
  let best: DiffWeight | null = null;
  for (const d of diffs) {
    if (!keys.includes(`${d.area}/${d.field}`)) continue;
    if (step !== undefined && d.step !== undefined && d.step !== step) continue;
    if (!best || STRENGTH[d.weight] > STRENGTH[best]) best = d.weight;
  }
  return best;
}

const or = (v: string | null | undefined, none = '—') => (v === null || v === undefined || v === '' ? none : v);

/** `captures/x.pcap#2 10.77.0.100:25426 → 10.77.0.4:25 (smtp-starttls): complete, step 9 server Finished, server FIN`. */
export function connectionLine(r: ConnectionReport): string {
  return `${r.capture}#${r.id} ${endpoint(r.client)} → ${endpoint(r.server)} (${r.protocol}): ${r.outcome}, step ${r.lastStep} ${r.lastStepName}, ${endWords(r.end)}`;
}

/**
 * The rows of the side-by-side view: the nine steps (each side's frame and time since the ClientHello),
 * how each ended, then the ClientHello, the server's answer, the certificates, TCP and alerts.
 */
export function diffRows(result: DiffResult, good: ConnectionReport, bad: ConnectionReport): DiffRow[] {
  const diffs = result.differences;
  const rows: DiffRow[] = [];
  const row = (section: string, label: string, g: string, b: string, keys: readonly string[], step?: number) => {
    let weight = strongest(diffs, keys, step);
    // A row whose two cells differ but no compared field does (e.g. a step reached on one side only) is marked by the divergence.
    if (weight === null && g !== b && keys.length === 0) weight = 'notable';
    rows.push({ section, label, good: g, bad: b, weight });
  };

  const reached = new Set([...good.steps, ...bad.steps].map((s) => s.step));
  const stepCell = (r: ConnectionReport, step: number) => {
    const s = r.steps.find((x) => x.step === step);
    return s ? `${millis(s.offsetMs)} · frame ${s.frame}` : '—';
  };
  for (const s of STEPS) {
    if (!reached.has(s.step)) continue;
    const inBoth = good.steps.some((x) => x.step === s.step) && bad.steps.some((x) => x.step === s.step);
    // The reports' own names: a TLS 1.3 handshake's steps are named for TLS 1.3 (handshake/steps.ts).
    const label = `${s.step} ${good.steps.find((x) => x.step === s.step)?.name ?? bad.steps.find((x) => x.step === s.step)?.name ?? s.name}`;
    if (inBoth) row('steps', label, stepCell(good, s.step), stepCell(bad, s.step), ['timing/stepIntervalMs'], s.step);
    else row('steps', label, stepCell(good, s.step), stepCell(bad, s.step), []);
  }
  const ended = (r: ConnectionReport) => {
    const c = firstClose(r);
    return r.end.how === 'capture-end' ? 'capture ended' : `${endWords(r.end)}${c && r.end.how !== 'alert' ? ` at ${millis(c.afterMs)}` : ''}`;
  };
  row('steps', 'ended', ended(good), ended(bad), [], undefined);
  // "ended" is a difference when the stories part there, whatever the cells say.
  const last = rows[rows.length - 1]!;
  if (last.good === last.bad) last.weight = null;
  else last.weight = strongest(diffs, ['tcp/close', 'alerts/alerts']) ?? 'notable';

  const gh = good.clientHello;
  const bh = bad.clientHello;
  const hello = (f: (h: NonNullable<ConnectionReport['clientHello']>) => string) => [gh ? f(gh) : '—', bh ? f(bh) : '—'] as const;
  const offered = (h: NonNullable<ConnectionReport['clientHello']>) =>
    `${h.sslv2 ? 'SSLv2 hello, ' : ''}${h.supportedVersions.length > 0 ? h.supportedVersions.filter((v) => v !== 'GREASE').join(', ') : h.version} (record ${h.recordVersion})`;
  row('ClientHello', 'versions offered', ...hello(offered), ['clienthello/clientVersion', 'clienthello/supportedVersions', 'clienthello/recordVersion', 'clienthello/sslv2Hello']);
  row('ClientHello', 'cipher suites', ...hello((h) => `${groupThousands(h.cipherSuites.length)}${h.cipherSuites[0] ? `, first ${h.cipherSuites[0].replace(/^TLS_/, '')}` : ''}`), ['clienthello/cipherSuites']);
  row('ClientHello', 'extensions', ...hello((h) => `${h.extensions.length}`), ['clienthello/extensions']);
  row('ClientHello', 'groups (key shares)', ...hello((h) => `${h.supportedGroups.length}${h.keyShareGroups.length > 0 ? ` (${h.keyShareGroups.join(', ')})` : ''}`), ['clienthello/supportedGroups', 'clienthello/keyShareGroups']);
  row('ClientHello', 'signature algorithms', ...hello((h) => `${h.signatureAlgorithms.length}`), ['clienthello/signatureAlgorithms']);
  row('ClientHello', 'SNI', ...hello((h) => or(h.sni)), ['clienthello/sni']);
  row('ClientHello', 'ALPN', ...hello((h) => or(h.alpn.join(', '))), ['clienthello/alpn']);
  row('ClientHello', 'resumption attempt', ...hello((h) => [h.sessionId && 'session id', h.sessionTicket && 'ticket', h.preSharedKey && 'PSK'].filter(Boolean).join(' + ') || 'no'), ['clienthello/resumption']);
  row('ClientHello', 'JA3', or(good.fingerprints?.ja3), or(bad.fingerprints?.ja3), ['clienthello/ja3']);
  row('ClientHello', 'JA4', or(good.fingerprints?.ja4), or(bad.fingerprints?.ja4), ['clienthello/ja4']);

  if (good.mail?.clientAsked || bad.mail?.clientAsked) row('server', 'STARTTLS reply', or(good.mail?.serverReply), or(bad.mail?.serverReply), ['server/starttlsReply']);
  const sh = (r: ConnectionReport) => (r.serverHello ? `${r.serverHello.selectedVersion}, ${r.serverHello.cipherSuite}` : '—');
  row('server', 'version, cipher', sh(good), sh(bad), ['server/version', 'server/cipherSuite']);
  const shx = (r: ConnectionReport) => (r.serverHello ? `${r.serverHello.extensions.length}${r.serverHello.alpn ? `, ALPN ${r.serverHello.alpn}` : ''}${r.serverHello.keyShareGroup ? `, key share ${r.serverHello.keyShareGroup}` : ''}${r.tls.resumed ? ', resumed' : ''}` : '—');
  row('server', 'extensions', shx(good), shx(bad), ['server/extensions', 'server/alpn', 'server/keyShareGroup', 'server/resumed', 'server/helloRetryRequest', 'server/compressionMethod']);
  const ske = (r: ConnectionReport) => {
    const m = r.messages.find((x) => x.type === 'ServerKeyExchange');
    return m?.length !== undefined ? `${groupThousands(m.length)} bytes` : '—';
  };
  // TLS 1.3 has no ServerKeyExchange (the key share is in ServerHello).
  if (good.shape !== 'tls13' || bad.shape !== 'tls13') row('server', 'ServerKeyExchange', ske(good), ske(bad), ['server/serverKeyExchangeBytes']);
  const flight = (r: ConnectionReport) => `${groupThousands(r.tcp.serverFlight.bytes)} bytes, ${groupThousands(r.tcp.serverFlight.ackedByClient)} acknowledged`;
  row('server', 'server flight', flight(good), flight(bad), ['server/serverFlightBytes', 'tcp/serverFlightAcked']);

  const certs = (r: ConnectionReport) => r.certificates ?? [];
  if (certs(good).length > 0 || certs(bad).length > 0) {
    const chain = (r: ConnectionReport) => (certs(r).length === 0 ? '—' : `${certs(r).length} certificates, ${groupThousands(certs(r).reduce((a, c) => a + c.bytes, 0))} bytes`);
    row('certificates', 'chain', chain(good), chain(bad), ['certificates/certificateCount', 'certificates/chainBytes', 'certificates/chain', 'certificates/chainOrder']);
    const leaf = (r: ConnectionReport) => {
      const c = certs(r)[0];
      return c ? `${or(c.subject)}, until ${or(c.notAfter?.slice(0, 10))}` : '—';
    };
    row('certificates', 'server certificate', leaf(good), leaf(bad), ['certificates/serverCertificate']);
    const problems = (r: ConnectionReport) => (certs(r).length === 0 ? '—' : or((r.chainProblems ?? []).map((p) => p.code).join(', '), 'none'));
    row('certificates', 'chain problems', problems(good), problems(bad), ['certificates/chainProblems']);
  }

  const pair = (v: { client: number | null; server: number | null }) => `${v.client ?? '—'} / ${v.server ?? '—'}`;
  row('TCP', 'MSS client / server', pair(good.tcp.mss), pair(bad.tcp.mss), ['tcp/mssClient', 'tcp/mssServer', 'tcp/syn']);
  row('TCP', 'window scale client / server', pair(good.tcp.windowScale), pair(bad.tcp.windowScale), ['tcp/windowScaleClient', 'tcp/windowScaleServer']);
  row('TCP', 'largest segment client / server', pair(good.tcp.largestSegment), pair(bad.tcp.largestSegment), ['tcp/largestSegmentClient', 'tcp/largestSegmentServer']);
  const retx = (r: ConnectionReport) => `${retransmissionsOf(r, 'client').count} / ${retransmissionsOf(r, 'server').count}`;
  row('TCP', 'retransmissions client / server', retx(good), retx(bad), ['tcp/retransmissionsClient', 'tcp/retransmissionsServer']);
  row('TCP', 'zero windows client / server', pair(good.tcp.zeroWindows), pair(bad.tcp.zeroWindows), ['tcp/zeroWindowsClient', 'tcp/zeroWindowsServer']);
  row('TCP', 'RTT (SYN handshake)', good.tcp.rttMs !== null ? millis(good.tcp.rttMs) : '—', bad.tcp.rttMs !== null ? millis(bad.tcp.rttMs) : '—', ['tcp/rttMs']);
  const close = (r: ConnectionReport) => {
    const c = firstClose(r);
    return c ? `${c.by} ${c.how.toUpperCase()} at ${millis(c.afterMs)}` : 'none';
  };
  row('TCP', 'first FIN / RST', close(good), close(bad), ['tcp/close']);
  if (good.tcp.gaps.client + good.tcp.gaps.server + bad.tcp.gaps.client + bad.tcp.gaps.server > 0) row('TCP', 'gaps client / server', pair(good.tcp.gaps), pair(bad.tcp.gaps), ['tcp/gaps']);
  row('alerts', 'alerts', or(alertsOf(good).join(', '), 'none'), or(alertsOf(bad).join(', '), 'none'), ['alerts/alerts']);
  const problems = (r: ConnectionReport) => or(messageProblemsOf(r).map((p) => `${p.from}, frame ${p.frame}: ${p.note}`).join('; '), 'none');
  if (messageProblemsOf(good).length + messageProblemsOf(bad).length > 0) row('TLS messages', 'decoding problems', problems(good), problems(bad), ['messages/problems']);
  return rows;
}

import { endWords, endpoint, plural } from '../text/words.js';
import { existsSync } from 'node:fs';
import { analyzeCapture, type AnalyzeOptions, type CaptureInfo } from '../analyze/pipeline.js';
import type { ConnectionReport } from '../handshake/report.js';

/**
 * One side of `diff` as given on the command line: a capture, optionally narrowed to one connection by its
 * number (`file.pcap#3`, as `analyze` numbers them) or by its client (`file.pcap@client=46.1.2.3:51234`,
 * `file.pcap@client=[fd77::100]:50648`; the port may be left out).
 */
export interface SideSpec {
  file: string;
  id?: number;
  client?: { ip: string; port: number | null };
}

export function parseSideSpec(arg: string): SideSpec | { error: string } {
  // A file whose name really contains '#' or '@' wins over the selector syntax.
  if (existsSync(arg) || arg === '-') return { file: arg };
  const at = arg.lastIndexOf('@client=');
  if (at > 0) {
    const file = arg.slice(0, at);
    const who = arg.slice(at + '@client='.length);
    const m = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(who) ?? /^([0-9.]+)(?::(\d+))?$/.exec(who) ?? /^([0-9a-fA-F:]*:[0-9a-fA-F:]*)$/.exec(who);
    if (!m) return { error: `${arg}: @client= wants an address and port: 46.1.2.3:51234 or [2001:db8::1]:51234` };
    const port = m[2] !== undefined ? Number(m[2]) : null;
    if (port !== null && port > 65535) return { error: `${arg}: port ${port} is out of range` };
    return { file, client: { ip: m[1]!.toLowerCase(), port } };
  }
  const hash = arg.lastIndexOf('#');
  if (hash > 0) {
    const id = Number(arg.slice(hash + 1));
    if (!Number.isInteger(id) || id < 1) return { error: `${arg}: #N wants a connection number as analyze shows it (1, 2, …)` };
    return { file: arg.slice(0, hash), id };
  }
  return { file: arg };
}

export interface ChosenConnection {
  report: ConnectionReport;
  /** Why it was picked, or null when the command line named it. */
  why: string | null;
}

export type PairSelection =
  | { ok: true; captures: CaptureInfo[]; good: ChosenConnection; bad: ChosenConnection }
  | { ok: false; captures: CaptureInfo[]; error: string };

const failedLike = (r: ConnectionReport) => r.outcome === 'failed';

/**
 * Analyze the captures (each file once) and choose the two connections to compare. Unnamed sides are chosen:
 * the bad one is the first connection of the most common kind of failure; the good one is the completed
 * connection most like it (same server, port, protocol, client, SNI; nearest in time on a tie).
 */
export async function selectPair(goodArg: string, badArg: string, options: AnalyzeOptions = {}): Promise<PairSelection> {
  const goodSpec = parseSideSpec(goodArg);
  const badSpec = parseSideSpec(badArg);
  if ('error' in goodSpec) return { ok: false, captures: [], error: goodSpec.error };
  if ('error' in badSpec) return { ok: false, captures: [], error: badSpec.error };
  const analysed = new Map<string, { info: CaptureInfo; connections: ConnectionReport[] }>();
  for (const file of [goodSpec.file, badSpec.file]) {
    if (!analysed.has(file)) analysed.set(file, await analyzeCapture(file, options));
  }
  const captures = [...analysed.values()].map((a) => a.info);
  const goodConns = analysed.get(goodSpec.file)!.connections;
  const badConns = analysed.get(badSpec.file)!.connections;

  const goodNamed = named(goodSpec, goodConns);
  const badNamed = named(badSpec, badConns);
  if (goodNamed && 'error' in goodNamed) return { ok: false, captures, error: goodNamed.error };
  if (badNamed && 'error' in badNamed) return { ok: false, captures, error: badNamed.error };

  let bad: ChosenConnection;
  if (badNamed) bad = { report: badNamed.report, why: null };
  else {
    const candidates = badConns.filter(failedLike);
    if (candidates.length === 0) {
      return { ok: false, captures, error: `${badSpec.file}: no failed handshake among its ${plural(badConns.length, 'connection')}; name the bad one with ${badSpec.file}#N` };
    }
    bad = goodNamed ? mostLike(goodNamed.report, candidates, 'failed') : representativeFailure(candidates, badSpec.file);
  }
  let good: ChosenConnection;
  if (goodNamed) good = { report: goodNamed.report, why: null };
  else {
    const candidates = goodConns.filter((r) => r.outcome === 'complete' && !(r.capture === bad.report.capture && r.id === bad.report.id));
    if (candidates.length === 0) {
      return { ok: false, captures, error: `${goodSpec.file}: no completed handshake among its ${plural(goodConns.length, 'connection')}; name the good one with ${goodSpec.file}#N` };
    }
    good = mostLike(bad.report, candidates, 'completed');
  }
  return { ok: true, captures, good, bad };
}

function named(spec: SideSpec, conns: ConnectionReport[]): { report: ConnectionReport } | { error: string } | null {
  if (spec.id !== undefined) {
    const r = conns.find((c) => c.id === spec.id);
    return r ? { report: r } : { error: `${spec.file}#${spec.id}: no such connection (${conns.length === 0 ? 'the capture holds no TCP connection' : `analyze numbers them 1 to ${conns.length}`})` };
  }
  if (spec.client) {
    const { ip, port } = spec.client;
    const matches = conns.filter((c) => c.client.ip.toLowerCase() === ip && (port === null || c.client.port === port));
    if (matches.length === 0) return { error: `${spec.file}: no connection from client ${port === null ? ip : endpoint({ ip, port })}` };
    return { report: matches[0]! };
  }
  return null;
}

/** The first failure of the most common kind (same step reached, same end), so one odd connection is not chosen by accident. */
function representativeFailure(failed: ConnectionReport[], file: string): ChosenConnection {
  const groups = new Map<string, ConnectionReport[]>();
  for (const r of failed) {
    const key = `${r.lastStep}|${endWords(r.end)}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  let best: ConnectionReport[] = [];
  for (const g of groups.values()) if (g.length > best.length) best = g;
  const r = best[0]!;
  const kind = `step ${r.lastStep} ${r.lastStepName}, ${endWords(r.end)}`;
  let why: string;
  if (failed.length === 1) why = `the only failed handshake in ${file}`;
  else if (best.length === 1) why = `the first of ${failed.length} failed handshakes in ${file}, each ending its own way; name another with ${file}#N`;
  else if (best.length === failed.length) why = `the first of ${failed.length} failed handshakes in ${file}, all ending the same way (${kind}); name another with ${file}#N`;
  else why = `the first of the ${best.length} failed handshakes in ${file} that end the most common way (${kind}), of ${failed.length} failed; name another with ${file}#N`;
  return { report: r, why };
}

/** The candidate most like `ref`: same server address and port, protocol, client address, SNI; nearest in time on a tie. */
function mostLike(ref: ConnectionReport, candidates: ConnectionReport[], what: 'completed' | 'failed'): ChosenConnection {
  const refTime = Date.parse(ref.start);
  let best = candidates[0]!;
  let bestScore = -1;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const s = similarity(ref, c);
    const distance = Math.abs(Date.parse(c.start) - refTime);
    if (s > bestScore || (s === bestScore && distance < bestDistance)) {
      best = c;
      bestScore = s;
      bestDistance = Number.isNaN(distance) ? Infinity : distance;
    }
  }
  const alike: string[] = [];
  if (best.server.ip === ref.server.ip && best.server.port === ref.server.port) alike.push(`the same server ${endpoint(best.server)}`);
  else if (best.server.port === ref.server.port) alike.push(`the same server port ${best.server.port}`);
  if (sameClientSoftware(best, ref)) alike.push(`the same client software (JA3 ${best.fingerprints.ja3})`);
  if (best.protocol === ref.protocol) alike.push(`the same protocol (${best.protocol})`);
  if (best.client.ip === ref.client.ip) alike.push(`the same client address ${best.client.ip}`);
  if (best.tls.sni && best.tls.sni === ref.tls.sni) alike.push(`the same SNI ${best.tls.sni}`);
  const pool = candidates.length === 1 ? `the only ${what} handshake in ${best.capture}` : `of ${candidates.length} ${what} handshakes in ${best.capture}, the one most like connection #${ref.id}`;
  return { report: best, why: `${pool}${alike.length > 0 ? `: ${alike.join(', ')}` : ''}` };
}

/** The same server and the same client software make the most telling pair: only what matters is left to differ. */
function similarity(a: ConnectionReport, b: ConnectionReport): number {
  let s = 0;
  if (a.server.ip === b.server.ip) s += 2;
  if (a.server.port === b.server.port) s += 2;
  if (sameClientSoftware(a, b)) s += 2;
  if (a.protocol === b.protocol) s += 1;
  if (a.client.ip === b.client.ip) s += 1;
  if (a.tls.sni !== null && a.tls.sni === b.tls.sni) s += 1;
  return s;
}

function sameClientSoftware(a: ConnectionReport, b: ConnectionReport): boolean {
  const ja3 = a.fingerprints?.ja3;
  return ja3 !== null && ja3 !== undefined && ja3 === b.fingerprints?.ja3;
}

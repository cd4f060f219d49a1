import type { ConnectionReport, RetryLink } from '../handshake/report.js';
import { endingCode } from '../handshake/endings.js';
import { NotableGroupsBuilder, type NotableGroup, type NotableGroupsData } from './groups.js';
import { ChainIndex, type ChainIndexData, type ChainServed, type ServerChains } from './chains.js';
import { rejectionCause } from '../handshake/chain-cause.js';
import { blackHoleLikely } from '../handshake/diagnose.js';
import { DEFAULT_RETRY_WINDOW, RetryIndex, type RetryIndexData, type RetrySummary } from './retries.js';
import { verdict, type VerdictLine } from './verdict.js';
import type { ConfiguredChainReport } from '../tls/configured-chain.js';

export interface AnalysisSummary {
  /** What the capture shows, most telling first (verdict.ts). */
  verdict: VerdictLine[];
  connections: number;
  byOutcome: Record<ConnectionReport['outcome'], number>;
  /**
   * Failed connections by the last step they reached, named as the handshake's shape names it: "4 ServerHelloDone"
   * → n, "4 end of server flight" → n. JSON keys it by the step's number (report/json-contract.ts).
   */
  failedAtStep: Record<string, number>;
  /** Failed connections by how they ended, by endingCode: "client-fin", "client-alert-unknown_ca", "server-rst", … */
  failedBy: Record<string, number>;
  /** Per client address: connections, failed. Sorted by failures, then by connections. */
  byClient: { client: string; connections: number; failed: number }[];
  byProtocol: Record<string, number>;
  /** Groups whose failure rate stands out from the rest (groups.ts says when there are enough connections). */
  notableGroups: NotableGroup[];
  /** What became of the failed handshakes: retried by the same client to the same server and port (retries.ts). */
  retries: RetrySummary;
  /** Each distinct chain the servers sent, in order of first use (chains.ts). */
  chains: ChainServed[];
  /** Connections whose chain came after the first 1,000 distinct ones: counted, not listed. Absent when none. */
  chainsNotListed?: number;
  /** Server addresses and ports that sent two or more chains, with each chain's counts there. */
  serversWithSeveralChains: ServerChains[];
  /** Connections (and failed ones) whose chain had each problem (tls/chain-checks.ts codes), in order of first sight. */
  chainProblems: Record<string, { connections: number; failed: number }>;
  /** With `--log`: how the server log joined the capture (files, clock, counts, failed connections without a line). */
  log?: LogJoinSummary;
  /** With `--log`: log lines near the captures' time that joined no connection, with the reason (bounded). */
  unmatchedLogLines?: UnmatchedLogLine[];
  /** With `--cert`: each configured chain and its own problems at the capture's time (src/tls/configured-chain.ts). */
  configuredChains?: ConfiguredChainReport[];
  /**
   * Connections that began with a PROXY protocol header, by the address of the peer that sent it (the load
   * balancer), in order of first use. Absent when none did.
   */
  proxies?: { proxy: string; connections: number }[];
}

export function summarize(connections: readonly ConnectionReport[]): AnalysisSummary {
  const builder = new SummaryBuilder();
  for (const r of connections) builder.add(r);
  return builder.result();
}

/** A SummaryBuilder's state as plain data (SummaryBuilder.data), to cross to another thread. */
export interface SummaryData {
  connections: number;
  byOutcome: AnalysisSummary['byOutcome'];
  failedAtStep: Map<string, { n: number; first: number }>;
  failedBy: Map<string, { n: number; first: number }>;
  byProtocol: Map<string, { n: number; first: number }>;
  /** The client addresses' counts are in the notable groups' (NotableGroupsBuilder.clients). */
  groups: NotableGroupsData;
  retries: RetryIndexData;
  chains: ChainIndexData;
  chainProblems: Map<string, { n: number; first: number }>;
  chainProblemFailures: Map<string, { n: number; first: number }>;
  failureChainCauses: Map<string, { n: number; first: number }>;
  blackHoles: number;
  proxies: Map<string, { n: number; first: number }>;
}

/**
 * The summary built one connection at a time, so that a report can be let go once it is written (`analyze`
 * streams its output): it keeps counters, one entry per client address and per group value, never a report.
 * Reports may come in any order (as connections close): `order` is the connection's place in the output (its
 * capture, then its number); each key of the result is placed where the first connection in that order put it,
 * so the summary is the one `summarize` makes of the reports in output order, key order included.
 */
const NO_CODES: ReadonlySet<string> = new Set();

export class SummaryBuilder {
  private connections = 0;
  private readonly byOutcome: AnalysisSummary['byOutcome'] = { complete: 0, failed: 0, 'not-tls': 0, unknown: 0 };
  private readonly failedAtStep = new OrderedCounts();
  private readonly failedBy = new OrderedCounts();
  private readonly byProtocol = new OrderedCounts();
  /** Also counts each client address, for byClient (one table for both: see ClientCounts). */
  private readonly groups = new NotableGroupsBuilder();
  private readonly retries = new RetryIndex();
  private readonly chains = new ChainIndex();
  private readonly chainProblems = new OrderedCounts();
  private readonly chainProblemFailures = new OrderedCounts();
  private readonly failureChainCauses = new OrderedCounts();
  private blackHoles = 0;
  private readonly proxies = new OrderedCounts();
  private links: Map<number, RetryLink> | null = null;

  /** `retryWindow`: `--retry-window`, in seconds. */
  constructor(private readonly retryWindow: number = DEFAULT_RETRY_WINDOW) {}

  add(r: ConnectionReport, order: number = this.connections): void {
    this.connections++;
    this.byOutcome[r.outcome]++;
    this.byProtocol.add(r.protocol, order);
    if (r.outcome === 'failed') {
      this.failedAtStep.add(`${r.lastStep} ${r.lastStepName}`, order);
      this.failedBy.add(endingCode(r), order);
      const cause = rejectionCause(r);
      if (cause) this.failureChainCauses.add(cause.code, order);
      if (r.end.how !== 'alert' && blackHoleLikely(r)) this.blackHoles++;
    }
    if (r.proxy) this.proxies.add(r.proxy.ip, order);
    this.groups.add(r, order);
    this.retries.add(r, order);
    this.links = null;
    this.chains.add(r, order);
    // Most connections have none: no Set made for them.
    const codes = r.chainProblems && r.chainProblems.length > 0 ? new Set(r.chainProblems.map((p) => p.code)) : NO_CODES;
    for (const code of codes) {
      this.chainProblems.add(code, order);
      if (r.outcome === 'failed') this.chainProblemFailures.add(code, order);
    }
  }

  /**
   * Each listed connection that wants a retry and got one, by output order (outputOrder): what the reports'
   * `retry` is (analyze.ts fills it in the reports it keeps, the streamed output in those it wrote aside).
   */
  retryLinks(): Map<number, RetryLink> {
    return (this.links ??= this.retries.links(this.retryWindow));
  }

  /** What was added, as plain data for another thread's SummaryBuilder to `merge` (a structured clone of it). */
  data(): SummaryData {
    return {
      connections: this.connections,
      byOutcome: this.byOutcome,
      failedAtStep: this.failedAtStep.data(),
      failedBy: this.failedBy.data(),
      byProtocol: this.byProtocol.data(),
      groups: this.groups.data(),
      retries: this.retries.data(),
      chains: this.chains.data(),
      chainProblems: this.chainProblems.data(),
      chainProblemFailures: this.chainProblemFailures.data(),
      failureChainCauses: this.failureChainCauses.data(),
      blackHoles: this.blackHoles,
      proxies: this.proxies.data(),
    };
  }

  /**
   * Add what another SummaryBuilder was given (its `data()`): the result is the one of adding its reports here
   * after the ones already added (a capture analyzed in a worker thread, taken after the captures before it).
   */
  merge(data: SummaryData): void {
    this.connections += data.connections;
    for (const k of Object.keys(this.byOutcome) as (keyof AnalysisSummary['byOutcome'])[]) this.byOutcome[k] += data.byOutcome[k];
    this.failedAtStep.merge(data.failedAtStep);
    this.failedBy.merge(data.failedBy);
    this.byProtocol.merge(data.byProtocol);
    this.groups.merge(data.groups);
    this.retries.merge(data.retries);
    this.links = null;
    this.chains.merge(data.chains);
    this.chainProblems.merge(data.chainProblems);
    this.chainProblemFailures.merge(data.chainProblemFailures);
    this.failureChainCauses.merge(data.failureChainCauses);
    this.blackHoles += data.blackHoles;
    this.proxies.merge(data.proxies);
  }

  result(): AnalysisSummary {
    const clients: { client: string; connections: number; failed: number; first: number }[] = [];
    this.groups.clients.forEach((client, v) => clients.push({ client, connections: v.connections, failed: v.failed, first: v.first }));
    const byClient = clients
      .sort((a, b) => a.first - b.first)
      .map(({ client, connections, failed }) => ({ client, connections, failed }))
      .sort((a, b) => b.failed - a.failed || b.connections - a.connections || a.client.localeCompare(b.client));
    const chains = this.chains.result();
    const failures = this.chainProblemFailures.result();
    const chainProblems: AnalysisSummary['chainProblems'] = {};
    for (const [code, n] of this.chainProblems.entries()) chainProblems[code] = { connections: n, failed: failures[code] ?? 0 };
    const summary: AnalysisSummary = {
      verdict: [],
      connections: this.connections,
      byOutcome: { ...this.byOutcome },
      failedAtStep: this.failedAtStep.result(),
      failedBy: this.failedBy.result(),
      byClient,
      byProtocol: this.byProtocol.result(),
      notableGroups: this.groups.result(),
      retries: this.retries.summary(this.retryLinks(), this.retryWindow),
      chains: chains.chains,
      ...(chains.chainsNotListed > 0 ? { chainsNotListed: chains.chainsNotListed } : {}),
      serversWithSeveralChains: chains.serversWithSeveralChains,
      chainProblems,
    };
    if (this.proxies.data().size > 0) summary.proxies = this.proxies.entries().map(([proxy, connections]) => ({ proxy, connections }));
    summary.verdict = verdict({
      ...summary,
      chainBytes: new Map(chains.chains.map((c) => [c.id, c.bytes])),
      failureChainCauses: [...this.failureChainCauses.entries()].sort((a, b) => b[1] - a[1]),
      blackHoles: this.blackHoles,
    });
    return summary;
  }
}

/** Counts by key; the result's keys in the order of the first connection (in output order) that had each. */
export class OrderedCounts {
  private readonly counts = new Map<string, { n: number; first: number }>();

  add(key: string, order: number): void {
    const c = this.counts.get(key);
    if (!c) this.counts.set(key, { n: 1, first: order });
    else {
      c.n++;
      if (order < c.first) c.first = order;
    }
  }

  data(): Map<string, { n: number; first: number }> {
    return this.counts;
  }

  /** Add another OrderedCounts' counts (its `data()`). */
  merge(data: Map<string, { n: number; first: number }>): void {
    for (const [key, o] of data) {
      const c = this.counts.get(key);
      if (!c) this.counts.set(key, { ...o });
      else {
        c.n += o.n;
        if (o.first < c.first) c.first = o.first;
      }
    }
  }

  /** [key, count] in first-seen order. */
  entries(): [string, number][] {
    return [...this.counts.entries()].sort((a, b) => a[1].first - b[1].first).map(([k, v]) => [k, v.n]);
  }

  result(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, n] of this.entries()) out[k] = n;
    return out;
  }
}

export type TimestampFormat = 'rfc3164' | 'rfc5424' | 'iso';

/**
 * Why a line near the captures' time joined no connection: 'no-connection' (it names a client the capture has
 * no connection for: a capture filter too narrow, another server behind the name), 'no-client' (it names no
 * client and follows none: start-up, cache maintenance, other daemons), 'ambiguous' (overlapping Dovecot
 * handshakes), 'unrecognised' (not a log format we read).
 */
export type UnmatchedLogReason = 'no-connection' | 'no-client' | 'ambiguous' | 'unrecognised';

export interface UnmatchedLogLine {
  file: string;
  lineNumber: number;
  line: string;
  reason: UnmatchedLogReason;
  /** The client the line (or its group) names, `ip` or `ip:port`, when it names one. */
  client: string | null;
  /**
   * A Dovecot line without a client that was not joined by time because several connections of its service were
   * open when it was written: those connections (never guessed between).
   */
  candidates?: { capture: string; id: number; client: string }[];
}

export interface LogFileReport {
  file: string;
  lines: number;
  recognised: number;
  gzip: boolean;
  formats: Partial<Record<TimestampFormat, number>>;
  /** First and last line time on the capture's clock (ISO 8601 UTC), null with no dated line. */
  first: string | null;
  last: string | null;
  /**
   * How the file's times were placed. `zone`: the zone used for times without one (`+01:00`, `Europe/Berlin`, …;
   * null when every line had its own); `zoneFrom`: 'lines' (they carry it), 'option' (--log-tz), 'estimated'
   * (from matched lines), 'assumed' (this machine's zone: nothing to estimate from). `skewSeconds`: the log's
   * clock minus the capture's after the zone, ± `skewUncertainty`, from `pairs` line/connection pairs
   * (null when there were none).
   */
  time: {
    zone: string | null;
    zoneFrom: 'lines' | 'option' | 'estimated' | 'assumed';
    skewSeconds: number | null;
    skewUncertainty: number | null;
    pairs: number;
    /** The zone and skew were estimated from this other file (this one has no line naming a captured client and port). */
    estimatedFrom?: string;
  };
  damage?: string;
}

export interface LogJoinSummary {
  files: LogFileReport[];
  /** Connections with at least one log line, by the best match they got. */
  connectionsWithLog: { port: number; time: number };
  matchedLines: number;
  /** Every line that joined no connection, by reason; 'outside-capture' lines are far from any capture's time and not listed. */
  unmatched: Record<UnmatchedLogReason | 'outside-capture', number>;
  /** Failed connections with no log line: a second server behind the same name, or a log of the wrong time or host. */
  failedWithoutLog: { capture: string; id: number; client: string; server: string }[];
  /** What limits the join: unreadable formats, unknown clocks, unlisted connections. */
  notes: string[];
}

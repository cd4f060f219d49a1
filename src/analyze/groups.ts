/**
 * "Which clients fail?": connections grouped by one property (client address, fingerprint, SNI,
 * version, server, cipher, step reached, how it ended), with failure counts per group, and the groups
 * that stand out when there are enough connections to say so. Groups are kept by the values the reports carry
 * (addresses, step numbers, ending codes); the renderers say them in words.
 */
import type { ConnectionReport } from '../handshake/report.js';
import { endingCode } from '../handshake/endings.js';
import { chainKey } from './chains.js';

export const GROUP_KEYS = ['client', 'ja4', 'ja3', 'sni', 'version', 'server', 'cipher', 'step', 'end', 'chain', 'proxy'] as const;
export type GroupKey = (typeof GROUP_KEYS)[number];

/** What the connections of a group share, as the reports carry it. */
export interface GroupValue {
  /**
   * The value: an address ('10.77.0.100', '[2001:db8::1]:25' for `server`), a fingerprint, a name, the negotiated
   * version ('offered TLS 1.3, TLS 1.2' when none was), a step number, an ending code, a chain id; null when the
   * connections have none (no SNI, no ClientHello, …).
   */
  value: string | number | null;
  /** `step`: the handshake was TLS 1.3's, which names its steps its own way. */
  tls13?: true;
  /** `end`: the handshake had completed before the connection ended. */
  afterCompletion?: true;
  /** `chain`: the chain as the text names it beside its id. */
  chain?: { subject: string | null; certificates: number; bytes: number };
}

/** One group: the connections with one GroupValue. */
export interface ConnectionGroup {
  value: GroupValue;
  connections: number;
  completed: number;
  failed: number;
  /** Failed connections by the step they stopped at (TLS 1.3's steps apart, as they have names of their own), most first. */
  failedAt: { step: number; tls13: boolean; count: number }[];
  /** Failed connections by how they ended (an ending code, handshake/endings.ts), most first. */
  endedBy: { end: string; count: number }[];
  /** ISO 8601 start of the first and last connection of the group. */
  firstSeen: string;
  lastSeen: string;
}

export interface Grouping {
  by: GroupKey;
  /** In the order of each group's first connection. */
  groups: ConnectionGroup[];
  /** What the renderers pass each value through, as words or as a raw string (`--redact`: pseudonyms). */
  rename?: (value: string) => string;
}

/** The words used for a missing value (null), so that such connections still form a group. */
export const NONE: Readonly<Record<GroupKey, string>> = {
  client: '(no address)',
  ja4: '(no ClientHello)',
  ja3: '(no ClientHello)',
  sni: '(no SNI)',
  version: '(no ClientHello)',
  server: '(no address)',
  cipher: '(none negotiated)',
  step: '0 none',
  end: 'capture ended',
  chain: '(no chain seen)',
  proxy: '(no PROXY header)',
};

/** The group a connection falls in for `by`. */
export function groupValue(r: ConnectionReport, by: GroupKey): GroupValue {
  switch (by) {
    case 'client':
      // The client a PROXY header announced, when there was one (what the server logs).
      return { value: r.client.ip || null };
    case 'proxy':
      // The peer that sent the PROXY header: the load balancer.
      return { value: r.proxy?.ip ?? null };
    case 'ja4':
      return { value: r.fingerprints?.ja4 ?? null };
    case 'ja3':
      return { value: r.fingerprints?.ja3 ?? null };
    case 'sni':
      return { value: r.tls.sni ?? null };
    case 'version':
      // The negotiated version; a handshake that never got a ServerHello goes by what the client offered.
      if (r.tls.version) return { value: r.tls.version };
      return { value: r.tls.offered ? `offered ${r.tls.offered.versions.join(', ')}` : null };
    case 'server':
      return { value: r.server.ip ? `${r.server.ip.includes(':') ? `[${r.server.ip}]` : r.server.ip}:${r.server.port}` : null };
    case 'cipher':
      return { value: r.tls.cipher ?? null };
    case 'step':
      return r.shape === 'tls13' ? { value: r.lastStep, tls13: true } : { value: r.lastStep };
    case 'end':
      return r.outcome === 'complete' ? { value: endingCode(r), afterCompletion: true } : { value: endingCode(r) };
    case 'chain': {
      // The chain as sent (summary.chains names it by the same id); TLS 1.3 hides it, a resumption sends none.
      const k = chainKey(r);
      if (!k) return { value: null };
      return { value: k.id, chain: { subject: r.certificates[0]!.subject, certificates: r.certificates.length, bytes: r.certificates.reduce((n, c) => n + c.bytes + 3, 0) } };
    }
  }
}

/** The Map key of a group: its value and what sets it apart. */
function groupId(v: GroupValue): string {
  const id = v.value === null ? '' : typeof v.value === 'number' ? `#${v.value}` : `=${v.value}`;
  return v.tls13 ? `tls13${id}` : v.afterCompletion ? `completed${id}` : id;
}

/** The Map key of a failed connection's step: its number, TLS 1.3's apart. */
function stepId(r: ConnectionReport): number {
  return r.shape === 'tls13' ? -r.lastStep - 1 : r.lastStep;
}

function tally<K>(counts: Map<K, number>, key: K): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function sortedCounts<K extends string | number>(counts: Map<K, number> | null): [K, number][] {
  if (!counts) return [];
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** Groups by one property, in the order of each group's first connection. */
export function groupConnections(connections: readonly ConnectionReport[], by: GroupKey): Grouping {
  const builder = new GroupBuilder(by);
  for (const r of connections) builder.add(r);
  return builder.result();
}

/** Groups made one under a key (their words, or their value in JSON): the counts of all of them. */
export interface CombinedGroup {
  key: string;
  /** The first group's value (they share what `key` says of them). */
  value: GroupValue;
  connections: number;
  completed: number;
  failed: number;
  /** failed / (completed + failed); null when none of them got that far (all not-TLS or cut by the capture). */
  failureRate: number | null;
  failedAt: ConnectionGroup['failedAt'];
  endedBy: ConnectionGroup['endedBy'];
  firstSeen: string;
  lastSeen: string;
}

/**
 * The groups as a report lists them: those with the same `keyOf` made one, the highest failure rate first, then
 * the most failures, then the most connections, then by key. Tallies are concatenated: the renderer counts them
 * under its own keys.
 */
export function combineGroups(grouping: Grouping, keyOf: (value: GroupValue) => string): CombinedGroup[] {
  const byKey = new Map<string, CombinedGroup>();
  for (const g of grouping.groups) {
    const key = keyOf(g.value);
    const c = byKey.get(key);
    if (!c) {
      byKey.set(key, { key, value: g.value, connections: g.connections, completed: g.completed, failed: g.failed, failureRate: null, failedAt: [...g.failedAt], endedBy: [...g.endedBy], firstSeen: g.firstSeen, lastSeen: g.lastSeen });
      continue;
    }
    c.connections += g.connections;
    c.completed += g.completed;
    c.failed += g.failed;
    c.failedAt.push(...g.failedAt);
    c.endedBy.push(...g.endedBy);
    if (g.firstSeen < c.firstSeen) c.firstSeen = g.firstSeen;
    if (g.lastSeen > c.lastSeen) c.lastSeen = g.lastSeen;
  }
  const out = [...byKey.values()];
  for (const c of out) c.failureRate = rate(c.failed, c.completed);
  out.sort((a, b) => (b.failureRate ?? -1) - (a.failureRate ?? -1) || b.failed - a.failed || b.connections - a.connections || a.key.localeCompare(b.key));
  return out;
}

/** A tally's entries under the renderer's keys: counts of equal keys added, most first, then by key. */
export function recount<T, K extends string | number>(entries: readonly (T & { count: number })[], keyOf: (entry: T) => K): { key: K; count: number }[] {
  const counts = new Map<K, number>();
  for (const e of entries) {
    const k = keyOf(e);
    counts.set(k, (counts.get(k) ?? 0) + e.count);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (typeof a[0] === 'string' ? a[0].localeCompare(b[0] as string) : (a[0] as number) - (b[0] as number)))
    .map(([key, count]) => ({ key, count }));
}

export interface GroupAcc {
  value: GroupValue;
  connections: number;
  completed: number;
  failed: number;
  /** Created at the group's first failure: most groups of a large capture (one per client) never need them. */
  failedAt: Map<number, number> | null;
  endedBy: Map<string, number> | null;
  first: string;
  last: string;
  /** The output order of the group's first connection (reports may be added as connections close). */
  order: number;
}

/** A GroupBuilder's state as plain data (GroupBuilder.data), to cross to another thread. */
export interface GroupData {
  groups: Map<string, GroupAcc>;
  added: number;
}

/** groupConnections one connection at a time: one entry per group value, no report kept. */
export class GroupBuilder {
  private readonly groups = new Map<string, GroupAcc>();
  private added = 0;

  /**
   * `detail` false: counts only, no first and last time nor failure tallies per group (for every client address
   * of a large capture, those strings and maps are most of what a group costs), for the summary's notable
   * groups, which never show them.
   */
  constructor(
    readonly by: GroupKey,
    private readonly detail = true,
  ) {}

  add(r: ConnectionReport, order: number = this.added): void {
    this.added++;
    const value = groupValue(r, this.by);
    const id = groupId(value);
    let g = this.groups.get(id);
    const start = this.detail ? r.start : '';
    if (!g) {
      g = { value, connections: 0, completed: 0, failed: 0, failedAt: null, endedBy: null, first: start, last: start, order };
      this.groups.set(id, g);
    } else if (order < g.order) g.order = order;
    g.connections++;
    if (start < g.first) g.first = start;
    if (start > g.last) g.last = start;
    if (r.outcome === 'complete') g.completed++;
    else if (r.outcome === 'failed') {
      g.failed++;
      if (!this.detail) return;
      tally((g.failedAt ??= new Map()), stepId(r));
      tally((g.endedBy ??= new Map()), endingCode(r));
    }
  }

  /** Each group's counts, by value (in words when there is none: the notable groups name it so). */
  forEachCount(fn: (value: string, g: Counts) => void): void {
    for (const g of this.groups.values()) fn(g.value.value === null ? NONE[this.by] : String(g.value.value), g);
  }

  /** What was added, as plain data for another thread's GroupBuilder to `merge` (a structured clone of it). */
  data(): GroupData {
    return { groups: this.groups, added: this.added };
  }

  /**
   * Add what another GroupBuilder of the same property was given (its `data()`), as if its connections had been
   * added here, after the ones already added (the order of a tally's keys then is the same).
   */
  merge(data: GroupData): void {
    this.added += data.added;
    for (const [id, o] of data.groups) {
      const g = this.groups.get(id);
      if (!g) {
        this.groups.set(id, { ...o });
        continue;
      }
      g.connections += o.connections;
      g.completed += o.completed;
      g.failed += o.failed;
      if (o.order < g.order) g.order = o.order;
      if (o.first < g.first) g.first = o.first;
      if (o.last > g.last) g.last = o.last;
      if (o.failedAt) for (const [k, n] of o.failedAt) (g.failedAt ??= new Map()).set(k, (g.failedAt.get(k) ?? 0) + n);
      if (o.endedBy) for (const [k, n] of o.endedBy) (g.endedBy ??= new Map()).set(k, (g.endedBy.get(k) ?? 0) + n);
    }
  }

  /**
   * The grouping, in the order of each group's first connection; `rename` goes with it for the renderers to pass
   * each value through (`--redact`: pseudonyms, which their order then follows).
   */
  result(rename?: (value: string) => string): Grouping {
    const accs = [...this.groups.values()].sort((a, b) => a.order - b.order);
    const groups: ConnectionGroup[] = accs.map((g) => ({
      value: g.value,
      connections: g.connections,
      completed: g.completed,
      failed: g.failed,
      failedAt: sortedCounts(g.failedAt).map(([id, count]) => ({ step: id < 0 ? -id - 1 : id, tls13: id < 0, count })),
      endedBy: sortedCounts(g.endedBy).map(([end, count]) => ({ end, count })),
      firstSeen: g.first,
      lastSeen: g.last,
    }));
    return rename ? { by: this.by, groups, rename } : { by: this.by, groups };
  }
}

function rate(failed: number, completed: number): number | null {
  const decided = failed + completed;
  return decided === 0 ? null : Math.round((failed / decided) * 1000) / 1000;
}

// ---------------------------------------------------------------------------------------------
// The groups worth naming in the default summary.

/**
 * "Enough connections to say so": a group is named only when its failures are unlikely to be luck. The
 * test is Fisher's exact test, one-sided: among all handshakes that completed or failed, if failures
 * fell on connections at random, how likely is it that this group would get at least as many as it
 * did? That chance, multiplied by the number of groups looked at for the property, must be below
 * SIGNIFICANCE. In practice this needs a dozen or more handshakes: 4 of 4 failed against 0 of 8 is
 * p = 0.002 (times 2 groups: 0.004, named); 3 of 3 against 16 of 34 is p = 0.12 (luck).
 */
export const SIGNIFICANCE = 0.01;
/** Groups (and the rest) with fewer completed-or-failed handshakes than this are not judged at all. */
export const MIN_GROUP_CONNECTIONS = 3;
/** At most this many groups are named. */
const MAX_NOTABLE = 3;
/** The properties a summary looks at (`step` and `end` describe failures rather than who failed). */
const SUMMARY_KEYS: readonly GroupKey[] = ['ja4', 'version', 'server', 'sni', 'client', 'cipher'];
/** Those counted by a GroupBuilder: client addresses have a table of their own (ClientCounts). */
const BUILDER_KEYS = SUMMARY_KEYS.filter((by) => by !== 'client');

/** A row of ClientCounts: connections, completed, failed, and the output order of the address's first connection. */
const CLIENT_COLUMNS = 4;
const CONNECTIONS = 0;
const COMPLETED = 1;
const FAILED = 2;
const FIRST = 3;

/** ClientCounts as plain data, to cross to another thread. */
export interface ClientCountsData {
  addresses: string[];
  rows: Float64Array;
}

/**
 * The counts of each client address, for the summary's list of clients and the notable-groups test alike. A large
 * capture has a client address for every few connections (the bench's 2 GB file: 28,000), and this is the part
 * of memory that grows with the capture: an object and a Map entry per address in each of the two, as they were,
 * took 210 bytes an address; here a Map entry to a row number, and four numbers in a column table.
 */
export class ClientCounts {
  private readonly rowOf = new Map<string, number>();
  private rows = new Float64Array(CLIENT_COLUMNS * 256);

  get size(): number {
    return this.rowOf.size;
  }

  add(address: string, outcome: ConnectionReport['outcome'], order: number): void {
    this.addCounts(address, 1, outcome === 'complete' ? 1 : 0, outcome === 'failed' ? 1 : 0, order);
  }

  private addCounts(address: string, connections: number, completed: number, failed: number, first: number): void {
    let row = this.rowOf.get(address);
    if (row === undefined) {
      row = this.rowOf.size;
      this.rowOf.set(address, row);
      if ((row + 1) * CLIENT_COLUMNS > this.rows.length) {
        const more = new Float64Array(this.rows.length * 2);
        more.set(this.rows);
        this.rows = more;
      }
      this.rows[row * CLIENT_COLUMNS + FIRST] = first;
    } else if (first < this.rows[row * CLIENT_COLUMNS + FIRST]!) {
      this.rows[row * CLIENT_COLUMNS + FIRST] = first;
    }
    const at = row * CLIENT_COLUMNS;
    this.rows[at + CONNECTIONS] += connections;
    this.rows[at + COMPLETED] += completed;
    this.rows[at + FAILED] += failed;
  }

  /** Each address and its counts, in the order the addresses came (one Counts object, filled anew for each). */
  forEach(fn: (address: string, counts: Counts & { first: number }) => void): void {
    const counts = { connections: 0, completed: 0, failed: 0, first: 0 };
    const rows = this.rows;
    for (const [address, row] of this.rowOf) {
      const at = row * CLIENT_COLUMNS;
      counts.connections = rows[at + CONNECTIONS]!;
      counts.completed = rows[at + COMPLETED]!;
      counts.failed = rows[at + FAILED]!;
      counts.first = rows[at + FIRST]!;
      fn(address, counts);
    }
  }

  data(): ClientCountsData {
    return { addresses: [...this.rowOf.keys()], rows: this.rows.slice(0, this.rowOf.size * CLIENT_COLUMNS) };
  }

  /** Add what another ClientCounts counted (its `data()`), after what this one has. */
  merge(data: ClientCountsData): void {
    data.addresses.forEach((address, row) => {
      const at = row * CLIENT_COLUMNS;
      this.addCounts(address, data.rows[at + CONNECTIONS]!, data.rows[at + COMPLETED]!, data.rows[at + FAILED]!, data.rows[at + FIRST]!);
    });
  }
}

export interface NotableGroup {
  by: GroupKey;
  value: string;
  failed: number;
  completed: number;
  failureRate: number;
  /** The failure rate of every other connection that completed or failed. */
  othersFailureRate: number;
  /** One-sided Fisher exact test: the chance of at least this many failures in the group by luck, times the number of groups judged for this property (Bonferroni). */
  pValue: number;
}

/** log(n!) for 0..n, by summing: exact enough and cheap for the few thousand connections of a capture. */
function logFactorials(n: number): Float64Array {
  const table = new Float64Array(n + 1);
  for (let i = 2; i <= n; i++) table[i] = table[i - 1]! + Math.log(i);
  return table;
}

/**
 * P(X ≥ k) for X hypergeometric: `draws` connections (the group) taken from `total`, of which
 * `successes` failed.
 */
function hypergeometricUpperTail(k: number, draws: number, successes: number, total: number, lf: Float64Array): number {
  const logChoose = (n: number, r: number) => lf[n]! - lf[r]! - lf[n - r]!;
  const denominator = logChoose(total, draws);
  let p = 0;
  for (let x = k; x <= Math.min(draws, successes); x++) {
    if (draws - x > total - successes) continue;
    const term = Math.exp(logChoose(successes, x) + logChoose(total - successes, draws - x) - denominator);
    p += term;
    // Past the mode the terms only shrink: stop when they no longer change the sum.
    if (term < p * 1e-12 && x > (draws * successes) / total) break;
  }
  return Math.min(1, p);
}

/**
 * The groups whose failure rate stands out (see SIGNIFICANCE): for each property the group least
 * likely to fail that often by luck, then across properties the strongest, at most MAX_NOTABLE, one per
 * property. Empty when nothing stands out, in particular when every handshake failed or none did.
 */
export function notableGroups(connections: readonly ConnectionReport[]): NotableGroup[] {
  const builder = new NotableGroupsBuilder();
  for (const r of connections) builder.add(r);
  return builder.result();
}

export interface NotableGroupsData {
  failed: number;
  completed: number;
  added: number;
  builders: GroupData[];
  clients: ClientCountsData;
}

/**
 * notableGroups one connection at a time: a GroupBuilder per property of the summary (ClientCounts for client
 * addresses, which the summary's list of clients reads too), no report kept.
 */
export class NotableGroupsBuilder {
  private failed = 0;
  private completed = 0;
  private readonly builders = BUILDER_KEYS.map((by) => new GroupBuilder(by, false));
  readonly clients = new ClientCounts();
  private added = 0;

  add(r: ConnectionReport, order: number = this.added): void {
    this.added++;
    if (r.outcome === 'failed') this.failed++;
    else if (r.outcome === 'complete') this.completed++;
    for (const b of this.builders) b.add(r, order);
    this.clients.add(r.client.ip, r.outcome, order);
  }

  data(): NotableGroupsData {
    return { failed: this.failed, completed: this.completed, added: this.added, builders: this.builders.map((b) => b.data()), clients: this.clients.data() };
  }

  /** Add what another NotableGroupsBuilder was given (its `data()`), as GroupBuilder.merge. */
  merge(data: NotableGroupsData): void {
    this.failed += data.failed;
    this.completed += data.completed;
    this.added += data.added;
    this.builders.forEach((b, i) => b.merge(data.builders[i]!));
    this.clients.merge(data.clients);
  }

  result(): NotableGroup[] {
    return notableFrom(this.failed, this.completed, (by, fn) => {
      if (by === 'client') this.clients.forEach((address, g) => fn(address || NONE.client, g));
      else this.builders[BUILDER_KEYS.indexOf(by)]!.forEachCount(fn);
    });
  }
}

/** A group's counts, as the notable-groups test reads them. */
type Counts = Pick<GroupAcc, 'connections' | 'completed' | 'failed'>;

/** `groups(by, fn)` calls fn with each group of that property: its value and its counts (valid during the call). */
function notableFrom(failed: number, completed: number, groups: (by: GroupKey, fn: (value: string, g: Counts) => void) => void): NotableGroup[] {
  const decidedAll = failed + completed;
  if (failed === 0 || completed === 0 || decidedAll < 2 * MIN_GROUP_CONNECTIONS) return [];
  const lf = logFactorials(decidedAll);
  const found: NotableGroup[] = [];
  const judgeable = (g: Counts) => {
    const decided = g.failed + g.completed;
    return decided >= MIN_GROUP_CONNECTIONS && decidedAll - decided >= MIN_GROUP_CONNECTIONS;
  };
  for (const by of SUMMARY_KEYS) {
    // Straight from the counts, without drawing up the grouping: for every client address of a large capture
    // that is tens of thousands of groups made, sorted and dropped, only to look at a few.
    let judged = 0;
    groups(by, (_value, g) => {
      if (judgeable(g)) judged++;
    });
    // Set in the callback below: typed so that the check after it is not narrowed to null.
    let best = null as NotableGroup | null;
    let bestConnections = 0;
    groups(by, (value, g) => {
      if (!judgeable(g)) return;
      const decided = g.failed + g.completed;
      const othersDecided = decidedAll - decided;
      const othersRate = (failed - g.failed) / othersDecided;
      const failureRate = rate(g.failed, g.completed)!;
      if (g.failed / decided <= othersRate) return;
      // Bonferroni: with many groups (a thousand client addresses) one of them fails often by luck alone.
      const pValue = Math.min(1, hypergeometricUpperTail(g.failed, decided, failed, decidedAll, lf) * judged);
      if (pValue >= SIGNIFICANCE) return;
      // Ties go to the group that comes first in the grouping's order (GroupBuilder.result).
      const better =
        !best ||
        pValue < best.pValue ||
        (pValue === best.pValue &&
          (g.failed > best.failed ||
            (g.failed === best.failed && (failureRate - best.failureRate || g.connections - bestConnections || best.value.localeCompare(value)) > 0)));
      if (better) {
        best = { by, value, failed: g.failed, completed: g.completed, failureRate, othersFailureRate: Math.round(othersRate * 1000) / 1000, pValue: Number(pValue.toPrecision(3)) };
        bestConnections = g.connections;
      }
    });
    if (best) found.push(best);
  }
  found.sort((a, b) => a.pValue - b.pValue || b.failed - a.failed);
  return found.slice(0, MAX_NOTABLE);
}

/**
 * "Retried, worked": a connection that did not complete is linked to the next connection from the same client
 * address to the same server address and port, when that one starts within the retry window after it (start to
 * start). A report is written as its connection closes, often before the retry even starts, so the links are
 * made at the end, from a compact table of every listed connection (its key, start, outcome and place: about 30
 * bytes a connection, in typed arrays, next to the 16 bytes the streamed output keeps for each); the reports that
 * get a link are the ones the output keeps whole until then (report/analyze/stream-output.ts).
 */
import type { ConnectionReport, RetryLink } from '../handshake/report.js';

/** `--retry-window` by default, in seconds. */
export const DEFAULT_RETRY_WINDOW = 300;


/** `summary.retries`: what became of the failed handshakes (outcome `failed`). */
export interface RetrySummary {
  failed: number;
  retriedAndCompleted: number;
  /** Retried, and the retry did not complete either (failed, unknown, or without TLS). */
  retriedAndFailed: number;
  notRetried: number;
  /** The longest wait, in seconds, before a retry that completed; null when none did. */
  completedWithin: number | null;
  /** The window used (`--retry-window`), in seconds. */
  window: number;
}

/** The outcomes a retry is looked for. */
export function wantsRetry(outcome: ConnectionReport['outcome']): boolean {
  return outcome === 'failed' || outcome === 'unknown';
}

const OUTCOMES: readonly ConnectionReport['outcome'][] = ['complete', 'failed', 'not-tls', 'unknown'];

/** RetryIndex as plain data, to cross to another thread. */
export interface RetryIndexData {
  /** Each key's client address and its server (`address|port`), by key number. */
  clients: string[];
  servers: string[];
  captures: string[];
  size: number;
  keyOf: Int32Array;
  captureOf: Int32Array;
  ids: Float64Array;
  starts: Float64Array;
  orders: Float64Array;
  outcomes: Uint8Array;
}

let cachedSecondText = '';
let cachedSecond = NaN;

/** Seconds since 1970 of a report's `start` (isoTime's form, microseconds kept); NaN when it is not one. */
export function isoSeconds(iso: string): number {
  // isoMicros's own form (2026-12-01T10:00:00.123456Z), its second parsed once for the many starts that share it:
  // the same number the general form below gives.
  if (iso.length === 27 && iso.charCodeAt(19) === 46 && iso.charCodeAt(26) === 90) {
    let micros = 0;
    for (let i = 20; i < 26; i++) {
      const d = iso.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return isoSecondsOf(iso);
      micros = micros * 10 + d;
    }
    const second = iso.slice(0, 19);
    if (second !== cachedSecondText) {
      const m = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(second) ? Date.parse(`${second}Z`) / 1000 : NaN;
      if (Number.isNaN(m)) return isoSecondsOf(iso);
      cachedSecondText = second;
      cachedSecond = m;
    }
    return cachedSecond + micros / 1e6;
  }
  return isoSecondsOf(iso);
}

function isoSecondsOf(iso: string): number {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?Z$/.exec(iso);
  if (!m) return NaN;
  const whole = Date.parse(`${m[1]}Z`);
  return whole / 1000 + (m[2] ? Number(m[2].padEnd(6, '0')) / 1e6 : 0);
}

/** The listed connections, as the links need them. */
export class RetryIndex {
  /**
   * The key numbers: by server (`address|port`, few), then client address. Not one string of the three: a
   * string made for each connection (and kept, unflattened, as a tree of its pieces) cost 190 bytes a listed
   * connection, where the client address is already kept by the summary's client counts.
   */
  private readonly keyIds = new Map<string, Map<string, number>>();
  private keyCount = 0;
  private readonly captureIds = new Map<string, number>();
  private size = 0;
  private keyOf = new Int32Array(256);
  private captureOf = new Int32Array(256);
  private ids = new Float64Array(256);
  private starts = new Float64Array(256);
  private orders = new Float64Array(256);
  private outcomes = new Uint8Array(256);

  add(r: ConnectionReport, order: number): void {
    this.push(r.client.ip, `${r.server.ip}|${r.server.port}`, r.capture, r.id, isoSeconds(r.start), order, OUTCOMES.indexOf(r.outcome));
  }

  private push(client: string, server: string, capture: string, id: number, start: number, order: number, outcome: number): void {
    let clients = this.keyIds.get(server);
    if (clients === undefined) this.keyIds.set(server, (clients = new Map()));
    let k = clients.get(client);
    if (k === undefined) clients.set(client, (k = this.keyCount++));
    let c = this.captureIds.get(capture);
    if (c === undefined) this.captureIds.set(capture, (c = this.captureIds.size));
    if (this.size === this.ids.length) this.grow();
    const i = this.size++;
    this.keyOf[i] = k;
    this.captureOf[i] = c;
    this.ids[i] = id;
    this.starts[i] = start;
    this.orders[i] = order;
    this.outcomes[i] = outcome;
  }

  private grow(): void {
    const n = this.ids.length * 2;
    const more = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: new (n: number) => T): T => {
      const b = new make(n);
      b.set(a);
      return b;
    };
    this.keyOf = more(this.keyOf, Int32Array);
    this.captureOf = more(this.captureOf, Int32Array);
    this.ids = more(this.ids, Float64Array);
    this.starts = more(this.starts, Float64Array);
    this.orders = more(this.orders, Float64Array);
    this.outcomes = more(this.outcomes, Uint8Array);
  }

  data(): RetryIndexData {
    const n = this.size;
    const clients: string[] = [];
    const servers: string[] = [];
    for (const [server, ids] of this.keyIds) {
      for (const [client, k] of ids) {
        clients[k] = client;
        servers[k] = server;
      }
    }
    return {
      clients,
      servers,
      captures: [...this.captureIds.keys()],
      size: n,
      keyOf: this.keyOf.slice(0, n),
      captureOf: this.captureOf.slice(0, n),
      ids: this.ids.slice(0, n),
      starts: this.starts.slice(0, n),
      orders: this.orders.slice(0, n),
      outcomes: this.outcomes.slice(0, n),
    };
  }

  /** Add what another RetryIndex holds (its `data()`). */
  merge(d: RetryIndexData): void {
    for (let i = 0; i < d.size; i++) this.push(d.clients[d.keyOf[i]!]!, d.servers[d.keyOf[i]!]!, d.captures[d.captureOf[i]!]!, d.ids[i]!, d.starts[i]!, d.orders[i]!, d.outcomes[i]!);
  }

  /**
   * Each connection that wants a retry (failed or unknown) and got one within `window` seconds, by its output
   * order: the next connection of the same client, server and port by start time (ties by output order).
   */
  links(window: number): Map<number, RetryLink> {
    const n = this.size;
    const { keyOf, starts, orders } = this;
    const sorted = Array.from({ length: n }, (_, i) => i).sort((a, b) => keyOf[a]! - keyOf[b]! || starts[a]! - starts[b]! || orders[a]! - orders[b]!);
    const captures = [...this.captureIds.keys()];
    const out = new Map<number, RetryLink>();
    for (let s = 0; s + 1 < n; s++) {
      const i = sorted[s]!;
      const j = sorted[s + 1]!;
      if (keyOf[i] !== keyOf[j] || !wantsRetry(OUTCOMES[this.outcomes[i]!]!)) continue;
      const after = starts[j]! - starts[i]!;
      // A start that is no time (outside the calendar) links nothing: NaN fails the test.
      if (!(after >= 0 && after <= window)) continue;
      out.set(orders[i]!, { id: this.ids[j]!, capture: captures[this.captureOf[j]!]!, after: Math.round(after * 1000) / 1000, outcome: OUTCOMES[this.outcomes[j]!]! });
    }
    return out;
  }

  /** summary.retries from `links` (made with the same window). */
  summary(links: ReadonlyMap<number, RetryLink>, window: number): RetrySummary {
    const s: RetrySummary = { failed: 0, retriedAndCompleted: 0, retriedAndFailed: 0, notRetried: 0, completedWithin: null, window };
    for (let i = 0; i < this.size; i++) {
      if (OUTCOMES[this.outcomes[i]!] !== 'failed') continue;
      s.failed++;
      const link = links.get(this.orders[i]!);
      if (!link) s.notRetried++;
      else if (link.outcome === 'complete') {
        s.retriedAndCompleted++;
        if (s.completedWithin === null || link.after > s.completedWithin) s.completedWithin = link.after;
      } else s.retriedAndFailed++;
    }
    return s;
  }
}

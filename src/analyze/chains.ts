/**
 * The chains a capture shows servers sending: one entry per distinct chain as sent (the list of its
 * certificates' SHA-256, in order), with the servers that sent it and how the connections that got it ended.
 * A server address and port that sent two or more chains (a process still holding the old chain after a
 * renewal, or two servers behind one address) is a finding of its own, with each chain's failure rate.
 *
 * Memory: one entry per distinct chain (at most MAX_CHAINS; connections with a chain past them are counted),
 * each with at most MAX_SERVERS_PER_CHAIN servers.
 */
import { groupThousands } from '../text/words.js';
import { createHash } from 'node:crypto';
import { BoundedCache } from '../bounded-cache.js';
import type { ChainProblem } from '../tls/chain-checks.js';
import type { ConnectionReport } from '../handshake/report.js';

/** One entry of `summary.chains`. */
export interface ChainServed {
  /** The first 8 hex digits of the SHA-256 of the certificates' SHA-256s as sent (joined by ','): how reports name the chain. */
  id: string;
  leafSha256: string;
  /** The first certificate's subject (null when unreadable). */
  subject: string | null;
  notAfter: string | null;
  /** Each certificate's SHA-256, in the order sent. */
  certificates: string[];
  /** The certificate_list's size on the wire: each certificate's DER and its 3-byte length. */
  bytes: number;
  /** The server addresses and ports that sent it ('10.0.0.1:25', '[2001:db8::1]:993'), in order of first use. */
  servers: string[];
  /** Servers past MAX_SERVERS_PER_CHAIN, not listed (absent when none). */
  moreServers?: number;
  connections: number;
  completed: number;
  failed: number;
  /** ISO 8601 start of the first and last connection that got it. */
  firstSeen: string;
  lastSeen: string;
}

/** A server that sent several chains: `summary.serversWithSeveralChains`. */
export interface ServerChains {
  server: string;
  chains: { id: string; subject: string | null; certificates: number; connections: number; completed: number; failed: number; failureRate: number | null }[];
}

export const MAX_CHAINS = 1000;
export const MAX_SERVERS_PER_CHAIN = 100;

interface ServerCounts {
  connections: number;
  completed: number;
  failed: number;
}

interface ChainAcc {
  entry: Omit<ChainServed, 'servers' | 'moreServers'>;
  servers: Map<string, ServerCounts>;
  moreServers: number;
  /** Output order of its first connection. */
  order: number;
}

export interface ChainIndexData {
  chains: Map<string, ChainAcc>;
  notListed: number;
}

/** `10.0.0.1:25`, `[2001:db8::1]:25`: a server as groups and chains name it. */
export function serverWords(r: Pick<ConnectionReport, 'server'>): string {
  return r.server.ip ? `${r.server.ip.includes(':') ? `[${r.server.ip}]` : r.server.ip}:${r.server.port}` : '(no address)';
}

const ids = new BoundedCache<string, string>(4096);
const shortId = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 8);

/** The chain's key (its certificates' SHA-256s joined by ',') and short id; null when no certificate was seen. */
export function chainKey(r: Pick<ConnectionReport, 'certificates'>): { key: string; id: string } | null {
  const certs = r.certificates ?? [];
  if (certs.length === 0) return null;
  const key = certs.map((c) => c.sha256).join(',');
  return { key, id: ids.getOrSet(key, shortId) };
}

/** A chain in a few words: 'chain 1a2b3c4d (*.lab.test, 4 certificates, 7,096 bytes)'. */
export function chainWords(c: { id: string; subject: string | null; certificates: number | string[]; bytes?: number }): string {
  const n = typeof c.certificates === 'number' ? c.certificates : c.certificates.length;
  const size = c.bytes !== undefined ? `, ${groupThousands(c.bytes)} bytes` : '';
  return `chain ${c.id} (${leafName(c.subject)}, ${n} certificate${n === 1 ? '' : 's'}${size})`;
}

/** The CN of a subject, else the subject, else 'unreadable leaf'. */
export function leafName(subject: string | null): string {
  if (!subject) return 'unreadable leaf';
  const cn = /(?:^|, )CN=([^,]+)/.exec(subject);
  return cn ? cn[1]!.trim() : subject;
}

export class ChainIndex {
  private readonly chains = new Map<string, ChainAcc>();
  /** Connections whose chain came after MAX_CHAINS others. */
  private notListed = 0;

  add(r: ConnectionReport, order: number): void {
    const k = chainKey(r);
    if (!k) return;
    let c = this.chains.get(k.key);
    if (!c) {
      if (this.chains.size >= MAX_CHAINS) {
        this.notListed++;
        return;
      }
      const leaf = r.certificates[0]!;
      c = {
        entry: {
          id: k.id,
          leafSha256: leaf.sha256,
          subject: leaf.subject,
          notAfter: leaf.notAfter,
          certificates: r.certificates.map((x) => x.sha256),
          bytes: r.certificates.reduce((sum, x) => sum + x.bytes + 3, 0),
          connections: 0,
          completed: 0,
          failed: 0,
          firstSeen: r.start,
          lastSeen: r.start,
        },
        servers: new Map(),
        moreServers: 0,
        order,
      };
      this.chains.set(k.key, c);
    } else if (order < c.order) c.order = order;
    const e = c.entry;
    e.connections++;
    if (r.outcome === 'complete') e.completed++;
    if (r.outcome === 'failed') e.failed++;
    if (r.start < e.firstSeen) e.firstSeen = r.start;
    if (r.start > e.lastSeen) e.lastSeen = r.start;
    const server = serverWords(r);
    let s = c.servers.get(server);
    if (!s) {
      if (c.servers.size >= MAX_SERVERS_PER_CHAIN) {
        c.moreServers++;
        return;
      }
      c.servers.set(server, (s = { connections: 0, completed: 0, failed: 0 }));
    }
    s.connections++;
    if (r.outcome === 'complete') s.completed++;
    if (r.outcome === 'failed') s.failed++;
  }

  data(): ChainIndexData {
    return { chains: this.chains, notListed: this.notListed };
  }

  /** Add what another ChainIndex was given (its `data()`), as if its reports had been added here. */
  merge(d: ChainIndexData): void {
    this.notListed += d.notListed;
    for (const [key, o] of d.chains) {
      const c = this.chains.get(key);
      if (!c) {
        if (this.chains.size >= MAX_CHAINS) {
          this.notListed += o.entry.connections;
          continue;
        }
        this.chains.set(key, { entry: { ...o.entry }, servers: new Map([...o.servers].map(([k, v]) => [k, { ...v }])), moreServers: o.moreServers, order: o.order });
        continue;
      }
      const e = c.entry;
      e.connections += o.entry.connections;
      e.completed += o.entry.completed;
      e.failed += o.entry.failed;
      if (o.entry.firstSeen < e.firstSeen) e.firstSeen = o.entry.firstSeen;
      if (o.entry.lastSeen > e.lastSeen) e.lastSeen = o.entry.lastSeen;
      if (o.order < c.order) c.order = o.order;
      c.moreServers += o.moreServers;
      for (const [server, n] of o.servers) {
        const s = c.servers.get(server);
        if (s) {
          s.connections += n.connections;
          s.completed += n.completed;
          s.failed += n.failed;
        } else if (c.servers.size < MAX_SERVERS_PER_CHAIN) c.servers.set(server, { ...n });
        else c.moreServers += n.connections;
      }
    }
  }

  /** The chains in order of first use; the servers that sent several, with each chain's counts there. */
  result(): { chains: ChainServed[]; serversWithSeveralChains: ServerChains[]; chainsNotListed: number } {
    const accs = [...this.chains.values()].sort((a, b) => a.order - b.order);
    const chains = accs.map((c): ChainServed => {
      const e = c.entry;
      return {
        id: e.id,
        leafSha256: e.leafSha256,
        subject: e.subject,
        notAfter: e.notAfter,
        certificates: [...e.certificates],
        bytes: e.bytes,
        servers: [...c.servers.keys()],
        ...(c.moreServers > 0 ? { moreServers: c.moreServers } : {}),
        connections: e.connections,
        completed: e.completed,
        failed: e.failed,
        firstSeen: e.firstSeen,
        lastSeen: e.lastSeen,
      };
    });
    const byServer = new Map<string, ServerChains['chains']>();
    for (const c of accs) {
      for (const [server, n] of c.servers) {
        let list = byServer.get(server);
        if (!list) byServer.set(server, (list = []));
        list.push({ id: c.entry.id, subject: c.entry.subject, certificates: c.entry.certificates.length, connections: n.connections, completed: n.completed, failed: n.failed, failureRate: rate(n.failed, n.completed) });
      }
    }
    const several: ServerChains[] = [];
    for (const [server, list] of byServer) if (list.length >= 2) several.push({ server, chains: list });
    return { chains, serversWithSeveralChains: several, chainsNotListed: this.notListed };
  }
}

function rate(failed: number, completed: number): number | null {
  const decided = failed + completed;
  return decided === 0 ? null : Math.round((failed / decided) * 1000) / 1000;
}

// ---------------------------------------------------------------------------------------------
// What in a chain makes a client reject it.

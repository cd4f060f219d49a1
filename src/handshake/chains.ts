/**
 * The chains a capture shows servers sending: one entry per distinct chain as sent (the list of its
 * certificates' SHA-256, in order), with the servers that sent it and how the connections that got it ended.
 * A server address and port that sent two or more chains (a process still holding the old chain after a
 * renewal, or two servers behind one address) is a finding of its own, with each chain's failure rate.
 *
 * Memory: one entry per distinct chain (at most MAX_CHAINS; connections with a chain past them are counted),
 * each with at most MAX_SERVERS_PER_CHAIN servers.
 */
import { createHash } from 'node:crypto';
import type { ChainProblem } from '../tls/certificates.js';
import { groupThousands } from '../tls/format.js';
import type { ConnectionReport } from './report.js';

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

const ids = new Map<string, string>();

/** The chain's key (its certificates' SHA-256s joined by ',') and short id; null when no certificate was seen. */
export function chainKey(r: Pick<ConnectionReport, 'certificates'>): { key: string; id: string } | null {
  const certs = r.certificates ?? [];
  if (certs.length === 0) return null;
  const key = certs.map((c) => c.sha256).join(',');
  let id = ids.get(key);
  if (id === undefined) {
    id = createHash('sha256').update(key).digest('hex').slice(0, 8);
    if (ids.size > 4096) ids.clear();
    ids.set(key, id);
  }
  return { key, id };
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

/** A chain problem that explains a client's rejection: its code (a ChainProblem code, or 'missing-intermediate') and words. */
export interface ChainCause {
  code: string;
  text: string;
}

/** Alerts a client sends when it does not find a path to a CA it trusts (unknown_ca). */
const UNKNOWN_CA = 48;
/** certificate_expired. */
const CERTIFICATE_EXPIRED = 45;

/**
 * The chain problem that best explains a client's rejection of this chain, or null. `alert`: the client's alert
 * code when it sent one (unknown_ca is explained by a missing intermediate, an untrusted or self-signed chain;
 * certificate_expired by dates); null when it left without one (any of them may be why).
 *
 * A missing intermediate is what strict clients meet most after a renewal: the chain says so itself
 * ('issuer-not-next' at the leaf), or the server sent its certificate alone, which only a client that holds
 * the intermediate (or fetches it) accepts: a leaf is not issued by a root (the CA/Browser Forum's rules).
 */
export function chainCause(r: Pick<ConnectionReport, 'certificates' | 'chainProblems'>, alert: number | null): ChainCause | null {
  const certs = r.certificates ?? [];
  if (certs.length === 0) return null;
  const problems: ConnectionReport['chainProblems'] = r.chainProblems ?? [];
  const has = (code: string) => problems.find((p) => p.code === code) ?? null;
  const leaf = certs[0]!;
  const missing = problems.find((p) => p.code === 'issuer-not-next');
  const candidates: (ChainCause | null)[] = [];
  if (missing) {
    const issuer = certs[missing.index ?? 0]?.issuer;
    const of = (missing.index ?? 0) === 0 ? 'the intermediate that issued the leaf' : `the issuer of certificate #${(missing.index ?? 0) + 1}`;
    candidates.push({ code: 'missing-intermediate', text: `the chain lacks ${of}${issuer ? ` ('${issuer}')` : ''}` });
  } else if (certs.length === 1 && !leaf.selfSigned && !leaf.ca && leaf.subject !== null) {
    candidates.push({ code: 'missing-intermediate', text: `the chain lacks the intermediate that issued the leaf: the server sent its certificate alone${leaf.issuer ? ` (issued by '${leaf.issuer}')` : ''}` });
  }
  const expired = has('expired') ?? has('not-yet-valid');
  const nameMismatch = has('name-mismatch');
  const selfSigned = has('self-signed');
  const untrusted = has('untrusted');
  const order = has('out-of-order');
  if (alert === CERTIFICATE_EXPIRED) return expired ? { code: expired.code, text: expired.message } : null;
  if (alert === UNKNOWN_CA) {
    candidates.push(untrusted ? { code: 'untrusted', text: untrusted.message } : null, selfSigned ? { code: 'self-signed', text: selfSigned.message } : null, order ? { code: 'out-of-order', text: order.message } : null);
  } else {
    candidates.push(
      expired ? { code: expired.code, text: expired.message } : null,
      nameMismatch ? { code: 'name-mismatch', text: nameMismatch.message } : null,
      selfSigned ? { code: 'self-signed', text: selfSigned.message } : null,
      untrusted ? { code: 'untrusted', text: untrusted.message } : null,
      order ? { code: 'out-of-order', text: order.message } : null,
    );
  }
  return candidates.find((c) => c !== null) ?? null;
}

/** Alerts a client sends when it rejects the server's certificate (RFC 8446 §6.2): bad_certificate … unknown_ca. */
export const CERTIFICATE_ALERTS: ReadonlySet<number> = new Set([42, 43, 44, 45, 46, 48]);

/**
 * The chain problem a failed connection's diagnosis names: when the client rejected the server's certificate
 * (a certificate alert, or its FIN or RST right after the server's whole TLS 1.2 flight) and the chain explains it.
 */
export function rejectionCause(r: Pick<ConnectionReport, 'outcome' | 'end' | 'lastStep' | 'shape' | 'certificates' | 'chainProblems'>): ChainCause | null {
  if (r.outcome !== 'failed' || r.end.by !== 'client') return null;
  const alert = r.end.alert;
  if (r.end.how === 'alert' && alert && alert.code !== null && CERTIFICATE_ALERTS.has(alert.code)) return chainCause(r, alert.code);
  if ((r.end.how === 'fin' || r.end.how === 'rst') && r.lastStep === 4 && r.shape !== 'tls13') return chainCause(r, null);
  return null;
}

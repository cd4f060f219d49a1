/**
 * `--redact`: the report keeps what a reader of a bug ticket needs (ports, versions, ciphers, fingerprints,
 * sizes, timing) and loses what identifies people and hosts. Every address and name is replaced by the same
 * pseudonym everywhere in the report (client-1, server-1, name-1.example.test), so the story still reads.
 */

interface Endpointish {
  ip: string;
}

export interface RedactionSource {
  client: Endpointish;
  server: Endpointish;
  tls?: { sni?: string | null };
  clientHello?: { sni?: string | null; sessionId?: string } | null;
  serverHello?: { sessionId?: string } | null;
  certificates?: { subject?: string; san?: string[] }[] | null;
}

export class Redactor {
  private readonly map = new Map<string, string>();
  private readonly counters = { client: 0, server: 0, name: 0, session: 0 };
  private pattern: RegExp | null = null;

  /** Learn the sensitive values of one connection. */
  learn(c: RedactionSource): void {
    this.add(c.client.ip, 'client');
    this.add(c.server.ip, 'server');
    for (const name of [c.tls?.sni, c.clientHello?.sni]) if (name) this.addName(name);
    for (const id of [c.clientHello?.sessionId, c.serverHello?.sessionId]) if (id) this.add(id, 'session');
    for (const cert of c.certificates ?? []) {
      for (const san of cert.san ?? []) this.addName(san.replace(/^(DNS|IP Address|email):/i, ''));
      const cn = /CN=([^,\n/]+)/.exec(cert.subject ?? '');
      if (cn) this.addName(cn[1]!.trim());
    }
  }

  private add(value: string, kind: 'client' | 'server' | 'session'): void {
    if (!value || this.map.has(value)) return;
    this.counters[kind]++;
    this.map.set(value, kind === 'session' ? `session-${this.counters.session}` : `${kind}-${this.counters[kind]}`);
    this.pattern = null;
  }

  private addName(name: string): void {
    const bare = name.replace(/^\*\./, '').toLowerCase();
    if (!bare || this.map.has(bare)) return;
    // An address in a SAN is redacted like a server address.
    if (/^[\d.]+$/.test(bare) || bare.includes(':')) return this.add(bare, 'server');
    this.counters.name++;
    this.map.set(bare, `name-${this.counters.name}.example.test`);
    this.pattern = null;
  }

  /** Replace every learned value inside a string, whole values only (10.77.0.1 never eats 10.77.0.100). */
  text(s: string): string {
    if (this.map.size === 0) return s;
    if (!this.pattern) {
      const keys = [...this.map.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.pattern = new RegExp(`(?<![\\w.:-])(${keys.join('|')})(?![\\w-]|\\.\\w)`, 'gi');
    }
    return s.replace(this.pattern, (m) => this.map.get(m) ?? this.map.get(m.toLowerCase()) ?? m);
  }

  /** A deep copy of any JSON-like value with every string redacted. */
  value<T>(v: T): T {
    if (typeof v === 'string') return this.text(v) as T;
    if (Array.isArray(v)) return v.map((x) => this.value(x)) as T;
    if (v && typeof v === 'object') {
      if (Buffer.isBuffer(v)) return v;
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.value(x);
      return out as T;
    }
    return v;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Redact a whole analysis (or any document whose `connections` are RedactionSources). */
export function redactDocument<T extends { connections: RedactionSource[] }>(doc: T, extra: RedactionSource[] = []): T {
  const r = new Redactor();
  for (const c of [...doc.connections, ...extra]) r.learn(c);
  return r.value(doc);
}

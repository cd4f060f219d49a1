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
  certificates?: { subject?: string | null; issuer?: string | null; san?: string[] }[] | null;
}

/**
 * Attributes of a certificate's subject or issuer that stay as they are: the country (and an EV certificate's
 * country of jurisdiction) says little, and CN is a host name, redacted as names are (name-1.example.test).
 * Every other attribute (O, OU, L, ST, street, postalCode, emailAddress, serialNumber, …) is replaced.
 */
const KEPT_DN_ATTRIBUTES = new Set(['C', 'jurisdictionC', 'CN']);

/** Pseudonym prefixes by attribute; others are `value-N`. */
const DN_KINDS: Record<string, 'org' | 'place' | 'email'> = {
  O: 'org',
  OU: 'org',
  L: 'place',
  ST: 'place',
  street: 'place',
  postalCode: 'place',
  jurisdictionL: 'place',
  jurisdictionST: 'place',
  emailAddress: 'email',
};

/**
 * Where each attribute of a distinguished name as the reports write it ('C=US, O=Example, Inc., CN=mx') starts:
 * a key (a short name or a dotted OID) and '=', at the start or after ', '. A value runs to the next attribute,
 * or to a quote or line end when the name stands inside a sentence.
 */
const DN_ATTRIBUTE = /(^|, |')([A-Za-z][A-Za-z0-9]*|\d+(?:\.\d+)+)=/g;

function* dnAttributes(text: string): Generator<{ key: string; valueStart: number; valueEnd: number }> {
  const starts: { key: string; at: number; valueStart: number }[] = [];
  for (const m of text.matchAll(DN_ATTRIBUTE)) {
    const at = m.index! + m[1]!.length;
    starts.push({ key: m[2]!, at, valueStart: at + m[2]!.length + 1 });
  }
  for (let i = 0; i < starts.length; i++) {
    const { key, valueStart } = starts[i]!;
    let valueEnd = i + 1 < starts.length ? starts[i + 1]!.at - 2 : text.length;
    if (valueEnd < valueStart) valueEnd = valueStart;
    // Inside a sentence ('… leads to 'C=US, O=X' from …'): the name ends at the quote or the line.
    for (let k = valueStart; k < valueEnd; k++) {
      const c = text.charCodeAt(k);
      if (c === 39 || c === 34 || c === 10) {
        valueEnd = k;
        break;
      }
    }
    yield { key, valueStart, valueEnd };
  }
}

export class Redactor {
  private readonly map = new Map<string, string>();
  private readonly counters = { client: 0, server: 0, name: 0, session: 0 };
  private index: RedactionIndex | null = null;
  /** Certificate subject and issuer attribute values (lower case) → pseudonym: replaced where a name has them. */
  private readonly dnValues = new Map<string, string>();
  private readonly dnCounters = { org: 0, place: 0, email: 0, value: 0 };

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
      for (const dn of [cert.subject, cert.issuer]) if (dn) this.learnDn(dn);
    }
  }

  private learnDn(dn: string): void {
    for (const { key, valueStart, valueEnd } of dnAttributes(dn)) {
      if (KEPT_DN_ATTRIBUTES.has(key)) continue;
      const value = dn.slice(valueStart, valueEnd).trim().toLowerCase();
      if (!value || this.dnValues.has(value)) continue;
      const kind = DN_KINDS[key] ?? 'value';
      this.dnValues.set(value, `${kind}-${++this.dnCounters[kind]}`);
    }
  }

  /** The attribute values learned from certificates, replaced inside every distinguished name of `s`. */
  private dnText(s: string): string {
    let out = '';
    let copied = 0;
    for (const { key, valueStart, valueEnd } of dnAttributes(s)) {
      if (KEPT_DN_ATTRIBUTES.has(key)) continue;
      const raw = s.slice(valueStart, valueEnd);
      const pseudonym = this.dnValues.get(raw.trim().toLowerCase());
      if (pseudonym === undefined) continue;
      out += s.slice(copied, valueStart) + pseudonym;
      copied = valueEnd;
    }
    return copied === 0 ? s : out + s.slice(copied);
  }

  private add(value: string, kind: 'client' | 'server' | 'session'): void {
    if (!value || this.map.has(value)) return;
    this.counters[kind]++;
    this.map.set(value, kind === 'session' ? `session-${this.counters.session}` : `${kind}-${this.counters[kind]}`);
    this.index = null;
  }

  private addName(name: string): void {
    const bare = name.replace(/^\*\./, '').toLowerCase();
    if (!bare || this.map.has(bare)) return;
    // An address in a SAN is redacted like a server address.
    if (/^[\d.]+$/.test(bare) || bare.includes(':')) return this.add(bare, 'server');
    this.counters.name++;
    this.map.set(bare, `name-${this.counters.name}.example.test`);
    this.index = null;
  }

  /**
   * Replace every learned value inside a string, whole values only (10.77.0.1 never eats 10.77.0.100): a value
   * starts where no [\w.:-] precedes it (or right after the `*.` of a wildcard name) and ends where neither [\w-] nor '.' and a word character follow; the
   * longest value wins, case does not matter.
   *
   * Linear in the string's length whatever the number of values (a certificate can bring ten thousand names,
   * a capture a million addresses): values start at the beginning of a run of [\w.:-], so each run is looked
   * up by its possible ends, not matched against every value.
   */
  text(s: string): string {
    if (this.dnValues.size > 0 && s.includes('=')) s = this.dnText(s);
    if (this.map.size === 0) return s;
    const index = (this.index ??= buildIndex(this.map));
    const out: string[] = [];
    let copied = 0;
    const n = s.length;
    let p = 0;
    while (p < n) {
      if (p > 0 && isRunChar(s.charCodeAt(p - 1)) && !afterWildcard(s, p)) {
        p++;
        continue;
      }
      let runEnd = p;
      while (runEnd < n && isRunChar(s.charCodeAt(runEnd))) runEnd++;
      let matchEnd = -1;
      let replacement = '';
      // Values made of [\w.:-] only end inside the run (at ':' or a '.' before a non-word character) or at its end.
      for (let e = runEnd; e > p; e--) {
        if (e < runEnd && !validEnd(s, e)) continue;
        const hit = index.plain.get(s.slice(p, e).toLowerCase());
        if (hit !== undefined) {
          matchEnd = e;
          replacement = hit;
          break;
        }
      }
      // Values with other characters (a certificate CN with spaces) are found by their first run.
      const odd = index.odd.get(s.slice(p, runEnd > p ? runEnd : p + 1).toLowerCase());
      if (odd !== undefined) {
        for (const [value, pseudonym] of odd) {
          const e = p + value.length;
          if (e <= matchEnd || e > n || !validEnd(s, e)) continue;
          if (s.slice(p, e).toLowerCase() !== value) continue;
          matchEnd = e;
          replacement = pseudonym;
        }
      }
      if (matchEnd > p) {
        out.push(s.slice(copied, p), replacement);
        copied = matchEnd;
        p = matchEnd;
      } else {
        // '*.lab.test': the run starts at the wildcard's dot; the name after it is a value's start too.
        p = runEnd > p && !(s.charCodeAt(p) === 46 && p > 0 && s.charCodeAt(p - 1) === 42) ? runEnd : p + 1;
      }
    }
    if (copied === 0) return s;
    out.push(s.slice(copied));
    return out.join('');
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

/** Learned values by lower-case text: those made of [\w.:-] only, and the others by their first run. */
interface RedactionIndex {
  plain: Map<string, string>;
  odd: Map<string, [string, string][]>;
}

function buildIndex(map: ReadonlyMap<string, string>): RedactionIndex {
  const plain = new Map<string, string>();
  const odd = new Map<string, [string, string][]>();
  for (const [value, pseudonym] of map) {
    const lower = value.toLowerCase();
    let run = 0;
    while (run < lower.length && isRunChar(lower.charCodeAt(run))) run++;
    if (run === lower.length) {
      if (!plain.has(lower)) plain.set(lower, pseudonym);
      continue;
    }
    const first = lower.slice(0, run > 0 ? run : 1);
    const list = odd.get(first);
    if (list) list.push([lower, pseudonym]);
    else odd.set(first, [[lower, pseudonym]]);
  }
  return { plain, odd };
}

/** Position p follows a wildcard's '*.' (a certificate name such as CN=*.lab.test): a name may start there. */
function afterWildcard(s: string, p: number): boolean {
  return p > 1 && s.charCodeAt(p - 1) === 46 && s.charCodeAt(p - 2) === 42;
}

/** [A-Za-z0-9_] */
function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** [\w.:-]: the characters addresses and names are made of. */
function isRunChar(c: number): boolean {
  return isWordChar(c) || c === 46 || c === 58 || c === 45;
}

/** A value may end before position e: not followed by [\w-], nor by '.' and a word character. */
function validEnd(s: string, e: number): boolean {
  if (e >= s.length) return true;
  const c = s.charCodeAt(e);
  if (isWordChar(c) || c === 45) return false;
  return !(c === 46 && e + 1 < s.length && isWordChar(s.charCodeAt(e + 1)));
}

/** Redact a whole analysis (or any document whose `connections` are RedactionSources). */
export function redactDocument<T extends { connections: RedactionSource[] }>(doc: T, extra: RedactionSource[] = []): T {
  return redactorFor([...doc.connections, ...extra]).value(doc);
}

/** One Redactor that knows every source (so a value met in several keeps one pseudonym), endpoints numbered first. */
export function redactorFor(sources: readonly RedactionSource[]): Redactor {
  const r = new Redactor();
  // Endpoints first, so that addresses met only in certificates do not take their pseudonyms' numbers.
  for (const c of sources) r.learn({ client: c.client, server: c.server });
  for (const c of sources) r.learn(c);
  return r;
}

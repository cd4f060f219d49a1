/**
 * `--redact`: the report keeps what a reader of a bug ticket needs (ports, versions, ciphers, client
 * fingerprints, sizes, timing) and loses what identifies people, hosts, organisations and captures. Every value
 * is replaced by the same pseudonym everywhere in the report (client-1, server-1, name-1.example.test,
 * mailbox-1@example.test, org-1, capture-1.pcap), so the story still reads and "the same chain" stays visible.
 *
 * Two ways in, so that what one misses the other finds:
 * - by kind of field: endpoints, SNI, every attribute of every certificate's subject and issuer, SAN entries,
 *   certificate SHA-256 and serial, TLS session ids, capture and log file names;
 * - a scrubbing pass over every string (log lines, server replies, the tool's own sentences that quote them):
 *   IPv4 and IPv6 addresses, e-mail addresses and dotted host names anywhere; and in their context only the
 *   words that are names there (the syslog host field, Postfix's `NAME[address]`, `user=<…>`, `session=<…>`,
 *   `from=<…>`, `sasl_username=`, `helo=`, EHLO/HELO arguments, LOGIN/USER/AUTH arguments, a greeting's host,
 *   the values of `KEY=` in a distinguished name).
 * Names of public certificate authorities stay when the certificate naming them chains to a root of Node's
 * bundled Mozilla store (`tls.rootCertificates`): they are public and help the reader.
 */
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';

interface Endpointish {
  ip: string;
}

/** What the Redactor learns from a connection: its fields by kind, and what the scrubbing patterns found in its strings. */
export interface RedactionSource {
  client: Endpointish;
  server: Endpointish;
  capture?: string;
  tls?: { sni?: string | null };
  clientHello?: { sni?: string | null; sessionId?: string } | null;
  serverHello?: { sessionId?: string } | null;
  certificates?: { subject?: string | null; issuer?: string | null; san?: string[]; sha256?: string; serial?: string | null; ca?: boolean }[] | null;
  /** Log file names (`--log`). */
  files?: string[];
  /** Values the scrubbing patterns found in the connection's strings, [kind, value]. */
  found?: [Kind, string][];
  /** Free text (log lines) to learn from: what the patterns and the context rules find in it. */
  texts?: string[];
  /** The load balancer that sent a PROXY header, the address it announced as dialled, and TLVs that name hosts or sessions. */
  proxy?: ProxySource | null;
}

interface ProxySource {
  ip: string;
  destination?: Endpointish | null;
  tlvs?: { authority?: string; uniqueId?: string; ssl?: { cn?: string }; netns?: string; other?: { value: string }[] };
}

/** What a pseudonym stands for; the report lists the kinds it replaced. */
export type Kind = 'client' | 'server' | 'proxy' | 'address' | 'name' | 'email' | 'user' | 'session' | 'sha256' | 'serial' | 'capture' | 'log' | DnKind;
type DnKind = 'org' | 'place' | 'country' | 'cn' | 'value';

/** The kinds as the report names them. */
const KIND_WORDS: Record<Kind, string> = {
  client: 'addresses',
  server: 'addresses',
  proxy: 'addresses',
  address: 'addresses',
  name: 'host names',
  email: 'e-mail addresses',
  user: 'user names',
  session: 'session ids',
  sha256: 'certificate fingerprints and serial numbers',
  serial: 'certificate fingerprints and serial numbers',
  capture: 'file names',
  log: 'file names',
  org: 'certificate names',
  place: 'certificate names',
  country: 'certificate names',
  cn: 'certificate names',
  value: 'certificate names',
};

/** Pseudonym prefixes by distinguished-name attribute; others are `value-N`. */
const DN_KINDS: Record<string, DnKind | 'email'> = {
  O: 'org',
  OU: 'org',
  L: 'place',
  ST: 'place',
  street: 'place',
  postalCode: 'place',
  postOfficeBox: 'place',
  jurisdictionL: 'place',
  jurisdictionST: 'place',
  C: 'country',
  jurisdictionC: 'country',
  emailAddress: 'email',
  CN: 'cn',
};

/** Attribute names a distinguished name may carry, as OpenSSL and Node print them (and a dotted OID for others). */
const DN_KEYS =
  'C|ST|L|O|OU|CN|SN|GN|DC|UID|street|postalCode|postOfficeBox|emailAddress|serialNumber|givenName|surname|title|initials|pseudonym|generationQualifier|dnQualifier|name|description|businessCategory|organizationIdentifier|jurisdictionC|jurisdictionST|jurisdictionL|x500UniqueIdentifier|unstructuredName|unstructuredAddress|telephoneNumber|role|userId|organizationalUnitName|organizationName|commonName|countryName|localityName|stateOrProvinceName|streetAddress|[A-Za-z]+_CN|\\d+(?:\\.\\d+)+';

/**
 * Where each attribute of a distinguished name starts: a known key and '=', at the start, after ', ' or '/'
 * (OpenSSL's old one-line form), or after a quote or space when the name stands inside a sentence or a log line.
 */
const DN_ATTRIBUTE = new RegExp(`(^|, |,|/|'|"|\\s|\\+)(${DN_KEYS})=`, 'g');

/** A distinguished name's attribute values and where they lie; a value runs to the next attribute or the end. */
function dnAttributes(text: string, whole = false): { key: string; at: number; valueStart: number; valueEnd: number; bounded: boolean }[] {
  const starts: { key: string; at: number; valueStart: number }[] = [];
  for (const m of text.matchAll(DN_ATTRIBUTE)) {
    const at = m.index! + m[1]!.length;
    starts.push({ key: m[2]!, at, valueStart: at + m[2]!.length + 1 });
  }
  const out: { key: string; at: number; valueStart: number; valueEnd: number; bounded: boolean }[] = [];
  for (let i = 0; i < starts.length; i++) {
    const { key, at, valueStart } = starts[i]!;
    let valueEnd = text.length;
    // Whether the value ends where a name's own syntax ends it (a separator of its attributes, or its closing
    // quote), not merely where a line or a sentence does.
    let bounded = whole;
    if (i + 1 < starts.length) {
      // The separator before the next key: ', ' or ',' or '/' or '+' or a space.
      valueEnd = starts[i + 1]!.at;
      while (valueEnd > valueStart && /[,/+\s]/.test(text[valueEnd - 1]!)) valueEnd--;
      bounded ||= /[,/+]/.test(text.slice(valueEnd, starts[i + 1]!.at));
    }
    // Inside a sentence (`… leads to 'C=US, O=Let's Encrypt' from …`): the name ends at a closing quote (one
    // not followed by a letter, so Let's goes on, nor escaped as Node writes \" inside a value) or a line end.
    // A certificate's own subject or issuer field is a name whole.
    for (let k = valueStart; !whole && k < valueEnd; k++) {
      const c = text[k]!;
      if (c === '\n' || c === '\r') {
        valueEnd = k;
        break;
      }
      if ((c === "'" || c === '"') && text[k - 1] !== '\\' && !/[\p{L}\p{N}]/u.test(text[k + 1] ?? '')) {
        valueEnd = k;
        bounded = true;
        break;
      }
    }
    out.push({ key, at, valueStart, valueEnd, bounded });
  }
  return out;
}

/** The distinguished name of each root of Node's bundled Mozilla store, written as the reports write names. */
let publicRoots: Set<string> | null = null;
function mozillaRoots(): Set<string> {
  if (publicRoots) return publicRoots;
  publicRoots = new Set<string>();
  for (const pem of rootCertificates) {
    try {
      publicRoots.add(
        new X509Certificate(pem).subject
          .split('\n')
          .filter((l) => l.length > 0)
          .join(', '),
      );
    } catch {
      // A root Node cannot read names nobody.
    }
  }
  return publicRoots;
}

/**
 * The names of public CAs in a chain as sent: a CA certificate whose issuer is a Mozilla root or such a CA (the
 * chain, walked up from the root, stays public); the roots themselves. A server's own certificate never is.
 */
function publicNames(certs: NonNullable<RedactionSource['certificates']>): Set<string> {
  const roots = mozillaRoots();
  const names = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const c of certs) {
      if (!c.ca || !c.subject || !c.issuer || names.has(c.subject)) continue;
      if (roots.has(c.issuer) || names.has(c.issuer)) {
        names.add(c.subject);
        grew = true;
      }
    }
  }
  for (const c of certs) if (c.issuer && roots.has(c.issuer)) names.add(c.issuer);
  return names;
}

const IPV4 = /(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w=]|\.\d)/g;
/**
 * IPv6: eight groups, or fewer with '::' (and an IPv4 tail, tried before a group: else `::ffff:192.0.2.7`, as Dovecot
 * logs a client, stops at `::ffff:192`, and NAT64's `64:ff9b::192.0.2.33` at `64:ff9b::192`). Times (11:58:06) have
 * neither.
 */
const IPV6 =
  /(?<![\w:.])(?:(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|(?:[0-9a-f]{1,4}:){1,7}:|(?:[0-9a-f]{1,4}:){1,5}:(?:\d{1,3}\.){3}\d{1,3}|(?:[0-9a-f]{1,4}:){1,6}(?::[0-9a-f]{1,4}){1,6}|::(?:[0-9a-f]{1,4}:){0,5}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9a-f]{1,4})|::)(?![\w:])/gi;
/** A mailbox, its local part in any script too (SMTPUTF8: `ünï@bücher.example`). */
const EMAIL = /(?<![\p{L}\p{N}_.+-])[\p{L}\p{N}_.+%-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*(?![\w-])/gu;
/** A host name: two labels or more, the last of letters (TLDs); not a file name the tool or a server writes (`.c`, `.log`). */
const HOST = /(?<![\p{L}\p{N}_.@/-])(?:[\p{L}\p{N}_](?:[\p{L}\p{N}_-]*[\p{L}\p{N}])?\.)+\p{L}[\p{L}\p{N}-]*\p{L}(?![\p{L}\p{N}_-]|\.[\p{L}\p{N}])/gu;

/**
 * Words that are names in their place only (a user `alice`, a syslog host `mail`): [pattern, kind, a cheap test
 * a string must pass for the pattern to be tried]. The value is the named group `v`.
 */
const CONTEXTS: [RegExp, Kind, (s: string) => boolean][] = [
  // syslog: 'Nov 28 11:57:07 HOST prog[pid]:' or ISO time 'HOST prog:'
  [/^(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)?|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) (?<v>[^\s\[\]]+) (?=[\w./-]+(?:\[\d+\])?: )/gm, 'name', (s) => s.includes(': ')],
  // Postfix's client 'NAME[address]'
  [/(?<![\w.-])(?<v>[\p{L}\p{N}_][\p{L}\p{N}_.-]*)\[(?=[0-9a-f:.]*[.:][0-9a-f:.]*\]|client-\d+\]|server-\d+\]|address-\d+\])/giu, 'name', (s) => s.includes('[')],
  [/(?<![\w])(?:user|orig_user|sasl_username|sasl_sender|login_user|auth_user|master_user)=<?(?<v>[^\s,<>]+)/gi, 'user', (s) => s.includes('=')],
  [/(?<![\w])(?:session|session_id|sess)=<?(?<v>[^\s,<>]+)/gi, 'session', (s) => s.includes('=')],
  [/(?<![\w])(?:from|to|orig_to|nrcpt_to|rcpt|mail|sender|recipient)=<(?<v>[^\s<>]+)>/gi, 'email', (s) => s.includes('=<')],
  [/(?<![\w])(?:helo|ehlo|client_name|reverse_client_name|helo_name)=<?(?<v>[^\s,<>=\]]*[\p{L}][^\s,<>=\]]*)/giu, 'name', (s) => s.includes('=')],
  [/(?<![\w])(?:EHLO|HELO|LHLO) +(?<v>[^\s]+)/gi, 'name', (s) => /HLO /i.test(s)],
  [/(?<![\w])220[ -](?<v>[\p{L}\p{N}_.-]*\p{L}[\p{L}\p{N}_.-]*) +(?:E?SMTP|LMTP)/gu, 'name', (s) => s.includes('220')],
  // The value ends before a sentence's punctuation: `USER frank, then` learns `frank`, not `frank,`.
  [/(?<![\w])(?:LOGIN|USER|AUTHENTICATE +[\w-]+|AUTH +[\w-]+) +"?(?<v>[^\s"]*[^\s",;:.)])/g, 'user', (s) => /LOGIN|USER|AUTH/.test(s)],
];

/** Pseudonyms this redactor writes: never taken for a value to hide. */
const PSEUDONYM = /^(?:(?:client|server|address|user|session|sha256|serial|org|place|country|cn|value)-\d+|name-\d+\.example\.test|mailbox-\d+@example\.test|(?:capture|log)-\d+(?:\.[\w.]+)?)$/i;

/** `user=<>`, `unknown[…]`, and other words that stand where a name would but name nobody. */
const NOT_A_NAME = new Set(['unknown', '<redacted>', 'redacted', 'localhost', 'null', 'none', '-']);

export class Redactor {
  private readonly map = new Map<string, string>();
  private readonly counters = new Map<string, number>();
  private index: RedactionIndex | null = null;
  /** Values that are names only where they stand (single words: `alice`, `mail`): their pseudonyms, not looked for elsewhere. */
  private readonly contextual = new Map<string, string>();
  /** Certificate attribute values (lower case) → pseudonym. */
  private readonly dnValues = new Map<string, string>();
  /** The same values by their first two characters, to find the longest one at a place. */
  private readonly dnByStart = new Map<string, string[]>();
  /** The distinguished names that stay: public CAs met in a chain that reaches a Mozilla root. */
  private readonly keptNames = new Set<string>();
  /** Kinds replaced, for the report's line saying what was. */
  readonly kinds = new Set<string>();

  /** Learn the sensitive values of one connection (a report, or a RedactionSource made of one). */
  learn(c: RedactionSource): void {
    this.add(c.client.ip, 'client');
    this.add(c.server.ip, 'server');
    if (c.proxy) this.learnProxy(c.proxy);
    this.addFile(c.capture, 'capture');
    for (const f of c.files ?? []) this.addFile(f, 'log');
    for (const name of [c.tls?.sni, c.clientHello?.sni]) if (name) this.addName(name);
    for (const id of [c.clientHello?.sessionId, c.serverHello?.sessionId]) if (id) this.add(id, 'session');
    const certs = c.certificates ?? [];
    if (certs.length > 0) for (const n of publicNames(certs)) this.keptNames.add(n);
    for (const cert of certs) {
      for (const san of cert.san ?? []) this.learnSan(san);
      for (const dn of [cert.subject, cert.issuer]) if (dn && !this.keptNames.has(dn)) this.learnDn(dn);
      if (cert.sha256) this.add(cert.sha256, 'sha256');
      if (cert.serial) this.addSerial(cert.serial);
    }
    for (const [kind, value] of c.found ?? findNames(c)) this.addFound(kind, value);
    for (const t of c.texts ?? []) {
      this.discover(t);
      this.inContext(t);
    }
  }

  /** A PROXY header's sender and what it said that names a host, a person or a session (its TLVs' values). */
  private learnProxy(p: ProxySource): void {
    this.add(p.ip, 'proxy');
    if (p.destination) this.add(p.destination.ip, 'server');
    const t = p.tlvs;
    if (!t) return;
    if (t.authority) this.addName(t.authority);
    if (t.ssl?.cn) this.add(t.ssl.cn, 'name');
    if (t.uniqueId) this.add(t.uniqueId, 'session');
    if (t.netns) this.add(t.netns, 'name');
    for (const o of t.other ?? []) if (o.value.length >= 4) this.add(o.value, 'session');
  }

  /** Every string of any JSON-like value through the scrubbing patterns (learned, nothing replaced yet). */
  discover(v: unknown): void {
    for (const [kind, value] of findNames(v)) this.addFound(kind, value);
  }

  private learnSan(san: string): void {
    const m = /^(DNS|IP Address|email|URI|othername|DirName|Registered ID):(.*)$/i.exec(san);
    const kind = m?.[1]!.toLowerCase();
    const value = (m ? m[2]! : san).trim();
    if (kind === 'email' || value.includes('@')) this.add(value, 'email');
    else if (kind === 'dirname') this.learnDn(value);
    else if (kind === 'uri') {
      this.add(value, 'name');
      const host = /^[a-z]+:\/\/([^/:]+)/i.exec(value);
      if (host) this.addName(host[1]!);
    } else if (kind === undefined || kind === 'dns' || kind === 'ip address') this.addName(value);
    else this.add(value, 'value');
  }

  private learnDn(dn: string): void {
    for (const { key, valueStart, valueEnd } of dnAttributes(dn, true)) this.dnPseudonym(key, dn.slice(valueStart, valueEnd));
  }

  /** The pseudonym of one attribute value, learned on first sight. A host-like CN shares its name's pseudonym. */
  private dnPseudonym(key: string, raw: string): string | null {
    const value = raw.trim();
    const lower = value.toLowerCase();
    if (!value || PSEUDONYM.test(value)) return null;
    const known = this.dnValues.get(lower);
    if (known !== undefined) return known;
    let pseudonym: string;
    const kind = DN_KINDS[key] ?? (/_CN$/.test(key) ? 'cn' : 'value');
    if (kind === 'cn' && isHostLike(value)) pseudonym = `${value.startsWith('*.') ? '*.' : ''}${this.addName(value) ?? value}`;
    else if (kind === 'email' || (kind === 'value' && value.includes('@'))) pseudonym = this.add(value, 'email');
    else pseudonym = this.next(kind);
    this.dnValues.set(lower, pseudonym);
    const start = lower.slice(0, 2);
    const list = this.dnByStart.get(start);
    if (list) list.push(lower);
    else this.dnByStart.set(start, [lower]);
    // The tool quotes a certificate by its CN alone ('molochftw' is self-signed): a CN is found in any sentence,
    // as is any other value long enough not to be a word of the report's own (ST=CA stays a place in names only).
    if ((kind === 'cn' || value.length >= 5) && !this.map.has(lower)) this.put(lower, pseudonym);
    this.kinds.add(KIND_WORDS[kind]);
    return pseudonym;
  }

  private next(kind: string): string {
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    return `${kind}-${n}`;
  }

  private put(lower: string, pseudonym: string): void {
    this.map.set(lower, pseudonym);
    this.index = null;
  }

  /** Learn a value of a kind; its pseudonym (the known one when it was learned before). */
  private add(value: string, kind: Kind): string {
    const lower = value.toLowerCase();
    const known = this.map.get(lower) ?? this.contextual.get(lower);
    if (known !== undefined) return known;
    if (!value || PSEUDONYM.test(value)) return value;
    let pseudonym: string;
    if (kind === 'email') pseudonym = `mailbox-${this.bump('email')}@example.test`;
    else if (kind === 'name') pseudonym = `name-${this.bump('name')}.example.test`;
    else pseudonym = this.next(kind);
    this.kinds.add(KIND_WORDS[kind]);
    // One word of letters (a user `alice`, a syslog host `mail`): a name where it stands, a word elsewhere.
    if ((kind === 'user' || kind === 'name') && /^\p{L}{1,12}$/u.test(value)) this.contextual.set(lower, pseudonym);
    else this.put(lower, pseudonym);
    return pseudonym;
  }

  private bump(kind: string): number {
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    return n;
  }

  /** A host name or address (a SAN, an SNI, a CN); a wildcard's `*.` stays in front. */
  private addName(name: string): string | null {
    const bare = name.trim().replace(/^\*\./, '');
    if (!bare || NOT_A_NAME.has(bare.toLowerCase())) return null;
    // An address (in a SAN, a CN) is redacted like one.
    if (/^[\d.]+$/.test(bare) || (bare.includes(':') && /^[0-9a-f:.]+$/i.test(bare))) return this.add(bare, 'server');
    return this.add(bare, 'name');
  }

  /** A serial: replaced wherever it stands when long enough not to be mistaken for a number of the report. */
  private addSerial(serial: string): void {
    const lower = serial.toLowerCase();
    if (this.map.has(lower) || this.contextual.has(lower)) return;
    const pseudonym = this.next('serial');
    this.kinds.add(KIND_WORDS.serial);
    if (serial.length >= 8) this.put(lower, pseudonym);
    else this.contextual.set(lower, pseudonym);
    this.serials.set(lower, pseudonym);
  }
  private readonly serials = new Map<string, string>();

  /** A capture or log file: its path and its base name, `capture-1.pcap` (standard input `-` stays). */
  private addFile(path: string | undefined, kind: 'capture' | 'log'): void {
    if (path === '-' || !path) return;
    const lower = path.toLowerCase();
    if (this.map.has(lower)) return;
    const ext = /(\.(?:pcapng|pcap|cap|log|txt|gz|ndjson|json))+$/i.exec(path)?.[0] ?? '';
    const pseudonym = `${this.next(kind)}${ext.toLowerCase()}`;
    this.kinds.add(KIND_WORDS[kind]);
    this.put(lower, pseudonym);
    const base = path.replace(/^.*[/\\]/, '');
    // A bare name is the path itself, learned just above; a base name met before keeps its first file's pseudonym.
    if (base && !this.map.has(base.toLowerCase())) this.put(base.toLowerCase(), pseudonym);
  }

  private addFound(kind: Kind, value: string): void {
    // add() keeps the pseudonym of a value known under another kind (an address that is a client's).
    if (kind === 'name') this.addName(value);
    else this.add(value, kind);
  }

  /** Redact one string: learn what the patterns find in it, then replace every learned value. */
  text(s: string): string {
    // A word of the report's own (a cipher, an extension) or a hex id: only learned values can be in it.
    if (/^[\w-]*$/.test(s)) return this.replaceLearned(s);
    this.discover(s);
    s = this.inContext(s);
    return this.replaceLearned(s);
  }

  /** The words that are names where they stand, and certificate attribute values, replaced in place. */
  private inContext(s: string): string {
    if (s.includes('=')) s = this.dnText(s);
    for (const [re, kind, may] of CONTEXTS) {
      if (!may(s)) continue;
      s = s.replace(re, (whole: string, ...args: unknown[]) => {
        const v = (args[args.length - 1] as { v: string }).v;
        if (NOT_A_NAME.has(v.toLowerCase()) || PSEUDONYM.test(v)) return whole;
        const pseudonym = this.pseudonymOf(kind, v);
        if (pseudonym === null) return whole;
        // The value ends each pattern's match but the greeting's ('220 NAME ESMTP'): its last occurrence in it.
        const at = whole.lastIndexOf(v);
        return whole.slice(0, at) + pseudonym + whole.slice(at + v.length);
      });
    }
    return s;
  }

  private pseudonymOf(kind: Kind, v: string): string | null {
    const lower = v.toLowerCase();
    const known = this.map.get(lower) ?? this.contextual.get(lower);
    if (known !== undefined) return known;
    if (kind === 'name') return this.addName(v);
    if (kind === 'user' && v.includes('@')) return this.add(v, 'email');
    return this.add(v, kind);
  }

  /** Every attribute value of every distinguished name in `s`, but those of the public CAs kept. */
  private dnText(s: string): string {
    const attrs = dnAttributes(s);
    if (attrs.length === 0) return s;
    // A kept (public) name stands whole: skip its attributes.
    const keptSpans: [number, number][] = [];
    for (const name of this.keptNames) {
      for (let i = s.indexOf(name); i >= 0; i = s.indexOf(name, i + 1)) keptSpans.push([i, i + name.length]);
    }
    let out = '';
    let copied = 0;
    for (let i = 0; i < attrs.length; i++) {
      const { key, at, valueStart, bounded } = attrs[i]!;
      let { valueEnd } = attrs[i]!;
      if (valueStart < copied) continue;
      if (keptSpans.some(([a, b]) => at >= a && at < b)) continue;
      // The longest learned value at this place wins (an O= with an apostrophe or a comma in it), unless the name's
      // own syntax ends the value further on: then it is another, longer value ('O=Acme Widgets' when only O=Acme
      // was learned), hidden whole rather than its learned start alone.
      const rest = s.slice(valueStart).toLowerCase();
      let best = '';
      for (const v of this.dnByStart.get(rest.slice(0, 2)) ?? []) if (v.length > best.length && rest.startsWith(v) && validDnEnd(s, valueStart + v.length)) best = v;
      if (best && !(bounded && s.slice(valueStart, valueEnd).trimEnd().length > best.length)) valueEnd = valueStart + best.length;
      const raw = s.slice(valueStart, valueEnd);
      const pseudonym = this.dnPseudonym(key, raw);
      if (pseudonym === null) continue;
      const lead = raw.length - raw.trimStart().length;
      const trail = raw.length - raw.trimEnd().length;
      out += s.slice(copied, valueStart + lead) + pseudonym;
      copied = valueEnd - trail;
    }
    return out + s.slice(copied);
  }

  /**
   * Replace every learned value inside a string, whole values only (10.77.0.1 never eats 10.77.0.100): a value
   * starts where no [\w.:-] precedes it (or right after the `*.` of a wildcard name) and ends where neither [\w-]
   * nor '.' and a word character follow; the longest value wins, case does not matter.
   *
   * Linear in the string's length whatever the number of values (a certificate can bring ten thousand names,
   * a capture a million addresses): values start at the beginning of a run of [\w.:-], so each run is looked
   * up by its possible ends, not matched against every value.
   */
  /**
   * The work of the learned-value scan, for the tests that replay slow inputs (test/fuzz/regressions.test.ts): the
   * characters scanned and the map look-ups made. Linear means look-ups a small multiple of the characters.
   */
  readonly work = { scanned: 0, lookups: 0 };

  private replaceLearned(s: string): string {
    if (this.map.size === 0) return s;
    const index = (this.index ??= buildIndex(this.map));
    this.work.scanned += s.length;
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
        this.work.lookups++;
        const hit = index.plain.get(s.slice(p, e).toLowerCase());
        if (hit !== undefined) {
          matchEnd = e;
          replacement = hit;
          break;
        }
      }
      // Values with other characters (a certificate CN with spaces) are found by their first run.
      this.work.lookups++;
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
        // The next character: one inside the run is passed over at the top of the loop, but after a wildcard's
        // '*.' ('*.lab.test', the name after it is a value's start too).
        p++;
      }
    }
    out.push(s.slice(copied));
    return out.join('');
  }

  /** A deep copy of any JSON-like value with every string redacted; a certificate's fields by kind first. */
  value<T>(v: T): T {
    if (typeof v === 'string') return this.text(v) as T;
    if (Array.isArray(v)) return v.map((x) => this.value(x)) as T;
    if (v && typeof v === 'object') {
      if (Buffer.isBuffer(v)) return v;
      const out: Record<string, unknown> = {};
      const rec = v as Record<string, unknown>;
      for (const [k, x] of Object.entries(rec)) {
        // A certificate's serial, wherever its length would let it pass as a number of the report.
        if (k === 'serial' && typeof x === 'string' && 'sha256' in rec) out[k] = this.serials.get(x.toLowerCase()) ?? this.text(x);
        // A SAN entry 'email:…' or 'DNS:…': the label stays, the value is looked up alone.
        else if (k === 'san' && Array.isArray(x)) out[k] = x.map((e) => (typeof e === 'string' ? this.sanEntry(e) : this.value(e)));
        else out[k] = this.value(x);
      }
      return out as T;
    }
    return v;
  }

  private sanEntry(e: string): string {
    const m = /^(DNS|IP Address|email|URI|othername|DirName|Registered ID):(.*)$/is.exec(e);
    return m ? `${m[1]}:${this.text(m[2]!)}` : this.text(e);
  }

  /** What the report says of its redaction: the kinds replaced, in a fixed order. */
  replacedKinds(): string[] {
    const order = ['addresses', 'host names', 'certificate names', 'e-mail addresses', 'user names', 'session ids', 'certificate fingerprints and serial numbers', 'file names'];
    return order.filter((k) => this.kinds.has(k));
  }
}

/** A host name (two labels or more), or an address. */
function isHostLike(v: string): boolean {
  const bare = v.replace(/^\*\./, '');
  return /^[\p{L}\p{N}_-]+(\.[\p{L}\p{N}_-]+)+\.?$/u.test(bare) || /^[0-9a-f:]+$/i.test(bare);
}

/** A certificate value learned may end before position e: the name's end, a separator or a closing quote. */
function validDnEnd(s: string, e: number): boolean {
  if (e >= s.length) return true;
  return /[,/+'"\s\n>)\]]/.test(s[e]!);
}

/** Every value the scrubbing patterns find in the strings of `v`, [kind, value]. */
export function findNames(v: unknown, out: [Kind, string][] = []): [Kind, string][] {
  if (typeof v === 'string') {
    if (v.length < 3 || /^[\w-]*$/.test(v)) return out;
    if (/\d\.\d/.test(v)) for (const m of v.matchAll(IPV4)) out.push(['address', m[0]]);
    if (/::|:[0-9a-f]{1,4}:[0-9a-f]{1,4}:/i.test(v)) for (const m of v.matchAll(IPV6)) if (m[0].length > 2) out.push(['address', m[0]]);
    // A TLS session id or ticket key in a server's log (Postfix's session cache): 40 hex digits or more.
    if (/[0-9a-f]{40}/i.test(v)) for (const m of v.matchAll(/(?<![0-9a-z])[0-9a-f]{40,}(?![0-9a-z])/gi)) out.push(['session', m[0]]);
    if (v.includes('@')) for (const m of v.matchAll(EMAIL)) if (!PSEUDONYM.test(m[0])) out.push(['email', m[0]]);
    if (/\.\p{L}/u.test(v)) {
      for (const m of v.matchAll(HOST)) {
        const host = m[0];
        // A file the tool or a server names (`statem_srvr.c`, `smtpd.log`) is not a host; pseudonyms are not.
        if (PSEUDONYM.test(host) || /\.(?:c|h|log|pcap|pcapng|gz|crt|pem|key|conf|cf|js|ts|txt|json|html|md)$/i.test(host)) continue;
        out.push(['name', host]);
      }
    }
    return out;
  }
  // An array's values are its elements.
  if (v && typeof v === 'object' && !Buffer.isBuffer(v)) for (const x of Object.values(v)) findNames(x, out);
  return out;
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
    // Every key is learned in lower case (put()), so each is met once.
    if (run === lower.length) {
      plain.set(lower, pseudonym);
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
  // Past the end, charCodeAt gives NaN, which is no word character, '-' nor '.'.
  const c = s.charCodeAt(e);
  if (isWordChar(c) || c === 45) return false;
  return !(c === 46 && isWordChar(s.charCodeAt(e + 1)));
}

/** What the Redactor learns from a connection report: its fields by kind and what the patterns find in its strings. */
export function redactionSource(r: {
  client: Endpointish;
  server: Endpointish;
  capture?: string;
  tls?: { sni?: string | null } | null;
  clientHello?: { sni?: string | null; sessionId?: string } | null;
  serverHello?: { sessionId?: string } | null;
  certificates?: RedactionSource['certificates'];
  proxy?: ProxySource | null;
}): RedactionSource {
  return {
    client: { ip: r.client.ip },
    server: { ip: r.server.ip },
    proxy: r.proxy ?? null,
    capture: r.capture,
    tls: { sni: r.tls?.sni ?? null },
    clientHello: r.clientHello ? { sni: r.clientHello.sni, sessionId: r.clientHello.sessionId } : null,
    serverHello: r.serverHello ? { sessionId: r.serverHello.sessionId } : null,
    certificates: (r.certificates ?? []).map((c) => ({ subject: c.subject, issuer: c.issuer, san: c.san, sha256: c.sha256, serial: c.serial, ca: c.ca })),
    found: dedupe(findNames(r)),
  };
}

function dedupe(found: [Kind, string][]): [Kind, string][] {
  const seen = new Set<string>();
  return found.filter(([k, v]) => {
    const key = `${k}\u0000${v}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Redact a whole analysis (or any document whose `connections` are reports); `extra`: the log's sources. */
export function redactDocument<T extends { connections: RedactionSource[] }>(doc: T, extra: RedactionSource[] = [], files: readonly string[] = []): T {
  return redactorFor(doc.connections, extra, files).value(doc);
}

/**
 * One Redactor that knows every source (so a value met in several keeps one pseudonym): capture files as given
 * first, then every endpoint, then the rest, then the log's.
 */
export function redactorFor(sources: readonly RedactionSource[], logSources: readonly RedactionSource[] = [], files: readonly string[] = []): Redactor {
  const r = new Redactor();
  learnInOrder(r, files, () => sources, logSources);
  return r;
}

/**
 * The order every path learns in (report/analyze/stream-output.ts too), so that the pseudonyms are the same whichever path
 * renders: the capture files as given, every endpoint, the log's, then the rest of each connection, then the log's
 * lines. `sources` is called twice.
 */
export function learnInOrder(r: Redactor, files: readonly string[], sources: () => Iterable<RedactionSource>, logSources: readonly RedactionSource[]): void {
  for (const f of files) r.learn({ client: { ip: '' }, server: { ip: '' }, capture: f });
  for (const c of sources()) r.learn({ client: c.client, server: c.server, capture: c.capture, proxy: c.proxy ? { ip: c.proxy.ip } : null });
  for (const s of logSources) r.learn({ client: s.client, server: s.server, files: s.files });
  for (const c of sources()) r.learn(c.found ? c : redactionSource(c as Parameters<typeof redactionSource>[0]));
  for (const s of logSources) r.learn(s);
}

/** The line (text, Markdown), element (HTML) or field (JSON) that says a report is redacted and what was replaced. */
export function redactionNote(r: Redactor): { kinds: string[]; line: string } {
  const kinds = r.replacedKinds();
  return { kinds, line: `redacted: ${kinds.length > 0 ? kinds.join(', ') : 'nothing found to replace'} replaced with consistent pseudonyms` };
}

/** A finished report with its redaction note added: a last line, a paragraph before </body>, or a `redacted` field. */
export function markRedacted(text: string, format: string, r: Redactor): string {
  const { kinds, line } = redactionNote(r);
  if (format === 'ndjson') {
    // One object a line: the note joins the last line's object (the summary, or the one connection of -c).
    const end = text.lastIndexOf('}');
    if (end < 0) return text;
    return `${text.slice(0, end)},"redacted":${JSON.stringify({ kinds })}}${text.slice(end + 1)}`;
  }
  if (format === 'json') {
    const end = text.lastIndexOf('}');
    if (end < 0) return text;
    const field = JSON.stringify({ kinds });
    const body = text.slice(0, end).trimEnd();
    return `${body}${body.endsWith('{') ? '' : ','}\n  "redacted": ${field}\n}${text.slice(end + 1)}`;
  }
  if (format === 'html') {
    const at = text.lastIndexOf('</body>');
    const p = `<p class="redacted">${line}</p>\n`;
    return at < 0 ? text + p : text.slice(0, at) + p + text.slice(at);
  }
  if (format === 'markdown') return `${text.trimEnd()}\n\n_${line}_\n`;
  return `${text.trimEnd()}\n${line}\n`;
}

/** The same for a report written in pieces: the last piece carries the note. */
export function* markRedactedPieces<P extends string | Uint8Array>(pieces: Iterable<P>, format: string, redactor: () => Redactor | null): Generator<P | string> {
  let last: P | null = null;
  for (const p of pieces) {
    if (last !== null) yield last;
    // Held past the next piece, whose bytes may reuse this one's buffer (BytePieces): a copy.
    last = typeof p === 'string' ? p : (Buffer.from(p) as unknown as P);
  }
  const r = redactor();
  // The last piece of every report is text (renderAnalysisJsonBytes ends with one).
  const text = last === null ? '' : typeof last === 'string' ? last : Buffer.from(last).toString('utf8');
  yield r ? markRedacted(text, format, r) : (last ?? '');
}

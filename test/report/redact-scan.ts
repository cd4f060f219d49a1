/**
 * A redaction scan that does not ask the redactor: every token of a report WITHOUT --redact that is still in the
 * report WITH --redact is a leak, unless it is one of the tool's own words. The tool's words are read from the
 * source's string literals (src/, the redactor's module left out) and the name tables, not from the redactor's
 * rules; the allow-list beyond them is short: numbers, the pseudonyms' own words, and the client fingerprints
 * (JA3/JA4) the report keeps by design.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { ROOT } from '../cli/run.js';

/** Tokens: runs of letters and digits with inner . _ @ + - (an address, a host name, an e-mail address), lower case. */
export function tokens(text: string): Set<string> {
  const out = new Set<string>();
  // JSON's escapes (\n, \") are not letters of a word.
  text = text.replace(/\\[nrt"\\/]/g, ' ');
  for (const m of text.matchAll(/[\p{L}\p{N}](?:[\p{L}\p{N}._@+%-]*[\p{L}\p{N}])?/gu)) {
    const t = m[0].toLowerCase();
    out.add(t);
    // Its parts too: a name cut at a dot or a dash in the redacted text is still that name.
    if (/[._@+%-]/.test(t)) for (const part of t.split(/[._@+%-]+/)) if (part) out.add(part);
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

/**
 * The words of the tool's own sentences, tables and JSON keys: the string literals and identifiers of src/,
 * comments removed, the redactor's modules left out. A word with a dot or an @ (an example name in a literal)
 * is data, not vocabulary.
 */
export function toolVocabulary(): Set<string> {
  const words = new Set<string>();
  for (const file of sourceFiles(join(ROOT, 'src'))) {
    if (file.endsWith('redact.ts') || file.endsWith('diff-redact.ts')) continue;
    const code = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
    for (const t of tokens(code)) if (!/[.@]/.test(t)) words.add(t);
  }
  return words;
}

/** The pseudonyms' own words, and tokens that are numbers (ports, sizes, times, versions such as 1.2). */
const ALLOWED = new Set([
  // Fixed words of Postfix, Dovecot, OpenSSL and SMTP replies in the shipped logs and captures (not names), and
  // the distinguished-name attribute keys OpenSSL prints.
  'esmtp', 'ready', 'exim', 'fri', 'undef', '2tart', 'anull', 'medium', 'attempts', 'btree', 'cleanup', 'commands', 'engine', 'established', 'expiration',
  'initializing', 'issuing', 'lib', 'library', 'logging', 'put', 'rcpt', 'rec', 'routines', 'save', 'scache', 'secs', 'setting', 'smtpd', 'aes256',
  'email', 'dns', 'uri', 'businesscategory', 'dirname', 'emailaddress', 'jurisdictionc', 'jurisdictionst', 'jurisdictionl', 'postalcode', 'street','client', 'server', 'address', 'name', 'example', 'test', 'mailbox', 'user', 'session', 'sha256', 'serial', 'org', 'place', 'country', 'cn', 'value', 'capture', 'log', 'pcap', 'pcapng', 'gz', 'redacted']);

export function allowed(token: string, vocabulary: Set<string>, kept: Set<string>): boolean {
  if (ALLOWED.has(token) || vocabulary.has(token) || kept.has(token) || token.length <= 2) return true;
  // A number, a decimal, a version, an SMTP status (2.0.0): never three dots (an IPv4 address has three).
  if (/^\d+(\.\d+){0,2}$|^\d+(\.\d+)?e-?\d+$/.test(token)) return true;
  // A date; a code in hex (0xcc13, OpenSSL's 0a000412): short, never a 32- or 64-digit id or fingerprint.
  if (/^\d{4}-\d\d-\d\d$|^(0x)?[0-9a-f]{1,12}$/.test(token)) return true;
  // A word the table cut short ('Certificate/ServerK…').
  if (token.length >= 4 && /^[a-z]+$/.test(token) && [...vocabulary].some((w) => w.length > token.length && w.startsWith(token))) return true;
  // A compound of the tool's words (a.cells, aes_256_gcm_sha384): each of its parts is allowed.
  if (/[._@+%-]/.test(token)) {
    const parts = token.split(/[._@+%-]+/).filter(Boolean);
    if (!/@/.test(token) && parts.length > 0 && parts.every((p) => !/[._@+%-]/.test(p) && allowed(p, vocabulary, kept))) return true;
  }
  // Times and dates (2026-11-28t11, 07.123456z, 11h) as the report writes them.
  if (/^[\d.]+z$|^\d{4}-\d\d-\d\dt\d\d$|^\d\dt\d\d$|^\d+(ms|s|h|kb|mb|gb|b|x)$/.test(token)) return true;
  return false;
}

/**
 * What the report keeps on purpose and is not a name, from the unredacted JSON: client fingerprints (JA3, JA3S,
 * JA4), ALPN protocol ids, Zeek's history letters, and the names of public CAs: a CA certificate whose issuer is
 * a root of Node's Mozilla store, or such a CA, and those roots (issue 17's rule, written here again).
 */
export function keptValues(json: string): Set<string> {
  const out = new Set<string>();
  for (const m of json.matchAll(/"(?:ja3|ja3s|ja4|history|alpn)": "([^"]+)"/g)) for (const t of tokens(m[1]!)) out.add(t);
  for (const m of json.matchAll(/"alpn": \[([^\]]*)\]/g)) for (const t of tokens(m[1]!)) out.add(t);
  const roots = new Set(rootCertificates.map((pem) => new X509Certificate(pem).subject.split('\n').filter(Boolean).join(', ')));
  const doc = JSON.parse(json) as { connections?: { certificates?: { subject: string | null; issuer: string | null; ca: boolean }[] }[] };
  for (const c of doc.connections ?? []) {
    const certs = c.certificates ?? [];
    const pub = new Set<string>();
    for (let grew = true; grew; ) {
      grew = false;
      for (const x of certs) {
        if (x.ca && x.subject && x.issuer && !pub.has(x.subject) && (roots.has(x.issuer) || pub.has(x.issuer))) {
          pub.add(x.subject);
          grew = true;
        }
      }
    }
    for (const x of certs) if (x.issuer && roots.has(x.issuer)) pub.add(x.issuer);
    for (const dn of pub) for (const t of tokens(dn)) out.add(t);
  }
  return out;
}

/** The tokens of `plain` found again in `redacted` that are not allowed. */
export function leaks(plain: string, redacted: string, vocabulary: Set<string>, kept: Set<string>): string[] {
  const after = tokens(redacted);
  return [...tokens(plain)].filter((t) => after.has(t) && !allowed(t, vocabulary, kept)).sort();
}

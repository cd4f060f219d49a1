/**
 * A redaction scan that does not ask the redactor: every token of a report WITHOUT --redact that is still in the
 * report WITH --redact is a leak, unless it is one of the tool's own words. The tool's words are read from the
 * source's string literals (src/, the redactor's module left out) and the name tables, not from the redactor's
 * rules; the allow-list beyond them is short: numbers, the pseudonyms' own words, and the client fingerprints
 * (JA3/JA4) the report keeps by design.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../cli/run.js';

/** Tokens: runs of letters and digits with inner . _ @ + - (an address, a host name, an e-mail address), lower case. */
export function tokens(text: string): Set<string> {
  const out = new Set<string>();
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

/** The words of the tool's own sentences and tables: the string literals of src/, comments removed. */
export function toolVocabulary(): Set<string> {
  const words = new Set<string>();
  for (const file of sourceFiles(join(ROOT, 'src'))) {
    if (file.endsWith('redact.ts') || file.endsWith('diff-redact.ts')) continue;
    const code = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
    for (const m of code.matchAll(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g)) {
      // Not the example names a literal may hold (`mx.example.com`): a word with a dot or an @ is data, not vocabulary.
      for (const t of tokens(m[0].replace(/\$\{[^}]*\}/g, ' '))) if (!/[.@]/.test(t)) words.add(t);
    }
  }
  return words;
}

/** The pseudonyms' own words, and tokens that are numbers (ports, sizes, times, versions such as 1.2). */
const ALLOWED = new Set(['client', 'server', 'address', 'name', 'example', 'test', 'mailbox', 'user', 'session', 'sha256', 'serial', 'org', 'place', 'country', 'cn', 'value', 'capture', 'log', 'pcap', 'pcapng', 'gz', 'redacted']);

export function allowed(token: string, vocabulary: Set<string>, kept: Set<string>): boolean {
  if (ALLOWED.has(token) || vocabulary.has(token) || kept.has(token)) return true;
  // A number, a decimal, a version: never more than one dot (an IPv4 address has three).
  if (/^\d+(\.\d+)?$/.test(token)) return true;
  // Times and dates (2026-11-28t11, 11h) as the report writes them.
  if (/^\d{4}-\d\d-\d\dt\d\d$|^\d+(ms|s|h|kb|mb|gb|b)$/.test(token)) return true;
  return false;
}

/** What the report keeps on purpose and is not a name: client fingerprints (JA3, JA3S, JA4) of the unredacted JSON. */
export function keptValues(json: string): Set<string> {
  const out = new Set<string>();
  for (const m of json.matchAll(/"(?:ja3|ja3s|ja4)": "([^"]+)"/g)) for (const t of tokens(m[1]!)) out.add(t);
  return out;
}

/** The tokens of `plain` found again in `redacted` that are not allowed. */
export function leaks(plain: string, redacted: string, vocabulary: Set<string>, kept: Set<string>): string[] {
  const after = tokens(redacted);
  return [...tokens(plain)].filter((t) => after.has(t) && !allowed(t, vocabulary, kept)).sort();
}

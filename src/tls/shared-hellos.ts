import { BoundedCache } from '../bounded-cache.js';
import type { ClientHello, ServerHello } from './types.js';

/**
 * The hellos of a mail server's connections say the same thing over and over: the same few client programs
 * offer the same suites, groups and extensions; the server answers them the same way. Only the random and the
 * session id differ. A report keeps its connection's hellos until the connection closes, minutes later for a
 * connection that carries mail; thousands open at once would each keep their own copy of the same arrays. A
 * hello that says what an earlier one said shares that one's arrays (its own random and session id kept).
 * The decoder shares each hello as it is parsed, so the copy it made dies young, before the collector has to
 * copy it about, and hellos that say the same are the same arrays everywhere after (fingerprints are worked
 * out once per kind of hello by that identity). Bounded: at most a few hundred different hellos are remembered.
 */
const BUCKETS = 32;
/** Hellos compared in full with a new one: those with the same counts of suites and extensions. */
const PER_BUCKET = 8;

const clientHellos = new BoundedCache<string, ClientHello[]>(BUCKETS);
const serverHellos = new BoundedCache<string, ServerHello[]>(BUCKETS);

export function sharedClientHello(hello: ClientHello): ClientHello {
  return shared(clientHellos, hello, `${hello.version}/${hello.cipherSuites.length}/${hello.extensions.length}/${hello.sni}`);
}

export function sharedServerHello(hello: ServerHello): ServerHello {
  return shared(serverHellos, hello, `${hello.selectedVersion}/${hello.cipherSuite}/${hello.extensions.length}`);
}

function shared<T extends { random: string; sessionId: string }>(remembered: BoundedCache<string, T[]>, hello: T, key: string): T {
  let bucket = remembered.get(key);
  for (const seen of bucket ?? []) {
    if (!sameButRandomAndSession(seen, hello)) continue;
    return seen.random === hello.random && seen.sessionId === hello.sessionId ? seen : { ...seen, random: hello.random, sessionId: hello.sessionId };
  }
  if (bucket === undefined) remembered.set(key, (bucket = []));
  if (bucket.length < PER_BUCKET) bucket.push(hello);
  return hello;
}

/** The two hellos say the same, field for field (decoded extension values included), but for random and session id. */
function sameButRandomAndSession(a: object, b: object): boolean {
  return sameObject(a as Record<string, unknown>, b as Record<string, unknown>, true);
}

/** Equality of JSON-like values as the parsers make them: numbers, strings, booleans, arrays, plain objects, bytes. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(a, b) === 0;
  }
  return sameObject(a as Record<string, unknown>, b as Record<string, unknown>, false);
}

/**
 * Plain objects with the same keys and equal values (`for … in`, not Object.keys: this runs for every hello, and
 * the key arrays were most of what it allocated). The parsers' objects inherit no enumerable keys.
 */
function sameObject(a: Record<string, unknown>, b: Record<string, unknown>, butRandomAndSession: boolean): boolean {
  let keys = 0;
  for (const k in a) {
    keys++;
    if (butRandomAndSession && (k === 'random' || k === 'sessionId')) continue;
    if (!same(a[k], b[k])) return false;
  }
  for (const _ in b) keys--;
  return keys === 0;
}

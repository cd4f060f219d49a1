import type { ClientHello, ServerHello } from '../tls/types.js';

/**
 * The hellos of a mail server's connections say the same thing over and over: the same few client programs
 * offer the same suites, groups and extensions; the server answers them the same way. Only the random and the
 * session id differ. A report keeps its connection's hellos until the connection closes, minutes later for a
 * connection that carries mail; thousands open at once would each keep their own copy of the same arrays. A
 * hello that says what an earlier one said shares that one's arrays (its own random and session id kept).
 * Bounded: at most a few hundred different hellos are remembered, each of a hello's usual size.
 */
const REMEMBERED = 256;
/** A hello larger than this (as JSON) is kept as it is: thousands of suites or extensions are no usual hello. */
const LARGEST = 16 * 1024;

const clientHellos = new Map<string, ClientHello>();
const serverHellos = new Map<string, ServerHello>();

export function sharedClientHello(hello: ClientHello): ClientHello {
  return shared(clientHellos, hello);
}

export function sharedServerHello(hello: ServerHello): ServerHello {
  return shared(serverHellos, hello);
}

function shared<T extends { random: string; sessionId: string }>(remembered: Map<string, T>, hello: T): T {
  const { random, sessionId, ...said } = hello;
  const key = JSON.stringify(said);
  if (key.length > LARGEST) return hello;
  const seen = remembered.get(key);
  if (seen === undefined) {
    if (remembered.size >= REMEMBERED) remembered.clear();
    remembered.set(key, hello);
    return hello;
  }
  return seen.random === random && seen.sessionId === sessionId ? seen : { ...seen, random, sessionId };
}

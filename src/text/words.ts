/**
 * Words and numbers every stage writes the same way: counts, plurals, durations, endpoints and how a connection
 * ended. At the bottom of the layers (any stage may import it, it imports none), so that one report never says
 * one thing two ways.
 */

/**
 * `1,234`: what n.toLocaleString('en-US') gives, without ICU (a number formatter built on every call cost more
 * than the rest of a connection's diagnosis). Other numbers (fractions, negatives, huge) go to ICU.
 */
export function groupThousands(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0 || Object.is(n, -0)) return n.toLocaleString('en-US');
  const digits = String(n);
  let out = '';
  for (let end = digits.length; end > 0; end -= 3) out = end - 3 > 0 ? `,${digits.slice(end - 3, end)}${out}` : `${digits.slice(0, end)}${out}`;
  return out;
}

/** `1 certificate`, `1,200 bytes`, `3 of them`: the count, grouped, and the word that agrees with it. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${groupThousands(n)} ${n === 1 ? one : many}`;
}

/** A duration in milliseconds: `0.35 ms` (a LAN's round trip), `4.2 ms`, `180 ms`, `12.3 s`. */
export function millis(ms: number): string {
  if (Math.abs(ms) >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (Math.abs(ms) >= 100) return `${Math.round(ms)} ms`;
  // Sub-millisecond times would all read 0.0 ms.
  if (Math.abs(ms) < 1 && ms !== 0) return `${Number(ms.toPrecision(2))} ms`;
  return `${ms.toFixed(1)} ms`;
}

/** A wait in seconds, as the verdict says it: `0.4 s`, `3.6 s`, `12 s`. */
export function secondsWords(s: number): string {
  if (s < 10) return `${Math.round(s * 10) / 10} s`;
  return `${Math.round(s)} s`;
}

/** `10.77.0.100:50648`, `[fd77::100]:50648`. */
export function endpoint(e: { ip: string; port: number }): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

/** The shape of a connection's ending that endWords reads (ConnectionReport['end']). */
export interface EndingFacts {
  how: string;
  by: string | null;
  alert: { name: string; encrypted?: boolean } | null;
}

/** How a connection ended, in a few words: `client FIN`, `server alert handshake_failure`, `client encrypted alert`, `capture ended`. */
export function endWords(end: EndingFacts): string {
  if (end.how === 'capture-end') return 'capture ended';
  if (end.how === 'alert' && end.alert) return end.alert.encrypted ? `${end.by} encrypted alert` : `${end.by} alert ${end.alert.name}`;
  return `${end.by} ${end.how.toUpperCase()}`;
}

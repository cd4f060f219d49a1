import type { ConnectionReport } from '../handshake/report.js';
import type { Endpoint } from '../tcp/types.js';
import { groupThousands } from '../tls/format.js';

/** The diff stage comes before src/report, so it keeps its own few words (same conventions as report/words.ts). */

export function ms(v: number): string {
  if (Math.abs(v) >= 10_000) return `${(v / 1000).toFixed(1)} s`;
  if (Math.abs(v) >= 100) return `${Math.round(v)} ms`;
  // Sub-millisecond times (a LAN's RTT) would all read 0.0 ms.
  if (Math.abs(v) < 1 && v !== 0) return `${Number(v.toPrecision(2))} ms`;
  return `${v.toFixed(1)} ms`;
}

export function count(n: number): string {
  return groupThousands(n);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

export function endpointText(e: Endpoint): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

/** 'a, b, c and 4 more'. */
export function someNames(names: readonly string[], max = 4): string {
  if (names.length === 0) return 'none';
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** Step names carry the side for the steps both sides have ('client ChangeCipherSpec'): the sentence names the side already. */
export function bareStepName(name: string): string {
  return name.replace(/^(client|server) /, '');
}

/** How the connection ended, in a few words: 'client FIN', 'server alert handshake_failure', 'capture ended'. */
export function endText(r: ConnectionReport): string {
  const e = r.end;
  if (e.how === 'capture-end') return 'capture ended';
  if (e.how === 'alert' && e.alert) return e.alert.encrypted ? `${e.by} encrypted alert` : `${e.by} alert ${e.alert.name}`;
  return `${e.by} ${e.how.toUpperCase()}`;
}

/** Time of the ClientHello since the connection's first frame, the zero of `steps[].offsetMs`. */
export function helloAtMs(r: ConnectionReport): number {
  return r.messages.find((m) => m.step === 1)?.atMs ?? r.messages[0]?.atMs ?? 0;
}

/** When the connection ended, in ms since the ClientHello (null when it did not end in the capture). */
export function endOffsetMs(r: ConnectionReport): number | null {
  const e = r.end;
  if (e.frame === null) return null;
  let at: number | undefined;
  if (e.how === 'alert') at = r.messages.find((m) => m.frame === e.frame && m.type.startsWith('Alert'))?.atMs;
  else at = r.tcp.events.find((ev) => ev.frame === e.frame && ev.kind === e.how)?.atMs;
  if (at === undefined) return null;
  return round3(at - helloAtMs(r));
}

export const round3 = (n: number) => Math.round(n * 1000) / 1000;

import { groupThousands } from '../text/words.js';
import type { ConnectionReport } from '../handshake/report.js';
import type { Endpoint } from '../tcp/types.js';

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

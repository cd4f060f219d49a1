import { millis } from '../text/words.js';
import type { ConnectionReport } from '../handshake/report.js';
import type { Divergence, DivergenceSide } from './types.js';
import { bareStepName, endOffsetMs, helloAtMs, round3 } from './words.js';

/** How many leading steps the two connections reached in the same order. */
export function commonStepCount(good: ConnectionReport, bad: ConnectionReport): number {
  let n = 0;
  while (n < good.steps.length && n < bad.steps.length && good.steps[n]!.step === bad.steps[n]!.step) n++;
  return n;
}

function sameEnd(a: ConnectionReport, b: ConnectionReport): boolean {
  return a.end.how === b.end.how && a.end.by === b.end.by && (a.end.alert?.name ?? null) === (b.end.alert?.name ?? null);
}

/**
 * The first point where the two stories part: the last step both reached (in the same order) and what each
 * side did next, a step or the end of the connection. null when both took the same steps to the same end
 * (or both completed the same way: what happens after a completed handshake is not the handshake's story).
 */
export function findDivergence(good: ConnectionReport, bad: ConnectionReport): Divergence | null {
  const common = commonStepCount(good, bad);
  const sameSteps = common === good.steps.length && common === bad.steps.length;
  if (sameSteps) {
    if (good.outcome === 'complete' && bad.outcome === 'complete') return null;
    if (good.outcome === bad.outcome && sameEnd(good, bad)) return null;
  }
  const last = good.steps[common - 1] ?? null;
  const g = nextMove(good, common);
  const b = nextMove(bad, common);
  const head = last ? `both reach step ${last.step} ${last.name}` : 'they part before the ClientHello';
  const stop = sameSteps ? ' and stop there' : '';
  const summary = `${head}${stop}; ${sideWords('good', g)}, ${sideWords('bad', b)}`;
  return { step: last?.step ?? 0, stepName: last?.name ?? 'nothing (no ClientHello)', summary, good: g, bad: b };
}

function sideWords(label: 'good' | 'bad', s: DivergenceSide): string {
  const who = s.by ? `the ${label} ${s.by}` : `in the ${label} connection`;
  return `${who} ${s.what}${s.afterMs !== null ? ` after ${millis(s.afterMs)}` : ''}${s.note ? ` (${s.note})` : ''}`;
}

/** What a connection did right after its first `common` steps. */
function nextMove(r: ConnectionReport, common: number): DivergenceSide {
  const last = r.steps[common - 1] ?? null;
  const hello = helloAtMs(r);
  // Times in steps[] are since the ClientHello; with no common step the zero is the connection's first frame.
  const base = last ? last.offsetMs : -hello;
  const next = r.steps[common];
  if (next) {
    const message = r.messages.find((m) => m.step === next.step && m.from === next.from);
    // A step without a message of its own (TLS 1.3's end of the server flight) is told by its name; alerts have no step.
    const name = message ? message.type : bareStepName(next.name);
    const verb = !last ? 'sends' : last.from === next.from ? 'goes on with' : 'answers with';
    return { kind: 'step', by: next.from, step: next.step, what: `${verb} ${name}`, afterMs: round3(next.offsetMs - base), frame: next.frame, note: null };
  }
  if (r.steps.length === 0 && r.mail) {
    // No TLS at all: the plaintext mail phase is where it stopped.
    if (r.mail.clientAsked && r.mail.accepted === false) {
      return { kind: r.end.how, by: 'server', step: null, what: `refuses STARTTLS (${r.mail.serverReply ?? 'no reply'})`, afterMs: null, frame: null, note: null };
    }
    if (r.mail.application && !r.mail.clientAsked && r.mail.tlsMode !== 'implicit') {
      return { kind: r.end.how, by: 'client', step: null, what: 'never asks for STARTTLS', afterMs: null, frame: null, note: null };
    }
  }
  const endAt = endOffsetMs(r);
  const afterMs = endAt !== null ? round3(endAt - base) : null;
  const note = retransmittedMeanwhile(r, hello + base);
  const e = r.end;
  switch (e.how) {
    case 'alert': {
      const alert = e.alert!; // findEnd (handshake/build.ts) sets it whenever a connection ends with an alert
      return { kind: 'alert', by: e.by, step: null, what: `sends ${alert.encrypted ? 'an encrypted alert' : `alert ${alert.name}`}`, afterMs, frame: e.frame, note };
    }
    case 'fin':
      return { kind: 'fin', by: e.by, step: null, what: `closes with FIN`, afterMs, frame: e.frame, note };
    case 'rst':
      return { kind: 'rst', by: e.by, step: null, what: `resets with RST`, afterMs, frame: e.frame, note };
    default:
      return { kind: 'capture-end', by: null, step: null, what: `nothing more is captured`, afterMs: null, frame: null, note };
  }
}

/** 'the server retransmitted 9 times meanwhile' when a stalled connection kept retransmitting before it ended. */
function retransmittedMeanwhile(r: ConnectionReport, sinceAtMs: number): string | null {
  const until = r.end.frame ?? Infinity;
  const counts = { client: 0, server: 0 };
  for (const e of r.tcp.events) if (e.kind === 'retransmission' && e.atMs >= sinceAtMs && e.frame <= until) counts[e.from]++;
  const parts: string[] = [];
  for (const side of ['server', 'client'] as const) if (counts[side] > 0) parts.push(`the ${side} retransmitted ${counts[side] === 1 ? 'once' : `${counts[side]} times`}`);
  return parts.length > 0 ? `${parts.join(' and ')} meanwhile` : null;
}

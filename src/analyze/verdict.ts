/**
 * The verdict: what the capture shows, in a few sentences that combine the summary's findings (a server that
 * serves several chains, the chain problem the failures got, a path-MTU black hole, the step the failures
 * stopped at and who ended them, whether the clients got through on a retry, the clients whose failures stand
 * out). Most telling first. `summary.verdict`, and the first lines of the text summary.
 */
import { groupThousands, plural, secondsWords } from '../text/words.js';
import { chainWords, type ServerChains } from './chains.js';
import type { NotableGroup } from './groups.js';
import type { RetrySummary } from './retries.js';
import { endingWords } from '../handshake/endings.js';

export interface VerdictLine {
  /** Stable, for scripts: 'server-serves-several-chains', 'chain-missing-intermediate', 'path-mtu-black-hole', … */
  code: string;
  text: string;
}

export interface VerdictFacts {
  connections: number;
  byOutcome: { complete: number; failed: number; 'not-tls': number; unknown: number };
  failedAtStep: Record<string, number>;
  failedBy: Record<string, number>;
  notableGroups: NotableGroup[];
  retries: RetrySummary;
  serversWithSeveralChains: ServerChains[];
  /** Chain details for the chains named (by id). */
  chainBytes: ReadonlyMap<string, number>;
  /** Failures by the chain problem that explains them (chain-cause.ts chainCause codes), most first. */
  failureChainCauses: [string, number][];
  /** Failures that look like a path-MTU black hole. */
  blackHoles: number;
}

/** What a failure got, by chain cause code. */
const CAUSE_WORDS: Readonly<Record<string, string>> = {
  'missing-intermediate': 'a chain that lacks the intermediate that issued the leaf',
  expired: 'an expired certificate',
  'not-yet-valid': 'a certificate not yet valid',
  'name-mismatch': 'a certificate that does not cover the name they asked for',
  'self-signed': 'a self-signed certificate',
  untrusted: 'a chain that leads to no CA of the --ca file',
  'out-of-order': 'a chain out of order',
};


/** `the one failure`, `both failures`, `all 3 failures`, `5 of 9 failures`. */
export function ofFailures(n: number, failed: number): string {
  if (n === failed) return failed === 1 ? 'the one failure' : failed === 2 ? 'both failures' : `all ${groupThousands(failed)} failures`;
  return `${groupThousands(n)} of ${plural(failed, 'failure')}`;
}

export function verdict(f: VerdictFacts): VerdictLine[] {
  const out: VerdictLine[] = [];
  if (f.connections === 0) return out;
  const failed = f.byOutcome.failed;
  for (const s of f.serversWithSeveralChains.slice(0, 3)) out.push(severalChains(s, f.chainBytes));
  if (failed === 0) {
    const tls = f.byOutcome.complete + f.byOutcome.unknown;
    if (tls > 0) out.unshift({ code: 'no-failures', text: `no handshake failed: ${f.byOutcome.complete} of ${plural(tls, 'TLS connection')} completed${f.byOutcome.unknown ? ` (${f.byOutcome.unknown} cut by the capture)` : ''}` });
    return out;
  }
  const cause = f.failureChainCauses[0];
  if (cause) {
    const [code, n] = cause;
    out.push({ code: `chain-${code}`, text: `${ofFailures(n, failed)} got ${CAUSE_WORDS[code] ?? `a chain with problem ${code}`}` });
  }
  if (f.blackHoles > 0) {
    out.push({
      code: 'path-mtu-black-hole',
      text: `${ofFailures(f.blackHoles, failed)} look like a path-MTU black hole: the client never acknowledged the server's flight, which the server sent again in full-size segments (clamp the MSS or fix the MTU)`,
    });
  }
  const step = Object.entries(f.failedAtStep).sort((a, b) => b[1] - a[1])[0];
  if (step) out.push({ code: 'failed-at-step', text: `${ofFailures(step[1], failed)} stopped at step ${step[0]}${endedWords(f.failedBy, failed)}` });
  const r = f.retries;
  if (r.failed > 0) {
    if (r.retriedAndCompleted > 0) {
      const rest = [r.retriedAndFailed ? `${r.retriedAndFailed} retried and failed again` : '', r.notRetried ? `${r.notRetried} not retried within ${r.window} s` : ''].filter(Boolean);
      out.push({
        code: r.retriedAndCompleted === r.failed ? 'all-retried-and-completed' : 'retried-and-completed',
        text: `${ofFailures(r.retriedAndCompleted, r.failed)} ${r.retriedAndCompleted === 1 ? 'was' : 'were'} retried and completed within ${secondsWords(r.completedWithin ?? 0)}${rest.length ? ` (${rest.join(', ')})` : ': the clients got through on a later try'}`,
      });
    } else if (r.retriedAndFailed > 0) {
      out.push({ code: 'retried-and-failed', text: `${ofFailures(r.retriedAndFailed, r.failed)} ${r.retriedAndFailed === 1 ? 'was' : 'were'} retried and failed again${r.notRetried ? `; ${r.notRetried} not retried within ${r.window} s` : ''}` });
    } else {
      out.push({ code: 'not-retried', text: `no failure was retried within ${r.window} s (the same client to the same server and port)` });
    }
  }
  const g = f.notableGroups[0];
  if (g) {
    out.push({
      code: 'client-group',
      text: `failures stand out for ${g.by} ${g.value}: ${g.failed} of ${g.failed + g.completed} failed, against ${Math.round(g.othersFailureRate * 100)}% of the others`,
    });
  }
  return out;
}

/** ', all ended by the client (FIN ×6, RST ×3)' or '; ended by client FIN ×2, server RST ×1'. */
function endedWords(failedBy: Record<string, number>, failed: number): string {
  const entries = Object.entries(failedBy)
    .map(([code, n]): [string, number] => [endingWords(code), n])
    .sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return '';
  const sides = new Set(entries.map(([k]) => k.split(' ')[0]));
  const total = entries.reduce((s, [, n]) => s + n, 0);
  if (sides.size === 1 && total === failed) {
    const side = [...sides][0]!;
    if (side === 'client' || side === 'server') {
      return `, all ended by the ${side} (${entries.map(([k, n]) => `${k.slice(side.length + 1)} ×${n}`).join(', ')})`;
    }
  }
  return `; ended by ${entries.map(([k, n]) => `${k} ×${n}`).join(', ')}`;
}

function severalChains(s: ServerChains, bytes: ReadonlyMap<string, number>): VerdictLine {
  const words = (c: ServerChains['chains'][number]) => chainWords({ id: c.id, subject: c.subject, certificates: c.certificates, bytes: bytes.get(c.id) });
  const failing = s.chains.filter((c) => c.failed > 0);
  const completing = s.chains.filter((c) => c.completed > 0);
  const failedAll = failing.reduce((n, c) => n + c.failed, 0);
  const completedAll = completing.reduce((n, c) => n + c.completed, 0);
  const n = s.chains.length;
  const count = n === 2 ? 'two' : n === 3 ? 'three' : String(n);
  // The story of a renewal half done: every failure got one chain, every completed handshake another.
  if (failing.length === 1 && failing[0]!.completed === 0 && completing.length >= 1 && completing.every((c) => c.failed === 0)) {
    const others = completing.length === 1 ? words(completing[0]!) : `the other chains (${completing.map((c) => c.id).join(', ')})`;
    return {
      code: 'server-serves-several-chains',
      text: `on ${s.server}, ${failedAll === 1 ? 'the one failure' : `all ${failedAll} failures`} got ${words(failing[0]!)}; ${completedAll === 1 ? 'the one completed connection' : `all ${completedAll} completed connections`} that showed their chain got ${others}: the server serves ${count} chains`,
    };
  }
  const each = s.chains.map((c) => `${words(c)}: ${c.failed} of ${c.failed + c.completed} failed`).join('; ');
  return { code: 'server-serves-several-chains', text: `${s.server} serves ${count} chains: ${each}` };
}

import { endWords } from '../text/words.js';
import type { ConnectionReport } from './report.js';

/**
 * How a connection ended, as a code: `client-fin`, `server-rst`, `client-alert-unknown_ca` (the alert's IANA name;
 * `encrypted` when it was sent encrypted, `unknown(0x50)` for an unassigned one), `capture-end`. The keys of
 * `summary.failedBy`; endingWords gives the words the reports show.
 */
export function endingCode(r: ConnectionReport): string {
  if (r.end.how === 'capture-end') return 'capture-end';
  if (r.end.how === 'alert' && r.end.alert) return `${r.end.by}-alert-${r.end.alert.name}`;
  return `${r.end.by}-${r.end.how}`;
}

/** An endingCode in words, as endWords says it: `client FIN`, `server RST`, `client alert unknown_ca`, `client encrypted alert`, `capture ended`. */
export function endingWords(code: string): string {
  if (code === 'capture-end') return endWords({ how: 'capture-end', by: null, alert: null });
  const dash = code.indexOf('-');
  const by = code.slice(0, dash);
  const how = code.slice(dash + 1);
  if (how === 'alert-encrypted') return endWords({ how: 'alert', by, alert: { name: 'encrypted', encrypted: true } });
  if (how.startsWith('alert-')) return endWords({ how: 'alert', by, alert: { name: how.slice('alert-'.length) } });
  return endWords({ how, by, alert: null });
}

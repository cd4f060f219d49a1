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

/** An endingCode in words: `client FIN`, `server RST`, `client alert unknown_ca`, `capture end`. */
export function endingWords(code: string): string {
  if (code === 'capture-end') return 'capture end';
  const dash = code.indexOf('-');
  const by = code.slice(0, dash);
  const how = code.slice(dash + 1);
  if (how.startsWith('alert-')) return `${by} alert ${how.slice('alert-'.length)}`;
  return `${by} ${how.toUpperCase()}`;
}

/** endingWords backwards: `client alert unknown_ca` → `client-alert-unknown_ca` (for counts kept in words, as `--by`'s groups). */
export function endingCodeOfWords(words: string): string {
  if (words === 'capture end') return 'capture-end';
  const [by, how, ...rest] = words.split(' ');
  if (how === 'alert') return `${by}-alert-${rest.join(' ')}`;
  return `${by}-${(how ?? '').toLowerCase()}`;
}

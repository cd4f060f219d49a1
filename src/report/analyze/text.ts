import { endingWords } from '../../handshake/endings.js';
import { endWords, endpoint, millis } from '../../text/words.js';
import { configuredChainLines } from './configured-chain.js';
import Table from 'cli-table3';
import type { AnalysisResult, CaptureInfo } from '../../analyze/pipeline.js';
import type { ConnectionReport } from '../../handshake/report.js';
import { captureSummaryLine } from './captures.js';
import { displayWidth, fitTable, foldLine, type FitColumn, type FittedTable } from '../fit-table.js';
import { terminalSafeLine } from '../../text/terminal.js';
import { notableGroupsLine } from './groups.js';
import { connectionLogLines, logCell, serverLogSummaryLines } from './serverlog-text.js';
import { securityLines } from './certificates.js';
import { connectionNumber, stepWords } from '../words.js';
import { findingLines, proxyLine, retryWords, rowFlags, verdictLines } from './findings.js';

export interface TextOptions {
  /** Terminal width to fit the output into; undefined: a pipe or file, one whole line per connection. */
  width?: number;
  color?: boolean;
}

const RED = '\u001b[31m';
const GREEN = '\u001b[32m';
const YELLOW = '\u001b[33m';
const BOLD = '\u001b[1m';
const RESET = '\u001b[0m';

function paint(s: string, colour: string, on: boolean): string {
  return on ? `${colour}${s}${RESET}` : s;
}

const OUTCOME_COLOUR: Readonly<Record<string, string>> = { complete: GREEN, ok: GREEN, failed: RED, fail: RED };

/**
 * What stands where there is no table: no connection at all, or (`--failed`) none that failed, with what the
 * connections did instead.
 */
export function emptyWords(summary: Pick<AnalysisResult['summary'], 'connections' | 'byOutcome'>, failedOnly: boolean): string {
  const n = summary.connections;
  if (!failedOnly || n === 0) return 'no TCP connections found';
  const o = summary.byOutcome;
  const all = `${n} connection${n === 1 ? '' : 's'}`;
  if (o.complete === n) return `no failed handshakes (${all}, ${n === 1 ? 'complete' : 'all complete'})`;
  const parts = [o.complete && `${o.complete} complete`, o['not-tls'] && `${o['not-tls']} without TLS`, o.unknown && `${o.unknown} cut by the capture`].filter(Boolean);
  return `no failed handshakes (${all}: ${parts.join(', ')})`;
}

/** The capture lines above the table, and in place of it `empty` when there is none. */
export function textHead(captures: readonly CaptureInfo[], empty: string | null, width?: number): string[] {
  const out = captures.flatMap((c) => foldLine(captureSummaryLine(c), width));
  if (empty !== null) out.push(...foldLine(empty, width));
  return out;
}

/** The raw cells' places (textRow); the table formats them (AnalyzeTable). */
const NUMBER = 0;
const START = 1;
const OUTCOME = 8;

/**
 * One connection's cells, as the report has them (the table shortens them to fit): number, start (ISO),
 * client, server, protocol, TLS version, cipher, step reached, outcome, how it ended, [log,] diagnosis.
 * `capture` is its capture's 1-based place when several were given.
 */
export function textRow(r: ConnectionReport, capture: number | null, withLog: boolean): string[] {
  return [
    connectionNumber(r.id, capture),
    r.start,
    endpoint(r.client),
    endpoint(r.server),
    r.protocol,
    r.tls.version ?? '—',
    r.tls.cipher?.replace(/^TLS_/, '') ?? '—',
    stepWords(r),
    r.outcome,
    endWords(r.end),
    ...(withLog ? [logCell(r)] : []),
    r.diagnosis,
    // Retried, chain problems: facts of this row alone, beside its diagnosis's label (findings.ts).
    rowFlags(r).trim(),
  ];
}

/** The days the connections started on: one day is named once above the table, times alone in the rows. */
export class DaySpan {
  first: string | null = null;
  many = false;
  see(iso: string): void {
    const day = iso.slice(0, 10);
    if (this.first === null) this.first = day;
    else if (day !== this.first) this.many = true;
  }
  merge(other: { first: string | null; many: boolean }): void {
    if (other.first !== null) this.see(other.first);
    if (other.many) this.many = true;
  }
}

/** An address without its port: `10.77.0.100`, `fd77::100`. */
function withoutPort(endpoint: string): string {
  const v6 = /^\[(.*)\]:\d+$/.exec(endpoint);
  if (v6) return v6[1]!;
  return endpoint.replace(/:\d+$/, '');
}

const PROTOCOL_SHORT: Readonly<Record<string, string>> = {
  'smtp-starttls': 'smtp-st',
  'submission-starttls': 'subm-st',
  'imap-starttls': 'imap-st',
  'pop3-stls': 'pop3-st',
  'managesieve-starttls': 'sieve-st',
  managesieve: 'sieve',
  unknown: 'unkn',
};

const STEP_SHORT: Readonly<Record<string, string>> = {
  'Certificate/ServerKeyExchange': 'Cert/SKE',
  ServerHelloDone: 'SHelloDone',
  ClientKeyExchange: 'CKE',
  'client ChangeCipherSpec': 'c CCS',
  'server ChangeCipherSpec': 's CCS',
  'client Finished': 'c Finished',
  'server Finished': 's Finished',
};

const OUTCOME_SHORT: Readonly<Record<string, string>> = { complete: 'ok', failed: 'fail', 'not-tls': 'plain', unknown: 'cut' };

/**
 * A cipher suite in the longest form that fits: `ECDHE_RSA_WITH_AES_256_GCM_SHA384`, then OpenSSL's style
 * `ECDHE-RSA-AES256-GCM-SHA384`, then without the hash of an AEAD suite (`ECDHE-RSA-AES256-GCM`): key
 * exchange and bulk cipher are what tell suites apart.
 */
export function cipherForWidth(name: string, width: number): string {
  const full = name.replace(/^TLS_/, '');
  if (full.length <= width) return full;
  const compact = full
    .replace(/_WITH_/, '_')
    .replace(/AES_(\d+)/, 'AES$1')
    .replace(/CHACHA20_POLY1305/, 'CHACHA20')
    .replace(/CAMELLIA_(\d+)/, 'CAMELLIA$1')
    .replace(/ARIA_(\d+)/, 'ARIA$1')
    .replace(/3DES_EDE_CBC/, '3DES')
    .replace(/_/g, '-');
  if (compact.length <= width) return compact;
  return compact.replace(/-(GCM|CCM(-8)?)-SHA\d+$/, '-$1').replace(/(CHACHA20)-SHA\d+$/, '$1');
}

const COLUMNS: readonly FitColumn[] = [
  { head: '#', min: 1 },
  { head: 'start (UTC)', shortHead: 'start', min: 12, drop: 5, shrink: 9 },
  { head: 'client', min: 11, shrink: 4, fit: (c, w) => (c.length <= w ? c : withoutPort(c)) },
  { head: 'server', min: 9, drop: 3, shrink: 2, fit: (c, w) => (c.length <= w ? c : withoutPort(c)) },
  { head: 'protocol', shortHead: 'proto', min: 7, snap: 7, drop: 4, shrink: 1, fit: (c, w) => (c.length <= w ? c : (PROTOCOL_SHORT[c] ?? c)) },
  { head: 'TLS', min: 3, snap: 4, drop: 2, shrink: 3, fit: (c, w) => (c.length <= w ? c : c.replace(/^TLS /, '').replace(/^SSL /, 'S')) },
  { head: 'cipher', min: 20, drop: 1, shrink: 6, fit: cipherForWidth },
  {
    head: 'step reached',
    shortHead: 'step',
    min: 11,
    snap: 12,
    shrink: 5,
    fit: (c, w) => (c.length <= w ? c : c.replace(/^(\d) (.*)$/, (all, n: string, name: string) => `${n} ${STEP_SHORT[name] ?? name}`)),
  },
  { head: 'outcome', min: 5, snap: 5, shrink: 8, fit: (c, w) => (c.length <= w ? c : (OUTCOME_SHORT[c] ?? c)) },
  {
    head: 'ended by',
    min: 10,
    drop: 6,
    shrink: 7,
    fit: (c, w) => (c.length <= w ? c : c.replace(/^client /, 'c ').replace(/^server /, 's ').replace(/ alert (?=[a-z])/, ' ').replace(/^capture ended$/, 'capt. end').replace(/ encrypted alert$/, ' enc. alert')),
  },
];

const LOG_COLUMN: FitColumn = { head: 'log', min: 6, drop: 7, shrink: 10 };
const DIAGNOSIS_COLUMN: FitColumn = { head: 'why', min: 3 };
/**
 * '[retried 3.6 s later: complete, #2] [chain: large]': kept as long as the table can, cut last. Narrow, the
 * retry takes its short form ('[retry +3.6s ok #2]') and the chain's flag goes first.
 */
const FLAGS_COLUMN: FitColumn = { head: 'notes', min: 19, drop: 8, shrink: 11, optional: true, fit: flagsForWidth };

function flagsForWidth(cell: string, width: number): string {
  if (displayWidth(cell) <= width) return cell;
  const short = cell.replace(/\[retried ([\d.]+) s later: ([\w-]+), (#[^\]]+)\]/, (_, t: string, outcome: string, id: string) => `[retry +${t}s ${OUTCOME_SHORT[outcome] ?? outcome} ${id}]`);
  if (displayWidth(short) <= width) return short;
  return short.replace(/ ?\[chain: [^\]]*\]/, '').trim();
}

/** The table's columns: the diagnosis's label, then the row's own flags, last. */
export function textColumns(withLog: boolean): FitColumn[] {
  return [...COLUMNS, ...(withLog ? [LOG_COLUMN] : []), DIAGNOSIS_COLUMN, FLAGS_COLUMN];
}

/** At most this many distinct diagnoses are listed under the table (each labelled); the others are counted. */
export const MAX_LABELS = 52;

interface Diagnosis {
  label: string;
  text: string;
  count: number;
  varies: boolean;
  first: string;
}

/** `A` … `Z`, `AA`, `AB`, …: the label of the n-th distinct diagnosis (0-based). */
function labelOf(n: number): string {
  let s = '';
  let i = n + 1;
  while (i > 0) {
    const r = (i - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    i = Math.floor((i - 1) / 26);
  }
  return s;
}

/**
 * The `analyze` table for one output: widths chosen once from the terminal and the columns' natural widths, rows
 * drawn one at a time as they come (the table is streamed), each row's diagnosis replaced by a label and the
 * distinct diagnoses collected for the legend under the table. Diagnoses that differ only in their numbers
 * (times, counts) share a label: the legend shows the first and says that the numbers vary.
 */
export class AnalyzeTable {
  private readonly columns: FitColumn[];
  private readonly fitted: FittedTable;
  private readonly diagnoses = new Map<string, Diagnosis>();
  private unlabelled = 0;
  private unlabelledKinds = new Set<string>();

  constructor(
    readonly withLog: boolean,
    natural: readonly number[],
    private readonly days: DaySpan,
    private readonly opts: TextOptions,
  ) {
    this.columns = textColumns(withLog);
    const widths = natural.slice();
    widths[START] = days.many ? 23 : 12;
    widths[this.columns.length - 2] = 3;
    this.fitted = fitTable(this.columns, widths, opts.width);
  }

  /** The day line (one day), the column heads and the rule. */
  headLines(): string[] {
    const out: string[] = [];
    if (this.fitted.widths[START] !== null && this.days.first !== null) {
      out.push(...foldLine(this.days.many ? 'start times in UTC' : `connections started on ${this.days.first} (times UTC)`, this.opts.width));
    }
    const [head, rule] = this.fitted.head();
    out.push(this.opts.color ? `${BOLD}${head}${RESET}` : head!, rule!);
    return out;
  }

  line(raw: readonly string[]): string {
    const cells = raw.slice();
    const iso = cells[START]!;
    cells[START] = this.days.many ? iso.replace('T', ' ').slice(0, 23) : iso.slice(11, 23);
    const why = cells.length - 2;
    cells[why] = this.label(raw[why]!, raw[NUMBER]!);
    const color = this.opts.color === true;
    return this.fitted.line(cells, color ? (x, text) => (x === OUTCOME ? paint(text, OUTCOME_COLOUR[text] ?? YELLOW, true) : text) : undefined);
  }

  private label(diagnosis: string, number: string): string {
    const key = diagnosis.replace(/\d+(?:[.,:]\d+)*/g, '#');
    const known = this.diagnoses.get(key);
    if (known) {
      known.count++;
      if (known.text !== diagnosis) known.varies = true;
      return `[${known.label}]`;
    }
    if (this.diagnoses.size >= MAX_LABELS) {
      this.unlabelled++;
      this.unlabelledKinds.add(key);
      if (this.unlabelledKinds.size > 10_000) this.unlabelledKinds.clear();
      return '[+]';
    }
    const label = labelOf(this.diagnoses.size);
    this.diagnoses.set(key, { label, text: diagnosis, count: 1, varies: false, first: number });
    return `[${label}]`;
  }

  /** The distinct diagnoses, labelled, each once (call after the last row). */
  legend(): string[] {
    const out: string[] = [''];
    for (const d of this.diagnoses.values()) {
      const head = `[${d.label}]`;
      const times = d.count > 1 ? ` ×${d.count}` : '';
      const note = d.varies ? ` (as #${d.first}; the numbers vary)` : '';
      out.push(...foldLine(`${head}${times} ${d.text}${note}`, this.opts.width, head.length + 1));
    }
    if (this.unlabelled > 0) {
      out.push(...foldLine(`[+] ${this.unlabelled} connection${this.unlabelled === 1 ? '' : 's'} with other diagnoses (only the first ${MAX_LABELS} kinds are listed): \`analyze -c N\` or \`--format json\` gives each`, this.opts.width, 4));
    }
    return out;
  }
}

export function renderSummaryText(result: Pick<AnalysisResult, 'summary'>, width?: number): string {
  const s = result.summary;
  const lines: string[] = [...verdictLines(s)];
  const o = s.byOutcome;
  lines.push(`${s.connections} connection${s.connections === 1 ? '' : 's'}: ${o.complete} complete, ${o.failed} failed, ${o['not-tls']} without TLS, ${o.unknown} unknown (capture cut the handshake)`);
  const steps = Object.entries(s.failedAtStep).sort((a, b) => b[1] - a[1]);
  if (steps.length > 0) lines.push(`failed at step: ${steps.map(([k, v]) => `${k} ×${v}`).join(', ')}`);
  const hows = Object.entries(s.failedBy).map(([code, n]): [string, number] => [endingWords(code), n]).sort((a, b) => b[1] - a[1]);
  if (hows.length > 0) lines.push(`ended by: ${hows.map(([k, v]) => `${k} ×${v}`).join(', ')}`);
  const clients = s.byClient.filter((c) => c.failed > 0).slice(0, 10);
  if (clients.length > 0) lines.push(`clients with failures: ${clients.map((c) => `${c.client} ${c.failed}/${c.connections}`).join(', ')}`);
  const notable = notableGroupsLine(s.notableGroups);
  if (notable) lines.push(notable);
  lines.push(...findingLines(s));
  lines.push(...serverLogSummaryLines(s));
  lines.push(...configuredChainLines(s));
  // A list item ("  - …") folds under its own text.
  return lines.flatMap((l) => foldLine(l, width, /^ *- /.exec(l)?.[0].length ?? 2)).join('\n');
}

/** `--connection N`: the whole story of one connection. */
export function renderConnectionText(r: ConnectionReport): string {
  const lines: string[] = [];
  lines.push(`connection ${r.id} in ${r.capture}: ${endpoint(r.client)} → ${endpoint(r.server)} (${r.protocol}), first frame ${r.firstFrame}, ${r.start}`);
  if (r.proxy) lines.push(proxyLine(r.proxy));
  lines.push(`outcome: ${r.outcome}, step reached: ${stepWords(r)}, shape: ${r.shape}, history: ${r.history || '—'}`);
  lines.push(`TLS: ${r.tls.version ?? '—'} ${r.tls.cipher ?? ''}${r.tls.sni ? `, SNI ${r.tls.sni}` : ''}${r.tls.resumed ? ', resumed' : ''}`);
  lines.push(`ended: ${endWords(r.end)}${r.end.frame ? ` (frame ${r.end.frame})` : ''}`);
  lines.push(`diagnosis: ${r.diagnosis}`);
  const retry = retryWords(r);
  if (retry) lines.push(`retry: ${retry}`);
  lines.push(...securityLines(r));
  if (r.mail && r.mail.application) {
    const m = r.mail;
    lines.push(
      `mail: ${m.application}, TLS ${m.tlsMode ?? 'not started'}` +
        (m.tlsMode === 'starttls' || m.clientAsked ? `, server offered STARTTLS: ${m.serverOffered ?? 'not seen'}, client asked: ${m.clientAsked}, reply: ${m.serverReply ?? '—'}` : '') +
        (m.problem ? `; ${m.problem}` : ''),
    );
  }
  const t = r.tcp;
  lines.push(
    `TCP: SYN ${t.syn ? 'seen' : 'not captured'}, RTT ${t.rttMs !== null ? millis(t.rttMs) : '—'}, MSS client ${t.mss.client ?? '—'} / server ${t.mss.server ?? '—'}, ` +
      `retransmissions client ${t.retransmissions.client} / server ${t.retransmissions.server}, server flight ${t.serverFlight.bytes} bytes (${t.serverFlight.ackedByClient} acknowledged)`,
  );
  lines.push('');
  const table = new Table({
    head: ['time', 'frame', 'from', 'what', 'bytes', 'step'],
    style: { head: [], border: [] },
  });
  type Row = { atMs: number; frame: number; cells: string[] };
  const rows: Row[] = [];
  for (const m of r.messages) {
    rows.push({ atMs: m.atMs, frame: m.frame, cells: [millis(m.atMs), String(m.frame), arrow(m.from), m.type, m.length !== undefined ? String(m.length) : '', m.step !== null ? String(m.step) : ''] });
  }
  for (const e of r.tcp.events) {
    rows.push({ atMs: e.atMs, frame: e.frame, cells: [millis(e.atMs), String(e.frame), arrow(e.from), `TCP ${e.kind}`, e.length !== undefined ? String(e.length) : '', ''] });
  }
  rows.sort((a, b) => a.frame - b.frame || a.atMs - b.atMs);
  for (const row of rows) table.push(row.cells);
  const tableAt = lines.length;
  lines.push(table.toString());
  lines.push(...connectionLogLines(r));
  if (r.notes.length > 0) {
    lines.push('notes:');
    for (const n of r.notes) lines.push(`  - ${n}`);
  }
  // Certificates' names, the SNI, the server's replies and its log lines are a stranger's: inert here, each on
  // its line (a line break in a name is shown, not made). The message table holds only our own words.
  return lines.map((l, i) => (i === tableAt ? l : terminalSafeLine(l))).join('\n') + '\n';
}

function arrow(from: 'client' | 'server'): string {
  return from === 'client' ? 'client →' : '← server';
}

/**
 * `analyze` output written without keeping the reports: each connection's part of the report (its table row, its
 * JSON, its Markdown details) is made as the connection closes and put aside on disk (spill.ts), with what
 * `--redact` needs to learn from it; at the end the parts are read back in order (captures as given, connections
 * by number) behind the capture lines, which only then are known. Memory holds 16 bytes and a sort key per
 * connection, the summary's counters (one entry per client address and per group value), and, with `--redact`,
 * the pseudonyms.
 *
 * The output is the one renderAnalysisText / renderAnalysisJsonPieces / renderAnalysisMarkdown make of the whole
 * analysis (test/helpers/render-whole.ts; stream-output.test.ts compares them), `--redact` included: the Redactor learns the
 * connections in the same order (all endpoints, then the rest), then redacts the parts read back.
 */
import type { AnalysisSummary } from '../../analyze/summary.js';
import type { CaptureInfo } from '../../analyze/pipeline.js';
import { captureOfOrder, outputOrder } from '../../tcp/collect.js';
import { GroupBuilder, type GroupData, type GroupKey, type Grouping } from '../../analyze/groups.js';
import { joinServerLogs, logRedactionSources, type LogJoinOptions } from '../../serverlog/join.js';
import { endingOf, type ConnectionEnding } from '../../serverlog/diagnose.js';
import type { ConnectionReport, RetryLink } from '../../handshake/report.js';
import { AnalyzeTable, DaySpan, emptyWords, renderSummaryText, textColumns, textHead, textRow, type TextOptions } from './text.js';
import { ColumnWidths } from '../fit-table.js';
import { connectionNumber } from '../words.js';
import { configuredChainRedactionSources } from './configured-chain.js';
import { renderGroupsMarkdown, renderGroupsText } from './groups.js';
import { connectionJsonText, renderAnalysisJsonBytes, renderAnalysisNdjsonStream } from './json.js';
import { kindOf, markdownRow, renderAnalysisMarkdownPieces, renderConnectionMarkdown, type MarkdownEntry } from './markdown.js';
import type { ToolInfo } from '../tool.js';
import { learnInOrder, redactionSource, Redactor, type RedactionSource } from '../redact.js';
import { Spill, type SpillData } from '../../analyze/spill.js';
import type { LaneKind, LaneOutput } from '../../analyze/lanes.js';
import { htmlRowCells, htmlSection, renderAnalysisHtmlPieces, sortKey, type HtmlEntry } from './html.js';
import { wantsRetry } from '../../analyze/retries.js';
import { retryWords } from './findings.js';

const NO_LINKS: ReadonlyMap<number, RetryLink> = new Map();

export interface StreamOutputOptions {
  format: 'text' | 'json' | 'ndjson' | 'markdown' | 'html';
  /** The captures as given (their number decides the `2#5` numbering, their names `--connection 2#5`). */
  files: readonly string[];
  failed?: boolean;
  redact?: boolean;
  by?: GroupKey;
  /**
   * `--log`: the server log is joined at the end (`joinLogs`), before anything is rendered: every report waits
   * on disk, and a small stub of each takes part in the join (its clock needs every connection).
   */
  log?: boolean;
  /** `--connection`: keep this one connection's report only (capture index, number). */
  connection?: { capture: number; id: number };
  text?: TextOptions;
  /** `--examples`: connections of each kind listed in Markdown (default 3, within a size budget) and drawn in HTML (default 20); Infinity for all. */
  examples?: number;
  /** What made the report (Markdown, HTML, JSON). */
  tool?: ToolInfo;
}

/**
 * An entry's parts, the 1-based place of its capture, its output order, and whether its parts are the report
 * itself, to be made into the output's parts at the end (`--redact`, `--log`, and a connection whose `retry` is
 * known only then).
 */
type Entry = string[] & { capture?: number; order?: number; report?: boolean; late?: boolean };

/** What the server-log join reads of a report and what it adds to it (serverlog-join.ts), for `--log`. */
interface JoinStub {
  id: number;
  capture: string;
  client: ConnectionReport['client'];
  server: ConnectionReport['server'];
  /** A PROXY header's announced destination: what the server logs as its own address. */
  proxy?: ConnectionReport['proxy'];
  start: string;
  duration: number;
  protocol: string;
  outcome: ConnectionReport['outcome'];
  /** How the capture saw it end: the join explains Postfix's `SSL_accept error` with it. */
  ending: ConnectionEnding;
  /** What the join appends to the diagnosis ('; server log: …'), from ''. */
  diagnosis: string;
  /** Notes the join adds. */
  notes: string[];
  log?: ConnectionReport['log'];
}

/** Separates the parts of an entry: JSON text never holds a raw U+0001. */
const SEP = '\u0001';
const SEP_BYTE = 1;
/** An entry's flag (after its source): '0' not shown, '1' its parts made, '2' the report, '3' made with `retry` to splice. */
const FLAG_HIDDEN = 0x30;
const FLAG_MADE = 0x31;
const FLAG_LATE = 0x33;

/**
 * What a StreamOutput filled in another thread (analyze/lanes.ts) hands over for the run's StreamOutput to
 * `merge`: its entries on disk, its counters, and what `--by`, `--log` and `--connection` keep.
 */
export interface StreamOutputPart {
  spill: SpillData;
  listed: number;
  shown: number;
  /** The text table's columns' natural widths, and the days the shown connections started on. */
  widths: number[];
  days: { first: string | null; many: boolean };
  group: GroupData | null;
  stubs: Map<number, JoinStub>;
  picked: { report: ConnectionReport; order: number } | null;
}

/** How src/analyze/lanes.ts makes a StreamOutput in a lane: in this thread, or in a worker thread (worker.ts). */
export const STREAM_OUTPUT_LANES: LaneKind<StreamOutputOptions, StreamOutputPart> = {
  create: (opts, spill) => new StreamOutput(opts, spill),
  worker: new URL('../../../dist/report/analyze/worker.js', import.meta.url),
  spillOf: (part) => part.spill.fd,
};

export class StreamOutput implements LaneOutput<StreamOutputOptions, StreamOutputPart> {
  readonly lanes = STREAM_OUTPUT_LANES;
  private readonly spill: Spill;
  private readonly withLog: boolean;
  private readonly group: GroupBuilder | null;
  private readonly many: boolean;
  /** The text table's columns' natural widths (its widest cells) and the days shown connections started on. */
  private readonly widths: ColumnWidths;
  private readonly days = new DaySpan();
  /** Connections listed (all, whatever `--failed`) and shown. */
  listed = 0;
  private shown = 0;
  private picked: { report: ConnectionReport; order: number } | null = null;
  /** `--log`: every listed connection's join stub, by output order. */
  private readonly stubs = new Map<number, JoinStub>();
  /** `--log`: the client addresses only the log names, learned for `--redact` after the connections'. */
  private logSources: RedactionSource[] = [];

  /** `spillInto`: a file made by Spill.file in the thread that will `merge` this output's `part()` (see Spill). */
  constructor(
    readonly opts: StreamOutputOptions,
    spillInto?: number | null,
  ) {
    this.spill = new Spill(spillInto);
    this.withLog = opts.log === true;
    this.widths = new ColumnWidths(textColumns(this.withLog).map((c) => c.head));
    this.group = opts.by ? new GroupBuilder(opts.by) : null;
    this.many = opts.files.length > 1;
  }

  /** The sink: one listed connection's report, as it closes. */
  add(report: ConnectionReport, captureIndex: number): void {
    this.listed++;
    const order = outputOrder(captureIndex, report.id);
    const source = this.opts.redact ? JSON.stringify(redactionSource(report)) : '';
    if (this.opts.log) this.stubs.set(order, joinStub(report));
    const want = this.opts.connection;
    if (want) {
      // The first in output order of that number in a capture of that name (the same file may be given twice).
      if (report.id === want.id && report.capture === this.opts.files[want.capture] && (!this.picked || order < this.picked.order)) this.picked = { report, order };
      if (source) this.keep(order, `${source}${SEP}0`);
      return;
    }
    const shown = !this.opts.failed || report.outcome === 'failed';
    if (shown) this.group?.add(report, order);
    let payload = '';
    // With --redact the report itself waits (its text is made from the redacted report at the end, once every
    // connection has been learned), with --log too (the join comes at the end). A connection that may have been
    // retried (its `retry` is known at the end: retries.ts) waits whole only in the formats that cannot take
    // their one late field in afterwards: JSON, NDJSON and text rows are made now with `retry` null, and the link
    // is spliced in at the end (spliceRetry), which spares most failed connections a stringify and a parse.
    const late = wantsRetry(report.outcome);
    const whole = this.opts.redact || this.opts.log || (late && !this.splicesRetry(report, captureIndex));
    const flag = shown ? (whole ? 2 : late ? 3 : 1) : 0;
    if (shown) {
      if (whole) payload = this.group && this.opts.format === 'text' ? '' : `${JSON.stringify(report)}${SEP}${report.outcome === 'failed' ? 1 : 0}${SEP}${this.shown === 0 ? 1 : 0}`;
      else if (this.opts.format === 'json') payload = connectionJsonText(report);
      else if (this.opts.format === 'ndjson') payload = JSON.stringify(report);
      else if (this.opts.format === 'html') payload = htmlPayload(report, false, this.many ? this.captureLabel(report) : null);
      else if (this.opts.format === 'markdown') {
        // Details for the failed connections, or for the only one shown: until a second comes, keep the first's.
        payload = markdownPayload(report, this.number(report), this.shown === 0);
      } else if (!this.group) {
        const row = textRow(report, this.many ? this.captureLabel(report) : null, this.withLog);
        payload = JSON.stringify(row);
        // The widths the table is drawn with are known before its first row (it is streamed): learned here.
        this.widths.see(row);
        this.days.see(report.start);
      }
      this.shown++;
      if (whole && this.opts.format === 'text' && !this.group) {
        this.widths.see(textRow(report, this.many ? this.captureLabel(report) : null, this.withLog));
        this.days.see(report.start);
      }
    }
    if (!shown && !source) return;
    this.keep(order, `${source}${SEP}${flag}${SEP}`, payload);
  }

  /** What was added, for the run's StreamOutput in another thread to `merge` (this one is done with). */
  part(): StreamOutputPart {
    return { spill: this.spill.data(), listed: this.listed, shown: this.shown, widths: this.widths.widths, days: { first: this.days.first, many: this.days.many }, group: this.group?.data() ?? null, stubs: this.stubs, picked: this.picked };
  }

  /**
   * Take what another StreamOutput with the same options was given (its `part()`), as if its reports had been
   * added here after the ones already added. Its Markdown entries may hold the details of the first connection
   * it showed, which render uses only when that is the one connection shown in all.
   */
  merge(part: StreamOutputPart): void {
    this.spill.adopt(part.spill);
    this.listed += part.listed;
    this.shown += part.shown;
    this.widths.merge(part.widths);
    this.days.merge(part.days);
    if (part.group) this.group?.merge(part.group);
    for (const [order, stub] of part.stubs) this.stubs.set(order, stub);
    if (part.picked && (!this.picked || part.picked.order < this.picked.order)) this.picked = part.picked;
  }

  /**
   * The `2#` of `2#5`: the first capture of that name, as renderAnalysisText numbers it (a report names its
   * capture by file; the command line gives each file once).
   */
  private captureLabel(report: ConnectionReport): number {
    return this.opts.files.indexOf(report.capture) + 1;
  }

  /** The connection's number as every table shows it: `5`, or `2#5` with several captures. */
  private number(report: ConnectionReport): string {
    return connectionNumber(report.id, this.many ? this.captureLabel(report) : null);
  }

  /**
   * Whether a connection that may get a `retry` link can be written now and the link spliced in at the end: in
   * JSON, NDJSON and text rows (not grouped), when its report names its capture as given (retryWords compares
   * the two).
   */
  private splicesRetry(report: ConnectionReport, captureIndex: number): boolean {
    const format = this.opts.format;
    return (format === 'json' || format === 'ndjson' || (format === 'text' && !this.group)) && report.capture === this.opts.files[captureIndex];
  }

  /** An entry: its source and flag (`head`), then its payload, written aside one after the other. */
  private keep(order: number, head: string, payload = ''): void {
    this.spill.add(head, order, payload);
  }

  /**
   * `--log`: join the server logs to the connections (their stubs, in output order, as joinServerLogs does the
   * whole analysis), which also puts the log's part of the summary in `summary`. Call once, before render.
   */
  async joinLogs(captures: readonly CaptureInfo[], summary: AnalysisSummary, files: readonly string[], options: LogJoinOptions): Promise<void> {
    const stubs = [...this.stubs.entries()].sort((a, b) => a[0] - b[0]).map(([, stub]) => stub);
    const result = { captures: [...captures], connections: stubs as unknown as ConnectionReport[], summary };
    await joinServerLogs(result, files, options);
    this.logSources = logRedactionSources(result);
  }

  /**
   * `--connection`: the chosen report (redacted with `--redact`), or null when there is none. `retries`: the
   * run's retry links (analyzeCapturesTo's), by output order.
   */
  pickedReport(summary: AnalysisSummary, retries: ReadonlyMap<number, RetryLink> = NO_LINKS): ConnectionReport | null {
    if (!this.picked) return null;
    const report = this.picked.report;
    report.retry = retries.get(this.picked.order) ?? null;
    // With --log, as the whole analysis would have it after the join (joinLogs came first), once.
    if (this.opts.log && report.log === undefined) joined(report, this.stubs.get(this.picked.order)!);
    return this.opts.redact ? this.redactor(summary).redactor.value(report) : report;
  }

  /**
   * The report, in pieces to write one after the other. Call once, at the end. `retries`: the run's retry links
   * (analyzeCapturesTo's), by output order. JSON comes as UTF-8 bytes, views of one reused buffer (BytePieces):
   * write or copy each before asking for the next (`Array.from(render(…), String)`, not `[...render(…)]`).
   */
  *render(captures: readonly CaptureInfo[], rawSummary: AnalysisSummary, retries: ReadonlyMap<number, RetryLink> = NO_LINKS): Generator<string | Buffer> {
    try {
      const { redactor, summary } = this.opts.redact ? this.redactor(rawSummary) : { redactor: null, summary: rawSummary };
      if (redactor) captures = redactor.value(captures);
      const grouping: Grouping | null = this.group ? this.group.result(redactor ? (v) => redactGroupValue(v, this.group!.by, redactor) : undefined) : null;
      const raw = () => this.shownEntries();
      // With --redact the entries hold the reports: redact each and make its parts as without.
      const many = this.many;
      const withLog = this.withLog;
      const format = this.opts.format;
      const log = this.opts.log === true;
      const stubs = this.stubs;
      const made = (e: Entry): string[] => {
              if (e.late) {
                const link = retries.get(e.order!);
                return link ? [spliceRetry(format, e[0]!, link, this.opts.files[captureOfOrder(e.order!)]!)] : e;
              }
              if (!e.report) return e;
              let r = JSON.parse(e[0]!) as ConnectionReport;
              r.retry = retries.get(e.order!) ?? null;
              if (log) joined(r, stubs.get(e.order!)!);
              if (redactor) r = redactor.value(r);
              if (format === 'json') return [connectionJsonText(r)];
              if (format === 'ndjson') return [JSON.stringify(r)];
              if (format === 'html') return htmlPayload(r, log, many ? e.capture! : null).split(SEP);
              if (format === 'markdown') return markdownPayload(r, connectionNumber(r.id, many ? e.capture! : null), e[2] === '1').split(SEP);
              return [JSON.stringify(textRow(r, many ? e.capture! : null, withLog))];
            };
      const shown = (): Iterable<string[]> => mapIter(raw(), made);
      if (this.opts.format === 'json') {
        yield* renderAnalysisJsonBytes({ captures, summary, ...(grouping ? { groups: grouping } : {}), ...(this.opts.tool ? { tool: this.opts.tool } : {}) }, this.jsonParts(made, retries));
        return;
      }
      if (this.opts.format === 'ndjson') {
        yield* renderAnalysisNdjsonStream({ captures, summary, ...(this.opts.tool ? { tool: this.opts.tool } : {}) }, mapIter(shown(), (e) => e[0]!));
        return;
      }
      if (this.opts.format === 'html') {
        // The rows, then the failed connections' sections: two passes over what was put aside.
        const entries = () =>
          mapIter(
            shown(),
            (e): HtmlEntry => ({
              cells: JSON.parse(e[0]!) as string,
              failed: e[1] === '1',
              section: e[2] ? (JSON.parse(e[2]) as string) : '',
              kind: JSON.parse(e[3]!) as string,
              number: JSON.parse(e[4]!) as string,
              key: Number(e[5]),
              outcome: JSON.parse(e[6]!) as string,
            }),
          );
        yield* renderAnalysisHtmlPieces({ captures: [...captures], summary }, entries, { withLog: log, examples: this.opts.examples, tool: this.opts.tool });
        return;
      }
      if (this.opts.format === 'markdown') {
        const entries = () =>
          mapIter(shown(), (e): MarkdownEntry => {
            const row = JSON.parse(e[0]!) as string[];
            return { row, failed: e[1] === '1', detail: e[2] ? (JSON.parse(e[2]) as string) : '', kind: JSON.parse(e[3]!) as string, number: row[0]! };
          });
        yield* renderAnalysisMarkdownPieces({ captures: [...captures], summary }, entries, this.shown, { examples: this.opts.examples, tool: this.opts.tool });
        if (grouping) yield '\n' + renderGroupsMarkdown(grouping);
        return;
      }
      const text = this.opts.text ?? {};
      if (grouping) {
        yield renderGroupsText({ captures: [...captures] }, grouping, renderSummaryText({ summary }, text.width), { width: text.width, color: text.color });
        return;
      }
      yield textHead(captures, this.shown === 0 ? emptyWords(summary, this.opts.failed === true) : null, text.width).join('\n') + '\n';
      if (this.shown === 0) {
        // --failed with none failed: what the connections did instead.
        if (this.listed > 0) yield '\n' + renderSummaryText({ summary }, text.width) + '\n';
        return;
      }
      let natural = this.widths.widths;
      if (redactor || log || retries.size > 0) {
        // Pseudonyms, the log's column and the retries' flags are only known now: a first pass over the rows learns
        // their widths.
        const widths = new ColumnWidths(textColumns(log).map((c) => c.head));
        for (const e of shown()) widths.see(JSON.parse(e[0]!) as string[]);
        natural = widths.widths;
      }
      const table = new AnalyzeTable(log, natural, this.days, text);
      yield table.headLines().join('\n') + '\n';
      // Rows drawn as they are read back, in pieces of a few hundred lines.
      let piece: string[] = [];
      for (const e of shown()) {
        piece.push(table.line(JSON.parse(e[0]!) as string[]));
        if (piece.length >= 256) {
          yield piece.join('\n') + '\n';
          piece = [];
        }
      }
      if (piece.length > 0) yield piece.join('\n') + '\n';
      yield table.legend().join('\n') + '\n\n' + renderSummaryText({ summary }, text.width) + '\n';
    } finally {
      this.spill.close();
    }
  }

  /** Remove what was put aside on disk (render does it when done; this is for a run that stops before). */
  close(): void {
    this.spill.close();
  }

  /** Entries in output order. */
  private inOrder(): Uint32Array {
    return this.spill.inOrder();
  }

  /** The shown entries' payload parts, in output order. */
  private *shownEntries(): Generator<Entry> {
    for (const i of this.inOrder()) {
      const parts = this.entryParts(i, this.spill.get(i));
      if (parts) yield parts;
    }
  }

  /** Entry `i`'s payload parts (its text `entry`), or null when it is not shown. */
  private entryParts(i: number, entry: string): Entry | null {
    const a = entry.indexOf(SEP);
    const b = entry.indexOf(SEP, a + 1);
    const flag = entry.slice(a + 1, b);
    if (flag === '0') return null;
    const parts: Entry = entry.slice(b + 1).split(SEP);
    parts.report = flag === '2';
    parts.late = flag === '3';
    // The first capture of its name, as captureLabel (and renderAnalysisText, which has only the name).
    parts.order = this.spill.orderOf(i);
    parts.capture = this.opts.files.indexOf(this.opts.files[captureOfOrder(parts.order)]!) + 1;
    return parts;
  }

  /**
   * The shown connections' JSON, in output order: the bytes put aside as they are where they were made at the
   * close (flag 1, or 3 without a retry link), else the text `made` makes of the entry.
   */
  private *jsonParts(made: (e: Entry) => string[], retries: ReadonlyMap<number, RetryLink>): Generator<string | Uint8Array> {
    for (const i of this.inOrder()) {
      const bytes = this.spill.bytes(i);
      // The flag is the one character between the first two separators (a source is JSON: no raw U+0001 in it).
      const a = bytes.indexOf(SEP_BYTE);
      const flag = bytes[a + 1];
      if (flag === FLAG_MADE || (flag === FLAG_LATE && !retries.has(this.spill.orderOf(i)))) yield bytes.subarray(a + 3);
      else if (flag !== FLAG_HIDDEN) yield made(this.entryParts(i, bytes.toString('utf8'))!)[0]!;
    }
  }

  private learned: { redactor: Redactor; summary: AnalysisSummary } | null = null;

  /** The Redactor render used (its kinds for the report's redaction note), null without --redact or before render. */
  redactorUsed(): Redactor | null {
    return this.learned?.redactor ?? null;
  }

  /** One Redactor that learned every listed connection as redactDocument does: all endpoints first, then the rest. */
  private redactor(summary: AnalysisSummary): { redactor: Redactor; summary: AnalysisSummary } {
    if (this.learned) return this.learned;
    const redactor = new Redactor();
    const order = this.inOrder();
    const source = (i: number): RedactionSource => {
      const entry = this.spill.get(i);
      return JSON.parse(entry.slice(0, entry.indexOf(SEP))) as RedactionSource;
    };
    // As redactorFor: the capture files, every endpoint, then the rest.
    learnInOrder(redactor, this.opts.files, () => mapIter(order, source), this.logSources);
    for (const s of configuredChainRedactionSources(summary)) redactor.learn(s);
    this.learned = { redactor, summary: redactor.value(summary) };
    return this.learned;
  }
}

/** Where a connection's JSON text (connectionJsonText) holds its `retry`: a field of the report itself, at its depth. */
const JSON_RETRY = '\n      "retry": null';
/** The same in its compact text (NDJSON): `notes` always follows `retry`; neither can stand inside a string. */
const NDJSON_RETRY = ',"retry":null,"notes":';

/**
 * A connection's part, made as it closed with `retry` null (`late` entries), with its retry link put in as
 * the report with that link would have made it: the JSON field, or the text row's flags (rowFlags).
 */
function spliceRetry(format: StreamOutputOptions['format'], part: string, link: RetryLink, capture: string): string {
  if (format === 'json') {
    const at = part.indexOf(JSON_RETRY) + JSON_RETRY.length - 4;
    return `${part.slice(0, at)}${JSON.stringify(link, null, 2).replace(/\n/g, '\n      ')}${part.slice(at + 4)}`;
  }
  if (format === 'ndjson') {
    const at = part.indexOf(NDJSON_RETRY) + 9;
    return `${part.slice(0, at)}${JSON.stringify(link)}${part.slice(at + 4)}`;
  }
  const row = JSON.parse(part) as string[];
  const flags = row[row.length - 1]!;
  const retry = `[${retryWords({ retry: link, capture })!}]`;
  row[row.length - 1] = flags ? `${retry} ${flags}` : retry;
  return JSON.stringify(row);
}

/** What the join needs of a report; what it adds goes on the stub, and onto the report when it is rendered. */
function joinStub(r: ConnectionReport): JoinStub {
  return { id: r.id, capture: r.capture, client: r.client, server: r.server, ...(r.proxy ? { proxy: r.proxy } : {}), start: r.start, duration: r.duration, protocol: r.protocol, outcome: r.outcome, ending: endingOf(r), diagnosis: '', notes: [] };
}

/** The report as joinServerLogs leaves it: its log lines, the notes and the diagnosis sentence the log adds. */
function joined(r: ConnectionReport, stub: JoinStub): void {
  r.notes.push(...stub.notes);
  r.log = stub.log;
  r.diagnosis += stub.diagnosis;
}

/** A Markdown entry's parts: its row, whether it failed, its details (failed, or `first`: maybe the only one) and its kind. */
function markdownPayload(r: ConnectionReport, number: string, first: boolean): string {
  const failed = r.outcome === 'failed';
  const detail = failed || first ? JSON.stringify(renderConnectionMarkdown(r, number)) : '';
  return `${JSON.stringify(markdownRow(r, number))}${SEP}${failed ? 1 : 0}${SEP}${detail}${SEP}${JSON.stringify(kindOf(r))}`;
}

/**
 * An HTML entry's parts: its row's cells, whether it failed, (failed) its section with the ladder, its kind, its
 * number, sort key and outcome. `capture`: its capture's place when there are several.
 */
function htmlPayload(r: ConnectionReport, withLog: boolean, capture: number | null): string {
  const failed = r.outcome === 'failed';
  const number = connectionNumber(r.id, capture);
  const parts = [JSON.stringify(htmlRowCells(r, withLog)), failed ? 1 : 0, failed ? JSON.stringify(htmlSection(r, number)) : '', JSON.stringify(kindOf(r)), JSON.stringify(number), sortKey(r.id, capture), JSON.stringify(r.outcome)];
  return parts.join(SEP);
}

/** A group's value as groupValue gives it for the redacted report: `[2001:db8::1]:25` becomes `server-1:25`. */
function redactGroupValue(value: string, by: GroupKey, redactor: Redactor): string {
  const v6 = by === 'server' ? /^\[(.+)\]:(\d+)$/.exec(value) : null;
  if (!v6) return redactor.text(value);
  const ip = redactor.text(v6[1]!);
  return `${ip.includes(':') ? `[${ip}]` : ip}:${v6[2]}`;
}

function* mapIter<T, U>(items: Iterable<T>, f: (x: T) => U): Generator<U> {
  for (const x of items) yield f(x);
}


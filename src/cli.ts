#!/usr/bin/env node
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { Command, CommanderError, Help, Option } from 'commander';
import { analyzeCaptures, type AnalysisResult, type AnalyzeOptions } from './handshake/analyze.js';
import { StreamOutput } from './report/analyze-stream.js';
import { analyzeIntoOutput } from './report/analyze-lanes.js';
import { joinServerLogs, logRedactionSources, type LogJoinOptions } from './handshake/serverlog-join.js';
import { parsePortOption, type PortMap } from './mail/sniffer.js';
import { renderAnalysisHtml } from './report/html.js';
import { configuredChainRedactionSources } from './report/configured-chain-text.js';
import { markRedacted, markRedactedPieces, redactorFor } from './report/redact.js';
import { renderConnectionMarkdown } from './report/markdown.js';
import { renderConnectionText } from './report/analyze-text.js';
import { GROUP_KEYS, type GroupKey } from './handshake/groups.js';
import { loadTrustStore, type TrustStore } from './tls/certificates.js';
import { loadConfiguredChain, type ConfiguredChain } from './tls/configured-chain.js';
import { parseZone } from './serverlog/time.js';
import { readKeyLog, type KeyLog } from './tls/keylog.js';
import { collectStreamsTo } from './tcp/collect.js';
import { StreamsOutput } from './report/streams-stream.js';
import { EXIT, exitCodeForCaptures, nothingReadAtAll, OutputError, UsageError } from './exit.js';
import { chooseFormat, errorReason, fileKind, FORMAT_BY_EXTENSION, ReportSink } from './report-file.js';
import { terminalSafeLine } from './text/terminal.js';
import { boundHeap } from './memory.js';
import { stopReadingStdin } from './capture/stdin.js';
import { diffReports } from './diff/diff.js';
import { TOOL_VERSION } from './version.js';
import { parseSideSpec, selectPair } from './diff/select.js';
import { renderDiffText } from './report/diff-text.js';
import { renderDiffMarkdown } from './report/diff-markdown.js';
import { renderDiffJson } from './report/diff-json.js';
import { renderDiffHtml } from './report/diff-html.js';
import { redactDiff } from './report/diff-redact.js';
import { toolInfo, withTextToolLine, type ToolInfo } from './report/tool.js';

const program = new Command();
program
  .name('tlsdissect')
  .description('Read a tcpdump capture from a mail server and tell which TLS handshakes failed, at which step, who gave up and why.')
  .version(TOOL_VERSION)
  .configureOutput({ outputError: (text, write) => write(`tlsdissect: ${terminalSafeLine(text.replace(/^error: /, '').trimEnd())} (see --help)\n`) })
  .configureHelp({
    // A repeatable option starts as an empty list: "(default: [])" tells a reader nothing.
    optionDescription(this: Help, option: Option): string {
      const shown = Array.isArray(option.defaultValue) && option.defaultValue.length === 0 ? Object.assign(Object.create(option) as Option, { defaultValue: undefined }) : option;
      return Help.prototype.optionDescription.call(this, shown);
    },
  })
  .addHelpText(
    'after',
    `
Examples:
  tlsdissect analyze mail.pcap                  which handshakes failed, and why
  tlsdissect diff mail.pcap#2 mail.pcap#1       a good and a failed one compared
  tlsdissect analyze mail.pcap -o report.html   a page to attach to a ticket

Each command's --help shows its options and more examples.`,
  )
  .exitOverride();

/** The formats each command writes; without --format, the -o file's extension chooses (report-file.ts), else text. */
const ANALYZE_FORMATS = ['text', 'markdown', 'json', 'ndjson', 'html'];
const STREAMS_FORMATS = ['text', 'json'];
const DIFF_FORMATS = ['text', 'markdown', 'json', 'html'];
const formatOption = (formats: string[]) => {
  const extensions = Object.keys(FORMAT_BY_EXTENSION).filter((extension) => formats.includes(FORMAT_BY_EXTENSION[extension]!));
  return new Option('-f, --format <format>', `report format; without it, the -o file name decides (${extensions.join(' ')}), else text`).choices(formats);
};
const outputOption = () => new Option('-o, --output <file>', 'write the report to this file (replaced only when the report is complete) instead of standard output');
const widthOption = () => new Option('--width <columns>', 'fit text tables into this many columns (default: the terminal\'s; on a pipe or file one whole line per row)');

/**
 * How text output meets its reader: on a terminal, fitted to its width and coloured; on a pipe or into a file,
 * one whole line per row and no colour. `--width N` fits any output to N columns; NO_COLOR (no-color.org) turns
 * colour off, FORCE_COLOR on (FORCE_COLOR=0 off).
 */
function textOutput(opts: { width?: string; output?: string }): { width?: number; color: boolean } {
  let width: number | undefined;
  if (opts.width !== undefined) {
    width = Number(opts.width);
    if (!(Number.isInteger(width) && width >= 20 && width <= 10_000)) throw new UsageError(`--width ${opts.width}: not a whole number from 20 to 10000`);
  }
  const terminal = !opts.output && process.stdout.isTTY === true;
  if (width === undefined && terminal) width = process.stdout.columns || 80;
  const force = process.env['FORCE_COLOR'];
  let color = terminal;
  if (force !== undefined) color = !['0', 'false', 'no'].includes(force.toLowerCase());
  if (process.env['NO_COLOR'] !== undefined && process.env['NO_COLOR'] !== '') color = false;
  return { ...(width !== undefined ? { width } : {}), color };
}

program
  .command('analyze')
  .description('one row per connection: protocol, TLS version and cipher, step reached, outcome, who ended it and how, diagnosis')
  .argument('<captures...>', 'pcap, pcapng or gzip-compressed capture files; - for standard input')
  .addOption(formatOption(ANALYZE_FORMATS))
  .option('--failed', 'show only connections whose handshake failed')
  .option('-c, --connection <n>', 'the full story of connection N (number as the table shows it)')
  .option('-p, --port <port=protocol>', 'treat a port as a mail protocol: 2525=smtp, 2465=smtps, 10143=imap, 10993=imaps, 1110=pop3, 1995=pop3s, 8443=tls (repeatable)', collect, [])
  .option('--fail-on-failure', 'exit with 1 when any handshake failed')
  .option('--redact', 'replace addresses, host names, certificate names, serials and fingerprints, e-mail addresses, user names, session ids and file names with consistent pseudonyms (in the log lines too)')
  .addOption(outputOption())
  .addOption(new Option('--by <property>', 'group connections and show failures per group (connections, completed, failed, failure rate, where and how failures ended)').choices([...GROUP_KEYS]))
  .option('--server-name <name>', 'the name clients use for this server: the certificate must cover it (besides any SNI)')
  .option('--ca <file>', 'validate each certificate chain against these CA certificates (PEM bundle or one DER certificate; a regular file up to 16 MB)')
  .option('--cert <file>', "the chain the server is configured with (PEM, the server's certificate first, as in smtpd_tls_chain_files or Dovecot's ssl_cert): a connection that got another is flagged; TLS 1.3 by its size (repeatable)", collect, [])
  .option('--log <file>', "the mail server's own log (Postfix, Dovecot; syslog, journalctl or the daemon's file; .gz too): each connection gets its lines (repeatable)", collect, [])
  .option('--keylog <file>', 'NSS key log of the TLS sessions (SSLKEYLOGFILE, openssl s_client -keylogfile): encrypted handshake messages and alerts are decrypted and named; application data never is (repeatable; a regular file up to 16 MB)', collect, [])
  .option('--log-tz <zone>', 'zone of log times that carry none: UTC, local, +01:00, Europe/Berlin (default: estimated from lines naming a captured client and port)')
  .option('--log-year <year>', 'year of the first log line when the lines carry none (default: from the capture)')
  .option('--max-connections <n>', 'list at most N connections one by one (default 50000); the others are counted in the summary')
  .option('-j, --jobs <n>', 'captures analyzed at once when several are given (default: one per two cores, for captures of 256 MB or more; 1: one after the other)')
  .option('--retry-window <seconds>', "a connection that did not complete is retried by the same client's next connection to the same server and port that starts within this many seconds (default 300)")
  .option('--examples <n|all>', 'connections of each kind (same outcome, step, ending, diagnosis) detailed in markdown (default 3, within 60,000 bytes) and drawn in html (default 20); all: every one')
  .addOption(widthOption())
  .addHelpText(
    'after',
    `
Examples:
  tlsdissect analyze mail.pcap
      one row per connection: the step each handshake reached, who ended it, why
  tlsdissect analyze mail.pcap --failed
      only the handshakes that failed
  tlsdissect analyze mail.pcap -c 3
      the whole story of connection 3 (its number in the table), message by message
  tlsdissect analyze mail.pcap -o report.html
      a self-contained page for a ticket (.md for Markdown, .json for JSON)
  tlsdissect analyze mail.pcap --log /var/log/mail.log
      each connection beside the lines the server logged for it
  tcpdump -U -w - port 25 | tlsdissect analyze -
      a live capture; Ctrl-C ends it and the report follows

Take the capture on the server: tcpdump -i any -s0 -w mail.pcap port 25 or port 587 …
Compare a failed handshake with a good one: tlsdissect diff --help`,
  )
  .action(async (given: string[], opts: { format: string; failed?: boolean; connection?: string; port: string[]; failOnFailure?: boolean; redact?: boolean; output?: string; by?: GroupKey; serverName?: string; ca?: string; maxConnections?: string; cert: string[]; keylog: string[]; jobs?: string; retryWindow?: string; examples?: string; width?: string }) => {
    opts.format = chooseFormat('analyze', opts.format as string | undefined, opts.output, ANALYZE_FORMATS);
    const captures = distinctCaptures(given);
    const examples = examplesOption(opts.examples);
    const tool = toolInfo(process.argv.slice(2), { redact: opts.redact, files: { captures, logs: (opts as unknown as LogCliOptions).log, keylogs: opts.keylog } });
    if (captures.includes('-')) finishOnInterrupt();
    const ports = parsePorts(opts.port);
    const maxConnections = opts.maxConnections !== undefined ? Number(opts.maxConnections) : undefined;
    if (maxConnections !== undefined && !(Number.isInteger(maxConnections) && maxConnections >= 0)) throw new UsageError(`--max-connections ${opts.maxConnections}: not a whole number`);
    const jobs = opts.jobs !== undefined ? Number(opts.jobs) : undefined;
    if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) throw new UsageError(`--jobs ${opts.jobs}: not a whole number of 1 or more`);
    const retryWindow = opts.retryWindow !== undefined ? Number(opts.retryWindow) : undefined;
    if (retryWindow !== undefined && !(opts.retryWindow!.trim() !== '' && Number.isFinite(retryWindow) && retryWindow >= 0)) throw new UsageError(`--retry-window ${opts.retryWindow}: not a number of seconds (0 or more)`);
    if (opts.by && (opts.connection !== undefined || opts.format === 'html' || opts.format === 'ndjson')) throw new UsageError('--by shows groups in text, markdown or json; it does not combine with --connection or --format html or ndjson');
    const trustStore = opts.ca !== undefined ? readTrustStore(opts.ca) : undefined;
    const configuredChains = opts.cert.length > 0 ? opts.cert.map(readConfiguredChain) : undefined;
    const keyLog = readKeyLogs(opts.keylog);
    const logOpts = opts as unknown as LogCliOptions;
    // Streamed: each connection's part of the report is made as it closes and the report let go (analyze-stream.ts);
    // with --log every report waits on disk until the log is joined. Only an HTML page with a --connection drawn
    // keeps the whole analysis.
    const logJoin = logJoinOptions(logOpts);
    const inputs = [...captures, ...logOpts.log, ...(opts.ca !== undefined ? [opts.ca] : []), ...opts.cert, ...opts.keylog];
    await withReport(opts.output, inputs, async (sink) => {
      if (!(opts.connection !== undefined && opts.format === 'html')) {
        await analyzeStreamed(captures, { ...opts, examples, tool }, { ports, serverName: opts.serverName, trustStore, configuredChains, maxConnections, retryWindow, keyLog }, logJoin ? { files: logOpts.log, options: logJoin } : null, jobs, sink);
        return;
      }
      const analysis = await analyzeCaptures(captures, { ports, serverName: opts.serverName, trustStore, configuredChains, maxConnections, retryWindow, keyLog });
      await joinLogs(analysis, logOpts);
      // Standard error names the real files; only the report is redacted.
      const redactor = opts.redact ? redactorFor(analysis.connections, [...logRedactionSources(analysis), ...configuredChainRedactionSources(analysis.summary)], analysis.captures.map((c) => c.file)) : null;
      const result = redactor ? redactAnalysis(analysis, redactor) : analysis;
      reportDamage(analysis.captures);
      if (nothingReadAtAll(analysis.captures)) {
        process.exitCode = EXIT.unreadable;
        return;
      }
      let shown: AnalysisResult = result;
      if (opts.failed) shown = { ...result, connections: result.connections.filter((c) => c.outcome === 'failed') };
      // An HTML page with a chosen connection drawn besides the failed ones.
      const picked = pickConnection(analysis, opts.connection!);
      const html = renderAnalysisHtml(shown, { connections: [redactor ? redactor.value(picked) : picked], examples, tool });
      const text = redactor ? markRedacted(html, 'html', redactor) : html;
      // The exit code first: a reader that stops early (| head) ends the process while the report is written.
      let code = exitCodeForCaptures(result.captures);
      if (code === EXIT.ok && opts.failOnFailure && result.summary.byOutcome.failed > 0) code = EXIT.failuresFound;
      process.exitCode = code;
      sink.write(text);
    });
  });

program
  .command('streams')
  .description('one row per TCP connection: endpoints, packets and bytes per side, SYN/FIN/RST, retransmissions, gaps')
  .argument('<captures...>', 'pcap, pcapng or gzip-compressed capture files; - for standard input')
  .addOption(formatOption(STREAMS_FORMATS))
  .addOption(outputOption())
  .addOption(widthOption())
  .addHelpText(
    'after',
    `
Examples:
  tlsdissect streams mail.pcap
      every TCP connection, TLS or not: packets, bytes, retransmissions, gaps
  tlsdissect streams mail.pcap -o streams.json
      the same as JSON (format from the file name)`,
  )
  .action(async (given: string[], opts: { format: string; output?: string; width?: string }) => {
    opts.format = chooseFormat('streams', opts.format as string | undefined, opts.output, STREAMS_FORMATS);
    const captures = distinctCaptures(given);
    if (captures.includes('-')) finishOnInterrupt();
    await withReport(opts.output, captures, async (sink) => {
      const output = new StreamsOutput(opts.format === 'json' ? 'json' : 'text', captures, undefined, textOutput(opts).width);
      try {
        const done = await collectStreamsTo(captures, (row, index) => output.add(row, index));
        reportDamage(done);
        process.exitCode = exitCodeForCaptures(done);
        if (nothingReadAtAll(done)) return;
        await sink.writePieces(output.render(done));
      } finally {
        output.close();
      }
    });
  });

program
  .command('diff')
  .description('a handshake that worked and one that failed, side by side: where the two stories part, every difference, the likely cause first')
  .argument('<good>', 'capture file, optionally narrowed to one connection: file.pcap#3 or file.pcap@client=46.1.2.3:51234')
  .argument('<bad>', 'the same for the failed handshake (the same capture again to compare two of its connections)')
  .addOption(formatOption(DIFF_FORMATS))
  .option('-p, --port <port=protocol>', 'treat a port as a mail protocol, as with analyze (repeatable)', collect, [])
  .option('--keylog <file>', 'NSS key log of the TLS sessions (SSLKEYLOGFILE, openssl s_client -keylogfile): encrypted handshake messages and alerts are decrypted and named; application data never is (repeatable; a regular file up to 16 MB)', collect, [])
  .option('--redact', 'replace addresses, host names, certificate names, serials and fingerprints, e-mail addresses, user names, session ids and file names with consistent pseudonyms (the same on both sides)')
  .addOption(outputOption())
  .addOption(widthOption())
  .addHelpText(
    'after',
    `
Examples:
  tlsdissect diff good.pcap bad.pcap
      the first failed handshake in bad.pcap beside the most similar good one
  tlsdissect diff mail.pcap#2 mail.pcap#1
      connections 2 and 1 of one capture, numbered as analyze shows them
  tlsdissect diff good.pcap bad.pcap@client=46.1.2.3:51234
      the connection from that client address and port (without :PORT, its first)
  tlsdissect diff good.pcap bad.pcap -o diff.md
      Markdown for a ticket (.html for a page, .json for JSON)`,
  )
  .action(async (goodArg: string, badArg: string, opts: { format: string; port: string[]; keylog: string[]; redact?: boolean; output?: string; width?: string }) => {
    opts.format = chooseFormat('diff', opts.format as string | undefined, opts.output, DIFF_FORMATS);
    const ports = parsePorts(opts.port);
    const keyLog = readKeyLogs(opts.keylog);
    const inputs = [...[goodArg, badArg].map((arg) => parseSideSpec(arg)).flatMap((spec) => ('file' in spec ? [spec.file] : [])), ...opts.keylog];
    await withReport(opts.output, inputs, async (sink) => {
      const pair = await selectPair(goodArg, badArg, { ports, keyLog });
      reportDamage(pair.captures);
      const code = exitCodeForCaptures(pair.captures);
      if (code === EXIT.unreadable) {
        process.exitCode = code;
        return;
      }
      if (!pair.ok) throw new UsageError(pair.error);
      const diffed = diffReports(pair.good.report, pair.bad.report);
      diffed.good.chosen = pair.good.why;
      diffed.bad.chosen = pair.bad.why;
      const redacted = opts.redact ? redactDiff(diffed, pair.good.report, pair.bad.report) : null;
      const { result, good, bad } = redacted ?? { result: diffed, good: pair.good.report, bad: pair.bad.report };
      const tool = toolInfo(process.argv.slice(2), { redact: opts.redact, files: { captures: pair.captures.map((c) => c.file), keylogs: opts.keylog } });
      let text: string;
      if (opts.format === 'json') text = renderDiffJson(result, tool);
      else if (opts.format === 'markdown') text = renderDiffMarkdown(result, good, bad, tool);
      else if (opts.format === 'html') text = renderDiffHtml(result, good, bad, tool);
      else text = renderDiffText(result, good, bad, textOutput(opts));
      if (opts.format === 'text' && opts.output) text = [...withTextToolLine([text], tool)].join('');
      sink.write(redacted ? markRedacted(text, opts.format, redacted.redactor) : text);
      process.exitCode = code;
    });
  });

interface AnalyzeCliOptions {
  format: string;
  failed?: boolean;
  connection?: string;
  failOnFailure?: boolean;
  redact?: boolean;
  output?: string;
  by?: GroupKey;
  examples?: number;
  tool?: ToolInfo;
  width?: string;
}

/** `analyze` in text, JSON or Markdown, without keeping the reports (the output is the same as renderAnalysis*). */
async function analyzeStreamed(files: string[], opts: AnalyzeCliOptions, options: AnalyzeOptions, log: { files: string[]; options: LogJoinOptions } | null, jobs: number | undefined, sink: ReportSink): Promise<void> {
  const want = opts.connection !== undefined ? connectionArgument(opts.connection) : undefined;
  const output = new StreamOutput({
    format: opts.format as 'text' | 'json' | 'ndjson' | 'markdown' | 'html',
    files,
    failed: opts.failed,
    redact: opts.redact,
    log: log !== null,
    by: opts.by,
    connection: want,
    text: textOutput(opts),
    examples: opts.examples,
    tool: opts.tool,
  });
  try {
    const { captures, summary, retries } = await analyzeIntoOutput(files, options, output, jobs);
    if (log) await output.joinLogs(captures, summary, log.files, log.options);
    reportDamage(captures);
    if (nothingReadAtAll(captures)) {
      process.exitCode = EXIT.unreadable;
      return;
    }
    if (want) {
      const conn = Number.isInteger(want.id) ? output.pickedReport(summary, retries) : null;
      if (!conn) throw new UsageError(`--connection ${opts.connection}: no such connection (${output.listed === 0 ? 'the capture holds no TCP connection' : `the table numbers them 1 to ${output.listed}`})`);
      setAnalyzeExitCode(captures, summary, opts);
      let text = opts.format === 'json' ? JSON.stringify(conn, null, 2) + '\n' : opts.format === 'ndjson' ? JSON.stringify(conn) + '\n' : opts.format === 'markdown' ? renderConnectionMarkdown(conn, files.length > 1 ? `${want.capture + 1}#${want.id}` : String(want.id), opts.tool) : renderConnectionText(conn);
      if (opts.format === 'text' && opts.output && opts.tool) text = [...withTextToolLine([text], opts.tool)].join('');
      const redactor = output.redactorUsed();
      sink.write(redactor ? markRedacted(text, opts.format, redactor) : text);
      return;
    }
    // The exit code first: a reader that stops early (| head) ends the process while the report is written.
    setAnalyzeExitCode(captures, summary, opts);
    const rendered = output.render(captures, summary, retries);
    // A text report written to a file says what made it, as the other formats do.
    const pieces = opts.format === 'text' && opts.output && opts.tool ? withTextToolLine(rendered, opts.tool) : rendered;
    await sink.writePieces(opts.redact ? markRedactedPieces(pieces, opts.format, () => output.redactorUsed()) : pieces);
  } finally {
    output.close();
  }
}

function setAnalyzeExitCode(captures: AnalysisResult['captures'], summary: AnalysisResult['summary'], opts: AnalyzeCliOptions): void {
  let code = exitCodeForCaptures(captures);
  if (code === EXIT.ok && opts.failOnFailure && summary.byOutcome.failed > 0) code = EXIT.failuresFound;
  process.exitCode = code;
}

/** `--examples 5` or `all` (Infinity); undefined when not given (each format's default). */
function examplesOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value === 'all') return Infinity;
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= 1)) throw new UsageError(`--examples ${value}: not a whole number of 1 or more, nor all`);
  return n;
}

/** `--connection 5` or `2#5`: the capture's index (0-based) and the connection's number (NaN when not a number). */
function connectionArgument(which: string): { capture: number; id: number } {
  const [capturePart, idPart] = which.includes('#') ? which.split('#') : [undefined, which];
  return { capture: capturePart !== undefined ? Number(capturePart) - 1 : 0, id: Number(idPart) };
}

interface LogCliOptions {
  log: string[];
  logTz?: string;
  logYear?: string;
}

/** `--log`: the server's lines beside each connection (src/handshake/serverlog-join.ts). */
async function joinLogs(analysis: AnalysisResult, opts: LogCliOptions): Promise<void> {
  const options = logJoinOptions(opts);
  if (options) await joinServerLogs(analysis, opts.log, options);
}

/** --log-tz and --log-year checked; null without --log. */
function logJoinOptions(opts: LogCliOptions): LogJoinOptions | null {
  if (opts.log.length === 0) {
    if (opts.logTz !== undefined || opts.logYear !== undefined) throw new UsageError('--log-tz and --log-year need --log');
    return null;
  }
  const year = opts.logYear !== undefined ? Number(opts.logYear) : undefined;
  if (year !== undefined && !(Number.isInteger(year) && year >= 1970 && year <= 9999)) throw new UsageError(`--log-year ${opts.logYear}: not a year`);
  if (opts.logTz !== undefined) {
    const zone = parseZone(opts.logTz);
    if ('error' in zone) throw new UsageError(`--log-tz ${zone.error}`);
  }
  return { tz: opts.logTz, year };
}

/** Redact everything but the counters (summary.byClient holds addresses too; captures their file names). */
function redactAnalysis(result: AnalysisResult, redactor: ReturnType<typeof redactorFor>): AnalysisResult {
  return { ...result, connections: redactor.value(result.connections), summary: redactor.value(result.summary), captures: redactor.value(result.captures) };
}

/** The most `--ca` and `--cert` read: far above any real bundle (Mozilla's whole store is about 0.2 MB as PEM). */
const SMALL_FILE_MAX_BYTES = 16 * 1024 * 1024;

/**
 * `--ca` and `--cert`: a regular file of at most SMALL_FILE_MAX_BYTES, checked before a byte is read (a device such
 * as /dev/zero or a FIFO would be read forever, a huge file would fill memory), and again on the opened file (it may
 * have been swapped since). Anything else is a usage error, before any capture is read.
 */
function readSmallRegularFile(option: string, file: string, what: string): Buffer {
  const refuse = (why: string) => new UsageError(`${option} ${file}: ${why}`);
  const tooLarge = (size: number) => refuse(`${(size / (1024 * 1024)).toFixed(1)} MB, more than the ${SMALL_FILE_MAX_BYTES / (1024 * 1024)} MB ${what} may hold`);
  const check = (st: Stats) => {
    if (!st.isFile()) throw refuse(`is ${fileKind(st)}, not ${what}`);
    if (st.size > SMALL_FILE_MAX_BYTES) throw tooLarge(st.size);
  };
  let fd: number;
  try {
    check(statSync(file));
    // Non-blocking: a FIFO put in its place since the stat must not hang the open.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw err instanceof UsageError ? err : refuse(errorReason(err));
  }
  const bytes = Buffer.alloc(SMALL_FILE_MAX_BYTES + 1);
  let length = 0;
  try {
    check(fstatSync(fd));
    for (let n = 1; n > 0 && length < bytes.length; length += n) n = readSync(fd, bytes, length, bytes.length - length, null);
  } catch (err) {
    throw err instanceof UsageError ? err : refuse(errorReason(err));
  } finally {
    closeSync(fd);
  }
  // A file that grew since its stat.
  if (length > SMALL_FILE_MAX_BYTES) throw tooLarge(length);
  return bytes.subarray(0, length);
}

function readTrustStore(file: string): TrustStore {
  const loaded = loadTrustStore(readSmallRegularFile('--ca', file, 'a file of CA certificates'), file);
  if (!loaded.ok) throw new UsageError(`--ca ${loaded.error}`);
  return loaded.store;
}

/** `--cert FILE`: the chain the server is configured with, PEM. */
function readConfiguredChain(file: string): ConfiguredChain {
  const loaded = loadConfiguredChain(readSmallRegularFile('--cert', file, 'a certificate chain file'), file);
  if (!loaded.ok) throw new UsageError(`--cert ${loaded.error}`);
  return loaded.chain;
}

/**
 * `--keylog FILE` (repeatable): NSS key logs read into one set of secrets, or undefined when none is given. A file
 * without one key log line is a usage error (its lines are never quoted: they hold secrets).
 */
function readKeyLogs(files: readonly string[]): KeyLog | undefined {
  if (files.length === 0) return undefined;
  const keys: KeyLog = new Map();
  for (const file of files) {
    const reading = readKeyLog(readSmallRegularFile('--keylog', file, 'a key log').toString('latin1'), keys);
    if (reading.lines === 0) {
      const why = reading.problems.length > 0 ? `: ${reading.problems[0]}` : '';
      throw new UsageError(`--keylog ${file}: no key log line (CLIENT_RANDOM, CLIENT_HANDSHAKE_TRAFFIC_SECRET, … followed by a client random and a secret in hex)${why}`);
    }
  }
  return keys;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parsePorts(values: string[]): PortMap {
  const ports: PortMap = new Map();
  for (const v of values) {
    const parsed = parsePortOption(v);
    if ('error' in parsed) throw new UsageError(`--port ${v}: ${parsed.error}`);
    ports.set(parsed.port, parsed.assignment);
  }
  return ports;
}

function pickConnection(result: AnalysisResult, which: string) {
  const [capturePart, idPart] = which.includes('#') ? which.split('#') : [undefined, which];
  const id = Number(idPart);
  const captureIndex = capturePart !== undefined ? Number(capturePart) - 1 : 0;
  const file = result.captures[captureIndex]?.file;
  const conn = result.connections.find((c) => c.id === id && c.capture === file);
  if (!Number.isInteger(id) || !conn) throw new UsageError(`--connection ${which}: no such connection (${result.connections.length === 0 ? 'the capture holds no TCP connection' : `the table numbers them 1 to ${result.connections.length}`})`);
  return conn;
}

/**
 * Each capture once, in the order first given. A file named twice (a shell glob and a name, say) would list its
 * connections twice under two numbers, and a report names its capture by file: say so and read it once.
 */
function distinctCaptures(captures: string[]): string[] {
  const seen = new Set<string>();
  for (const file of captures) {
    if (seen.has(file)) process.stderr.write(`tlsdissect: ${terminalSafeLine(file)}: given more than once, read once\n`);
    seen.add(file);
  }
  return [...seen];
}

/** How long reading goes on after Ctrl-C, for what the writer still sends as it exits. */
const INTERRUPT_GRACE_MS = 1000;

/**
 * A live capture piped in (`tcpdump -w - | tlsdissect analyze -`) is ended with Ctrl-C, which reaches both
 * programs: here the first one ends the capture, not the program. tcpdump writes out its buffer as it exits, so
 * reading goes on until the pipe closes or for INTERRUPT_GRACE_MS (a writer that goes on), and the report covers
 * what came. A second Ctrl-C quits at once.
 */
function finishOnInterrupt(): void {
  process.once('SIGINT', () => {
    process.stderr.write('tlsdissect: interrupted: the report covers what standard input gave until now (Ctrl-C again to quit)\n');
    setTimeout(stopReadingStdin, INTERRUPT_GRACE_MS).unref();
    process.once('SIGINT', () => process.exit(EXIT.interrupted));
  });
}

function reportDamage(captures: { file: string; damage: { kind: string; offset: number; message: string } | null }[]): void {
  for (const c of captures) {
    if (!c.damage) continue;
    // A file that could not be opened has no offset; its message says what failed ("cannot open: no such file").
    const where = c.damage.kind === 'unreadable' ? '' : `at byte ${c.damage.offset}: `;
    // File names and damage messages (which quote bytes of the input) are a stranger's: one line, nothing raw.
    process.stderr.write(`tlsdissect: ${terminalSafeLine(c.file)}: ${where}${terminalSafeLine(c.damage.message)}\n`);
  }
}

/**
 * A command's work with its report's destination open (report-file.ts: `-o` checked against the inputs, its
 * temporary file made before anything is read). The report is put in place only when the work ends without an
 * error and wrote it; otherwise any old report stays as it was.
 */
async function withReport(output: string | undefined, inputs: readonly string[], work: (sink: ReportSink) => Promise<void>): Promise<void> {
  const sink = ReportSink.open(output, inputs);
  try {
    await work(sink);
    sink.finish();
  } finally {
    sink.abandon();
  }
}

/**
 * Standard output fails asynchronously: a reader that stopped early (`| head`) closes the pipe, which is
 * their choice, not an error; anything else (a full disk) is one line and exit 6, never a stack trace.
 */
function watchStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') {
      process.stderr.write(`tlsdissect: cannot write the report: ${errorReason(err)}\n`);
      process.exitCode = EXIT.outputFailed;
    }
    process.exit();
  });
}

async function main(): Promise<void> {
  watchStdout();
  boundHeap();
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are "errors" to commander; they already printed what they had to say.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') process.exitCode = EXIT.ok;
      else process.exitCode = EXIT.usage;
      return;
    }
    // Messages name files and quote inputs: one line each, nothing raw reaches the terminal.
    if (err instanceof UsageError) {
      process.stderr.write(`tlsdissect: ${terminalSafeLine(err.message)}\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    if (err instanceof OutputError) {
      process.stderr.write(`tlsdissect: ${terminalSafeLine(err.message)}\n`);
      process.exitCode = EXIT.outputFailed;
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || /^cannot open/.test(message)) {
      process.stderr.write(`tlsdissect: ${terminalSafeLine(message.split('\n')[0]!)}\n`);
      process.exitCode = EXIT.unreadable;
      return;
    }
    process.stderr.write(`tlsdissect: internal error: ${terminalSafeLine(message.split('\n')[0]!)} (please report it with the capture, or a part of it)\n`);
    if (process.env.TLSDISSECT_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    process.exitCode = EXIT.internal;
  }
}

await main();

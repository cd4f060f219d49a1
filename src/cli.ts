#!/usr/bin/env node
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { analyzeCaptures, type AnalysisResult, type AnalyzeOptions } from './handshake/analyze.js';
import { StreamOutput } from './report/analyze-stream.js';
import { analyzeIntoOutput } from './report/analyze-lanes.js';
import { joinServerLogs, logRedactionSources, type LogJoinOptions } from './handshake/serverlog-join.js';
import { parsePortOption, type PortMap } from './mail/sniffer.js';
import { renderAnalysisHtml } from './report/html.js';
import { redactDocument } from './report/redact.js';
import { renderConnectionMarkdown } from './report/markdown.js';
import { renderConnectionText } from './report/analyze-text.js';
import { GROUP_KEYS, type GroupKey } from './handshake/groups.js';
import { loadTrustStore, type TrustStore } from './tls/certificates.js';
import { parseZone } from './serverlog/time.js';
import { collectStreamsTo } from './tcp/collect.js';
import { StreamsOutput } from './report/streams-stream.js';
import { EXIT, exitCodeForCaptures, OutputError, UsageError } from './exit.js';
import { boundHeap } from './memory.js';
import { stopReadingStdin } from './capture/stdin.js';
import { diffReports } from './diff/diff.js';
import { TOOL_VERSION } from './version.js';
import { selectPair } from './diff/select.js';
import { renderDiffText } from './report/diff-text.js';
import { renderDiffMarkdown } from './report/diff-markdown.js';
import { renderDiffJson } from './report/diff-json.js';
import { renderDiffHtml } from './report/diff-html.js';
import { redactDiff } from './report/diff-redact.js';

const program = new Command();
program
  .name('tlsdissect')
  .description('Read a tcpdump capture from a mail server and tell which TLS handshakes failed, at which step, who gave up and why.')
  .version(TOOL_VERSION)
  .configureOutput({ outputError: (text, write) => write(`tlsdissect: ${text.replace(/^error: /, '').trimEnd()} (see --help)\n`) })
  .exitOverride();

const formatOption = () => new Option('-f, --format <format>', 'output format').choices(['text', 'markdown', 'json', 'html']).default('text');
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
  .addOption(formatOption())
  .option('--failed', 'show only connections whose handshake failed')
  .option('-c, --connection <n>', 'the full story of connection N (number as the table shows it)')
  .option('-p, --port <port=protocol>', 'treat a port as a mail protocol: 2525=smtp, 2465=smtps, 10143=imap, 10993=imaps, 1110=pop3, 1995=pop3s, 8443=tls (repeatable)', collect, [])
  .option('--fail-on-failure', 'exit with 1 when any handshake failed')
  .option('--redact', 'replace client and server addresses, SNI names, certificate names and session ids with consistent pseudonyms')
  .option('-o, --output <file>', 'write the report to a file instead of standard output')
  .addOption(new Option('--by <property>', 'group connections and show failures per group (connections, completed, failed, failure rate, where and how failures ended)').choices([...GROUP_KEYS]))
  .option('--server-name <name>', 'the name clients use for this server: the certificate must cover it (besides any SNI)')
  .option('--ca <file>', 'validate each certificate chain against these CA certificates (PEM bundle or one DER certificate)')
  .option('--log <file>', "the mail server's own log (Postfix, Dovecot; syslog, journalctl or the daemon's file; .gz too): each connection gets its lines (repeatable)", collect, [])
  .option('--log-tz <zone>', 'zone of log times that carry none: UTC, local, +01:00, Europe/Berlin (default: estimated from lines naming a captured client and port)')
  .option('--log-year <year>', 'year of the first log line when the lines carry none (default: from the capture)')
  .option('--max-connections <n>', 'list at most N connections one by one (default 50000); the others are counted in the summary')
  .option('-j, --jobs <n>', 'captures analyzed at once when several are given (default: one per two cores, for captures of 256 MB or more; 1: one after the other)')
  .addOption(widthOption())
  .action(async (given: string[], opts: { format: string; failed?: boolean; connection?: string; port: string[]; failOnFailure?: boolean; redact?: boolean; output?: string; by?: GroupKey; serverName?: string; ca?: string; maxConnections?: string; jobs?: string; width?: string }) => {
    const captures = distinctCaptures(given);
    if (captures.includes('-')) finishOnInterrupt();
    const ports = parsePorts(opts.port);
    const maxConnections = opts.maxConnections !== undefined ? Number(opts.maxConnections) : undefined;
    if (maxConnections !== undefined && !(Number.isInteger(maxConnections) && maxConnections >= 0)) throw new UsageError(`--max-connections ${opts.maxConnections}: not a whole number`);
    const jobs = opts.jobs !== undefined ? Number(opts.jobs) : undefined;
    if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) throw new UsageError(`--jobs ${opts.jobs}: not a whole number of 1 or more`);
    if (opts.by && (opts.connection !== undefined || opts.format === 'html')) throw new UsageError('--by shows groups in text, markdown or json; it does not combine with --connection or --format html');
    const trustStore = opts.ca !== undefined ? readTrustStore(opts.ca) : undefined;
    const logOpts = opts as unknown as LogCliOptions;
    // Streamed: each connection's part of the report is made as it closes and the report let go (analyze-stream.ts);
    // with --log every report waits on disk until the log is joined. Only an HTML page with a --connection drawn
    // keeps the whole analysis.
    const logJoin = logJoinOptions(logOpts);
    if (!(opts.connection !== undefined && opts.format === 'html')) {
      await analyzeStreamed(captures, opts, { ports, serverName: opts.serverName, trustStore, maxConnections }, logJoin ? { files: logOpts.log, options: logJoin } : null, jobs);
      return;
    }
    const analysis = await analyzeCaptures(captures, { ports, serverName: opts.serverName, trustStore, maxConnections });
    await joinLogs(analysis, logOpts);
    const result = opts.redact ? redactAnalysis(analysis) : analysis;
    reportDamage(result.captures);
    let shown: AnalysisResult = result;
    if (opts.failed) shown = { ...result, connections: result.connections.filter((c) => c.outcome === 'failed') };
    // An HTML page with a chosen connection drawn besides the failed ones.
    const text = renderAnalysisHtml(shown, { connections: [pickConnection(result, opts.connection!)] });
    // The exit code first: a reader that stops early (| head) ends the process while the report is written.
    let code = exitCodeForCaptures(result.captures);
    if (code === EXIT.ok && opts.failOnFailure && result.summary.byOutcome.failed > 0) code = EXIT.failuresFound;
    process.exitCode = code;
    emit(text, opts.output);
  });

program
  .command('streams')
  .description('one row per TCP connection: endpoints, packets and bytes per side, SYN/FIN/RST, retransmissions, gaps')
  .argument('<captures...>', 'pcap, pcapng or gzip-compressed capture files; - for standard input')
  .addOption(formatOption().choices(['text', 'json']))
  .option('-o, --output <file>', 'write the report to a file instead of standard output')
  .addOption(widthOption())
  .action(async (given: string[], opts: { format: string; output?: string; width?: string }) => {
    const captures = distinctCaptures(given);
    if (captures.includes('-')) finishOnInterrupt();
    const output = new StreamsOutput(opts.format === 'json' ? 'json' : 'text', captures, undefined, textOutput(opts).width);
    try {
      const done = await collectStreamsTo(captures, (row, index) => output.add(row, index));
      reportDamage(done);
      await emitPieces(output.render(done), opts.output);
      process.exitCode = exitCodeForCaptures(done);
    } finally {
      output.close();
    }
  });

program
  .command('diff')
  .description('a handshake that worked and one that failed, side by side: where the two stories part, every difference, the likely cause first')
  .argument('<good>', 'capture file, optionally narrowed to one connection: file.pcap#3 or file.pcap@client=46.1.2.3:51234')
  .argument('<bad>', 'the same for the failed handshake (the same capture again to compare two of its connections)')
  .addOption(formatOption())
  .option('-p, --port <port=protocol>', 'treat a port as a mail protocol, as with analyze (repeatable)', collect, [])
  .option('--redact', 'replace client and server addresses, SNI names, certificate names and session ids with consistent pseudonyms (the same on both sides)')
  .option('-o, --output <file>', 'write the report to a file instead of standard output')
  .addOption(widthOption())
  .action(async (goodArg: string, badArg: string, opts: { format: string; port: string[]; redact?: boolean; output?: string; width?: string }) => {
    const pair = await selectPair(goodArg, badArg, { ports: parsePorts(opts.port) });
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
    const { result, good, bad } = opts.redact ? redactDiff(diffed, pair.good.report, pair.bad.report) : { result: diffed, good: pair.good.report, bad: pair.bad.report };
    let text: string;
    if (opts.format === 'json') text = renderDiffJson(result);
    else if (opts.format === 'markdown') text = renderDiffMarkdown(result, good, bad);
    else if (opts.format === 'html') text = renderDiffHtml(result, good, bad);
    else text = renderDiffText(result, good, bad, textOutput(opts));
    emit(text, opts.output);
    process.exitCode = code;
  });

interface AnalyzeCliOptions {
  format: string;
  failed?: boolean;
  connection?: string;
  failOnFailure?: boolean;
  redact?: boolean;
  output?: string;
  by?: GroupKey;
  width?: string;
}

/** `analyze` in text, JSON or Markdown, without keeping the reports (the output is the same as renderAnalysis*). */
async function analyzeStreamed(files: string[], opts: AnalyzeCliOptions, options: AnalyzeOptions, log: { files: string[]; options: LogJoinOptions } | null, jobs: number | undefined): Promise<void> {
  const want = opts.connection !== undefined ? connectionArgument(opts.connection) : undefined;
  const output = new StreamOutput({
    format: opts.format as 'text' | 'json' | 'markdown' | 'html',
    files,
    failed: opts.failed,
    redact: opts.redact,
    log: log !== null,
    by: opts.by,
    connection: want,
    text: textOutput(opts),
  });
  try {
    const { captures, summary } = await analyzeIntoOutput(files, options, output, jobs);
    if (log) await output.joinLogs(captures, summary, log.files, log.options);
    reportDamage(captures);
    if (want) {
      const conn = Number.isInteger(want.id) ? output.pickedReport(summary) : null;
      if (!conn) throw new UsageError(`--connection ${opts.connection}: no such connection (${output.listed === 0 ? 'the capture holds no TCP connection' : `the table numbers them 1 to ${output.listed}`})`);
      setAnalyzeExitCode(captures, summary, opts);
      if (opts.format === 'json') emit(JSON.stringify(conn, null, 2) + '\n', opts.output);
      else if (opts.format === 'markdown') emit(renderConnectionMarkdown(conn), opts.output);
      else emit(renderConnectionText(conn), opts.output);
      return;
    }
    // The exit code first: a reader that stops early (| head) ends the process while the report is written.
    setAnalyzeExitCode(captures, summary, opts);
    await emitPieces(output.render(captures, summary), opts.output);
  } finally {
    output.close();
  }
}

function setAnalyzeExitCode(captures: AnalysisResult['captures'], summary: AnalysisResult['summary'], opts: AnalyzeCliOptions): void {
  let code = exitCodeForCaptures(captures);
  if (code === EXIT.ok && opts.failOnFailure && summary.byOutcome.failed > 0) code = EXIT.failuresFound;
  process.exitCode = code;
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

/** Redact everything but the capture list's file names and counters (summary.byClient holds addresses too). */
function redactAnalysis(result: AnalysisResult): AnalysisResult {
  const redacted = redactDocument({ connections: result.connections, summary: result.summary }, logRedactionSources(result));
  return { ...result, connections: redacted.connections, summary: redacted.summary };
}

function readTrustStore(file: string): TrustStore {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new UsageError(`--ca ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const loaded = loadTrustStore(bytes, file);
  if (!loaded.ok) throw new UsageError(`--ca ${loaded.error}`);
  return loaded.store;
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
    if (seen.has(file)) process.stderr.write(`tlsdissect: ${file}: given more than once, read once\n`);
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
    process.stderr.write(`tlsdissect: ${c.file}: ${where}${oneLine(c.damage.message)}\n`);
  }
}

/** Damage messages quote bytes from the input: never let them break the one-line promise. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}

function emit(text: string, output: string | undefined): void {
  if (!output) {
    process.stdout.write(text);
    return;
  }
  try {
    writeFileSync(output, text);
  } catch (err) {
    throw new OutputError(`cannot write ${output}: ${errorReason(err)}`);
  }
}

/** Write a report given in pieces, each as it is made: to the file, or to standard output as fast as it drains. */
async function emitPieces(pieces: Iterable<string>, output: string | undefined): Promise<void> {
  if (!output) {
    for (const piece of pieces) {
      if (!process.stdout.write(piece)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
    }
    return;
  }
  let fd: number | null = null;
  try {
    fd = openSync(output, 'w');
    for (const piece of pieces) writeSync(fd, piece);
  } catch (err) {
    throw new OutputError(`cannot write ${output}: ${errorReason(err)}`);
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** "no such file or directory" from "ENOENT: no such file or directory, open 'x'". */
function errorReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]!.replace(/^[A-Z]+: /, '').replace(/, \w+( '.*')?$/, '');
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
    if (err instanceof UsageError) {
      process.stderr.write(`tlsdissect: ${err.message}\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    if (err instanceof OutputError) {
      process.stderr.write(`tlsdissect: ${err.message}\n`);
      process.exitCode = EXIT.outputFailed;
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || /^cannot open/.test(message)) {
      process.stderr.write(`tlsdissect: ${message.split('\n')[0]}\n`);
      process.exitCode = EXIT.unreadable;
      return;
    }
    process.stderr.write(`tlsdissect: internal error: ${message.split('\n')[0]} (please report it with the capture, or a part of it)\n`);
    if (process.env.TLSDISSECT_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    process.exitCode = EXIT.internal;
  }
}

await main();

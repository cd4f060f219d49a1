/** `tlsdissect analyze`: the options checked, the captures analyzed into the report, the exit code. */
import { analyzeIntoOutput } from '../analyze/lanes.js';
import { analyzeCaptures, type AnalysisResult, type AnalyzeOptions } from '../analyze/pipeline.js';
import { EXIT, exitCodeForCaptures, nothingReadAtAll, UsageError } from '../exit.js';
import { configuredChainRedactionSources } from '../report/analyze/configured-chain.js';
import { renderAnalysisHtml } from '../report/analyze/html.js';
import { renderConnectionMarkdown } from '../report/analyze/markdown.js';
import { StreamOutput } from '../report/analyze/stream-output.js';
import { renderConnectionText } from '../report/analyze/text.js';
import { connectionDocument } from '../report/json-contract.js';
import { markRedacted, markRedactedPieces, redactorFor } from '../report/redact.js';
import { chooseFormat, type ReportSink } from '../report/report-file.js';
import { toolInfo, withTextToolLine, type ToolInfo } from '../report/tool.js';
import { joinServerLogs, logRedactionSources, type LogJoinOptions } from '../serverlog/join.js';
import { parseZone } from '../serverlog/time.js';
import { readConfiguredChain, readKeyLogs, readTrustStore } from './input-files.js';
import { ANALYZE_FORMATS, portMap, type ANALYZE_OPTIONS, type ConnectionNumber, type OptionValues } from './options.js';
import { distinctCaptures, finishOnInterrupt, reportDamage, textOutput, withReport } from './run.js';

export type AnalyzeCliOptions = OptionValues<typeof ANALYZE_OPTIONS> & { format?: string };

export async function runAnalyze(given: string[], opts: AnalyzeCliOptions): Promise<void> {
  const format = chooseFormat('analyze', opts.format, opts.output, ANALYZE_FORMATS);
  const captures = distinctCaptures(given);
  const tool = toolInfo(process.argv.slice(2), { redact: opts.redact, files: { captures, logs: opts.log, keylogs: opts.keylog } });
  if (captures.includes('-')) finishOnInterrupt();
  if (opts.by && (opts.connection !== undefined || format === 'html' || format === 'ndjson')) throw new UsageError('--by shows groups in text, markdown or json; it does not combine with --connection or --format html or ndjson');
  const trustStore = opts.ca !== undefined ? readTrustStore(opts.ca) : undefined;
  const configuredChains = opts.cert.length > 0 ? opts.cert.map(readConfiguredChain) : undefined;
  const keyLog = readKeyLogs(opts.keylog);
  const options: AnalyzeOptions = { ports: portMap(opts.port), serverName: opts.serverName, trustStore, configuredChains, maxConnections: opts.maxConnections, retryWindow: opts.retryWindow, keyLog };
  const logJoin = logJoinOptions(opts);
  const inputs = [...captures, ...opts.log, ...(opts.ca !== undefined ? [opts.ca] : []), ...opts.cert, ...opts.keylog];
  await withReport(opts.output, inputs, async (sink) => {
    // Streamed: each connection's part of the report is made as it closes and the report let go
    // (report/analyze/stream-output.ts); with --log every report waits on disk until the log is joined. Only an
    // HTML page with a --connection drawn keeps the whole analysis.
    if (!(opts.connection !== undefined && format === 'html')) {
      await analyzeStreamed(captures, { ...opts, format, tool }, options, logJoin ? { files: opts.log, options: logJoin } : null, sink);
      return;
    }
    const analysis = await analyzeCaptures(captures, options);
    if (logJoin) await joinServerLogs(analysis, opts.log, logJoin);
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
    const picked = pickConnection(analysis, opts.connection);
    const html = renderAnalysisHtml(shown, { connections: [redactor ? redactor.value(picked) : picked], examples: opts.examples, tool });
    const text = redactor ? markRedacted(html, 'html', redactor) : html;
    // The exit code first: a reader that stops early (| head) ends the process while the report is written.
    setAnalyzeExitCode(result.captures, result.summary, opts);
    sink.write(text);
  });
}

/** `analyze` in any format without keeping the reports (the output is the same as renderAnalysis*). */
async function analyzeStreamed(files: string[], opts: AnalyzeCliOptions & { format: string; tool: ToolInfo }, options: AnalyzeOptions, log: { files: string[]; options: LogJoinOptions } | null, sink: ReportSink): Promise<void> {
  const want = opts.connection;
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
    const { captures, summary, retries } = await analyzeIntoOutput(files, options, output, opts.jobs);
    if (log) await output.joinLogs(captures, summary, log.files, log.options);
    reportDamage(captures);
    if (nothingReadAtAll(captures)) {
      process.exitCode = EXIT.unreadable;
      return;
    }
    if (want) {
      const conn = Number.isInteger(want.id) ? output.pickedReport(summary, retries) : null;
      if (!conn) throw noSuchConnection(want, output.listed);
      setAnalyzeExitCode(captures, summary, opts);
      let text = opts.format === 'json' ? JSON.stringify(connectionDocument(conn), null, 2) + '\n' : opts.format === 'ndjson' ? JSON.stringify(connectionDocument(conn)) + '\n' : opts.format === 'markdown' ? renderConnectionMarkdown(conn, files.length > 1 ? `${want.capture + 1}#${want.id}` : String(want.id), opts.tool) : renderConnectionText(conn);
      if (opts.format === 'text' && opts.output) text = [...withTextToolLine([text], opts.tool)].join('');
      const redactor = output.redactorUsed();
      sink.write(redactor ? markRedacted(text, opts.format, redactor) : text);
      return;
    }
    // The exit code first: a reader that stops early (| head) ends the process while the report is written.
    setAnalyzeExitCode(captures, summary, opts);
    const rendered = output.render(captures, summary, retries);
    // A text report written to a file says what made it, as the other formats do.
    const pieces = opts.format === 'text' && opts.output ? withTextToolLine(rendered, opts.tool) : rendered;
    await sink.writePieces(opts.redact ? markRedactedPieces(pieces, opts.format, () => output.redactorUsed()) : pieces);
  } finally {
    output.close();
  }
}

function setAnalyzeExitCode(captures: AnalysisResult['captures'], summary: AnalysisResult['summary'], opts: { failOnFailure?: boolean }): void {
  let code = exitCodeForCaptures(captures);
  if (code === EXIT.ok && opts.failOnFailure && summary.byOutcome.failed > 0) code = EXIT.failuresFound;
  process.exitCode = code;
}

function noSuchConnection(want: ConnectionNumber, listed: number): UsageError {
  return new UsageError(`--connection ${want.text}: no such connection (${listed === 0 ? 'the capture holds no TCP connection' : `the table numbers them 1 to ${listed}`})`);
}

/** --log-tz and --log-year checked; null without --log. */
function logJoinOptions(opts: Pick<AnalyzeCliOptions, 'log' | 'logTz' | 'logYear'>): LogJoinOptions | null {
  if (opts.log.length === 0) {
    if (opts.logTz !== undefined || opts.logYear !== undefined) throw new UsageError('--log-tz and --log-year need --log');
    return null;
  }
  if (opts.logTz !== undefined) {
    const zone = parseZone(opts.logTz);
    if ('error' in zone) throw new UsageError(`--log-tz ${zone.error}`);
  }
  return { tz: opts.logTz, year: opts.logYear };
}

/** Redact everything but the counters (summary.byClient holds addresses too; captures their file names). */
function redactAnalysis(result: AnalysisResult, redactor: ReturnType<typeof redactorFor>): AnalysisResult {
  return { ...result, connections: redactor.value(result.connections), summary: redactor.value(result.summary), captures: redactor.value(result.captures) };
}

function pickConnection(result: AnalysisResult, want: ConnectionNumber) {
  const file = result.captures[want.capture]?.file;
  const conn = result.connections.find((c) => c.id === want.id && c.capture === file);
  if (!Number.isInteger(want.id) || !conn) throw noSuchConnection(want, result.connections.length);
  return conn;
}

#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { analyzeCaptures, type AnalysisResult } from './handshake/analyze.js';
import { parsePortOption, type PortMap } from './mail/sniffer.js';
import { renderAnalysisHtml } from './report/html.js';
import { redactDocument } from './report/redact.js';
import { renderAnalysisJson } from './report/json.js';
import { renderAnalysisMarkdown, renderConnectionMarkdown } from './report/markdown.js';
import { renderAnalysisText, renderConnectionText } from './report/analyze-text.js';
import { collectStreams } from './tcp/collect.js';
import { renderStreamsJson, renderStreamsText } from './report/streams.js';
import { EXIT, exitCodeForCaptures, UsageError } from './exit.js';

const program = new Command();
program
  .name('tlsdissect')
  .description('Read a tcpdump capture from a mail server and tell which TLS handshakes failed, at which step, who gave up and why.')
  .version('0.1.0')
  .configureOutput({ outputError: (text, write) => write(`tlsdissect: ${text.replace(/^error: /, '').trimEnd()} (see --help)\n`) })
  .exitOverride();

const formatOption = () => new Option('-f, --format <format>', 'output format').choices(['text', 'markdown', 'json', 'html']).default('text');

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
  .action(async (captures: string[], opts: { format: string; failed?: boolean; connection?: string; port: string[]; failOnFailure?: boolean; redact?: boolean; output?: string }) => {
    const ports = parsePorts(opts.port);
    const analysis = await analyzeCaptures(captures, { ports });
    const result = opts.redact ? redactAnalysis(analysis) : analysis;
    reportDamage(result.captures);
    let shown: AnalysisResult = result;
    if (opts.failed) shown = { ...result, connections: result.connections.filter((c) => c.outcome === 'failed') };
    let text: string;
    if (opts.format === 'html') {
      const chosen = opts.connection !== undefined ? [pickConnection(result, opts.connection)] : [];
      text = renderAnalysisHtml(shown, { connections: chosen });
    } else if (opts.connection !== undefined) {
      const conn = pickConnection(result, opts.connection);
      if (opts.format === 'json') text = JSON.stringify(conn, null, 2) + '\n';
      else if (opts.format === 'markdown') text = renderConnectionMarkdown(conn);
      else text = renderConnectionText(conn);
    } else if (opts.format === 'json') text = renderAnalysisJson(shown);
    else if (opts.format === 'markdown') text = renderAnalysisMarkdown(shown);
    else text = renderAnalysisText(shown, { width: process.stdout.columns, color: !opts.output && process.stdout.isTTY === true });
    emit(text, opts.output);
    let code = exitCodeForCaptures(result.captures);
    if (code === EXIT.ok && opts.failOnFailure && result.summary.byOutcome.failed > 0) code = EXIT.failuresFound;
    process.exitCode = code;
  });

program
  .command('streams')
  .description('one row per TCP connection: endpoints, packets and bytes per side, SYN/FIN/RST, retransmissions, gaps')
  .argument('<captures...>', 'pcap, pcapng or gzip-compressed capture files; - for standard input')
  .addOption(formatOption().choices(['text', 'json']))
  .option('-o, --output <file>', 'write the report to a file instead of standard output')
  .action(async (captures: string[], opts: { format: string; output?: string }) => {
    const result = await collectStreams(captures);
    reportDamage(result.captures);
    emit(opts.format === 'json' ? renderStreamsJson(result) : renderStreamsText(result), opts.output);
    process.exitCode = exitCodeForCaptures(result.captures);
  });

/** Redact everything but the capture list's file names and counters (summary.byClient holds addresses too). */
function redactAnalysis(result: AnalysisResult): AnalysisResult {
  const redacted = redactDocument({ connections: result.connections, summary: result.summary });
  return { ...result, connections: redacted.connections, summary: redacted.summary };
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
  if (!Number.isInteger(id) || !conn) throw new UsageError(`--connection ${which}: no such connection (the table numbers them 1 to ${result.connections.length})`);
  return conn;
}

function reportDamage(captures: { file: string; damage: { offset: number; message: string } | null }[]): void {
  for (const c of captures) {
    if (c.damage) process.stderr.write(`tlsdissect: ${c.file}: at byte ${c.damage.offset}: ${c.damage.message}\n`);
  }
}

function emit(text: string, output: string | undefined): void {
  if (output) writeFileSync(output, text);
  else process.stdout.write(text);
}

async function main(): Promise<void> {
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

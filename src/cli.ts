#!/usr/bin/env node
/**
 * The command line: commander wiring only. Each command's options are declared as data in cli/options.ts, its
 * work is in cli/<command>.ts.
 */
import { Command, CommanderError, Help, Option } from 'commander';
import { EXIT, OutputError, UsageError } from './exit.js';
import { boundHeap } from './memory.js';
import { terminalSafeLine } from './text/terminal.js';
import { TOOL_VERSION } from './version.js';
import { runAnalyze, type AnalyzeCliOptions } from './cli/analyze.js';
import { runDiff, type DiffCliOptions } from './cli/diff.js';
import { ANALYZE_FORMATS, ANALYZE_OPTIONS, DIFF_FORMATS, DIFF_OPTIONS, STREAMS_FORMATS, STREAMS_OPTIONS, withOptions } from './cli/options.js';
import { runStreams, type StreamsCliOptions } from './cli/streams.js';
import { watchStdout } from './cli/run.js';

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

withOptions(
  program
    .command('analyze')
    .description('one row per connection: protocol, TLS version and cipher, step reached, outcome, who ended it and how, diagnosis')
    .argument('<captures...>', 'pcap, pcapng or gzip-compressed capture files; - for standard input'),
  ANALYZE_FORMATS,
  ANALYZE_OPTIONS,
)
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
  .action((given: string[], opts: AnalyzeCliOptions) => runAnalyze(given, opts));

withOptions(
  program
    .command('streams')
    .description('one row per TCP connection: endpoints, packets and bytes per side, SYN/FIN/RST, retransmissions, gaps')
    .argument('<captures...>', 'pcap, pcapng or gzip-compressed capture files; - for standard input'),
  STREAMS_FORMATS,
  STREAMS_OPTIONS,
)
  .addHelpText(
    'after',
    `
Examples:
  tlsdissect streams mail.pcap
      every TCP connection, TLS or not: packets, bytes, retransmissions, gaps
  tlsdissect streams mail.pcap -o streams.json
      the same as JSON (format from the file name)`,
  )
  .action((given: string[], opts: StreamsCliOptions) => runStreams(given, opts));

withOptions(
  program
    .command('diff')
    .description('a handshake that worked and one that failed, side by side: where the two stories part, every difference, the likely cause first')
    .argument('<good>', 'capture file, optionally narrowed to one connection: file.pcap#3 or file.pcap@client=46.1.2.3:51234')
    .argument('<bad>', 'the same for the failed handshake (the same capture again to compare two of its connections)'),
  DIFF_FORMATS,
  DIFF_OPTIONS,
)
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
  .action((good: string, bad: string, opts: DiffCliOptions) => runDiff(good, bad, opts));

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
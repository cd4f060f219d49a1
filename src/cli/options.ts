/**
 * The command line's options as data: each one's flags, its help, and how its text becomes a value (or a
 * one-line usage error, exit 2). The commands' option types are derived from these tables, so an option is
 * declared once; cli.ts only hands them to commander.
 */
import { Option, type Command } from 'commander';
import { GROUP_KEYS, type GroupKey } from '../analyze/groups.js';
import { UsageError } from '../exit.js';
import { parsePortOption, type PortMap } from '../mail/sniffer.js';
import type { PortRole } from '../mail/ports.js';
import { FORMAT_BY_EXTENSION } from '../report/report-file.js';

/** One option: flags and help as `--help` shows them; `parse` turns each value given into what the command reads. */
export interface OptionSpec<T> {
  flags: string;
  description: string;
  /** Takes no value: true when given. */
  flag?: true;
  /** May be given several times; the command reads the list (empty when never given). */
  repeatable?: true;
  choices?: readonly string[];
  parse?: (text: string, name: string) => T;
}

type Specs = Record<string, OptionSpec<unknown>>;

/** What a command reads of its options: a list for a repeatable one, else the value or undefined. */
export type OptionValues<S extends Specs> = {
  [K in keyof S]: S[K] extends { repeatable: true } ? (S[K] extends OptionSpec<infer T> ? T[] : never) : S[K] extends OptionSpec<infer T> ? T | undefined : never;
};

const flag = (flags: string, description: string): OptionSpec<boolean> => ({ flags, description, flag: true });
const text = (flags: string, description: string): OptionSpec<string> => ({ flags, description });
const value = <T>(flags: string, description: string, parse: (text: string, name: string) => T): OptionSpec<T> => ({ flags, description, parse });
const repeatable = <T>(flags: string, description: string, parse: (text: string, name: string) => T): OptionSpec<T> & { repeatable: true } => ({ flags, description, parse, repeatable: true });
const choice = <C extends string>(flags: string, description: string, choices: readonly C[]): OptionSpec<C> => ({ flags, description, choices });

/** A whole number from `min` to `max`; `wrong` says what else it is in the error (`--jobs 0: not a whole number of 1 or more`). */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER, wrong = `not a whole number${min > 0 ? ` of ${min} or more` : ''}`) {
  return (text: string, name: string): number => {
    const n = Number(text);
    if (!(text.trim() !== '' && Number.isInteger(n) && n >= min && n <= max)) throw new UsageError(`${name} ${text}: ${wrong}`);
    return n;
  };
}

/** `--retry-window`: seconds, 0 or more. */
export function seconds(text: string, name: string): number {
  const n = Number(text);
  if (!(text.trim() !== '' && Number.isFinite(n) && n >= 0)) throw new UsageError(`${name} ${text}: not a number of seconds (0 or more)`);
  return n;
}

/** `--examples 5` or `all` (Infinity). */
export function examples(text: string, name: string): number {
  if (text === 'all') return Infinity;
  const n = Number(text);
  if (!(Number.isInteger(n) && n >= 1)) throw new UsageError(`${name} ${text}: not a whole number of 1 or more, nor all`);
  return n;
}

/** A connection as the tables number it: `5`, or `2#5` (the 2nd capture given); `capture` is 0-based, `id` NaN when not a number. */
export interface ConnectionNumber {
  capture: number;
  id: number;
  /** As given, for messages. */
  text: string;
}

/** `--connection 5` or `2#5`: the one parser of a connection's number (`analyze -c`, and what `diff file#5` names). */
export function connectionNumber(text: string): ConnectionNumber {
  const [capturePart, idPart] = text.includes('#') ? text.split('#') : [undefined, text];
  return { capture: capturePart !== undefined ? Number(capturePart) - 1 : 0, id: Number(idPart), text };
}

/** `-p 2525=smtp`, one assignment. */
export function portAssignment(text: string, name: string): [number, PortRole] {
  const parsed = parsePortOption(text);
  if ('error' in parsed) throw new UsageError(`${name} ${text}: ${parsed.error}`);
  return [parsed.port, parsed.assignment];
}

const PORT_HELP = 'treat a port as a mail protocol: 2525=smtp, 2465=smtps, 10143=imap, 10993=imaps, 1110=pop3, 1995=pop3s, 14190=sieve, 8443=tls (repeatable)';
const OUTPUT = text('-o, --output <file>', 'write the report to this file (replaced only when the report is complete) instead of standard output');
const WIDTH = value('--width <columns>', "fit text tables into this many columns (default: the terminal's; on a pipe or file one whole line per row)", wholeNumber(20, 10_000, 'not a whole number from 20 to 10000'));
const REDACT_WHAT = 'replace addresses, host names, certificate names, serials and fingerprints, e-mail addresses, user names, session ids and file names with consistent pseudonyms';

export const ANALYZE_OPTIONS = {
  failed: flag('--failed', 'show only connections whose handshake failed'),
  connection: value('-c, --connection <n>', 'the full story of connection N (number as the table shows it)', connectionNumber),
  port: repeatable('-p, --port <port=protocol>', PORT_HELP, portAssignment),
  failOnFailure: flag('--fail-on-failure', 'exit with 1 when any handshake failed'),
  redact: flag('--redact', `${REDACT_WHAT} (in the log lines too)`),
  output: OUTPUT,
  by: choice<GroupKey>('--by <property>', 'group connections and show failures per group (connections, completed, failed, failure rate, where and how failures ended)', GROUP_KEYS),
  serverName: text('--server-name <name>', 'the name clients use for this server: the certificate must cover it (besides any SNI)'),
  ca: text('--ca <file>', 'validate each certificate chain against these CA certificates (PEM bundle or one DER certificate; a regular file up to 16 MB)'),
  cert: repeatable('--cert <file>', "the chain the server is configured with (PEM, the server's certificate first, as in smtpd_tls_chain_files or Dovecot's ssl_cert): a connection that got another is flagged; TLS 1.3 by its size (repeatable)", (t) => t),
  log: repeatable('--log <file>', "the mail server's own log (Postfix, Dovecot; syslog, journalctl or the daemon's file; .gz too): each connection gets its lines (repeatable)", (t) => t),
  keylog: repeatable('--keylog <file>', 'NSS key log of the TLS sessions (SSLKEYLOGFILE, openssl s_client -keylogfile): encrypted handshake messages and alerts are decrypted and named; application data never is (repeatable; a regular file up to 16 MB)', (t) => t),
  logTz: text('--log-tz <zone>', 'zone of log times that carry none: UTC, local, +01:00, Europe/Berlin (default: estimated from lines naming a captured client and port)'),
  logYear: value('--log-year <year>', 'year of the first log line when the lines carry none (default: from the capture)', wholeNumber(1970, 9999, 'not a year')),
  maxConnections: value('--max-connections <n>', 'list at most N connections one by one (default 50000); the others are counted in the summary', wholeNumber(0)),
  jobs: value('-j, --jobs <n>', 'captures analyzed at once when several are given (default: one per two cores, for captures of 256 MB or more; 1: one after the other)', wholeNumber(1)),
  retryWindow: value('--retry-window <seconds>', "a connection that did not complete is retried by the same client's next connection to the same server and port that starts within this many seconds (default 300)", seconds),
  examples: value('--examples <n|all>', 'connections of each kind (same outcome, step, ending, diagnosis) detailed in markdown (default 3, within 60,000 bytes) and drawn in html (default 20); all: every one', examples),
  width: WIDTH,
} satisfies Specs;

export const STREAMS_OPTIONS = {
  output: OUTPUT,
  width: WIDTH,
} satisfies Specs;

export const DIFF_OPTIONS = {
  port: repeatable('-p, --port <port=protocol>', 'treat a port as a mail protocol, as with analyze (repeatable)', portAssignment),
  keylog: repeatable('--keylog <file>', 'NSS key log of the TLS sessions (SSLKEYLOGFILE, openssl s_client -keylogfile): encrypted handshake messages and alerts are decrypted and named; application data never is (repeatable; a regular file up to 16 MB)', (t) => t),
  redact: flag('--redact', `${REDACT_WHAT} (the same on both sides)`),
  output: OUTPUT,
  width: WIDTH,
} satisfies Specs;

/** The formats each command writes; without --format, the -o file's extension chooses (report/report-file.ts), else text. */
export const ANALYZE_FORMATS = ['text', 'markdown', 'json', 'ndjson', 'html'];
export const STREAMS_FORMATS = ['text', 'json'];
export const DIFF_FORMATS = ['text', 'markdown', 'json', 'html'];

/** `-f, --format`, with the -o extensions that choose each of `formats`. */
export function formatOption(formats: readonly string[]): Option {
  const extensions = Object.keys(FORMAT_BY_EXTENSION).filter((extension) => formats.includes(FORMAT_BY_EXTENSION[extension]!));
  return new Option('-f, --format <format>', `report format; without it, the -o file name decides (${extensions.join(' ')}), else text`).choices(formats);
}

/** The commander options of a table, in its order. */
export function commanderOptions(specs: Specs): Option[] {
  return Object.values(specs).map((spec) => {
    const option = new Option(spec.flags, spec.description);
    if (spec.choices) option.choices(spec.choices);
    const name = option.long ?? option.flags;
    const parse = spec.parse;
    if (spec.repeatable) option.argParser((t: string, previous: unknown[] | undefined) => [...(previous ?? []), parse ? parse(t, name) : t]).default([]);
    else if (parse) option.argParser((t: string) => parse(t, name));
    return option;
  });
}

/** `command` with `-f, --format` for `formats`, then the options of `specs`, in their order. */
export function withOptions(command: Command, formats: readonly string[], specs: Specs): Command {
  command.addOption(formatOption(formats));
  for (const option of commanderOptions(specs)) command.addOption(option);
  return command;
}

/** The ports `-p` assigned, the last one given for a port winning. */
export function portMap(assignments: readonly ReturnType<typeof portAssignment>[]): PortMap {
  return new Map(assignments);
}

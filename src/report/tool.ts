/**
 * What made a report: the tool and its version, the command line and when. Every Markdown, HTML and JSON report
 * carries it (JSON as the top-level `tool` object), so that a report pasted into a ticket says how to make it again.
 */
import { terminalSafeLine } from '../text/terminal.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';

export interface ToolInfo {
  name: string;
  version: string;
  /** The command line, shell-quoted; with `--redact` the capture and log file names are `capture-1.pcap`, `log-1`. */
  command: string;
  /** When the report was made: ISO 8601, UTC, with microseconds (the JSON contract's one time form); shown to the second (toolTimeShown). */
  generated: string;
}

export interface CommandFiles {
  /** The capture files as given (for diff: the file part of `file.pcap#3`). */
  captures: readonly string[];
  /** `--log` files. */
  logs?: readonly string[];
  /** `--keylog` files. */
  keylogs?: readonly string[];
}

/**
 * The tool's line for a report. `args` is the command line after the program (process.argv.slice(2)); with
 * `redact`, an argument naming one of `files` (alone, as `--log=FILE`, or before diff's `#3` / `@client=…`)
 * names it by its place instead; other option values stay.
 */
export function toolInfo(args: readonly string[], opts: { redact?: boolean; files?: CommandFiles; now?: Date } = {}): ToolInfo {
  const shown = opts.redact && opts.files ? args.map((a) => redactArgument(a, opts.files!)) : args;
  // A Date has milliseconds: the micros are zeros (the years 0–9999 keep toISOString's 24-character form).
  const generated = (opts.now ?? new Date()).toISOString().replace(/Z$/, '000Z');
  return { name: TOOL_NAME, version: TOOL_VERSION, command: [TOOL_NAME, ...shown].map(shellQuote).join(' '), generated };
}

/** When the report was made, as the text, Markdown and HTML reports show it: to the second (2026-12-07T02:11:44Z). */
export function toolTimeShown(t: ToolInfo): string {
  return t.generated.replace(/\.\d+Z$/, 'Z');
}

function redactArgument(arg: string, files: CommandFiles): string {
  const option = /^(--?[A-Za-z][\w-]*=)(.*)$/s.exec(arg);
  const [prefix, value] = option ? [option[1]!, option[2]!] : ['', arg];
  const log = (files.logs ?? []).indexOf(value);
  if (log >= 0 && (option === null || prefix === '--log=')) return `${prefix}log-${log + 1}`;
  const keylog = (files.keylogs ?? []).indexOf(value);
  if (keylog >= 0 && (option === null || prefix === '--keylog=')) return `${prefix}keylog-${keylog + 1}`;
  if (option) return arg;
  const captures = files.captures;
  for (let i = 0; i < captures.length; i++) {
    const file = captures[i]!;
    if (file === '-' || !value.startsWith(file)) continue;
    const rest = value.slice(file.length);
    if (rest === '' || rest.startsWith('#') || rest.startsWith('@')) return `${pseudonymFile(file, i)}${rest}`;
  }
  return arg;
}

/** `capture-2.pcapng.gz`: the place, and the kind of file the name said. */
function pseudonymFile(file: string, index: number): string {
  const ext = /\.(pcapng|pcap|cap)(\.gz)?$/i.exec(file)?.[0] ?? '.pcap';
  return `capture-${index + 1}${ext.toLowerCase()}`;
}

/** A word as a POSIX shell reads it: bare when it is plain, else in single quotes. */
function shellQuote(word: string): string {
  if (/^[\w@%+=:,./#-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The tool's line at the end of a text report written to a file (`-o report.txt`): `made by tlsdissect 0.1.0 on
 * 2026-12-07T02:11:44Z: tlsdissect analyze …`. A table on a terminal or a pipe goes without it (it is a view, and
 * a grep of it would meet the line).
 */
export function textToolLine(t: ToolInfo): string {
  return terminalSafeLine(`made by ${t.name} ${t.version} on ${toolTimeShown(t)}: ${t.command}`);
}

/** `pieces` with the tool's line after them. */
export function* withTextToolLine<P extends string | Uint8Array>(pieces: Iterable<P>, t: ToolInfo): Generator<P | string> {
  let endsWithNewline = true;
  for (const p of pieces) {
    if (p.length > 0) endsWithNewline = typeof p === 'string' ? p.endsWith('\n') : p[p.length - 1] === 0x0a;
    yield p;
  }
  yield `${endsWithNewline ? '' : '\n'}${textToolLine(t)}\n`;
}

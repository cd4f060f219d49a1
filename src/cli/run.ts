/** What every command does around its work: where text output goes, the report's file, damage, Ctrl-C. */
import { stopReadingStdin } from '../capture/stdin.js';
import { EXIT } from '../exit.js';
import { errorReason, ReportSink } from '../report/report-file.js';
import { terminalSafeLine } from '../text/terminal.js';

/**
 * How text output meets its reader: on a terminal, fitted to its width and coloured; on a pipe or into a file,
 * one whole line per row and no colour. `--width N` fits any output to N columns; NO_COLOR (no-color.org) turns
 * colour off, FORCE_COLOR on (FORCE_COLOR=0 off).
 */
export function textOutput(opts: { width?: number; output?: string }): { width?: number; color: boolean } {
  let width = opts.width;
  const terminal = !opts.output && process.stdout.isTTY === true;
  if (width === undefined && terminal) width = process.stdout.columns || 80;
  const force = process.env['FORCE_COLOR'];
  let color = terminal;
  if (force !== undefined) color = !['0', 'false', 'no'].includes(force.toLowerCase());
  if (process.env['NO_COLOR'] !== undefined && process.env['NO_COLOR'] !== '') color = false;
  return { ...(width !== undefined ? { width } : {}), color };
}

/**
 * Each capture once, in the order first given. A file named twice (a shell glob and a name, say) would list its
 * connections twice under two numbers, and a report names its capture by file: say so and read it once.
 */
export function distinctCaptures(captures: string[]): string[] {
  const seen = new Set<string>();
  for (const file of captures) {
    if (seen.has(file)) process.stderr.write(`tlsdissect: ${terminalSafeLine(file)}: given more than once, read once\n`);
    seen.add(file);
  }
  return [...seen];
}

/**
 * How long reading goes on after Ctrl-C, for what the writer still sends as it exits. The environment can make it
 * longer: the test of a second Ctrl-C must land inside this window, which a loaded machine can miss in a second.
 */
const INTERRUPT_GRACE_MS = Number(process.env['TLSDISSECT_INTERRUPT_GRACE_MS']) || 1000;

/**
 * A live capture piped in (`tcpdump -w - | tlsdissect analyze -`) is ended with Ctrl-C, which reaches both
 * programs: here the first one ends the capture, not the program. tcpdump writes out its buffer as it exits, so
 * reading goes on until the pipe closes or for INTERRUPT_GRACE_MS (a writer that goes on), and the report covers
 * what came. A second Ctrl-C quits at once.
 */
export function finishOnInterrupt(): void {
  process.once('SIGINT', () => {
    process.stderr.write('tlsdissect: interrupted: the report covers what standard input gave until now (Ctrl-C again to quit)\n');
    setTimeout(stopReadingStdin, INTERRUPT_GRACE_MS).unref();
    process.once('SIGINT', () => process.exit(EXIT.interrupted));
  });
}

export function reportDamage(captures: { file: string; damage: { kind: string; offset: number; message: string } | null }[]): void {
  for (const c of captures) {
    if (!c.damage) continue;
    // A file that could not be opened has no offset; its message says what failed ("cannot open: no such file").
    const where = c.damage.kind === 'unreadable' ? '' : `at byte ${c.damage.offset}: `;
    // File names and damage messages (which quote bytes of the input) are a stranger's: one line, nothing raw.
    process.stderr.write(`tlsdissect: ${terminalSafeLine(c.file)}: ${where}${terminalSafeLine(c.damage.message)}\n`);
  }
}

/**
 * A command's work with its report's destination open (report/report-file.ts: `-o` checked against the inputs, its
 * temporary file made before anything is read). The report is put in place only when the work ends without an
 * error and wrote it; otherwise any old report stays as it was.
 */
export async function withReport(output: string | undefined, inputs: readonly string[], work: (sink: ReportSink) => Promise<void>): Promise<void> {
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
export function watchStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') {
      process.stderr.write(`tlsdissect: cannot write the report: ${errorReason(err)}\n`);
      process.exitCode = EXIT.outputFailed;
    }
    process.exit();
  });
}

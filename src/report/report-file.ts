/**
 * Where a report goes: standard output, or the file `-o` names.
 *
 * A regular file is never written in place: the report goes to a temporary file beside it (same directory, so
 * the rename stays on one file system), `.report.html.tlsdissect-<pid>-<random>.tmp`, which is renamed onto the
 * target when the report is complete. A run that fails (an unreadable input, a bug, a write error, Ctrl-C or
 * SIGTERM) removes its temporary file and leaves any old report as it was; a run that writes nothing (every
 * capture unreadable) leaves no file. The temporary file is made before any capture is read, so an output that
 * cannot be written (a missing or read-only folder) is said at once, not after an hour of reading.
 *
 * A device or a FIFO (`/dev/stdout`, `/dev/null`, a named pipe) cannot be renamed onto: it is opened and
 * written directly, when the report is written.
 *
 * `-o` naming one of the inputs (the same file by device and inode, so also through a symbolic or hard link)
 * is refused before anything is read: the report would replace the capture or log it is made from.
 */
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  fsyncSync,
  openSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  type BigIntStats,
} from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { isatty } from 'node:tty';
import { OutputError, UsageError } from '../exit.js';

/** Report formats and the file name extensions that ask for them (`-o report.html`). */
export const FORMAT_BY_EXTENSION: Readonly<Record<string, string>> = {
  '.html': 'html',
  '.htm': 'html',
  '.md': 'markdown',
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.txt': 'text',
};

/** The format a file name asks for by its extension (any case), or null for another extension. */
export function formatOfFileName(file: string): string | null {
  return FORMAT_BY_EXTENSION[extname(file).toLowerCase()] ?? null;
}

/**
 * The report's format: `--format` when given, else the one the `-o` file's extension asks for, else text.
 * A `--format` that contradicts the extension (`-o x.html --format json`), or an extension asking for a format
 * the command does not write, is a usage error.
 */
export function chooseFormat(command: string, given: string | undefined, output: string | undefined, offered: readonly string[]): string {
  const byName = output !== undefined ? formatOfFileName(output) : null;
  if (given !== undefined && byName !== null && given !== byName) {
    throw new UsageError(`-o ${output} asks for ${byName} by its name, but --format is ${given}: leave out --format or change the name`);
  }
  if (given === undefined && byName !== null && !offered.includes(byName)) {
    throw new UsageError(`-o ${output} asks for ${byName} by its name, which ${command} does not write (it writes ${offered.join(', ')}): give --format or change the name`);
  }
  return given ?? byName ?? 'text';
}

/** File kinds in words, for a file that is not what was wanted. */
export function fileKind(st: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** "no such file or directory" from "ENOENT: no such file or directory, open 'x'". */
export function errorReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]!.replace(/^[A-Z]+: /, '').replace(/, \w+( '.*')?$/, '');
}

function statOrNull(file: string): BigIntStats | null {
  try {
    return statSync(file, { bigint: true });
  } catch {
    return null;
  }
}

/**
 * Refuse `-o FILE` when FILE is one of the inputs (`-` is standard input): compared by device and inode, so a
 * symbolic link or a hard link to an input is caught too. An input that does not exist is left to its reader.
 */
export function refuseInputAsOutput(output: string, inputs: readonly string[]): void {
  const out = statOrNull(output);
  if (!out) return;
  for (const input of inputs) {
    let st: BigIntStats | null;
    if (input === '-') {
      try {
        st = fstatSync(0, { bigint: true });
      } catch {
        st = null;
      }
    } else st = statOrNull(input);
    if (!st || st.dev !== out.dev || st.ino !== out.ino) continue;
    const how = input === '-' ? 'standard input' : input === output ? 'an input' : `the input ${input}, through a link`;
    throw new UsageError(`-o ${output} is ${how}: the report would replace it; name another file`);
  }
}

/** Temporary files not yet renamed into place, removed if the process ends before (see `watchEnd`). */
const pending = new Set<string>();
const ENDING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let watching = false;

function removePending(): void {
  for (const file of pending) {
    try {
      unlinkSync(file);
    } catch {
      // Already gone: nothing to clean.
    }
  }
  pending.clear();
}

function onEndingSignal(signal: NodeJS.Signals): void {
  // Another handler decides what this signal means (the first Ctrl-C on a live capture from standard input ends
  // the capture, not the program): the report goes on, and the exit handler cleans up if the process ends.
  if (process.listenerCount(signal) > 1) return;
  removePending();
  unwatchEnd();
  // Die of the signal, as without this handler (the shell sees 128 + its number).
  process.kill(process.pid, signal);
}

/** While a temporary file exists: remove it however the process ends (exit, Ctrl-C, SIGTERM, SIGHUP). */
function watchEnd(): void {
  if (watching) return;
  watching = true;
  process.on('exit', removePending);
  for (const signal of ENDING_SIGNALS) process.on(signal, onEndingSignal);
}

function unwatchEnd(): void {
  if (!watching) return;
  watching = false;
  process.off('exit', removePending);
  for (const signal of ENDING_SIGNALS) process.off(signal, onEndingSignal);
}

/**
 * The report's destination. `open` before reading anything; `write` / `writePieces` as the report is made;
 * `finish` when it is complete (renames the temporary file into place); `abandon` always after (a no-op once
 * finished): a report not finished is removed.
 */
export class ReportSink {
  /** The temporary file and its descriptor, for a regular file. */
  private temp: { path: string; fd: number } | null = null;
  /** A device or FIFO, opened at the first write. */
  private direct: { path: string; fd: number | null; closed: boolean } | null = null;
  /** The file the report is renamed onto (the target of a symbolic link, which stays a link). */
  private target = '';
  private written = false;
  /** No `-o`, or `-o` naming standard output itself. */
  private toStdout: boolean;

  private constructor(readonly output: string | undefined) {
    this.toStdout = output === undefined;
  }

  /** Standard output without `-o`; else the checks and the temporary file (UsageError, OutputError). */
  static open(output: string | undefined, inputs: readonly string[]): ReportSink {
    const sink = new ReportSink(output);
    if (output === undefined) return sink;
    if (output === '') throw new UsageError('-o needs a file name');
    refuseInputAsOutput(output, inputs);
    const existing = statOrNull(output);
    if (existing && !existing.isFile()) {
      if (existing.isDirectory()) throw new OutputError(`cannot write ${output}: is a directory`);
      // `-o /dev/stdout` names this process's standard output, which may be a socket that cannot be opened
      // again (Node's child processes get socket pairs): write to it as without -o.
      if (isStandardOutput(existing)) sink.toStdout = true;
      else sink.direct = { path: output, fd: null, closed: false };
      return sink;
    }
    let target = output;
    let mode = 0o666;
    if (existing) {
      try {
        target = realpathSync(output);
        // As writing it in place would: a report the user made read-only is not replaced behind their back.
        accessSync(target, constants.W_OK);
      } catch (err) {
        throw new OutputError(`cannot write ${output}: ${errorReason(err)}`);
      }
      mode = Number(existing.mode & 0o7777n);
    }
    const path = join(dirname(target), `.${basename(target)}.tlsdissect-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    let fd: number;
    try {
      fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    } catch (err) {
      throw new OutputError(`cannot write ${output}: ${errorReason(err)}`);
    }
    pending.add(path);
    watchEnd();
    sink.temp = { path, fd };
    sink.target = target;
    try {
      // The mode the old report had (or the one a new file gets), not the 0600 the temporary file was made with.
      fchmodSync(fd, existing ? mode : 0o666 & ~process.umask());
    } catch (err) {
      sink.abandon();
      throw new OutputError(`cannot write ${output}: ${errorReason(err)}`);
    }
    return sink;
  }

  /** Write a whole report (or a part of one). */
  write(text: string): void {
    this.written = true;
    if (this.toStdout) {
      process.stdout.write(text);
      return;
    }
    this.writeToFile(text);
  }

  /**
   * Write a report given in pieces, each as it is made: to the file, or to standard output as fast as it drains.
   * A piece of bytes is written (or copied) before the next is asked for: its buffer may be reused.
   */
  async writePieces(pieces: Iterable<string | Uint8Array>): Promise<void> {
    this.written = true;
    if (this.toStdout) {
      const atOnce = stdoutWrittenAtOnce();
      for (const piece of pieces) {
        // A pipe is written asynchronously, after the next piece may have reused a piece's buffer: a copy. A file
        // is written before write returns: no copy (`> report.json` made a megabyte's copy per piece, which waited
        // for the collector: 25 MB more at the peak than `-o report.json`).
        const chunk = typeof piece === 'string' || atOnce ? piece : Buffer.from(piece);
        if (!process.stdout.write(chunk)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
      }
      return;
    }
    for (const piece of pieces) this.writeToFile(piece);
  }

  private writeToFile(text: string | Uint8Array): void {
    let fd: number;
    if (this.temp) fd = this.temp.fd;
    else {
      const direct = this.direct!;
      if (direct.closed) return;
      try {
        direct.fd ??= openSync(direct.path, 'w');
      } catch (err) {
        throw new OutputError(`cannot write ${this.output}: ${errorReason(err)}`);
      }
      fd = direct.fd;
    }
    const bytes = typeof text === 'string' ? Buffer.from(text) : text;
    let done = 0;
    try {
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    } catch (err) {
      // A reader that stopped early (`-o /dev/stdout | head`) is their choice, as on standard output.
      if (this.direct && (err as NodeJS.ErrnoException).code === 'EPIPE') {
        this.direct.closed = true;
        return;
      }
      throw new OutputError(`cannot write ${this.output}: ${errorReason(err)}`);
    }
  }

  /** The report is complete: put it in place. Without anything written (nothing could be read) no file is left. */
  finish(): void {
    if (this.direct) {
      this.closeDirect();
      return;
    }
    const temp = this.temp;
    if (!temp) return;
    if (!this.written) {
      this.abandon();
      return;
    }
    try {
      fsyncSync(temp.fd);
      closeSync(temp.fd);
      this.temp = null;
      renameSync(temp.path, this.target);
    } catch (err) {
      this.temp = null;
      removeTemp(temp.path);
      throw new OutputError(`cannot write ${this.output}: ${errorReason(err)}`);
    }
    pending.delete(temp.path);
    if (pending.size === 0) unwatchEnd();
  }

  /** Remove an unfinished report's temporary file (nothing to do once finished). */
  abandon(): void {
    if (this.direct) {
      this.closeDirect();
      return;
    }
    const temp = this.temp;
    if (!temp) return;
    this.temp = null;
    try {
      closeSync(temp.fd);
    } catch {
      // Closing can only fail on a descriptor already gone; the file is removed below either way.
    }
    removeTemp(temp.path);
  }

  private closeDirect(): void {
    const direct = this.direct!;
    if (direct.fd !== null) closeSync(direct.fd);
    direct.fd = null;
    direct.closed = true;
  }
}

/**
 * Whether Node writes standard output before `write` returns: a regular file, or a device that is not a terminal
 * (`/dev/null`), which it writes with writeSync (its SyncWriteStream); pipes, sockets and terminals may be written
 * later.
 */
function stdoutWrittenAtOnce(): boolean {
  try {
    const st = fstatSync(1);
    return st.isFile() || (st.isCharacterDevice() && !isatty(1));
  } catch {
    return false;
  }
}

/** Whether a file is this process's standard output (the same device and inode). */
function isStandardOutput(st: BigIntStats): boolean {
  try {
    const out = fstatSync(1, { bigint: true });
    return out.dev === st.dev && out.ino === st.ino;
  } catch {
    return false;
  }
}

function removeTemp(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Gone already.
  }
  pending.delete(path);
  if (pending.size === 0) unwatchEnd();
}

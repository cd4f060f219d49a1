/**
 * Streams a log file line by line (plain or gzip, as logrotate leaves `mail.log.2.gz`), with bounded memory:
 * only the current chunk and one partial line are held, and a line longer than MAX_LINE_CHARS is cut.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { parseLogLine } from './parse.js';
import { YearTracker } from './time.js';
import { MAX_LINE_CHARS, type LogEntry, type LogFileInfo } from './types.js';

export interface ReadLogOptions {
  /** The year of the first line that carries none (`--log-year`). */
  year?: number | null;
  /** Without `year`: the time the log must reach (the capture's start), to guess the year from. */
  referenceSeconds?: number | null;
}

/** Thrown when a log file cannot be opened or read; its message starts with "cannot open" / "cannot read". */
export class LogReadError extends Error {
  constructor(message: string, readonly code: string | undefined) {
    super(message);
  }
}

/** Read `file`, calling `onEntry` for every line in order. */
export async function readServerLog(file: string, onEntry: (entry: LogEntry) => void, options: ReadLogOptions = {}): Promise<LogFileInfo> {
  const gzip = await startsWithGzipMagic(file);
  const info: LogFileInfo = { file, lines: 0, recognised: 0, cutLines: 0, gzip, first: null, last: null, formats: {} };
  const years = new YearTracker(options.year ?? null, options.referenceSeconds ?? null);
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let skipping = false;

  const emit = (raw: string, cut = raw.length > MAX_LINE_CHARS): void => {
    info.lines++;
    if (cut) info.cutLines++;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const { entry, format } = parseLogLine(file, info.lines, text, years);
    if (format !== null) {
      info.recognised++;
      info.formats[format] = (info.formats[format] ?? 0) + 1;
      if (info.first === null) info.first = entry.time;
      info.last = entry.time;
    }
    onEntry(entry);
  };

  const take = (text: string): void => {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      if (skipping) skipping = false;
      else emit(partial + text.slice(start, nl));
      partial = '';
      start = nl + 1;
    }
    if (skipping) return;
    partial += text.slice(start);
    if (partial.length > MAX_LINE_CHARS) {
      // Keep the head of an overlong line, drop the rest up to its newline.
      emit(partial.slice(0, MAX_LINE_CHARS), true);
      partial = '';
      skipping = true;
    }
  };

  const raw = createReadStream(file, { highWaterMark: 256 * 1024 });
  const source = gzip ? raw.pipe(createGunzip()) : raw;
  try {
    for await (const chunk of source) take(decoder.write(chunk as Buffer));
  } catch (err) {
    raw.destroy();
    const e = err as NodeJS.ErrnoException;
    // A damaged gzip tail: the lines before it were delivered; say so and stop.
    if (gzip && (e.code === 'Z_DATA_ERROR' || e.code === 'Z_BUF_ERROR')) {
      info.damage = `gzip data damaged after ${info.lines} lines: ${e.message}`;
    } else {
      throw new LogReadError(`cannot read ${file}: ${e.message}`, e.code);
    }
  }
  const rest = partial + decoder.end();
  if (!skipping && rest.length > 0) emit(rest);
  return info;
}

async function startsWithGzipMagic(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new LogReadError(`cannot open ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`, e.code);
  }
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new LogReadError(`cannot open ${file}: ${e.code === 'EISDIR' ? 'it is a directory' : e.message}`, e.code);
  } finally {
    await handle.close();
  }
}

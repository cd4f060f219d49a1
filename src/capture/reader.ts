import { fstatSync, readSync } from 'node:fs';
import { isatty } from 'node:tty';
import { setImmediate, setTimeout as sleep } from 'node:timers/promises';
import { open, type FileHandle } from 'node:fs/promises';
import { createGunzip, type Gunzip } from 'node:zlib';
import { GZIP_MAGIC_0, GZIP_MAGIC_1 } from './formats.js';
import { CaptureReader } from './push-reader.js';
import { stdinStop } from './stdin.js';
import type { CaptureSummary, FrameSink } from './types.js';
import { checkYoungGeneration } from '../memory.js';

export { CaptureReader } from './push-reader.js';

export interface ReadCaptureOptions {
  /** Size of the chunks read from the file (and produced by gzip). Default 1 MiB. */
  chunkSize?: number;
  /**
   * Resolve instead of rejecting when the file cannot be opened or reading it fails part-way: the summary's
   * damage is then of kind 'unreadable' (after whatever frames were read), so a caller with several files
   * goes on with the others.
   */
  unreadableAsDamage?: boolean;
  /** The descriptor read for '-': standard input's (0) unless a test gives another. */
  stdinFd?: number;
  /** Receives each pcapng Decryption Secrets Block: its secrets type and data (valid during the call only). */
  onSecrets?: (type: number, data: Buffer) => void;
}

const STDIN_FD = 0;
/**
 * Pauses before reading an empty non-blocking pipe again, doubling while it stays empty. The first few are naps
 * of the thread (Atomics.wait), 0.05 to 0.8 ms: a writer as fast as `cat` refills the pipe within microseconds, and
 * a timer's 1 ms at each of the few hundred times a 1 GB pipe ran dry made `streams -` 7 % slower. Then timers,
 * 1 to 20 ms, during which the event loop runs (Ctrl-C is heard): a quiet live capture costs next to no CPU. The
 * writer blocks meanwhile once the pipe is full, which tcpdump's own buffer absorbs.
 */
const EMPTY_PIPE_NAPS = 5;
const EMPTY_PIPE_FIRST_NAP_MS = 0.05;
const EMPTY_PIPE_MAX_PAUSE_MS = 20;
const napCell = new Int32Array(new SharedArrayBuffer(4));

/** Bytes read between two turns given to the event loop (readChunks): a fraction of a second's work. */
const EVENT_LOOP_TURN_BYTES = 16 * 1024 * 1024;

/** Large reads: fewer turns through the generator and fewer records split between chunks. */
const DEFAULT_CHUNK_SIZE = 1024 * 1024;
/**
 * Where a read buffer starts inside its allocation. A buffer this large is allocated by mmap, so it starts 16
 * bytes (malloc's header) past a page boundary, while the file's pages are copied from page boundaries: the
 * kernel's copy then stores just ahead of where it loads, at the same offset within a page, and the CPU stalls
 * on every line (4K aliasing). Reading 1 GB of cached file took 0.6 s that way against 0.15 s with the buffer
 * moved half a page (measured on this machine's AMD EPYC; dd, whose buffer is page-aligned, has no stall).
 */
const READ_BUFFER_SHIFT = 2048;
/** How often the young generation's size is looked at (memory.ts). */
const HEAP_CHECK_BYTES = 1024 * 1024;

/** One-line reasons for the errors opening a file can give. */
const OPEN_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  ENOTDIR: 'no such file (a part of the path is not a directory)',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
};

/**
 * Read a capture file (a path, or '-' for stdin), gzip-compressed or not, and deliver every frame to
 * `sink`. gzip is detected by its magic bytes, pcap vs pcapng by theirs.
 *
 * Rejects only when the file cannot be opened or read (message: `cannot open FILE: no such file`), unless
 * `unreadableAsDamage` asks for that to be reported as damage.
 * Damaged content resolves normally, with `damage` set in the summary; a gzip stream that ends early is
 * `truncated`, one with bad data `corrupt`, and what was decompressed before is still read.
 */
export async function readCapture(
  file: string,
  sink: FrameSink,
  opts: ReadCaptureOptions = {},
): Promise<CaptureSummary> {
  const chunkSize = opts.chunkSize && opts.chunkSize > 0 ? opts.chunkSize : DEFAULT_CHUNK_SIZE;
  const reader = new CaptureReader(file, sink, opts.onSecrets);
  /** Set once the chunks go straight to the parser (not gzip): their buffers can then be reused. */
  const recycle = { ok: false };
  const stdinFd = opts.stdinFd ?? STDIN_FD;
  let handle: FileHandle | null = null;
  try {
    if (file === '-') {
      // Reading a terminal would wait for a capture to be typed in.
      if (isatty(stdinFd)) throw new Error('standard input is a terminal (pipe a capture into it, or name a file)');
      // A pipe is made non-blocking (touching process.stdin does that, and only that: it reads nothing until asked),
      // so that a read never waits inside the process: with a live capture piped in, the reads find the pipe empty
      // most of the time, and the program must still hear Ctrl-C (cli.ts) even when the writer never closes.
      if (stdinFd === STDIN_FD) {
        const kind = fstatSync(stdinFd);
        if (kind.isFIFO() || kind.isSocket()) void process.stdin;
      }
    } else {
      handle = await open(file, 'r');
      if ((await handle.stat()).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    }
  } catch (err) {
    await handle?.close().catch(() => undefined);
    if (opts.unreadableAsDamage) {
      const summary = reader.end();
      summary.damage = { kind: 'unreadable', offset: 0, message: `cannot open: ${describeError(err)}` };
      return summary;
    }
    throw new Error(`cannot open ${file}: ${describeError(err)}`);
  }
  const input = handle === null ? readChunks(stdinFd, chunkSize, recycle, stdinStop) : fileChunks(handle, chunkSize, recycle);

  let gunzip: Gunzip | null = null;
  let gzipError: (Error & { code?: string }) | null = null;
  let sniffed: Buffer | null = null;
  let decided = false;
  const held: HeldBack = { bytes: Buffer.alloc(0) };
  /** An exception thrown by the sink: not a read error, rethrown as it is. */
  let sinkError: unknown = null;
  let inBody = false;
  /** Why reading failed part-way (with `unreadableAsDamage`). */
  let readError: string | null = null;
  let sinceHeapCheck = 0;
  try {
    for await (const piece of input) {
      inBody = true;
      let chunk = piece as Buffer;
      sinceHeapCheck += chunk.length;
      if (sinceHeapCheck >= HEAP_CHECK_BYTES) {
        sinceHeapCheck = 0;
        checkYoungGeneration();
      }
      if (!decided) {
        // Decide gzip or not on the first two bytes; hold back a lone first byte.
        if (sniffed !== null) {
          chunk = Buffer.concat([sniffed, chunk]);
          sniffed = null;
        }
        if (chunk.length < 2) {
          sniffed = chunk;
          continue;
        }
        decided = true;
        if (chunk[0] === GZIP_MAGIC_0 && chunk[1] === GZIP_MAGIC_1) {
          gunzip = createGunzip({ chunkSize: Math.max(MIN_ZLIB_CHUNK, chunkSize) });
          const g: Gunzip = gunzip;
          g.on('data', (out: Buffer) => {
            if (sinkError !== null) return;
            try {
              reader.push(out);
            } catch (e) {
              sinkError = e;
              g.destroy();
            }
          });
          g.on('error', (err: Error) => {
            gzipError ??= err;
          });
        }
      }
      if (gunzip !== null) {
        if (gunzip.destroyed) break;
        if (!writeHoldingBack(gunzip, chunk, held)) await drained(gunzip);
        if (gzipError !== null || sinkError !== null || reader.stopped) break;
      } else {
        recycle.ok = chunk === piece;
        reader.push(chunk, recycle.ok);
        if (reader.stopped) break;
      }
      inBody = false;
    }
  } catch (err) {
    if (inBody) throw err;
    if (!opts.unreadableAsDamage) throw new Error(`cannot read ${file}: ${describeError(err)}`);
    readError = describeError(err);
  }
  if (sniffed !== null) reader.push(sniffed);
  if (gunzip !== null) {
    if (gzipError === null && sinkError === null && !reader.stopped) {
      const g: Gunzip = gunzip;
      await new Promise<void>((resolve) => {
        g.once('end', resolve);
        g.once('error', () => resolve());
        g.once('close', resolve);
        // The held-back tail gets a write of its own, finished before end(): the final flush fails on a
        // cut stream, and zlib drops the output of a failing call.
        if (held.bytes.length > 0) g.write(held.bytes, () => g.end());
        else g.end();
      });
    } else {
      gunzip.destroy();
    }
    if (sinkError !== null) throw sinkError;
  }

  const summary = reader.end();
  summary.gzip = gunzip !== null;
  if (readError !== null) {
    summary.damage = { kind: 'unreadable', offset: summary.bytes, message: `reading failed after ${summary.bytes} bytes: ${readError}` };
    return summary;
  }
  const err = gzipError as (Error & { code?: string }) | null;
  if (err !== null && !(summary.damage && summary.damage.kind !== 'truncated' && summary.damage.kind !== 'empty')) {
    const cutShort = err.code === 'Z_BUF_ERROR';
    const what = cutShort ? 'the gzip stream ends early' : `the gzip data is corrupt (${err.message})`;
    const prior = summary.damage;
    summary.damage =
      prior && prior.kind === 'truncated'
        ? { kind: cutShort ? 'truncated' : 'corrupt', offset: prior.offset, message: `${prior.message}: ${what}` }
        : { kind: cutShort ? 'truncated' : 'corrupt', offset: summary.bytes, message: what };
  }
  return summary;
}

/** The file's bytes in chunks (readChunks); closes the file when done or abandoned. */
async function* fileChunks(handle: FileHandle, chunkSize: number, recycle: { ok: boolean }): AsyncGenerator<Buffer> {
  try {
    yield* readChunks(handle.fd, chunkSize, recycle, null);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * The bytes of a file or of standard input in chunks of up to `chunkSize`.
 *
 * Read synchronously: a read of a cached file takes a fraction of a millisecond per MiB, less than the round
 * trip through libuv's thread pool costs when the cores are busy parsing (reading standard input that way made
 * `cat F | analyze -` a fifth slower). One buffer is reused while `recycle.ok` says the caller is done with a
 * chunk once it asks for the next (a fresh buffer per chunk costs page faults and garbage collection: a read loop
 * goes ten times slower). process.stdin gives a fresh 64 KiB buffer per chunk: analyzing 1 GB from a pipe through
 * it took a quarter longer than this way, with 25–30 MB more memory.
 *
 * A non-blocking descriptor with nothing to read yet (EAGAIN) is tried again after a pause that grows while it
 * stays empty (EMPTY_PIPE_NAPS); `stop`, when aborted, ends the reading there.
 */
async function* readChunks(fd: number, chunkSize: number, recycle: { ok: boolean }, stop: AbortSignal | null): AsyncGenerator<Buffer> {
  let buffer: Buffer | null = null;
  let sinceTurn = 0;
  /** Reads in a row that found the pipe empty. */
  let empty = 0;
  for (;;) {
    if (stop?.aborted) return;
    if (buffer === null || !recycle.ok) buffer = Buffer.allocUnsafe(chunkSize + READ_BUFFER_SHIFT).subarray(READ_BUFFER_SHIFT);
    let bytesRead: number;
    try {
      bytesRead = readSync(fd, buffer, 0, chunkSize, null);
    } catch (err) {
      if ((err as { code?: string }).code !== 'EAGAIN') throw err;
      empty++;
      if (empty <= EMPTY_PIPE_NAPS) {
        Atomics.wait(napCell, 0, 0, EMPTY_PIPE_FIRST_NAP_MS * 2 ** (empty - 1));
        continue;
      }
      try {
        await sleep(Math.min(2 ** (empty - EMPTY_PIPE_NAPS - 1), EMPTY_PIPE_MAX_PAUSE_MS), undefined, stop ? { signal: stop } : undefined);
      } catch {
        return; // stopped while waiting
      }
      continue;
    }
    if (bytesRead === 0) return;
    empty = 0;
    // Synchronous reads never give the event loop a turn: let it run now and then, so that the worker threads
    // analyzing other captures (analyze/lanes.ts) get their next capture when they are done, and a
    // Ctrl-C is heard.
    sinceTurn += bytesRead;
    if (sinceTurn >= EVENT_LOOP_TURN_BYTES) {
      sinceTurn = 0;
      await setImmediate();
    }
    yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
  }
}

/** zlib's smallest output chunk. */
const MIN_ZLIB_CHUNK = 64;
/** A gzip member ends with CRC-32 and length (8 bytes). */
const GZIP_TRAILER = 8;

interface HeldBack {
  bytes: Buffer;
}

/**
 * Write to gunzip all but the last 8 bytes seen so far, which are held back for the next write. zlib
 * drops the output of the call that fails, so the trailer (where a bad CRC is found) is handed over on
 * its own, after all the data it checks has been decompressed and delivered.
 */
function writeHoldingBack(gunzip: Gunzip, chunk: Buffer, held: HeldBack): boolean {
  let ok = true;
  if (chunk.length >= GZIP_TRAILER) {
    if (held.bytes.length > 0) ok = gunzip.write(held.bytes);
    if (chunk.length > GZIP_TRAILER) ok = gunzip.write(chunk.subarray(0, chunk.length - GZIP_TRAILER)) && ok;
    held.bytes = chunk.subarray(chunk.length - GZIP_TRAILER);
    return ok;
  }
  const all = Buffer.concat([held.bytes, chunk]);
  if (all.length > GZIP_TRAILER) {
    ok = gunzip.write(all.subarray(0, all.length - GZIP_TRAILER));
    held.bytes = all.subarray(all.length - GZIP_TRAILER);
  } else {
    held.bytes = all;
  }
  return ok;
}

/** Resolves when a writable can take more, or when it failed (the caller checks the error). */
function drained(stream: Gunzip): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('error', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('error', done);
    stream.on('close', done);
  });
}

function describeError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e && typeof e.code === 'string' && OPEN_ERRORS[e.code]) return OPEN_ERRORS[e.code];
  const msg = e && typeof e.message === 'string' ? e.message : String(err);
  return msg.split('\n')[0];
}

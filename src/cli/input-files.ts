/** Files the options name beside the captures (`--ca`, `--cert`), read whole, bounded. */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { UsageError } from '../exit.js';
import { errorReason, fileKind } from '../report/report-file.js';
import { loadTrustStore, type TrustStore } from '../tls/trust-store.js';
import { loadConfiguredChain, type ConfiguredChain } from '../tls/configured-chain.js';
import { readKeyLog, type KeyLog } from '../tls/keylog.js';

/** The most `--ca` and `--cert` read: far above any real bundle (Mozilla's whole store is about 0.2 MB as PEM). */
export const SMALL_FILE_MAX_BYTES = 16 * 1024 * 1024;

/**
 * `--ca` and `--cert`: a regular file of at most SMALL_FILE_MAX_BYTES, checked before a byte is read (a device such
 * as /dev/zero or a FIFO would be read forever, a huge file would fill memory), and again on the opened file (it may
 * have been swapped since). Anything else is a usage error, before any capture is read.
 */
export function readSmallRegularFile(option: string, file: string, what: string): Buffer {
  const refuse = (why: string) => new UsageError(`${option} ${file}: ${why}`);
  const tooLarge = (size: number) => refuse(`${(size / (1024 * 1024)).toFixed(1)} MB, more than the ${SMALL_FILE_MAX_BYTES / (1024 * 1024)} MB ${what} may hold`);
  const check = (st: Stats) => {
    if (!st.isFile()) throw refuse(`is ${fileKind(st)}, not ${what}`);
    if (st.size > SMALL_FILE_MAX_BYTES) throw tooLarge(st.size);
  };
  let fd: number;
  try {
    check(statSync(file));
    // Non-blocking: a FIFO put in its place since the stat must not hang the open.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw err instanceof UsageError ? err : refuse(errorReason(err));
  }
  const bytes = Buffer.alloc(SMALL_FILE_MAX_BYTES + 1);
  let length = 0;
  try {
    check(fstatSync(fd));
    for (let n = 1; n > 0 && length < bytes.length; length += n) n = readSync(fd, bytes, length, bytes.length - length, null);
  } catch (err) {
    throw err instanceof UsageError ? err : refuse(errorReason(err));
  } finally {
    closeSync(fd);
  }
  // A file that grew since its stat.
  if (length > SMALL_FILE_MAX_BYTES) throw tooLarge(length);
  return bytes.subarray(0, length);
}

export function readTrustStore(file: string): TrustStore {
  const loaded = loadTrustStore(readSmallRegularFile('--ca', file, 'a file of CA certificates'), file);
  if (!loaded.ok) throw new UsageError(`--ca ${loaded.error}`);
  return loaded.store;
}

/** `--cert FILE`: the chain the server is configured with, PEM. */
export function readConfiguredChain(file: string): ConfiguredChain {
  const loaded = loadConfiguredChain(readSmallRegularFile('--cert', file, 'a certificate chain file'), file);
  if (!loaded.ok) throw new UsageError(`--cert ${loaded.error}`);
  return loaded.chain;
}

/**
 * `--keylog FILE` (repeatable): NSS key logs read into one set of secrets, or undefined when none is given. A file
 * without one key log line is a usage error (its lines are never quoted: they hold secrets).
 */
export function readKeyLogs(files: readonly string[]): KeyLog | undefined {
  if (files.length === 0) return undefined;
  const keys: KeyLog = new Map();
  for (const file of files) {
    const reading = readKeyLog(readSmallRegularFile('--keylog', file, 'a key log').toString('latin1'), keys);
    if (reading.lines === 0) {
      const why = reading.problems.length > 0 ? `: ${reading.problems[0]}` : '';
      throw new UsageError(`--keylog ${file}: no key log line (CLIENT_RANDOM, CLIENT_HANDSHAKE_TRAFFIC_SECRET, … followed by a client random and a secret in hex)${why}`);
    }
  }
  return keys;
}

/**
 * Standard input read as a capture ('-'). A process has one, so whether to go on reading it is the process's
 * to say: the command line stops it on Ctrl-C when a live capture is piped in (`tcpdump -w - | tlsdissect
 * analyze -`), and the capture then ends with what was read.
 */
const stop = new AbortController();

/** Aborted once reading standard input should stop. */
export const stdinStop: AbortSignal = stop.signal;

/** Reading standard input stops at its next read; what was read so far is the capture. */
export function stopReadingStdin(): void {
  stop.abort();
}

/** Exit codes, documented in the README. */
export const EXIT = {
  ok: 0,
  /** `--fail-on-failure` and at least one handshake failed. */
  failuresFound: 1,
  /** Bad command line. */
  usage: 2,
  /** An input could not be read at all: missing file, not a capture, empty, damaged before its first packet. */
  unreadable: 3,
  /** A capture was damaged part-way: everything before the damage was analyzed. */
  partlyRead: 4,
  /** A bug in tlsdissect. */
  internal: 5,
  /** The report could not be written (`-o` file, or standard output: disk full, …). */
  outputFailed: 6,
  /** A second Ctrl-C while a live capture was read from standard input: quit without a report (128 + SIGINT). */
  interrupted: 130,
} as const;

export class UsageError extends Error {}

/** Writing the report failed: one line, exit 6. */
export class OutputError extends Error {}

interface CaptureOutcome {
  frames: number;
  damage: { kind: string } | null;
}

/** A capture that gave nothing readable: missing, not a capture, empty, or damaged before its first packet. */
const nothingRead = (c: CaptureOutcome) => c.damage !== null && (c.frames === 0 || c.damage.kind === 'not-a-capture' || c.damage.kind === 'empty');

/** 3 when some capture gave nothing readable (no packet), 4 when some capture was cut short, else 0. */
export function exitCodeForCaptures(captures: readonly CaptureOutcome[]): number {
  if (captures.some(nothingRead)) return EXIT.unreadable;
  if (captures.some((c) => c.damage)) return EXIT.partlyRead;
  return EXIT.ok;
}

/**
 * No capture gave anything readable: there is no report to make (the errors on standard error say why), so none
 * is written, neither to standard output nor to an `-o` file.
 */
export function nothingReadAtAll(captures: readonly CaptureOutcome[]): boolean {
  return captures.length > 0 && captures.every(nothingRead);
}

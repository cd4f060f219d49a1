/** Exit codes, documented in the README. */
export const EXIT = {
  ok: 0,
  /** `--fail-on-failure` and at least one handshake failed. */
  failuresFound: 1,
  /** Bad command line. */
  usage: 2,
  /** No input could be read at all: missing file, not a capture, empty. */
  unreadable: 3,
  /** A capture was damaged part-way: everything before the damage was analyzed. */
  partlyRead: 4,
  /** A bug in tlsdissect. */
  internal: 5,
} as const;

export class UsageError extends Error {}

interface CaptureOutcome {
  frames: number;
  damage: { kind: string } | null;
}

/** 3 when some capture gave nothing readable, 4 when some capture was cut short, else 0. */
export function exitCodeForCaptures(captures: readonly CaptureOutcome[]): number {
  if (captures.some((c) => c.damage && (c.damage.kind === 'not-a-capture' || c.damage.kind === 'empty'))) return EXIT.unreadable;
  if (captures.some((c) => c.damage)) return EXIT.partlyRead;
  return EXIT.ok;
}

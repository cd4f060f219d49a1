/** Types of fuzz-mutate.mjs (used by the tests in test/fuzz/). */
export interface Rng {
  next(): number;
  int(n: number): number;
  pick<T>(list: readonly T[]): T;
  chance(p: number): boolean;
}
export function rng(seed: number): Rng;

export interface Unit {
  bytes: Buffer;
  /** Offset of the packet data in `bytes`; -1 for pcapng blocks that hold no packet. */
  dataStart: number;
  le?: boolean;
}
export interface SplitCapture {
  kind: 'pcap' | 'pcapng' | 'raw';
  gzip: boolean;
  le: boolean;
  recordHeader?: number;
  header: Buffer;
  units: Unit[];
  tail?: Buffer;
}
export function splitCapture(bytes: Buffer): SplitCapture;
export function joinCapture(cap: SplitCapture, opts?: { gzip?: boolean }): Buffer;

export interface CorpusEntry {
  name: string;
  bytes: Buffer;
  cap: SplitCapture;
  /** The capture without gzip. */
  plain: Buffer;
}
export function prepareCorpus(files: { name: string; bytes: Buffer }[]): CorpusEntry[];
export function mutateCapture(seed: number, entry: CorpusEntry, corpus: readonly CorpusEntry[]): { bytes: Buffer; ops: string[] };

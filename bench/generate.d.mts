/** Types for bench/generate.mjs (used by test/bench/replay.test.ts). */

export interface GenerateOptions {
  /** Stop at about this many bytes (with `drain`, the open connections finish first). */
  size?: number;
  /** Write the capture here; null or absent: only count. */
  out?: string | null;
  seed?: number;
  /** Connections open at once. */
  concurrency?: number;
  /** Start no more than this many connections. */
  connections?: number;
  /** Keep each connection's frames and records (for writing it alone). */
  keepConnections?: boolean;
  drain?: boolean;
  bodies?: boolean;
  reorder?: number;
  retransmit?: number;
  handshakeRetransmit?: number;
  completeShare?: number;
}

export interface GeneratedConnection {
  /** 1-based, in order of start. */
  n: number;
  /** The lab connection replayed: "file.pcap:clientPort". */
  tpl: { name: string; complete: boolean };
  /** Frame numbers (1-based) of its packets in the mixed capture. */
  frames: number[];
  /** Its pcap records (16-byte header and frame), in order. */
  records: Buffer[];
}

export interface GenerateResult {
  bytes: number;
  frames: number;
  connections: number;
  /** Connections started, by kind (mail mix: completed, after-client-hello, after-server-hello-done, alert). */
  byKind?: Record<string, number>;
  connectionsList?: GeneratedConnection[];
}

export const DEFAULTS: Readonly<Record<string, unknown>>;
export function generate(options: GenerateOptions): GenerateResult;
/** A classic pcap file (Ethernet, microseconds) of the given records. */
export function pcapOf(records: Buffer[]): Buffer;
export function parseSize(text: string): number;
/** A SYN flood: `connections` connections that never carry a byte (bench/generate.mjs --profile syn-flood). */
export function synFlood(options?: { connections?: number; rate?: number; seed?: number; answer?: 'none' | 'syn-ack' | 'rst'; out?: string | null; startTime?: number }): GenerateResult;
/** The mail mix of issue 20 (bench/generate.mjs --profile mail-mix): short lab sessions, 40–50 % failed. */
export function mailMix(options?: GenerateOptions & { failedShare?: number; arrivalRate?: number; timeScale?: [number, number]; maxDuration?: number; clientHelloWait?: number; startTime?: number }): GenerateResult;

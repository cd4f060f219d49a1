import type { ConnectionReport } from '../handshake/report.js';
import type { Endpoint, Side } from '../tcp/types.js';

/**
 * Where a difference lies: the client's offer, the server's answer, its certificates, TCP, alerts, the records
 * and messages that could not be decoded as what they claim (`messages`), the step timeline.
 */
export type DiffArea = 'clienthello' | 'server' | 'certificates' | 'tcp' | 'alerts' | 'messages' | 'timing';

/**
 * How much a difference matters for the failure:
 * - `likely-cause`: it explains (or is the direct evidence of) why the bad handshake failed;
 * - `notable`: a real difference in configuration or behaviour that did not, by itself, cause the failure;
 * - `cosmetic`: expected between any two connections (timing jitter, extension order, RTT noise).
 */
export type DiffWeight = 'likely-cause' | 'notable' | 'cosmetic';

/** One difference, as `diff --format json` writes it (the contract documented in the README). */
export interface Difference {
  area: DiffArea;
  /** camelCase name of what differs: `cipherSuites`, `mssClient`, `serverFlightAcked`, … */
  field: string;
  /** The value on each side (JSON: strings, numbers, lists, small objects; null when absent). */
  good: unknown;
  bad: unknown;
  weight: DiffWeight;
  /** The difference in plain words, bad side first. */
  summary: string;
  /** For lists compared by name: what the bad side has that the good one does not, and the reverse. */
  added?: string[];
  removed?: string[];
  /** The same names, in another order. */
  reordered?: boolean;
  /** The handshake step a timing difference is about. */
  step?: number;
}

/** Which connection a side of the diff is, and why it was chosen when the command line did not say. */
export interface ConnectionRef {
  capture: string;
  id: number;
  client: Endpoint;
  server: Endpoint;
  protocol: ConnectionReport['protocol'];
  outcome: ConnectionReport['outcome'];
  lastStep: number;
  lastStepName: string;
  start: string;
  /** What `analyze` says about this connection on its own. */
  diagnosis: string;
  /** Why this connection was picked (`null` when it was named with `file#N` or `file@client=…`). */
  chosen: string | null;
}

/** What one side did right after the last step both reached. */
export interface DivergenceSide {
  /** 'step' the next handshake step; else how the connection ended there. */
  kind: 'step' | 'alert' | 'fin' | 'rst' | 'capture-end' | 'nothing';
  by: Side | null;
  /** The next step's number, when kind is 'step'. */
  step: number | null;
  /** In words: 'answers with ClientKeyExchange', 'closes with FIN'. */
  what: string;
  /** Milliseconds after the last common step (after the connection's start when no step is common). */
  afterMs: number | null;
  frame: number | null;
  /** What else happened before that end: 'the server retransmitted 9 times meanwhile'. */
  note: string | null;
}

/** Where the two stories part. */
export interface Divergence {
  /** The last step both reached, in the same order (0 = not even the ClientHello). */
  step: number;
  stepName: string;
  /** 'both reach step 4 ServerHelloDone; the good client answers with …, the bad client closes with FIN after 2.0 ms'. */
  summary: string;
  good: DivergenceSide;
  bad: DivergenceSide;
}

export interface DiffResult {
  good: ConnectionRef;
  bad: ConnectionRef;
  /** null when both took the same path to the same end. */
  divergence: Divergence | null;
  /** Likely causes first (strongest explanation first), then notable, then cosmetic differences. */
  differences: Difference[];
  /** What was compared and found the same, in plain words (so the reader can trust the comparison). */
  identical: string[];
  /** The likely cause concluded in one sentence (path-MTU black hole, the client gave up on its own…), when the differences allow one. */
  conclusion: string | null;
  /** Plain words: where they part, the likely cause, the other differences, what was identical. */
  verdict: string;
}

import type { Side } from '../tcp/types.js';

/** What a protocol dialogue reports to the sniffer while it reads lines. */
export interface DialogueEvents {
  /** The server listed (true) or did not list (false) STARTTLS/STLS in a complete capability answer. */
  offered(yes: boolean): void;
  /** The client sent STARTTLS/STLS: its TLS may begin with its next byte. */
  asked(): void;
  /** The server answered STARTTLS/STLS; when accepted its TLS may begin with its next byte. */
  answered(reply: string, accepted: boolean): void;
  /** The client greeted with SMTP HELO, which gets no extension list. */
  helo(): void;
  /** `length` bytes that are not lines follow on this side (IMAP literal, SMTP BDAT chunk). */
  skip(from: Side, length: number): void;
}

/**
 * One application protocol's plaintext dialogue. It gets complete lines without their line ending, decoded
 * as latin1, in the order each side sent them (the sides interleaved in capture order).
 */
export interface Dialogue {
  /** The command that starts TLS: 'STARTTLS' (SMTP, IMAP) or 'STLS' (POP3). */
  readonly startCommand: 'STARTTLS' | 'STLS';
  /** True while the client sends a message body (SMTP DATA): its lines are not commands. */
  readonly clientBody: boolean;
  /** Reads a client line; returns the text to show in the transcript (credentials redacted). */
  clientLine(line: string): string;
  serverLine(line: string): void;
}

/** Replaces secrets in transcript lines. */
export const REDACTED = '<redacted>';

/** Bound on commands waiting for a reply: a client that pipelines more than this is not a mail client. */
export const MAX_PENDING = 64;

/** The first space-separated word of `line`, upper-cased (commands are case-insensitive in all three). */
export function firstWord(line: string, from = 0): string {
  let start = from;
  while (start < line.length && line.charCodeAt(start) === 0x20) start++;
  let end = start;
  while (end < line.length && line.charCodeAt(end) !== 0x20) end++;
  return line.slice(start, end).toUpperCase();
}

/** `{123}` or `{123+}` at the end of an IMAP line: the length of the literal that follows, else -1. */
export function literalLength(line: string): number {
  const m = /\{(\d{1,10})\+?\}$/.exec(line);
  return m ? Number(m[1]) : -1;
}

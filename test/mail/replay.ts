// Feeds recorded TCP payloads (test/mail/fixtures/*.json, made by extract.mjs) to a MailSniffer in several
// chunkings, the way the TCP stage would, and collects what push() returned.
import { expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MailSniffer } from '../../src/mail/sniffer.js';
import { defaultPorts, type PortRole } from '../../src/mail/ports.js';
import type { MailPhase } from '../../src/mail/types.js';
import type { Side } from '../../src/tcp/types.js';

export interface Chunk {
  from: Side;
  offset: number;
  frame: number;
  time: number;
  data: Buffer;
}

export interface FixtureConnection {
  stream: number;
  client: string;
  server: string;
  serverPort: number;
  /** Stream offsets where tshark decoded its first TLS record, per side. */
  oracle: { tlsStart: { client: number | null; server: number | null } };
  bytes: { total: { client: number; server: number }; kept: { client: number; server: number } };
  chunks: Chunk[];
}

export interface Fixture {
  source: string;
  capture: string;
  why: string;
  connections: FixtureConnection[];
}

const HERE = dirname(fileURLToPath(import.meta.url));

export function loadFixture(name: string): Fixture {
  const raw = JSON.parse(readFileSync(join(HERE, 'fixtures', `${name}.json`), 'utf8'));
  for (const c of raw.connections) {
    c.chunks = c.chunks.map((ch: { hex: string } & Omit<Chunk, 'data'>) => ({
      from: ch.from,
      offset: ch.offset,
      frame: ch.frame,
      time: ch.time,
      data: Buffer.from(ch.hex, 'hex'),
    }));
  }
  return raw as Fixture;
}

/** How the recorded segments are cut up before being pushed. */
export type Chunking = 'segments' | 'coalesced' | 'bytes' | 'odd' | 'sides';
export const CHUNKINGS: Chunking[] = ['segments', 'coalesced', 'bytes', 'odd', 'sides'];

/** The same bytes, in capture order, cut differently. 'sides' = all client bytes, then all server bytes. */
export function rechunk(chunks: Chunk[], how: Chunking): Chunk[] {
  switch (how) {
    case 'segments':
      return chunks;
    case 'coalesced': {
      const out: Chunk[] = [];
      for (const c of chunks) {
        const last = out[out.length - 1];
        if (last && last.from === c.from && last.offset + last.data.length === c.offset) {
          out[out.length - 1] = { ...c, offset: last.offset, data: Buffer.concat([last.data, c.data]) };
        } else out.push(c);
      }
      return out;
    }
    case 'bytes':
      return chunks.flatMap((c) => [...c.data].map((_, i) => ({ ...c, offset: c.offset + i, data: c.data.subarray(i, i + 1) })));
    case 'odd': {
      // Cuts of 1, 2, 3, 5, 7, 11, 2, 3, ... bytes: lines and record headers split at every position.
      const sizes = [1, 2, 3, 5, 7, 11, 13];
      let k = 0;
      const out: Chunk[] = [];
      for (const c of chunks) {
        for (let i = 0; i < c.data.length; ) {
          const n = sizes[k++ % sizes.length];
          out.push({ ...c, offset: c.offset + i, data: c.data.subarray(i, i + n) });
          i += n;
        }
      }
      return out;
    }
    case 'sides':
      return [...rechunk(chunks.filter((c) => c.from === 'client'), 'coalesced'), ...rechunk(chunks.filter((c) => c.from === 'server'), 'coalesced')];
  }
}

export interface Replay {
  phase: MailPhase;
  /** Stream offset per side where push() said TLS begins (its return value turned into an offset). */
  pushedTlsStart: { client: number | null; server: number | null };
  /** push() returned 0 for every call after TLS began. */
  zeroAfterTls: boolean;
}

export function replay(chunks: Chunk[], serverPort: number, ports?: Map<number, PortRole>): Replay {
  const sniffer = new MailSniffer(serverPort, ports);
  const pushedTlsStart: Replay['pushedTlsStart'] = { client: null, server: null };
  let zeroAfterTls = true;
  for (const c of chunks) {
    const at = sniffer.push(c.from, c.data, c.offset, c.frame, c.time);
    if (pushedTlsStart[c.from] !== null) {
      if (at !== 0) zeroAfterTls = false;
    } else if (at < c.data.length) {
      pushedTlsStart[c.from] = c.offset + at;
    }
  }
  return { phase: sniffer.result(), pushedTlsStart, zeroAfterTls };
}

/** Builds chunks for synthetic dialogues: [side, text or bytes] in capture order, one segment each. */
export function script(steps: [Side, string | Buffer][]): Chunk[] {
  const offsets = { client: 0, server: 0 };
  return steps.map(([from, content], i) => {
    const data = typeof content === 'string' ? Buffer.from(content, 'latin1') : content;
    const chunk = { from, offset: offsets[from], frame: i + 1, time: i, data };
    offsets[from] += data.length;
    return chunk;
  });
}

/**
 * The phase of a dialogue replayed whole, after checking that every chunking (`chunkings`) gives the same fields,
 * the same TLS starts, and nothing after TLS: how a mail-stage test reads one dialogue.
 */
export function replayEveryChunking(chunks: Chunk[], port: number, ports = defaultPorts(), chunkings: readonly Chunking[] = CHUNKINGS): MailPhase & { pushed: { client: number | null; server: number | null } } {
  const reference = replay(chunks, port, ports);
  for (const how of chunkings) {
    const r = replay(rechunk(chunks, how), port, ports);
    const { transcript: _a, ...fields } = r.phase;
    const { transcript: _b, ...refFields } = reference.phase;
    expect(fields, how).toEqual(refFields);
    expect(r.pushedTlsStart, how).toEqual(reference.phase.tlsStart);
    expect(r.zeroAfterTls, how).toBe(true);
  }
  return { ...reference.phase, pushed: reference.pushedTlsStart };
}

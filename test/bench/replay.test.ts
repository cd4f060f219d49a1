/**
 * issue 6's proof: `analyze` on a generated capture (bench/generate.mjs: lab handshakes replayed with new
 * addresses, ports, sequence numbers and timing, many at once, with mail bodies, retransmissions and
 * reordering) says about each connection exactly what it says about that connection's packets alone.
 * Also: several captures analyzed at once (worker threads) give what one after the other gives.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, pcapOf, type GeneratedConnection } from '../../bench/generate.mjs';
import { analyzeCapture, analyzeCaptures } from '../../src/analyze/pipeline.js';
import type { ConnectionReport } from '../../src/handshake/report.js';
import { StreamOutput } from '../../src/report/analyze/stream-output.js';
import { analyzeIntoOutput } from '../../src/analyze/lanes.js';
import { collectStreams } from '../../src/tcp/collect.js';
import { renderAnalysisText } from '../helpers/render-whole.js';

let dir: string;
let mixed: string;
let generated: GeneratedConnection[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tlsdissect-replay-'));
  mixed = join(dir, 'mixed.pcap');
  const r = generate({ out: mixed, seed: 7, connections: 60, concurrency: 20, keepConnections: true, bodies: true });
  generated = r.connectionsList!;
  generated.forEach((c, i) => writeFileSync(join(dir, `alone-${i + 1}.pcap`), pcapOf(c.records)));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The report of a connection analyzed alone, with its frame numbers turned into those of the mixed capture. */
function inMixedTerms(report: ConnectionReport, frames: readonly number[], id: number): unknown {
  const frame = (n: number): number => frames[n - 1] ?? -n;
  const walk = (v: unknown, key: string): unknown => {
    if (typeof v === 'number') return /frame/i.test(key) ? frame(v) : v;
    if (typeof v === 'string') return v.replace(/\b(frames? )(\d+)/g, (_, word: string, n: string) => `${word}${frame(Number(n))}`);
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, k);
      return out;
    }
    return v;
  };
  return { ...(walk(report, '') as object), id, capture: mixed };
}

describe('a generated capture of many replayed handshakes', () => {
  it('interleaves the connections and holds what was asked for', () => {
    expect(generated.length).toBe(60);
    // Interleaved: some connection's frames are not one run.
    expect(generated.some((c) => c.frames[c.frames.length - 1]! - c.frames[0]! + 1 > c.frames.length)).toBe(true);
    expect(new Set(generated.map((c) => c.tpl.name)).size).toBeGreaterThan(10);
  });

  it('analyze says about each connection what it says about that connection alone', async () => {
    const all = await analyzeCapture(mixed);
    expect(all.connections.length).toBe(generated.length);
    // Outcomes of every kind are in there: the proof covers failures and successes.
    expect(new Set(all.connections.map((c) => c.outcome))).toEqual(new Set(['complete', 'failed']));
    expect(all.connections.some((c) => c.tcp.retransmissions.client + c.tcp.retransmissions.server > 0)).toBe(true);
    const byFirstFrame = new Map(all.connections.map((c) => [c.firstFrame, c]));
    for (const [i, c] of generated.entries()) {
      const alone = await analyzeCapture(join(dir, `alone-${i + 1}.pcap`));
      expect(alone.connections.length, `connection ${i + 1} alone`).toBe(1);
      const inMix = byFirstFrame.get(c.frames[0]!);
      expect(inMix, `connection ${i + 1} (${c.tpl.name}) in the mixed capture`).toBeDefined();
      expect(inMixedTerms(alone.connections[0]!, c.frames, inMix!.id), `connection ${i + 1} (${c.tpl.name})`).toEqual(inMix);
    }
  });

  it('streams counts each connection as it counts it alone', async () => {
    const all = await collectStreams([mixed]);
    const byFirstFrame = new Map(all.connections.map((c) => [c.firstFrame, c]));
    for (const [i, c] of generated.entries()) {
      const alone = await collectStreams([join(dir, `alone-${i + 1}.pcap`)]);
      const row = alone.connections[0]!;
      expect({ ...row, id: 0, capture: '', firstFrame: 0 }).toEqual({ ...byFirstFrame.get(c.frames[0]!)!, id: 0, capture: '', firstFrame: 0 });
    }
  });
});

describe('analyze with several captures', () => {
  async function output(files: string[], format: 'text' | 'json', workers: number, maxConnections?: number): Promise<string> {
    const out = new StreamOutput({ format, files });
    try {
      const { captures, summary, retries } = await analyzeIntoOutput(files, maxConnections === undefined ? {} : { maxConnections }, out, workers);
      return Array.from(out.render(captures, summary, retries), String).join('');
    } finally {
      out.close();
    }
  }

  it('gives in worker threads what it gives one capture after the other', async () => {
    const files = [mixed, join(dir, 'alone-1.pcap'), join(dir, 'alone-2.pcap'), join(dir, 'alone-3.pcap'), join(dir, 'missing.pcap')];
    for (const format of ['text', 'json'] as const) {
      const sequential = await output(files, format, 1);
      expect(await output(files, format, 3)).toBe(sequential);
    }
    // And that is the whole analysis of before.
    expect(await output(files, 'text', 3)).toBe(renderAnalysisText(await analyzeCaptures(files)));
  });

  it('applies the cap on listed connections over the captures in the order given', async () => {
    const files = [join(dir, 'alone-1.pcap'), mixed, join(dir, 'alone-2.pcap')];
    const sequential = await output(files, 'json', 1, 30);
    expect(await output(files, 'json', 2, 30)).toBe(sequential);
    expect((JSON.parse(sequential) as { connections: unknown[] }).connections.length).toBe(30);
  });
});

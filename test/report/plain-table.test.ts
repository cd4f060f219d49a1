import Table from 'cli-table3';
import { describe, expect, it } from 'vitest';
import { renderPlainTable, type PlainTableOptions } from '../../src/report/plain-table.js';

/** What cli-table3 itself draws: the reference. */
function reference(opts: PlainTableOptions, rows: string[][]): string {
  const table = new Table({
    head: opts.head,
    ...(opts.colWidths ? { colWidths: opts.colWidths } : {}),
    ...(opts.wordWrap ? { wordWrap: true, wrapOnWordBoundary: true } : {}),
    style: { head: [], border: [] },
  });
  for (const r of rows) table.push(r);
  return table.toString();
}

/** Deterministic pseudo-random numbers. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['ended — by', '×3 → ←', '≠ ± §', 'client', 'ServerHelloDone', '—', '10.77.0.100:50648', 'TLS 1.2', 'ECDHE_RSA_WITH_AES_256_GCM_SHA384', '→', 'alert unknown_ca ×3', 'a', '', 'x'.repeat(40), 'über', '日本語', '  two  spaces', 'line\nbreak', '4 ServerHelloDone'];

function cell(rand: () => number): string {
  const n = Math.floor(rand() * 6);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(WORDS[Math.floor(rand() * WORDS.length)]!);
  return parts.join(rand() < 0.8 ? ' ' : '  ');
}

describe('renderPlainTable draws what cli-table3 draws', () => {
  it('with widths from the content (the streams table)', () => {
    const rand = random(1);
    for (let t = 0; t < 40; t++) {
      const columns = 1 + Math.floor(rand() * 6);
      const head = Array.from({ length: columns }, () => cell(rand));
      const rows = Array.from({ length: Math.floor(rand() * 12) }, () => Array.from({ length: columns }, () => cell(rand)));
      expect(renderPlainTable({ head }, rows)).toBe(reference({ head }, rows));
    }
  });

  it('with fixed widths and word wrap (the analyze table), truncation included', () => {
    const rand = random(2);
    for (let t = 0; t < 40; t++) {
      const columns = 1 + Math.floor(rand() * 6);
      const head = Array.from({ length: columns }, () => cell(rand));
      const colWidths = Array.from({ length: columns }, () => 3 + Math.floor(rand() * 20));
      const rows = Array.from({ length: Math.floor(rand() * 12) }, () => Array.from({ length: columns }, () => cell(rand)));
      for (const wordWrap of [true, false]) {
        expect(renderPlainTable({ head, colWidths, wordWrap }, rows)).toBe(reference({ head, colWidths, wordWrap }, rows));
      }
    }
  });

  it('leaves cells with escape sequences (colours) to cli-table3', () => {
    const head = ['#', 'outcome'];
    const rows = [['1', '\u001b[31mfailed\u001b[0m'], ['2', '\u001b[32mcomplete\u001b[0m']];
    expect(renderPlainTable({ head }, rows)).toBe(reference({ head }, rows));
  });
});

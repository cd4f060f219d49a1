/**
 * The fuzzer's hostile seeds (test/fuzz/seeds/, written by make-seeds.ts): present, and still carrying what makes
 * them hostile. `npm run fuzz:seeds` writes them again (TLSDISSECT_WRITE_SEEDS=1 runs make-seeds first).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/analyze/pipeline.js';
import { HOSTILE as MARKDOWN } from '../helpers/hostile-tls.js';
import { writeSeeds } from './make-seeds.js';

const SEEDS = join(import.meta.dirname, 'seeds');

if (process.env['TLSDISSECT_WRITE_SEEDS']) writeSeeds();

describe('fuzzer seeds', () => {
  it('are there', () => {
    expect(readdirSync(SEEDS).filter((f) => f.endsWith('.pcap')).sort()).toEqual(['hostile-markdown.pcap', 'hostile-terminal.pcap']);
  });

  it('hostile-markdown.pcap carries the Markdown injections in its SNI and certificate', async () => {
    const { connections } = await analyzeCapture(join(SEEDS, 'hostile-markdown.pcap'));
    expect(connections.map((c) => c.tls.sni)).toContain(MARKDOWN.sni);
    expect(JSON.stringify(connections)).toContain('[link](javascript:alert(1))');
  });

  it('hostile-terminal.pcap carries terminal escapes in its replies, SNI and certificate', async () => {
    const { connections } = await analyzeCapture(join(SEEDS, 'hostile-terminal.pcap'));
    const text = JSON.stringify(connections);
    expect(text).toContain('\\u001b[2J');
    expect(text).toContain('\\u001b]8;;');
    expect(text).toContain('\u202e');
  });
});

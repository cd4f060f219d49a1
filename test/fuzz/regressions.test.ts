/**
 * Replays every input the fuzzer (scripts/fuzz.mjs) found, through what the fuzzer runs: the analysis, every
 * output format, redaction and `streams`. Each must finish and report; see regressions/README.md for what each
 * one found.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/analyze/pipeline.js';
import { renderAnalysisHtml } from '../../src/report/analyze/html.js';
import { renderConnectionMarkdown } from '../../src/report/analyze/markdown.js';
import { renderConnectionText } from '../../src/report/analyze/text.js';
import { redactorFor } from '../../src/report/redact.js';
import { collectStreams } from '../../src/tcp/collect.js';
import { renderAnalysisJson, renderAnalysisMarkdown, renderAnalysisText, renderStreamsJson, renderStreamsText } from '../helpers/render-whole.js';

const DIR = join(import.meta.dirname, 'regressions');
const INPUTS = readdirSync(DIR).filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f)).sort();

describe('fuzzer findings', () => {
  it('are there', () => {
    expect(INPUTS.length).toBeGreaterThan(0);
  });

  for (const name of INPUTS) {
    it(`${name}: finishes and reports in every format`, async () => {
      const file = join(DIR, name);
      const result = await analyzeCaptures([file]);
      expect(result.captures).toHaveLength(1);
      for (const c of result.connections) for (const n of c.notes) expect(n).not.toMatch(/internal error/);
      const redactor = redactorFor(result.connections);
      const red = redactor.value({ connections: result.connections, summary: result.summary });
      // The slow inputs (redact-10000-names-*): redaction scans each string once with a bounded number of look-ups
      // per character, whatever the number of learned names (a regular expression alternating 10,000 names made
      // it names × characters, and took no look-ups at all).
      const chars = JSON.stringify({ connections: result.connections, summary: result.summary }).length;
      expect(redactor.work.scanned).toBeGreaterThan(0);
      expect(redactor.work.scanned).toBeLessThanOrEqual(2 * chars);
      expect(redactor.work.lookups).toBeLessThanOrEqual(redactor.work.scanned);
      for (const r of [result, { ...result, connections: red.connections, summary: red.summary }]) {
        expect(renderAnalysisText(r, { width: 120 })).toContain(file);
        JSON.parse(renderAnalysisJson(r));
        renderAnalysisMarkdown(r);
        renderAnalysisHtml(r, { connections: r.connections.slice(0, 3) });
        for (const c of r.connections) {
          renderConnectionText(c);
          renderConnectionMarkdown(c);
        }
      }
      const streams = await collectStreams([file]);
      renderStreamsText(streams);
      JSON.parse(renderStreamsJson(streams));
    });
  }
});

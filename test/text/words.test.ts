/**
 * The words every stage shares (src/text/words.ts), and the disagreements they ended: one report of
 * tls1.2-broken-ccs.pcap once said both "client encrypted alert" (its table) and "client alert encrypted" (its
 * summary), and the diff said "capture ended" where the summary said "capture end".
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/analyze/pipeline.js';
import { endpoint, endWords, groupThousands, millis, plural, secondsWords } from '../../src/text/words.js';
import { renderAnalysisMarkdown, renderAnalysisText } from '../helpers/render-whole.js';

const CAPTURES = join(import.meta.dirname, '../../captures');

describe('shared words', () => {
  it('counts and plurals', () => {
    expect(plural(1, 'certificate')).toBe('1 certificate');
    expect(plural(0, 'certificate')).toBe('0 certificates');
    expect(plural(1200, 'byte')).toBe('1,200 bytes');
    expect(plural(2, 'entry', 'entries')).toBe('2 entries');
    expect(groupThousands(1234567)).toBe('1,234,567');
  });

  it('durations', () => {
    expect(millis(0)).toBe('0.0 ms');
    expect(millis(0.35)).toBe('0.35 ms');
    expect(millis(4.24)).toBe('4.2 ms');
    expect(millis(15.3)).toBe('15.3 ms');
    expect(millis(180.4)).toBe('180 ms');
    expect(millis(12_345)).toBe('12.3 s');
    expect(secondsWords(3.64)).toBe('3.6 s');
    expect(secondsWords(12.4)).toBe('12 s');
  });

  it('endpoints and endings', () => {
    expect(endpoint({ ip: '10.77.0.100', port: 50648 })).toBe('10.77.0.100:50648');
    expect(endpoint({ ip: 'fd77::100', port: 25 })).toBe('[fd77::100]:25');
    expect(endWords({ how: 'capture-end', by: null, alert: null })).toBe('capture ended');
    expect(endWords({ how: 'alert', by: 'client', alert: { name: 'encrypted', encrypted: true } })).toBe('client encrypted alert');
    expect(endWords({ how: 'alert', by: 'server', alert: { name: 'handshake_failure' } })).toBe('server alert handshake_failure');
    expect(endWords({ how: 'rst', by: 'client', alert: null })).toBe('client RST');
  });

  it('one report says an ending one way, in its table and its summary', async () => {
    const result = await analyzeCaptures([join(CAPTURES, 'tls1.2-broken-ccs.pcap')]);
    expect(Object.keys(result.summary.failedBy)).toContain('client-alert-encrypted');
    const text = renderAnalysisText(result);
    expect(text).toContain('ended by: client encrypted alert');
    for (const text of [renderAnalysisMarkdown(result), renderAnalysisText(result), JSON.stringify(result.summary)]) {
      expect(text).not.toContain('alert encrypted');
      expect(text).not.toMatch(/capture end\b(?!ed)/);
    }
  });
});

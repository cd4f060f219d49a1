/**
 * Endings as codes (`summary.failedBy`, `--by`'s groups) and as words (the text reports): the words from the code,
 * for every connection of captures that end in every way.
 */
import { describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/analyze/pipeline.js';
import { endingCode, endingWords } from '../../src/handshake/endings.js';
import { endWords } from '../../src/text/words.js';
import { capturePath } from '../helpers/frames.js';

describe('endingCode and endingWords', () => {
  it('name every ending of real connections as a code, and say each code in words of its own', async () => {
    const files = ['abort-after-shd.pcap', 'cert-reject.pcap', 'tls2.pcap', 'tls13-client-leaves.pcap', 'tls-early-alert.pcap', 'tls_alert.pcap'];
    const { connections } = await analyzeCaptures(files.map(capturePath));
    const codes = new Set<string>();
    for (const r of connections) {
      const code = endingCode(r);
      codes.add(code);
      expect(code).toMatch(/^(capture-end|(client|server)-(fin|rst|alert-[a-z0-9_()]+))$/);
      // The words every report shows for this ending (src/text/words.ts).
      expect(endingWords(code)).toBe(endWords(r.end));
    }
    // Two codes never share words: the text counts them under their words.
    expect(new Set([...codes].map(endingWords)).size).toBe(codes.size);
    // The captures hold each kind: FIN, RST, a plaintext alert, an encrypted one, the capture's end.
    for (const c of ['client-fin', 'client-rst', 'client-alert-unknown_ca', 'client-alert-encrypted', 'capture-end']) expect(codes).toContain(c);
  });
});

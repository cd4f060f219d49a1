/**
 * Memory follows the connections open at once: what a connection leaves once it is reported is let go, even
 * when every connection of the capture is still open at its end and all are reported at once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/handshake/analyze.js';
import { halfOpenFlood, pcapFile } from '../robustness/pcap-writer.js';

// A full collection on demand, so that what is measured is what is still reachable.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const dir = mkdtempSync(join(tmpdir(), 'tlsdissect-let-go-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('what a reported connection leaves is let go', () => {
  it('16,000 half-open connections reported at the capture end: the last report finds the others gone', async () => {
    const count = 16000;
    const file = join(dir, 'flood.pcap');
    writeFileSync(file, pcapFile(halfOpenFlood(count)));
    gc();
    const before = process.memoryUsage().heapUsed;
    let reported = 0;
    let atFirst = 0;
    let atLast = 0;
    await analyzeCapture(file, {}, () => {
      reported++;
      if (reported !== 1 && reported !== count) return;
      gc();
      const held = process.memoryUsage().heapUsed - before;
      if (reported === 1) atFirst = held;
      else atLast = held;
    });
    expect(reported).toBe(count);
    // At the first report every connection is open: a few KB each.
    expect(atFirst).toBeGreaterThan(count * 1000);
    // At the last, 15,999 have been reported: before, every one's state (and the decoder its report was made
    // from) stayed reachable until the end, 90 MB here.
    expect(atLast, `${(atFirst / 1e6).toFixed(1)} MB at the first report, ${(atLast / 1e6).toFixed(1)} MB at the last`).toBeLessThan(atFirst / 4);
  });
});

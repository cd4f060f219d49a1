/**
 * `analyze` over several captures at once (src/analyze/lanes.ts): the captures after the first are
 * analyzed in worker threads (or in this thread once it is free), each into a StreamOutput of its own whose
 * entries, summary counters and `--by`/`--log`/`--connection` state are merged in capture order. The output must
 * be the one of analyzing the captures one after the other, byte for byte, in every format and option.
 */
import { closeSync, mkdtempSync, openSync, rmSync, truncateSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GroupKey } from '../../src/analyze/groups.js';
import { StreamOutput, type StreamOutputOptions } from '../../src/report/analyze/stream-output.js';
import { analyzeIntoOutput, defaultJobs } from '../../src/analyze/lanes.js';
import type { AnalyzeOptions } from '../../src/analyze/pipeline.js';

const ROOT = join(import.meta.dirname, '../..');
const capture = (name: string) => join(ROOT, 'captures', name);
const LOGS = [capture('server-postfix.log'), capture('server-dovecot.log')];

async function run(files: string[], o: Omit<StreamOutputOptions, 'files'>, workers: number, options: AnalyzeOptions = {}, logs: string[] = []) {
  const out = new StreamOutput({ ...o, files, log: logs.length > 0 });
  try {
    const { captures, summary, retries } = await analyzeIntoOutput(files, options, out, workers);
    if (logs.length > 0) await out.joinLogs(captures, summary, logs, {});
    if (o.connection) return JSON.stringify(out.pickedReport(summary, retries));
    return Array.from(out.render(captures, summary, retries), String).join('');
  } finally {
    out.close();
  }
}

const VARIANTS: Omit<StreamOutputOptions, 'files'>[] = [
  { format: 'text' },
  { format: 'json' },
  { format: 'markdown' },
  { format: 'html' },
  { format: 'text', failed: true },
  { format: 'markdown', failed: true },
  { format: 'json', redact: true },
  { format: 'markdown', redact: true, failed: true },
  { format: 'text', by: 'client' as GroupKey },
  { format: 'json', by: 'server' as GroupKey, redact: true },
];

// Captures of several shapes, one given twice, one missing (its damage is in the capture lines).
const FILES = ['abort-then-retry.pcap', 'cert-reject.pcap', 'good-993-imaps.pcap', 'abort-then-retry.pcap', 'tls1.2-broken-ccs.pcap', 'no-such-file.pcap'].map(capture);

describe('analyze over several captures at once', () => {
  it('gives what one capture after the other gives, in every format', async () => {
    for (const v of VARIANTS) {
      const one = await run(FILES, v, 1);
      expect(one.length).toBeGreaterThan(0);
      expect(await run(FILES, v, 3), JSON.stringify(v)).toBe(one);
      expect(await run(FILES, v, 2), JSON.stringify(v)).toBe(one);
    }
  });

  it('joins the server log the same way (--log)', async () => {
    for (const v of [{ format: 'text' }, { format: 'json', redact: true }, { format: 'markdown', failed: true }] as const) {
      const one = await run(FILES, v, 1, {}, LOGS);
      expect(one).toMatch(v.format === 'json' ? /"log"/ : /server log/);
      expect(await run(FILES, v, 3, {}, LOGS), JSON.stringify(v)).toBe(one);
    }
  });

  it('picks the same connection (--connection 2#3) from a capture analyzed in a worker', async () => {
    const one = await run(FILES, { format: 'json', connection: { capture: 1, id: 3 } }, 1);
    expect(JSON.parse(one)).toMatchObject({ id: 3 });
    expect(await run(FILES, { format: 'json', connection: { capture: 1, id: 3 } }, 3)).toBe(one);
  });

  it('shows the story of the one connection shown when it comes from a worker', async () => {
    // The first capture holds no TCP, the second one connection that completed: Markdown tells the story of a
    // connection that did not fail only when it is the one shown.
    const files = [capture('bigendian.pcap'), capture('imap-starttls.pcap')];
    const one = await run(files, { format: 'markdown' }, 1);
    expect(one).toContain('</details>');
    expect(await run(files, { format: 'markdown' }, 2)).toBe(one);
  });

  it('applies the cap on listed connections in the order the captures were given', async () => {
    for (const cap of [0, 3, 5, 7]) {
      const one = await run(FILES, { format: 'json' }, 1, { maxConnections: cap });
      expect(await run(FILES, { format: 'json' }, 3, { maxConnections: cap }), `cap ${cap}`).toBe(one);
    }
  });
});

describe('how many captures at once by default', () => {
  it('one per two cores, but only for captures big enough to be worth a worker thread (256 MB)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tlsdissect-jobs-'));
    try {
      // Sparse files: the size is what counts, no disk is used.
      const big = [1, 2, 3].map((i) => {
        const file = join(dir, `big-${i}.pcap`);
        closeSync(openSync(file, 'w'));
        truncateSync(file, 300 * 1024 * 1024);
        return file;
      });
      const small = capture('abort-then-retry.pcap');
      expect(defaultJobs([small, small, small])).toBe(1);
      expect(defaultJobs([small, big[0]!])).toBe(1);
      const pairs = Math.max(1, Math.floor(availableParallelism() / 2));
      expect(defaultJobs([big[0]!, big[1]!, small, join(dir, 'missing.pcap'), '-'])).toBe(Math.min(pairs, 2));
      expect(defaultJobs(big)).toBe(Math.min(pairs, 3));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

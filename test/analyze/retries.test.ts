/**
 * Retries (src/analyze/retries.ts) on captures/two-chains-retry.pcap (scripts/make-two-chains.mjs: lab
 * connections moved onto one server) and captures/abort-then-retry.pcap (the lab's own failure and retry).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/analyze/pipeline.js';
import { isoSeconds, RetryIndex } from '../../src/analyze/retries.js';
import { isoMicros } from '../../src/text/time.js';
import { StreamOutput } from '../../src/report/analyze/stream-output.js';
import { analyzeIntoOutput } from '../../src/analyze/lanes.js';
import type { ConnectionReport } from '../../src/handshake/report.js';

const ROOT = join(import.meta.dirname, '../..');
const capture = (name: string) => join(ROOT, 'captures', name);
const STORY = capture('two-chains-retry.pcap');

const byId = (connections: ConnectionReport[], id: number) => connections.find((c) => c.id === id)!;

describe('retry: the same client to the same server and port, within the window', () => {
  it('links each failure of the story to its retry, and not to another port nor past the window', async () => {
    const { connections, summary } = await analyzeCaptures([STORY]);
    const failed = connections.filter((c) => c.outcome === 'failed').map((c) => [c.id, c.client.ip]);
    expect(failed).toEqual([
      [2, '10.77.0.102'],
      [5, '10.77.0.104'],
      [8, '10.77.0.106'],
    ]);
    expect(byId(connections, 2).retry).toEqual({ id: 3, capture: STORY, after: 3.4, outcome: 'complete' });
    expect(byId(connections, 5).retry).toEqual({ id: 6, capture: STORY, after: 3, outcome: 'complete' });
    // 10.77.0.106's next connection is to port 465 a second later (not a retry), then to 25 again 400 s later.
    expect(byId(connections, 9).server.port).toBe(465);
    expect(byId(connections, 10).client.ip).toBe('10.77.0.106');
    expect(byId(connections, 8).retry).toBeNull();
    for (const c of connections.filter((c) => c.outcome === 'complete')) expect(c.retry).toBeNull();
    expect(summary.retries).toEqual({ failed: 3, retriedAndCompleted: 2, retriedAndFailed: 0, notRetried: 1, completedWithin: 3.4, window: 300 });
  });

  it('follows --retry-window', async () => {
    const wide = await analyzeCaptures([STORY], { retryWindow: 500 });
    expect(byId(wide.connections, 8).retry).toEqual({ id: 10, capture: STORY, after: 400, outcome: 'complete' });
    expect(wide.summary.retries).toMatchObject({ retriedAndCompleted: 3, notRetried: 0, completedWithin: 400, window: 500 });
    const narrow = await analyzeCaptures([STORY], { retryWindow: 3.2 });
    expect(byId(narrow.connections, 2).retry).toBeNull();
    expect(byId(narrow.connections, 5).retry?.id).toBe(6);
    expect(narrow.summary.retries).toMatchObject({ retriedAndCompleted: 1, notRetried: 2, completedWithin: 3 });
  });

  it('finds the lab client that retried after an abort, 3.6 s later', async () => {
    const file = capture('abort-then-retry.pcap');
    const { connections, summary } = await analyzeCaptures([file]);
    expect(connections[0]!.retry).toEqual({ id: 2, capture: file, after: 3.603, outcome: 'complete' });
    expect(summary.retries).toMatchObject({ failed: 1, retriedAndCompleted: 1, notRetried: 0 });
    expect(summary.verdict.map((v) => v.code)).toContain('all-retried-and-completed');
  });

  it('links across captures, the same whether they are analyzed one after the other or at once', async () => {
    // abort-after-shd.pcap's #2 (10.77.0.4:25, 11:57:57) is followed by abort-then-retry.pcap's #1 (11:58:06).
    const files = [capture('abort-after-shd.pcap'), capture('abort-then-retry.pcap')];
    const whole = await analyzeCaptures(files);
    const second = whole.connections.find((c) => c.capture === files[0] && c.id === 2)!;
    expect(second.retry).toEqual({ id: 1, capture: files[1], after: 9.344, outcome: 'failed' });
    for (const workers of [1, 2]) {
      const out = new StreamOutput({ format: 'json', files });
      try {
        const run = await analyzeIntoOutput(files, {}, out, workers);
        const doc = JSON.parse(Array.from(out.render(run.captures, run.summary, run.retries), String).join(''));
        expect(doc.connections.map((c: ConnectionReport) => c.retry)).toEqual(whole.connections.map((c) => c.retry));
        expect(doc.summary.retries).toEqual(whole.summary.retries);
      } finally {
        out.close();
      }
    }
  });

  it('gives each NDJSON line the retry the whole analysis gives its connection, across captures too', async () => {
    const files = [capture('abort-after-shd.pcap'), capture('abort-then-retry.pcap'), STORY];
    const whole = await analyzeCaptures(files);
    const out = new StreamOutput({ format: 'ndjson', files });
    try {
      const run = await analyzeIntoOutput(files, {}, out, 1);
      const lines = Array.from(out.render(run.captures, run.summary, run.retries), String).join('').trimEnd().split('\n');
      const connections = lines.slice(0, -1).map((l) => JSON.parse(l) as ConnectionReport);
      expect(connections.filter((c) => c.retry !== null).length).toBeGreaterThan(2);
      expect(connections.map((c) => c.retry)).toEqual(whole.connections.map((c) => c.retry));
      expect(connections.map((c) => c.notes)).toEqual(whole.connections.map((c) => c.notes));
    } finally {
      out.close();
    }
  });

  it('shows the retry on the row, in the details and in the summary lines (text)', async () => {
    const out = new StreamOutput({ format: 'text', files: [STORY], text: { width: 600 } });
    const run = await analyzeIntoOutput([STORY], {}, out, 1);
    const text = Array.from(out.render(run.captures, run.summary, run.retries), String).join('');
    const row = text.split('\n').find((l) => l.includes('10.77.0.102:21682'))!;
    expect(row).toMatch(/ \[retried 3\.4 s later: complete, #3\] \[chain: large\]$/);
    expect(text).toContain('retries: 2 of 3 failures were retried and completed within 3.4 s, 1 not retried within 300 s');
    const picked = new StreamOutput({ format: 'text', files: [STORY], connection: { capture: 0, id: 5 } });
    const again = await analyzeIntoOutput([STORY], {}, picked, 1);
    expect(picked.pickedReport(again.summary, again.retries)!.retry).toMatchObject({ id: 6, after: 3 });
    picked.close();
  });
});

describe('RetryIndex', () => {
  it('reads the report times to the microsecond', () => {
    expect(isoSeconds('2026-11-28T11:58:06.879919Z')).toBeCloseTo(1795867086.879919, 6);
    expect(Number.isNaN(isoSeconds('1e13 s since 1970 (outside the calendar)'))).toBe(true);
  });

  it('gives for every time isoMicros writes the number its parts say, the second cached or not', () => {
    // The parts read independently: the calendar second from Date.UTC, the digits after the point as microseconds.
    const byParts = (iso: string): number => {
      const [date, time] = iso.slice(0, -1).split('T') as [string, string];
      const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
      const [h, mi, s] = time.split(':') as [string, string, string];
      const [whole, micros] = s.split('.') as [string, string];
      const day = new Date(0);
      day.setUTCFullYear(y, mo - 1, d);
      day.setUTCHours(Number(h), Number(mi), Number(whole), 0);
      return day.getTime() / 1000 + Number(micros) / 1e6;
    };
    const times = [0, 1e-6, 1795867086.879919, 1795867086.0000004, 1795867086.9999996, 1795867087.5, -1.25, 253402300799.4, -62167219200];
    for (let i = 0; i < 200; i++) times.push(1.7e9 + i * 0.37 + i / 7);
    for (const t of times) {
      const iso = isoMicros(t);
      expect(isoSeconds(iso), iso).toBe(byParts(iso));
    }
    expect(Number.isNaN(isoSeconds('2026-13-45T11:58:06.879919Z'))).toBe(true);
    expect(Number.isNaN(isoSeconds('2026-11-28T11:58:06.87991xZ'))).toBe(true);
    expect(isoSeconds('2026-11-28T11:58:06.8Z')).toBe(isoSeconds('2026-11-28T11:58:06.800000Z'));
  });

  it('merges as if the reports had been added to one index', async () => {
    const { connections } = await analyzeCaptures([STORY]);
    const one = new RetryIndex();
    const a = new RetryIndex();
    const b = new RetryIndex();
    connections.forEach((r, i) => {
      one.add(r, i);
      (i % 2 ? a : b).add(r, i);
    });
    a.merge(b.data());
    expect([...a.links(300)].sort((x, y) => x[0] - y[0])).toEqual([...one.links(300)].sort((x, y) => x[0] - y[0]));
    expect(one.links(300).size).toBe(2);
  });
});

describe('the retry on the row of every report', () => {
  it('Markdown and HTML rows carry it after the diagnosis, as the text table does', async () => {
    for (const format of ['markdown', 'html'] as const) {
      const out = new StreamOutput({ format, files: [STORY] });
      const run = await analyzeIntoOutput([STORY], {}, out, 1);
      const text = Array.from(out.render(run.captures, run.summary, run.retries), String).join('');
      out.close();
      const row = text.split('\n').find((l) => l.includes('10.77.0.102:21682') && (format === 'html' ? l.includes('<td') : l.startsWith('|')))!;
      // Markdown escapes the brackets and the number sign (\[ … \#3\]); both render as the text table's flag.
      expect(row.replace(/\\([[\]#])/g, '$1'), format).toContain('[retried 3.4 s later: complete, #3]');
    }
  });
});

/**
 * `analyze` streams its output (src/report/analyze/stream-output.ts): reports go to a sink as their connections close
 * and are let go. These tests check that the sink gets them before the capture is over, and that the streamed
 * output is the whole-document output of before, byte for byte, on real captures (HTML included).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture, analyzeCaptures, analyzeCapturesTo, type AnalysisResult } from '../../../src/analyze/pipeline.js';
import { groupConnections, type GroupKey } from '../../../src/analyze/groups.js';
import type { ConnectionReport } from '../../../src/handshake/report.js';
import { renderSummaryText } from '../../../src/report/analyze/text.js';
import { StreamOutput, type StreamOutputOptions } from '../../../src/report/analyze/stream-output.js';
import { renderGroupsMarkdown, renderGroupsText } from '../../../src/report/analyze/groups.js';
import { renderAnalysisHtml } from '../../../src/report/analyze/html.js';
import { redactorFor } from '../../../src/report/redact.js';
import { joinServerLogs, logRedactionSources } from '../../../src/serverlog/join.js';
import { renderAnalysisJsonPieces, renderAnalysisMarkdown, renderAnalysisText } from '../../helpers/render-whole.js';

const ROOT = join(import.meta.dirname, '../../..');
const capture = (name: string) => join(ROOT, 'captures', name);

/** What the CLI printed before it streamed: the whole analysis, rendered at once. */
function whole(result: AnalysisResult, o: Omit<StreamOutputOptions, 'files'>): string {
  let r = result;
  if (o.redact) {
    const red = redactorFor(r.connections, logRedactionSources(r), r.captures.map((c) => c.file));
    r = { ...r, connections: red.value(r.connections), summary: red.value(r.summary), captures: red.value(r.captures) };
  }
  const shown = o.failed ? { ...r, connections: r.connections.filter((c) => c.outcome === 'failed') } : r;
  const grouping = o.by ? groupConnections(shown.connections, o.by) : null;
  if (o.format === 'json') return [...renderAnalysisJsonPieces(shown, grouping ? { groups: grouping } : {})].join('');
  if (o.format === 'html') return renderAnalysisHtml(shown);
  if (o.format === 'markdown') return renderAnalysisMarkdown(shown) + (grouping ? '\n' + renderGroupsMarkdown(grouping) : '');
  if (grouping) return renderGroupsText(shown, grouping, renderSummaryText(shown, o.text?.width), o.text);
  return renderAnalysisText(shown, o.text);
}

async function streamed(files: string[], o: Omit<StreamOutputOptions, 'files'>, logs: string[] = []): Promise<string> {
  const out = new StreamOutput({ ...o, files, log: logs.length > 0 });
  const { captures, summary, retries } = await analyzeCapturesTo(files, {}, (r, k) => out.add(r, k));
  if (logs.length > 0) await out.joinLogs(captures, summary, logs, {});
  return Array.from(out.render(captures, summary, retries), String).join('');
}

const VARIANTS: Omit<StreamOutputOptions, 'files'>[] = [
  { format: 'text' },
  { format: 'json' },
  { format: 'markdown' },
  { format: 'text', failed: true },
  // Fitted to a terminal of 80 columns, in colour: the widths chosen before the first row as from all rows.
  { format: 'text', redact: true, text: { width: 80, color: true } },
  { format: 'json', redact: true },
  { format: 'markdown', redact: true },
  { format: 'text', by: 'client' as GroupKey, text: { width: 100 } },
  { format: 'json', by: 'server' as GroupKey, redact: true },
  { format: 'markdown', by: 'sni' as GroupKey, failed: true },
  { format: 'html' },
  { format: 'html', failed: true, redact: true },
];

const CAPTURES = readdirSync(join(ROOT, 'captures')).filter((f) => /\.(pcap|pcapng|cap)(\.gz)?$/.test(f));

describe('streamed analyze output', () => {
  it('is the whole-document output, byte for byte, on every capture in captures/', async () => {
    expect(CAPTURES.length).toBeGreaterThan(20);
    for (const name of CAPTURES) {
      const files = [capture(name)];
      const result = await analyzeCaptures(files);
      for (const v of VARIANTS) expect(await streamed(files, v), `${name} ${JSON.stringify(v)}`).toBe(whole(result, v));
    }
  }, 180_000); // every capture in 12 variants, 5 of them redacted: a minute alone on a loaded 2-core machine

  it('numbers and orders several captures as before (2#1), with a cap on listed connections', async () => {
    const files = [capture('abort-then-retry.pcap'), capture('tls1.2-broken-ccs.pcap'), capture('abort-then-retry.pcap')];
    const result = await analyzeCaptures(files);
    for (const v of VARIANTS) expect(await streamed(files, v), JSON.stringify(v)).toBe(whole(result, v));
    const capped = await analyzeCaptures(files, { maxConnections: 3 });
    const out = new StreamOutput({ format: 'json', files });
    const run = await analyzeCapturesTo(files, { maxConnections: 3 }, (r, k) => out.add(r, k));
    expect(Array.from(out.render(run.captures, run.summary, run.retries), String).join('')).toBe(whole(capped, { format: 'json' }));
  });
});

describe('streamed analyze output with the server log (--log)', () => {
  const LOGS = [join(ROOT, 'captures/server-postfix.log'), join(ROOT, 'captures/server-dovecot.log')];
  const LAB = ['abort-after-shd.pcap', 'cert-reject.pcap', 'good-993-imaps.pcap', 'good-110-pop3-stls.pcap', 'pmtu-blackhole-fail.pcap'];
  const LOG_VARIANTS: Omit<StreamOutputOptions, 'files'>[] = [
    { format: 'text' },
    { format: 'json' },
    { format: 'markdown' },
    { format: 'html' },
    { format: 'json', redact: true },
    { format: 'markdown', failed: true, redact: true },
    { format: 'text', by: 'client' as GroupKey },
  ];

  it('is the whole analysis joined to the log, byte for byte, on the lab captures', async () => {
    for (const name of LAB) {
      for (const v of LOG_VARIANTS) {
        const files = [capture(name)];
        // The join changes the reports: a fresh analysis for each variant.
        const result = await analyzeCaptures(files);
        await joinServerLogs(result, LOGS);
        const want = whole(result, v);
        expect(want).toContain(v.format === 'json' ? '"log"' : 'server log');
        expect(await streamed(files, v, LOGS), `${name} ${JSON.stringify(v)}`).toBe(want);
      }
    }
  }, 180_000);
});

describe('one connection (--connection) with the server log', () => {
  it('is the report the whole analysis gives after the join, with its log lines', async () => {
    const LOGS = [join(ROOT, 'captures/server-postfix.log')];
    const files = [capture('abort-after-shd.pcap')];
    const result = await analyzeCaptures(files);
    await joinServerLogs(result, LOGS);
    for (const id of [1, 5]) {
      const out = new StreamOutput({ format: 'json', files, connection: { capture: 0, id }, log: true });
      const run = await analyzeCapturesTo(files, {}, (r, k) => out.add(r, k));
      await out.joinLogs(run.captures, run.summary, LOGS, {});
      const picked = out.pickedReport(run.summary, run.retries);
      const want = result.connections.find((c) => c.id === id)!;
      expect(want.log!.length).toBeGreaterThan(0);
      expect(JSON.stringify(picked)).toBe(JSON.stringify(want));
      // Asked again, the same (the log is joined once).
      expect(JSON.stringify(out.pickedReport(run.summary, run.retries))).toBe(JSON.stringify(want));
      out.close();
    }
  });
});

describe('the sink', () => {
  it('gets each report as its connection closes and the analysis keeps none', async () => {
    const got: ConnectionReport[] = [];
    const { connections, info } = await analyzeCapture(capture('abort-then-retry.pcap'), {}, (r) => got.push(r));
    expect(connections).toEqual([]);
    expect(got.map((r) => r.id).sort()).toEqual([1, 2]);
    expect(info.connections).toBe(2);
  });

  it('gets a closed connection before the capture has been read to its end', async () => {
    // The capture comes through a named pipe from another process, which sends the second half only once the
    // sink had a report (it sees the marker file the sink makes). The reader blocks this thread while it waits
    // for bytes, so the writer must be another process.
    const dir = mkdtempSync(join(tmpdir(), 'tlsdissect-stream-'));
    try {
      const fifo = join(dir, 'capture.pcap');
      const marker = join(dir, 'first-report');
      const whole = join(dir, 'whole.pcap');
      execFileSync('mkfifo', [fifo]);
      const bytes = readFileSync(capture('abort-then-retry.pcap'));
      writeFileSync(whole, bytes);
      // Connection 1 ends (FIN both ways, frames 21–23) well before the last frame (53).
      const half = pcapRecordsEnd(bytes, 25);
      const writer = spawn(process.execPath, ['-e', WRITER, fifo, whole, String(half), marker], { stdio: 'ignore' });
      const exited = new Promise<number | null>((resolve) => writer.on('exit', (code) => resolve(code)));
      const seen: { id: number; secondHalfSent: boolean }[] = [];
      // A closed connection is kept a while for its late packets: none here, so that it is done at its last FIN.
      await analyzeCapture(fifo, { limits: { maxClosedConnections: 0 } }, (r) => {
        seen.push({ id: r.id, secondHalfSent: existsSync(marker) });
        if (!existsSync(marker)) writeFileSync(marker, '');
      });
      // 0: the writer saw the marker before it sent the rest; 3: it gave up waiting (no report came early).
      expect(await exited).toBe(0);
      expect(seen[0]).toEqual({ id: 1, secondHalfSent: false });
      // (Its late ACKs, with no connection left to take them, start connections of their own.)
      expect(seen.map((s) => s.id)).toContain(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The writer process: the first `half` bytes, then the rest once the marker exists (or after 20 s, exit 3). */
const WRITER = `
const fs = require('node:fs');
const [fifo, whole, half, marker] = process.argv.slice(1);
const bytes = fs.readFileSync(whole);
const fd = fs.openSync(fifo, 'w');
fs.writeSync(fd, bytes, 0, Number(half));
const start = Date.now();
const wait = () => {
  const seen = fs.existsSync(marker);
  if (!seen && Date.now() - start < 20000) return setTimeout(wait, 5);
  fs.writeSync(fd, bytes, Number(half));
  fs.closeSync(fd);
  process.exitCode = seen ? 0 : 3;
};
wait();
`;

/** The byte offset just past the first `frames` records of a classic pcap file. */
function pcapRecordsEnd(pcap: Buffer, frames: number): number {
  let offset = 24;
  for (let frame = 1; frame <= frames; frame++) offset += 16 + pcap.readUInt32LE(offset + 8);
  return offset;
}

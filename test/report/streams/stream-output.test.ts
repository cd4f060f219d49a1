/**
 * `streams` writes its rows as connections close and lets them go (src/report/streams/stream-output.ts). Its output must be
 * the whole-result rendering (renderStreamsText / renderStreamsJson of collectStreams) byte for byte, on every
 * capture in captures/, and the rows must reach the sink before the capture is over.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StreamsOutput } from '../../../src/report/streams/stream-output.js';
import { collectStreams, collectStreamsTo } from '../../../src/tcp/collect.js';
import { pcapFile } from '../../robustness/pcap-writer.js';
import { renderStreamsJson, renderStreamsText } from '../../helpers/render-whole.js';

const ROOT = join(import.meta.dirname, '../../..');
const capture = (name: string) => join(ROOT, 'captures', name);
const CAPTURES = readdirSync(join(ROOT, 'captures')).filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f));

async function streamed(files: string[], format: 'text' | 'json', rowsPerPiece?: number, width?: number): Promise<string> {
  const out = new StreamsOutput(format, files, rowsPerPiece, width);
  const captures = await collectStreamsTo(files, (row, index) => out.add(row, index));
  return [...out.render(captures)].join('');
}

describe('streams output, streamed', () => {
  it('is the whole-result text and JSON on every capture in captures/', async () => {
    expect(CAPTURES.length).toBeGreaterThan(100);
    for (const name of CAPTURES) {
      const whole = await collectStreams([capture(name)]);
      expect({ name, text: await streamed([capture(name)], 'text') }).toEqual({ name, text: renderStreamsText(whole) });
      expect({ name, json: await streamed([capture(name)], 'json') }).toEqual({ name, json: renderStreamsJson(whole) });
    }
  });

  it('numbers the rows of several captures 1#n, 2#n (a file given twice: its first place)', async () => {
    const files = [capture('tls.pcap'), capture('good-any-sll2.pcap'), capture('tls.pcap')];
    const whole = await collectStreams(files);
    const text = await streamed(files, 'text');
    expect(text).toBe(renderStreamsText(whole));
    expect(text).toMatch(/^2#1 /m);
    expect(text).not.toMatch(/^3#1 /m);
    expect(await streamed(files, 'json')).toBe(renderStreamsJson(whole));
  });

  it('a table of more than one batch of rows is stitched where the batches meet', async () => {
    // tls2.pcap (pcapplusplus) holds 334 connections: pieces of 100 (the default), of 7 (the last one short) and of 1.
    const whole = await collectStreams([capture('tls2.pcap')]);
    expect(whole.connections.length).toBe(334);
    for (const rows of [undefined, 7, 1]) expect(await streamed([capture('tls2.pcap')], 'text', rows)).toBe(renderStreamsText(whole));
    // Fitted to 80 columns: the widths chosen before the first row are those of the whole table.
    const fitted = await streamed([capture('tls2.pcap')], 'text', 7, 80);
    expect(fitted).toBe(renderStreamsText(whole, 80));
    expect(Math.max(...fitted.split('\n').map((l) => l.length))).toBeLessThanOrEqual(80);
  });

  it('a file with no TCP connection, and a file that is no capture', async () => {
    // A pcap of its header alone: a capture, read whole, with no connection in it.
    const dir = mkdtempSync(join(tmpdir(), 'tlsdissect-streams-'));
    const empty = join(dir, 'empty.pcap');
    writeFileSync(empty, pcapFile([]));
    try {
      for (const file of [empty, capture('README.md')]) {
        const whole = await collectStreams([file]);
        expect(whole.connections).toEqual([]);
        expect(whole.captures[0]!.damage === null, file).toBe(file === empty);
        expect(await streamed([file], 'text')).toBe(renderStreamsText(whole));
        expect(await streamed([file], 'json')).toBe(renderStreamsJson(whole));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rows reach the sink as connections close, not all at the end', async () => {
    // good-25-smtp-starttls.pcap: three connections one after the other, each closed (FIN both ways) before the next.
    const seen: number[] = [];
    await collectStreamsTo([capture('good-25-smtp-starttls.pcap')], (row) => seen.push(row.id));
    expect(seen).toEqual([1, 2, 3]);
  });
});

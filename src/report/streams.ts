import { renderPlainTable } from './plain-table.js';
import type { StreamsResult } from '../tcp/collect.js';
import { captureSummaryLine } from './captures.js';
import { endpoint } from './words.js';

const bothSides = (v: { client: number | boolean; server: number | boolean }) => `${fmt(v.client)} / ${fmt(v.server)}`;
const fmt = (v: number | boolean) => (typeof v === 'boolean' ? (v ? 'yes' : '—') : v.toLocaleString('en-US'));

export function renderStreamsText(result: StreamsResult): string {
  const out: string[] = result.captures.map(captureSummaryLine);
  const many = result.captures.length > 1;
  const head = ['#', 'client', 'server', 'start (UTC)', 'duration', 'packets c/s', 'bytes c/s', 'SYN', 'FIN c/s', 'RST c/s', 'retrans c/s', 'gaps c/s'];
  // Drawn in linear time (cli-table3's own layout grows faster than the rows: see plain-table.ts).
  const rows: string[][] = [];
  for (const c of result.connections) {
    const capIndex = result.captures.findIndex((x) => x.file === c.capture) + 1;
    rows.push([
      many ? `${capIndex}#${c.id}` : String(c.id),
      endpoint(c.client),
      endpoint(c.server),
      c.start.replace('T', ' ').replace('Z', ''),
      `${c.duration.toFixed(3)} s`,
      bothSides(c.packets),
      bothSides(c.bytes),
      c.syn ? 'yes' : 'no',
      bothSides(c.fin),
      bothSides(c.rst),
      bothSides(c.retransmissions),
      bothSides(c.gaps),
    ]);
  }
  if (result.connections.length > 0) out.push(renderPlainTable({ head }, rows));
  else out.push('no TCP connections found');
  return out.join('\n') + '\n';
}

export function renderStreamsJson(result: StreamsResult): string {
  return JSON.stringify({ captures: result.captures, connections: result.connections }, null, 2) + '\n';
}

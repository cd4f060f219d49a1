import { renderPlainTable } from './plain-table.js';
import type { StreamsCapture, StreamsResult } from '../tcp/collect.js';
import type { StreamRow } from '../tcp/streams.js';
import { captureSummaryLine } from './captures.js';
import { connectionNumber, endpoint } from './words.js';
import { groupThousands } from '../tls/format.js';

const bothSides = (v: { client: number | boolean; server: number | boolean }) => `${fmt(v.client)} / ${fmt(v.server)}`;
const fmt = (v: number | boolean) => (typeof v === 'boolean' ? (v ? 'yes' : '—') : groupThousands(v));

export const STREAMS_HEAD = ['#', 'client', 'server', 'start (UTC)', 'duration', 'packets c/s', 'bytes c/s', 'SYN', 'FIN c/s', 'RST c/s', 'retrans c/s', 'gaps c/s'];

/** One connection's table row; `captureNumber` (1-based) when several captures are shown: `2#5`. */
export function streamsTableRow(c: StreamRow, captureNumber: number | null): string[] {
  return [
    connectionNumber(c.id, captureNumber),
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
  ];
}

/** The capture lines that come before the table. */
export function streamsTextHead(captures: readonly StreamsCapture[]): string {
  return captures.map((c) => captureSummaryLine(c) + '\n').join('');
}

export function renderStreamsText(result: StreamsResult): string {
  const many = result.captures.length > 1;
  // Drawn in linear time (cli-table3's own layout grows faster than the rows: see plain-table.ts).
  const rows = result.connections.map((c) => streamsTableRow(c, many ? result.captures.findIndex((x) => x.file === c.capture) + 1 : null));
  const table = result.connections.length > 0 ? renderPlainTable({ head: STREAMS_HEAD }, rows) : 'no TCP connections found';
  return streamsTextHead(result.captures) + table + '\n';
}

export function renderStreamsJson(result: StreamsResult): string {
  return JSON.stringify({ captures: result.captures, connections: result.connections }, null, 2) + '\n';
}

/** renderStreamsJson's text up to the connections' opening bracket. */
export function streamsJsonHead(captures: readonly StreamsCapture[]): string {
  return `{\n  "captures": ${JSON.stringify(captures, null, 2).replace(/\n/g, '\n  ')},\n  "connections": `;
}

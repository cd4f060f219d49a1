import { endpoint, groupThousands } from '../../text/words.js';
import { fitTable, foldLine, type FitColumn } from '../fit-table.js';
import type { StreamsCapture } from '../../tcp/collect.js';
import type { StreamRow } from '../../tcp/streams.js';
import { captureSummaryLine } from '../analyze/captures.js';
import { connectionNumber } from '../words.js';
import { jsonCaptures, SCHEMA_VERSION } from '../json-contract.js';

const bothSides = (v: { client: number | boolean; server: number | boolean }) => `${fmt(v.client)} / ${fmt(v.server)}`;
const fmt = (v: number | boolean) => (typeof v === 'boolean' ? (v ? 'yes' : '—') : groupThousands(v));

export const STREAMS_HEAD = ['#', 'client', 'server', 'start (UTC)', 'duration', 'packets c/s', 'bytes c/s', 'SYN', 'FIN c/s', 'RST c/s', 'retrans c/s', 'gaps c/s'];

const noPort = (c: string, w: number) => (c.length <= w ? c : (/^\[(.*)\]:\d+$/.exec(c)?.[1] ?? c.replace(/:\d+$/, '')));

/** The streams table's columns as fitTable shortens and drops them on a narrow terminal. */
export const STREAMS_COLUMNS: readonly FitColumn[] = [
  { head: '#', min: 1 },
  { head: 'client', min: 11, shrink: 2, fit: noPort },
  { head: 'server', min: 9, drop: 7, shrink: 1, fit: noPort },
  { head: 'start (UTC)', shortHead: 'start', min: 12, snap: 12, drop: 4, shrink: 3, fit: (c, w) => (c.length <= w ? c : c.slice(11, 23)) },
  { head: 'duration', shortHead: 'dur.', min: 7, drop: 5, align: 'right' },
  { head: 'packets c/s', shortHead: 'pkts c/s', min: 8, drop: 8, align: 'right' },
  { head: 'bytes c/s', min: 9, align: 'right' },
  { head: 'SYN', min: 3, drop: 3 },
  { head: 'FIN c/s', min: 7, drop: 6 },
  { head: 'RST c/s', min: 7, drop: 9 },
  { head: 'retrans c/s', shortHead: 'retr c/s', min: 8, drop: 2 },
  { head: 'gaps c/s', min: 8, drop: 1 },
];

/** The streams table drawn one line per row: fitted to `width`, or whole (undefined). */
export function streamsTable(natural: readonly number[], width: number | undefined) {
  return fitTable(STREAMS_COLUMNS, natural, width);
}

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
export function streamsTextHead(captures: readonly StreamsCapture[], width?: number): string {
  return captures.map((c) => foldLine(captureSummaryLine(c), width).join('\n') + '\n').join('');
}

/**
 * The JSON document's text up to the connections' opening bracket: the contract's version (schema/streams.schema.json),
 * then the captures as analyze writes them (times as ISO 8601).
 */
export function streamsJsonHead(captures: readonly StreamsCapture[]): string {
  return `{\n  "schemaVersion": ${JSON.stringify(SCHEMA_VERSION)},\n  "captures": ${JSON.stringify(jsonCaptures(captures), null, 2).replace(/\n/g, '\n  ')},\n  "connections": `;
}

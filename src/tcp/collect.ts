import { readCapture } from '../capture/reader.js';
import type { CaptureSummary } from '../capture/types.js';
import { NetDecoder } from '../net/decoder.js';
import type { NetStats } from '../net/types.js';
import { summarizeConnection, type StreamRow } from './streams.js';
import { DEFAULT_SERVER_PORTS } from './ports.js';
import { ConnectionTracker } from './tracker.js';

/** Server ports that decide roles when a connection's SYN was not captured. */
export { DEFAULT_SERVER_PORTS as WELL_KNOWN_SERVER_PORTS } from "./ports.js";

export interface StreamsCapture extends CaptureSummary {
  net: NetStats;
  connections: number;
}

export interface StreamsResult {
  captures: StreamsCapture[];
  connections: (StreamRow & { capture: string })[];
}

/** `tlsdissect streams`: every TCP connection of each capture, counted but not decoded. */
export async function collectStreams(files: string[]): Promise<StreamsResult> {
  const connections: { row: StreamRow & { capture: string }; order: number }[] = [];
  const captures = await collectStreamsTo(files, (row, captureIndex) => connections.push({ row, order: outputOrder(captureIndex, row.id) }));
  connections.sort((a, b) => a.order - b.order);
  return { captures, connections: connections.map((c) => c.row) };
}

/**
 * collectStreams without keeping the rows: each connection's row goes to `sink` when the tracker lets the
 * connection go (closed and quiet, or the capture ended), captures one after the other, within one in the order
 * connections close; the connection is then forgotten, so memory follows the connections open at once.
 */
export async function collectStreamsTo(
  files: string[],
  sink: (row: StreamRow & { capture: string }, captureIndex: number) => void,
): Promise<StreamsCapture[]> {
  const captures: StreamsCapture[] = [];
  for (const [index, file] of files.entries()) {
    const net = new NetDecoder({ reuseSegments: true });
    const tracker = new ConnectionTracker({
      serverPorts: DEFAULT_SERVER_PORTS,
      keepClosed: false,
      open: (conn) => ({
        data: () => undefined,
        gap: () => undefined,
        wants: () => false,
        close: () => sink({ capture: file, ...summarizeConnection(conn) }, index),
      }),
    });
    const summary = await trackCapture(file, net, tracker);
    captures.push({ ...summary, net: net.stats, connections: tracker.stats.connections });
  }
  return captures;
}

/** Where a connection goes in the output of `streams` and `analyze`: its capture (in the order given), then its number. */
export function outputOrder(captureIndex: number, id: number): number {
  return captureIndex * 2 ** 32 + id;
}

/** The capture index an outputOrder was made with. */
export function captureOfOrder(order: number): number {
  return Math.floor(order / 2 ** 32);
}

/**
 * Every frame of a capture through the network decoder into the tracker, then the tracker finished (the
 * connections still open closed for their consumers). A file that cannot be opened is damage of this capture
 * (in the summary), not an exception, so that a run over several captures goes on with the others.
 */
export async function trackCapture(file: string, net: NetDecoder, tracker: ConnectionTracker, onSecrets?: (type: number, data: Buffer) => void): Promise<CaptureSummary> {
  const summary = await readCapture(
    file,
    (frame) => {
      const segment = net.decode(frame);
      if (segment) tracker.segment(segment);
    },
    { unreadableAsDamage: true, onSecrets },
  );
  tracker.finish();
  return summary;
}

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
  const result: StreamsResult = { captures: [], connections: [] };
  for (const file of files) {
    const net = new NetDecoder({ reuseSegments: true });
    // Each connection's row is made when the tracker lets it go (closed and quiet, or the capture ended), and
    // the connection forgotten: memory follows the connections open at once, not all the capture holds.
    const rows: (StreamRow & { capture: string })[] = [];
    const tracker = new ConnectionTracker({
      serverPorts: DEFAULT_SERVER_PORTS,
      keepClosed: false,
      open: (conn) => ({
        data: () => undefined,
        gap: () => undefined,
        wants: () => false,
        close: () => rows.push({ capture: file, ...summarizeConnection(conn) }),
      }),
    });
    const summary = await trackCapture(file, net, tracker);
    result.captures.push({ ...summary, net: net.stats, connections: tracker.stats.connections });
    rows.sort((a, b) => a.id - b.id);
    for (const row of rows) result.connections.push(row);
  }
  return result;
}

/**
 * Every frame of a capture through the network decoder into the tracker, then the tracker finished (the
 * connections still open closed for their consumers). A file that cannot be opened is damage of this capture
 * (in the summary), not an exception, so that a run over several captures goes on with the others.
 */
export async function trackCapture(file: string, net: NetDecoder, tracker: ConnectionTracker): Promise<CaptureSummary> {
  const summary = await readCapture(
    file,
    (frame) => {
      const segment = net.decode(frame);
      if (segment) tracker.segment(segment);
    },
    { unreadableAsDamage: true },
  );
  tracker.finish();
  return summary;
}

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
    const net = new NetDecoder();
    const tracker = new ConnectionTracker({ serverPorts: DEFAULT_SERVER_PORTS });
    const summary = await readCapture(file, (frame) => {
      const segment = net.decode(frame);
      if (segment) tracker.segment(segment);
    });
    const conns = tracker.finish();
    result.captures.push({ ...summary, net: net.stats, connections: conns.length });
    for (const conn of conns) result.connections.push({ capture: file, ...summarizeConnection(conn) });
  }
  return result;
}

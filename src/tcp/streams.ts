import type { Connection, Endpoint, PerSide } from './types.js';
import { isoMicros } from '../text/time.js';

/** One row of `tlsdissect streams` (JSON). */
export interface StreamRow {
  id: number;
  client: Endpoint;
  server: Endpoint;
  /** Time of the first frame, ISO 8601 UTC with microseconds: 2024-05-01T12:00:00.123456Z. */
  start: string;
  /** Seconds from the first to the last frame, to the microsecond. */
  duration: number;
  firstFrame: number;
  /** Whether the client's SYN was captured. */
  syn: boolean;
  packets: PerSide<number>;
  bytes: PerSide<number>;
  fin: PerSide<boolean>;
  rst: PerSide<boolean>;
  retransmissions: PerSide<number>;
  gaps: PerSide<number>;
}

const copy = <T>(v: PerSide<T>): PerSide<T> => ({ client: v.client, server: v.server });

export function summarizeConnection(conn: Connection): StreamRow {
  return {
    id: conn.id,
    client: { ip: conn.client.ip, port: conn.client.port },
    server: { ip: conn.server.ip, port: conn.server.port },
    start: isoMicros(conn.start),
    duration: Math.round((conn.end - conn.start) * 1e6) / 1e6,
    firstFrame: conn.firstFrame,
    syn: conn.syn,
    packets: copy(conn.packets),
    bytes: copy(conn.bytes),
    fin: copy(conn.fin),
    rst: copy(conn.rst),
    retransmissions: copy(conn.retransmissions),
    gaps: copy(conn.gaps),
  };
}

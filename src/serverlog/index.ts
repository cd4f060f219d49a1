export type { LogAddress, LogEntry, LogEvent, LogFileInfo, LogSession, LogTime, LooseReason } from './types.js';
export type { TimestampFormat } from '../analyze/summary.js';
export { MAX_LINE_CHARS, MAX_SESSION_LINES } from './types.js';
export { canonicalIp } from './address.js';
export { parseLogLine } from './parse.js';
export { LogReadError, readServerLog, type ReadLogOptions } from './reader.js';
export { FOLLOW_WINDOW, LogSessionBuilder, STARTUP_WINDOW, type SessionSink } from './sessions.js';
export { estimateOffset, EXPECT_WHOLE_ZONE, EXPECT_ZERO, PAIR_SLACK, splitZone, type OffsetEstimate, type OffsetPair } from './skew.js';
export { formatOffset, parseZone, toRealSeconds, YearTracker, type Zone } from './time.js';

import { readServerLog, type ReadLogOptions } from './reader.js';
import { LogSessionBuilder, type SessionSink } from './sessions.js';
import type { LogFileInfo } from './types.js';

/** Read one log file and group its lines: `sink` gets every line, in a session or loose. */
export async function readServerLogSessions(file: string, sink: SessionSink, options: ReadLogOptions = {}): Promise<LogFileInfo> {
  const builder = new LogSessionBuilder(sink);
  const info = await readServerLog(file, (e) => builder.push(e), options);
  builder.finish();
  return info;
}

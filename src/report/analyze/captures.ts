import { groupThousands } from '../../text/words.js';
import type { CaptureInfo } from '../../analyze/pipeline.js';

/** `capture.pcap: pcap, 1,234 frames, 12 connections` plus damage when the file could not be read to its end. */
export function captureSummaryLine(c: CaptureInfo): string {
  const kind = c.format ? `${c.format}${c.gzip ? ' (gzip)' : ''}` : 'unreadable';
  let line = `${c.file}: ${kind}, ${groupThousands(c.frames)} frames, ${c.connections} TCP connection${c.connections === 1 ? '' : 's'}`;
  if (c.damage?.kind === 'unreadable' && c.frames === 0) return `${c.file}: ${c.damage.message}`;
  if (c.damage) line += ` — stopped at byte ${c.damage.offset}: ${c.damage.message}`;
  // Caps reached (connections not listed, connections closed early, buffers): the reader must know the table is partial.
  if (c.notes) for (const n of c.notes) line += ` — ${n}`;
  return line;
}

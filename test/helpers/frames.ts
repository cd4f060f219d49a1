import { fileURLToPath } from 'node:url';
import { readCapture } from '../../src/capture/reader.js';
import type { CaptureSummary, Frame } from '../../src/capture/types.js';

/** Absolute path of a file in the repository's captures/ folder. */
export function capturePath(name: string): string {
  return fileURLToPath(new URL(`../../captures/${name}`, import.meta.url));
}

/** A frame whose data was copied, so it stays valid after the reader moved on. */
export type StoredFrame = Frame;

export function copyFrame(frame: Frame): StoredFrame {
  return { ...frame, data: Buffer.from(frame.data) };
}

/**
 * Read every frame of a capture into memory (tests only: real reading streams).
 * `file` is a path, or a bare name looked up in captures/.
 */
export async function readAllFrames(
  file: string,
  opts?: { chunkSize?: number },
): Promise<{ frames: StoredFrame[]; summary: CaptureSummary }> {
  const path = file.includes('/') || file === '-' ? file : capturePath(file);
  const frames: StoredFrame[] = [];
  const summary = await readCapture(path, (f) => frames.push(copyFrame(f)), opts);
  return { frames, summary };
}

export type { CaptureDamage, CaptureFormat, CaptureSummary, Frame, FrameSink } from './types.js';
export { CaptureReader, readCapture, type ReadCaptureOptions } from './reader.js';

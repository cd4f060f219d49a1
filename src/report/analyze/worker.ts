/** A worker thread of `analyze` with several captures (src/analyze/lanes.ts): analyzes the captures it is sent, one at a time, into StreamOutputs. */
import { parentPort } from 'node:worker_threads';
import { boundHeap } from '../../memory.js';
import { serveLanes } from '../../analyze/lanes.js';
import { STREAM_OUTPUT_LANES } from './stream-output.js';

const port = parentPort;
if (port) {
  // Each thread has a heap of its own: kept near what is live, as the command line keeps the main thread's.
  boundHeap();
  serveLanes(port, STREAM_OUTPUT_LANES);
}

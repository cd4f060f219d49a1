/** A worker thread of `analyze` with several captures (analyze-lanes.ts): analyzes the captures it is sent, one at a time. */
import { parentPort } from 'node:worker_threads';
import { boundHeap } from '../memory.js';
import { analyzeLane, type LaneReply, type LaneRequest } from './analyze-lanes.js';

const port = parentPort;
if (port) {
  // Each thread has a heap of its own: kept near what is live, as the command line keeps the main thread's.
  boundHeap();
  port.on('message', (request: LaneRequest) => {
    analyzeLane(request).then(
      (part) => port.postMessage({ ok: true, part } satisfies LaneReply),
      (err: unknown) => port.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) } satisfies LaneReply),
    );
  });
}

/** A worker thread of `analyze` with several captures (workers.ts): analyzes the captures it is sent, one at a time. */
import { parentPort } from 'node:worker_threads';
import { analyzeCapture } from './analyze.js';
import type { WorkerReply, WorkerRequest } from './workers.js';

const port = parentPort;
if (port) {
  port.on('message', (request: WorkerRequest) => {
    analyzeCapture(request.file, request.options).then(
      (result) => port.postMessage({ ok: true, result } satisfies WorkerReply),
      (err: unknown) => port.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) } satisfies WorkerReply),
    );
  });
}

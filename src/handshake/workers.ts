import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { AnalyzeOptions, CaptureInfo } from './analyze.js';
import type { ConnectionReport } from './report.js';

export interface CaptureAnalysis {
  info: CaptureInfo;
  connections: ConnectionReport[];
}

/** What a worker is sent: one capture to analyze. */
export interface WorkerRequest {
  file: string;
  options: AnalyzeOptions;
}

export type WorkerReply = { ok: true; result: CaptureAnalysis } | { ok: false; message: string };

/**
 * The worker script, always the compiled one (a worker cannot run TypeScript): dist/handshake/ seen from
 * dist/handshake/ and from src/handshake/ alike (the tests run the sources; their setup builds dist).
 */
const WORKER_URL = new URL('../../dist/handshake/analyze-worker.js', import.meta.url);

/** Worker threads used for several captures by default: one per core. */
export function defaultWorkers(): number {
  return availableParallelism();
}

/**
 * Analyze `workers` captures at once, each with the same options: one in this thread (`here`), the others in
 * worker threads; the results come back in the order of `files`. Null when that cannot be done (one file, one
 * worker, standard input, or options that cannot cross to a worker, such as an `inspect` callback): the caller
 * goes one by one.
 *
 * A worker's result is copied to this thread (structured clone), which costs about a third of analyzing it:
 * this thread analyzes captures too rather than only waiting and copying.
 */
export async function analyzeInWorkers(
  files: readonly string[],
  options: AnalyzeOptions,
  here: (file: string) => Promise<CaptureAnalysis>,
): Promise<CaptureAnalysis[] | null> {
  const workers = Math.min(files.length, options.workers ?? defaultWorkers());
  if (workers < 2 || files.includes('-') || options.inspect) return null;
  const { workers: _workers, ...sent } = options;
  try {
    structuredClone(sent);
  } catch {
    return null;
  }
  const results: CaptureAnalysis[] = new Array(files.length);
  let next = 0;
  const local = async (): Promise<void> => {
    while (next < files.length) {
      const k = next++;
      results[k] = await here(files[k]!);
    }
  };
  const lane = async (): Promise<void> => {
    const worker = new Worker(WORKER_URL);
    try {
      while (next < files.length) {
        const k = next++;
        results[k] = await ask(worker, { file: files[k]!, options: sent });
      }
    } finally {
      await worker.terminate();
    }
  };
  await Promise.all([local(), ...Array.from({ length: workers - 1 }, lane)]);
  return results;
}

function ask(worker: Worker, request: WorkerRequest): Promise<CaptureAnalysis> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (reply: WorkerReply): void => {
      done();
      if (reply.ok) resolve(reply.result);
      else reject(new Error(reply.message));
    };
    const onError = (err: Error): void => {
      done();
      reject(err);
    };
    const onExit = (code: number): void => {
      done();
      reject(new Error(`the worker analyzing ${request.file} stopped (exit code ${code})`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(request);
  });
}

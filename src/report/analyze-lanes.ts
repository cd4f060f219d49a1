/**
 * `analyze` over several captures at once: the first is analyzed in this thread, streamed into the run's
 * StreamOutput; each of the others in a lane (a worker thread, or this thread once it is free) into a
 * StreamOutput of its own, whose entries go to a temporary file this thread made. What comes back is small (the
 * file's index, the summary's counters), so taking a capture costs little here, and memory stays what one capture
 * needs per lane, whatever the captures' sizes.
 */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { analyzeCaptureSummarized, analyzeCapturesTo, type AnalyzeOptions, type CaptureInfo, type CaptureLanes, type CapturePart } from '../handshake/analyze.js';
import type { ConnectionReport } from '../handshake/report.js';
import type { AnalysisSummary, SummaryData } from '../handshake/summary.js';
import type { RetryLink } from '../handshake/retries.js';
import { StreamOutput, type StreamOutputOptions, type StreamOutputPart } from './analyze-stream.js';
import { Spill } from './spill.js';

/** What a lane is asked: one capture, with the run's options, its entries into `spill` (Spill.file, or null). */
export interface LaneRequest {
  file: string;
  captureIndex: number;
  options: AnalyzeOptions;
  output: StreamOutputOptions;
  spill: number | null;
}

/** What a lane sends back. */
export interface LanePart {
  info: CaptureInfo;
  summary: SummaryData;
  listed: number;
  output: StreamOutputPart;
}

export type LaneReply = { ok: true; part: LanePart } | { ok: false; message: string };

/** One capture analyzed into a StreamOutput of its own: what a lane does, in a worker thread or in this one. */
export async function analyzeLane(request: LaneRequest): Promise<LanePart> {
  const output = new StreamOutput(request.output, request.spill);
  const done = await analyzeCaptureSummarized(request.file, request.captureIndex, request.options, (report, k) => output.add(report, k));
  return { info: done.info, summary: done.summary.data(), listed: done.listed, output: output.part() };
}

/**
 * The worker script, always the compiled one (a worker cannot run TypeScript): dist/report/ seen from dist/report/
 * and from src/report/ alike (the tests run the sources; their setup builds dist).
 */
const WORKER_URL = new URL('../../dist/report/analyze-worker.js', import.meta.url);

/**
 * A capture smaller than this is analyzed sooner in this thread than in a worker thread, which must first load
 * and warm up the code (about half a second of CPU: on a 100 MB capture, two at once took longer than one after
 * the other).
 */
const WORTH_A_WORKER = 256 * 1024 * 1024;

/**
 * How many captures to analyze at once by default: one per two cores, as one analysis keeps about one and a half
 * busy (V8 collects garbage and compiles on threads of its own: on this project's 2-core machine two at once
 * were no faster than one after the other, even as separate processes only 1.15× faster); and no more than there
 * are captures worth a worker thread (WORTH_A_WORKER; compressed size for gzip), so that small captures go one
 * after the other.
 */
export function defaultJobs(files: readonly string[]): number {
  let worth = 0;
  for (const file of files) {
    try {
      if (file !== '-' && statSync(file).size >= WORTH_A_WORKER) worth++;
    } catch {
      // Unreadable: its damage is told when it is analyzed.
    }
  }
  return Math.max(1, Math.min(Math.floor(availableParallelism() / 2), worth));
}

/**
 * analyzeCapturesTo into `output`, with up to `workers` captures at once (default: defaultJobs; 1: one after
 * the other). Options that cannot cross to a worker thread (an `inspect` callback) mean one after the other.
 */
export async function analyzeIntoOutput(
  files: string[],
  options: AnalyzeOptions,
  output: StreamOutput,
  workers: number = defaultJobs(files),
): Promise<{ captures: CaptureInfo[]; summary: AnalysisSummary; retries: Map<number, RetryLink> }> {
  const outputOptions = output.opts;
  const sink = (report: ConnectionReport, k: number): void => output.add(report, k);
  const count = Math.min(workers, files.length);
  if (count < 2 || !crossesThreads(options, outputOptions)) return analyzeCapturesTo(files, options, sink);
  const threads: (Worker | null)[] = Array.from({ length: count }, () => null);
  const lanes: CaptureLanes = {
    count,
    run: async (file, captureIndex, opts, lane) => {
      const request: LaneRequest = { file, captureIndex, options: opts, output: outputOptions, spill: Spill.file() };
      let part: LanePart;
      try {
        part = lane === 0 ? await analyzeLane(request) : await ask((threads[lane] ??= new Worker(WORKER_URL)), request);
      } catch (err) {
        Spill.discard(request.spill);
        throw err;
      }
      return takeable(part, output);
    },
  };
  try {
    return await analyzeCapturesTo(files, options, sink, lanes);
  } finally {
    await Promise.all(threads.map((t) => t?.terminate()));
  }
}

function takeable(part: LanePart, output: StreamOutput): CapturePart {
  return {
    info: part.info,
    summary: part.summary,
    listed: part.listed,
    take: () => output.merge(part.output),
    drop: () => Spill.discard(part.output.spill.fd),
  };
}

function crossesThreads(options: AnalyzeOptions, outputOptions: StreamOutputOptions): boolean {
  if (options.inspect) return false;
  try {
    structuredClone([options, outputOptions]);
    return true;
  } catch {
    return false;
  }
}

function ask(worker: Worker, request: LaneRequest): Promise<LanePart> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (reply: LaneReply): void => {
      done();
      if (reply.ok) resolve(reply.part);
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

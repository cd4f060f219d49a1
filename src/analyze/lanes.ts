/**
 * `analyze` over several captures at once: the first is analyzed in this thread, streamed into the run's
 * output (the report's StreamOutput); each of the others in a lane (a worker thread, or this thread once it is
 * free) into an output of its own of the same kind, whose entries go to a temporary file this thread made. What comes back is small (the
 * file's index, the summary's counters), so taking a capture costs little here, and memory stays what one capture
 * needs per lane, whatever the captures' sizes.
 */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker, type MessagePort } from 'node:worker_threads';
import { analyzeCaptureSummarized, analyzeCapturesTo, type AnalyzeOptions, type CaptureInfo, type CaptureLanes, type CapturePart } from './pipeline.js';
import type { ConnectionReport, RetryLink } from '../handshake/report.js';
import type { AnalysisSummary, SummaryData } from './summary.js';
import { Spill } from './spill.js';

/**
 * What the lanes fill: the run's output, and one of the same kind in each lane, whose `part()` the run's output
 * `merge`s. The report layer's StreamOutput is one; this stage only knows this shape (a folder never imports a
 * later one).
 */
export interface LaneOutput<Options = unknown, Part = unknown> {
  readonly opts: Options;
  add(report: ConnectionReport, captureIndex: number): void;
  part(): Part;
  merge(part: Part): void;
  readonly lanes: LaneKind<Options, Part>;
}

/** How to make an output of a kind in a lane: in this thread (`create`), or in a worker thread (`worker`). */
export interface LaneKind<Options, Part> {
  create(opts: Options, spill: number | null): LaneOutput<Options, Part>;
  /**
   * The compiled worker script (a worker cannot run TypeScript), which calls serveLanes with this kind: seen
   * from dist/ and from src/ alike (the tests run the sources; their setup builds dist).
   */
  worker: URL;
  /** The file a part's entries are in, to remove when the part is dropped. */
  spillOf(part: Part): number | null;
}

/** What a lane is asked: one capture, with the run's options, its entries into `spill` (Spill.file, or null). */
export interface LaneRequest<Options = unknown> {
  file: string;
  captureIndex: number;
  options: AnalyzeOptions;
  output: Options;
  spill: number | null;
}

/** What a lane sends back. */
export interface LanePart<Part = unknown> {
  info: CaptureInfo;
  summary: SummaryData;
  listed: number;
  output: Part;
}

export type LaneReply<Part = unknown> = { ok: true; part: LanePart<Part> } | { ok: false; message: string };

/** One capture analyzed into an output of its own: what a lane does, in a worker thread or in this one. */
export async function analyzeLane<O, P>(request: LaneRequest<O>, kind: LaneKind<O, P>): Promise<LanePart<P>> {
  const output = kind.create(request.output, request.spill);
  const done = await analyzeCaptureSummarized(request.file, request.captureIndex, request.options, (report, k) => output.add(report, k));
  return { info: done.info, summary: done.summary.data(), listed: done.listed, output: output.part() };
}

/** A worker thread's work: analyze each capture it is sent into an output of `kind`, one at a time. */
export function serveLanes<O, P>(port: MessagePort, kind: LaneKind<O, P>): void {
  port.on('message', (request: LaneRequest<O>) => {
    analyzeLane(request, kind).then(
      (part) => port.postMessage({ ok: true, part } satisfies LaneReply<P>),
      (err: unknown) => port.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) } satisfies LaneReply<P>),
    );
  });
}

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
export async function analyzeIntoOutput<O, P>(
  files: string[],
  options: AnalyzeOptions,
  output: LaneOutput<O, P>,
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
      const request: LaneRequest<O> = { file, captureIndex, options: opts, output: outputOptions, spill: Spill.file() };
      let part: LanePart<P>;
      try {
        part = lane === 0 ? await analyzeLane(request, output.lanes) : await ask((threads[lane] ??= new Worker(output.lanes.worker)), request);
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

function takeable<O, P>(part: LanePart<P>, output: LaneOutput<O, P>): CapturePart {
  return {
    info: part.info,
    summary: part.summary,
    listed: part.listed,
    take: () => output.merge(part.output),
    drop: () => Spill.discard(output.lanes.spillOf(part.output)),
  };
}

function crossesThreads(options: AnalyzeOptions, outputOptions: unknown): boolean {
  if (options.inspect) return false;
  try {
    structuredClone([options, outputOptions]);
    return true;
  } catch {
    return false;
  }
}

function ask<O, P>(worker: Worker, request: LaneRequest<O>): Promise<LanePart<P>> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (reply: LaneReply<P>): void => {
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

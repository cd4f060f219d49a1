#!/usr/bin/env node
// Fuzzer: mutated real captures (captures/) through the whole built pipeline (dist/), in worker threads.
//
//   npm run fuzz -- --runs 1000000            (builds first)
//   node scripts/fuzz.mjs --runs 20000 --workers 2 --timeout 10000 --slow 2000 --seed 1
//
// Every input that throws, kills its worker (out of memory, …), runs past --timeout (the worker is
// terminated) or takes longer than --slow ms (or --slow-per-mb ms per MB of capture, for big ones) is written to fuzz-out/ with a .txt beside it saying what
// happened, which capture it came from and which mutations made it. Findings are deduplicated by their
// error and where it was thrown; the first few inputs of each are kept. Replay one with
// `node dist/cli.js analyze fuzz-out/<file>`; move it to test/fuzz/regressions/ once fixed.
//
// Run n uses seed (--seed + n): the same run number and seed give the same input.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { mutateCapture, prepareCorpus } from './fuzz-mutate.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CAPTURE_FILE = /\.(pcap|pcapng|cap)(\.gz)?$/;

if (isMainThread) await main();
else await worker();

function parseArgs(argv) {
  const opts = {
    runs: 10000,
    workers: 2,
    timeout: 10000,
    slow: 2000,
    slowPerMb: 1000,
    seed: 1,
    out: join(ROOT, 'fuzz-out'),
    captures: join(ROOT, 'captures'),
    seeds: join(ROOT, 'test/fuzz/seeds'),
    heapMb: 1024,
    keep: 3,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    const num = () => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) usage(`${a} needs a number, not ${v}`);
      i++;
      return n;
    };
    if (a === '--runs') opts.runs = num();
    else if (a === '--workers') opts.workers = Math.max(1, num());
    else if (a === '--timeout') opts.timeout = num();
    else if (a === '--slow') opts.slow = num();
    else if (a === '--slow-per-mb') opts.slowPerMb = num();
    else if (a === '--seed') opts.seed = num();
    else if (a === '--heap-mb') opts.heapMb = num();
    else if (a === '--keep') opts.keep = num();
    else if (a === '--out') (opts.out = v), i++;
    else if (a === '--captures') (opts.captures = v), i++;
    else if (a === '--seeds') (opts.seeds = v), i++;
    else if (a === '--help' || a === '-h') usage(null);
    else usage(`unknown option ${a}`);
  }
  return opts;
}

function usage(error) {
  const text =
    'usage: node scripts/fuzz.mjs [--runs N] [--workers N] [--timeout MS] [--slow MS] [--slow-per-mb MS] [--seed N] [--heap-mb MB] [--keep N] [--out DIR] [--captures DIR] [--seeds DIR]\n';
  if (error) {
    process.stderr.write(`fuzz: ${error}\n${text}`);
    process.exit(2);
  }
  process.stdout.write(text);
  process.exit(0);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(join(ROOT, 'dist/analyze/pipeline.js'))) {
    process.stderr.write('fuzz: dist/ is missing: run `npm run build` first (or `npm run fuzz`)\n');
    process.exit(2);
  }
  // The captures, and the hostile seeds (test/fuzz/seeds/: terminal escapes, Markdown injections) beside them.
  const inDir = (dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => CAPTURE_FILE.test(f)).sort().map((f) => join(dir, f)) : []);
  const names = [...inDir(opts.captures), ...inDir(opts.seeds)];
  if (names.length === 0) usage(`no captures in ${opts.captures}`);
  mkdirSync(opts.out, { recursive: true });
  const work = join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), `tlsdissect-fuzz-${process.pid}`);
  mkdirSync(work, { recursive: true });

  const started = Date.now();
  let nextRun = 0;
  let finished = 0;
  const findings = new Map(); // signature → { kind, count, files: [] }
  let slowest = { ms: 0, run: -1 };
  let workersAlive = 0;
  /** Workers that died before they were ready (dist/ broken mid-rebuild, …) in a row. */
  let failedStarts = 0;

  const state = { done: false };
  const progress = setInterval(() => report(false), 10_000);

  function report(final) {
    const secs = (Date.now() - started) / 1000;
    const rate = finished / Math.max(secs, 0.001);
    const found = [...findings.values()].reduce((n, f) => n + f.count, 0);
    process.stdout.write(
      `${final ? 'done' : 'fuzz'}: ${finished}/${opts.runs} runs, ${rate.toFixed(0)}/s, ${findings.size} distinct findings (${found} inputs), slowest ${slowest.ms.toFixed(0)} ms (run ${slowest.run}), ${secs.toFixed(0)} s\n`,
    );
  }

  function record(kind, detail, file, job) {
    const where = (detail.stack ?? '').split('\n').find((l) => l.includes('/dist/')) ?? '';
    const signature = `${kind}: ${String(detail.message ?? '').replace(/\d+/g, 'N')} ${where.trim().replace(/:\d+:\d+\)?$/, '')}`;
    let f = findings.get(signature);
    if (!f) {
      f = { kind, signature, count: 0, files: [] };
      findings.set(signature, f);
      process.stdout.write(`found ${signature} (run ${job.run}, from ${job.capture})\n`);
    }
    f.count++;
    if (f.files.length >= opts.keep) return;
    const ext = job.gzip ? '.pcap.gz' : '.pcap';
    const hash = createHash('sha1').update(readFileSync(file)).digest('hex').slice(0, 12);
    const base = `${kind}-${hash}`;
    copyFileSync(file, join(opts.out, base + ext));
    const text = [
      `${kind}: ${detail.message ?? ''}`,
      `run ${job.run}, seed ${job.seed}, from ${job.capture}`,
      `mutations: ${job.ops.join(', ')}`,
      detail.ms !== undefined ? `time: ${detail.ms.toFixed(0)} ms` : '',
      '',
      detail.stack ?? '',
    ].join('\n');
    writeFileSync(join(opts.out, base + '.txt'), text + '\n');
    f.files.push(base + ext);
  }

  await new Promise((resolveAll) => {
    const startWorker = (index) => {
      const file = join(work, `w${index}.bin`);
      const w = new Worker(fileURLToPath(import.meta.url), {
        workerData: { index, file, names },
        resourceLimits: { maxOldGenerationSizeMb: opts.heapMb },
      });
      workersAlive++;
      let job = null;
      let timer = null;
      let killed = false;
      let ready = false;
      const next = () => {
        if (nextRun >= opts.runs) {
          job = null;
          w.postMessage({ type: 'stop' });
          return;
        }
        const run = nextRun++;
        job = { run, seed: opts.seed + run };
        w.postMessage({ type: 'run', ...job });
      };
      w.on('message', (m) => {
        if (m.type === 'ready') {
          ready = true;
          failedStarts = 0;
          return next();
        }
        if (m.type === 'start') {
          Object.assign(job, { capture: m.capture, ops: m.ops, gzip: m.gzip });
          timer = setTimeout(() => {
            killed = true;
            record('timeout', { message: `no result after ${opts.timeout} ms` }, file, job);
            w.terminate();
          }, opts.timeout);
          return;
        }
        clearTimeout(timer);
        finished++;
        if (m.ms > slowest.ms) slowest = { ms: m.ms, run: job.run };
        if (m.type === 'crash') record('crash', m, file, job);
        else if (m.type === 'mutator-error') process.stderr.write(`fuzz: the mutator failed on run ${job.run}: ${m.stack}\n`);
        else if (m.ms > Math.max(opts.slow, (opts.slowPerMb * m.bytes) / 1e6)) {
          record('slow', { message: `took ${m.ms.toFixed(0)} ms for ${(m.bytes / 1e6).toFixed(1)} MB`, ms: m.ms }, file, job);
        }
        next();
      });
      w.on('error', (err) => {
        clearTimeout(timer);
        if (!ready) process.stderr.write(`fuzz: a worker failed to start: ${err.stack ?? err}\n`);
        if (job && job.ops) {
          finished++;
          record(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'oom' : 'worker-error', { message: err.message, stack: err.stack }, file, job);
          job = null;
        }
      });
      w.on('exit', () => {
        clearTimeout(timer);
        workersAlive--;
        if (killed) finished++;
        if (!ready && ++failedStarts > 5) {
          process.stderr.write('fuzz: workers keep dying before they start (is dist/ built?); stopping\n');
          state.done = true;
        }
        // A worker that died (timeout, out of memory) is replaced while there is work left.
        if (nextRun < opts.runs && !state.done) startWorker(index);
        else if (workersAlive === 0) resolveAll();
      });
    };
    for (let i = 0; i < opts.workers; i++) startWorker(i);
  });
  state.done = true;
  clearInterval(progress);
  report(true);
  rmSync(work, { recursive: true, force: true });
  const summary = {
    runs: finished,
    seed: opts.seed,
    seconds: Math.round((Date.now() - started) / 1000),
    slowestMs: Math.round(slowest.ms),
    findings: [...findings.values()],
  };
  writeFileSync(join(opts.out, `summary-${opts.seed}-${Date.now()}.json`), JSON.stringify(summary, null, 2) + '\n');
  for (const f of findings.values()) process.stdout.write(`${f.count} × ${f.signature}\n    ${f.files.join(' ')}\n`);
  process.exitCode = findings.size > 0 ? 1 : 0;
}

class InternalErrorNote extends Error {
  name = 'InternalErrorNote';
}

/** Output that is not inert: a raw control character for a terminal, an injected Markdown element. */
class UnsafeOutput extends Error {
  name = 'UnsafeOutput';
}

/** The elements the Markdown reports write themselves (rendered by markdown-it). */
const MARKDOWN_ELEMENTS = new Set(['h1', 'h2', 'h3', 'h4', 'p', 'sub', 'code', 'ul', 'ol', 'li', 'strong', 'em', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'details', 'summary', 'pre', 'br', 'hr', 'blockquote']);

async function worker() {
  const { file, names } = workerData;
  const dist = join(ROOT, 'dist');
  const imp = (p) => import(join(dist, p));
  const [{ analyzeCaptures }, text, markdown, html, redact, collect, { StreamOutput }, { StreamsOutput }] = await Promise.all([
    imp('analyze/pipeline.js'),
    imp('report/analyze/text.js'),
    imp('report/analyze/markdown.js'),
    imp('report/analyze/html.js'),
    imp('report/redact.js'),
    imp('tcp/collect.js'),
    imp('report/analyze/stream-output.js'),
    imp('report/streams/stream-output.js'),
  ]);
  /** The whole `analyze` report in `format`, made as the CLI makes it (StreamOutput, one connection at a time). */
  const analyzeReport = (result, format, text) => {
    const files = result.captures.map((c) => c.file);
    const out = new StreamOutput({ format, files, ...(text ? { text } : {}) });
    for (const r of result.connections) out.add(r, Math.max(0, files.indexOf(r.capture)));
    return [...out.render(result.captures, result.summary)].join('');
  };
  /** The whole `streams` output in `format`, as the CLI makes it. */
  const streamsReport = (s, format) => {
    const files = s.captures.map((c) => c.file);
    const out = new StreamsOutput(format, files);
    for (const row of s.connections) out.add(row, Math.max(0, files.indexOf(row.capture)));
    return [...out.render(s.captures)].join('');
  };
  const corpus = prepareCorpus(names.map((path) => ({ name: basename(path), bytes: readFileSync(path) })));
  const { default: MarkdownIt } = await import('markdown-it');
  // As GitHub renders a comment: HTML allowed, links made of www., scheme:// and e-mail addresses, not of bare domains.
  const markdownIt = new MarkdownIt({ html: true, linkify: true });
  markdownIt.linkify.set({ fuzzyLink: false });

  /**
   * What `tlsdissect analyze` and `streams` do with a capture, in every output format. The table renderer
   * and redaction cost more than the analysis itself, so they run on one input in 16 (streams: one in 8); one
   * connection's story is rendered for every input, three for those.
   */
  async function pipeline(run) {
    const result = await analyzeCaptures([file]);
    const bytes = result.captures[0]?.bytes ?? 0;
    // The decoders turn their own exceptions into an "internal error" note so that one bad connection does not
    // end a run: for the fuzzer that is a crash all the same.
    for (const c of result.connections) {
      const note = c.notes.find((n) => /internal error/.test(n));
      if (note) throw new InternalErrorNote(`connection ${c.id}: ${note}`);
    }
    renderAll(result, run % 16 === 0);
    if (run % 16 === 8) {
      const red = redact.redactDocument({ connections: result.connections, summary: result.summary });
      renderAll({ ...result, connections: red.connections, summary: red.summary }, true);
    }
    if (run % 8 === 4) {
      const s = await collect.collectStreams([file]);
      streamsReport(s, 'text');
      JSON.parse(streamsReport(s, 'json'));
    }
    return bytes;
  }
  function renderAll(result, table) {
    if (table) {
      inertForTerminal('the table', analyzeReport(result, 'text', { width: 120, color: false }));
      inertForTerminal('the summary', text.renderSummaryText(result));
    }
    JSON.parse(analyzeReport(result, 'json'));
    inertAsMarkdown('the Markdown report', analyzeReport(result, 'markdown'));
    const some = result.connections.slice(0, table ? 3 : 1);
    html.renderAnalysisHtml(result, { connections: some });
    for (const c of some) {
      inertForTerminal(`connection ${c.id}'s story`, text.renderConnectionText(c));
      inertAsMarkdown(`connection ${c.id}'s Markdown`, markdown.renderConnectionMarkdown(c));
    }
  }

  /** Text for a terminal: no raw control character but newline, no bidirectional override (src/text/terminal.ts). */
  function inertForTerminal(what, output) {
    const m = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.exec(output);
    if (m) throw new UnsafeOutput(`${what} holds a raw U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')}`);
  }

  /**
   * Markdown as GitHub renders it (HTML allowed): only the elements the reports themselves write, no link, image,
   * comment or open <details> (what a capture's strings could inject).
   */
  function inertAsMarkdown(what, output) {
    const rendered = markdownIt.render(output);
    for (const m of rendered.matchAll(/<(!--|[a-zA-Z][a-zA-Z0-9]*)([^>]*)>/g)) {
      const tag = m[1].toLowerCase();
      if (!MARKDOWN_ELEMENTS.has(tag)) throw new UnsafeOutput(`${what} renders an element <${tag}> the report does not write`);
      if (tag === 'details' && /\bopen\b/i.test(m[2])) throw new UnsafeOutput(`${what} renders an open <details>`);
    }
  }

  parentPort.on('message', async (m) => {
    if (m.type === 'stop') {
      parentPort.close();
      return;
    }
    const entry = corpus[m.seed % corpus.length];
    let mutated;
    try {
      mutated = mutateCapture(m.seed, entry, corpus);
    } catch (err) {
      // A bug in the mutator, not in tlsdissect: say so and go on.
      parentPort.postMessage({ type: 'start', capture: entry.name, ops: ['(mutator failed)'], gzip: false });
      parentPort.postMessage({ type: 'mutator-error', ms: 0, message: err?.message ?? String(err), stack: err?.stack ?? '' });
      return;
    }
    const { bytes, ops } = mutated;
    writeFileSync(file, bytes);
    const gzip = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
    parentPort.postMessage({ type: 'start', capture: entry.name, ops, gzip });
    const t0 = performance.now();
    try {
      const bytes = await pipeline(m.run);
      parentPort.postMessage({ type: 'done', ms: performance.now() - t0, bytes });
    } catch (err) {
      parentPort.postMessage({ type: 'crash', ms: performance.now() - t0, message: err?.message ?? String(err), stack: err?.stack ?? '' });
    }
  });
  parentPort.postMessage({ type: 'ready' });
}

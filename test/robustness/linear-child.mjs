/**
 * The measuring half of linear.test.ts, run in a process of its own on the built code (dist/): the CPU time of
 * one process (its collector's threads included) is what is compared, so neither the other test files running
 * beside it (which stretch wall-clock time, not CPU time) nor the test runner's own heap weigh in.
 *
 * argv: <kind> <small input> <large input> <scale> <bound>. Prints one JSON line: { ratios: number[] }, the
 * CPU time of one run on the large input over one run on the small input, per attempt.
 */
import { readFileSync } from 'node:fs';
import { analyzeCapture } from '../../dist/analyze/pipeline.js';
import { CaptureReader } from '../../dist/capture/push-reader.js';
import { Redactor } from '../../dist/report/redact.js';

const [kind, smallInput, largeInput, scaleArg, boundArg] = process.argv.slice(2);
const scale = Number(scaleArg);
const bound = Number(boundArg);

/** What one run does to an input, by kind; the input is read once, outside what is measured. */
const RUNS = {
  // The reports go to a sink that drops them, as the CLI streams them: what stays live is the open connections.
  analyze: (file) => () => analyzeCapture(file, {}, () => undefined),
  read: (file) => {
    const bytes = readFileSync(file);
    return () => {
      const reader = new CaptureReader('x', () => undefined);
      reader.push(bytes);
      return reader.end();
    };
  },
  redact: (file) => {
    const { source, text } = JSON.parse(readFileSync(file, 'utf8'));
    return () => {
      const redactor = new Redactor();
      redactor.learn(source);
      return redactor.text(text);
    };
  },
};

function cpuMs() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** CPU milliseconds per run, over `reps` runs. */
async function cpuPerRun(run, reps) {
  const t0 = cpuMs();
  for (let i = 0; i < reps; i++) await run();
  return (cpuMs() - t0) / reps;
}

const small = RUNS[kind](smallInput);
const large = RUNS[kind](largeInput);
// Compiled and optimized before anything is measured.
for (let i = 0; i < 2; i++) {
  await small();
  await large();
}
// A fast small run is repeated until it takes some 100 ms, so that timer resolution and one collection weigh little.
const once = Math.max(await cpuPerRun(small, 1), 0.01);
const reps = Math.min(400, Math.max(1, Math.ceil(100 / once)));
const largeReps = Math.max(1, Math.round(reps / scale));
// Small and large measured next to each other, so that a slow spell of the machine falls on both; measured again
// while above the bound (quadratic work stays above it every time; noise does not).
const ratios = [];
for (let attempt = 0; attempt < 5 && !(Math.min(...ratios) < bound); attempt++) {
  const l = await cpuPerRun(large, largeReps);
  const s = await cpuPerRun(small, reps);
  ratios.push(l / Math.max(s, 0.001));
}
console.log(JSON.stringify({ ratios }));

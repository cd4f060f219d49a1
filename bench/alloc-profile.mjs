#!/usr/bin/env node
/**
 * Where a run allocates, garbage included: the bytes every function allocated over the whole run, whether the
 * objects lived or were collected at once. The CPU profile (profile-summary.mjs) shows the collector's share;
 * this shows who makes the work it does.
 *
 *   node bench/alloc-profile.mjs [--top 40] [--interval 8192] -- dist/cli.js analyze FILE -o /dev/null
 *
 * Runs the command in this process under V8's sampling heap profiler (one sample every `--interval` bytes on
 * average, including the objects the young and old generation collections freed), then prints the total and
 * the functions by bytes allocated. An allocation made inside Node or V8 (a string's `repeat`, a RegExp's
 * `exec`) is named after the project function that called it: `exec <- serverLine mail/smtp.js:62`.
 */
import { Session } from 'node:inspector';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const dash = args.indexOf('--');
if (dash < 0 || dash === args.length - 1) {
  console.error('usage: node bench/alloc-profile.mjs [--top N] [--interval BYTES] -- SCRIPT [ARGS …]');
  process.exit(2);
}
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i < dash ? Number(args[i + 1]) : fallback;
};
const top = option('--top', 40);
const interval = option('--interval', 8192);
const [script, ...scriptArgs] = args.slice(dash + 1);

const session = new Session();
session.connect();
session.post('HeapProfiler.enable');
session.post('HeapProfiler.startSampling', { samplingInterval: interval, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });

// The command ends with process.exit or by itself: either way 'exit' comes, and an in-process session answers
// synchronously there.
process.on('exit', () => {
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (error) {
      console.error(`alloc-profile: ${error.message}`);
      return;
    }
    const bytes = new Map();
    const name = (node) => `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/.*\/dist\//, '')}:${node.callFrame.lineNumber + 1}`;
    const walk = (node, caller) => {
      const own = name(node);
      const internal = node.callFrame.url === '';
      const key = internal && caller ? `${node.callFrame.functionName} <- ${caller}` : own;
      bytes.set(key, (bytes.get(key) ?? 0) + node.selfSize);
      for (const child of node.children) walk(child, internal ? caller : own);
    };
    walk(result.profile.head, null);
    const total = [...bytes.values()].reduce((a, b) => a + b, 0);
    const lines = [`${(total / 1e6).toFixed(0)} MB allocated (sampled every ${interval} bytes)`];
    for (const [key, n] of [...bytes].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      lines.push(`${(n / 1e6).toFixed(1).padStart(8)} MB ${((100 * n) / total).toFixed(1).padStart(5)} %  ${key}`);
    }
    process.stderr.write(lines.join('\n') + '\n');
  });
});

process.argv = [process.argv[0], resolve(script), ...scriptArgs];
await import(pathToFileURL(resolve(script)).href);

#!/usr/bin/env node
/**
 * Where a run's CPU time went, from a V8 CPU profile:
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/cli.js analyze FILE -o /dev/null
 *   node bench/profile-summary.mjs /tmp/prof/*.cpuprofile [--top 40]
 *
 * Prints the main thread's time by stage (the dist/<stage>/<file>.js that was running, or that called the
 * Node or V8 internals that were: a Buffer copy made by src/tls/records.ts counts for tls/records), then the
 * functions with the most self time. Garbage collection is its own line; the collector's helper threads and
 * the kernel's time (page faults) are not in a profile at all: compare with user+sys from /usr/bin/time.
 */
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args[topAt + 1]) : 40;
const files = args.filter((a, i) => !a.startsWith('--') && (topAt < 0 || i !== topAt + 1));
if (files.length === 0) {
  console.error('usage: node bench/profile-summary.mjs FILE.cpuprofile [--top N]');
  process.exit(2);
}

const short = (url) => url.replace(/^.*\/(dist|node_modules)\//, '').replace(/^node:/, 'node:');
const nameOf = (n) => `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
    total += dt;
  }
  const byStage = new Map();
  const byFunction = new Map();
  for (const [id, t] of self) {
    const node = byId.get(id);
    const fn = nameOf(node);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + t);
    let stage = null;
    for (let cur = id; cur !== undefined && stage === null; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (n.callFrame.functionName === '(garbage collector)') stage = 'garbage collection';
      else {
        // The file's path under dist/, folders of any depth (report/analyze/json).
        const m = /dist\/((?:[\w-]+\/)+[\w-]+)\.js/.exec(n.callFrame.url);
        if (m) stage = m[1];
        else if (/dist\/cli\.js/.test(n.callFrame.url)) stage = 'cli';
      }
    }
    stage ??= node.callFrame.url ? 'start-up and Node internals' : node.callFrame.functionName || '(other)';
    byStage.set(stage, (byStage.get(stage) ?? 0) + t);
  }
  const row = (t, label) => `${(t / 1000).toFixed(0).padStart(7)} ms ${((100 * t) / total).toFixed(1).padStart(5)} %  ${label}`;
  console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled on the main thread`);
  console.log('by stage:');
  for (const [k, t] of [...byStage].sort((a, b) => b[1] - a[1])) if (t / total >= 0.002) console.log(row(t, k));
  console.log(`top ${top} functions by self time:`);
  for (const [k, t] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(row(t, k));
}

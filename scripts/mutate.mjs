#!/usr/bin/env node
/**
 * `npm run mutate [-- src/a.ts src/b.ts]`: mutation testing (StrykerJS, stryker.config.mjs) of each module of
 * MODULES, or of the ones named, one Stryker run per module so that each module's result is kept as soon as it
 * is measured (a whole run takes hours on 2 cores). Each run leaves reports/mutation/json/<module>.json; then
 * reports/mutation/summary.md is written from all of them: the score per module and every surviving mutant.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IGNORE_STATIC, MODULES } from '../stryker.config.mjs';

const OUT = 'reports/mutation';
const JSON_DIR = join(OUT, 'json');
/** Stryker's event recorder: one file per mutant tested, so that a run stopped early still tells what it measured. */
const EVENTS_DIR = join(OUT, 'events');
const reportName = (module) => module.replace(/^src\//, '').replace(/\.ts$/, '').replaceAll('/', '-') + '.json';

const asked = process.argv.slice(2).filter((a, i, all) => !a.startsWith('-') && !(all[i - 1]?.startsWith('--') && all[i - 1] !== '--summary'));
const summaryOnly = process.argv.includes('--summary');
// Other options go to Stryker as they are (`npm run mutate -- --concurrency 1 src/x.ts`).
const strykerOptions = process.argv.slice(2).filter((a, i, all) => a !== '--summary' && (a.startsWith('-') || all[i - 1]?.startsWith('--')));
const unknown = asked.filter((m) => !(m in MODULES));
if (unknown.length > 0) {
  console.error(`not in MODULES of stryker.config.mjs: ${unknown.join(', ')}`);
  process.exit(2);
}
const modules = asked.length > 0 ? asked : Object.keys(MODULES);
mkdirSync(JSON_DIR, { recursive: true });

if (!summaryOnly) {
  for (const module of modules) {
    console.log(`\n== ${module}`);
    const r = spawnSync('nice', ['-n', '15', process.execPath, 'node_modules/@stryker-mutator/core/bin/stryker.js', 'run', '--mutate', module, ...(IGNORE_STATIC.includes(module) ? ['--ignoreStatic'] : []), ...strykerOptions], {
      stdio: 'inherit',
      env: { ...process.env, MUTATE_JSON: join(JSON_DIR, reportName(module)), MUTATE_EVENTS: join(EVENTS_DIR, reportName(module).replace(/\.json$/, '')), MUTATE_TESTS: MODULES[module].join(',') },
    });
    if (r.status !== 0) console.error(`stryker ended with ${r.status ?? r.signal} on ${module}`);
  }
}
writeSummary();

/** Mutation score as Stryker counts it: killed + timeout over all valid mutants (no coverage counts as survived). */
function writeSummary() {
  const rows = [];
  const survivors = [];
  // Per module the latest run: its JSON report, or the events of a run stopped before its end when they are newer.
  const runs = new Set([...readdirSync(JSON_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)), ...(existsSync(EVENTS_DIR) ? readdirSync(EVENTS_DIR) : [])]);
  const reports = [];
  for (const run of [...runs].sort()) {
    const json = join(JSON_DIR, `${run}.json`);
    const events = join(EVENTS_DIR, run);
    const partial = existsSync(events) && (!existsSync(json) || statSync(events).mtimeMs > statSync(json).mtimeMs) ? partialReport(events) : null;
    if (partial) reports.push(partial);
    // A stopped run kept as JSON says how many mutants it planned (`partial`).
    else if (existsSync(json)) reports.push({ partial: null, ...JSON.parse(readFileSync(json, 'utf8')) });
  }
  for (const report of reports) {
    for (const [file, { mutants, source }] of Object.entries(report.files)) {
      const count = (s) => mutants.filter((m) => m.status === s).length;
      const detected = count('Killed') + count('Timeout');
      const ignored = count('Ignored');
      const undetected = count('Survived') + count('NoCoverage');
      const valid = detected + undetected;
      const lines = source.split('\n');
      const planned = report.partial && mutants.length < report.partial ? ` (stopped: ${mutants.length} of ${report.partial} tested)` : '';
      rows.push(`| ${file}${planned} | ${valid} | ${count('Killed')} | ${count('Timeout')} | ${count('Survived')} | ${count('NoCoverage')} | ${valid ? ((100 * detected) / valid).toFixed(1) : '–'} % | ${ignored} |`);
      for (const m of mutants.filter((x) => x.status === 'Survived' || x.status === 'NoCoverage')) {
        const original = lines[m.location.start.line - 1].trim().slice(0, 100);
        survivors.push(`| ${file}:${m.location.start.line}:${m.location.start.column} | ${m.mutatorName} | ${m.status} | \`${oneLine(m.replacement)}\` | \`${oneLine(original)}\` |`);
      }
    }
  }
  const md = [
    '# Mutation testing: scores and survivors',
    '',
    'Written by `npm run mutate` (scripts/mutate.mjs) from reports/mutation/json/. How to read it: docs/testing.md.',
    '',
    '| module | mutants | killed | timeout | survived | no coverage | score | ignored (static) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    '## Surviving mutants',
    '',
    '| where | mutator | status | replacement | original line |',
    '|---|---|---|---|---|',
    ...survivors,
    '',
  ].join('\n');
  writeFileSync(join(OUT, 'summary.md'), md);
  console.log(`\n${rows.join('\n')}\nwrote ${join(OUT, 'summary.md')}`);
}

/** A run stopped before its end, from its event files: the mutants tested so far, and how many were planned. */
function partialReport(dir) {
  const events = readdirSync(dir);
  const plan = events.find((f) => f.endsWith('-onMutationTestingPlanReady.json'));
  const tested = events.filter((f) => f.endsWith('-onMutantTested.json')).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
  if (!plan || tested.length === 0) return null;
  const planned = JSON.parse(readFileSync(join(dir, plan), 'utf8')).mutantPlans.length;
  const files = {};
  for (const m of tested) {
    const file = m.fileName.replace(/^.*?\/(src\/)/, '$1');
    files[file] ??= { source: readFileSync(file, 'utf8'), mutants: [] };
    files[file].mutants.push(m);
  }
  return { files, partial: planned };
}

function oneLine(s) {
  return String(s ?? '').replace(/\s+/g, ' ').replaceAll('|', '\\|').replaceAll('`', "'").slice(0, 100);
}

#!/usr/bin/env node
/**
 * Checks that two builds of tlsdissect say exactly the same about every capture in captures/: `analyze` (text and
 * JSON) and `streams` (text and JSON), standard output, standard error and exit code, byte for byte. For changes
 * that must not change any output (memory or speed work):
 *
 *   npm run build && cp -r dist /tmp/base/dist && cp package.json /tmp/base/ && ln -s "$PWD/node_modules" /tmp/base/
 *   … change, npm run build …
 *   node bench/same-output.mjs /tmp/base/dist/cli.js [dist/cli.js]
 *
 * `--every-format` adds analyze's Markdown, NDJSON and HTML and one `--connection` story per capture, with the
 * time each report was made masked (it names the second it ran).
 *
 * Prints one line per difference and a count; exits 1 when anything differs.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const everyFormat = process.argv.includes('--every-format');
const [baseCli, newCli = join(ROOT, 'dist/cli.js')] = process.argv.slice(2).filter((a) => a !== '--every-format');
if (!baseCli) {
  process.stderr.write('usage: node bench/same-output.mjs BASE/dist/cli.js [NEW/dist/cli.js]\n');
  process.exit(2);
}

const COMMANDS = [
  ['analyze'],
  ['analyze', '--format', 'json'],
  ['streams'],
  ['streams', '--format', 'json'],
  ...(everyFormat
    ? [
        ['analyze', '--format', 'markdown'],
        ['analyze', '--format', 'ndjson'],
        ['analyze', '--format', 'html'],
        ['analyze', '--connection', '1'],
      ]
    : []),
];

/** The second a report was made, as Markdown, NDJSON and HTML name it: never the same in two runs. */
const MADE_AT = new RegExp(`${new Date().toISOString().slice(0, 10)}T\\d\\d:\\d\\d:\\d\\dZ`, 'g');
const masked = (bytes) => (everyFormat ? Buffer.from(bytes.toString('latin1').replace(MADE_AT, 'MADE-AT'), 'latin1') : bytes);

function run(cli, args) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [resolve(cli), ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    const out = [];
    const err = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => err.push(b));
    child.on('close', (code) => done({ code, stdout: masked(Buffer.concat(out)), stderr: Buffer.concat(err) }));
  });
}

const files = readdirSync(join(ROOT, 'captures'))
  .filter((f) => /\.(pcap|pcapng|cap|gz)$/i.test(f))
  .sort()
  .map((f) => join('captures', f));
const jobs = [];
for (const file of files) for (const command of COMMANDS) jobs.push([...command, file]);

/** Byte for byte, but for the moment the report was made (the JSON's `tool.generated`), which two runs cannot share. */
function sameOutput(a, b) {
  const moment = /"generated": "[^"]*"/g;
  return a.equals(b) || a.toString('latin1').replace(moment, '') === b.toString('latin1').replace(moment, '');
}

let compared = 0;
let differing = 0;
let next = 0;
async function worker() {
  while (next < jobs.length) {
    const args = jobs[next++];
    const [a, b] = [await run(baseCli, args), await run(newCli, args)];
    compared++;
    const what = [];
    if (a.code !== b.code) what.push(`exit ${a.code} → ${b.code}`);
    if (!sameOutput(a.stdout, b.stdout)) what.push(`stdout differs (${a.stdout.length} → ${b.stdout.length} bytes)`);
    if (!a.stderr.equals(b.stderr)) what.push('stderr differs');
    if (what.length > 0) {
      differing++;
      process.stdout.write(`DIFFERENT: ${args.join(' ')}: ${what.join(', ')}\n`);
    }
  }
}
await Promise.all([worker(), worker()]);
process.stdout.write(`${compared} outputs compared (${files.length} captures × ${COMMANDS.length} commands), ${differing} different\n`);
process.exitCode = differing > 0 ? 1 : 0;

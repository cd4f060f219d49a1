#!/usr/bin/env node
/**
 * `npm run bench`: throughput and peak memory of `tlsdissect streams` and `tlsdissect analyze` on generated
 * mail-TLS captures (bench/generate.mjs) of several sizes, beside a plain read of the same file and tshark.
 *
 *   node bench/run.mjs [--sizes 100M,500M,1G] [--runs 3] [--commands streams,analyze,analyze-stdin]
 *                      [--tshark-max 500M] [--parallel 2] [--flood 1000000] [--quick]
 *
 * --quick: 100M only, one run each, no tshark above 100M. Each command runs as a user runs it
 * (`node dist/cli.js COMMAND FILE -o /dev/null`, default text output) under /usr/bin/time, which gives its
 * peak RSS; `analyze-stdin` is `cat FILE | … analyze -`, as a capture piped in from tcpdump. MB/s are file
 * bytes over wall-clock seconds (process start included); "past previous size" is what the bytes beyond the
 * previous size cost (the linear rate, free of what a run pays once). CPU s counts every thread
 * (V8's garbage collector helpers too); MB per CPU s is the figure least disturbed by other load. tshark (`tshark -r F -Y tls.handshake -T fields -e
 * tls.handshake.type`) reads at tens of MB/s, so by default it runs on files up to --tshark-max only; the
 * table says where it did not run. --parallel N: `analyze` over N copies of the same file (--parallel-size,
 * default 500M) at once (`-j N`: worker threads), against the same one after the other (`-j 1`) and against N
 * separate processes. The machine line gives the cost of a random memory read (cache miss) at the start: this
 * virtual machine's speed varies by up to 2× over hours, and that figure with it. --flood N: `analyze` and `streams`
 * (text output) on a SYN flood of N connections that never carry a byte (bench/generate.mjs --profile syn-flood;
 * default 1,000,000, 0: none; not with --quick unless given): peak RSS, and bytes per connection beyond what the
 * command takes on a one-connection capture (memory the caps do not bound; 100,000 open at once is the cap).
 * --mail-mix-mb N: the mail mix (bench/generate.mjs --profile mail-mix: short lab sessions, 45 % failed, about
 * 150 connections a MB) of N MB (default 100, 0: none; --quick: 30): tshark, `analyze` text and JSON and `streams`
 * on it, each once, in CPU seconds, µs of CPU a connection, MB/s, peak RSS and tshark's CPU time over its own.
 * --layers: the mail mix's table also times builds that stop a closing connection's work early (layerBuilds).
 * --idle-collector: the mail mix's table also times `analyze` (text, JSON) and `streams` with the garbage collector
 * nearly idle (idleCollectorBuild): a ceiling for what any change to memory can buy, not a way to run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, lstatSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import { generate, mailMix, parseSize, synFlood } from './generate.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist/cli.js');

const USAGE = `usage: npm run bench -- [--quick] [--sizes 100M,500M,1G] [--runs 3] [--commands streams,analyze,analyze-stdin]
                         [--tshark-max 500M] [--parallel 2] [--parallel-size 500M] [--flood 1000000] [--no-linear]
                         [--mail-mix-mb 100] [--layers] [--idle-collector]
Generates mail-TLS captures into bench/out/ (not committed), times each command on them beside a plain read and
tshark, and prints MB/s, packets/s, CPU seconds and peak RSS. --quick: 100M, one run. --flood N: peak RSS and
bytes per connection of analyze and streams on N SYN-only connections (0: not run; --quick runs none by default).
--mail-mix-mb N: the mail mix (short lab sessions, 45 % failed) of N MB, default 100 (--quick: 30; 0: not run):
tshark, analyze text and JSON, streams, in CPU s, µs a connection, MB/s, peak RSS and × tshark's CPU time.
--layers: on the mail mix also builds whose closing connections stop after decoding, the walk, the report.
--idle-collector: on the mail mix also analyze and streams with the collector nearly idle (a ceiling: 400–650 MB of RSS).
Last, the linear-time checks (test/robustness/linear.test.ts; --no-linear: not run): exit 1 when one fails.`;

function options() {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    process.exit(0);
  }
  const get = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
  };
  const quick = args.includes('--quick');
  return {
    sizes: get('sizes', quick ? '100M' : '100M,500M,1G').split(',').filter(Boolean),
    runs: Number(get('runs', quick ? 1 : 3)),
    commands: get('commands', 'streams,analyze,analyze-stdin').split(',').filter(Boolean),
    tsharkMax: parseSize(get('tshark-max', quick ? '100M' : '500M')),
    parallel: Number(get('parallel', 2)),
    parallelSize: get('parallel-size', null),
    flood: Number(get('flood', quick ? 0 : 1_000_000)),
    mailMixMb: Number(get('mail-mix-mb', quick ? 30 : 100)),
    linear: !args.includes('--no-linear'),
    layers: args.includes('--layers'),
    idleCollector: args.includes('--idle-collector'),
  };
}

/** The capture for a size, generated once into bench/out/ (not committed). */
function captureFor(size) {
  const file = join(ROOT, 'bench/out', `mail-${size}.pcap`);
  if (!existsSync(file)) {
    const t0 = performance.now();
    const r = generate({ size: parseSize(size), out: file });
    process.stderr.write(`generated ${file}: ${(r.bytes / 1e6).toFixed(0)} MB, ${r.frames} frames, ${r.connections} connections in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  return file;
}

/**
 * The mail-mix capture of `mb` MB, generated once into bench/out/ with its connection count beside it (a JSON
 * file: a count of the file would need a dissector, and the bench must not trust the one it measures).
 */
function mailMixFor(mb) {
  const file = join(ROOT, 'bench/out', `mail-mix-${mb}M.pcap`);
  const meta = `${file}.json`;
  if (!existsSync(file) || !existsSync(meta)) {
    const t0 = performance.now();
    const r = mailMix({ size: mb * 1e6, out: file });
    writeFileSync(meta, JSON.stringify({ bytes: r.bytes, frames: r.frames, connections: r.connections, byKind: r.byKind }) + '\n');
    process.stderr.write(`generated ${file}: ${(r.bytes / 1e6).toFixed(0)} MB, ${r.frames} frames, ${r.connections} connections in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  return { file, ...JSON.parse(readFileSync(meta, 'utf8')) };
}

/**
 * The mail mix's rows: tshark first, then each command once (the ratio to tshark is only worth something when
 * measured in the same run, on a machine whose speed drifts over hours).
 */
function mailMixTable(mb, tshark, layers, idleCollector) {
  const mix = mailMixFor(mb);
  const bytes = statSync(mix.file).size;
  const runs = [];
  if (tshark) runs.push(['tshark -Y tls.handshake', 'tshark', ['-r', mix.file, '-Y', 'tls.handshake', '-T', 'fields', '-e', 'tls.handshake.type']]);
  runs.push(['tlsdissect analyze (text)', process.execPath, [CLI, 'analyze', mix.file, '-o', '/dev/null']]);
  runs.push(['tlsdissect analyze --format json', process.execPath, [CLI, 'analyze', mix.file, '--format', 'json', '-o', '/dev/null']]);
  runs.push(['tlsdissect streams', process.execPath, [CLI, 'streams', mix.file, '-o', '/dev/null']]);
  if (layers) for (const [label, cli] of layerBuilds()) runs.push([label, process.execPath, [cli, 'analyze', mix.file, '-o', '/dev/null']]);
  if (idleCollector) {
    const { cli, flags } = idleCollectorBuild();
    const idle = (label, args) => runs.push([`${label}, collector nearly idle`, process.execPath, [...flags, cli, ...args, mix.file, '-o', '/dev/null']]);
    idle('analyze (text)', ['analyze']);
    idle('analyze --format json', ['analyze', '--format', 'json']);
    idle('streams', ['streams']);
  }
  const measured = runs.map(([label, program, args]) => measure(label, bytes, mix.frames, 1, program, args));
  const sharkCpu = tshark ? measured[0].cpu : null;
  const kinds = Object.entries(mix.byKind ?? {}).map(([k, n]) => `${k} ${fmt(n)}`).join(', ');
  const table = new Table({
    head: [`mail mix: ${fmt(bytes / 1e6)} MB, ${fmt(mix.connections)} connections (${fmt(mix.connections / (bytes / 1e6))} a MB), ${fmt(mix.frames)} packets`, 'CPU s', 'µs a connection', 'MB/s', 'peak RSS MB', '× tshark (its CPU s ÷ these)'],
    style: { head: [], border: [] },
  });
  for (const m of measured) {
    table.push([m.label, fmt(m.cpu, 2), fmt((m.cpu * 1e6) / mix.connections), fmt(m.mbs, m.mbs < 10 ? 1 : 0), fmt(m.rss), sharkCpu === null ? '' : fmt(sharkCpu / m.cpu, 1)]);
  }
  return { table, note: `mail mix: ${kinds}; one run each${tshark ? '' : ', no tshark (not installed)'}` };
}

/**
 * `--layers`: what `analyze` costs up to each stage of a connection's end, on the mail mix: copies of dist/ in a
 * temporary folder whose pipeline stops a closing connection's work at that stage (the follower's `onClose` in
 * dist/analyze/pipeline.js, patched by text: a build whose code moved fails here, loudly). Rows between `streams`
 * (reading, decoding, following TCP) and `analyze`: what decoding TLS and the mail dialogues packet by packet
 * costs, then the walk through the steps, then building the report; the rest of `analyze` is the summary and the
 * output.
 */
function layerBuilds() {
  const source = readFileSync(join(ROOT, 'dist/analyze/pipeline.js'), 'utf8');
  const close = 'follower.onClose = () => {';
  const sunk = /(const report = reportOf\(conn, follower\);\s*if \(sink && report\.id <= keeper\.max\)\s*)sink\(report\);/;
  if (!source.includes(close) || !sunk.test(source)) throw new Error('--layers: dist/analyze/pipeline.js no longer has the onClose this patches; update layerBuilds');
  const variants = [
    ['analyze, TLS and mail decoded, no end work', source.replace(close, `${close} return;`)],
    ['… + the walk (no report)', source.replace(close, `${close} follower.handshakePart(); return;`)],
    ['… + each report built (not summed, not written)', source.replace(sunk, '$1void report;')],
  ];
  return variants.map(([label, patched]) => [label, patchedBuild('analyze/pipeline.js', patched)]);
}

/**
 * `--idle-collector`: a copy of dist/ whose boundHeap (src/memory.ts) does nothing, run with a young generation
 * of up to 1 GB a half and no old-generation limit to speak of: a 300 MB mail mix then needs a few dozen
 * scavenges and three full collections instead of hundreds and thirty, at 400–650 MB of RSS. What it saves is
 * about what the collector costs today, so it bounds what keeping less per connection (issue 20's step 3) could
 * gain; it is no setting to ship (the 150 MB target).
 */
function idleCollectorBuild() {
  const memory = readFileSync(join(ROOT, 'dist/memory.js'), 'utf8');
  const bound = 'export function boundHeap() {';
  if (!memory.includes(bound)) throw new Error('--idle-collector: dist/memory.js no longer has the boundHeap this patches; update idleCollectorBuild');
  return { cli: patchedBuild('memory.js', memory.replace(bound, `${bound} return;`)), flags: ['--max-semi-space-size=1024', '--max-old-space-size=16000'] };
}

/**
 * A copy of dist/ in a temporary folder (removed at exit) with one of its files, `file` (under dist/), replaced
 * by `patched`; its package.json beside it and node_modules linked. Returns the copy's cli.js.
 */
function patchedBuild(file, patched) {
  const dir = mkdtempSync(join(tmpdir(), 'tlsdissect-patched-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'dist', file), patched);
  return join(dir, 'dist/cli.js');
}

/** A second name for `file` (a symbolic link beside it), made when missing. */
function copyOf(file, i) {
  const link = join(dirname(file), `copy${i}-${basename(file)}`);
  let exists = true;
  try {
    lstatSync(link);
  } catch {
    exists = false;
  }
  if (!exists) symlinkSync(basename(file), link);
  return link;
}

/** Frames in a classic pcap file (walking the record headers, 1 MiB at a time). */
function countFrames(file) {
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  const size = statSync(file).size;
  readSync(fd, buf, 0, 24, 0);
  const magic = buf.readUInt32BE(0);
  const le = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  let pos = 24;
  let frames = 0;
  let bufStart = 0;
  let bufEnd = 0;
  while (pos + 16 <= size) {
    if (pos + 16 > bufEnd) {
      bufStart = pos;
      bufEnd = pos + readSync(fd, buf, 0, buf.length, pos);
    }
    const at = pos - bufStart + 8;
    pos += 16 + (le ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
    frames++;
  }
  closeSync(fd);
  return frames;
}

/** Runs a command under /usr/bin/time: wall seconds, CPU seconds, peak RSS (MB). */
function timed(command, args, opts = {}) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', command, ...args], {
    cwd: ROOT,
    stdio: ['ignore', opts.stdout ?? 'ignore', 'pipe'],
    maxBuffer: 64 << 20,
    env: { ...process.env, NO_COLOR: '1' },
  });
  const lines = r.stderr.toString().trim().split('\n');
  const last = lines[lines.length - 1].trim().split(/\s+/).map(Number);
  if (r.status !== 0 || last.length !== 4 || last.some((n) => Number.isNaN(n))) {
    throw new Error(`${command} ${args.join(' ')} failed (exit ${r.status}): ${lines.slice(-3).join(' | ')}`);
  }
  const [wall, user, sys, rssKb] = last;
  return { wall, cpu: user + sys, rss: rssKb / 1024 };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Several runs of one command: MB/s median/min/max, packets/s at the median, peak RSS (max over runs). */
function measure(label, bytes, frames, runs, command, args) {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(timed(command, args));
  const rates = results.map((r) => bytes / 1e6 / r.wall);
  const wall = median(results.map((r) => r.wall));
  const cpu = median(results.map((r) => r.cpu));
  return {
    label,
    bytes,
    wall,
    cpu,
    mbs: median(rates),
    min: Math.min(...rates),
    max: Math.max(...rates),
    pps: frames / wall,
    rss: Math.max(...results.map((r) => r.rss)),
  };
}

/** Read in 1 MiB chunks into a buffer half a page into its allocation, as the capture reader does (src/capture/reader.ts: READ_BUFFER_SHIFT; a buffer at malloc's page offset makes the kernel's copy stall). */
const PLAIN_READ = `
const { openSync, readSync } = require('node:fs');
const fd = openSync(process.argv[1], 'r');
const buf = Buffer.allocUnsafe((1 << 20) + 2048).subarray(2048);
let n;
while ((n = readSync(fd, buf, 0, buf.length, null)) > 0) {}
`;

/** `analyze-stdin`: `analyze` reading standard input (a pipe from cat), the way `tcpdump -w - | …` feeds it. */
const baseCommand = (command) => command.replace(/-stdin$/, '');

/** What a bench command runs: its label, program and arguments. */
function invocation(command, file) {
  const base = baseCommand(command);
  if (base === command) return [`tlsdissect ${command}`, process.execPath, [CLI, command, file, '-o', '/dev/null']];
  // Time's figures then cover the shell and cat too: its CPU seconds include cat's, its peak is the largest process's.
  const pipeline = `cat "$1" | "$2" "$3" ${base} - -o /dev/null`;
  return [`cat | tlsdissect ${base} -`, '/bin/sh', ['-c', pipeline, 'sh', file, process.execPath, CLI]];
}

/**
 * Nanoseconds per dependent random read over 1 MiB and 16 MiB (a pointer chase through a random cycle): what a
 * cache miss costs on this machine at this hour. The analysis touches each packet's connection state at random
 * among thousands open, so its speed follows the second figure, which varies with the host's load.
 */
const MEMORY_LATENCY = `
const reads = 2e7;
const out = [];
for (const mib of [1, 16]) {
  const n = mib * 262144, next = new Int32Array(n);
  for (let i = 0; i < n; i++) next[i] = i;
  let seed = 12345;
  for (let i = n - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const j = seed % i, t = next[i];
    next[i] = next[j];
    next[j] = t;
  }
  let p = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < reads; i++) p = next[p];
  out.push((Number(process.hrtime.bigint() - t0) / reads + p * 0).toFixed(0));
}
console.log(out.join(' '));
`;

function memoryLatency() {
  const [small, large] = execFileSync(process.execPath, ['-e', MEMORY_LATENCY]).toString().trim().split(' ');
  return `random reads ${small} ns over 1 MiB, ${large} ns over 16 MiB`;
}

function haveTshark() {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function fmt(n, digits = 0) {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function main() {
  const o = options();
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` (npm run bench does)');
  const tshark = haveTshark();
  const rows = [];
  const notes = [];
  const latency = memoryLatency();
  // Start-up (Node, module loading) is paid once per run whatever the size: measured on a one-packet-flight
  // lab capture, it is taken out in the "MB/s after start-up" column, which is the one to compare for linearity.
  const tiny = join(ROOT, 'captures/abort-then-retry.pcap');
  const startup = {};
  const startupRss = {};
  for (const command of new Set([...o.commands.map(baseCommand), ...(o.flood > 0 ? ['analyze', 'streams'] : [])])) {
    const runs = Array.from({ length: Math.max(3, o.runs) }, () => timed(process.execPath, [CLI, command, tiny, '-o', '/dev/null']));
    startup[command] = median(runs.map((r) => r.wall));
    startupRss[command] = median(runs.map((r) => r.rss));
  }
  if (!tshark) notes.push('tshark is not installed: no tshark column');
  // Each command's previous size and time: "MB/s past the previous size" is what the extra bytes cost, free of
  // everything paid once per run (start-up, warming up the code, the first connections opening at once).
  const previous = {};
  for (const size of o.sizes) {
    const file = captureFor(size);
    const bytes = statSync(file).size;
    const frames = countFrames(file);
    const plain = measure('plain read', bytes, frames, o.runs, process.execPath, ['-e', PLAIN_READ, file]);
    let shark = null;
    if (tshark && parseSize(size) <= o.tsharkMax) {
      shark = measure('tshark', bytes, frames, 1, 'tshark', ['-r', file, '-Y', 'tls.handshake', '-T', 'fields', '-e', 'tls.handshake.type']);
    } else if (tshark) {
      notes.push(`tshark not run on ${size} (slower than 20 MB/s: over a minute per GB; --tshark-max ${size} runs it)`);
    }
    rows.push({ size, ...plain, vsPlain: null, vsShark: null });
    if (shark) rows.push({ size, ...shark, vsPlain: plain.mbs / shark.mbs, vsShark: null });
    for (const command of o.commands) {
      const [label, program, args] = invocation(command, file);
      const m = measure(label, bytes, frames, o.runs, program, args);
      const net = bytes / 1e6 / Math.max(0.001, m.wall - startup[baseCommand(command)]);
      const before = previous[command];
      const marginal = before && bytes > before.bytes ? (bytes - before.bytes) / 1e6 / Math.max(0.001, m.wall - before.wall) : undefined;
      previous[command] = { bytes, wall: m.wall };
      rows.push({ size, ...m, net, marginal, vsPlain: plain.mbs / m.mbs, vsShark: shark ? m.mbs / shark.mbs : null });
    }
    process.stderr.write(`${size} done\n`);
  }

  const table = new Table({
    head: ['file', 'what', 'MB/s median', 'min', 'max', 'MB/s after start-up', 'MB/s past previous size', 'packets/s', 'CPU s', 'MB per CPU s', 'peak RSS MB', 'plain read ÷ this', '× tshark'],
    style: { head: [], border: [] },
  });
  for (const r of rows) {
    table.push([
      r.size,
      r.label,
      fmt(r.mbs),
      fmt(r.min),
      fmt(r.max),
      r.net === undefined ? '' : fmt(r.net),
      r.marginal === undefined ? '' : fmt(r.marginal),
      fmt(r.pps),
      fmt(r.cpu, 2),
      fmt(r.bytes / 1e6 / r.cpu),
      fmt(r.rss),
      r.vsPlain === null ? '' : fmt(r.vsPlain, 1),
      r.vsShark === null ? '' : fmt(r.vsShark, 1),
    ]);
  }

  let parallel = null;
  if (o.parallel > 1 && o.commands.includes('analyze')) {
    const size = o.parallelSize ?? '500M';
    const file = captureFor(size);
    const bytes = statSync(file).size;
    const frames = countFrames(file);
    const one = measure('1 file', bytes, frames, o.runs, process.execPath, [CLI, 'analyze', file, '-o', '/dev/null']);
    // N names for the file (analyze reads a file named twice once): links beside it, made once.
    const files = Array.from({ length: o.parallel }, (_, i) => (i === 0 ? file : copyOf(file, i)));
    const many = measure(`${o.parallel} files`, bytes * o.parallel, frames * o.parallel, o.runs, process.execPath, [CLI, 'analyze', ...files, '-j', String(o.parallel), '-o', '/dev/null']);
    // One after the other in one process: the second capture finds the code already warmed up (compiled,
    // optimized) and the caches filled, which a worker thread does not.
    const serial = measure(`${o.parallel} files -j 1`, bytes * o.parallel, frames * o.parallel, o.runs, process.execPath, [CLI, 'analyze', ...files, '-j', '1', '-o', '/dev/null']);
    // The machine's own ceiling: the same number of separate processes, each analyzing one file, all at once.
    // One analyze already keeps more than one core partly busy (V8 collects garbage and compiles on threads of
    // its own), so this is what worker threads can at best approach, not N×.
    const quote = (a) => `'${a.replace(/'/g, `'\\''`)}'`;
    const one1 = [process.execPath, CLI, 'analyze', file, '-o', '/dev/null'].map(quote).join(' ');
    const script = `${Array.from({ length: o.parallel }, () => `${one1} &`).join(' ')} wait`;
    const separate = measure(`${o.parallel} processes`, bytes * o.parallel, frames * o.parallel, o.runs, '/bin/sh', ['-c', script]);
    parallel = new Table({ head: [`analyze, ${size} each`, 'wall s', 'MB/s', 'CPU s', 'peak RSS MB', 'speed-up'], style: { head: [], border: [] } });
    parallel.push(['1 file', fmt(one.wall, 2), fmt(one.mbs), fmt(one.cpu, 2), fmt(one.rss), '']);
    parallel.push([`${o.parallel} files one after the other (-j 1)`, fmt(serial.wall, 2), fmt(serial.mbs), fmt(serial.cpu, 2), fmt(serial.rss), '1×']);
    parallel.push([`${o.parallel} files at once (-j ${o.parallel})`, fmt(many.wall, 2), fmt(many.mbs), fmt(many.cpu, 2), fmt(many.rss), fmt(serial.wall / many.wall, 2) + '×']);
    parallel.push([`${o.parallel} separate processes at once (ceiling)`, fmt(separate.wall, 2), fmt(separate.mbs), fmt(separate.cpu, 2), fmt(separate.rss), fmt(serial.wall / separate.wall, 2) + '×']);
  }

  let flood = null;
  if (o.flood > 0) {
    // Connections that never carry a byte: what each costs beyond the caps (100,000 open at once, 50,000 listed).
    const file = join(ROOT, 'bench/out', `syn-flood-${o.flood}.pcap`);
    if (!existsSync(file)) synFlood({ connections: o.flood, out: file });
    flood = new Table({
      head: [`SYN flood: ${fmt(o.flood)} SYN-only connections`, 'wall s', 'CPU s', 'peak RSS MB', 'start-up peak RSS MB', 'bytes per connection beyond start-up'],
      style: { head: [], border: [] },
    });
    for (const command of ['analyze', 'streams']) {
      const m = measure(`tlsdissect ${command}`, statSync(file).size, o.flood, o.runs, process.execPath, [CLI, command, file, '-o', '/dev/null']);
      const base = startupRss[command];
      flood.push([m.label, fmt(m.wall, 2), fmt(m.cpu, 2), fmt(m.rss), fmt(base), fmt(((m.rss - base) * 1024 * 1024) / o.flood)]);
    }
  }

  let mix = null;
  if (o.mailMixMb > 0) mix = mailMixTable(o.mailMixMb, tshark, o.layers, o.idleCollector);

  const cpu = cpus();
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  process.stdout.write(
    `machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${fmt(totalmem() / 2 ** 30, 1)} GiB RAM (${fmt(freemem() / 2 ** 30, 1)} free), ` +
      `Node ${process.version}, ${o.runs} run${o.runs === 1 ? '' : 's'} each; load average at the end: ${load}\n` +
      `memory latency at the start: ${latency}\n`,
  );
  if (rows.length > 0) process.stdout.write(table.toString() + '\n');
  if (parallel) process.stdout.write(parallel.toString() + '\n');
  if (flood) process.stdout.write(flood.toString() + '\n');
  if (mix) {
    process.stdout.write(mix.table.toString() + '\n');
    notes.push(mix.note);
  }
  process.stdout.write(`start-up (a small capture): ${Object.entries(startup).map(([c, t]) => `${c} ${fmt(t, 2)} s`).join(', ')}\n`);
  for (const n of notes) process.stdout.write(`note: ${n}\n`);
  if (o.linear) linearChecks();
}

/**
 * Time linear in input size (test/robustness/linear.test.ts): each hostile shape at 1× and 8× its size, CPU time
 * compared in a process of its own. A check of speed, so here and not in `npm test`; run alone, after the timings.
 */
function linearChecks() {
  process.stdout.write('linear time (CPU time at 8× the input, bound 24×):\n');
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--project', 'timing', '--reporter', 'verbose'], {
    cwd: ROOT,
    env: { ...process.env, TLSDISSECT_TIMING: '1', NO_COLOR: '1' },
    encoding: 'utf8',
  });
  const lines = `${r.stdout}${r.stderr}`.split('\n').filter((l) => /[✓×]|Tests |CPU time ratios/.test(l));
  for (const l of lines) process.stdout.write(`  ${l.trim()}\n`);
  if (r.status !== 0) process.exitCode = 1;
}

main();

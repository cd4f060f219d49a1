/**
 * Damaged capture files through the real CLI (`node dist/cli.js`, built by the global setup): one line on
 * stderr naming the file, the offset and what is wrong, the documented exit code, no stack trace, and every
 * connection read before the damage still analyzed and reported on stdout.
 *
 * The damaged files are made here from real captures: good-25-smtp-starttls.pcap and .pcapng hold the same
 * three SMTP STARTTLS connections, in frames 1–25, 26–51 and 52–81.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync, constants as zlib } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { splitCapture } from '../../scripts/fuzz-mutate.mjs';
import { capture, CLI, ROOT, runCli } from '../cli/run.js';
import { halfOpenFlood, pcapFile } from './pcap-writer.js';

const EXIT_OK = 0;
const EXIT_UNREADABLE = 3;
const EXIT_PARTLY_READ = 4;

const dir = mkdtempSync(join(tmpdir(), 'tlsdissect-damage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PCAP = readFileSync(capture('good-25-smtp-starttls.pcap'));
const PCAPNG = readFileSync(capture('good-25-smtp-starttls.pcapng'));

/** Byte offset and length of each record (pcap) or block (pcapng), in file order. */
function layout(bytes: Buffer): { offset: number; length: number }[] {
  const cap = splitCapture(bytes);
  let offset = cap.header.length;
  return cap.units.map((u) => {
    const r = { offset, length: u.bytes.length };
    offset += u.bytes.length;
    return r;
  });
}
const RECORDS = layout(PCAP);
/** pcapng: the Section Header and Interface Description Blocks come first; then one block per frame. */
const BLOCKS = layout(PCAPNG);
const FIRST_PACKET_BLOCK = BLOCKS.length - 81;

function write(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

interface Analyzed {
  status: number | null;
  stdout: string;
  stderr: string;
  connections: Record<string, unknown>[];
  captures: { file: string; frames: number; damage: { kind: string; offset: number; message: string } | null }[];
}

function analyzeJson(...files: string[]): Analyzed {
  const r = runCli(['analyze', ...files, '-f', 'json']);
  // Nothing read from any capture: no report at all (the errors on stderr say why).
  const doc = r.stdout === '' ? { connections: [], captures: [] } : JSON.parse(r.stdout);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, connections: doc.connections, captures: doc.captures };
}

/** A connection's report without the capture's file name (the damaged copy has another name). */
const comparable = (c: Record<string, unknown>) => ({ ...c, capture: '' });

const FULL = analyzeJson(capture('good-25-smtp-starttls.pcap'));
const FULL_NG = analyzeJson(capture('good-25-smtp-starttls.pcapng'));

function expectOneLine(r: { stderr: string }, line: string): void {
  expect(r.stderr).toBe(`${line}\n`);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

describe('the undamaged captures (what the damaged ones are compared with)', () => {
  it('have three connections and no stderr', () => {
    expect(FULL.status).toBe(EXIT_OK);
    expect(FULL.stderr).toBe('');
    expect(FULL.connections).toHaveLength(3);
    expect(FULL_NG.connections).toHaveLength(3);
    expect(RECORDS).toHaveLength(81);
  });
});

describe('damaged classic pcap', () => {
  it('cut inside the file header: nothing readable, exit 3', () => {
    const file = write('header-cut.pcap', PCAP.subarray(0, 10));
    const r = analyzeJson(file);
    expectOneLine(r, `tlsdissect: ${file}: at byte 0: the pcap file header is cut off: 10 of 24 bytes`);
    expect(r.status).toBe(EXIT_UNREADABLE);
    expect(r.stdout).toBe('');
  });

  it('cut inside a record header: exit 4, the connections before it intact', () => {
    const rec = RECORDS[29]; // frame 30, inside the second connection
    const file = write('record-header-cut.pcap', PCAP.subarray(0, rec.offset + 7));
    const r = analyzeJson(file);
    expectOneLine(r, `tlsdissect: ${file}: at byte ${rec.offset}: packet record 30 header is cut off: 7 of 16 bytes`);
    expect(r.status).toBe(EXIT_PARTLY_READ);
    expect(r.captures[0].frames).toBe(29);
    expect(r.connections).toHaveLength(2);
    expect(comparable(r.connections[0])).toEqual(comparable(FULL.connections[0]));
    // The second connection is reported with what was captured of it.
    expect(r.connections[1]).toMatchObject({ id: 2, firstFrame: 26 });
  });

  it('cut in the middle of a packet: exit 4, what came before reported', () => {
    const rec = RECORDS[29];
    const file = write('packet-cut.pcap', PCAP.subarray(0, rec.offset + 16 + 20));
    const r = analyzeJson(file);
    expectOneLine(r, `tlsdissect: ${file}: at byte ${rec.offset}: packet record 30 is cut off: 20 of ${rec.length - 16} bytes`);
    expect(r.status).toBe(EXIT_PARTLY_READ);
    expect(comparable(r.connections[0])).toEqual(comparable(FULL.connections[0]));
  });

  it('a corrupt captured length: exit 4, stops there', () => {
    const rec = RECORDS[55]; // frame 56, inside the third connection
    const bytes = Buffer.from(PCAP);
    bytes.writeUInt32LE(0x7fffffff, rec.offset + 8);
    const file = write('corrupt-length.pcap', bytes);
    const r = analyzeJson(file);
    expectOneLine(r, `tlsdissect: ${file}: at byte ${rec.offset}: packet record 56 claims 2147483647 captured bytes (more than the 262144 any capture holds)`);
    expect(r.status).toBe(EXIT_PARTLY_READ);
    expect(r.connections).toHaveLength(3);
    expect(r.connections.slice(0, 2).map(comparable)).toEqual(FULL.connections.slice(0, 2).map(comparable));
  });

  it('garbage after the end: every connection intact, exit 4', () => {
    const file = write('garbage.pcap', Buffer.concat([PCAP, Buffer.from('this is not a packet\n')]));
    const r = analyzeJson(file);
    // The garbage read as a record header: bytes 8..11 ("not ") as a little-endian length.
    expectOneLine(r, `tlsdissect: ${file}: at byte ${PCAP.length}: packet record 82 claims ${Buffer.from('not ').readUInt32LE(0)} captured bytes (more than the 262144 any capture holds)`);
    expect(r.status).toBe(EXIT_PARTLY_READ);
    expect(r.connections.map(comparable)).toEqual(FULL.connections.map(comparable));
  });

  it('a few bytes of garbage after the end', () => {
    const file = write('garbage-short.pcap', Buffer.concat([PCAP, Buffer.from('junk\n')]));
    const r = analyzeJson(file);
    expectOneLine(r, `tlsdissect: ${file}: at byte ${PCAP.length}: packet record 82 header is cut off: 5 of 16 bytes`);
    expect(r.status).toBe(EXIT_PARTLY_READ);
    expect(r.connections.map(comparable)).toEqual(FULL.connections.map(comparable));
  });
});

describe('damaged pcapng', () => {
  it('a block whose length is not a multiple of 4: exit 4, the connections before it intact', () => {
    const block = BLOCKS[FIRST_PACKET_BLOCK + 29]; // frame 30
    const bytes = Buffer.from(PCAPNG);
    bytes.writeUInt32LE(block.length + 1, block.offset + 4);
    const file = write('bad-block-length.pcapng', bytes);
    const r = analyzeJson(file);
    expectOneLine(r, `tlsdissect: ${file}: at byte ${block.offset}: Enhanced Packet Block has length ${block.length + 1}, not a multiple of 4`);
    expect(r.status).toBe(EXIT_PARTLY_READ);
    expect(comparable(r.connections[0])).toEqual(comparable(FULL_NG.connections[0]));
  });

  it('a block with different lengths at its start and end', () => {
    const block = BLOCKS[FIRST_PACKET_BLOCK + 60]; // frame 61
    const bytes = Buffer.from(PCAPNG);
    bytes.writeUInt32LE(block.length + 4, block.offset + block.length - 4);
    const file = write('bad-trailer.pcapng', bytes);
    const r = analyzeJson(file);
    expectOneLine(r, `tlsdissect: ${file}: at byte ${block.offset}: Enhanced Packet Block has length ${block.length} at its start but ${block.length + 4} at its end`);
    expect(r.status).toBe(EXIT_PARTLY_READ);
    expect(r.connections.slice(0, 2).map(comparable)).toEqual(FULL_NG.connections.slice(0, 2).map(comparable));
  });

  it('cut inside a packet block', () => {
    const block = BLOCKS[FIRST_PACKET_BLOCK + 29];
    const file = write('block-cut.pcapng', PCAPNG.subarray(0, block.offset + 40));
    const r = analyzeJson(file);
    expectOneLine(r, `tlsdissect: ${file}: at byte ${block.offset}: Enhanced Packet Block (frame 30) is cut off: 40 of ${block.length} bytes`);
    expect(r.status).toBe(EXIT_PARTLY_READ);
    expect(comparable(r.connections[0])).toEqual(comparable(FULL_NG.connections[0]));
  });

  it('cut inside its Section Header Block: nothing readable, exit 3', () => {
    const file = write('shb-cut.pcapng', PCAPNG.subarray(0, 20));
    const r = analyzeJson(file);
    expectOneLine(r, `tlsdissect: ${file}: at byte 0: Section Header Block is cut off: 20 of ${BLOCKS[0].length} bytes`);
    expect(r.status).toBe(EXIT_UNREADABLE);
    expect(r.stdout).toBe('');
  });
});

describe('files that are no capture at all', () => {
  it('an empty file: exit 3', () => {
    const file = write('empty.pcap', Buffer.alloc(0));
    const r = analyzeJson(file);
    expectOneLine(r, `tlsdissect: ${file}: at byte 0: the file is empty`);
    expect(r.status).toBe(EXIT_UNREADABLE);
    expect(r.stdout).toBe('');
  });

  it('a text file: exit 3', () => {
    const file = write('notes.txt', Buffer.from('Hello, this is not a capture.\n'));
    const r = analyzeJson(file);
    expectOneLine(r, `tlsdissect: ${file}: at byte 0: not a pcap or pcapng file: it starts with 48 65 6c 6c, which looks like text`);
    expect(r.status).toBe(EXIT_UNREADABLE);
  });

  it('a missing file: exit 3, one line, in the text format too', () => {
    const file = join(dir, 'does-not-exist.pcap');
    const r = runCli(['analyze', file]);
    expectOneLine(r, `tlsdissect: ${file}: cannot open: no such file`);
    expect(r.status).toBe(EXIT_UNREADABLE);
  });

  it('a missing file next to a good one: the good one is still analyzed', () => {
    const missing = join(dir, 'gone.pcap');
    const r = analyzeJson(missing, capture('good-25-smtp-starttls.pcap'));
    expectOneLine(r, `tlsdissect: ${missing}: cannot open: no such file`);
    expect(r.status).toBe(EXIT_UNREADABLE);
    expect(r.connections.map(comparable)).toEqual(FULL.connections.map(comparable));
  });

  it('a directory: exit 3', () => {
    const r = runCli(['analyze', dir]);
    expectOneLine(r, `tlsdissect: ${dir}: cannot open: is a directory`);
    expect(r.status).toBe(EXIT_UNREADABLE);
  });
});

describe('damaged gzip', () => {
  const gz = gzipSync(PCAP);

  it('a gzip stream cut short: everything decompressed before is analyzed, exit 4', () => {
    const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
    const file = write('cut.pcap.gz', cut);
    // What can be decompressed of the cut stream, and the record it ends in.
    const plain = gunzipSync(cut, { finishFlush: zlib.Z_SYNC_FLUSH });
    const index = RECORDS.findIndex((rec) => rec.offset + rec.length > plain.length);
    const rec = RECORDS[index];
    const got = plain.length - rec.offset;
    const what = got < 16 ? `packet record ${index + 1} header is cut off: ${got} of 16 bytes` : `packet record ${index + 1} is cut off: ${got - 16} of ${rec.length - 16} bytes`;
    const r = analyzeJson(file);
    expectOneLine(r, `tlsdissect: ${file}: at byte ${rec.offset}: ${what}: the gzip stream ends early`);
    expect(r.status).toBe(EXIT_PARTLY_READ);
    expect(r.captures[0].frames).toBe(index);
    const complete = FULL.connections.filter((c) => ((c as { tcp: { events: { frame: number }[] } }).tcp.events.at(-1)?.frame ?? 0) <= index);
    expect(complete.length).toBeGreaterThan(0);
    expect(r.connections.slice(0, complete.length).map(comparable)).toEqual(complete.map(comparable));
  });

  it('a gzip stream with a corrupt checksum: every frame read, then damage', () => {
    const bad = Buffer.from(gz);
    bad[bad.length - 8] ^= 0xff; // CRC-32
    const file = write('bad-crc.pcap.gz', bad);
    const r = analyzeJson(file);
    expectOneLine(r, `tlsdissect: ${file}: at byte ${PCAP.length}: the gzip data is corrupt (incorrect data check)`);
    expect(r.status).toBe(EXIT_PARTLY_READ);
    expect(r.connections.map(comparable)).toEqual(FULL.connections.map(comparable));
  });
});

describe('streams on a damaged file', () => {
  it('says the same one line and exit code', () => {
    const rec = RECORDS[29];
    const file = write('streams-cut.pcap', PCAP.subarray(0, rec.offset + 7));
    const r = runCli(['streams', file]);
    expectOneLine(r, `tlsdissect: ${file}: at byte ${rec.offset}: packet record 30 header is cut off: 7 of 16 bytes`);
    expect(r.status).toBe(EXIT_PARTLY_READ);
    expect(r.stdout).toMatch(/packet record 30 header is cut off/);
  });
});

describe('caps through the CLI', () => {
  it('--max-connections: the capture line says how many were not listed; the summary counts them all', () => {
    const file = write('flood.pcap', pcapFile(halfOpenFlood(50)));
    const r = runCli(['analyze', file, '--max-connections', '10']);
    expect(r.status).toBe(EXIT_OK);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`${file}: pcap, 50 frames, 50 TCP connections — cap reached: 40 connections after the first 10 are counted in the summary but not listed (--max-connections raises the cap)`);
    expect(r.stdout).toMatch(/^50 connections:/m);
    const json = JSON.parse(runCli(['analyze', file, '--max-connections', '10', '-f', 'json']).stdout);
    expect(json.connections).toHaveLength(10);
    expect(json.summary.connections).toBe(50);
    expect(json.captures[0].unlisted.connections).toBe(40);
  });

  it('--max-connections must be a whole number', () => {
    const r = runCli(['analyze', capture('good-25-smtp-starttls.pcap'), '--max-connections', 'lots']);
    expectOneLine(r, 'tlsdissect: --max-connections lots: not a whole number');
    expect(r.status).toBe(2);
  });

  it('--jobs: the same report whatever the number of captures analyzed at once; it must be 1 or more', () => {
    const files = [capture('abort-then-retry.pcap'), capture('cert-reject.pcap'), capture('good-993-imaps.pcap')];
    const one = runCli(['analyze', ...files, '--jobs', '1']);
    expect(one.status).toBe(EXIT_OK);
    expect(one.stdout).toContain('3#');
    expect(runCli(['analyze', ...files, '--jobs', '3']).stdout).toBe(one.stdout);
    const r = runCli(['analyze', ...files, '--jobs', '0']);
    expectOneLine(r, 'tlsdissect: --jobs 0: not a whole number of 1 or more');
    expect(r.status).toBe(2);
  });
});

describe('writing the report fails', () => {
  it('-o into a missing folder: one line, exit 6', () => {
    const out = join(dir, 'no-such-folder', 'report.txt');
    const r = runCli(['analyze', capture('good-25-smtp-starttls.pcap'), '-o', out]);
    expectOneLine(r, `tlsdissect: cannot write ${out}: no such file or directory`);
    expect(r.status).toBe(6);
  });

  it.runIf(existsSync('/dev/full'))('standard output on a full disk: one line, exit 6', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" analyze captures/good-25-smtp-starttls.pcap -f json > /dev/full`], { cwd: ROOT });
    expectOneLine({ stderr: r.stderr.toString() }, 'tlsdissect: cannot write the report: no space left on device');
    expect(r.status).toBe(6);
  });

  it('a reader that stops early (| head): no error, the analysis\'s exit code', () => {
    const rec = RECORDS[29];
    const file = write('head.pcap', PCAP.subarray(0, rec.offset + 7));
    // Output big enough (abort-after-shd.pcap's JSON) that the pipe closes while it is still being written.
    const piped = spawnSync('sh', ['-c', `("${process.execPath}" "${CLI}" analyze "${file}" "${capture('abort-after-shd.pcap')}" -f json; echo "status $?" >&2) | head -c 10 > /dev/null`], { cwd: ROOT });
    const stderr = piped.stderr.toString();
    expect(stderr).not.toMatch(/EPIPE|^\s+at /m);
    expect(stderr).toMatch(/status 4\n$/);
  });
});

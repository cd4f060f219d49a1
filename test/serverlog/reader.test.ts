import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readServerLog } from '../../src/serverlog/reader.js';
import { MAX_LINE_CHARS, type LogEntry } from '../../src/serverlog/types.js';
import { POSTFIX_LOG, writeFixture } from './convert.js';

async function read(file: string, options = {}) {
  const entries: LogEntry[] = [];
  const info = await readServerLog(file, (e) => entries.push(e), options);
  return { info, entries };
}

describe('reading a log file', () => {
  it('reads the real Postfix log line by line', async () => {
    const { info, entries } = await read(POSTFIX_LOG, { referenceSeconds: Date.parse('2026-11-28T12:00:00Z') / 1000 });
    expect(info).toMatchObject({ lines: 361, recognised: 361, cutLines: 0, gzip: false, formats: { rfc3164: 361 } });
    expect(entries.map((e) => e.lineNumber)).toEqual(Array.from({ length: 361 }, (_, i) => i + 1));
    expect(info.first!.seconds).toBe(Date.parse('2026-11-28T11:57:07Z') / 1000);
  });

  it('reads gzip (logrotate), CRLF line ends, a last line without a newline', async () => {
    const text = 'Nov 28 11:57:07 mail postfix/smtpd[1]: connect from unknown[10.0.0.1]:1000\r\nnot a log line\r\nNov 28 11:57:08 mail postfix/smtpd[1]: disconnect from unknown[10.0.0.1]:1000';
    const plain = writeFixture('crlf.log', [text]);
    const gz = writeFixture('crlf.log.gz', []);
    writeFileSync(gz, gzipSync(Buffer.from(text)));
    for (const file of [plain, gz]) {
      const { info, entries } = await read(file, { year: 2026 });
      expect(info.gzip).toBe(file === gz);
      expect(entries.map((e) => e.line)).toEqual(text.split('\r\n'));
      expect(entries.map((e) => e.event)).toEqual(['connect', 'other', 'disconnect']);
      expect(info.recognised).toBe(2);
    }
  });

  it('cuts an overlong line and goes on; stops cleanly on a damaged gzip tail', async () => {
    const long = 'Nov 28 11:57:07 mail postfix/smtpd[1]: ' + 'x'.repeat(3 * MAX_LINE_CHARS);
    const file = writeFixture('long.log', [long, 'Nov 28 11:57:08 mail postfix/smtpd[1]: after']);
    const { info, entries } = await read(file, { year: 2026 });
    expect(info.cutLines).toBe(1);
    expect(entries).toHaveLength(2);
    expect(entries[0]!.line).toHaveLength(MAX_LINE_CHARS);
    expect(entries[1]!).toMatchObject({ lineNumber: 2, message: 'after' });

    const gz = writeFixture('damaged.log.gz', []);
    const whole = gzipSync(Buffer.from('Nov 28 11:57:07 mail postfix/smtpd[1]: one\n'.repeat(2000)));
    const bytes = Buffer.from(whole.subarray(0, whole.length - 8));
    bytes[bytes.length - 20] ^= 0xff;
    writeFileSync(gz, bytes);
    const damaged = await read(gz, { year: 2026 });
    expect(damaged.info.damage).toMatch(/^gzip data damaged after \d+ lines/);
    expect(damaged.entries.length).toBe(damaged.info.lines);
  });

  it('says "cannot open" for a missing file or a directory', async () => {
    await expect(read('/nonexistent/mail.log')).rejects.toThrow(/^cannot open \/nonexistent\/mail.log: no such file/);
    await expect(read('/')).rejects.toThrow(/^cannot open \/: /);
  });
});

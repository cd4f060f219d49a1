import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run.js';

const CAPTURE = 'captures/keylog/tls13-client-cert-missing.pcapng';
const KEYS = 'captures/keylog/tls13-client-cert-missing.keys';

describe('--keylog', () => {
  it('names the alert the server sent inside TLS 1.3', () => {
    const r = runCli(['analyze', CAPTURE, '--keylog', KEYS, '-c', '1']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('server sent alert certificate_required (116)');
    expect(r.stdout).toContain('CertificateRequest');
  });

  it('diff takes it too', () => {
    const r = runCli(['diff', 'captures/keylog/tls13-client-cert.pcapng', CAPTURE, '--keylog', KEYS, '--keylog', 'captures/keylog/tls13-client-cert.keys', '-f', 'json']);
    expect(r.status).toBe(0);
    const diff = JSON.parse(r.stdout);
    expect(JSON.stringify(diff)).toContain('certificate_required');
  });

  it('--redact hides the key log file name, and no secret is ever written', () => {
    const r = runCli(['analyze', CAPTURE, '--keylog', KEYS, '--redact', '-f', 'json']);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('tls13-client-cert-missing');
    expect(JSON.parse(r.stdout).tool.command).toContain('--keylog keylog-1');
    expect(r.stdout.toLowerCase()).not.toMatch(/[0-9a-f]{64}/);
  });

  it('refuses a file that is not a key log in one line, quoting no line of it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keylog-'));
    const bad = join(dir, 'bad.keys');
    writeFileSync(bad, `CLIENT_RANDOM ${'ab'.repeat(32)} notasecret\n`);
    const r = runCli(['analyze', CAPTURE, '--keylog', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('no key log line');
    expect(r.stderr).not.toContain('notasecret');
    expect(runCli(['analyze', CAPTURE, '--keylog', join(dir, 'missing.keys')]).status).toBe(2);
    expect(runCli(['analyze', CAPTURE, '--keylog', '/dev/zero']).status).toBe(2);
  });
});

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { capture, CLI, ROOT, runCli } from './run.js';

describe('tlsdissect analyze (the README commands)', () => {
  it('tells the motivating story: an abort after ServerHelloDone, then a retry that works', () => {
    const r = runCli(['analyze', 'captures/abort-then-retry.pcap']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('captures/abort-then-retry.pcap: pcap, 53 frames, 2 TCP connections');
    expect(r.stdout).toMatch(/^1 .*4 ServerHelloDone +failed +client FIN +\[A\] +\[retried 3\.6 s later: complete, #2\] \[chain: large\]$/m);
    expect(r.stdout).toMatch(/^2 .*9 server Finished +complete +server FIN +\[B\] +\[chain: large\]$/m);
    expect(r.stdout).toContain('[A] client closed (FIN) 0.1 ms after ServerHelloDone without an alert');
    expect(r.stdout).toContain('2 connections: 1 complete, 1 failed');
  });

  it('shows every connection number whole, as --connection takes it (334 connections; several captures: 2#7)', () => {
    const many = runCli(['analyze', 'captures/tls2.pcap']);
    expect(many.stdout).toMatch(/^334 +\d\d:/m);
    expect(many.stdout).not.toMatch(/^\d+… /m);
    const two = runCli(['analyze', 'captures/abort-then-retry.pcap', 'captures/cert-reject.pcap']);
    expect(two.stdout).toMatch(/^2#7 +\d\d:/m);
  });

  it('reads a capture named twice once, and says so (its connections would be listed twice, numbered 1#N both times)', () => {
    const once = runCli(['analyze', 'captures/abort-then-retry.pcap', 'captures/cert-reject.pcap', '--format', 'json']);
    for (const command of ['analyze', 'streams']) {
      const r = runCli([command, 'captures/abort-then-retry.pcap', 'captures/cert-reject.pcap', 'captures/abort-then-retry.pcap', '--format', 'json']);
      expect(r.status).toBe(0);
      expect(r.stderr).toBe('tlsdissect: captures/abort-then-retry.pcap: given more than once, read once\n');
      const doc = JSON.parse(r.stdout);
      expect(doc.captures.map((c: { file: string }) => c.file)).toEqual(['captures/abort-then-retry.pcap', 'captures/cert-reject.pcap']);
      // The same document but for the command line and the time it names (`tool`).
      const withoutTool = (json: string) => JSON.stringify({ ...JSON.parse(json), tool: undefined });
      if (command === 'analyze') expect(withoutTool(r.stdout)).toBe(withoutTool(once.stdout));
    }
    const text = runCli(['analyze', 'captures/abort-then-retry.pcap', 'captures/cert-reject.pcap', 'captures/abort-then-retry.pcap']);
    expect(text.stdout.match(/^1#1 /gm)).toHaveLength(1);
  });

  it('writes the JSON contract the README documents', () => {
    const r = runCli(['analyze', 'captures/abort-after-shd.pcap', '--format', 'json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(expect.arrayContaining(['captures', 'connections', 'summary']));
    expect(doc.connections).toHaveLength(9);
    const c = doc.connections[0];
    expect(c.client).toEqual({ ip: '10.77.0.100', port: 50648 });
    expect(c.server).toEqual({ ip: '10.77.0.1', port: 25 });
    expect(c.protocol).toBe('smtp-starttls');
    expect(c.outcome).toBe('failed');
    expect(c.lastStep).toBe(4);
    expect(c.history).toBe('Csxkn');
    expect(c.tls).toMatchObject({ version: 'TLS 1.2', cipher: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384' });
    expect(c.end).toMatchObject({ by: 'client', how: 'fin', alert: null });
    expect(c.messages.map((m: { type: string }) => m.type)).toEqual(['ClientHello', 'ServerHello', 'Certificate', 'ServerKeyExchange', 'ServerHelloDone']);
    for (const m of c.messages) expect(Number.isInteger(m.frame) && m.frame > 0).toBe(true);
    expect(c.tcp.retransmissions).toEqual({ client: 0, server: 0 });
    expect(c.start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(typeof c.diagnosis).toBe('string');
  });

  it('reads a capture from standard input', () => {
    const bytes = readFileSync(capture('abort-then-retry.pcap'));
    const fromFile = runCli(['analyze', 'captures/abort-then-retry.pcap', '-f', 'json']);
    const fromStdin = runCli(['analyze', '-', '-f', 'json'], bytes);
    expect(fromStdin.status).toBe(0);
    // The capture's name is '-' on one side (in each connection, and in its retry link).
    const strip = (s: string) => JSON.parse(s).connections.map((c: { capture: string; retry: { capture: string } | null }) => ({ ...c, capture: '', retry: c.retry && { ...c.retry, capture: '' } }));
    expect(strip(fromStdin.stdout)).toEqual(strip(fromFile.stdout));
  });

  it('reads standard input made non-blocking by another process, waiting for data that comes late', async () => {
    // Touching process.stdin first makes the pipe non-blocking (libuv does), as the reader itself does: a read
    // finds no data yet (EAGAIN), and the reader waits and reads on. The capture comes in two parts, a second apart.
    const bytes = readFileSync(capture('abort-then-retry.pcap'));
    const child = spawn(process.execPath, ['--import', 'data:text/javascript,process.stdin', CLI, 'analyze', '-', '-f', 'json'], { cwd: ROOT });
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    const status = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.write(bytes.subarray(0, 100));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    child.stdin.end(bytes.subarray(100));
    expect(await status).toBe(0);
    const fromFile = runCli(['analyze', 'captures/abort-then-retry.pcap', '-f', 'json']);
    // The capture's name is '-' on one side (in each connection, and in its retry link).
    const strip = (s: string) => JSON.parse(s).connections.map((c: { capture: string; retry: { capture: string } | null }) => ({ ...c, capture: '', retry: c.retry && { ...c.retry, capture: '' } }));
    expect(strip(Buffer.concat(out).toString())).toEqual(strip(fromFile.stdout));
  });

  describe.skipIf(!existsSync('/proc/self/fdinfo/0'))('Ctrl-C on a live capture piped in (tcpdump -w - | tlsdissect analyze -)', () => {
    /** A live capture: the bytes written, the pipe left open (the writer goes on), the CLI ready for Ctrl-C. */
    async function liveCapture(graceMs?: number): Promise<{ child: ChildProcessWithoutNullStreams; stdout: () => string; stderr: () => string; exit: Promise<number | null> }> {
      const env = graceMs === undefined ? process.env : { ...process.env, TLSDISSECT_INTERRUPT_GRACE_MS: String(graceMs) };
      const child = spawn(process.execPath, [CLI, 'analyze', '-', '-f', 'json'], { cwd: ROOT, env });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      await new Promise((resolve) => child.stdin.write(readFileSync(capture('abort-then-retry.pcap')), resolve));
      // Wait until the CLI reads standard input, after it took Ctrl-C over: the reader makes the pipe non-blocking
      // (Linux: /proc/PID/fdinfo/0). A Ctrl-C before would kill it.
      while (!readsNonBlocking(child.pid!)) await new Promise((resolve) => setTimeout(resolve, 20));
      return { child, stdout: () => Buffer.concat(out).toString(), stderr: () => Buffer.concat(err).toString(), exit };
    }

    it('the first Ctrl-C ends the capture, not the program: the report covers what came', async () => {
      const live = await liveCapture();
      live.child.kill('SIGINT');
      expect(await live.exit).toBe(0);
      live.child.stdin.destroy();
      expect(live.stderr()).toContain('tlsdissect: interrupted: the report covers what standard input gave until now');
      const fromFile = runCli(['analyze', 'captures/abort-then-retry.pcap', '-f', 'json']);
      // The capture's name is '-' on one side (in each connection, and in its retry link).
    const strip = (s: string) => JSON.parse(s).connections.map((c: { capture: string; retry: { capture: string } | null }) => ({ ...c, capture: '', retry: c.retry && { ...c.retry, capture: '' } }));
      expect(strip(live.stdout())).toEqual(strip(fromFile.stdout));
    });

    it('a second Ctrl-C quits at once, exit 130', async () => {
      // Reading would go on for a minute after the first: the second comes within it however loaded the machine is.
      const live = await liveCapture(60_000);
      live.child.kill('SIGINT');
      while (!live.stderr().includes('interrupted')) await new Promise((resolve) => setTimeout(resolve, 10));
      live.child.kill('SIGINT');
      expect(await live.exit).toBe(130);
      live.child.stdin.destroy();
      expect(live.stdout()).toBe('');
    });
  });

  it('shows only failures with --failed, and exits 1 with --fail-on-failure', () => {
    const r = runCli(['analyze', 'captures/abort-then-retry.pcap', '--failed', '-f', 'json', '--fail-on-failure']);
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.connections.map((c: { outcome: string }) => c.outcome)).toEqual(['failed']);
  });

  it('tells one connection\'s whole story with --connection', () => {
    const r = runCli(['analyze', 'captures/pmtu-blackhole-fail.pcap', '--connection', '1']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('path-MTU black hole likely');
    expect(r.stdout).toMatch(/TCP retransmission/);
    expect(r.stdout).toMatch(/ServerHello/);
  });

  it('renders Markdown with a closed code block per failed connection', () => {
    const r = runCli(['analyze', 'captures/cert-reject.pcap', '-f', 'markdown']);
    expect(r.status).toBe(0);
    expect((r.stdout.match(/^```/gm) ?? []).length % 2).toBe(0);
    expect(r.stdout).toMatch(/^\| # \| client \| server \|/m);
    expect(r.stdout).toContain('<details>');
  });

  it('says what is wrong with the command line in one line, exit 2', () => {
    const bad = runCli(['analyze', 'captures/cert-reject.pcap', '--port', 'banana']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    const noConn = runCli(['analyze', 'captures/cert-reject.pcap', '--connection', '99']);
    expect(noConn.status).toBe(2);
    expect(noConn.stderr).toMatch(/no such connection/);
    const unknown = runCli(['analyze', '--no-such-option', 'x']);
    expect(unknown.status).toBe(2);
  });

  it('a missing file: one line, exit 3, no stack trace', () => {
    const r = runCli(['analyze', 'captures/does-not-exist.pcap']);
    expect(r.status).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/does-not-exist\.pcap/);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });
});

describe('tlsdissect streams', () => {
  it('lists every TCP connection with the documented JSON fields', () => {
    const r = runCli(['streams', 'captures/good-any-sll2.pcap', '-f', 'json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.captures[0].linkTypes).toEqual([276]);
    expect(doc.connections.length).toBeGreaterThanOrEqual(3);
    for (const c of doc.connections) {
      expect(c).toMatchObject({ client: { ip: expect.any(String), port: expect.any(Number) }, server: { ip: expect.any(String), port: expect.any(Number) } });
      for (const k of ['packets', 'bytes', 'fin', 'rst', 'retransmissions', 'gaps']) expect(Object.keys(c[k]).sort()).toEqual(['client', 'server']);
      expect(typeof c.syn).toBe('boolean');
      expect(Number.isInteger(c.firstFrame)).toBe(true);
    }
  });

  it('prints a table on the terminal path', () => {
    const r = runCli(['streams', 'captures/abort-then-retry.pcap']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('10.77.0.100:53402');
  });
});

/** Whether the process's standard input is non-blocking (O_NONBLOCK in the flags of /proc/PID/fdinfo/0). */
function readsNonBlocking(pid: number): boolean {
  const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/${pid}/fdinfo/0`, 'utf8'));
  return flags !== null && (parseInt(flags[1]!, 8) & 0o4000) !== 0;
}

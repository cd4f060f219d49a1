import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../cli/run.js';

describe('tlsdissect diff (the README commands)', () => {
  it('text: the divergence on the first line, two columns aligned by step, the likely cause', () => {
    const r = runCli(['diff', 'captures/pmtu-blackhole-mssfix-ok.pcap', 'captures/pmtu-blackhole-fail.pcap']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^Both reach step 2 ServerHello; the good server goes on with Certificate after .* the bad client closes with FIN after 15\.0 s/);
    expect(r.stdout).toMatch(/good: captures\/pmtu-blackhole-mssfix-ok\.pcap#1 .*\n {6}chosen: /);
    expect(r.stdout).toMatch(/^! {2}MSS client \/ server +1360 \/ 1460 +1460 \/ 1460$/m);
    expect(r.stdout).toMatch(/^≠ {2}3 Certificate\/ServerKeyExchange +[\d.]+ ms · frame 20 +—$/m);
    expect(r.stdout).toMatch(/\nLikely cause: the bad client never acknowledged the server's 6,992-byte flight.*path-MTU black hole likely/);
    expect(r.stdout).toMatch(/\nIdentical:\n {2}= ClientHello: /);
    // No colour when standard output is not a terminal.
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('markdown: a heading, the divergence in bold, a table and the verdict lists', () => {
    const r = runCli(['diff', 'captures/abort-then-retry.pcap', 'captures/abort-then-retry.pcap', '--format', 'markdown']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^## TLS handshake diff: `captures\/abort-then-retry\.pcap#2` \(good\) vs `captures\/abort-then-retry\.pcap#1` \(bad\)\n\n<sub>Made by tlsdissect .*<\/sub>\n\n\*\*Both reach step 4 ServerHelloDone; .*\.\*\*\n/);
    expect(r.stdout).toMatch(/\| {2}\| {2}\| good #2 \| bad #1 \|\n\|---\|---\|---\|---\|/);
    expect(r.stdout).toMatch(/\n\*\*Likely cause:\*\* the bad client left with FIN/);
    expect(r.stdout).toMatch(/\n- first FIN\/RST: bad client FIN/);
  });

  it('json: the documented contract, written to a file with -o', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tlsdissect-diff-'));
    const out = join(dir, 'diff.json');
    const r = runCli(['diff', 'captures/tls1.2.pcap', 'captures/tls-1.2-handshake-failure.pcap', '-f', 'json', '-o', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.good).toMatchObject({ capture: 'captures/tls1.2.pcap', id: 1, outcome: 'complete', chosen: expect.stringMatching(/only completed handshake/) });
    expect(doc.bad).toMatchObject({ capture: 'captures/tls-1.2-handshake-failure.pcap', id: 1, outcome: 'failed' });
    expect(doc.divergence).toMatchObject({ step: 1, summary: expect.stringMatching(/bad server sends alert handshake_failure/) });
    expect(doc.differences[0]).toMatchObject({ area: 'clienthello', field: 'cipherSuites', weight: 'likely-cause' });
    expect(doc.verdict).toMatch(/^Both reach step 1 ClientHello/);
  });

  it('docs/diff.md shows the real output of its first diff example', () => {
    const readme = readFileSync(join(ROOT, 'docs/diff.md'), 'utf8');
    const m = /\n\$ tlsdissect diff (\S+) (\S+)\n([\s\S]*?)\n```/.exec(readme);
    expect(m).not.toBeNull();
    const r = runCli(['diff', m![1]!, m![2]!]);
    expect(r.stdout.trimEnd()).toBe(m![3]);
  });

  it('every diff example in docs/diff.md is the real output (lines elided with … left out)', () => {
    const readme = readFileSync(join(ROOT, 'docs/diff.md'), 'utf8');
    const examples = [...readme.matchAll(/\n\$ tlsdissect diff (\S+) (\S+)\n([\s\S]*?)\n```/g)];
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const m of examples) {
      const out = runCli(['diff', m[1]!, m[2]!]).stdout.split('\n');
      let at = 0;
      for (const line of m[3]!.split('\n')) {
        if (line === '…') continue;
        const found = out.indexOf(line, at);
        expect(found, `${m[1]} ${m[2]}: ${line}`).toBeGreaterThanOrEqual(at);
        at = found + 1;
      }
    }
  });

  it('html and --redact: one page, no network, no script; the same pseudonyms on both sides', () => {
    const r = runCli(['diff', 'captures/tls1.2.pcap', 'captures/tls1.2-broken-ccs.pcap', '-f', 'html', '--redact']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^<!DOCTYPE html>/);
    expect(r.stdout).not.toMatch(/<script|<link|(src|href)=|url\(/i);
    expect(r.stdout).toContain('Both reach step 6 client ChangeCipherSpec');
    expect(r.stdout.match(/data-mark="divergence" data-step="6"/g)).toHaveLength(2);
    expect(r.stdout).toContain('client client-1:56637');
    expect(r.stdout).not.toContain('10.0.0.80');
  });

  it('exit codes as analyze: 2 for a connection that does not exist, 3 for a file that cannot be read', () => {
    const noSuch = runCli(['diff', 'captures/abort-then-retry.pcap#5', 'captures/abort-then-retry.pcap']);
    expect(noSuch.status).toBe(2);
    expect(noSuch.stderr).toBe('tlsdissect: captures/abort-then-retry.pcap#5: no such connection (analyze numbers them 1 to 2)\n');
    const noFailure = runCli(['diff', 'captures/good-993-imaps.pcap', 'captures/good-993-imaps.pcap']);
    expect(noFailure.status).toBe(2);
    expect(noFailure.stderr).toMatch(/no failed handshake among its 3 connections/);
    const missing = runCli(['diff', 'captures/no-such-file.pcap', 'captures/abort-then-retry.pcap']);
    expect(missing.status).toBe(3);
    expect(missing.stderr).toMatch(/^tlsdissect: captures\/no-such-file\.pcap: cannot open/);
    expect(missing.stdout).toBe('');
  });
});

/**
 * `--redact` on real captures, in every format: no address or name from the capture survives, and the same
 * address keeps the same pseudonym everywhere.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run.js';

const CAPTURES = ['captures/cert-reject.pcap', 'captures/ndpi-smtp-starttls.pcap', 'captures/steam.pcapng', 'captures/good-any-sll2.pcap'];

/** Every address and name the unredacted JSON shows, as the report would print them. */
function secrets(json: string): string[] {
  const doc = JSON.parse(json) as { connections: Record<string, any>[] };
  const out = new Set<string>();
  for (const c of doc.connections) {
    out.add(c.client.ip);
    out.add(c.server.ip);
    if (c.tls?.sni) out.add(c.tls.sni);
    if (c.clientHello?.sessionId) out.add(c.clientHello.sessionId);
    if (c.serverHello?.sessionId) out.add(c.serverHello.sessionId);
    for (const cert of c.certificates ?? []) {
      for (const san of cert.san ?? []) out.add(String(san).replace(/^(DNS|IP Address):/, '').replace(/^\*\./, ''));
      const cn = /CN=([^,\n/]+)/.exec(cert.subject ?? '');
      if (cn) out.add(cn[1].trim().replace(/^\*\./, ''));
    }
  }
  return [...out].filter((s) => s.length > 0);
}

/** Whole-token occurrences (10.77.0.1 inside 10.77.0.100 does not count: that one is checked on its own). */
function occurs(haystack: string, needle: string): boolean {
  const re = new RegExp(`(?<![\\w.:-])${needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-]|\\.\\w)`, 'i');
  return re.test(haystack);
}

describe('--redact', () => {
  for (const file of CAPTURES) {
    it(`leaves no address or name of ${file} in text, Markdown, JSON or HTML`, () => {
      const plain = runCli(['analyze', file, '-f', 'json']);
      expect(plain.status).toBe(0);
      const hidden = secrets(plain.stdout);
      expect(hidden.length).toBeGreaterThan(1);
      // The check can fail: without --redact the same search finds them.
      expect(hidden.every((s) => occurs(plain.stdout, s))).toBe(true);
      expect(hidden.some((s) => occurs(runCli(['analyze', file, '-f', 'html']).stdout, s))).toBe(true);
      for (const format of ['text', 'markdown', 'json', 'html']) {
        const r = runCli(['analyze', file, '-f', format, '--redact']);
        expect(r.status).toBe(0);
        const body = r.stdout.replace(/^.*(pcap|pcapng): .*$/gm, ''); // the capture's own file name line
        for (const s of hidden) expect(occurs(body, s), `${s} in ${format}`).toBe(false);
      }
    });
  }

  it('gives an address the same pseudonym everywhere, and keeps ports, versions and ciphers', () => {
    const plain = JSON.parse(runCli(['analyze', 'captures/cert-reject.pcap', '-f', 'json']).stdout);
    const red = JSON.parse(runCli(['analyze', 'captures/cert-reject.pcap', '-f', 'json', '--redact']).stdout);
    const clients = new Set(red.connections.map((c: any) => c.client.ip));
    expect([...clients]).toEqual(['client-1']);
    expect(new Set(red.connections.map((c: any) => c.server.ip))).toEqual(new Set(['server-1', 'server-2']));
    red.connections.forEach((c: any, i: number) => {
      expect(c.client.port).toBe(plain.connections[i].client.port);
      expect(c.tls.version).toBe(plain.connections[i].tls.version);
      expect(c.tls.cipher).toBe(plain.connections[i].tls.cipher);
      expect(c.diagnosis).toBe(plain.connections[i].diagnosis);
    });
  });
});

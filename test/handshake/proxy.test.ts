// Connections behind a load balancer that speaks the PROXY protocol (issue 19), on real captures:
// - captures/proxy-haproxy.pcap (scripts/make-proxy-captures.sh): real HAProxy 2.6 in front of real Postfix 3.7
//   and Dovecot 2.3, send-proxy and send-proxy-v2, IPv4 and IPv6 clients, and the same clients straight to the
//   same servers; with the servers' own logs;
// - captures/proxy-headers.pcap (scripts/make-proxy-headers.mjs): the lab's good SMTP STARTTLS connection behind
//   hand-built headers, valid and broken.
// The public captures with TLS behind SOCKS and MySQL are in oracle.test.ts (tshark's messages on tshark's frames).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/analyze/pipeline.js';
import type { ConnectionReport } from '../../src/handshake/report.js';
import { runCli } from '../cli/run.js';

const CAPTURES = join(import.meta.dirname, '../../captures');
const analyze = async (name: string) => (await analyzeCapture(join(CAPTURES, name))).connections;

/**
 * What must not change when a load balancer stands in front: how the handshake went and how it ended. Who sent
 * the first FIN after the mail dialogue's goodbye is a race the balancer joins (HAProxy passes the client's close
 * on, and may shut the server side before the server's own FIN comes: captures/proxy-haproxy.pcap #17); who sent
 * an alert is not.
 */
const story = (r: ConnectionReport) => ({
  protocol: r.protocol,
  outcome: r.outcome,
  lastStep: r.lastStep,
  end: { by: r.end.how === 'alert' ? r.end.by : 'either', how: r.end.how, alert: r.end.alert?.name ?? null },
  version: r.tls.version,
  cipher: r.tls.cipher,
  messages: r.messages.map((m) => `${m.from} ${m.type}`),
});

const isV6 = (ip: string) => ip.includes(':');

describe('real HAProxy in front of real Postfix and Dovecot (captures/proxy-haproxy.pcap)', () => {
  it('gives every proxied connection its announced client and the story of the same client going straight to the server', async () => {
    const conns = await analyze('proxy-haproxy.pcap');
    const proxied = conns.filter((c) => c.proxy?.command === 'proxy');
    const direct = conns.filter((c) => !c.proxy);
    expect(proxied).toHaveLength(20);
    expect(direct).toHaveLength(12);
    // The same clients, in the same order, went straight to the servers, then through v1, then through v2 (the
    // script's loop): each proxied connection is compared with the direct one to the port the header announces.
    const used = new Map<string, number>();
    for (const p of proxied) {
      expect(p.client.ip).toBe(isV6(p.client.ip) ? 'fd78:2::100' : '10.78.2.100');
      expect(p.proxy!.ip).toMatch(/^(10\.78\.1\.2|fd78:1::2)$/);
      expect(p.client.port).not.toBe(p.proxy!.port);
      const port = p.proxy!.destination!.port;
      const key = `${isV6(p.client.ip)} ${port} ${p.proxy!.version}`;
      const k = used.get(key) ?? 0;
      used.set(key, k + 1);
      const same = direct.filter((d) => isV6(d.client.ip) === isV6(p.client.ip) && d.server.port === port);
      expect(same.length, key).toBeGreaterThan(k);
      expect(story(p), `#${p.id} (${key})`).toEqual(story(same[k]!));
    }
    expect(proxied.filter((p) => p.outcome === 'failed')).toHaveLength(8);
    expect(proxied.filter((p) => p.proxy!.version === 1)).toHaveLength(8);
  });

  it('reads the TLVs HAProxy sent and keeps the balancer as the client of its LOCAL health check', async () => {
    const conns = await analyze('proxy-haproxy.pcap');
    const withTlvs = conns.filter((c) => c.proxy?.tlvs.uniqueId);
    expect(withTlvs).toHaveLength(8);
    // unique-id-format %{+X}o%ci:%cp_%fi:%fp_%Ts_%rt:%pid: the client's address and port in hex.
    for (const c of withTlvs) {
      const [client] = c.proxy!.tlvs.uniqueId!.split('_');
      const port = Number.parseInt(client!.split(':')[1]!, 16);
      expect(port).toBe(c.client.port);
    }
    const local = conns.filter((c) => c.proxy?.command === 'local');
    expect(local).toHaveLength(1);
    expect(local[0]!.client).toEqual({ ip: local[0]!.proxy!.ip, port: local[0]!.proxy!.port });
    expect(local[0]!.notes.filter((n) => n.startsWith('PROXY'))).toEqual([]);
  });

  it('joins the servers\' logs on the announced client and port, every connection', () => {
    const r = runCli(['analyze', 'captures/proxy-haproxy.pcap', '--log', 'captures/proxy-postfix.log', '--log', 'captures/proxy-dovecot.log', '-f', 'json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.summary.log.connectionsWithLog).toEqual({ port: 33, time: 0 });
    const proxied = doc.connections.filter((c: ConnectionReport) => c.proxy?.command === 'proxy');
    for (const c of proxied) {
      const where = c.client.ip.includes(':') ? `[${c.client.ip}]:${c.client.port}` : `${c.client.ip}]:${c.client.port}`;
      const named = c.log.some((l: { line: string }) => l.line.includes(where) || l.line.includes(`rip=${c.client.ip}, rport=${c.client.port}`));
      expect(named, `#${c.id}`).toBe(true);
    }
  });

  it('says once that connections came through a proxy, and groups by it with --by proxy', () => {
    const text = runCli(['analyze', 'captures/proxy-haproxy.pcap']);
    expect(text.status).toBe(0);
    expect(text.stdout.match(/through a proxy:/g)).toHaveLength(1);
    expect(text.stdout).toContain('through a proxy: 21 connections began with a PROXY protocol header (from 10.78.1.2 ×19, fd78:1::2 ×2)');
    const md = runCli(['analyze', 'captures/proxy-haproxy.pcap', '-f', 'markdown']);
    expect(md.stdout.match(/through a proxy:/g)).toHaveLength(1);
    const groups = JSON.parse(runCli(['analyze', 'captures/proxy-haproxy.pcap', '--by', 'proxy', '-f', 'json']).stdout).groups;
    expect(groups.by).toBe('proxy');
    // In JSON a group is its value as the reports carry it: null for the connections without a PROXY header.
    expect(new Map(groups.groups.map((g: { value: string | null; connections: number }) => [g.value, g.connections]))).toEqual(
      new Map<string | null, number>([
        ['10.78.1.2', 19],
        ['fd78:1::2', 2],
        [null, 12],
      ]),
    );
    const clients = JSON.parse(runCli(['analyze', 'captures/proxy-haproxy.pcap', '--by', 'client', '-f', 'json']).stdout).groups;
    expect(clients.groups.map((g: { value: string }) => g.value).sort()).toEqual(['10.78.0.100', '10.78.1.2', '10.78.2.100', 'fd78:2::100', 'fd78::100']);
  });
});

describe('hand-built headers in front of a real connection (captures/proxy-headers.pcap)', () => {
  // The header each copy carries (scripts/make-proxy-headers.mjs), in order, with the client it announces (null:
  // the peer stays the client) and the note it gives (null: none).
  const CASES: [string, string | null, RegExp | null][] = [
    ['v1 TCP4', '192.0.2.10:51000', null],
    ['v1 TCP6', '2001:db8::a:51001', null],
    ['v2 PROXY INET with TLVs', '192.0.2.12:51002', null],
    ['v2 PROXY INET6', '2001:db8::d:51003', null],
    ['v1 in three segments', '192.0.2.14:51004', null],
    ['v2 in three segments', '192.0.2.15:51005', null],
    ['v2 LOCAL', null, null],
    ['v1 UNKNOWN', null, null],
    ['v2 PROXY UNIX', null, /announces a unix address, not an IP one/],
    ['v1 bad address', null, /"999\.0\.2\.19" where an IPv4 address belongs/],
    ['v1 without line end', null, /without its line end in 107 bytes/],
    ['v2 version 3', null, /has version 3, not 2/],
    ['v2 TLV past the end', '192.0.2.22:51012', /claims 64 bytes, past the header's end/],
    ['v2 bad family', null, /family\/transport byte 0x51/],
    ['v2 cut short', null, /cut short after 427 of 4112 bytes/],
  ];

  it('reads each as without a header (but the last, which swallowed the client\'s stream), with the announced client and a note for a broken one', async () => {
    const [template] = await analyze('good-25-smtp-starttls.pcap');
    const conns = await analyze('proxy-headers.pcap');
    expect(conns).toHaveLength(CASES.length);
    conns.forEach((c, i) => {
      const [name, client, note] = CASES[i]!;
      const shown = `${c.client.ip.includes(':') ? c.client.ip : c.client.ip}:${c.client.port}`;
      expect(shown, name).toBe(client ?? `10.77.0.100:${41000 + i}`);
      const notes = c.notes.filter((n) => n.startsWith('PROXY'));
      if (note) expect(notes, name).toEqual([expect.stringMatching(note)]);
      else expect(notes, name).toEqual([]);
      if (name === 'v2 cut short') {
        expect(c.outcome, name).toBe('not-tls');
        expect(c.proxy, name).toBeUndefined();
      } else {
        expect(story(c), name).toEqual(story(template!));
      }
    });
    expect(conns[2]!.proxy!.tlvs).toEqual({
      alpn: 'smtp',
      authority: 'mail.example.net',
      uniqueId: 'f00dfeed0102',
      ssl: { tls: true, clientCertificate: false, verify: 0, version: 'TLSv1.3', cn: 'client.example.org' },
      other: [{ type: 0xea, value: 'vpce-0123456789abcdef0' }],
    });
  });

  it('hides the proxy, the announced addresses and the TLVs that name hosts or sessions under --redact', () => {
    const plain = runCli(['analyze', 'captures/proxy-headers.pcap', '-f', 'json']);
    const redacted = runCli(['analyze', 'captures/proxy-headers.pcap', '-f', 'json', '--redact']);
    expect(redacted.status).toBe(0);
    const secrets = ['10.77.0.100', '10.77.0.1', '192.0.2.12', '2001:db8::a', 'mail.example.net', 'split.example.net', 'f00dfeed0102', 'client.example.org', 'vpce-0123456789abcdef0'];
    for (const s of secrets) {
      expect(plain.stdout, s).toContain(s);
      expect(redacted.stdout, s).not.toContain(s);
    }
    const doc = JSON.parse(redacted.stdout);
    expect(doc.connections[0].proxy.ip).toMatch(/^proxy-\d+$/);
    expect(doc.connections[0].client.ip).toMatch(/^client-\d+$/);
    const text = runCli(['analyze', 'captures/proxy-headers.pcap', '--redact', '--by', 'proxy']);
    expect(text.stdout).not.toContain('10.77.0.100');
  });
});

// ManageSieve (4190) and LMTP (24) STARTTLS against real Dovecot 2.3 (captures/sieve-lmtp-starttls.pcap, made by
// scripts/make-proxy-captures.sh): openssl s_client -starttls sieve / -starttls lmtp, one client that completes
// and one that rejects the certificate (alert unknown_ca after ServerHelloDone), IPv4 and IPv6.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/analyze/pipeline.js';

describe('ManageSieve and LMTP STARTTLS (captures/sieve-lmtp-starttls.pcap)', () => {
  it('reads both handshakes after STARTTLS: the good one completes, the rejected one fails at step 4 by the client', async () => {
    const { connections } = await analyzeCapture(join(import.meta.dirname, '../../captures/sieve-lmtp-starttls.pcap'));
    expect(connections).toHaveLength(8);
    const seen = connections.map((c) => [c.server.port, c.mail?.tlsMode, c.mail?.clientAsked, c.mail?.accepted, c.outcome, c.lastStep, c.end.alert?.name ?? null]);
    const good = (port: number) => [port, 'starttls', true, true, 'complete', 9, null];
    const rejected = (port: number) => [port, 'starttls', true, true, 'failed', 4, 'unknown_ca'];
    expect(seen).toEqual([good(4190), rejected(4190), good(24), rejected(24), good(4190), rejected(4190), good(24), rejected(24)]);
    // LMTP is SMTP's dialogue with LHLO: Dovecot offered STARTTLS in its answer.
    expect(connections.filter((c) => c.server.port === 24).every((c) => c.protocol === 'smtp-starttls' && c.mail?.serverOffered === true)).toBe(true);
    // ManageSieve: Dovecot's greeting lists STARTTLS, the client asks, the server's OK places TLS.
    for (const c of connections.filter((c) => c.server.port === 4190)) {
      expect(c.protocol).toBe('managesieve-starttls');
      expect(c.mail).toMatchObject({ application: 'managesieve', serverOffered: true, serverReply: 'OK "Begin TLS negotiation now."', problem: null });
    }
  });
});

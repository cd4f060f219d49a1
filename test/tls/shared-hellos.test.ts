import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/analyze/pipeline.js';
import { sharedClientHello, sharedServerHello } from '../../src/tls/shared-hellos.js';
import type { ClientHello, ServerHello } from '../../src/tls/types.js';

const capture = (name: string) => new URL(`../../captures/${name}`, import.meta.url).pathname;

async function hellos(name: string): Promise<{ client: ClientHello[]; server: ServerHello[] }> {
  const client: ClientHello[] = [];
  const server: ServerHello[] = [];
  await analyzeCapture(capture(name), {
    inspect: (_r, events) => {
      for (const e of events) {
        if (e.kind !== 'handshake') continue;
        if (e.clientHello) client.push(e.clientHello);
        if (e.serverHello) server.push(e.serverHello);
      }
    },
  });
  return { client, server };
}

describe('hellos that say the same share one copy', () => {
  it('lab abort-after-shd: nine ClientHellos of one client, one set of arrays, each its own random and session id', async () => {
    const { client, server } = await hellos('abort-after-shd.pcap');
    expect(client).toHaveLength(9);
    const shared = client.map((h) => sharedClientHello(h));
    shared.forEach((s, i) => {
      // What the hello said is unchanged, field for field.
      expect(s).toEqual(client[i]);
      expect(s.random).toBe(client[i]!.random);
      expect(s.cipherSuites).toBe(shared[0]!.cipherSuites);
      expect(s.extensions).toBe(shared[0]!.extensions);
    });
    expect(new Set(client.map((h) => h.random)).size).toBe(9);
    const answers = server.map((h) => sharedServerHello(h));
    answers.forEach((s, i) => expect(s).toEqual(server[i]));
    expect(new Set(answers.map((s) => s.extensions)).size).toBeLessThan(server.length);
  });

  it('hellos that differ in anything but random and session id stay apart (lab cert-reject: three client programs)', async () => {
    const { client } = await hellos('cert-reject.pcap');
    const shared = client.map((h) => sharedClientHello(h));
    shared.forEach((s, i) => expect(s).toEqual(client[i]));
    expect(new Set(shared.map((s) => s.cipherSuites)).size).toBe(3);
  });

  it('a hello that differs in one decoded value (an ALPN protocol, a group) is not taken for another', async () => {
    const { client } = await hellos('abort-then-retry.pcap');
    const first = sharedClientHello(client[0]!);
    const otherAlpn: ClientHello = { ...structuredClone(first), alpn: ['smtp'] };
    expect(sharedClientHello(otherAlpn)).toBe(otherAlpn);
    const otherGroup = structuredClone(first);
    const groups = otherGroup.extensions.find((e) => e.name === 'supported_groups')!;
    groups.value = [...(groups.value as number[]).slice(1), 1];
    expect(sharedClientHello(otherGroup)).toBe(otherGroup);
    // The same hello again, a copy: shared.
    const again = structuredClone(client[1]!);
    expect(sharedClientHello(again).extensions).toBe(first.extensions);
  });
});

/**
 * The tracker finds a segment's connection by flowHash and then searches the connections of that hash one by one:
 * flows that collide make that search long, and many open connections of such flows quadratic. Here the shapes a
 * capture really has (one client's many source ports, a subnet's clients on one port, a port scan) must spread.
 */
import { describe, expect, it } from 'vitest';
import { flowHash } from '../../src/tcp/tracker.js';

const SERVER = (198 << 24) | (51 << 16) | (100 << 8) | 25;
const CLIENT = (10 << 24) | (1 << 16) | 1;

/** How many distinct hashes, and the most flows sharing one. */
function spread(hashes: number[]): { distinct: number; largestBucket: number } {
  const buckets = new Map<number, number>();
  for (const h of hashes) buckets.set(h, (buckets.get(h) ?? 0) + 1);
  return { distinct: buckets.size, largestBucket: Math.max(...buckets.values()) };
}

describe('flowHash', () => {
  it('is the same both ways', () => {
    for (const [a, p, b, q] of [[CLIENT, 40000, SERVER, 25], [1, 2, 3, 4], [0, 0, 0xffffffff, 65535]] as const) {
      expect(flowHash(a, p, b, q)).toBe(flowHash(b, q, a, p));
    }
  });

  it('is a small integer (30 bits)', () => {
    for (let port = 0; port < 65536; port += 997) {
      const h = flowHash(0xffffffff, port, SERVER, 443);
      expect(h).toBeGreaterThanOrEqual(0);
      expect(h).toBeLessThan(2 ** 30);
    }
  });

  // 60,000 random 30-bit numbers share a value about twice: a few collisions are chance, more are a poor mix.
  it.each([
    ['one client, every source port', (i: number) => flowHash(CLIENT, 1024 + i, SERVER, 25)],
    ['a subnet of clients on one source port', (i: number) => flowHash(CLIENT + i, 40000, SERVER, 25)],
    ['a port scan of one server', (i: number) => flowHash(CLIENT, 40000, SERVER, i)],
    ['clients and ports moving together', (i: number) => flowHash(CLIENT + i, 1024 + i, SERVER, 25)],
    ['the server port and the client port swapped', (i: number) => flowHash(CLIENT, 25, SERVER, 1024 + i)],
  ])('spreads %s', (_name, flow) => {
    const { distinct, largestBucket } = spread(Array.from({ length: 60000 }, (_, i) => flow(i)));
    expect(distinct).toBeGreaterThan(60000 - 20);
    expect(largestBucket).toBeLessThanOrEqual(3);
  });
});

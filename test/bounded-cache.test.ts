import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../src/bounded-cache.js';

describe('BoundedCache', () => {
  it('keeps at most its capacity, pushing out the oldest entry first', () => {
    const cache = new BoundedCache<number, string>(3);
    for (let i = 1; i <= 5; i++) cache.set(i, `v${i}`);
    expect(cache.size).toBe(3);
    expect([1, 2, 3, 4, 5].map((k) => cache.get(k))).toEqual([undefined, undefined, 'v3', 'v4', 'v5']);
  });

  it('replaces the value of a key it holds without pushing another out', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 3);
    expect([cache.size, cache.get('a'), cache.get('b')]).toEqual([2, 3, 2]);
  });

  it('computes a missing value once and answers from memory after', () => {
    const cache = new BoundedCache<string, number>(8);
    let made = 0;
    const make = (k: string) => {
      made++;
      return k.length;
    };
    expect([cache.getOrSet('abc', make), cache.getOrSet('abc', make), cache.getOrSet('de', make)]).toEqual([3, 3, 2]);
    expect(made).toBe(2);
  });

  it('refuses a capacity that holds nothing', () => {
    expect(() => new BoundedCache(0)).toThrow(RangeError);
    expect(() => new BoundedCache(Number.NaN)).toThrow(RangeError);
  });
});

/**
 * Spill: strings put aside on disk and read back in any order, through a cache of the blocks read last (entries
 * come back near the order they went in), large entries by themselves.
 */
import { describe, expect, it } from 'vitest';
import { Spill } from '../../src/analyze/spill.js';

/** Entries of varied sizes (some multi-byte UTF-8), deterministic. */
function texts(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${i}:${'é—x'.repeat((i * 7919) % 500)}\n`);
}

function readAll(spill: Spill, order: number[]): string[] {
  return order.map((i) => spill.get(i));
}

describe('Spill', () => {
  it('gives back every entry, in the order written, reversed and shuffled (more than the blocks kept)', () => {
    const all = texts(5000);
    const spill = new Spill();
    try {
      all.forEach((t, i) => spill.add(t, i));
      const forward = all.map((_, i) => i);
      expect(readAll(spill, forward)).toEqual(all);
      const reversed = [...forward].reverse();
      expect(readAll(spill, reversed)).toEqual(reversed.map((i) => all[i]));
      const shuffled = forward.map((i) => (i * 2654435761) % all.length);
      expect(readAll(spill, shuffled)).toEqual(shuffled.map((i) => all[i]));
    } finally {
      spill.close();
    }
  });

  it('gives the entries in output order, sorted or not as they were added (past its first 1,024)', () => {
    const spill = new Spill();
    try {
      for (let i = 0; i < 3000; i++) spill.add(`e${i}`, 2 ** 32 + i);
      expect(Array.from(spill.inOrder())).toEqual(Array.from({ length: 3000 }, (_, i) => i));
      // One added out of order: now the indexes must be sorted by order.
      spill.add('first', 5);
      const order = spill.inOrder();
      expect(order[0]).toBe(3000);
      expect(Array.from(order.subarray(1))).toEqual(Array.from({ length: 3000 }, (_, i) => i));
      expect(spill.orderOf(3000)).toBe(5);
      expect(spill.get(order[2999]!)).toBe('e2998');
    } finally {
      spill.close();
    }
  });

  it('reads what was added after a read, and what was read before, right (a block read before an add may have grown)', () => {
    const spill = new Spill();
    try {
      spill.add('the first entry\n', 0);
      spill.add('second\n', 1);
      expect(spill.get(1)).toBe('second\n');
      // Written where the read-ahead bytes of entry 0 were.
      spill.add('3\n', 2);
      expect(spill.get(0)).toBe('the first entry\n');
      expect(spill.get(2)).toBe('3\n');
      spill.add('fourth\n', 3);
      expect([0, 1, 2, 3].map((i) => spill.get(i))).toEqual(['the first entry\n', 'second\n', '3\n', 'fourth\n']);
    } finally {
      spill.close();
    }
  });

  it('gives back an entry larger than its buffer, between small ones', () => {
    const big = 'ab'.repeat(1 << 20);
    const spill = new Spill();
    try {
      spill.add('before', 0);
      spill.add(big, 1);
      spill.add('after', 2);
      expect(spill.get(1)).toBe(big);
      expect(spill.get(2)).toBe('after');
      expect(spill.get(0)).toBe('before');
    } finally {
      spill.close();
    }
  });

  it('reads the entries of another Spill it adopted, beside its own, and in memory when it has no file', () => {
    const own = new Spill();
    const other = new Spill(Spill.file());
    const memory = new Spill(null);
    try {
      const a = texts(300);
      a.forEach((t, i) => own.add(t, i));
      a.forEach((t, i) => other.add(`other ${t}`, 1000 + i));
      a.forEach((t, i) => memory.add(`memory ${t}`, 2000 + i));
      own.adopt(other.data());
      own.adopt(memory.data());
      expect(own.count).toBe(900);
      const order = own.inOrder();
      const got = Array.from(order, (i) => own.get(i));
      expect(got).toEqual([...a, ...a.map((t) => `other ${t}`), ...a.map((t) => `memory ${t}`)]);
      // Alternating between the stores.
      for (let k = 0; k < 300; k++) {
        expect(own.get(order[600 + k]!)).toBe(`memory ${a[k]}`);
        expect(own.get(order[300 + k]!)).toBe(`other ${a[k]}`);
        expect(own.get(order[k]!)).toBe(a[k]);
      }
    } finally {
      own.close();
    }
  });

  it('reads each byte about once when entries come back near the order they were written', () => {
    // As connections closing in another order than they opened: output order shuffled within runs of 2,000
    // entries (about 500 KB of them here), 20,000 in all.
    const all = Array.from({ length: 20_000 }, (_, i) => `${i} ${'row '.repeat(i % 97)}é\n`);
    const spill = new Spill();
    try {
      all.forEach((t, i) => spill.add(t, i));
      const written = all.reduce((n, t) => n + Buffer.byteLength(t), 0);
      const order: number[] = [];
      for (let run = 0; run < all.length; run += 2000) {
        const ids = Array.from({ length: 2000 }, (_, k) => run + k);
        for (let k = ids.length - 1; k > 0; k--) {
          const j = (k * 7919 + run) % (k + 1);
          [ids[k], ids[j]] = [ids[j]!, ids[k]!];
        }
        order.push(...ids);
      }
      expect(readAll(spill, order)).toEqual(order.map((i) => all[i]));
      // The blocks hold several runs' worth: each is read once (the last one may be read short).
      expect(spill.bytesRead).toBeGreaterThanOrEqual(written);
      expect(spill.bytesRead).toBeLessThan(written + 16 * 1024);
    } finally {
      spill.close();
    }
  });

  it('reads a large entry by itself, whatever the order, and joins small ones split between blocks', () => {
    // 5 to 40 KB each, with two- and three-byte characters anywhere across block boundaries.
    const large = Array.from({ length: 60 }, (_, i) => `${i}:${'aé—'.repeat(800 + ((i * 4409) % 6000))}`);
    const small = Array.from({ length: 3000 }, (_, i) => `${'—'.repeat(i % 1300)}${i}`);
    const spill = new Spill();
    try {
      large.forEach((t, i) => spill.add(t, i));
      small.forEach((t, i) => spill.add(t, 100 + i));
      const backwards = large.map((_, i) => large.length - 1 - i);
      expect(readAll(spill, backwards)).toEqual(backwards.map((i) => large[i]));
      expect(spill.bytesRead).toBe(large.reduce((n, t) => n + Buffer.byteLength(t), 0));
      const smallOrder = small.map((_, i) => 60 + ((i * 2654435761) % small.length));
      expect(readAll(spill, smallOrder)).toEqual(smallOrder.map((i) => small[i - 60]));
    } finally {
      spill.close();
    }
  });
});

/**
 * Spill: strings put aside on disk and read back in any order, with a read-ahead window over what was written
 * (entries mostly come back in the order they went in).
 */
import { describe, expect, it } from 'vitest';
import { Spill } from '../../src/report/spill.js';

/** Entries of varied sizes (some multi-byte UTF-8), deterministic. */
function texts(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${i}:${'é—x'.repeat((i * 7919) % 500)}\n`);
}

function readAll(spill: Spill, order: number[]): string[] {
  return order.map((i) => spill.get(i));
}

describe('Spill', () => {
  it('gives back every entry, in the order written, reversed and shuffled (more than one read-ahead window)', () => {
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

  it('reads what was added after a read, and what was read before, right (the read-ahead buffer is also the write buffer)', () => {
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
      const got = order.map((i) => own.get(i));
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
});

import { describe, expect, it } from 'vitest';
import { ActivityQueue } from '../../src/tcp/activity-queue.js';

interface Item {
  id: number;
  queueIndex: number;
}

/** The same operations on a plain array, least recently active first: what the queue must answer. */
class Model {
  order: Item[] = [];
  push(item: Item): void {
    const at = this.order.indexOf(item);
    if (at >= 0) this.order.splice(at, 1);
    this.order.push(item);
  }
  remove(item: Item): void {
    const at = this.order.indexOf(item);
    if (at >= 0) this.order.splice(at, 1);
  }
}

describe('ActivityQueue', () => {
  it('answers as a list by last activity through 100,000 random pushes, removals and evictions (it grows and squeezes)', () => {
    let seed = 7;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const items: Item[] = Array.from({ length: 5000 }, (_, id) => ({ id, queueIndex: -1 }));
    const queue = new ActivityQueue<Item>();
    const model = new Model();
    for (let step = 0; step < 100_000; step++) {
      const r = random();
      // Mostly activity on a few hundred busy items, now and then on any: the queue fills with emptied entries.
      const item = items[r < 0.7 ? Math.floor(random() * 300) : Math.floor(random() * items.length)]!;
      const op = random();
      if (op < 0.8) {
        queue.push(item);
        model.push(item);
      } else if (op < 0.95) {
        queue.remove(item);
        model.remove(item);
      } else {
        const oldest = queue.oldest() as Item | null;
        expect(oldest).toBe(model.order[0] ?? null);
        if (oldest) {
          queue.remove(oldest);
          model.remove(oldest);
        }
      }
      if (step % 997 === 0) {
        expect(queue.size).toBe(model.order.length);
        const newest = model.order[model.order.length - 1];
        if (newest) expect(queue.isNewest(newest)).toBe(true);
        if (model.order.length > 1) expect(queue.isNewest(model.order[0]!)).toBe(false);
      }
    }
    // Emptied from the oldest end: exactly the model's order.
    const drained: number[] = [];
    for (let item = queue.oldest() as Item | null; item !== null; item = queue.oldest() as Item | null) {
      drained.push(item.id);
      queue.remove(item);
    }
    expect(drained).toEqual(model.order.map((i) => i.id));
    expect(queue.size).toBe(0);
  });

  it('keeps no item it was told to remove (a connection let go is not held by the queue)', () => {
    const queue = new ActivityQueue<Item>();
    const items: Item[] = Array.from({ length: 3000 }, (_, id) => ({ id, queueIndex: -1 }));
    for (const item of items) queue.push(item);
    for (const item of items) queue.push(item); // each one's first entry emptied
    for (const item of items.slice(0, 2990)) queue.remove(item);
    const held = (queue as unknown as { items: (Item | null)[] }).items.filter((x) => x !== null);
    expect(held.map((i) => i.id)).toEqual([2990, 2991, 2992, 2993, 2994, 2995, 2996, 2997, 2998, 2999]);
  });
  it('keeps slots in their place among the items and tells them when they move (replaced by an item, they keep it)', () => {
    let seed = 11;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    // A slot's index, as the SleeperTable keeps it for the tracker.
    const slotIndex = new Map<number, number>();
    const queue = new ActivityQueue<Item>((slot, index) => slotIndex.set(slot, index));
    const model: (Item | number)[] = [];
    const items: Item[] = Array.from({ length: 400 }, (_, id) => ({ id, queueIndex: -1 }));
    let nextSlot = 0;
    for (let step = 0; step < 50_000; step++) {
      const op = random();
      if (op < 0.45) {
        const slot = nextSlot++;
        slotIndex.set(slot, queue.pushSlot(slot));
        model.push(slot);
      } else if (op < 0.7) {
        const item = items[Math.floor(random() * items.length)]!;
        queue.push(item);
        const at = model.indexOf(item);
        if (at >= 0) model.splice(at, 1);
        model.push(item);
      } else if (op < 0.85) {
        // A slot becomes an item in its place (a sleeper roused): found by the index it was told.
        const slots = model.filter((x): x is number => typeof x === 'number');
        if (slots.length === 0) continue;
        const slot = slots[Math.floor(random() * slots.length)]!;
        const item: Item = { id: 1_000_000 + slot, queueIndex: -1 };
        queue.replace(slotIndex.get(slot)!, item);
        slotIndex.delete(slot);
        model[model.indexOf(slot)] = item;
      } else {
        const oldest = queue.oldest();
        expect(oldest).toBe(model[0] ?? null);
        if (oldest === null) continue;
        if (typeof oldest === 'number') {
          const item: Item = { id: 1_000_000 + oldest, queueIndex: -1 };
          queue.replace(slotIndex.get(oldest)!, item);
          slotIndex.delete(oldest);
          queue.remove(item);
        } else {
          queue.remove(oldest);
        }
        model.shift();
      }
    }
    expect(queue.size).toBe(model.length);
    const drained: (Item | number)[] = [];
    for (let x = queue.oldest(); x !== null; x = queue.oldest()) {
      drained.push(x);
      const item = typeof x === 'number' ? { id: -1, queueIndex: -1 } : x;
      if (typeof x === 'number') queue.replace(slotIndex.get(x)!, item);
      queue.remove(item);
    }
    expect(drained).toEqual(model);
  });
});

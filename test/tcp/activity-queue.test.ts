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
        const oldest = queue.oldest();
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
    for (let item = queue.oldest(); item !== null; item = queue.oldest()) {
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
});

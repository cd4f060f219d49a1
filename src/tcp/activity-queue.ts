/** What an ActivityQueue holds: the item keeps its place in the queue (-1: not in it). */
export interface Queued {
  queueIndex: number;
}

const noSlots = (): void => {
  throw new Error('ActivityQueue: a slot moved in a queue made without slotMoved');
};

/** Entries at the start; the queue doubles when its live entries fill more than half of it. */
const FIRST_CAPACITY = 1024;

/**
 * Items in the order they were last active, least recently active first: what the connection tracker evicts
 * and closes for silence from. An item made active again is appended anew and its old entry emptied; empty
 * entries are skipped at the head and squeezed out when the end of the array is reached.
 *
 * Besides objects it holds slots, numbers that stand for records kept outside the JavaScript heap (the tracker's
 * connections asleep after one segment, SleeperTable): such a record keeps its place itself, and hears of it
 * through `slotMoved` when the queue squeezes. A slot is never made active again; it is replaced by an object
 * (`replace`), which then takes its place.
 *
 * A doubly linked list does the same, but moving an item to the end writes to its two neighbours, which for
 * connections are other connections' state, mostly not in cache when a packet arrives: that was a few per cent
 * of the tracker's time. Here an activity writes one entry of an array (the item's old one) and appends one.
 */
export class ActivityQueue<T extends Queued> {
  private items: (T | number | null)[] = new Array<T | number | null>(FIRST_CAPACITY).fill(null);
  /** Entries [head, tail) hold the queue, empty ones included. */
  private head = 0;
  private tail = 0;
  private live = 0;

  /** `slotMoved(slot, index)`: slot `slot` is now at `index` (see pushSlot). */
  constructor(private readonly slotMoved: (slot: number, index: number) => void = noSlots) {}

  get size(): number {
    return this.live;
  }

  /** The item becomes the most recently active (it is added if it was not in the queue). */
  push(item: T): void {
    if (item.queueIndex >= 0) this.items[item.queueIndex] = null;
    else this.live++;
    if (this.tail === this.items.length) this.makeRoom();
    item.queueIndex = this.tail;
    this.items[this.tail++] = item;
  }

  /** A slot becomes the most recently active; returns its index, which `slotMoved` updates. */
  pushSlot(slot: number): number {
    this.live++;
    if (this.tail === this.items.length) this.makeRoom();
    this.items[this.tail] = slot;
    return this.tail++;
  }

  /** The item takes the place of the slot at `index` (see pushSlot). */
  replace(index: number, item: T): void {
    item.queueIndex = index;
    this.items[index] = item;
  }

  /** Whether the item is the most recently active one. */
  isNewest(item: T): boolean {
    return item.queueIndex >= 0 && item.queueIndex === this.tail - 1;
  }

  remove(item: T): void {
    if (item.queueIndex < 0) return;
    this.items[item.queueIndex] = null;
    item.queueIndex = -1;
    this.live--;
  }

  /** The least recently active item or slot, or null when the queue is empty. */
  oldest(): T | number | null {
    const items = this.items;
    while (this.head < this.tail) {
      const item = items[this.head] as T | number | null;
      if (item !== null) return item;
      this.head++;
    }
    this.head = this.tail = 0;
    return null;
  }

  /** The live entries moved to the front (the array doubled first when they fill more than half of it). */
  private makeRoom(): void {
    const old = this.items;
    const items = this.live * 2 > old.length ? new Array<T | number | null>(old.length * 2).fill(null) : old;
    let out = 0;
    for (let i = this.head; i < this.tail; i++) {
      const item = old[i] as T | number | null;
      if (item === null) continue;
      if (items === old) old[i] = null;
      if (typeof item === 'number') this.slotMoved(item, out);
      else item.queueIndex = out;
      items[out++] = item;
    }
    this.items = items;
    this.head = 0;
    this.tail = out;
  }
}

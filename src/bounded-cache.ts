/**
 * A memo of at most `capacity` entries, for answers that come back over and over (the same certificates, the
 * same client software, the same addresses) but must not grow with the capture. When full, a new entry pushes
 * out the oldest one (first in, first out): a reset would make every entry's next use a miss at once, and an LRU
 * would cost a reordering on every hit, which is most of the lookups. Keys and values are kept as given: a caller
 * that must not hold large ones checks their size before `set`.
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`a bounded cache needs room for one entry at least, not ${capacity}`);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  set(key: K, value: V): void {
    const entries = this.entries;
    if (entries.size >= this.capacity && !entries.has(key)) entries.delete(entries.keys().next().value as K);
    entries.set(key, value);
  }

  /** The value kept for `key`, or `make(key)`, kept. */
  getOrSet(key: K, make: (key: K) => V): V {
    let value = this.entries.get(key);
    if (value === undefined) {
      value = make(key);
      this.set(key, value);
    }
    return value;
  }
}

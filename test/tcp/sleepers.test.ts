import { describe, expect, it } from 'vitest';
import { NO_SLOT, SleeperTable, type SleeperRecord } from '../../src/tcp/sleepers.js';
import { flowHash } from '../../src/tcp/tracker.js';

function record(n: number): SleeperRecord {
  // Addresses from 128.0.0.0 up are negative as keys (signed, as the tracker makes them); ports up to 65535.
  const clientKey = (0x80000000 + n * 7919) | 0;
  const serverKey = 0x0a000019 + (n % 3);
  const clientPort = 1024 + ((n * 4099) % 64512);
  const serverPort = n % 5 === 0 ? 65535 : 25;
  return {
    hash: flowHash(clientKey, clientPort, serverKey, serverPort),
    clientKey,
    clientPort,
    serverKey,
    serverPort,
    id: n + 1,
    meta: (n * 2654435761) & 0x3ffffff,
    frame: n * 3 + 1,
    time: 1_767_225_600 + n / 7,
    seq: (n * 2246822519) >>> 0,
    ack: n % 2 ? 0 : 0xffffffff - n,
    mss: n % 4 ? 1461 : 0,
  };
}

describe('SleeperTable', () => {
  it('finds each record either way round and gives back what was put in, through growth, removals and reuse', () => {
    const table = new SleeperTable();
    const model = new Map<number, number>(); // n -> slot
    const into = record(0);
    let seed = 3;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    let n = 0;
    for (let step = 0; step < 30_000; step++) {
      if (random() < 0.6 || model.size === 0) {
        const r = record(n);
        expect(table.find(r.hash, r.clientKey, r.clientPort, r.serverKey, r.serverPort)).toBe(NO_SLOT);
        model.set(n++, table.add(r));
      } else {
        // One of the oldest few (a Map iterates in insertion order).
        let k = 0;
        let skip = Math.floor(random() * Math.min(model.size, 50));
        for (const key of model.keys()) {
          k = key;
          if (skip-- === 0) break;
        }
        table.remove(model.get(k)!);
        model.delete(k);
      }
    }
    expect(table.size).toBe(model.size);
    expect(model.size).toBeGreaterThan(4000); // grown several times
    for (const [k, slot] of model) {
      const r = record(k);
      expect(table.find(r.hash, r.clientKey, r.clientPort, r.serverKey, r.serverPort)).toBe(slot);
      expect(table.find(r.hash, r.serverKey, r.serverPort, r.clientKey, r.clientPort)).toBe(slot);
      expect(table.read(slot, into)).toEqual(r);
      expect(table.time(slot)).toBe(r.time);
    }
    // Removed ones are gone, and a tuple with one port changed is another.
    for (let k = 0; k < n; k++) {
      if (model.has(k)) continue;
      const r = record(k);
      expect(table.find(r.hash, r.clientKey, r.clientPort, r.serverKey, r.serverPort)).toBe(NO_SLOT);
    }
    const r = record([...model.keys()][0]!);
    expect(table.find(r.hash, r.clientKey, r.clientPort + 1, r.serverKey, r.serverPort)).toBe(NO_SLOT);
  });

  it('keeps the queue index the tracker gives each slot', () => {
    const table = new SleeperTable();
    const slots = Array.from({ length: 3000 }, (_, n) => table.add(record(n)));
    slots.forEach((slot, i) => table.setQueueIndex(slot, i * 2));
    slots.forEach((slot, i) => expect(table.queueIndex(slot)).toBe(i * 2));
  });
});

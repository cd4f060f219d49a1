import { describe, expect, it } from 'vitest';
import { estimateOffset, EXPECT_WHOLE_ZONE, splitZone, type OffsetPair } from '../../src/serverlog/skew.js';

/** A line written (truncated to seconds) at real time `real` + `offset`, for a connection from `start` to `end`. */
const pair = (real: number, offset: number, start = real - 0.01, end = real + 0.01): OffsetPair => ({ written: Math.floor(real + offset), resolution: 1, start, end });

describe('the offset between log and capture clocks', () => {
  it('none to estimate from', () => {
    expect(estimateOffset([])).toBeNull();
  });

  it('finds a skew that many pairs agree on, to within the resolution, and outvotes a stray pair', () => {
    const reals = [100.1, 101.35, 102.6, 103.85, 105.05, 106.3, 107.55, 108.8, 110.95];
    const pairs = reals.map((r) => pair(r, 7.3));
    pairs.push({ written: 5000, resolution: 1, start: 104, end: 104.1 }); // a reused client port, hours away
    const e = estimateOffset(pairs)!;
    expect(e.agreeing).toBe(reals.length);
    expect(e.pairs).toBe(reals.length + 1);
    expect(e.from).toBeLessThanOrEqual(7.3);
    expect(e.to).toBeGreaterThanOrEqual(7.3);
    expect(Math.abs(e.offset - 7.3)).toBeLessThanOrEqual(e.uncertainty);
    expect(e.uncertainty).toBeLessThan(1);
  });

  it('prefers no skew when it fits, a whole zone for times without one', () => {
    const reals = [100.1, 101.5, 102.9];
    expect(estimateOffset(reals.map((r) => pair(r, 0)))!.offset).toBe(0);
    const zoned = estimateOffset(reals.map((r) => pair(r, 3600)), EXPECT_WHOLE_ZONE)!;
    expect(zoned.offset).toBe(3600);
    expect(splitZone(3600.4)).toEqual({ zone: 3600, skew: expect.closeTo(0.4, 6) });
    expect(splitZone(-19800 + 2)).toEqual({ zone: -19800, skew: expect.closeTo(2, 6) });
    expect(splitZone(42)).toEqual({ zone: 0, skew: 42 });
  });
});

describe('a client port reused every few minutes', () => {
  it('agrees with many offsets: the smallest correction wins', () => {
    // The same connection times, and log lines for the same client port every 150 s for a day.
    const pairs: OffsetPair[] = [];
    for (let k = -300; k <= 300; k++) pairs.push({ written: 1000 + k * 150, resolution: 1, start: 1000.2, end: 1000.3 });
    expect(estimateOffset(pairs, EXPECT_WHOLE_ZONE)!.offset).toBe(0);
    expect(estimateOffset(pairs)!.offset).toBe(0);
  });
});

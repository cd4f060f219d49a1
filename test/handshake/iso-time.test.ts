/** isoTime formats from a cached second: it must write exactly what Date would, for any time. */
import { describe, expect, it } from 'vitest';
import { isoTime } from '../../src/handshake/build.js';

/** The formatting isoTime had before its second was cached. */
function reference(seconds: number): string {
  if (!(Math.abs(seconds) < 8.64e12)) return `${seconds} s since 1970 (outside the calendar)`;
  const ms = Math.floor(seconds * 1000);
  const micros = Math.round((seconds - Math.floor(seconds)) * 1e6) % 1000;
  return `${new Date(ms).toISOString().slice(0, 23)}${String(micros).padStart(3, '0')}Z`;
}

describe('isoTime', () => {
  it('writes what Date writes, in order, out of order, and at the edges of the calendar', () => {
    const times = [0, -0.5, -1, 1e-7, -1e-7, 86399.9995, 1795867034.035919, 1795867034.0359, 1795867033.999999, -62167219200, -62167219200.001, 253402300799.9999, 253402300800, 8.64e12 - 0.001, -8.64e12 + 0.001, 8.64e12, NaN, Infinity];
    let t = 1795867000;
    for (let i = 0; i < 5000; i++) times.push((t += Math.random() * 0.01)); // a capture's times, increasing
    for (let i = 0; i < 5000; i++) times.push((Math.random() - 0.5) * 2 * 10 ** (1 + (i % 13)));
    for (const s of times) expect(isoTime(s)).toBe(reference(s));
  });
});

/**
 * One time form for every report (src/text/time.ts): ISO 8601 UTC with microseconds. It is made from a cached
 * second, so it must write exactly what Date would, for any time; and a time that rounds up to the next second
 * must carry (analyze and streams once wrote …:20.999000Z and …:21.000000Z for one nanosecond timestamp).
 */
import { describe, expect, it } from 'vitest';
import { isoMicros } from '../../src/text/time.js';

/** The same time made by Date from whole milliseconds, without a cache: the fraction rounded to the microsecond. */
function reference(seconds: number): string {
  if (!(Math.abs(seconds) < 8.64e12)) return `${seconds} s since 1970 (outside the calendar)`;
  const whole = Math.floor(seconds);
  const micros = Math.round((seconds - whole) * 1e6);
  const ms = whole * 1000 + Math.floor(micros / 1000);
  return `${new Date(ms).toISOString().slice(0, -1)}${String(micros % 1000).padStart(3, '0')}Z`;
}

describe('isoMicros', () => {
  it('writes UTC with exactly six fractional digits', () => {
    expect(isoMicros(0)).toBe('1970-01-01T00:00:00.000000Z');
    expect(isoMicros(1445324973.614159)).toBe('2015-10-20T07:09:33.614159Z');
    expect(isoMicros(1700000000.000001)).toBe('2023-11-14T22:13:20.000001Z');
  });

  it('carries a time that rounds up into the next second (a pcapng nanosecond timestamp)', () => {
    expect(isoMicros(1700000000.9999996)).toBe('2023-11-14T22:13:21.000000Z');
    expect(isoMicros(1795867020.9999999)).toBe(isoMicros(1795867021));
  });

  it('does not throw on a time outside the calendar (pcapplusplus/pcapng-example.pcapng, interface 1)', () => {
    expect(isoMicros(18446744073204.126)).toMatch(/^18446744073204\.\d+ s since 1970/);
    expect(isoMicros(Number.NaN)).toMatch(/^NaN s since 1970/);
  });

  it('writes what Date writes, in order, out of order, and at the edges of the calendar', () => {
    const times = [0, -0.5, -1, 1e-7, -1e-7, 86399.9995, 86399.9999996, 1795867034.035919, 1795867034.0359, 1795867033.999999, -62167219200, -62167219200.001, 253402300799.9999, 253402300800, 8.64e12 - 0.001, -8.64e12 + 0.001, 8.64e12, NaN, Infinity];
    let t = 1795867000;
    for (let i = 0; i < 5000; i++) times.push((t += Math.random() * 0.01)); // a capture's times, increasing
    for (let i = 0; i < 5000; i++) times.push((Math.random() - 0.5) * 2 * 10 ** (1 + (i % 13)));
    for (const s of times) expect(isoMicros(s), String(s)).toBe(reference(s));
  });
});

/**
 * One form for every time a report writes: ISO 8601 UTC with microseconds (`2026-11-28T11:57:07.333251Z`), from
 * a capture's seconds since 1970 (pcapng keeps nanoseconds: they round to the nearest microsecond, carrying into
 * the second, the minute, the year).
 */

/** Date covers ±8.64e15 ms; a capture's clock can lie outside it (pcapng-example.pcapng's second interface). */
const LARGEST_DATE_SECONDS = 8.64e12;
/** 0000-01-01 and 10000-01-01 (ms since 1970): between them toISOString has its 24-character form. */
const FOUR_DIGIT_YEARS_FROM = -62_167_219_200_000;
const FOUR_DIGIT_YEARS_TO = 253_402_300_800_000;

let cachedSecond = NaN;
let cachedSecondPrefix = '';

const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n));

/** Seconds since 1970 as ISO 8601 UTC with six fractional digits; a time outside the calendar says what it was. */
export function isoMicros(seconds: number): string {
  // Never throw on a timestamp read from the input.
  if (!(Math.abs(seconds) < LARGEST_DATE_SECONDS)) return `${seconds} s since 1970 (outside the calendar)`;
  // The fraction of the second is exact in floating point; rounded to microseconds it may carry into the second.
  let second = Math.floor(seconds);
  let fraction = Math.round((seconds - second) * 1e6);
  if (fraction === 1e6) {
    second += 1;
    fraction = 0;
  }
  const millis = Math.floor(fraction / 1000);
  const rest = fraction - millis * 1000;
  if (!(second * 1000 >= FOUR_DIGIT_YEARS_FROM && second * 1000 < FOUR_DIGIT_YEARS_TO)) {
    const iso = new Date(second * 1000).toISOString();
    return `${iso.slice(0, -4)}${pad3(millis)}${pad3(rest)}Z`;
  }
  // Many frames share a second: its prefix (2026-11-28T11:57:07.) is made once.
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedSecondPrefix = new Date(second * 1000).toISOString().slice(0, 20);
  }
  // The tail first: under 13 characters it is one flat string, and the result one rope node over the shared prefix.
  return cachedSecondPrefix + (pad3(millis) + pad3(rest) + 'Z');
}

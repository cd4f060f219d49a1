/**
 * Log timestamps: RFC 3164 (`Nov 28 11:57:07`, no year, no zone), RFC 5424 / RFC 3339
 * (`2026-11-28T11:57:07.123456+01:00`), `journalctl -o short-iso` (`2026-11-28T11:57:07+0100`) and
 * Dovecot's `log_timestamp` (`2026-11-28 11:57:17`, no zone). Times without a zone are kept as wall-clock
 * seconds read as UTC; `toRealSeconds` places them with a zone.
 */
import type { LogTime } from './types.js';
import type { TimestampFormat } from '../analyze/summary.js';

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12,
};

const DAY = 86_400;

/**
 * Supplies the year RFC 3164 lines leave out, one tracker per file: `--log-year` for the first dated line,
 * else the latest year that does not put that line after the reference time (the capture's start: a log that
 * explains a capture began before it); then one more each time the months wrap (Dec → Jan).
 */
export class YearTracker {
  private year: number | null = null;
  private lastMonth = 0;

  constructor(
    private readonly fixedYear: number | null,
    private readonly referenceSeconds: number | null,
  ) {}

  yearFor(month: number, day: number): number {
    if (this.year === null) {
      if (this.fixedYear !== null) this.year = this.fixedYear;
      else {
        const ref = this.referenceSeconds ?? Date.now() / 1000;
        let y = new Date(ref * 1000).getUTCFullYear();
        // Two days of slack: the log's zone may be ahead of UTC.
        if (Date.UTC(y, month - 1, day) / 1000 > ref + 2 * DAY) y--;
        this.year = y;
      }
    } else if (this.lastMonth - month > 6) {
      this.year++;
    }
    this.lastMonth = month;
    return this.year;
  }
}

export interface ParsedStamp {
  time: LogTime;
  format: TimestampFormat;
  /** Offset in the line just after the timestamp and the space that ends it. */
  end: number;
}

// Groups: month day [year] hh mm ss [fraction]
const RFC3164 = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (?:(\d{4}) )?(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))? /;
// Groups: yyyy mm dd hh mm ss [fraction] [zone]
const ISO = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(Z|[+-]\d\d:?\d\d)? /;

/** The timestamp at `start` in `line` (after any `<PRI>` and RFC 5424 version), or null. */
export function parseStamp(line: string, start: number, years: YearTracker, format: TimestampFormat | null = null): ParsedStamp | null {
  const s = start === 0 ? line : line.slice(start, start + 48);
  const c = s.charCodeAt(0);
  if (c >= 48 && c <= 57) {
    const m = ISO.exec(s);
    if (!m) return null;
    const [, y, mo, d, h, mi, sec, frac, zone] = m;
    const wall = wallSeconds(+y!, +mo!, +d!, +h!, +mi!, +sec!);
    if (wall === null) return null;
    let seconds = wall + fraction(frac);
    const zoned = zone !== undefined;
    if (zoned) seconds -= zoneSeconds(zone!);
    return { time: { seconds, zoned, yearSupplied: false, resolution: resolution(frac) }, format: format ?? 'iso', end: start + m[0].length };
  }
  const m = RFC3164.exec(s);
  if (!m) return null;
  const [, mon, d, y, h, mi, sec, frac] = m;
  const month = MONTHS[mon!];
  if (month === undefined) return null;
  const year = y !== undefined ? +y : years.yearFor(month, +d!);
  const wall = wallSeconds(year, month, +d!, +h!, +mi!, +sec!);
  if (wall === null) return null;
  return {
    time: { seconds: wall + fraction(frac), zoned: false, yearSupplied: y === undefined, resolution: resolution(frac) },
    format: format ?? 'rfc3164',
    end: start + m[0].length,
  };
}

function wallSeconds(y: number, mo: number, d: number, h: number, mi: number, s: number): number | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return null;
  return Date.UTC(y, mo - 1, d, h, mi, s) / 1000;
}

function fraction(digits: string | undefined): number {
  return digits ? Number(`0.${digits}`) : 0;
}

function resolution(digits: string | undefined): number {
  return digits ? 10 ** -Math.min(digits.length, 6) : 1;
}

/** `Z`, `+01:00`, `+0100` → seconds east of UTC. */
function zoneSeconds(zone: string): number {
  if (zone === 'Z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4)) * 60);
}

/** A zone for times that carry none: `UTC`, `local` (this machine's), `+01:00` / `-0530`, or an IANA name. */
export type Zone = { kind: 'fixed'; offset: number; name: string } | { kind: 'local'; name: string } | { kind: 'iana'; name: string; format: Intl.DateTimeFormat };

export function parseZone(text: string): Zone | { error: string } {
  const t = text.trim();
  if (/^(utc|gmt|z)$/i.test(t)) return { kind: 'fixed', offset: 0, name: 'UTC' };
  if (/^local$/i.test(t)) return { kind: 'local', name: 'local' };
  const fixed = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d\d))?$/i.exec(t);
  if (fixed) {
    const offset = (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 3600 + Number(fixed[3] ?? 0) * 60);
    if (Math.abs(offset) > 14 * 3600) return { error: `${text}: an offset is at most ±14:00` };
    return { kind: 'fixed', offset, name: formatOffset(offset) };
  }
  try {
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone: t, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    return { kind: 'iana', name: t, format };
  } catch {
    return { error: `${text}: not a time zone (use UTC, local, +01:00 or a name like Europe/Berlin)` };
  }
}

/** Seconds east of UTC that `zone` has at the real instant `epochSeconds`. */
function offsetAt(zone: Zone, epochSeconds: number): number {
  if (zone.kind === 'fixed') return zone.offset;
  const at = new Date(Math.floor(epochSeconds) * 1000);
  if (zone.kind === 'local') return -at.getTimezoneOffset() * 60;
  const parts: Record<string, number> = {};
  for (const p of zone.format.formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!) / 1000;
  return wall - Math.floor(epochSeconds);
}

/** Wall-clock seconds read as UTC → real seconds, in `zone` (daylight saving time included). */
export function toRealSeconds(wall: number, zone: Zone): number {
  if (zone.kind === 'fixed') return wall - zone.offset;
  const first = wall - offsetAt(zone, wall);
  return wall - offsetAt(zone, first);
}

/** 3600 → `+01:00`. */
export function formatOffset(seconds: number): string {
  const sign = seconds < 0 ? '-' : '+';
  const a = Math.round(Math.abs(seconds) / 60);
  return `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

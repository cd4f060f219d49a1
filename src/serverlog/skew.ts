/**
 * How far the log's clock (and zone) is from the capture's, from pairs of (a log line that names a client, the
 * captured connection of that client). Each pair says the line was written while the connection lived:
 * written = real + offset, truncated to the log's resolution, real within [start − SLACK, end + SLACK]; so
 * offset ∈ [written − end − SLACK, written − start + SLACK + resolution]. The offset most pairs agree on wins
 * (a reused client port gives a stray pair, outvoted); among equally good offsets, the one nearest what is
 * expected (zero skew; for times without a zone, a whole zone: a multiple of 15 minutes).
 */

export interface OffsetPair {
  /** The line's time as written (LogTime.seconds, after any zone the caller applied). */
  written: number;
  resolution: number;
  /** The connection's first and last frame, capture time. */
  start: number;
  end: number;
}

export interface OffsetEstimate {
  /** Log time minus capture time, seconds: the middle of the best interval. */
  offset: number;
  /** The largest distance from `offset` to either end of that interval: the offset is known to ± this. */
  uncertainty: number;
  /** The interval itself: every offset in it fits as many pairs. */
  from: number;
  to: number;
  /** Pairs that agree on it, of all pairs. */
  agreeing: number;
  pairs: number;
}

/** Slack around a connection's capture span in which its server may write a line that names the client. */
export const PAIR_SLACK = 0.25;

/** Zero skew expected. */
export const EXPECT_ZERO = (_offset: number): number => 0;
/** A whole zone expected (times without a zone): the multiple of 15 minutes nearest the offset. */
export const EXPECT_WHOLE_ZONE = (offset: number): number => Math.round(offset / 900) * 900;

export function estimateOffset(pairs: readonly OffsetPair[], expected: (offset: number) => number = EXPECT_ZERO): OffsetEstimate | null {
  if (pairs.length === 0) return null;
  // Sweep over interval ends: +1 at a start, −1 after an end; starts before ends at the same point.
  const points: { at: number; delta: number }[] = [];
  for (const p of pairs) {
    points.push({ at: p.written - p.end - PAIR_SLACK, delta: 1 });
    points.push({ at: p.written - p.start + PAIR_SLACK + p.resolution, delta: -1 });
  }
  points.sort((a, b) => a.at - b.at || b.delta - a.delta);
  let depth = 0;
  let best = 0;
  let regions: { from: number; to: number }[] = [];
  for (let i = 0; i < points.length; i++) {
    depth += points[i]!.delta;
    if (points[i]!.delta !== 1) continue;
    const to = points[i + 1]?.at ?? points[i]!.at;
    if (depth > best) {
      best = depth;
      regions = [{ from: points[i]!.at, to }];
    } else if (depth === best) {
      regions.push({ from: points[i]!.at, to });
    }
  }
  const hope = (r: { from: number; to: number }) => expected((r.from + r.to) / 2);
  const distance = (r: { from: number; to: number }) => {
    const h = hope(r);
    return r.from <= h && r.to >= h ? 0 : Math.min(Math.abs(r.from - h), Math.abs(r.to - h));
  };
  // Equally good: the smaller correction (a client port reused every few minutes agrees with many offsets).
  const size = (r: { from: number; to: number }) => Math.min(Math.abs(r.from), Math.abs(r.to), r.from <= 0 && r.to >= 0 ? 0 : Infinity);
  let chosen = regions[0]!;
  for (const r of regions) {
    const d = distance(r) - distance(chosen);
    if (d < 0 || (d === 0 && size(r) < size(chosen))) chosen = r;
  }
  // The expected value lies in the chosen region: it is the best estimate; else the region's middle.
  const h = hope(chosen);
  const offset = chosen.from <= h && chosen.to >= h ? h : (chosen.from + chosen.to) / 2;
  return {
    offset,
    uncertainty: Math.max(Math.abs(offset - chosen.from), Math.abs(chosen.to - offset)),
    from: chosen.from,
    to: chosen.to,
    agreeing: best,
    pairs: pairs.length,
  };
}

/** Split an offset into a whole zone (a multiple of 15 minutes) and the clock skew left over. */
export function splitZone(offset: number): { zone: number; skew: number } {
  const zone = Math.abs(offset) < 600 ? 0 : Math.round(offset / 900) * 900;
  return { zone, skew: offset - zone };
}

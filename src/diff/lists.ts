/** Two lists of names compared as a client's offer is: what was added, what was dropped, whether the order changed. */
export interface ListComparison {
  equal: boolean;
  /** In the bad list, not in the good one (in the bad list's order). */
  added: string[];
  /** In the good list, not in the bad one (in the good list's order). */
  removed: string[];
  /** The names both have appear in another order. */
  reordered: boolean;
}

export function compareLists(good: readonly string[], bad: readonly string[]): ListComparison {
  const inGood = new Set(good);
  const inBad = new Set(bad);
  const added = unique(bad.filter((x) => !inGood.has(x)));
  const removed = unique(good.filter((x) => !inBad.has(x)));
  const commonGood = good.filter((x) => inBad.has(x));
  const commonBad = bad.filter((x) => inGood.has(x));
  const reordered = !sameList(commonGood, commonBad);
  return { equal: sameList(good, bad), added, removed, reordered };
}

export function sameList(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** Structural equality for the small JSON values a diff compares. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

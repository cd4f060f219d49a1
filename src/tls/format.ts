/**
 * Number formatting for report text, without ICU: `toLocaleString('en-US')` builds a number formatter on every
 * call, which costs more than the rest of a connection's diagnosis.
 */

/** What n.toLocaleString('en-US') gives: ',' between groups of three digits (other numbers go to ICU as before). */
export function groupThousands(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0 || Object.is(n, -0)) return n.toLocaleString('en-US');
  const digits = String(n);
  let out = '';
  for (let end = digits.length; end > 0; end -= 3) out = end - 3 > 0 ? `,${digits.slice(end - 3, end)}${out}` : `${digits.slice(0, end)}${out}`;
  return out;
}

/**
 * What `analyze` and `diff` write as JSON, where it differs from the objects the text renderers read: one time
 * form (ISO 8601 UTC with microseconds), steps keyed by number, and the version of the contract. schema/*.json
 * describe the result field by field; docs/json.md shows it.
 */
import { isoMicros } from '../text/time.js';
import { combineGroups, recount, type Grouping } from '../analyze/groups.js';

/**
 * The version of the JSON contract (schema/*.schema.json), first in every document and every ndjson line.
 * MAJOR.MINOR: the minor number grows when fields are added, the major one when a field is renamed, removed or
 * changes its meaning or form.
 */
export const SCHEMA_VERSION = '1.0';

/** `--connection N --format json` (or ndjson): the one connection, as an ndjson connection line is (schema/analyze-ndjson.schema.json). */
export function connectionDocument(report: object): object {
  return { schemaVersion: SCHEMA_VERSION, ...report };
}

/**
 * `captures[]`: the first and last frame's time as ISO 8601 (the capture stage keeps seconds since 1970, which the
 * log join computes with), and the unlisted connections' failures by step number.
 */
export function jsonCaptures(captures: unknown): unknown {
  if (!Array.isArray(captures)) return captures;
  return captures.map((c: unknown) => {
    if (c === null || typeof c !== 'object') return c;
    const o = c as Record<string, unknown>;
    const out: Record<string, unknown> = { ...o };
    if ('firstTime' in o) out['firstTime'] = typeof o['firstTime'] === 'number' ? isoMicros(o['firstTime']) : null;
    if ('lastTime' in o) out['lastTime'] = typeof o['lastTime'] === 'number' ? isoMicros(o['lastTime']) : null;
    const unlisted = o['unlisted'];
    if (unlisted !== null && typeof unlisted === 'object' && 'failedAtStep' in unlisted) {
      out['unlisted'] = { ...unlisted, failedAtStep: byStepNumber((unlisted as { failedAtStep: Record<string, number> }).failedAtStep) };
    }
    return out;
  });
}

/** `summary`: failures by step number (the text renderers keep a step's name, which depends on the handshake's shape). */
export function jsonSummary(summary: unknown): unknown {
  if (summary === null || typeof summary !== 'object' || !('failedAtStep' in summary)) return summary;
  return { ...summary, failedAtStep: byStepNumber((summary as { failedAtStep: Record<string, number> }).failedAtStep) };
}

/**
 * `groups` (`--by`): each group by its value as the reports carry it (an address, a step number, an ending code, a
 * chain id; null for none), groups of one value made one (TLS 1.3's step 4 and TLS 1.2's, a completed handshake's
 * FIN and a failed one's), failures by step number and by ending code, most first.
 */
export function jsonGrouping(groups: unknown): unknown {
  if (groups === null || typeof groups !== 'object' || !Array.isArray((groups as { groups?: unknown }).groups)) return groups;
  const grouping = groups as Grouping;
  const rename = grouping.rename;
  const raw = (v: string | number | null) => (rename && typeof v === 'string' ? rename(v) : v);
  return {
    by: grouping.by,
    groups: combineGroups(grouping, (v) => JSON.stringify(raw(v.value))).map((g) => ({
      value: raw(g.value.value),
      connections: g.connections,
      completed: g.completed,
      failed: g.failed,
      failureRate: g.failureRate,
      failedAt: recount(g.failedAt, (x) => x.step).map(({ key, count }) => ({ step: key, count })),
      endedBy: recount(g.endedBy, (x) => x.end).map(({ key, count }) => ({ end: key, count })),
      firstSeen: g.firstSeen,
      lastSeen: g.lastSeen,
    })),
  };
}

/**
 * `{ "4 ServerHelloDone": 3, "4 end of server flight": 1 }` → `{ "4": 4 }`. The text renderers name a step as the
 * handshake's shape does (TLS 1.3 has names of its own); in JSON the nine steps are the frame of reference.
 */
export function byStepNumber(named: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(named)) {
    const step = /^\d+/.exec(key)?.[0] ?? key;
    out[step] = (out[step] ?? 0) + n;
  }
  return out;
}

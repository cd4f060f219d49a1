/**
 * The JSON contract, schema/*.schema.json, checked against real output: every shipped capture through `analyze
 * --format json` and `--format ndjson`, the options that add fields (--log, --cert, --max-connections, --by,
 * --redact, --connection), `streams --format json`, and `diff` of many pairs. Every object of the schemas is closed (additionalProperties
 * or unevaluatedProperties false), so a field added or renamed without the schema fails here; a property of the
 * schemas that no output has fails too (unless NOT_IN_SHIPPED_OUTPUT says why), so the schema cannot keep a name
 * the output dropped. docs/json.md names every field of the levels a reader looks up.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { diffReports } from '../../src/diff/diff.js';
import { analyzeCapture } from '../../src/analyze/pipeline.js';
import { renderDiffJson } from '../../src/report/diff/json.js';
import { SCHEMA_VERSION } from '../../src/report/json-contract.js';
import { toolInfo } from '../../src/report/tool.js';
import { ROOT, runCli } from '../cli/run.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: Json };

const SCHEMA_FILES = ['analyze.schema.json', 'analyze-ndjson.schema.json', 'diff.schema.json', 'streams.schema.json'] as const;
const schemas = new Map<string, Schema>(SCHEMA_FILES.map((f) => [f, JSON.parse(readFileSync(join(ROOT, 'schema', f), 'utf8')) as Schema]));
const ajv = new Ajv2020({ allErrors: true, strict: true });
for (const s of schemas.values()) ajv.addSchema(s);
const validator = (file: (typeof SCHEMA_FILES)[number]) => ajv.getSchema(schemas.get(file)!['$id'] as string)!;

/** Every capture shipped in captures/ (what a user can run the README's commands on). */
const CAPTURES = readdirSync(join(ROOT, 'captures'))
  .filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f))
  .sort()
  .map((f) => `captures/${f}`);
const LOGS = ['--log', 'captures/server-postfix.log', '--log', 'captures/server-dovecot.log'];
const LAB = ['captures/abort-then-retry.pcap', 'captures/abort-after-shd.pcap', 'captures/cert-reject.pcap', 'captures/two-chains-retry.pcap', 'captures/good-25-smtp-starttls.pcap', 'captures/good-993-imaps.pcap', 'captures/good-110-pop3-stls.pcap'];

/** The analyze runs: [command-line arguments after `analyze`, format]. */
const ANALYZE_RUNS: [string[], 'json' | 'ndjson'][] = [
  [CAPTURES, 'json'],
  [CAPTURES, 'ndjson'],
  [[...LAB, ...LOGS], 'json'],
  [[...LAB, ...LOGS, '--redact'], 'ndjson'],
  [['captures/configured-chain-tls12.pcap', 'captures/tls13-client-leaves.pcap', '--cert', 'captures/configured-chain/chain.pem', '--cert', 'captures/configured-chain/renewed.pem', '--server-name', 'mail.lab.test'], 'json'],
  [['captures/tls13-client-leaves.pcap', '--cert', 'captures/configured-chain/renewed.pem'], 'json'],
  [['captures/abort-after-shd.pcap', 'captures/good-993-imaps.pcap', '--log', 'captures/dovecot-time-join.log'], 'json'],
  [['captures/good-993-imaps.pcap', ...LOGS], 'ndjson'],
  [['captures/tls2.pcap', '--max-connections', '5', '--by', 'step'], 'json'],
  [['captures/tls2.pcap', 'captures/abort-then-retry.pcap', '--by', 'end', '--redact'], 'json'],
  // Values of every form: a chain id, an address, none (null).
  [['captures/two-chains-retry.pcap', 'captures/tls13-client-leaves.pcap', '--by', 'chain'], 'json'],
  [['captures/proxy-haproxy.pcap', 'captures/tls2.pcap', '--by', 'proxy'], 'json'],
  [['captures/abort-then-retry.pcap', '--connection', '1', ...LOGS], 'json'],
  [['captures/abort-then-retry.pcap', '--connection', '2', '--redact'], 'ndjson'],
  // Decrypted with key logs (TLS 1.3 and 1.2, a client certificate missing, refused; a DSB without --keylog).
  [['captures/keylog/tls13-client-cert-missing.pcapng', 'captures/keylog/tls13-client-cert-refused.pcapng', 'captures/keylog/tls12-cbc.pcapng', 'captures/keylog/tls13-client-cert-missing-dsb.pcapng', '--keylog', 'captures/keylog/tls13-client-cert-missing.keys', '--keylog', 'captures/keylog/tls13-client-cert-refused.keys', '--keylog', 'captures/keylog/tls12-cbc.keys'], 'json'],
  [['captures/keylog/postfix-starttls.pcapng', '--keylog', 'captures/keylog/postfix-starttls.keys', '--port', '10025=smtp', '--redact'], 'ndjson'],
];
const DIFF_RUNS: string[][] = [
  ['captures/pmtu-blackhole-mssfix-ok.pcap', 'captures/pmtu-blackhole-fail.pcap'],
  ['captures/tls1.2.pcap', 'captures/tls-1.2-handshake-failure.pcap', '--redact'],
];
/** In-process diffs: every ordered pair of connections of these captures (several shapes, endings, chains). */
const DIFF_CAPTURES = ['abort-then-retry.pcap', 'two-chains-retry.pcap', 'cert-reject.pcap', 'pmtu-blackhole-fail.pcap', 'pmtu-blackhole-mssfix-ok.pcap', 'tls1.2.pcap', 'tls1.2-broken-ccs.pcap', 'tls-1.2-handshake-failure.pcap', 'tls13draft16-ff52.a01.pcap', 'tls13draft16-ff52.a01-aborted.pcap', 'tls13-client-leaves.pcap', 'ssl-v2.pcap', 'hrr.pcap', 'tls-early-alert.pcap'];

/**
 * Properties of the schemas that none of the runs above writes, and why; each must be a real path of the schemas.
 * Remove one when a shipped capture comes to show it.
 */
const NOT_IN_SHIPPED_OUTPUT: Record<string, string> = {
  'analyze.schema.json#/$defs/summary/properties/chainsNotListed': 'needs more than 1,000 distinct chains in one run',
  'analyze.schema.json#/$defs/summary/properties/chains/items/properties/moreServers': 'needs one chain sent by more than 100 servers',
  'analyze.schema.json#/$defs/proxy/properties/tlvs/properties/netns': 'a PROXY v2 TLV no shipped header carries (HAProxy sends it only with a namespace)',
  'analyze.schema.json#/$defs/proxy/properties/tlvs/properties/ssl/properties/cipher': 'PP2_TYPE_SSL sub-TLVs come only with a client TLS connection to the balancer',
  'analyze.schema.json#/$defs/proxy/properties/tlvs/properties/ssl/properties/sigAlg': 'PP2_TYPE_SSL sub-TLVs come only with a client TLS connection to the balancer',
  'analyze.schema.json#/$defs/proxy/properties/tlvs/properties/ssl/properties/keyAlg': 'PP2_TYPE_SSL sub-TLVs come only with a client TLS connection to the balancer',
};

interface Checked {
  schema: (typeof SCHEMA_FILES)[number];
  label: string;
  value: Json;
}

const checked: Checked[] = [];

beforeAll(async () => {
  for (const [args, format] of ANALYZE_RUNS) {
    const r = runCli(['analyze', ...args, '-f', format]);
    const label = `analyze ${args.length > 8 ? `${args.length} captures` : args.join(' ')} -f ${format}`;
    if (r.status !== 0 && r.status !== 1) throw new Error(`${label}: exit ${r.status}: ${r.stderr}`);
    // --connection N writes one connection line (pretty-printed with -f json).
    if (format === 'json') checked.push({ schema: args.includes('--connection') ? 'analyze-ndjson.schema.json' : 'analyze.schema.json', label, value: JSON.parse(r.stdout) as Json });
    else for (const line of r.stdout.split('\n').filter(Boolean)) checked.push({ schema: 'analyze-ndjson.schema.json', label, value: JSON.parse(line) as Json });
  }
  // A capture cut short: `damage`.
  const dir = mkdtempSync(join(tmpdir(), 'tlsdissect-schema-'));
  const cut = join(dir, 'cut.pcap');
  writeFileSync(cut, readFileSync(join(ROOT, 'captures/abort-then-retry.pcap')).subarray(0, 3000));
  const damaged = runCli(['analyze', cut, '-f', 'json']);
  checked.push({ schema: 'analyze.schema.json', label: 'analyze cut.pcap -f json', value: JSON.parse(damaged.stdout) as Json });
  // A gzip log cut short: the log file's `damage`.
  const cutLog = join(dir, 'cut.log.gz');
  writeFileSync(cutLog, gzipSync(readFileSync(join(ROOT, 'captures/server-postfix.log'))).subarray(0, 2000));
  const damagedLog = runCli(['analyze', 'captures/abort-then-retry.pcap', '--log', cutLog, '-f', 'json']);
  checked.push({ schema: 'analyze.schema.json', label: 'analyze --log cut.log.gz -f json', value: JSON.parse(damagedLog.stdout) as Json });
  // `streams`: every shipped capture, and the one cut short.
  for (const args of [CAPTURES, [cut]]) {
    const r = runCli(['streams', ...args, '-f', 'json']);
    // Exit 4: a capture cut short, said in its `damage`.
    if (![0, 1, 4].includes(r.status ?? -1)) throw new Error(`streams: exit ${r.status}: ${r.stderr}`);
    checked.push({ schema: 'streams.schema.json', label: `streams ${args.length} captures -f json`, value: JSON.parse(r.stdout) as Json });
  }
  for (const args of DIFF_RUNS) {
    const r = runCli(['diff', ...args, '-f', 'json']);
    if (r.status !== 0) throw new Error(`diff ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
    checked.push({ schema: 'diff.schema.json', label: `diff ${args.join(' ')}`, value: JSON.parse(r.stdout) as Json });
  }
  const tool = toolInfo(['diff']);
  for (const file of DIFF_CAPTURES) {
    const { connections } = await analyzeCapture(join(ROOT, 'captures', file));
    for (const good of connections.slice(0, 6)) {
      for (const bad of connections.slice(0, 6)) checked.push({ schema: 'diff.schema.json', label: `diff ${file}#${good.id} ${file}#${bad.id}`, value: JSON.parse(renderDiffJson(diffReports(good, bad), tool)) as Json });
    }
  }
}, 600_000);

describe('the JSON schemas (schema/*.schema.json)', () => {
  it('every shipped capture and every option that adds fields writes what the schemas describe', () => {
    expect(checked.length).toBeGreaterThan(CAPTURES.length);
    const failures: string[] = [];
    for (const c of checked) {
      const validate = validator(c.schema);
      if (!validate(c.value)) failures.push(`${c.label}: ${ajv.errorsText(validate.errors, { separator: '\n  ' })}`);
    }
    expect(failures.slice(0, 5).join('\n')).toBe('');
  });

  it('every document and every ndjson line says its version first', () => {
    for (const c of checked) expect(Object.keys(c.value as object)[0], c.label).toBe('schemaVersion');
    for (const s of schemas.values()) expect(JSON.stringify(s)).not.toContain('"const":"0');
    expect((schemas.get('analyze.schema.json')!['$defs'] as Schema)['schemaVersion']).toMatchObject({ const: SCHEMA_VERSION });
  });

  it('fails on a field the schema does not know, a renamed one, a display-text key or another time form', () => {
    const doc = structuredClone(checked.find((c) => c.schema === 'analyze.schema.json' && c.label.includes('captures -f json'))!.value) as { [k: string]: Json };
    const validate = validator('analyze.schema.json');
    expect(validate(doc)).toBe(true);
    const broken = (change: (d: { [k: string]: any }) => void) => {
      const d = structuredClone(doc) as { [k: string]: any };
      change(d);
      return validate(d);
    };
    expect(broken((d) => (d.connections[0].newField = 1))).toBe(false);
    expect(broken((d) => ((d.connections[0].last_step = d.connections[0].lastStep), delete d.connections[0].lastStep))).toBe(false);
    expect(broken((d) => (d.summary.failedAtStep['4 ServerHelloDone'] = 1))).toBe(false);
    expect(broken((d) => (d.summary.failedBy['client FIN'] = 1))).toBe(false);
    expect(broken((d) => (d.connections[0].start = '2026-11-28T11:57:07.333Z'))).toBe(false);
    expect(broken((d) => (d.captures[0].firstTime = 1764331027.333))).toBe(false);
    expect(broken((d) => (d.tool.extra = true))).toBe(false);
    const diff = checked.find((c) => c.schema === 'diff.schema.json' && (c.value as { differences: Json[] }).differences.length > 0)!.value as { [k: string]: any };
    const validateDiff = validator('diff.schema.json');
    const d = structuredClone(diff);
    d.differences[0].field = 'server_flight_acked';
    expect(validateDiff(d)).toBe(false);
  });

  it('has no property that no output writes any more (the list of exceptions says why)', () => {
    const seen = new Set<string>();
    for (const c of checked) visit(c.schema, '', c.value, seen);
    const all = allProperties();
    const unseen = [...all].filter((p) => !seen.has(p));
    for (const p of Object.keys(NOT_IN_SHIPPED_OUTPUT)) expect(all.has(p), p).toBe(true);
    expect(unseen.filter((p) => !(p in NOT_IN_SHIPPED_OUTPUT))).toEqual([]);
  });

  it('describes every property once, in words', () => {
    for (const [file, schema] of schemas) {
      walkSchema(schema, '', (node, at) => {
        const props = node['properties'];
        if (props && typeof props === 'object' && !Array.isArray(props)) {
          for (const [k, v] of Object.entries(props)) {
            const p = v as Schema;
            const described = typeof p['description'] === 'string' || (typeof p['$ref'] === 'string' && typeof resolve(file, p['$ref'])[1]['description'] === 'string');
            expect(described, `${file}#${at}/properties/${k}`).toBe(true);
          }
        }
      });
    }
  });
});

describe('docs/json.md', () => {
  const doc = readFileSync(join(ROOT, 'docs/json.md'), 'utf8');
  it('names every field of the document, a connection, a capture, the summary and a diff, and links the schemas', () => {
    const analyze = schemas.get('analyze.schema.json')!;
    const defs = analyze['$defs'] as { [k: string]: Schema };
    const diff = schemas.get('diff.schema.json')!;
    const levels: Schema[] = [analyze, defs['connectionFields']!, defs['capture']!, defs['summary']!, diff, ((diff['properties'] as Schema)['differences'] as Schema)['items'] as Schema];
    // The names inside the page's code spans (`lastStep`, `{ id, capture, after, outcome }`).
    const named = new Set([...doc.matchAll(/`([^`\n]+)`/g)].flatMap((m) => m[1]!.match(/[A-Za-z][A-Za-z0-9]*/g) ?? []));
    for (const level of levels) for (const k of Object.keys(level['properties'] as Schema)) expect(named.has(k), k).toBe(true);
    for (const f of SCHEMA_FILES) expect(doc).toContain(`../schema/${f}`);
  });
});

/** [file, node] that `ref` (`#/$defs/x` or `other.schema.json#/$defs/x`) names, from `file`. */
function resolve(file: string, ref: string): [string, Schema] {
  const [target, pointer] = ref.split('#') as [string, string];
  const inFile = target === '' ? file : target;
  let node: Json = schemas.get(inFile)!;
  for (const part of pointer.split('/').slice(1)) node = (node as { [k: string]: Json })[part]!;
  return [inFile, node as Schema];
}

/** Mark in `seen` each schema property (as file#pointer) that `value` has, following the schema where the value goes. */
function visit(file: string, at: string, value: Json, seen: Set<string>): void {
  const node = resolve(file, `#${at}`)[1];
  if (typeof node['$ref'] === 'string') {
    const [refFile, pointer] = node['$ref'].split('#') as [string, string];
    visit(refFile === '' ? file : refFile, pointer, value, seen);
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    const alternatives = node[key];
    if (Array.isArray(alternatives)) alternatives.forEach((_, i) => visit(file, `${at}/${key}/${i}`, value, seen));
  }
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    if (node['items'] !== undefined) for (const v of value) visit(file, `${at}/items`, v, seen);
    return;
  }
  const props = (node['properties'] ?? {}) as Schema;
  for (const [k, v] of Object.entries(value)) {
    if (k in props) {
      seen.add(`${file}#${at}/properties/${k}`);
      visit(file, `${at}/properties/${k}`, v, seen);
    } else if (node['additionalProperties'] !== undefined && typeof node['additionalProperties'] === 'object') visit(file, `${at}/additionalProperties`, v, seen);
  }
}

function allProperties(): Set<string> {
  const out = new Set<string>();
  for (const [file, schema] of schemas) {
    walkSchema(schema, '', (node, at) => {
      const props = node['properties'];
      if (props && typeof props === 'object' && !Array.isArray(props)) for (const k of Object.keys(props)) out.add(`${file}#${at}/properties/${k}`);
    });
  }
  return out;
}

function walkSchema(node: Json, at: string, f: (node: Schema, at: string) => void): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    node.forEach((n, i) => walkSchema(n, `${at}/${i}`, f));
    return;
  }
  f(node, at);
  for (const [k, v] of Object.entries(node)) if (k !== 'enum' && k !== 'const') walkSchema(v, `${at}/${k}`, f);
}

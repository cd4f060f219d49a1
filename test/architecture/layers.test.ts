/**
 * The one-way rule (docs/architecture.md): data flows capture → net → tcp → mail → tls → handshake → analyze →
 * serverlog → diff → report → cli.ts, and a folder never imports a later one. The bottom (src/text/ and the
 * files at src/'s root but cli.ts) may be imported by all and imports none of the stages.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../src');

/** Each folder's place in the flow; the bottom is 0, cli.ts last. */
export const LAYERS: readonly string[] = ['(bottom)', 'capture', 'net', 'tcp', 'mail', 'tls', 'handshake', 'analyze', 'serverlog', 'diff', 'report', 'cli'];

/** The layer of a file under src/, by its first folder. */
export function layerOf(file: string): string {
  const rel = relative(SRC, file);
  const first = rel.split('/')[0]!;
  if (rel === 'cli.ts') return 'cli';
  if (!rel.includes('/') || first === 'text') return '(bottom)';
  return first;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Every relative import (static, type-only, dynamic, re-export) of a source file, resolved to a file under src/. */
export function importsOf(file: string, text: string): string[] {
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.map((s) => resolve(dirname(file), s).replace(/\.js$/, '.ts'));
}

/** The imports that go against the flow, as `from → to` lines. */
export function backwardImports(files: readonly { file: string; text: string }[]): string[] {
  const out: string[] = [];
  for (const { file, text } of files) {
    const from = LAYERS.indexOf(layerOf(file));
    for (const target of importsOf(file, text)) {
      const to = LAYERS.indexOf(layerOf(target));
      if (to > from) out.push(`${relative(SRC, file)} → ${relative(SRC, target)}`);
    }
  }
  return out;
}

describe('the one-way rule', () => {
  const files = sources(SRC).map((file) => ({ file, text: readFileSync(file, 'utf8') }));

  it('knows every folder of src/', () => {
    const folders = new Set(files.map((f) => layerOf(f.file)));
    for (const folder of folders) expect(LAYERS, `src/${folder}/ has no place in the flow`).toContain(folder);
  });

  it('no folder imports a later one', () => {
    expect(backwardImports(files)).toEqual([]);
  });

  it('catches an import against the flow', () => {
    const planted = { file: join(SRC, 'tls/example.ts'), text: "import type { ConnectionReport } from '../handshake/report.js';\nimport { x } from '../capture/bytes.js';" };
    expect(backwardImports([planted])).toEqual(['tls/example.ts → handshake/report.ts']);
  });
});

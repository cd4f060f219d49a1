import { readFileSync } from 'node:fs';

/**
 * The tool's name and version, read once from package.json (one directory above src/ and dist/), so that
 * `--version` and every report say the same thing as the package that was installed.
 */
function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export const TOOL_NAME = 'tlsdissect';
export const TOOL_VERSION = readVersion();

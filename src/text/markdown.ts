/**
 * Strings that come from a capture or a log land in Markdown reports meant to be pasted into a ticket (GitHub,
 * GitLab), where a stranger's SNI such as `[Download fix](https://evil.example/) <img src=x> <details open> <!--`
 * would render as a live link, a tracking image and an open block, a bare CR would end the table and an unclosed
 * comment would hide the rest of the report. Every such string goes through one of these before it is written:
 *
 * - markdownText: Markdown inline text (table cells, list items, paragraphs, headings, diff verdicts);
 * - markdownHtmlText: the text of a raw-HTML line, where Markdown is not parsed (`<details><summary>…`);
 * - markdownCode: a code span that no backtick inside can close.
 *
 * Each keeps the value on one line (CR and LF become spaces) and shows control characters escaped (`\x1b`).
 */
import { terminalSafeLine } from './terminal.js';

/** CommonMark line endings (LF, CR, CR LF) and tabs: a value stays on its line, in its cell. */
const BREAKS = /\r\n|[\r\n\t]/g;

/**
 * ASCII punctuation that means something inline or at a line's start: emphasis, links and images, code, tables,
 * strikethrough, headings, lists, block quotes. A backslash before any ASCII punctuation is a literal in CommonMark.
 * `(` stays bare and `)` nearly always: they mean something only right after a `]` (a link's destination), and
 * every `[`, `]` and `!` is escaped, so the diagnoses' many parentheses stay readable in the source; a `)` is
 * escaped only where it ends an ordered list's number (`1) `).
 */
const PUNCTUATION = /[\\`*_[\]!#|~+\-=.:{})"']/;

/** The start of what GFM turns into a link without brackets: `https://`, `www.`, `user@host`. */
const AUTOLINK = /:\/\/|www\.|@/gi;

/** A value made inert in Markdown inline text: it renders as the characters it holds, nothing more. */
export function markdownText(value: string): string {
  const line = terminalSafeLine(value.replace(BREAKS, ' '));
  let out = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '<') out += '&lt;';
    else if (c === '>') out += '&gt;';
    else if (c === '&') out += '&amp;';
    else if (PUNCTUATION.test(c) && mustEscape(line, i)) out += '\\' + c;
    else out += c;
  }
  // Four spaces at a line's start (a value's tabs and line breaks become spaces) open an indented code block; a
  // value that starts so starts with a character reference for its first space instead, the same text.
  if (out.startsWith('    ')) out = `&#32;${out.slice(1)}`;
  // GFM's autolinks start on ':', 'w' and '@' in the source; a character reference there is the same text, no link.
  return out.replace(AUTOLINK, (m) => (m === '@' ? '&#64;' : m === '://' ? '&#58;//' : `${m.slice(0, 3)}&#46;`));
}

/**
 * Whether the punctuation at `i` needs its backslash. Most always do; a few are kept bare where they cannot mean
 * anything, so that the common values stay readable in the Markdown source: `.` but after a number that opens the
 * line (`10.0.0.1`, `.profile`), `-` and `+` inside a word or a number (`TLS_AES_128-GCM`), `_` between letters or
 * digits (`TLS_AES_128_GCM_SHA256`: intraword `_` is never emphasis), `#` after a letter or digit (`2#5`), `:` and
 * `'`/`"` anywhere (they start nothing; `://` is handled apart).
 */
function mustEscape(line: string, i: number): boolean {
  const c = line[i]!;
  // A line of `=` under a paragraph makes it a heading, after up to three spaces too.
  if (c === ':' || c === '"' || c === "'" || c === '{' || c === '}' || c === '=') return c === '=' && /^ *$/.test(line.slice(0, i));
  const before = line[i - 1];
  const after = line[i + 1];
  const word = (x: string | undefined) => x !== undefined && /[\p{L}\p{N}]/u.test(x);
  if (c === '_') return !(word(before) && word(after));
  // `#` opens a heading at a line's start and closes one after a space (`### a #`); `1#5` is neither.
  if (c === '#') return !word(before);
  // `-` and `+` start a list or a thematic break at a line's start, after spaces too (`- `, ` + `, `---`), never
  // inside a word or a number. A `.` or `)` means something only after a number that opens the line, up to three
  // spaces in (`1. `, ` 2) `): an ordered list.
  if (c === '-' || c === '+') return !word(before);
  if (c === '.' || c === ')') return /^ *\d+$/.test(line.slice(0, i)) && (after === undefined || after === ' ');
  return true;
}

/** A value made inert in the text of a raw-HTML line (`<details><summary>…</summary>`): HTML-escaped, one line. */
export function markdownHtmlText(value: string): string {
  return terminalSafeLine(value.replace(BREAKS, ' '))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/**
 * A code span holding the value as it is: the fence is one backtick longer than the longest run of backticks in
 * it, and a space pads a value that starts or ends with a backtick or a space (CommonMark strips one on each side).
 * Not for table cells: GFM splits a row on `|` even inside code.
 */
export function markdownCode(value: string): string {
  const line = terminalSafeLine(value.replace(BREAKS, ' '));
  const longest = Math.max(0, ...[...line.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(line) || line === '' ? ' ' : '';
  return `${fence}${pad}${line}${pad}${fence}`;
}

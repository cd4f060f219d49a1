/**
 * Strings that come from a capture or a log are a stranger's: a certificate's subject, an SNI, an SMTP reply,
 * a log line or a file name may carry ESC sequences that clear the screen, set the window title (OSC 0) or
 * plant a hyperlink (OSC 8), and bidirectional overrides that make text read backwards. Where such a string
 * meets a terminal it goes through terminalSafe: every such character is shown escaped (`\x1b`, `\u202e`),
 * never raw. JSON keeps the exact value (JSON escapes it); HTML and Markdown have their own escaping.
 */

/**
 * C0 controls but tab and newline, DEL, C1 controls, the bidirectional embeddings and overrides
 * (U+202A–U+202E), the isolates (U+2066–U+2069), and the marks and separators that can reorder or hide text
 * (U+200E, U+200F, U+061C, U+2028, U+2029). A lone backslash stays as it is: the escapes are a display, not
 * a reversible encoding.
 */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** The same set plus tab and newline: for a value shown on one line (a table cell, a header). */
const UNSAFE_ONE_LINE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  if (code === 0x09) return '\\t';
  if (code === 0x0a) return '\\n';
  if (code === 0x0d) return '\\r';
  if (code === 0x1b) return '\\x1b';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** A capture- or log-derived string made inert for a terminal; tab and newline pass. */
export function terminalSafe(s: string): string {
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(s) ? s.replace(UNSAFE, escapeChar) : s;
}

/** The same for a value that must stay on one line: tab, CR and LF are escaped too. */
export function terminalSafeLine(s: string): string {
  UNSAFE_ONE_LINE.lastIndex = 0;
  return UNSAFE_ONE_LINE.test(s) ? s.replace(UNSAFE_ONE_LINE, escapeChar) : s;
}

/** True when a string holds anything terminalSafe would escape (for tests and the fuzzer's check). */
export function hasUnsafeTerminalChars(s: string): boolean {
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(s);
}

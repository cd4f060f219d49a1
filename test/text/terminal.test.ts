import { describe, expect, it } from 'vitest';
import { hasUnsafeTerminalChars, terminalSafe, terminalSafeLine } from '../../src/text/terminal.js';

describe('terminalSafe', () => {
  it('escapes ESC sequences: clear screen, window title (OSC 0), hyperlink (OSC 8)', () => {
    expect(terminalSafe('a\u001b[2Jb')).toBe('a\\x1b[2Jb');
    expect(terminalSafe('\u001b]0;owned\u0007')).toBe('\\x1b]0;owned\\x07');
    expect(terminalSafe('\u001b]8;;https://x.example/\u001b\\fix\u001b]8;;\u001b\\')).toBe('\\x1b]8;;https://x.example/\\x1b\\fix\\x1b]8;;\\x1b\\');
  });
  it('escapes DEL, C1 controls (CSI as one byte) and bidirectional overrides and isolates', () => {
    expect(terminalSafe('x\u007fy')).toBe('x\\x7fy');
    expect(terminalSafe('\u009b2J')).toBe('\\x9b2J');
    expect(terminalSafe('abc\u202egnp.exe')).toBe('abc\\u202egnp.exe');
    expect(terminalSafe('\u2066a\u2069')).toBe('\\u2066a\\u2069');
  });
  it('keeps tab and newline, ordinary text and non-Latin letters as they are', () => {
    expect(terminalSafe('a\tb\nc')).toBe('a\tb\nc');
    expect(terminalSafe('Mail Lab Root R1 — ü, 日本, ☃')).toBe('Mail Lab Root R1 — ü, 日本, ☃');
    expect(terminalSafe('\r')).toBe('\\r');
  });
  it('on one line, escapes tab, CR and LF too', () => {
    expect(terminalSafeLine('a\tb\r\nc')).toBe('a\\tb\\r\\nc');
  });
  it('leaves no raw control character for any code unit below 0x100', () => {
    for (let c = 0; c < 0x100; c++) {
      const out = terminalSafeLine(`<${String.fromCharCode(c)}>`);
      expect(hasUnsafeTerminalChars(out.replace(/\t|\n/g, ''))).toBe(false);
      expect(/[\u0000-\u001f\u007f-\u009f]/.test(out)).toBe(false);
    }
  });
});

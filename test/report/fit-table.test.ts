import { describe, expect, it } from 'vitest';
import { ColumnWidths, displayWidth, fitTable, foldLine, truncateTo, type FitColumn } from '../../src/report/fit-table.js';
import { cipherForWidth, emptyWords } from '../../src/report/analyze/text.js';

describe('fitTable', () => {
  const columns: FitColumn[] = [
    { head: '#', min: 1 },
    { head: 'client', min: 11, shrink: 1, fit: (c, w) => (c.length <= w ? c : c.replace(/:\d+$/, '')) },
    { head: 'cipher', min: 20, drop: 1 },
    { head: 'why', min: 3 },
  ];
  const rows = [
    ['1', '10.77.0.100:53402', 'ECDHE_RSA_WITH_AES_256_GCM_SHA384', '[A]'],
    ['22', '192.168.100.200:65535', 'AES_128_GCM_SHA256', '[B]'],
  ];
  const widths = new ColumnWidths(columns.map((c) => c.head));
  for (const r of rows) widths.see(r);

  it('without a width: every cell whole, columns aligned', () => {
    const t = fitTable(columns, widths.widths, undefined);
    const lines = rows.map((r) => t.line(r));
    expect(lines[0]).toBe('1   10.77.0.100:53402      ECDHE_RSA_WITH_AES_256_GCM_SHA384  [A]');
    expect(lines[1]).toBe('22  192.168.100.200:65535  AES_128_GCM_SHA256                 [B]');
  });

  it('shortens by compact forms, then drops, and never passes the width', () => {
    for (const width of [20, 30, 45, 60, 70, 200]) {
      const t = fitTable(columns, widths.widths, width);
      for (const line of [...t.head(), ...rows.map((r) => t.line(r))]) expect(displayWidth(line), `${width}: ${line}`).toBeLessThanOrEqual(width);
    }
    // The number is never cut; the cipher, with no shorter form, is dropped whole.
    const narrow = fitTable(columns, widths.widths, 45);
    expect(narrow.widths[2]).toBeNull();
    expect(narrow.line(rows[1]!)).toBe('22  192.168.100.200:65535  [B]');
    expect(fitTable(columns, widths.widths, 60).line(rows[1]!)).toBe('22  192.168.100.200   AES_128_GCM_SHA256                 [B]');
    const narrower = fitTable(columns, widths.widths, 24);
    expect(narrower.line(rows[0]!)).toBe('1   10.77.0.100      [A]');
  });

  it('makes every cell terminal-safe', () => {
    const t = fitTable(columns, [2, 30, 20, 3], undefined);
    expect(t.line(['1', 'evil\u001b]0;title\u0007', 'x\u202ey', '[A]'])).toMatch(/^1 +evil\\x1b\]0;title\\x07 +x\\u202ey +\[A\]$/);
  });
});

describe('display width', () => {
  it('counts East Asian wide characters as two columns, and cuts them whole', () => {
    expect(displayWidth('メール')).toBe(6);
    expect(truncateTo('メールサーバー', 7)).toBe('メール…');
    expect(displayWidth(truncateTo('メールサーバー', 7))).toBeLessThanOrEqual(7);
  });

  it('folds prose at word boundaries with a hanging indent, and cuts a word longer than a line', () => {
    expect(foldLine('[A] client closed (FIN) after ServerHelloDone', 20, 4)).toEqual(['[A] client closed', '    (FIN) after', '    ServerHelloDone']);
    expect(foldLine('x'.repeat(25), 10, 2).every((l) => l.length <= 10)).toBe(true);
    expect(foldLine('a\u001b[2Jb', undefined)).toEqual(['a\\x1b[2Jb']);
  });
});

describe('analyze cells', () => {
  it('shows a cipher suite in the longest form that fits, key exchange and bulk cipher kept', () => {
    expect(cipherForWidth('ECDHE_RSA_WITH_AES_256_GCM_SHA384', 40)).toBe('ECDHE_RSA_WITH_AES_256_GCM_SHA384');
    expect(cipherForWidth('ECDHE_RSA_WITH_AES_256_GCM_SHA384', 27)).toBe('ECDHE-RSA-AES256-GCM-SHA384');
    expect(cipherForWidth('ECDHE_RSA_WITH_AES_256_GCM_SHA384', 22)).toBe('ECDHE-RSA-AES256-GCM');
    expect(cipherForWidth('ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 22)).toBe('ECDHE-ECDSA-CHACHA20');
    expect(cipherForWidth('AES_128_GCM_SHA256', 12)).toBe('AES128-GCM');
  });

  it('says what stands where no row is', () => {
    const byOutcome = { complete: 3, failed: 0, 'not-tls': 0, unknown: 0 };
    expect(emptyWords({ connections: 3, byOutcome }, true)).toBe('no failed handshakes (3 connections, all complete)');
    expect(emptyWords({ connections: 2, byOutcome: { complete: 1, failed: 0, 'not-tls': 1, unknown: 0 } }, true)).toBe('no failed handshakes (2 connections: 1 complete, 1 without TLS)');
    expect(emptyWords({ connections: 0, byOutcome: { complete: 0, failed: 0, 'not-tls': 0, unknown: 0 } }, true)).toBe('no TCP connections found');
  });
});

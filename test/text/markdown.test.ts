/**
 * The Markdown sanitiser (issue 15) judged by what a CommonMark renderer makes of its output, not by its rules:
 * any string of the punctuation Markdown cares about, in every place a report puts one (the start of a line, the
 * middle of one, a line under a paragraph, a list item, a heading, a table cell, a <summary>, a code span), renders
 * as exactly the characters it holds, inside exactly the element it was put in. And what cannot mean anything keeps
 * no backslash, so the Markdown source stays readable.
 */
import fc from 'fast-check';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { markdownCode, markdownHtmlText, markdownText } from '../../src/text/markdown.js';

// As GitHub renders a ticket: raw HTML allowed, bare URLs linked (not bare domain names).
const md = new MarkdownIt({ html: true, linkify: true });
md.linkify.set({ fuzzyLink: false });

/** What a value looks like once rendered: line breaks and tabs become spaces (one value, one line). */
const shown = (s: string) => s.replace(/\r\n|[\r\n\t]/g, ' ');

/** The text of rendered HTML, with markdown-it's four entities decoded. */
const textOf = (html: string) => html.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');

/** The HTML tags of rendered HTML, in order. */
const tagsOf = (html: string) => [...html.matchAll(/<\/?([a-z0-9]+)[^>]*>/g)].map((m) => m[0].startsWith('</') ? `/${m[1]}` : m[1]!);

/** Characters that mean something in Markdown or GFM, plus letters, digits, spaces and line breaks around them. */
const MEANINGFUL = [...'\\`*_[]()!#|~+-=.:{}"\'<>&@/ ', 'www.', '://', '1.', '1)', '12', 'a', 'b', 'x', '0', '9', '\n', '\r', '\t', 'ü'];
const value = fc.array(fc.constantFrom(...MEANINGFUL), { minLength: 1, maxLength: 14 }).map((xs) => xs.join(''));

describe('markdownText renders as the characters it holds, wherever a report puts it', () => {
  it('at the start of a line, in the middle of one, under a paragraph line, in a list item and a heading', () => {
    fc.assert(
      fc.property(value, (s) => {
        const t = markdownText(s);
        const plain = shown(s);
        expect(t, JSON.stringify(s)).not.toMatch(/[\r\n]/);
        const cases: [string, string[], string][] = [
          // (a paragraph's leading and trailing spaces are not its text)
          [`${t}\n`, ['p', '/p'], plain.trim()],
          [`x ${t} y\n`, ['p', '/p'], `x ${plain} y`],
          [`words\n${t}\n`, ['p', '/p'], `words\n${plain.trim()}`],
          [`- ${t}\n`, ['ul', 'li', '/li', '/ul'], plain.trim()],
          [`### ${t}\n`, ['h3', '/h3'], plain.trim()],
        ];
        for (const [source, tags, text] of cases) {
          if (text === '' || text === 'words\n') continue; // nothing to show: an empty paragraph is no paragraph
          const html = md.render(source);
          expect(tagsOf(html), `${JSON.stringify(source)} → ${html}`).toEqual(tags);
          expect(textOf(html).trim(), `${JSON.stringify(source)} → ${html}`).toBe(text);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('a list marker after leading spaces is no list either', () => {
    for (const s of [' 1. x', '  12. x', ' 1.', '1) x', ' 1) x', ' - x', '  + x', '   * x', ' # x', ' > x', '\t\r\t\n\\', '     code?']) {
      const html = md.render(`${markdownText(s)}\n`);
      expect(tagsOf(html), `${JSON.stringify(s)} → ${html}`).toEqual(['p', '/p']);
      expect(textOf(html).trim()).toBe(s.trim());
    }
  });

  it('a value that starts with four spaces or more keeps every one of them, and is no code block', () => {
    for (const s of ['    x', '\t \t x', '     code?']) {
      expect(markdownText(s)).toBe(`&#32;${shown(s).slice(1)}`);
      const html = md.render(`a ${markdownText(s)} b\n`);
      expect(tagsOf(html), `${JSON.stringify(s)} → ${html}`).toEqual(['p', '/p']);
      expect(html.replace(/&#32;|&amp;#32;/g, ' ')).toBe(`<p>a ${shown(s)} b</p>\n`);
    }
  });

  it('an HTML block opener at the start of a line stays text: no comment or <div> swallows what follows', () => {
    for (const s of ['<!-- x', '<div x', '<script', '<pre', '<?php']) {
      const html = md.render(`${markdownText(s)}\n\nnext paragraph\n`);
      expect(tagsOf(html), `${JSON.stringify(s)} → ${html}`).toEqual(['p', '/p', 'p', '/p']);
      expect(textOf(html)).toBe(`${s}\nnext paragraph\n`);
    }
  });

  it('a line of = after spaces under a paragraph line is no heading either', () => {
    for (const s of [' =', '\t=', '   ===']) {
      const html = md.render(`words\n${markdownText(s)}\n`);
      expect(tagsOf(html), `${JSON.stringify(s)} → ${html}`).toEqual(['p', '/p']);
    }
  });

  it('in a table cell: one row of two cells, the value in the first', () => {
    fc.assert(
      fc.property(value, (s) => {
        const html = md.render(`| a | b |\n|---|---|\n| ${markdownText(s)} | z |\n`);
        const cells = [...html.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => m[1]!);
        expect(cells.length, `${JSON.stringify(s)} → ${html}`).toBe(2);
        expect(textOf(cells[0]!), `${JSON.stringify(s)} → ${html}`).toBe(shown(s).trim());
        expect(tagsOf(cells[0]!)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps no backslash where the punctuation cannot mean anything', () => {
    for (const s of [
      'a=b, c="d", e={f}',
      "it's: 10.0.0.1:25",
      'TLS_AES_128_GCM_SHA256',
      'x-y+z, 1.2.3',
      'frame 2#5',
      'ends with a dot.',
      'a-',
      'TLS 1.2',
      // A number's '.' or ')' starts a list only when the number opens the line: not inside a sentence, nor
      // after a number that has letters in it.
      'step 1. done',
      'step 2) done',
      '1a. x',
      '2b) x',
      'f(x) and g(y)',
      // A '.' that follows no number means nothing, at the start of a value too.
      '.profile',
      'a .b ... c',
    ]) {
      expect(markdownText(s), s).toBe(s);
    }
    // …and one where it can: a line of '=' under a paragraph line makes it a heading, at the start only.
    expect(markdownText('==')).toBe('\\==');
    expect(markdownText('1. item')).toBe('1\\. item');
    expect(markdownText('1.')).toBe('1\\.');
  });
});

describe('markdownHtmlText and markdownCode', () => {
  it('a <summary> line shows the value, on one line, as its characters', () => {
    fc.assert(
      fc.property(value, (s) => {
        const html = md.render(`<details><summary>${markdownHtmlText(s)}</summary>\n\nbody\n\n</details>\n`);
        const summary = /<summary>([\s\S]*?)<\/summary>/.exec(html);
        expect(summary, `${JSON.stringify(s)} → ${html}`).not.toBeNull();
        expect(summary![1]!).not.toMatch(/[<>\n]/);
        expect(textOf(summary![1]!)).toBe(shown(s));
      }),
      { numRuns: 300 },
    );
  });

  it('a code span holds the value as it is, whatever backticks and spaces it has', () => {
    fc.assert(
      fc.property(value, (s) => {
        const html = md.render(`x ${markdownCode(s)} y\n`);
        const code = /<code>([\s\S]*?)<\/code>/.exec(html);
        expect(code, `${JSON.stringify(s)} → ${html}`).not.toBeNull();
        // (A span of spaces only is spaces, however many: renderers differ on how many.)
        if (/^ +$/.test(shown(s))) expect(code![1]!).toMatch(/^ +$/);
        else expect(textOf(code![1]!)).toBe(shown(s));
      }),
      { numRuns: 300 },
    );
  });

  it('an empty value is still a code span; a plain one has no padding in the source', () => {
    expect(md.render(`x ${markdownCode('')} y`)).toMatch(/<code> +<\/code>/);
    expect(markdownCode('mx.example.com')).toBe('`mx.example.com`');
    expect(markdownCode('a `b` c')).toBe('``a `b` c``');
    expect(markdownCode('`b')).toBe('`` `b ``');
    expect(markdownCode('b`')).toBe('`` b` ``');
  });
});

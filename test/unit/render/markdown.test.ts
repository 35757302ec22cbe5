import fc from 'fast-check';
import { markdownCode, markdownFence, markdownInline, markdownParagraphs, mermaidLabel, plainText } from '../../../generator/render/markdown';

/** Removes backslash escapes, as a CommonMark renderer shows them. */
const shown = (markdown: string) => markdown.replace(/\\([!-/:-@[-`{-~])/g, '$1');

describe('Markdown escaping', () => {
  it('keeps ordinary text as written', () => {
    expect(markdownParagraphs('Customer portal for outdated, damaged and unused pharmaceutical returns'))
      .toBe('Customer portal for outdated, damaged and unused pharmaceutical returns');
  });

  it('cannot open a code fence, a heading, raw HTML or a comment', () => {
    const hostile = '```\n# Owned\n<!-- the rest of the README disappears\n<img src=x onerror=alert(1)> [click](javascript:alert(1)) &amp; *bold* _x_ | ~~y~~';
    const out = markdownParagraphs(hostile);
    expect(out).not.toMatch(/^```/m);
    expect(out).not.toMatch(/^#/m);
    expect(out).not.toMatch(/(^|[^\\])[<>`[\]*_|~&]/);
    expect(shown(out)).toBe(hostile.replace(/\n/g, ' '));
  });

  it('keeps paragraphs, joins the lines inside one', () => {
    expect(markdownParagraphs('one\ntwo\n\n\n- three')).toBe('one two\n\n\\- three');
  });

  test.each([['# x', '\\# x'], ['> x', '\\> x'], ['- x', '\\- x'], ['+ x', '\\+ x'], ['1. x', '1\\. x'], ['2) x', '2\\) x']])(
    'neutralises the block marker of "%s"', (text, expected) => {
      expect(markdownInline(text)).toBe(expected);
    });

  it('drops bidirectional controls and control characters', () => {
    expect(plainText('admin\u202Enigol\u0007')).toBe('adminnigol');
    expect(markdownInline('a\u2066b\u2069')).toBe('ab');
  });

  it('makes inline code that nothing closes early', () => {
    expect(markdownCode('environment.yaml')).toBe('`environment.yaml`');
    expect(markdownCode('a`b')).toBe('``a`b``');
    expect(markdownCode('`x')).toBe('`` `x ``');
  });

  it('makes a fence longer than any backtick run inside', () => {
    expect(markdownFence('sh', ['echo ok'])).toEqual(['```sh', 'echo ok', '```']);
    expect(markdownFence('sh', ['echo ````'])).toEqual(['`````sh', 'echo ````', '`````']);
  });

  it('holds for any text: one line, no unescaped syntax, shown as written', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 80 }), (text) => {
      const out = markdownInline(text);
      expect(out).not.toContain('\n');
      expect(out).not.toMatch(/(^|[^\\])(\\\\)*[<>`[\]*_|~&]/);
      expect(shown(out)).toBe(plainText(text).replace(/\r?\n/g, ' '));
    }));
  });
});

describe('Mermaid labels', () => {
  it('escapes the quote that would end the label', () => {
    expect(mermaidLabel('/api/"*')).toBe('/api/#quot;*');
    expect(mermaidLabel('<b>#1 & `x`</b>')).toBe('#lt;b#gt;#35;1 #amp; #96;x#96;#lt;/b#gt;');
  });

  it('holds for any text: no quote, no raw HTML, one line', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (text) => {
      expect(mermaidLabel(text)).not.toMatch(/["<>`\n]/);
    }));
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { loadSpecText } from '../../../../generator/spec/load';
import { validateSpec } from '../../../../generator/validate';
import { invisibleTextRule } from '../../../../generator/validate/rules/invisible-text';
import { REPO_ROOT, ruleFindings } from '../../../helpers';

describe('invisibleTextRule', () => {
  test.each([
    ['plain text', { description: 'Returns of unused medicines' }, []],
    ['right-to-left text without controls', { description: 'مرتجعات الأدوية' }, []],
    ['a right-to-left override in the description', { description: 'admin\u202Enigol' }, ['GNT240 description']],
    ['an isolate in a tag value', { tags: { Team: 'shop\u2066x\u2069' } }, ['GNT240 tags.Team']],
    ['a mark in a tag key', { tags: { 'Team\u200F': 'shop' } }, ['GNT240 tags']],
    ['in an override', { environments: { prod: { overrides: { description: '\u202Bx' } } } }, ['GNT240 environments.prod.overrides.description']],
  ])('%s', (_name, fragment, expected) => {
    expect(ruleFindings(invisibleTextRule, fragment)).toEqual(expected);
  });

  it('points at the character itself and names it', () => {
    const base = fs.readFileSync(path.join(REPO_ROOT, 'examples/minimal.yaml'), 'utf8');
    const text = `${base}description: "Returns \u202Efor drivers"\n`;
    const loaded = loadSpecText('environment.yaml', Buffer.from(text));
    if (!loaded.ok) throw new Error('does not load');
    const diagnostics = validateSpec(loaded.spec).diagnostics;
    expect(diagnostics.map((d) => [d.code, d.message, d.position])).toEqual([[
      'GNT240',
      'description: holds an invisible bidirectional control character (U+202E RIGHT-TO-LEFT OVERRIDE): it makes the text display differently from what it says',
      { line: text.split('\n').length - 1, column: 'description: "Returns '.length + 1 },
    ]]);
  });
});

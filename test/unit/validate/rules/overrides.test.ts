import { overridesRule } from '../../../../generator/validate/rules/overrides';
import { ruleFindings } from '../../../helpers';

describe('overridesRule', () => {
  test.each([
    ['overriding an existing tier', { environments: { prod: { overrides: { tiers: { web: { port: 81 } } } } } }, []],
    ['overriding a missing tier', { environments: { prod: { overrides: { tiers: { wbe: { port: 81 } } } } } },
      ['GNT226 environments.prod.overrides.tiers.wbe']],
    ['no overrides', {}, []],
  ])('%s', (_name, fragment, expected) => {
    expect(ruleFindings(overridesRule, fragment)).toEqual(expected);
  });
});

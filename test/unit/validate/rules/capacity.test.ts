import { capacityRule } from '../../../../generator/validate/rules/capacity';
import { ruleFindings } from '../../../helpers';

describe('capacityRule', () => {
  test.each([
    ['defaults are valid', {}, []],
    ['min 0', { tiers: { web: { capacity: { min: 0, max: 2 } } } }, ['GNT201 tiers.web.capacity.min @prod']],
    ['min above max', { tiers: { web: { capacity: { min: 3, max: 2 } } } }, ['GNT201 tiers.web.capacity.min @prod']],
    ['min above the default max takes max along', { tiers: { web: { capacity: { min: 6 } } } }, []],
    ['desired below min', { tiers: { web: { capacity: { min: 2, max: 4, desired: 1 } } } }, ['GNT201 tiers.web.capacity.desired @prod']],
    ['desired above max', { tiers: { web: { capacity: { min: 2, max: 4, desired: 5 } } } }, ['GNT201 tiers.web.capacity.desired @prod']],
    ['desired inside', { tiers: { web: { capacity: { min: 2, max: 4, desired: 3 } } } }, []],
    ['minInService equal to max', { tiers: { web: { capacity: { min: 2, max: 2 }, deploy: { minInService: 2 } } } }, ['GNT201 tiers.web.deploy.minInService @prod']],
    ['minInService default is capped below max', { tiers: { web: { capacity: { min: 2, max: 2 } } } }, []],
    ['batchSize above max', { tiers: { web: { deploy: { batchSize: 5 } } } }, ['GNT201 tiers.web.deploy.batchSize @prod']],
    ['an override breaks it in one environment', {
      environments: { prod: { overrides: { tiers: { api: { capacity: { max: 1 } } } } } },
    }, ['GNT201 tiers.api.capacity.min @prod']],
    ['wrong types are left to the schema', { tiers: { web: { capacity: { min: 'two', max: null } } } }, []],
  ])('%s', (_name, fragment, expected) => {
    // GIVEN the base spec with the fragment WHEN the rule runs THEN exactly these findings
    expect(ruleFindings(capacityRule, fragment)).toEqual(expected);
  });
});

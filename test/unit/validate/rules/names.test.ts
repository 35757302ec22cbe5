import { namesRule, suggestName } from '../../../../generator/validate/rules/names';
import { ruleFindings } from '../../../helpers';

describe('namesRule', () => {
  test.each([
    ['valid names', {}, []],
    ['uppercase tier', { tiers: { Web: {} } }, ['GNT221 tiers.Web']],
    ['underscore environment', { environments: { pre_prod: { account: '123456789012', regions: ['eu-west-1'] } } }, ['GNT221 environments.pre_prod']],
    ['too long', { tiers: { 'a-very-long-tier-name-indeed': {} } }, ['GNT221 tiers.a-very-long-tier-name-indeed']],
    ['trailing hyphen', { tiers: { 'web-': {} } }, ['GNT221 tiers.web-']],
    ['double hyphen', { environments: { 'pre--prod': { account: '123456789012', regions: ['eu-west-1'] } } }, ['GNT221 environments.pre--prod']],
    ['a stack kind as tier name', { tiers: { network: {} } }, ['GNT222 tiers.network']],
  ])('%s', (_name, fragment, expected) => {
    expect(ruleFindings(namesRule, fragment)).toEqual(expected);
  });

  test.each([
    ['Web_Servers', 'web-servers'],
    ['preProd', 'pre-prod'],
    ['1st', 'st'],
    ['web-', 'web'],
    ['ok', undefined],
  ])('suggests %s -> %s', (name, expected) => {
    expect(suggestName(name)).toBe(expected);
  });
});

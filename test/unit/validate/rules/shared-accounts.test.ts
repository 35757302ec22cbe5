import { sharedAccountsRule } from '../../../../generator/validate/rules/shared-accounts';
import { ruleFindings } from '../../../helpers';

const env = (account: string) => ({ account, regions: ['eu-west-1'] });

describe('sharedAccountsRule', () => {
  test.each([
    ['one environment', {}, []],
    ['two environments, two accounts', { environments: { 'prod-eu': env('222222222222') } }, []],
    ['nested names in one account', { environments: { 'prod-eu': env('123456789012') } }, ['GNT232 environments.prod-eu']],
    ['unrelated names in one account', { environments: { production: env('123456789012'), staging: env('123456789012') } }, []],
  ])('%s', (_name, fragment, expected) => {
    expect(ruleFindings(sharedAccountsRule, fragment)).toEqual(expected);
  });
});

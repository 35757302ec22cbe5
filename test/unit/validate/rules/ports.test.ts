import { portsRule } from '../../../../generator/validate/rules/ports';
import { ruleFindings } from '../../../helpers';

describe('portsRule', () => {
  test.each([
    ['the default 80', {}, []],
    ['8080', { tiers: { web: { port: 8080 } } }, []],
    ['SSH', { tiers: { web: { port: 22 } } }, ['GNT224 tiers.web.port @prod']],
    ['RDP', { tiers: { api: { port: 3389 } } }, ['GNT224 tiers.api.port @prod']],
    ['RDP in an override', { environments: { prod: { overrides: { tiers: { web: { port: 3389 } } } } } }, ['GNT224 tiers.web.port @prod']],
  ])('%s', (_name, fragment, expected) => {
    expect(ruleFindings(portsRule, fragment)).toEqual(expected);
  });
});

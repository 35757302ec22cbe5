import { natApprovalRule } from '../../../../generator/validate/rules/nat-approval';
import { ruleFindings } from '../../../helpers';

describe('natApprovalRule', () => {
  test.each([
    ['per-AZ NAT with approval', { environments: { prod: { approval: true } } }, []],
    ['single NAT without approval', { network: { natGateways: 'single' } }, []],
    ['single NAT with approval', { network: { natGateways: 'single' }, environments: { prod: { approval: true } } }, ['GNT228 network.natGateways @prod']],
    ['single NAT in one AZ', { network: { natGateways: 'single', availabilityZones: 1, allowSingleAz: true }, environments: { prod: { approval: true } } }, []],
  ])('%s', (_name, fragment, expected) => {
    expect(ruleFindings(natApprovalRule, fragment)).toEqual(expected);
  });
});

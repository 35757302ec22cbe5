import { regionCidrsRule } from '../../../../generator/validate/rules/region-cidrs';
import { ruleFindings } from '../../../helpers';

describe('regionCidrsRule', () => {
  test.each([
    ['one region', {}, []],
    ['two regions sharing network.cidr overlap', { environments: { prod: { regions: ['eu-west-1', 'us-east-1'] } } },
      ['GNT206 environments.prod.regions[1]']],
    ['a region with its own CIDR', { environments: { prod: { regions: ['eu-west-1', { name: 'us-east-1', cidr: '10.1.0.0/16' }] } } }, []],
    ['a smaller block inside another overlaps', { environments: { prod: { regions: ['eu-west-1', { name: 'us-east-1', cidr: '10.0.128.0/20' }] } } },
      ['GNT206 environments.prod.regions[1]']],
    ['environments may reuse CIDRs', {
      environments: { prod: { regions: ['eu-west-1'] }, preprod: { account: '123456789012', regions: ['eu-west-1'] } },
    }, []],
    ['a repeated region is the regions rule\'s business', { environments: { prod: { regions: ['eu-west-1', 'eu-west-1'] } } }, []],
  ])('%s', (_name, fragment, expected) => {
    expect(ruleFindings(regionCidrsRule, fragment)).toEqual(expected);
  });
});

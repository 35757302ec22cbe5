import { regionsRule } from '../../../../generator/validate/rules/regions';
import { ruleFindings } from '../../../helpers';

describe('regionsRule', () => {
  test.each([
    ['a real region', {}, []],
    ['a typo', { environments: { prod: { regions: ['eu-west1'] } } }, ['GNT207 environments.prod.regions[0]']],
    ['a region entry with a name', { environments: { prod: { regions: [{ name: 'eu-wset-1' }] } } }, ['GNT207 environments.prod.regions[0].name']],
    ['GovCloud', { environments: { prod: { regions: ['us-gov-west-1'] } } }, ['GNT207 environments.prod.regions[0]']],
    ['listed twice', { environments: { prod: { regions: ['eu-west-1', { name: 'eu-west-1', cidr: '10.1.0.0/16' }] } } },
      ['GNT208 environments.prod.regions[1].name']],
    ['more AZs than the region has', { network: { availabilityZones: 4 } }, ['GNT209 network.availabilityZones @prod']],
    ['us-east-1 offers five good ones', { network: { availabilityZones: 5 }, environments: { prod: { regions: ['us-east-1'] } } }, []],
    ['us-east-1 without use1-az3 has no sixth', { network: { availabilityZones: 6 }, environments: { prod: { regions: ['us-east-1'] } } },
      ['GNT209 network.availabilityZones @prod']],
    ['one AZ needs allowSingleAz', { network: { availabilityZones: 1 } }, ['GNT210 network.availabilityZones @prod']],
    ['one AZ allowed', { network: { availabilityZones: 1, allowSingleAz: true } }, []],
    ['a database needs two AZs', { network: { availabilityZones: 1, allowSingleAz: true }, database: { engine: 'postgres', version: '16.13' } },
      ['GNT211 network.availabilityZones @prod']],
  ])('%s', (_name, fragment, expected) => {
    expect(ruleFindings(regionsRule, fragment)).toEqual(expected);
  });
});

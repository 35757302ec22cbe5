import { networkRule } from '../../../../generator/validate/rules/network';
import { ruleFindings } from '../../../helpers';

describe('networkRule', () => {
  test.each([
    ['the default /16', {}, []],
    ['a /24 with 2 AZs fits (4 slots of /28)', { network: { cidr: '10.1.2.0/24' } }, []],
    ['a /24 with 6 AZs has no room', { network: { cidr: '10.1.2.0/24', availabilityZones: 6 } }, ['GNT204 network.cidr @prod']],
    ['a /23 with 6 AZs fits', { network: { cidr: '10.1.2.0/23', availabilityZones: 6 } }, []],
    ['a /8 is too large', { network: { cidr: '10.0.0.0/8' } }, ['GNT202 network.cidr @prod']],
    ['a /25 is too small', { network: { cidr: '10.0.0.0/25' } }, ['GNT202 network.cidr @prod']],
    ['host bits set', { network: { cidr: '10.0.0.1/16' } }, ['GNT203 network.cidr @prod']],
    ['a public range warns', { network: { cidr: '8.8.0.0/16' } }, ['GNT205 network.cidr @prod']],
    ['a region CIDR is checked where it is written', {
      environments: { prod: { regions: [{ name: 'eu-west-1', cidr: '10.9.0.1/16' }] } },
    }, ['GNT203 environments.prod.regions[0].cidr']],
    ['a malformed CIDR is left to the schema', { network: { cidr: '10.0.0/16' } }, []],
  ])('%s', (_name, fragment, expected) => {
    expect(ruleFindings(networkRule, fragment)).toEqual(expected);
  });
});

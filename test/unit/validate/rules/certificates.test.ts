import { certificatesRule } from '../../../../generator/validate/rules/certificates';
import { ruleFindings } from '../../../helpers';

const arn = (region: string, account = '123456789012') => `arn:aws:acm:${region}:${account}:certificate/abc`;
const web = (certificateArn: string) => ({ tiers: { web: { loadBalancer: { certificateArn } } } });

describe('certificatesRule', () => {
  test.each([
    ['same region and account', web(arn('eu-west-1')), []],
    ['another region', web(arn('us-east-1')), ['GNT219 tiers.web.loadBalancer.certificateArn @prod']],
    ['another account', web(arn('eu-west-1', '999999999999')), ['GNT220 tiers.web.loadBalancer.certificateArn @prod']],
    ['a tier in two regions', { ...web(arn('eu-west-1')), environments: { prod: { regions: ['eu-west-1', { name: 'us-east-1', cidr: '10.1.0.0/16' }] } } },
      ['GNT219 tiers.web.loadBalancer.certificateArn @prod']],
    ['set per environment in overrides', {
      environments: {
        prod: { overrides: { tiers: { web: { loadBalancer: { certificateArn: arn('eu-west-1') } } } } },
        dev: { account: '222222222222', regions: ['us-east-1'], overrides: { tiers: { web: { loadBalancer: { certificateArn: arn('us-east-1', '222222222222') } } } } },
      },
    }, []],
  ])('%s', (_name, fragment, expected) => {
    expect(ruleFindings(certificatesRule, fragment)).toEqual(expected);
  });
});

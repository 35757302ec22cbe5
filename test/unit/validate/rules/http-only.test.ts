import { httpOnlyRule } from '../../../../generator/validate/rules/http-only';
import { ruleFindings } from '../../../helpers';

describe('httpOnlyRule', () => {
  test.each([
    ['a public balancer with a certificate', {}, []],
    ['a public balancer with neither', { tiers: { api: { loadBalancer: { public: true } } } }, ['GNT227 tiers.api.loadBalancer @prod']],
    ['an edge issues one', { tiers: { api: { loadBalancer: { public: true } } }, edge: { domain: 'a.example.com', zone: 'example.com' } }, []],
    ['an internal balancer never warns', { tiers: { api: { loadBalancer: { public: false } } } }, []],
  ])('%s', (_name, fragment, expected) => {
    expect(ruleFindings(httpOnlyRule, fragment)).toEqual(expected);
  });
});

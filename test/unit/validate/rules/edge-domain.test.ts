import { edgeDomainRule } from '../../../../generator/validate/rules/edge-domain';
import { ruleFindings } from '../../../helpers';

describe('edgeDomainRule', () => {
  test.each([
    ['a subdomain', 'app.example.com', 'example.com', []],
    ['the apex', 'example.com', 'example.com', []],
    ['a deeper name', 'a.b.example.com', 'example.com', []],
    ['another zone', 'app.example.org', 'example.com', ['GNT218 edge.domain @prod']],
    ['a suffix that is not a label', 'appexample.com', 'example.com', ['GNT218 edge.domain @prod']],
  ])('%s', (_name, domain, zone, expected) => {
    expect(ruleFindings(edgeDomainRule, { edge: { domain, zone } })).toEqual(expected);
  });
});

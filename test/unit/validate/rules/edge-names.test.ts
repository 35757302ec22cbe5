import { buildRuleContext } from '../../../../generator/validate';
import { edgeNamesRule } from '../../../../generator/validate/rules/edge-names';
import { BASE_DOCUMENT, describeFinding } from '../../../helpers';

/** The base document with these sections replaced (environments in the fragment's order). */
const documentOf = (fragment: object) => ({ ...BASE_DOCUMENT, ...fragment });
const ruleFindings = (fragment: object) => edgeNamesRule(buildRuleContext(documentOf(fragment))).map(describeFinding).sort();

const edge = { edge: { domain: 'app.example.com', zone: 'example.com' } };
const twoEnvironments = (preprod: object = {}, prod: object = {}) => ({
  ...edge,
  environments: {
    preprod: { account: '111111111111', regions: ['eu-west-1'], ...preprod },
    prod: { account: '123456789012', regions: ['eu-west-1'], ...prod },
  },
});

describe('edgeNamesRule', () => {
  // GIVEN a spec fragment  WHEN the rule runs  THEN these findings
  test.each([
    ['one environment', edge, []],
    ['two environments sharing edge.domain get their own by default', twoEnvironments(), []],
    ['each names its own', twoEnvironments({ overrides: { edge: { domain: 'preprod.example.com' } } }, { overrides: { edge: { domain: 'www.example.com' } } }), []],
    ['two claim the same one', twoEnvironments({ overrides: { edge: { domain: 'www.example.com' } } }, { overrides: { edge: { domain: 'www.example.com' } } }),
      ['GNT250 edge.domain @preprod', 'GNT250 edge.domain @prod']],
    ['one names what the other inherits', twoEnvironments({ overrides: { edge: { domain: 'app.example.com' } } }),
      ['GNT250 edge.domain @preprod', 'GNT250 edge.domain @prod']],
    ["one's domain is another's origin name", twoEnvironments({ overrides: { edge: { domain: 'web.eu-west-1.app.example.com' } } }),
      ['GNT250 edge.domain @preprod', 'GNT250 edge.domain @prod']],
  ])('%s', (_name, fragment, expected) => {
    expect(ruleFindings(fragment)).toEqual(expected);
  });

  test('the derived names: the last environment keeps edge.domain, earlier ones get <env>.<domain>', () => {
    const context = buildRuleContext(documentOf(twoEnvironments()));
    expect(context.environments.map((e) => [e.name, e.spec.edge?.domain])).toEqual([
      ['preprod', 'preprod.app.example.com'], ['prod', 'app.example.com'],
    ]);
  });

  test('an environment that names its own domain is not counted among those that inherit', () => {
    const context = buildRuleContext(documentOf(twoEnvironments({ overrides: { edge: { domain: 'staging.example.com' } } })));
    expect(context.environments.map((e) => e.spec.edge?.domain)).toEqual(['staging.example.com', 'app.example.com']);
  });
});

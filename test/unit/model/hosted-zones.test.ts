import { buildRuleContext } from '../../../generator/validate';
import { sharedZoneRule } from '../../../generator/validate/rules/edge-domain';
import { BASE_DOCUMENT, describeFinding } from '../../helpers';

/** Each environment's [name, domain, zone, parent zone] after gantry decided them. */
function zones(environments: Record<string, object>, edge: object = { domain: 'app.example.com', zone: 'example.com' }) {
  const context = buildRuleContext({ ...BASE_DOCUMENT, edge, environments });
  return context.environments.map((e) => [e.name, e.spec.edge?.domain, e.spec.edge?.zone, e.spec.edge?.parentZone]);
}

const env = (account: string, extra: object = {}) => ({ account, regions: ['eu-west-1'], ...extra });

describe('withOwnHostedZones: the hosted zone of each environment', () => {
  it('keeps edge.zone for one environment', () => {
    expect(zones({ prod: env('123456789012') })).toEqual([['prod', 'app.example.com', 'example.com', undefined]]);
  });

  it('keeps one zone for environments of one account (one zone serves both)', () => {
    expect(zones({ preprod: env('123456789012'), prod: env('123456789012') })).toEqual([
      ['preprod', 'preprod.app.example.com', 'example.com', undefined],
      ['prod', 'app.example.com', 'example.com', undefined],
    ]);
  });

  it('gives an environment in another account a zone named for its domain, delegated from edge.zone in the last environment\'s account', () => {
    expect(zones({ preprod: env('111111111111'), prod: env('222222222222') })).toEqual([
      ['preprod', 'preprod.app.example.com', 'preprod.app.example.com', { name: 'example.com', account: '222222222222' }],
      ['prod', 'app.example.com', 'example.com', undefined],
    ]);
  });

  it('lets environments in the keeper\'s account share its zone, and gives the others their own', () => {
    expect(zones({ dev: env('111111111111'), staging: env('222222222222'), prod: env('222222222222') })).toEqual([
      ['dev', 'dev.app.example.com', 'dev.app.example.com', { name: 'example.com', account: '222222222222' }],
      ['staging', 'staging.app.example.com', 'example.com', undefined],
      ['prod', 'app.example.com', 'example.com', undefined],
    ]);
  });

  it('uses a zone an environment names in its overrides as written, and does not count it', () => {
    expect(zones({
      preprod: env('111111111111', { overrides: { edge: { domain: 'staging.example.org', zone: 'example.org' } } }),
      prod: env('222222222222'),
    })).toEqual([
      ['preprod', 'staging.example.org', 'example.org', undefined],
      ['prod', 'app.example.com', 'example.com', undefined],
    ]);
  });

  it('compares zone names as DNS does (case, final dot) and writes the own zone in lower case', () => {
    expect(zones({ preprod: env('111111111111'), prod: env('222222222222', { overrides: { edge: { domain: 'App.Example.com' } } }) }, { domain: 'Shop.Example.com', zone: 'Example.com.' })).toEqual([
      ['preprod', 'Shop.Example.com', 'shop.example.com', { name: 'example.com', account: '222222222222' }],
      ['prod', 'App.Example.com', 'Example.com.', undefined],
    ]);
  });
});

describe('sharedZoneRule (GNT251)', () => {
  const findings = (environments: Record<string, object>) => {
    const context = buildRuleContext({ ...BASE_DOCUMENT, edge: { domain: 'app.example.com', zone: 'example.com' }, environments });
    return sharedZoneRule(context).map(describeFinding).sort();
  };

  test.each([
    ['environments that inherit the zone (gantry gives them their own)', { preprod: env('111111111111'), prod: env('222222222222') }, []],
    ['one account, one zone', { preprod: env('123456789012', { overrides: { edge: { zone: 'example.com' } } }), prod: env('123456789012') }, []],
    ['an override names the zone another account uses', { preprod: env('111111111111', { overrides: { edge: { zone: 'example.com' } } }), prod: env('222222222222') },
      ['GNT251 edge.zone @preprod', 'GNT251 edge.zone @prod']],
  ])('%s', (_name, environments, expected) => {
    expect(findings(environments)).toEqual(expected);
  });
});

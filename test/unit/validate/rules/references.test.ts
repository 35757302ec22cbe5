import { referencesRule } from '../../../../generator/validate/rules/references';
import { ruleFindings } from '../../../helpers';

const edge = (api: object) => ({ edge: { domain: 'app.example.com', zone: 'example.com', api } });

describe('referencesRule', () => {
  test.each([
    ['known names', { tiers: { api: { from: ['web'] } }, database: { engine: 'postgres', version: '1', clients: ['api'] } }, []],
    ['unknown database client', { database: { engine: 'postgres', version: '1', clients: ['ap'] } }, ['GNT215 database.clients[0] @prod']],
    ['unknown caller', { tiers: { api: { from: ['wbe'] } } }, ['GNT215 tiers.api.from[0] @prod']],
    ['a tier calling itself', { tiers: { api: { from: ['api'] } } }, ['GNT216 tiers.api.from[0] @prod']],
    ['API tier unknown', edge({ tier: 'nope' }), ['GNT215 edge.api.tier @prod']],
    ['API tier internal (second tier defaults to internal)', edge({ tier: 'api' }), ['GNT217 edge.api.tier @prod']],
    ['API tier public', edge({ tier: 'web' }), []],
    ['API tier made internal in one environment', {
      ...edge({ tier: 'web' }),
      environments: { prod: { overrides: { tiers: { web: { loadBalancer: { public: false } } } } } },
    }, ['GNT217 edge.api.tier @prod']],
    ['an edge with nothing to serve', { edge: { domain: 'a.example.com', zone: 'example.com' }, tiers: { web: { loadBalancer: { public: false } } } }, ['GNT230 edge @prod']],
    ['an edge in front of a public tier', { edge: { domain: 'a.example.com', zone: 'example.com' } }, []],
  ])('%s', (_name, fragment, expected) => {
    expect(ruleFindings(referencesRule, fragment)).toEqual(expected);
  });
});

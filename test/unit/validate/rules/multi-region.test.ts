import { certificatesRule } from '../../../../generator/validate/rules/certificates';
import { multiRegionRule } from '../../../../generator/validate/rules/multi-region';
import { ruleFindings } from '../../../helpers';

const arn = (region: string, account = '123456789012') => `arn:aws:acm:${region}:${account}:certificate/abc`;
const twoRegions = (second: object = {}, first: object = {}) => ({
  tiers: { web: { loadBalancer: { public: true, certificateArn: undefined } } },
  environments: { prod: { regions: [{ name: 'eu-west-1', ...first }, { name: 'eu-central-1', cidr: '10.1.0.0/16', ...second }] } },
});
const withDatabase = (database: object, second: object = {}) => ({ ...twoRegions(second), database: { version: '1', ...database } });

describe('multiRegionRule', () => {
  test.each([
    ['the first region is the primary by default', twoRegions(), []],
    ['an explicit primary elsewhere', twoRegions({ role: 'primary' }, { role: 'standby' }), []],
    ['two primaries', twoRegions({ role: 'primary' }, { role: 'primary' }), ['GNT240 environments.prod.regions[1].role']],
    ['no primary at all', twoRegions({ role: 'standby' }, { role: 'standby' }), ['GNT240 environments.prod.regions[0].role']],
    ['PostgreSQL replicates across regions by default', withDatabase({ engine: 'postgres' }), []],
    ['SQL Server Standard defaults to replicated backups', withDatabase({ engine: 'sqlserver-se' }), []],
    ['SQL Server Standard has no cross-region replica', withDatabase({ engine: 'sqlserver-se', crossRegion: 'replica' }), ['GNT241 database.crossRegion @prod']],
    ['SQL Server Web neither', withDatabase({ engine: 'sqlserver-web', crossRegion: 'replica' }), ['GNT241 database.crossRegion @prod']],
    ['SQL Server Enterprise replicas need Multi-AZ', withDatabase({ engine: 'sqlserver-ee', multiAz: false }), ['GNT242 database.crossRegion @prod']],
    ['Enterprise with Multi-AZ', withDatabase({ engine: 'sqlserver-ee' }), []],
    ['five replicas per source at most', withDatabase({ engine: 'mysql', readReplicas: 5 }), ['GNT243 database.readReplicas @prod']],
    ['backups are fine with any replica count', withDatabase({ engine: 'mysql', readReplicas: 5, crossRegion: 'backups' }), []],
    ['no data in the standby is a warning', withDatabase({ engine: 'postgres', crossRegion: 'none' }), ['GNT244 database.crossRegion @prod']],
    ['backups go to one region only', { ...withDatabase({ engine: 'sqlserver-se' }), environments: { prod: { regions: ['eu-west-1', { name: 'eu-central-1', cidr: '10.1.0.0/16' }, { name: 'eu-west-2', cidr: '10.2.0.0/16' }] } } },
      ['GNT247 database.crossRegion @prod']],
    ['an edge fails over to the first standby only', { edge: { domain: 'app.example.com', zone: 'example.com' }, environments: { prod: { regions: ['eu-west-1', { name: 'eu-central-1', cidr: '10.1.0.0/16' }, { name: 'eu-west-2', cidr: '10.2.0.0/16' }] } } },
      ['GNT248 edge @prod']],
    ['a single region ignores crossRegion', { database: { version: '1', engine: 'sqlserver-se', crossRegion: 'replica' } }, []],
    ['a warm standby', twoRegions({ tiers: { web: { capacity: { min: 1, max: 2 } } } }), []],
    ['an unknown tier', twoRegions({ tiers: { wbe: { capacity: { min: 1 } } } }), ['GNT245 environments.prod.regions[1].tiers.wbe']],
    ['a region min above the tier max', twoRegions({ tiers: { web: { capacity: { min: 6 } } } }), ['GNT246 environments.prod.regions[1].tiers.web.capacity']],
    ['a region desired above its max', twoRegions({ tiers: { web: { capacity: { max: 2, desired: 3 } } } }), ['GNT246 environments.prod.regions[1].tiers.web.capacity']],
  ])('%s', (_name, fragment, expected) => {
    expect(ruleFindings(multiRegionRule, fragment)).toEqual(expected);
  });
});

describe('certificatesRule with per-region certificates', () => {
  const perRegion = (first: string, second: string) => ({
    tiers: { web: { loadBalancer: { public: true, certificateArn: undefined } } },
    environments: { prod: { regions: [
      { name: 'eu-west-1', tiers: { web: { loadBalancer: { certificateArn: first } } } },
      { name: 'eu-central-1', cidr: '10.1.0.0/16', tiers: { web: { loadBalancer: { certificateArn: second } } } },
    ] } },
  });
  test.each([
    ['each region its own', perRegion(arn('eu-west-1'), arn('eu-central-1')), []],
    ['a region given another region\'s', perRegion(arn('eu-west-1'), arn('eu-west-1')), ['GNT219 environments.prod.regions[1].tiers.web.loadBalancer.certificateArn']],
    ['another account', perRegion(arn('eu-west-1'), arn('eu-central-1', '999999999999')), ['GNT220 environments.prod.regions[1].tiers.web.loadBalancer.certificateArn']],
    ['the tier-level one used only where no region overrides it', {
      environments: { prod: { regions: ['eu-west-1', { name: 'eu-central-1', cidr: '10.1.0.0/16', tiers: { web: { loadBalancer: { certificateArn: arn('eu-central-1') } } } }] } },
    }, []],
  ])('%s', (_name, fragment, expected) => {
    expect(ruleFindings(certificatesRule, fragment)).toEqual(expected);
  });
});

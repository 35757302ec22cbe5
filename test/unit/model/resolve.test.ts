import { loadSpecText } from '../../../generator/spec/load';
import { checkLoadedSpec } from '../../../generator/pipeline';
import type { PlatformModel } from '../../../generator/model/types';

function model(yaml: string): PlatformModel {
  const loaded = loadSpecText('spec.yaml', Buffer.from(yaml));
  if (!loaded.ok) throw new Error(loaded.diagnostics[0]?.message);
  const report = checkLoadedSpec(loaded.spec);
  if (!report.model) throw new Error(report.diagnostics.map((d) => d.message).join('\n'));
  return report.model;
}

const MINIMAL = `version: 1
project: shop
github: { repository: acme/shop }
tiers:
  web: {}
  worker: { from: [web] }
environments:
  dev: { account: "111111111111", regions: [eu-west-1] }
  prod: { account: "111111111111", regions: [eu-west-1, { name: us-east-1, cidr: 10.1.0.0/16 }], approval: true }
`;

describe('resolveModel', () => {
  const m = model(MINIMAL);

  it('applies the secure, highly available defaults', () => {
    const region = m.environments[0]!.regions[0]!;
    expect(region.network).toMatchObject({ cidr: '10.0.0.0/16', availabilityZones: 2, natGateways: 'perAz', flowLogs: true, endpoints: ['s3'] });
    expect(region.network.subnets).toHaveLength(6);
    expect(region.tiers[0]).toMatchObject({
      name: 'web', os: 'linux', instanceType: 't3.small', capacity: { min: 2, max: 4, desired: 2 },
      scaling: { metric: 'cpuPercent', target: 60 }, port: 80, healthCheck: '/health',
      loadBalancer: { public: true, tls: 'none' }, imageParameter: '/shop/dev/web/ami',
      deploy: { strategy: 'rolling', batchSize: 1, minInService: 2, timeout: 'PT15M' },
    });
    expect(region.tiers[1]!.loadBalancer.public).toBe(false);
  });

  it('keeps the spec order of environments and regions and names stacks <project>-<env>-<stack>', () => {
    expect(m.environments.map((e) => [e.name, e.order, e.regions.map((r) => [r.region, r.primary, r.network.cidr])])).toEqual([
      ['dev', 0, [['eu-west-1', true, '10.0.0.0/16']]],
      ['prod', 1, [['eu-west-1', true, '10.0.0.0/16'], ['us-east-1', false, '10.1.0.0/16']]],
    ]);
    expect(m.environments[1]!.regions[1]!.stackNames).toEqual({
      notifications: 'shop-prod-notifications', network: 'shop-prod-network', database: 'shop-prod-database',
      tiers: { web: 'shop-prod-web', worker: 'shop-prod-worker' },
    });
    expect(m.environments[1]!.stackNames).toEqual({ bootstrap: 'shop-prod-bootstrap', edge: 'shop-prod-edge', budget: 'shop-prod-budget' });
  });

  it('marks the first environment of a shared account', () => {
    expect(m.environments.map((e) => e.firstInAccount)).toEqual([true, false]);
  });

  it('tags every environment with Project and Environment', () => {
    expect(m.environments[1]!.tags).toEqual({ Environment: 'prod', Project: 'shop' });
  });

  it('is immutable', () => {
    expect(() => {
      (m.environments[0]!.regions[0]!.tiers[0]!.capacity as { min: number }).min = 9;
    }).toThrow(TypeError);
  });

  it('is the same whatever the order of keys inside sections', () => {
    const shuffled = MINIMAL.replace('project: shop\ngithub: { repository: acme/shop }', 'github: { repository: acme/shop }\nproject: shop');
    expect(shuffled).not.toBe(MINIMAL);
    expect(model(shuffled)).toEqual(m);
  });

  it('merges environment overrides: maps merge, lists and values replace', () => {
    const merged = model(`version: 1
project: shop
github: { repository: acme/shop }
network: { endpoints: [s3, ssm] }
tiers:
  web: { capacity: { min: 2, max: 6 } }
environments:
  dev: { account: "111111111111", regions: [eu-west-1] }
  prod:
    account: "111111111111"
    regions: [eu-west-1]
    overrides:
      tiers: { web: { capacity: { max: 8 } } }
      network: { endpoints: [dynamodb] }
`);
    const prod = merged.environments[1]!.regions[0]!;
    expect(prod.tiers[0]!.capacity).toEqual({ min: 2, max: 8, desired: 2 });
    expect(prod.network.endpoints).toEqual(['dynamodb']);
    expect(merged.environments[0]!.regions[0]!.tiers[0]!.capacity).toEqual({ min: 2, max: 6, desired: 2 });
  });

  it('resolves the database port and licence from the engine', () => {
    const withDb = model(`${MINIMAL}database: { engine: sqlserver-se, version: 15.00.4415.2.v1, instanceClass: db.m6i.xlarge }\n`);
    expect(withDb.environments[0]!.regions[0]!.database).toMatchObject({ family: 'sqlserver', port: 1433, licenseModel: 'license-included', clients: ['web', 'worker'] });
  });
});

describe('resolveModel, multi-region', () => {
  const spec = (database: string, regions: string) => `version: 1
project: shop
github: { repository: acme/shop }
tiers:
  web: { capacity: { min: 2, max: 6 } }
database: { engine: ${database}, version: "1", instanceClass: db.m5.large }
environments:
  prod:
    account: "111111111111"
    regions: ${regions}
`;
  const TWO = `[eu-west-1, { name: eu-central-1, cidr: 10.1.0.0/16, tiers: { web: { capacity: { min: 1, max: 2 } } } }]`;

  it('makes the first region the primary and gives a PostgreSQL standby a cross-region replica', () => {
    const environment = model(spec('postgres', TWO)).environments[0]!;
    expect(environment.primaryRegion).toBe('eu-west-1');
    expect(environment.regions.map((r) => [r.region, r.role, r.primary, r.databaseRole, r.database?.crossRegion]))
      .toEqual([['eu-west-1', 'primary', true, 'primary', 'replica'], ['eu-central-1', 'standby', false, 'replica', 'replica']]);
  });

  it('runs the standby warm and small where its entry says, desired and minInService following its min', () => {
    const [primary, standby] = model(spec('postgres', TWO)).environments[0]!.regions;
    expect(primary!.tiers[0]).toMatchObject({ capacity: { min: 2, max: 6, desired: 2 }, deploy: { minInService: 2 } });
    expect(standby!.tiers[0]).toMatchObject({ capacity: { min: 1, max: 2, desired: 1 }, deploy: { minInService: 1 } });
  });

  it('replicates SQL Server Standard by backups, and honours an explicit primary', () => {
    const environment = model(spec('sqlserver-se', '[eu-west-1, { name: eu-central-1, cidr: 10.1.0.0/16, role: primary }]')).environments[0]!;
    expect(environment.primaryRegion).toBe('eu-central-1');
    expect(environment.regions.map((r) => [r.region, r.role, r.databaseRole])).toEqual([['eu-west-1', 'standby', 'backups'], ['eu-central-1', 'primary', 'primary']]);
  });

  it('gives a standby no database when crossRegion is none', () => {
    const environment = model(spec('postgres, crossRegion: none', TWO)).environments[0]!;
    expect(environment.regions.map((r) => [r.databaseRole, r.database === undefined])).toEqual([['primary', false], [undefined, true]]);
  });

  it('uses a region\'s own certificate for its load balancer', () => {
    const environment = model(spec('postgres', `[eu-west-1, { name: eu-central-1, cidr: 10.1.0.0/16, tiers: { web: { loadBalancer: { certificateArn: "arn:aws:acm:eu-central-1:111111111111:certificate/abc" } } } }]`)).environments[0]!;
    expect(environment.regions.map((r) => r.tiers[0]!.loadBalancer)).toEqual([
      { public: true, certificateArn: undefined, tls: 'none' },
      { public: true, certificateArn: 'arn:aws:acm:eu-central-1:111111111111:certificate/abc', tls: 'certificate' },
    ]);
  });
});

import { loadSpecText } from '../../../generator/spec/load';
import { checkLoadedSpec } from '../../../generator/pipeline';
import { regionWaves } from '../../../generator/model/deploy-waves';
import { deployPlan } from '../../../generator/stacks/plan';
import { runCli } from '../../helpers';

function model(text: string) {
  const loaded = loadSpecText('spec.yaml', Buffer.from(text));
  if (!loaded.ok) throw new Error('invalid');
  return checkLoadedSpec(loaded.spec).model!;
}

describe('deployPlan', () => {
  const m = model(`version: 1
project: shop
github: { repository: acme/shop }
tiers:
  web: {}
  api: { from: [web] }
database: { engine: postgres, version: "16.4" }
edge: { domain: app.example.com, zone: example.com }
budget: { monthlyUsd: 100 }
environments:
  prod: { account: "123456789012", regions: [eu-west-1] }
`);
  const prod = m.environments[0]!;

  it('lists a region\'s stacks in deploy order, callees before callers, with the lookups they need', () => {
    expect(deployPlan(m, prod, 'eu-west-1').map((s) => [s.stackName, s.template, s.lookups.map((l) => l.name)])).toEqual([
      ['shop-prod-notifications', 'prod/eu-west-1/notifications.yaml', []],
      ['shop-prod-network', 'prod/eu-west-1/network.yaml', []],
      ['shop-prod-database', 'prod/eu-west-1/database.yaml', []],
      ['shop-prod-api', 'prod/eu-west-1/api.yaml', []],
      ['shop-prod-web', 'prod/eu-west-1/web.yaml', ['HostedZoneId', 'CloudFrontPrefixListId']],
    ]);
  });

  it('puts the budget and the edge in us-east-1', () => {
    expect(deployPlan(m, prod, 'global').map((s) => [s.stackName, s.region, s.lookups])).toEqual([
      ['shop-prod-budget', 'us-east-1', []],
      ['shop-prod-edge', 'us-east-1', [{ name: 'HostedZoneId', lookup: 'hosted-zone-id', zone: 'example.com' }]],
    ]);
  });

  it('is printed by gantry stacks, with paths under --out', async () => {
    const result = await runCli(['stacks', '--spec', 'examples/pharma-portal.yaml', '--environment', 'prod', '--region', 'us-west-2']);
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan).toMatchObject({ environment: 'prod', account: '222222222222', region: 'us-west-2' });
    expect(plan.stacks.map((s: { template: string }) => s.template)).toEqual([
      'output/prod/us-west-2/notifications.yaml', 'output/prod/us-west-2/network.yaml', 'output/prod/us-west-2/database.yaml', 'output/prod/us-west-2/web.yaml',
    ]);
    expect((await runCli(['stacks', '--spec', 'examples/pharma-portal.yaml', '--environment', 'prod', '--region', 'eu-west-1'])).stderr)
      .toMatch(/environment "prod" has no region "eu-west-1"/);
  });
});

describe('deployPlan across regions', () => {
  const spec = (engine: string) => model(`version: 1
project: shop
github: { repository: acme/shop }
tiers:
  web: {}
database: { engine: ${engine}, version: "1", instanceClass: db.m6i.xlarge }
environments:
  prod: { account: "123456789012", regions: [eu-west-1, { name: eu-central-1, cidr: 10.1.0.0/16 }] }
`);
  const databaseLookups = (m: ReturnType<typeof spec>, region: string) =>
    deployPlan(m, m.environments[0]!, region).find((s) => s.stackName === 'shop-prod-database')!.lookups;

  it('gives a standby replica the primary database\'s ARN, and deploys the primary first', () => {
    const m = spec('postgres');
    expect(databaseLookups(m, 'eu-central-1')).toEqual([
      { name: 'SourceDatabaseArn', lookup: 'stack-output', region: 'eu-west-1', stackName: 'shop-prod-database', output: 'DatabaseArn' },
    ]);
    expect(databaseLookups(m, 'eu-west-1')).toEqual([]);
    expect(regionWaves(m.environments[0]!)).toEqual([['eu-west-1'], ['eu-central-1']]);
  });

  it('gives a primary replicating its backups the standby\'s key, and deploys the standby first', () => {
    const m = spec('sqlserver-se');
    expect(databaseLookups(m, 'eu-west-1')).toEqual([
      { name: 'BackupReplicationKeyArn', lookup: 'stack-output', region: 'eu-central-1', stackName: 'shop-prod-database', output: 'KeyArn' },
    ]);
    expect(regionWaves(m.environments[0]!)).toEqual([['eu-central-1'], ['eu-west-1']]);
  });
});

describe('stackOutline', () => {
  test.each(['examples/medical-logistics.yaml', 'examples/pharma-portal.yaml', 'test/specs/mysql-edge-three-tiers.yaml', 'test/specs/no-egress-single-az.yaml'])(
    'names the same stacks in the same order as the built plan for %s', (spec) => {
      const { readSpec } = jest.requireActual('../../../generator/pipeline') as typeof import('../../../generator/pipeline');
      const { stackOutline } = jest.requireActual('../../../generator/stacks/registry') as typeof import('../../../generator/stacks/registry');
      const m = readSpec(require('node:path').join(__dirname, '../../..', spec)).model!;
      for (const environment of m.environments) {
        for (const target of [...environment.regions.map((r) => r.region), 'global']) {
          expect(stackOutline(environment, target).map((s) => s.stackName)).toEqual(deployPlan(m, environment, target).map((s) => s.stackName));
        }
      }
    });
});

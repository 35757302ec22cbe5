import fs from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import type { EnvironmentModel } from '../../../generator/model/types';
import { checkLoadedSpec, readSpec } from '../../../generator/pipeline';
import { loadSpecText } from '../../../generator/spec/load';
import { regionWaves } from '../../../generator/model/deploy-waves';
import { deployPlan, INLINE_TEMPLATE_BYTES } from '../../../generator/stacks/plan';
import { globalStacks, regionStacks } from '../../../generator/stacks/registry';
import { readTree, REPO_ROOT, runCli, sharedTrees, tempDir } from '../../helpers';

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
database: { engine: postgres, version: "16.13" }
edge: { domain: app.example.com, zone: example.com }
budget: { monthlyUsd: 100 }
environments:
  prod: { account: "123456789012", regions: [eu-west-1] }
`);
  const prod = m.environments[0]!;

  it('lists a region\'s stacks in deploy order, callees before callers, with the lookups they need', () => {
    expect(deployPlan(prod, 'eu-west-1', () => 0).map((s) => [s.stackName, s.template, s.lookups.map((l) => l.name)])).toEqual([
      ['shop-prod-notifications', 'prod/eu-west-1/notifications.yaml', []],
      ['shop-prod-network', 'prod/eu-west-1/network.yaml', []],
      // The database's deletion protection is off while its stack is created: a failed create can
      // then roll back. (These deploys need no approval, so the load balancers are not protected.)
      ['shop-prod-database', 'prod/eu-west-1/database.yaml', ['DeletionProtection']],
      ['shop-prod-api', 'prod/eu-west-1/api.yaml', []],
      ['shop-prod-web', 'prod/eu-west-1/web.yaml', ['HostedZoneId', 'CloudFrontPrefixListId', 'OriginHeaderVersion', 'OriginHeaderPreviousVersion']],
    ]);
  });

  it('puts the budget and the edge in us-east-1', () => {
    expect(deployPlan(prod, 'global', () => 0).map((s) => [s.stackName, s.region, s.lookups])).toEqual([
      ['shop-prod-budget', 'us-east-1', []],
      ['shop-prod-edge', 'us-east-1', [
        { name: 'HostedZoneId', lookup: 'hosted-zone-id', zone: 'example.com' },
        // The secret origin header's current version id, which CloudFront sends (origin-secret.ts).
        { name: 'OriginHeaderVersion', lookup: 'secret-version', secretId: 'shop-prod/origin-verify', stage: 'AWSCURRENT' },
      ]],
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

  it('tags every stack as gantry\'s, and says which stacks a deploy of the target deletes once the spec drops them', async () => {
    const tags = [{ Key: 'gantry:project', Value: 'pharma-portal' }, { Key: 'gantry:environment', Value: 'prod' }];
    const stacksOf = async (region: string) => JSON.parse((await runCli(['stacks', '--spec', 'examples/pharma-portal.yaml', '--environment', 'prod', '--region', region])).stdout);
    const [west, east, global] = [await stacksOf('us-west-2'), await stacksOf('us-east-1'), await stacksOf('global')];
    expect(west.stacks.every((s: { tags: unknown }) => JSON.stringify(s.tags) === JSON.stringify(tags))).toBe(true);
    expect(west.removal).toEqual({ prefix: 'pharma-portal-prod-', tags, executionRole: 'arn:aws:iam::222222222222:role/pharma-portal-prod-cfn-exec', keep: [...west.stacks.map((s: { stackName: string }) => s.stackName), 'pharma-portal-prod-bootstrap'].sort() });
    // us-east-1 holds the region's stacks and the global ones: its own target looks after both, and
    // keeps both, so neither target's stacks ever look removed to the other.
    expect(global.removal).toBeUndefined();
    const names = (plan: { stacks: { stackName: string }[] }) => plan.stacks.map((s) => s.stackName);
    expect(east.removal.keep).toEqual([...names(east), ...names(global), 'pharma-portal-prod-bootstrap'].sort());
  });
});

describe('deployPlan, from the stack kinds alone, agrees with the built templates', () => {
  /**
   * The parameters a template leaves to the deploy: those without a value of their own, and
   * DeletionProtection, whose default ('true') serves a deploy by hand and stack sets only.
   */
  const leftToDeploy = (template: Record<string, unknown>) =>
    Object.entries((template.Parameters ?? {}) as Record<string, { Default?: unknown }>).filter(([name, p]) => p.Default === undefined || name === 'DeletionProtection').map(([name]) => name);
  const targets = (environment: EnvironmentModel) => [...environment.regions.map((r) => r.region), 'global'];

  test.each(sharedTrees().map((tree) => [tree.spec, tree]))('%s: the stacks generated, the lookups their parameters call for, uploads by file size', (_spec, tree) => {
    // GIVEN the tree generated from a spec WHEN the plan is made from its model THEN it names exactly the generated templates, and looks up what they leave to the deploy
    const files = readTree(tree.dir);
    const m = readSpec(path.join(REPO_ROOT, tree.spec)).model!;
    for (const environment of m.environments) {
      for (const target of targets(environment)) {
        const plan = deployPlan(environment, target, (t) => Buffer.byteLength(files[t]!));
        const generated = Object.keys(files).filter((f) => f.startsWith(`${environment.name}/${target}/`)).sort();
        expect(plan.map((s) => s.template).sort()).toEqual(generated);
        // (rendered YAML sorts the parameters by name)
        expect(plan.map((s) => [s.template, s.lookups.map((l) => l.name).sort(), s.upload])).toEqual(plan.map((s) => {
          const content = files[s.template]!;
          return [s.template, leftToDeploy(load(content) as Record<string, unknown>).sort(), Buffer.byteLength(content) > INLINE_TEMPLATE_BYTES];
        }));
      }
    }
  });

  // A public tier that is not CloudFront's origin still gets a certificate for the edge's domain.
  const publicNonOrigin = path.join(tempDir(), 'public-non-origin.yaml');
  fs.writeFileSync(publicNonOrigin, `version: 1
project: shop
github: { repository: acme/shop }
tiers:
  web: {}
  admin: { loadBalancer: { public: true } }
edge: { domain: app.example.com, zone: example.com, api: { tier: web } }
environments:
  prod: { account: "123456789012", regions: [eu-west-1] }
`);
  test.each([['a public tier that is not the origin', publicNonOrigin], ['examples/medical-logistics.yaml', path.join(REPO_ROOT, 'examples/medical-logistics.yaml')]])(
    '%s: every built template leaves to the deploy exactly the parameters its kind looks up', (_title, spec) => {
      const m = readSpec(spec).model!;
      for (const environment of m.environments) {
        for (const target of targets(environment)) {
          const region = environment.regions.find((r) => r.region === target);
          const built = target === 'global' ? globalStacks(m, environment) : regionStacks(m, environment, region!);
          // As sets: the deploy fills parameters in by name, in any order.
          expect(built.map((s) => [s.stackName, leftToDeploy(s.template).sort()])).toEqual(built.map((s) => [s.stackName, s.lookups.map((l) => l.name).sort()]));
        }
      }
    });

  it('marks a stack for upload when its template on disk is over the inline limit (gantry stacks)', async () => {
    // GIVEN a generated tree whose web template someone made huge WHEN gantry stacks reads it THEN that stack is uploaded
    const out = tempDir();
    expect((await runCli(['generate', '--spec', 'examples/pharma-portal.yaml', '--out', out, '--workflows', path.join(out, 'wf')])).code).toBe(0);
    fs.appendFileSync(path.join(out, 'prod/us-west-2/web.yaml'), `# ${'x'.repeat(INLINE_TEMPLATE_BYTES)}\n`);
    const result = await runCli(['stacks', '--spec', 'examples/pharma-portal.yaml', '--out', out, '--environment', 'prod', '--region', 'us-west-2']);
    expect(JSON.parse(result.stdout).stacks.map((s: { stackName: string; upload: boolean }) => [s.stackName, s.upload])).toEqual([
      ['pharma-portal-prod-notifications', false], ['pharma-portal-prod-network', false], ['pharma-portal-prod-database', false], ['pharma-portal-prod-web', true],
    ]);
  });
});

describe('deployPlan across regions', () => {
  const spec = (engine: string) => model(`version: 1
project: shop
github: { repository: acme/shop }
tiers:
  web: {}
database: { engine: ${engine}, version: "1", instanceClass: db.m5.large }
environments:
  prod: { account: "123456789012", regions: [eu-west-1, { name: eu-central-1, cidr: 10.1.0.0/16 }] }
`);
  const databaseLookups = (m: ReturnType<typeof spec>, region: string) =>
    deployPlan(m.environments[0]!, region, () => 0).find((s) => s.stackName === 'shop-prod-database')!.lookups;

  it('gives a standby replica the primary database\'s ARN, and deploys the primary first', () => {
    const m = spec('postgres');
    expect(databaseLookups(m, 'eu-central-1')).toEqual([
      { name: 'DeletionProtection', lookup: 'deletion-protection' },
      { name: 'SourceDatabaseArn', lookup: 'stack-output', region: 'eu-west-1', stackName: 'shop-prod-database', output: 'DatabaseArn' },
    ]);
    expect(databaseLookups(m, 'eu-west-1')).toEqual([{ name: 'DeletionProtection', lookup: 'deletion-protection' }]);
    expect(regionWaves(m.environments[0]!)).toEqual([['eu-west-1'], ['eu-central-1']]);
  });

  it('gives a primary replicating its backups the standby\'s key, and deploys the standby first', () => {
    const m = spec('sqlserver-se');
    expect(databaseLookups(m, 'eu-west-1')).toEqual([
      { name: 'DeletionProtection', lookup: 'deletion-protection' },
      { name: 'BackupReplicationKeyArn', lookup: 'stack-output', region: 'eu-central-1', stackName: 'shop-prod-database', output: 'KeyArn' },
    ]);
    // The backups standby keeps no instance to protect.
    expect(databaseLookups(m, 'eu-central-1')).toEqual([]);
    expect(regionWaves(m.environments[0]!)).toEqual([['eu-central-1'], ['eu-west-1']]);
  });
});

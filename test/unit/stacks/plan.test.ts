import fs from 'node:fs';
import path from 'node:path';
import type { EnvironmentModel } from '../../../generator/model/types';
import { checkLoadedSpec, readSpec } from '../../../generator/pipeline';
import { renderTemplate } from '../../../generator/render/yaml';
import { loadSpecText } from '../../../generator/spec/load';
import { deployPlan, INLINE_TEMPLATE_BYTES } from '../../../generator/stacks/plan';
import { globalStacks, regionStacks, stackOutline } from '../../../generator/stacks/registry';
import { REPO_ROOT, runCli, tempDir } from '../../helpers';

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
    expect(deployPlan(prod, 'eu-west-1', () => 0).map((s) => [s.stackName, s.template, s.lookups.map((l) => l.name)])).toEqual([
      ['shop-prod-notifications', 'prod/eu-west-1/notifications.yaml', []],
      ['shop-prod-network', 'prod/eu-west-1/network.yaml', []],
      ['shop-prod-database', 'prod/eu-west-1/database.yaml', []],
      ['shop-prod-api', 'prod/eu-west-1/api.yaml', []],
      ['shop-prod-web', 'prod/eu-west-1/web.yaml', ['HostedZoneId', 'CloudFrontPrefixListId']],
    ]);
  });

  it('puts the budget and the edge in us-east-1', () => {
    expect(deployPlan(prod, 'global', () => 0).map((s) => [s.stackName, s.region, s.lookups])).toEqual([
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

describe('deployPlan, from the model alone, agrees with the built templates', () => {
  const specs = [
    ...fs.readdirSync(path.join(REPO_ROOT, 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => `examples/${f}`),
    ...fs.readdirSync(path.join(REPO_ROOT, 'test/specs')).filter((f) => f.endsWith('.yaml')).map((f) => `test/specs/${f}`),
  ].sort();
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
  specs.push(publicNonOrigin);
  /** What the templates themselves declare: the parameters a deploy must look up. */
  const declaredLookups = (environment: EnvironmentModel, template: Record<string, unknown>) => {
    const parameters = Object.keys((template.Parameters ?? {}) as object);
    return [
      ...(parameters.includes('HostedZoneId') && environment.edge ? [{ name: 'HostedZoneId', lookup: 'hosted-zone-id', zone: environment.edge.zone }] : []),
      ...(parameters.includes('CloudFrontPrefixListId') ? [{ name: 'CloudFrontPrefixListId', lookup: 'cloudfront-prefix-list-id' }] : []),
    ];
  };
  test.each(specs.map((spec) => [spec === publicNonOrigin ? 'a public tier that is not the origin' : spec, spec]))('%s: the same stacks in the same order, the lookups their parameters call for, uploads by rendered size', (_title, spec) => {
    const m = readSpec(path.resolve(REPO_ROOT, spec)).model!;
    for (const environment of m.environments) {
      for (const target of [...environment.regions.map((r) => r.region), 'global']) {
        const region = environment.regions.find((r) => r.region === target);
        const built = target === 'global' ? globalStacks(m, environment) : regionStacks(m, environment, region!);
        const rendered = new Map(built.map((s) => [`${environment.name}/${target}/${s.file}.yaml`, renderTemplate(s.template, m.specFile)]));
        const plan = deployPlan(environment, target, (t) => Buffer.byteLength(rendered.get(t)!));
        expect(plan.map((s) => [s.stackName, s.template, s.lookups, s.upload])).toEqual(built.map((s) => {
          const template = `${environment.name}/${target}/${s.file}.yaml`;
          return [s.stackName, template, declaredLookups(environment, s.template), Buffer.byteLength(rendered.get(template)!) > INLINE_TEMPLATE_BYTES];
        }));
        expect(stackOutline(environment, target).map((s) => s.stackName)).toEqual(plan.map((s) => s.stackName));
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

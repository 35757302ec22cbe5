import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import yaml from 'js-yaml';
import type { Artifact } from '../generator/artifact';
import { buildStackSetsBundle, rolloutOrder, type StackSetsManifest } from '../generator/export/stacksets';
import { validateTemplates } from '../generator/lint/validate-templates';
import type { PlatformModel } from '../generator/model/types';
import { readSpec } from '../generator/pipeline';
import { subnetId } from '../generator/stacks/network';
import { accountAndRegionLiterals } from '../generator/stacks/portable';
import { regionStacks } from '../generator/stacks/registry';
import { REPO_ROOT, runCli, tempDir } from './helpers';
import { nagFindings } from './nag';

type Template = { Parameters?: Record<string, { Default?: unknown }>; Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

const specs = [
  ...fs.readdirSync(path.join(REPO_ROOT, 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => `examples/${f}`),
  ...fs.readdirSync(path.join(REPO_ROOT, 'test/specs')).filter((f) => f.endsWith('.yaml')).map((f) => `test/specs/${f}`),
].sort();

function modelOf(spec: string): PlatformModel {
  const report = readSpec(path.join(REPO_ROOT, spec));
  if (!report.model) throw new Error(`${spec} is invalid`);
  return report.model;
}

/** Every environment of every spec, as its stack sets bundle. */
const bundles = specs.flatMap((spec) => {
  const model = modelOf(spec);
  return model.environments.map((environment) => {
    const files = buildStackSetsBundle(model, environment);
    const file = (p: string) => files.find((f) => f.path === p) as Artifact;
    return {
      name: `${spec} ${environment.name}`, model, environment, files,
      manifest: JSON.parse(file('stacksets.json').content) as StackSetsManifest,
      template: (p: string) => yaml.load(file(p).content) as Template,
    };
  });
});

describe('export --layout stacksets', () => {
  const validateManifest = new Ajv({ allErrors: true }).compile(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schemas/stacksets.schema.json'), 'utf8')));

  it.each(bundles.map((b) => [b.name, b]))('%s: the manifest follows schemas/stacksets.schema.json', (_name, bundle) => {
    expect(validateManifest(bundle.manifest) ? [] : validateManifest.errors).toEqual([]);
  });

  it.each(bundles.map((b) => [b.name, b]))('%s: a stack set per stack, an instance per region, in dependency order', (_name, bundle) => {
    const { environment, manifest } = bundle;
    const regions = environment.regions.map((r) => r.region);
    for (const stackSet of manifest.stackSets) {
      expect(stackSet.deploymentTargets.accounts).toEqual([environment.account]);
      expect(stackSet.instances.map((i) => i.region)).toEqual(stackSet.deploymentTargets.regions);
      // A stack whose template differs by region (a standby's database) is a stack set per variant, named after its region.
      const variantOf = regions.find((r) => stackSet.name.endsWith(`-${r}`));
      expect(stackSet.deploymentTargets.regions).toEqual(['budget', 'edge'].some((g) => stackSet.name.endsWith(`-${g}`)) ? ['us-east-1'] : variantOf ? [variantOf] : regions);
    }
    // each region's stacks keep the order they deploy in one by one
    const names = manifest.stackSets.map((s) => s.name);
    for (const region of environment.regions) {
      const order = regionStacks(bundle.model, environment, region).map((s) => Math.max(names.indexOf(s.stackName), names.indexOf(`${s.stackName}-${region.region}`)));
      expect(order.every((index) => index >= 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
    }
    expect(manifest.administrationRegion).toBe(regions[0]);
  });

  it.each(bundles.map((b) => [b.name, b]))('%s: templates name no account or region, and every parameter has a value', (_name, bundle) => {
    for (const stackSet of bundle.manifest.stackSets) {
      const template = bundle.template(stackSet.template);
      expect(accountAndRegionLiterals(template as unknown as Record<string, unknown>)).toEqual([]);
      const needed = Object.entries(template.Parameters ?? {}).filter(([, p]) => p.Default === undefined).map(([key]) => key).sort();
      const given = [...stackSet.parameters.map((p) => p.ParameterKey), ...stackSet.lookups.map((l) => l.name)].sort();
      expect(given).toEqual(needed);
      for (const instance of stackSet.instances) {
        for (const override of instance.parameterOverrides) expect(needed).toContain(override.ParameterKey);
      }
    }
  });

  it.each(bundles.map((b) => [b.name, b]))('%s: each network instance gets the CIDRs the model carved for its region', (_name, bundle) => {
    const network = bundle.manifest.stackSets.find((s) => s.name.endsWith('-network'))!;
    const portable = bundle.template(network.template);
    for (const instance of network.instances) {
      const region = bundle.environment.regions.find((r) => r.region === instance.region)!;
      const value = (name: string) => (instance.parameterOverrides.find((p) => p.ParameterKey === name) ?? network.parameters.find((p) => p.ParameterKey === name))!.ParameterValue;
      const resolve = (cidr: unknown): unknown => {
        const select = (cidr as { 'Fn::Select'?: [number, { Ref: string }] })['Fn::Select'];
        if (select) return value(select[1].Ref).split(',')[select[0]];
        const ref = (cidr as { Ref?: string }).Ref;
        return ref ? value(ref) : cidr;
      };
      const cidrs = Object.fromEntries(Object.entries(portable.Resources)
        .filter(([, r]) => r.Type === 'AWS::EC2::Subnet' || r.Type === 'AWS::EC2::VPC').map(([id, r]) => [id, resolve(r.Properties?.CidrBlock)]));
      expect(cidrs).toEqual({ Vpc: region.network.cidr, ...Object.fromEntries(region.network.subnets.map((s) => [subnetId(s.kind, s.az), s.cidr])) });
    }
  });

  it('writes the manifest, templates, README and a shellcheck-clean deploy.sh', async () => {
    const out = tempDir();
    const result = await runCli(['export', '--spec', 'examples/medical-logistics.yaml', '--layout', 'stacksets', '--environment', 'prod', '--out', out]);
    expect(result.code).toBe(0);
    const dir = path.join(out, 'prod', 'stacksets');
    const files = fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => !fs.statSync(path.join(dir, f)).isDirectory()).sort();
    expect(files).toEqual([
      '.gantry-manifest.json', 'README.md', 'deploy.sh', 'stacksets.json',
      // The api tier differs by region: the primary's reads the secret its database stack exports, the standby's the primary's by name.
      ...['01-notifications', '02-network', '03-database-af-south-1', '04-api-af-south-1', '05-database-eu-west-1', '06-api-eu-west-1', '07-budget', '08-edge'].map((f) => `templates/${f}.yaml`),
    ]);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'stacksets.json'), 'utf8')) as StackSetsManifest;
    for (const name of ['medlogix-prod-api-af-south-1', 'medlogix-prod-api-eu-west-1']) {
      const api = manifest.stackSets.find((s) => s.name === name)!;
      expect(api.lookups.map((l) => [l.name, l.perRegion])).toEqual([
        ['HostedZoneId', false], ['CloudFrontPrefixListId', true], ['OriginHeaderVersion', true], ['OriginHeaderPreviousVersion', true],
      ]);
    }
    expect(manifest.stackSets.find((s) => s.name === 'medlogix-prod-edge')!.parameters).toEqual([]);
    expect(manifest.stackSets.find((s) => s.name === 'medlogix-prod-database-eu-west-1')!.lookups).toEqual([
      { name: 'SourceDatabaseArn', lookup: 'stack-output', region: 'af-south-1', stackName: 'medlogix-prod-database', stackSet: 'medlogix-prod-database-af-south-1', output: 'DatabaseArn', perRegion: false },
    ]);
    const readme = fs.readFileSync(path.join(dir, 'README.md'), 'utf8');
    expect(readme).toContain('| 2 | `medlogix-prod-network` | [templates/02-network.yaml](templates/02-network.yaml) | af-south-1, eu-west-1 | IsolatedSubnetCidrs, PrivateSubnetCidrs, PublicSubnetCidrs, VpcCidr | AvailabilityZoneIds |');
    expect(readme).toContain('--accounts 444444444444 --regions eu-west-1');
    expect(readme).toContain('--deployment-targets OrganizationalUnitIds=<ou of 444444444444>,Accounts=444444444444,AccountFilterType=INTERSECTION');
    const shellcheck = spawnSync('shellcheck', [path.join(dir, 'deploy.sh')], { encoding: 'utf8' });
    expect(shellcheck.error ? 'shellcheck is not installed' : shellcheck.stdout).toBe('');
    expect(fs.statSync(path.join(dir, 'deploy.sh')).mode & 0o111).not.toBe(0);
  });

  it('adds an instance in a region the spec does not list, on the next free CIDR', async () => {
    const out = tempDir();
    const result = await runCli(['export', '--spec', 'examples/medical-logistics.yaml', '--layout', 'stacksets', '--environment', 'prod', '--region', 'eu-central-1', '--out', out]);
    expect(result.stdout).toContain('VPC CIDR 10.22.0.0/16');
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'prod', 'stacksets', 'stacksets.json'), 'utf8')) as StackSetsManifest;
    const network = manifest.stackSets.find((s) => s.name === 'medlogix-prod-network')!;
    expect(network.deploymentTargets.regions).toEqual(['af-south-1', 'eu-west-1', 'eu-central-1']);
    expect(network.instances[2]!.parameterOverrides.find((p) => p.ParameterKey === 'VpcCidr')!.ParameterValue).toBe('10.22.0.0/16');
  });

  it('makes a stack set per variant where regions need different templates', () => {
    const model = structuredClone(modelOf('examples/medical-logistics.yaml'));
    const prod = model.environments.find((e) => e.name === 'prod')!;
    (prod.regions[1]!.tiers[0] as { instanceType: string }).instanceType = 'm7i.large';
    const manifest = JSON.parse(buildStackSetsBundle(model, prod).find((f) => f.path === 'stacksets.json')!.content) as StackSetsManifest;
    expect(manifest.stackSets.map((s) => `${s.name}@${s.deploymentTargets.regions.join(',')}`)).toEqual([
      'medlogix-prod-notifications@af-south-1,eu-west-1', 'medlogix-prod-network@af-south-1,eu-west-1',
      // the primary database before the standby's cross-region replica of it
      'medlogix-prod-database-af-south-1@af-south-1', 'medlogix-prod-api-af-south-1@af-south-1',
      'medlogix-prod-database-eu-west-1@eu-west-1', 'medlogix-prod-api-eu-west-1@eu-west-1',
      'medlogix-prod-budget@us-east-1', 'medlogix-prod-edge@us-east-1',
    ]);
  });

  it('exports every environment with --all, and needs an environment otherwise', async () => {
    const out = tempDir();
    expect((await runCli(['export', '--spec', 'examples/pharma-portal.yaml', '--layout', 'stacksets', '--all', '--out', out])).code).toBe(0);
    expect(['preprod', 'prod'].map((e) => fs.existsSync(path.join(out, e, 'stacksets', 'stacksets.json')))).toEqual([true, true]);
    const usage = await runCli(['export', '--spec', 'examples/pharma-portal.yaml', '--layout', 'stacksets']);
    expect([usage.code, usage.stderr]).toEqual([2, expect.stringMatching(/name --environment \(and --region to add one\), or give --all/)]);
  });

  it('still takes the layout as --format stacksets, with a deprecation notice on stderr', async () => {
    const out = tempDir();
    const old = await runCli(['export', '--spec', 'examples/pharma-portal.yaml', '--format', 'stacksets', '--environment', 'prod', '--out', out]);
    expect(old.code).toBe(0);
    expect(old.stderr).toBe('gantry: --format stacksets is deprecated for export; use --layout stacksets (--format now says how problems print, as on every command)\n');
    expect(fs.existsSync(path.join(out, 'prod', 'stacksets', 'stacksets.json'))).toBe(true);
  });

  it('orders stack sets so that every region keeps its order', () => {
    expect(rolloutOrder([['a', 'b', 'd'], ['a', 'c', 'd']])).toEqual(['a', 'b', 'c', 'd']);
    expect(rolloutOrder([['x', 'y'], ['z', 'y']])).toEqual(['x', 'z', 'y']);
  });
});

describe('stack set templates', () => {
  const templates: Artifact[] = bundles.flatMap((b) => b.files.filter((f) => f.path.startsWith('templates/')).map((f) => ({ ...f, path: `${b.name}: ${f.path}` })));

  it('place subnets in zones by id, which each instance looks up in its region, never by index', () => {
    const networks = templates.filter((t) => t.path.endsWith('-network.yaml'));
    expect(networks.length).toBeGreaterThan(0);
    for (const network of networks) {
      const template = yaml.load(network.content) as { Parameters: Record<string, { Type: string }>; Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
      expect(network.content).not.toContain('Fn::GetAZs');
      expect(template.Parameters.AvailabilityZoneIds?.Type).toBe('CommaDelimitedList');
      const subnets = Object.values(template.Resources).filter((r) => r.Type === 'AWS::EC2::Subnet');
      expect(subnets.map((s) => s.Properties.AvailabilityZoneId).every((z) => JSON.stringify(z).includes('"Ref":"AvailabilityZoneIds"'))).toBe(true);
    }
    for (const { environment, manifest } of bundles) {
      for (const set of manifest.stackSets.filter((s) => s.name.includes('-network'))) {
        const zones = environment.regions.find((r) => r.region === set.deploymentTargets.regions[0])?.network.availabilityZones;
        expect(set.lookups.filter((l) => l.lookup === 'availability-zone-ids')).toEqual([{ name: 'AvailabilityZoneIds', lookup: 'availability-zone-ids', count: zones, perRegion: true }]);
      }
    }
  });

  it('get no errors and no warnings from AWS\'s CloudFormation validator', () => {
    expect(validateTemplates(templates).map((f) => `${f.file} ${f.ruleId} ${f.logicalId ?? ''}: ${f.message}`)).toEqual([]);
  });

  it('get no unacknowledged cdk-nag AwsSolutions findings', () => {
    expect(nagFindings(templates)).toEqual([]);
  }, 120_000);
});

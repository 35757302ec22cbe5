import type { Artifact } from '../artifact';
import { EDGE_REGION } from '../aws/regions';
import type { EnvironmentModel, PlatformModel } from '../model/types';
import { renderTemplate } from '../render/yaml';
import { INLINE_TEMPLATE_BYTES } from '../stacks/plan';
import { accountAndRegionLiterals, pinStackName } from '../stacks/portable';
import { LOOKUP_PER_REGION, type PortableLookup } from '../stacks/kinds';
import { globalStacks, regionStacks, type BuiltStack } from '../stacks/registry';
import { stackSetsDeployScript } from './stacksets-script';
import { stackSetsReadme } from './stacksets-readme';

export interface Parameter {
  readonly ParameterKey: string;
  readonly ParameterValue: string;
}

/** A parameter the rollout looks up: per region (CloudFront's prefix list) or once (a hosted zone's id). */
export type StackSetLookup =
  | { readonly name: string; readonly lookup: 'hosted-zone-id'; readonly zone: string; readonly perRegion: boolean }
  | { readonly name: string; readonly lookup: 'cloudfront-prefix-list-id'; readonly perRegion: boolean }
  /** The secret origin header's version id in the instance's region (its replica there). */
  | { readonly name: string; readonly lookup: 'secret-version'; readonly secretId: string; readonly stage: 'AWSCURRENT' | 'AWSPREVIOUS'; readonly perRegion: boolean }
  /** What a portable template adds (kinds.ts), always looked up per instance. */
  | (PortableLookup & { readonly perRegion: true })
  /** An output of the environment's stack in another region (rolled out before this stack set). */
  | { readonly name: string; readonly lookup: 'stack-output'; readonly region: string; readonly stackName: string; readonly stackSet: string; readonly output: string; readonly perRegion: boolean };

export interface StackSetInstance {
  readonly account: string;
  readonly region: string;
  /** The values of this instance that differ from the stack set's. */
  readonly parameterOverrides: readonly Parameter[];
  /** For a tier: the SSM parameter its instances read their AMI id from, which must exist first. */
  readonly imageParameter?: string;
}

/** One stack set of the manifest (`stacksets.json`), in rollout order. */
export interface StackSetEntry {
  readonly name: string;
  /** Relative to the bundle. */
  readonly template: string;
  readonly description: string;
  readonly capabilities: readonly string[];
  /** A value for every parameter without a default: the first instance's where instances differ. */
  readonly parameters: readonly Parameter[];
  readonly lookups: readonly StackSetLookup[];
  /** Over CloudFormation's inline limit: the rollout uploads it to TEMPLATE_BUCKET. */
  readonly upload: boolean;
  readonly deploymentTargets: { readonly accounts: readonly string[]; readonly regions: readonly string[] };
  readonly instances: readonly StackSetInstance[];
}

export interface StackSetsManifest {
  readonly project: string;
  readonly environment: string;
  /** Where the stack sets are created (StackSets is regional): the environment's first region. */
  readonly administrationRegion: string;
  readonly stackSets: readonly StackSetEntry[];
}

interface Placed {
  readonly stack: BuiltStack;
  readonly region: string;
  readonly rendered: string;
  readonly imageParameter?: string;
}

/**
 * An environment as CloudFormation StackSets: templates that name no account or region (what
 * differs between regions is a parameter each stack instance sets), a manifest of stack sets in
 * dependency order with their deployment targets, a deploy.sh that rolls them out with the
 * SELF_MANAGED or SERVICE_MANAGED permission model, and a README with the calls it makes.
 *
 * A stack whose template is the same in every region becomes one stack set with an instance per
 * region. Where the spec's per-region overrides make a stack's templates differ (another instance
 * type, another AZ count), each variant is its own stack set, named after its first region.
 */
export function buildStackSetsBundle(model: PlatformModel, environment: EnvironmentModel): Artifact[] {
  const placedByRegion = environment.regions.map((region) =>
    regionStacks(model, environment, region, { portable: true }).map((stack) => place(model, stack, region.region,
      region.tiers.find((t) => region.stackNames.tiers[t.name] === stack.stackName)?.imageParameter)));
  const global = globalStacks(model, environment, { portable: true }).map((stack) => place(model, stack, EDGE_REGION));

  const groups = new Map<string, Placed[]>();
  const key = (p: Placed) => `${p.stack.file}\n${p.rendered}`;
  for (const placed of [...placedByRegion.flat(), ...global]) groups.set(key(placed), [...(groups.get(key(placed)) ?? []), placed]);
  const variants = new Map<string, number>();
  for (const members of groups.values()) variants.set(members[0]!.stack.file, (variants.get(members[0]!.stack.file) ?? 0) + 1);

  // The us-east-1 stacks go last, as they do in the workflows: the budget alerts the first region's topic.
  const order = [...rolloutOrder(placedByRegion.map((sequence) => sequence.map(key))), ...global.map(key)];
  const files: Artifact[] = [];
  const stackSets = order.map((groupKey, index): StackSetEntry => {
    const members = groups.get(groupKey) as Placed[];
    const first = members[0] as Placed;
    const name = (variants.get(first.stack.file) ?? 1) > 1 ? `${first.stack.stackName}-${first.region}` : first.stack.stackName;
    const template = `templates/${String(index + 1).padStart(2, '0')}-${name.slice(model.project.length + environment.name.length + 2)}.yaml`;
    files.push({ path: template, content: first.rendered });
    return stackSetEntry(environment, name, template, members);
  });

  const manifest: StackSetsManifest = {
    project: model.project,
    environment: environment.name,
    administrationRegion: environment.regions[0]?.region ?? EDGE_REGION,
    stackSets,
  };
  files.push({ path: 'stacksets.json', content: `${JSON.stringify(manifest, null, 2)}\n` });
  files.push({ path: 'deploy.sh', content: stackSetsDeployScript(model) });
  files.push({ path: 'README.md', content: stackSetsReadme(model, environment, manifest) });
  return files;
}

function place(model: PlatformModel, stack: BuiltStack, region: string, imageParameter?: string): Placed {
  const template = pinStackName(stack.template, stack.stackName);
  const literals = accountAndRegionLiterals(template);
  if (literals.length > 0) throw new Error(`gantry bug: the stack set template of ${stack.stackName} names an account or region: ${literals.join('; ')}`);
  return { stack: { ...stack, template }, region, rendered: renderTemplate(template, model.specFile), ...(imageParameter ? { imageParameter } : {}) };
}

function stackSetEntry(environment: EnvironmentModel, name: string, template: string, members: readonly Placed[]): StackSetEntry {
  const first = members[0] as Placed;
  const body = first.stack.template;
  const names = Object.keys(first.stack.instanceValues).sort();
  const differs = new Set(names.filter((n) => members.some((m) => m.stack.instanceValues[n] !== first.stack.instanceValues[n])));
  // What the deploy plan looks up (kinds.ts); a stack set instance's stack is StackSet-<set>-<id>,
  // so the rollout finds another stack's output through the source variant's stack set.
  // Deletion protection is not looked up: StackSets creates the instances' stacks, so the
  // template's default (protected) applies, as before.
  const lookups = first.stack.lookups.filter((lookup) => lookup.lookup !== 'deletion-protection').map((lookup): StackSetLookup => {
    switch (lookup.lookup) {
      case 'stack-output':
        return { name: lookup.name, lookup: lookup.lookup, region: lookup.region, stackName: lookup.stackName, stackSet: `${lookup.stackName}-${lookup.region}`, output: lookup.output, perRegion: LOOKUP_PER_REGION[lookup.lookup] };
      case 'hosted-zone-id':
        return { ...lookup, perRegion: LOOKUP_PER_REGION[lookup.lookup] };
      case 'cloudfront-prefix-list-id':
        return { ...lookup, perRegion: LOOKUP_PER_REGION[lookup.lookup] };
      case 'secret-version':
        return { ...lookup, perRegion: LOOKUP_PER_REGION[lookup.lookup] };
    }
  });
  // What a portable template cannot state itself (a network's zones by id): looked up in each
  // instance's region, as its kind declares (kinds.ts).
  for (const lookup of first.stack.portableLookups) {
    if (!(body.Parameters as Record<string, unknown> | undefined)?.[lookup.name]) throw new Error(`gantry bug: the stack set template of ${name} does not declare ${lookup.name}, which its kind looks up`);
    lookups.push({ ...lookup, perRegion: true });
  }
  return {
    name,
    template,
    description: String(body.Description ?? name),
    capabilities: capabilitiesOf(body),
    parameters: names.map((n) => ({ ParameterKey: n, ParameterValue: first.stack.instanceValues[n] as string })),
    lookups,
    upload: Buffer.byteLength(first.rendered) > INLINE_TEMPLATE_BYTES,
    deploymentTargets: { accounts: [environment.account], regions: members.map((m) => m.region) },
    instances: members.map((m) => ({
      account: environment.account,
      region: m.region,
      parameterOverrides: names.filter((n) => differs.has(n)).map((n) => ({ ParameterKey: n, ParameterValue: m.stack.instanceValues[n] as string })),
      ...(m.imageParameter ? { imageParameter: m.imageParameter } : {}),
    })),
  };
}

/** What CloudFormation must be told a template does with IAM: create roles, or name them too. */
function capabilitiesOf(template: Record<string, unknown>): string[] {
  const resources = Object.values((template.Resources ?? {}) as Record<string, { Type?: string; Properties?: Record<string, unknown> }>);
  const iam = resources.filter((r) => r.Type?.startsWith('AWS::IAM::'));
  if (iam.some((r) => ['RoleName', 'UserName', 'GroupName', 'ManagedPolicyName', 'InstanceProfileName'].some((p) => r.Properties?.[p] !== undefined))) return ['CAPABILITY_NAMED_IAM'];
  return iam.length > 0 ? ['CAPABILITY_IAM'] : [];
}

/**
 * One order for all stack sets that keeps every region's deploy order (each region lists its
 * stacks so that a stack comes after those it imports from): a stable topological merge, ties
 * broken by first appearance.
 */
export function rolloutOrder(sequences: readonly (readonly string[])[]): string[] {
  const before = new Map<string, Set<string>>();
  const seen: string[] = [];
  for (const sequence of sequences) {
    sequence.forEach((item, i) => {
      if (!before.has(item)) {
        before.set(item, new Set());
        seen.push(item);
      }
      for (const earlier of sequence.slice(0, i)) if (earlier !== item) before.get(item)!.add(earlier);
    });
  }
  const ordered: string[] = [];
  const placed = new Set<string>();
  while (ordered.length < seen.length) {
    const next = seen.find((item) => !placed.has(item) && [...before.get(item)!].every((b) => placed.has(b)))
      // Regions never order two stacks both ways; should they, fall back to first appearance.
      ?? seen.find((item) => !placed.has(item)) as string;
    ordered.push(next);
    placed.add(next);
  }
  return ordered;
}

import type { Artifact } from '../artifact';
import type { EnvironmentModel, PlatformModel, RegionModel, TierModel } from '../model/types';
import { renderTemplate } from '../render/yaml';
import { buildBootstrapTemplate } from './bootstrap';
import { buildBudgetTemplate } from './budget';
import { buildDatabaseTemplate } from './database';
import { buildEdgeTemplate } from './edge';
import { applyPermissionsBoundary } from './execution-role';
import { InstanceValues } from './instance-values';
import { buildNetworkTemplate } from './network';
import { buildNotificationsTemplate } from './notifications';
import { buildTierTemplate } from './tier';

/** One stack of a region: its file name (without .yaml), its stack name, and its template. */
export interface BuiltStack {
  readonly file: string;
  readonly stackName: string;
  readonly template: Record<string, unknown>;
  /** A portable template's parameters that this stack instance sets (empty otherwise). */
  readonly instanceValues: Readonly<Record<string, string>>;
}

/**
 * How to build: `portable` templates name no region or account, for stack sets (what differs
 * between instances becomes a parameter); otherwise each template is for its own region.
 */
export interface BuildOptions {
  readonly portable: boolean;
}
const FOR_ONE_REGION: BuildOptions = { portable: false };

type RegionalBuilder = (model: PlatformModel, environment: EnvironmentModel, region: RegionModel, options: BuildOptions) => BuiltStack[];

/** Builds one stack with the instance values its options call for; none when the template is undefined. */
function built(file: string, stackName: string, options: BuildOptions, build: (values: InstanceValues) => Record<string, unknown> | undefined): BuiltStack[] {
  const values = new InstanceValues(options.portable);
  const template = build(values);
  return template ? [{ file, stackName, template, instanceValues: values.values }] : [];
}

/**
 * The stacks of a region, in the order they deploy: each may import the outputs of those before
 * it. An explicit, ordered list, as copilot's template partials are, so output never depends on
 * discovery order.
 */
export const REGIONAL_STACKS: readonly RegionalBuilder[] = [
  (model, environment, region, options) => built('notifications', region.stackNames.notifications, options, (values) => buildNotificationsTemplate(model, environment, region, values)),
  (_model, environment, region, options) => built('network', region.stackNames.network, options, (values) => buildNetworkTemplate(environment, region, values)),
  (_model, environment, region, options) => built('database', region.stackNames.database, options, (values) => buildDatabaseTemplate(environment, region, values)),
  (_model, environment, region, options) => tiersInDeployOrder(region.tiers).flatMap((tier) =>
    built(tier.name, region.stackNames.tiers[tier.name] as string, options, (values) => buildTierTemplate(environment, region, tier, values))),
];

/**
 * Tiers so that every tier deploys after the tiers it calls (a caller's instances import the
 * callee's caller security group). Among independent tiers, the spec's order.
 */
export function tiersInDeployOrder(tiers: readonly TierModel[]): TierModel[] {
  const ordered: TierModel[] = [];
  const placed = new Set<string>();
  const pending = [...tiers];
  while (pending.length > 0) {
    const next = pending.findIndex((candidate) =>
      tiers.every((callee) => !callee.from.includes(candidate.name) || placed.has(callee.name) || callee.name === candidate.name));
    // Validation rejects call cycles; fall back to spec order rather than loop if one slips through.
    const [tier] = pending.splice(next >= 0 ? next : 0, 1) as [TierModel];
    ordered.push(tier);
    placed.add(tier.name);
  }
  return ordered;
}

/** A stack's place in the deploy order, known from the model alone (nothing is built). */
export interface StackOutline {
  readonly file: string;
  readonly stackName: string;
  /** For a tier's stack. */
  readonly tier?: string;
}

/**
 * The stacks of a region ('global': the environment's us-east-1 stacks) in deploy order, without
 * building them: for the README and the workflows, which need names and order, not templates.
 * It follows REGIONAL_STACKS and globalStacks; a test keeps the three in step.
 */
export function stackOutline(environment: EnvironmentModel, target: string): StackOutline[] {
  if (target === 'global') {
    return [
      ...(environment.budget ? [{ file: 'budget', stackName: environment.stackNames.budget }] : []),
      ...(environment.edge ? [{ file: 'edge', stackName: environment.stackNames.edge }] : []),
    ];
  }
  const region = environment.regions.find((r) => r.region === target);
  if (!region) return [];
  return [
    { file: 'notifications', stackName: region.stackNames.notifications },
    { file: 'network', stackName: region.stackNames.network },
    ...(region.database ? [{ file: 'database', stackName: region.stackNames.database }] : []),
    ...tiersInDeployOrder(region.tiers).map((tier) => ({ file: tier.name, stackName: region.stackNames.tiers[tier.name] as string, tier: tier.name })),
  ];
}

/** Every stack of a region, in deploy order. */
export function regionStacks(model: PlatformModel, environment: EnvironmentModel, region: RegionModel, options = FOR_ONE_REGION): BuiltStack[] {
  return withBoundary(model, environment, REGIONAL_STACKS.flatMap((build) => build(model, environment, region, options)));
}

/** Every role these stacks create carries the boundary the bootstrap defines (the execution role may create no other). */
function withBoundary(model: PlatformModel, environment: EnvironmentModel, stacks: BuiltStack[]): BuiltStack[] {
  for (const stack of stacks) applyPermissionsBoundary(stack.template, `${model.project}-${environment.name}`);
  return stacks;
}

/**
 * Stacks deployed once per environment in us-east-1 (`EDGE_REGION`), whatever its regions: the
 * budget (AWS Budgets lives there) and the edge (CloudFront's certificates and web ACLs must).
 */
export function globalStacks(model: PlatformModel, environment: EnvironmentModel, options = FOR_ONE_REGION): BuiltStack[] {
  return withBoundary(model, environment, [
    ...built('budget', environment.stackNames.budget, options, (values) => buildBudgetTemplate(model, environment, values)),
    ...built('edge', environment.stackNames.edge, options, (values) => buildEdgeTemplate(model, environment, values)),
  ]);
}

/** Every template of the platform, sorted by path: `<env>/<region>/<stack>.yaml`. */
export function buildTemplates(model: PlatformModel): Artifact[] {
  const artifacts: Artifact[] = [];
  for (const environment of model.environments) {
    artifacts.push({ path: `${environment.name}/bootstrap.yaml`, content: renderTemplate(buildBootstrapTemplate(model, environment), model.specFile) });
    for (const stack of globalStacks(model, environment)) {
      artifacts.push({ path: `${environment.name}/global/${stack.file}.yaml`, content: renderTemplate(stack.template, model.specFile) });
    }
    for (const region of environment.regions) {
      for (const stack of regionStacks(model, environment, region)) {
        artifacts.push({ path: `${environment.name}/${region.region}/${stack.file}.yaml`, content: renderTemplate(stack.template, model.specFile) });
      }
    }
  }
  return artifacts.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

import type { Artifact } from '../artifact';
import type { EnvironmentModel, PlatformModel, RegionModel } from '../model/types';
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
import { tiersInDeployOrder } from './outline';

// The outline (names and order, from the model alone) lives in a module without aws-cdk-lib.
export { stackOutline, tiersInDeployOrder, type StackOutline } from './outline';

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

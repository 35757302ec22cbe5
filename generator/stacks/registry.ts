import type { Artifact } from '../artifact';
import type { EnvironmentModel, PlatformModel, RegionModel } from '../model/types';
import { renderTemplate } from '../render/yaml';
import { buildBootstrapTemplate } from './bootstrap';
import { checkCrossStackReferences } from './cross-stack';
import { applyPermissionsBoundary } from './execution-role';
import { InstanceValues } from './instance-values';
import { stackOutline, type ParameterLookup, type PortableLookup, type StackKindName } from './kinds';

/** One stack of a region: its file name (without .yaml), its stack name, and its template. */
export interface BuiltStack {
  readonly kind: StackKindName;
  readonly file: string;
  readonly stackName: string;
  readonly template: Record<string, unknown>;
  /** A portable template's parameters that this stack instance sets (empty otherwise). */
  readonly instanceValues: Readonly<Record<string, string>>;
  /** The parameters a deploy looks up (kinds.ts). */
  readonly lookups: readonly ParameterLookup[];
  /** A portable template's parameters that its rollout looks up per instance (kinds.ts; empty otherwise). */
  readonly portableLookups: readonly PortableLookup[];
}

/**
 * How to build: `portable` templates name no region or account, for stack sets (what differs
 * between instances becomes a parameter); otherwise each template is for its own region.
 */
export interface BuildOptions {
  readonly portable: boolean;
}
const FOR_ONE_REGION: BuildOptions = { portable: false };

/** Builds the stacks of the outline of a region or of 'global', in deploy order (kinds.ts). */
function buildTarget(model: PlatformModel, environment: EnvironmentModel, target: string, options: BuildOptions): BuiltStack[] {
  const outline = stackOutline(environment, target);
  return outline.map((stack) => {
    const values = new InstanceValues(options.portable);
    const template = stack.kind.builder()(model, stack.place, values);
    if (!template) throw new Error(`gantry bug: the ${stack.kind.kind} builder made no template for ${stack.stackName}, which the outline lists`);
    checkCrossStackReferences(stack, template, outline);
    // Every role these stacks create carries the boundary the bootstrap defines (the execution role may create no other).
    applyPermissionsBoundary(template, `${model.project}-${environment.name}`);
    return { kind: stack.kind.kind, file: stack.file, stackName: stack.stackName, template, instanceValues: values.values, lookups: stack.lookups,
      portableLookups: options.portable ? stack.kind.portableLookups(stack.place) : [] };
  });
}

/** Every stack of a region, in deploy order: each may import the outputs of those before it. */
export function regionStacks(model: PlatformModel, environment: EnvironmentModel, region: RegionModel, options = FOR_ONE_REGION): BuiltStack[] {
  return buildTarget(model, environment, region.region, options);
}

/**
 * Stacks deployed once per environment in us-east-1 (`EDGE_REGION`), whatever its regions: the
 * budget (AWS Budgets lives there) and the edge (CloudFront's certificates and web ACLs must).
 */
export function globalStacks(model: PlatformModel, environment: EnvironmentModel, options = FOR_ONE_REGION): BuiltStack[] {
  return buildTarget(model, environment, 'global', options);
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

import type { EnvironmentModel, PlatformModel } from '../model/types';
import { renderTemplate } from '../render/yaml';
import { globalStacks, regionStacks } from './registry';

/**
 * The size of each rendered template of one environment and region ('global' for its us-east-1
 * stacks), by path relative to the output folder, by building them: for a deploy plan when the
 * templates are not on disk yet.
 */
export function builtTemplateBytes(model: PlatformModel, environment: EnvironmentModel, target: string): Map<string, number> {
  const region = environment.regions.find((r) => r.region === target);
  const stacks = target === 'global' ? globalStacks(model, environment) : region ? regionStacks(model, environment, region) : [];
  return new Map(stacks.map((stack) => [`${environment.name}/${target}/${stack.file}.yaml`, Buffer.byteLength(renderTemplate(stack.template, model.specFile))]));
}

import type { Artifact } from '../artifact';
import type { EnvironmentModel, PlatformModel, RegionModel } from '../model/types';
import { renderTemplate } from '../render/yaml';
import { buildDatabaseTemplate } from './database';
import { buildNetworkTemplate } from './network';


/** A stack kind deployed once per environment and region, in deploy order. */
interface RegionalStack {
  readonly kind: string;
  readonly build: (environment: EnvironmentModel, region: RegionModel) => Record<string, unknown> | undefined;
}

/**
 * The stacks of a region, in the order they deploy (each may import the outputs of those before it).
 * An explicit, ordered list, as copilot's template partials are: output never depends on discovery order.
 */
export const REGIONAL_STACKS: readonly RegionalStack[] = [
  { kind: 'network', build: buildNetworkTemplate },
  { kind: 'database', build: buildDatabaseTemplate },
];

/** Every template of the platform, sorted by path: `<env>/<region>/<stack>.yaml`. */
export function buildTemplates(model: PlatformModel): Artifact[] {
  const artifacts: Artifact[] = [];
  for (const environment of model.environments) {
    for (const region of environment.regions) {
      for (const stack of REGIONAL_STACKS) {
        const template = stack.build(environment, region);
        if (template) {
          artifacts.push({ path: `${environment.name}/${region.region}/${stack.kind}.yaml`, content: renderTemplate(template, model.specFile) });
        }
      }
    }
  }
  return artifacts.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

import type { LoadedSpec } from '../spec/load';
import { isPlainObject } from '../spec/path';
import type { EnvironmentModel } from '../model/types';
import { nextFreeBlock, parseCidr, type Cidr } from '../util/cidr';

/**
 * The spec with one more region for an environment (rolling out to a region it does not list
 * yet): the environment's settings, and the CIDR given or the next block, of the size of its first
 * region's, that overlaps none of its regions. The result is validated like any spec.
 */
export function withNewRegion(spec: LoadedSpec, environment: EnvironmentModel, region: string, cidr?: string): { spec: LoadedSpec; cidr: string } | { error: string } {
  const taken = environment.regions.map((r) => parseCidr(r.network.cidr)).filter((c): c is Cidr => !!c);
  const like = taken[0];
  const chosen = cidr ?? (like ? nextFreeBlock(like, taken) : undefined);
  if (!chosen) return { error: `no free private CIDR of the size of ${environment.regions[0]?.network.cidr} is left; give one with --cidr` };
  const data = structuredClone(spec.data);
  const environments = data.environments;
  const target = isPlainObject(environments) ? environments[environment.name] : undefined;
  if (!isPlainObject(target) || !Array.isArray(target.regions)) return { error: `environment ${environment.name} has no regions list` };
  target.regions = [...(target.regions as unknown[]), { name: region, cidr: chosen }];
  return { spec: { ...spec, data }, cidr: chosen };
}

import type { EnvironmentModel } from './types';

/**
 * The regions of one environment in the order their stacks can deploy: groups that deploy in
 * parallel, one after another. Regions are independent, except where a database stack reads
 * another region's output: a standby's cross-region replica needs the primary's ARN (primary
 * first), and a primary replicating its backups needs the standby's key (standby first).
 */
export function regionWaves(environment: EnvironmentModel): string[][] {
  const primary = environment.regions.filter((r) => r.primary).map((r) => r.region);
  const standbys = environment.regions.filter((r) => !r.primary);
  const standbyRegions = standbys.map((r) => r.region);
  if (standbys.some((r) => r.databaseRole === 'replica')) return [primary, standbyRegions];
  if (standbys.some((r) => r.databaseRole === 'backups')) return [standbyRegions, primary];
  return [environment.regions.map((r) => r.region)];
}

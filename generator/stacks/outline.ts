import type { EnvironmentModel, TierModel } from '../model/types';

// What the stacks of a region are called and in which order they deploy, from the model alone:
// nothing here builds a template or loads aws-cdk-lib, so `gantry stacks`, the README and the
// workflows can ask without paying for a build.

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
 * It follows REGIONAL_STACKS and globalStacks (registry.ts); a test keeps the three in step.
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

import type { EnvironmentModel, RegionModel, TierModel } from '../model/types';
import { EDGE_REGION } from '../aws/regions';
import { stackOutline } from './outline';

/** CloudFormation's limit for a template passed inline; larger ones go through the artifacts bucket. */
export const INLINE_TEMPLATE_BYTES = 51_200;

/**
 * A parameter a deploy fills in by looking something up in the account, because it cannot be known
 * when gantry generates: a hosted zone's id (by name), or the region's CloudFront prefix list id.
 */
export type ParameterLookup =
  | { readonly name: string; readonly lookup: 'hosted-zone-id'; readonly zone: string }
  | { readonly name: string; readonly lookup: 'cloudfront-prefix-list-id' }
  /** An output of a stack in another region of the environment (which deploys first). */
  | { readonly name: string; readonly lookup: 'stack-output'; readonly region: string; readonly stackName: string; readonly output: string }
  /**
   * 'false' for the change set that creates the stack, 'true' for every later one: deletion
   * protection from the first successful deploy on, which then updates the stack at once
   * (deletion-protection.ts says why).
   */
  | { readonly name: string; readonly lookup: 'deletion-protection' };

/** One stack to deploy: what the workflows (and people) need to run `aws cloudformation deploy`. */
export interface StackDeployment {
  readonly stackName: string;
  readonly region: string;
  /** Relative to the output folder. */
  readonly template: string;
  readonly lookups: readonly ParameterLookup[];
  /** The template is over the inline limit and must be uploaded to the artifacts bucket first. */
  readonly upload: boolean;
  /** For a tier's stack: the tier, and the SSM parameter its AMI id is read from (releases write it). */
  readonly tier?: string;
  readonly imageParameter?: string;
}

/**
 * The stacks of one environment and region ('global' for its us-east-1 stacks), in deploy order,
 * from the model alone: aws-cdk-lib is not loaded. `templateBytes` gives the size of a rendered
 * template (path relative to the output folder): whether it must be uploaded depends on it.
 */
export function deployPlan(environment: EnvironmentModel, region: string, templateBytes: (template: string) => number): StackDeployment[] {
  const regionModel = environment.regions.find((r) => r.region === region);
  return stackOutline(environment, region).map((stack) => {
    const template = `${environment.name}/${region}/${stack.file}.yaml`;
    const tier = stack.tier === undefined ? undefined : regionModel?.tiers.find((t) => t.name === stack.tier);
    return {
      stackName: stack.stackName, region: region === 'global' ? EDGE_REGION : region, template,
      lookups: parameterLookups(environment, stack.file, tier, regionModel), upload: templateBytes(template) > INLINE_TEMPLATE_BYTES,
      ...(tier ? { tier: tier.name, imageParameter: tier.imageParameter } : {}),
    };
  });
}

/**
 * The parameters of a stack that a deploy looks up: the edge's hosted zone, for the edge stack
 * and for a tier whose load balancer gets a certificate for the edge's domain (tls: edge, or
 * CloudFront's origin), CloudFront's origin-facing prefix list for the origin tier, and the
 * deletion protection of protected load balancers and DB instances. The
 * builders declare these parameters (edge.yaml; tier.ts); a test checks both agree on every spec.
 */
export function parameterLookups(environment: EnvironmentModel, file: string, tier: TierModel | undefined, region?: RegionModel): ParameterLookup[] {
  if (file === 'database' && !tier) {
    if (!region) return [];
    const protect = region.database?.deletionProtection === true && region.databaseRole !== 'backups';
    return [...crossRegionLookups(environment, region), ...(protect ? [PROTECTION] : [])];
  }
  const edge = environment.edge;
  const zone: ParameterLookup | undefined = edge && { name: 'HostedZoneId', lookup: 'hosted-zone-id', zone: edge.zone };
  if (file === 'edge' && !tier) return zone ? [zone] : [];
  if (!tier) return [];
  const origin = edge?.originTier === tier.name;
  return [
    ...(zone && (origin || tier.loadBalancer.tls === 'edge') ? [zone] : []),
    ...(origin ? [{ name: 'CloudFrontPrefixListId', lookup: 'cloudfront-prefix-list-id' } as const] : []),
    // A tier's load balancer is protected where deploys need approval (tier.ts).
    ...(environment.approval ? [PROTECTION] : []),
  ];
}

/** The template parameter of deletion protection (deletion-protection.ts declares it). */
export const DELETION_PROTECTION_PARAMETER = 'DeletionProtection';
const PROTECTION: ParameterLookup = { name: DELETION_PROTECTION_PARAMETER, lookup: 'deletion-protection' };

/**
 * A standby's replica reads its source's ARN from the primary region's database stack; a primary
 * replicating its backups reads the key of the standby's database stack. Each of those deploys
 * first. database.ts declares these parameters under the same conditions (a test checks both agree).
 */
function crossRegionLookups(environment: EnvironmentModel, region: RegionModel): ParameterLookup[] {
  if (!region.database) return [];
  const primary = environment.regions.find((r) => r.primary);
  const backupsTarget = environment.regions.find((r) => !r.primary && r.databaseRole === 'backups');
  if (region.databaseRole === 'replica') {
    return primary ? [{ name: 'SourceDatabaseArn', lookup: 'stack-output', region: primary.region, stackName: primary.stackNames.database, output: 'DatabaseArn' }] : [];
  }
  if (region.databaseRole === 'backups' || !backupsTarget) return [];
  return [{ name: 'BackupReplicationKeyArn', lookup: 'stack-output', region: backupsTarget.region, stackName: backupsTarget.stackNames.database, output: 'KeyArn' }];
}

import type { EnvironmentModel, PlatformModel } from '../model/types';
import { EDGE_REGION } from '../aws/regions';
import { renderTemplate } from '../render/yaml';
import { globalStacks, regionStacks } from './registry';

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
  | { readonly name: string; readonly lookup: 'stack-output'; readonly region: string; readonly stackName: string; readonly output: string };

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
 * A standby's replica reads its source's ARN from the primary region's database stack; a primary
 * replicating its backups reads the key of the standby's database stack. Each of those deploys first.
 */
function crossRegionLookups(environment: EnvironmentModel, parameters: readonly string[]): ParameterLookup[] {
  const found: ParameterLookup[] = [];
  const primary = environment.regions.find((r) => r.primary);
  const backupsTarget = environment.regions.find((r) => r.databaseRole === 'backups');
  if (parameters.includes('SourceDatabaseArn') && primary) {
    found.push({ name: 'SourceDatabaseArn', lookup: 'stack-output', region: primary.region, stackName: primary.stackNames.database, output: 'DatabaseArn' });
  }
  if (parameters.includes('BackupReplicationKeyArn') && backupsTarget) {
    found.push({ name: 'BackupReplicationKeyArn', lookup: 'stack-output', region: backupsTarget.region, stackName: backupsTarget.stackNames.database, output: 'KeyArn' });
  }
  return found;
}

/** The stacks of one environment and region ('global' for its us-east-1 stacks), in deploy order. */
export function deployPlan(model: PlatformModel, environment: EnvironmentModel, region: string): StackDeployment[] {
  const lookups = (template: Record<string, unknown>): ParameterLookup[] => {
    const parameters = Object.keys((template.Parameters ?? {}) as object);
    const found: ParameterLookup[] = [];
    if (parameters.includes('HostedZoneId') && environment.edge) found.push({ name: 'HostedZoneId', lookup: 'hosted-zone-id', zone: environment.edge.zone });
    if (parameters.includes('CloudFrontPrefixListId')) found.push({ name: 'CloudFrontPrefixListId', lookup: 'cloudfront-prefix-list-id' });
    found.push(...crossRegionLookups(environment, parameters));
    return found;
  };
  // The deploy sends the rendered file, so its bytes are what count.
  const size = (template: Record<string, unknown>) => Buffer.byteLength(renderTemplate(template, model.specFile)) > INLINE_TEMPLATE_BYTES;
  if (region === 'global') {
    return globalStacks(model, environment).map((stack) => ({
      stackName: stack.stackName, region: EDGE_REGION, template: `${environment.name}/global/${stack.file}.yaml`,
      lookups: lookups(stack.template), upload: size(stack.template),
    }));
  }
  const regionModel = environment.regions.find((r) => r.region === region);
  if (!regionModel) return [];
  return regionStacks(model, environment, regionModel).map((stack) => {
    const tier = regionModel.tiers.find((t) => regionModel.stackNames.tiers[t.name] === stack.stackName);
    return {
      stackName: stack.stackName, region, template: `${environment.name}/${region}/${stack.file}.yaml`,
      lookups: lookups(stack.template), upload: size(stack.template),
      ...(tier ? { tier: tier.name, imageParameter: tier.imageParameter } : {}),
    };
  });
}

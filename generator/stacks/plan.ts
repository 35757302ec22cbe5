import type { EnvironmentModel } from '../model/types';
import { EDGE_REGION } from '../aws/regions';
import { stackOutline, type ParameterLookup } from './kinds';

export type { ParameterLookup } from './kinds';

/** CloudFormation's limit for a template passed inline; larger ones go through the artifacts bucket. */
export const INLINE_TEMPLATE_BYTES = 51_200;

/** A stack-level tag, as CloudFormation's Tags parameter takes it. */
export interface StackTag {
  readonly Key: string;
  readonly Value: string;
}

/**
 * The tags every stack of an environment carries (the workflows' change sets and export's deploy.sh
 * set them): how a deploy tells gantry's stacks of this environment from any other stack, so it
 * deletes a stack the spec no longer has only when it is gantry's, never by its name alone.
 */
export function ownershipTags(project: string, environment: string): StackTag[] {
  return [{ Key: 'gantry:project', Value: project }, { Key: 'gantry:environment', Value: environment }];
}

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
 * from the stack kinds' declarations (kinds.ts): aws-cdk-lib is not loaded. `templateBytes` gives
 * the size of a rendered template (path relative to the output folder): whether it must be
 * uploaded depends on it.
 */
export function deployPlan(environment: EnvironmentModel, region: string, templateBytes: (template: string) => number): StackDeployment[] {
  return stackOutline(environment, region).map((stack) => {
    const template = `${environment.name}/${region}/${stack.file}.yaml`;
    const tier = stack.place.tier;
    return {
      stackName: stack.stackName, region: region === 'global' ? EDGE_REGION : region, template,
      lookups: stack.lookups, upload: templateBytes(template) > INLINE_TEMPLATE_BYTES,
      ...(tier ? { tier: tier.name, imageParameter: tier.imageParameter } : {}),
    };
  });
}

import { bootstrapRoleNames } from '../stacks/bootstrap';
import { stackOutline } from '../stacks/registry';
import type { EnvironmentModel, PlatformModel } from '../model/types';
import type { WorkflowContext } from './model';
import { GANTRY, gantryPaths } from './steps';

/** The ARN of one of an environment's bootstrap roles (their names are fixed). */
export function roleArn(model: PlatformModel, environment: EnvironmentModel, role: keyof ReturnType<typeof bootstrapRoleNames>): string {
  return `arn:aws:iam::${environment.account}:role/${bootstrapRoleNames(model.project, environment.name)[role]}`;
}

/** Every place an environment deploys to: its regions, then 'global' (us-east-1) when it has such stacks. */
export function deployTargets(_model: PlatformModel, environment: EnvironmentModel): string[] {
  const regions = environment.regions.map((r) => r.region);
  return stackOutline(environment, 'global').length > 0 ? [...regions, 'global'] : regions;
}

/** The AWS region a target runs in. */
export function awsRegionOf(target: string): string {
  return target === 'global' ? 'us-east-1' : target;
}

/** What every deploy-like job's scripts read from their environment. */
export function scriptEnv(environment: EnvironmentModel, context: WorkflowContext): Record<string, string> {
  return {
    GANTRY,
    ...gantryPaths(context),
    BOOTSTRAP_STACK: environment.stackNames.bootstrap,
    BOOTSTRAP_REGION: environment.regions[0]?.region ?? 'us-east-1',
  };
}

/** The paths that trigger gantry's workflows: the spec, the output, the workflows and the scripts they run, gantry's version. */
export function watchedPaths(context: WorkflowContext): string[] {
  return [context.specFile, `${context.outDir}/**`, `${context.workflowsDir}/gantry-*.yml`, `${context.workflowsDir}/gantry-*.sh`, 'package.json', 'package-lock.json'];
}

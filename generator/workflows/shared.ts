import { bootstrapRoleNames } from '../stacks/role-names';
import { stackOutline } from '../stacks/kinds';
import { EDGE_REGION } from '../aws/regions';
import { regionWaves } from '../model/deploy-waves';
import type { EnvironmentModel, PlatformModel } from '../model/types';
import type { WorkflowContext } from './model';
import { GANTRY, gantryPaths } from './steps';

/** The ARN of one of an environment's bootstrap roles (their names are fixed). */
export function roleArn(model: PlatformModel, environment: EnvironmentModel, role: keyof ReturnType<typeof bootstrapRoleNames>): string {
  return `arn:aws:iam::${environment.account}:role/${bootstrapRoleNames(model.project, environment.name)[role]}`;
}

/** Every place an environment deploys to: its regions (in deploy waves), then 'global' (us-east-1) when it has such stacks. */
export function deployTargets(_model: PlatformModel, environment: EnvironmentModel): string[] {
  const regions = regionWaves(environment).flat();
  return stackOutline(environment, 'global').length > 0 ? [...regions, 'global'] : regions;
}

/** The AWS region a target runs in. */
export function awsRegionOf(target: string): string {
  return target === 'global' ? EDGE_REGION : target;
}

/**
 * The concurrency group (of an environment's name, or an expression that gives it) of every job that changes an environment's stacks or what serves it: its
 * deploy's plan and deploy jobs, its failover, and the rotation of its secret origin header (which
 * a deploy reads). One job runs at a time per environment, so a deploy never runs during a
 * failover or a rotation, nor they during a deploy, and `cancel-in-progress:
 * false` means none of them cancels a running one. GitHub keeps one pending job per group and a
 * newer one replaces it (a failover waiting behind a running deploy gives way to the next push's
 * plan job, and shows as cancelled: run it again); its `queue: max`, which keeps every pending
 * job, is refused by actionlint (unexpected key), so gantry does not write it yet. Releases and
 * rollbacks share a group of their own (releaseConcurrency).
 * @see https://docs.github.com/en/actions/how-tos/write-workflows/choose-when-workflows-run/control-workflow-concurrency
 */
export function environmentConcurrency(environment: string): { group: string; 'cancel-in-progress': false } {
  return { group: `gantry-deploy-${environment}`, 'cancel-in-progress': false };
}

/**
 * The group of gantry-release.yml and gantry-rollback.yml for an environment: a release and a
 * rollback of it never run at once (both write the tier's SSM parameter, label its versions and
 * update its stacks, so interleaved they could label or restore the wrong AMI), and neither
 * cancels a running one. Separate from the deploy group, so a deploy waiting for its approval
 * never holds up a rollback. A second request queued behind a running one replaces an earlier
 * queued one (GitHub keeps one pending run per group; it shows as cancelled): the newest request
 * is the one that runs.
 * @see https://docs.github.com/en/actions/how-tos/write-workflows/choose-when-workflows-run/control-workflow-concurrency
 */
export function releaseConcurrency(environment: string): { group: string; 'cancel-in-progress': false } {
  return { group: `gantry-release-${environment}`, 'cancel-in-progress': false };
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

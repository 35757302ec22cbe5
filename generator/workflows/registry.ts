import type { Artifact } from '../artifact';
import type { PlatformModel } from '../model/types';
import { originSecretOf } from '../stacks/origin-secret';
import { buildDeployWorkflow } from './deploy';
import { buildDriftWorkflow } from './drift';
import { buildFailoverWorkflow } from './failover';
import { buildOriginSecretWorkflow } from './origin-secret';
import type { Workflow, WorkflowContext } from './model';
import { buildPullRequestWorkflow } from './pull-request';
import { buildReleaseWorkflow } from './release';
import { renderWorkflow } from './render';
import { scriptFiles } from './scripts';

/** The workflows gantry writes, in a fixed order. */
export const WORKFLOWS: readonly ((model: PlatformModel, context: WorkflowContext) => Workflow | undefined)[] = [
  buildPullRequestWorkflow,
  buildDeployWorkflow,
  (model, context) => buildReleaseWorkflow(model, context, 'release'),
  (model, context) => buildReleaseWorkflow(model, context, 'rollback'),
  buildDriftWorkflow,
  buildFailoverWorkflow,
  buildOriginSecretWorkflow,
];

/** Every workflow of the platform and the scripts they run, as files for the workflows folder. */
export function buildWorkflows(model: PlatformModel, context: WorkflowContext): Artifact[] {
  return [
    ...WORKFLOWS.map((build) => build(model, context)).filter((w): w is Workflow => w !== undefined)
      .map((workflow) => ({ path: workflow.file, content: renderWorkflow(workflow, model.specFile) })),
    // Only environments with a standby region have something to fail over to.
    ...scriptFiles(model.specFile, [
      ...(model.environments.some((e) => e.regions.length > 1) ? ['gantry-failover.sh' as const] : []),
      // Only environments with an API behind CloudFront have a secret origin header to rotate.
      ...(model.environments.some((e) => originSecretOf(e) !== undefined) ? ['gantry-origin-secret.sh' as const] : []),
    ]),
  ];
}

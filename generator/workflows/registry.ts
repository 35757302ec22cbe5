import type { Artifact } from '../artifact';
import type { PlatformModel } from '../model/types';
import { buildDeployWorkflow } from './deploy';
import type { Workflow, WorkflowContext } from './model';
import { buildPullRequestWorkflow } from './pull-request';
import { renderWorkflow } from './render';

/** The workflows gantry writes, in a fixed order. */
export const WORKFLOWS: readonly ((model: PlatformModel, context: WorkflowContext) => Workflow)[] = [
  buildPullRequestWorkflow,
  buildDeployWorkflow,
];

/** Every workflow of the platform, as files for the workflows folder. */
export function buildWorkflows(model: PlatformModel, context: WorkflowContext): Artifact[] {
  return WORKFLOWS.map((build) => build(model, context)).map((workflow) => ({ path: workflow.file, content: renderWorkflow(workflow, model.specFile) }));
}

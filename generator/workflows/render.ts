import { headerLine, renderYaml } from '../render/yaml';
import type { Job, Workflow } from './model';

const WORKFLOW_KEYS = ['name', 'on', 'permissions', 'concurrency', 'env', 'jobs'];
const JOB_KEYS = ['name', 'needs', 'if', 'runs-on', 'environment', 'permissions', 'concurrency', 'timeout-minutes', 'strategy', 'env', 'steps'];
const STEP_KEYS = ['name', 'id', 'if', 'continue-on-error', 'uses', 'with', 'env', 'shell', 'run'];

/** Renders a workflow with the header and GitHub's customary key order; jobs keep their order. */
export function renderWorkflow(workflow: Workflow, specFile: string): string {
  const jobs: Record<string, unknown> = {};
  for (const [id, job] of Object.entries(workflow.jobs)) jobs[id] = renderJob(job);
  return `${headerLine(specFile)}\n${renderYaml(ordered({ ...workflow, jobs }, WORKFLOW_KEYS))}`;
}

function renderJob(job: Job): Record<string, unknown> {
  return ordered({ ...job, steps: job.steps.map((step) => ordered(step as Record<string, unknown>, STEP_KEYS)) }, JOB_KEYS);
}

function ordered(record: object, keys: readonly string[]): Record<string, unknown> {
  const source = record as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}

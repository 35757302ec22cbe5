import { ACTIONS, NODE_VERSION } from './actions';
import type { Step, WorkflowContext } from './model';
import { runScript } from './scripts';
import { sessionSeconds } from './timeouts';

/**
 * How the workflows run gantry: the version the repository's package-lock.json pins, as `npm ci`
 * installed it (never a download). Called directly rather than through `npx --no-install`, which
 * spends about a second of Node start-up resolving the same file on every call, and the scripts call
 * it several times per job. Steps run at the repository's root, where `npm ci` installed it.
 */
export const GANTRY = './node_modules/.bin/gantry';

export function checkout(): Step {
  return { name: 'Check out', uses: ACTIONS.checkout, with: { 'persist-credentials': false } };
}

/**
 * Node.js and the repository's dependencies (gantry among them, at the version package-lock.json pins).
 * `--ignore-scripts`: no dependency's install script runs, so none can reach a job's OIDC token (gantry
 * and its dependencies need none; gantry's release tarball carries its build). A job that can mint a
 * token (`idToken`) also restores no npm cache, which a less trusted run could have written: setup-node's
 * README recommends `package-manager-cache: false` for privileged workflows.
 */
export function installGantry(options: { idToken?: boolean } = {}): Step[] {
  const cache: Record<string, string | boolean> = options.idToken ? { 'package-manager-cache': false } : { cache: 'npm' };
  return [
    { name: 'Set up Node.js', uses: ACTIONS.setupNode, with: { 'node-version': NODE_VERSION, ...cache } },
    { name: 'Install gantry', run: 'npm ci --ignore-scripts --no-audit --no-fund' },
  ];
}

/**
 * Short-lived AWS credentials through GitHub's OIDC token: no AWS keys anywhere. The session lasts
 * as long as the job may run (see timeouts.ts), so it never expires in the middle of a wait.
 */
export function awsCredentials(roleArn: string, region: string, sessionName: string, jobMinutes: number): Step {
  return {
    name: 'Assume the AWS role',
    uses: ACTIONS.configureAwsCredentials,
    with: { 'role-to-assume': roleArn, 'aws-region': region, 'role-session-name': sessionName, 'role-duration-seconds': sessionSeconds(jobMinutes) },
  };
}

/** The flags every gantry command in a workflow gets, from where `generate` was told to write. */
export function gantryPaths(context: WorkflowContext): Record<string, string> {
  return { GANTRY_SPEC: context.specFile, GANTRY_OUT: context.outDir, GANTRY_WORKFLOWS: context.workflowsDir };
}

/**
 * A message to the Slack channel's incoming webhook, whatever the job's outcome. The webhook URL
 * stays in a GitHub secret; the step does nothing when the secret is not set, and a Slack failure
 * is a warning that never fails the job (gantry-notify.sh exits 0, and the step may not fail it).
 */
export function reportToSlack(secret: string | undefined, what: string, context: WorkflowContext): Step[] {
  if (!secret) return [];
  return [{
    name: 'Report to Slack',
    if: 'always()',
    'continue-on-error': true,
    env: {
      SLACK_WEBHOOK_URL: `\${{ secrets.${secret} }}`,
      JOB_STATUS: '${{ job.status }}',
      WHAT: what,
      GANTRY_WORKFLOWS: context.workflowsDir,
    },
    run: runScript('gantry-notify.sh'),
  }];
}

/**
 * Deletes what a plan, deploy or release job may leave behind (the change sets named `changeSet`,
 * empty review stacks, and with `deleteUnusedStacks` the stacks it began to create and never ran),
 * also when the job failed or was cancelled: `always()` runs on cancel too. The job's scripts keep
 * the list (gantry-lib.sh's ledger in RUNNER_TEMP), so the step needs nothing else.
 * @see https://docs.github.com/en/actions/reference/workflows-and-actions/expressions#always
 */
export function cleanUp(context: WorkflowContext, changeSet: string, options: { deleteUnusedStacks?: boolean } = {}): Step {
  const env: Record<string, string> = { GANTRY_WORKFLOWS: context.workflowsDir, CHANGE_SET: changeSet };
  if (options.deleteUnusedStacks) env.DELETE_UNUSED_STACKS = 'true';
  return { name: 'Clean up change sets', if: 'always()', env, run: runScript('gantry-cleanup.sh') };
}

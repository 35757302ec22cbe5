import type { PlatformModel } from '../model/types';
import type { Job, Workflow, WorkflowContext } from './model';
import { runScript } from './scripts';
import { releaseConcurrency, roleArn, scriptEnv } from './shared';
import { awsCredentials, checkout, cleanUp, installGantry, reportToSlack } from './steps';
import { JOB_MINUTES, STACK_DEPLOY_MINUTES } from './timeouts';

/**
 * gantry-release.yml and gantry-rollback.yml: by hand, one tier of one environment. A job per
 * environment, behind its GitHub environment (the approval gate), runs only when chosen.
 * Concurrency: a release and a rollback of one environment share one group (releaseConcurrency),
 * at the workflow's level from the chosen environment (so the skipped jobs of the other
 * environments hold none): they never interleave their SSM and stack changes, never cancel a
 * running one, and never wait behind a deploy waiting for its approval. Before it changes a stack,
 * the script also waits (bounded) until no other operation runs on it (a deploy of the same stack),
 * as CloudFormation allows one at a time.
 * @see https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#concurrency
 */
export function buildReleaseWorkflow(model: PlatformModel, context: WorkflowContext, mode: 'release' | 'rollback'): Workflow {
  const tiers = [...new Set(model.environments.flatMap((e) => e.regions.flatMap((r) => r.tiers.map((t) => t.name))))];
  const inputs: Record<string, unknown> = {
    environment: { description: 'Environment', required: true, type: 'choice', options: model.environments.map((e) => e.name) },
    tier: { description: 'Tier', required: true, type: 'choice', options: tiers },
    ami: {
      description: mode === 'release' ? 'AMI id to release (in the first region of the environment)' : 'AMI id to go back to (empty: the last release that succeeded in every region)',
      required: false, type: 'string', default: '',
    },
  };
  if (mode === 'release') inputs.instance = { description: 'Or: a dedicated build instance to bake the AMI from (never a serving instance)', required: false, type: 'string', default: '' };
  const jobs: Record<string, Job> = {};
  const changeSet = `gantry-${mode}-\${{ github.run_id }}-\${{ github.run_attempt }}`;
  for (const environment of model.environments) {
    const regions = environment.regions.map((r) => r.region);
    jobs[`${mode}-${environment.name}`] = {
      name: `${mode === 'release' ? 'Release' : 'Roll back'} \${{ inputs.tier }} in ${environment.name}`,
      if: `inputs.environment == '${environment.name}'`,
      'runs-on': 'ubuntu-latest',
      environment: environment.name,
      permissions: { contents: 'read', 'id-token': 'write' },
      'timeout-minutes': JOB_MINUTES.release,
      steps: [
        checkout(),
        ...installGantry({ idToken: true }),
        awsCredentials(roleArn(model, environment, 'deploy'), regions[0] as string, `gantry-${mode}-${environment.name}`, JOB_MINUTES.release),
        {
          name: mode === 'release' ? 'Release the AMI, region by region' : 'Roll back, region by region',
          env: {
            ...scriptEnv(environment, context),
            MODE: mode,
            PROJECT: model.project,
            ENVIRONMENT: environment.name,
            REGIONS: regions.join(' '),
            TIER: '${{ inputs.tier }}',
            AMI_ID: '${{ inputs.ami }}',
            INSTANCE_ID: mode === 'release' ? '${{ inputs.instance }}' : '',
            EXECUTION_ROLE_ARN: roleArn(model, environment, 'execution'),
            CHANGE_SET: changeSet,
            UPLOAD_PREFIX: 'deploys',
            DEPLOY_MINUTES: String(STACK_DEPLOY_MINUTES),
          },
          run: runScript('gantry-release.sh'),
        },
        cleanUp(context, changeSet),
        ...reportToSlack(environment.notifications.webhookSecret, `gantry ${mode} of \${{ inputs.tier }} in ${model.project} ${environment.name}`, context),
      ],
    };
  }
  return {
    file: `gantry-${mode}.yml`,
    name: `gantry: ${mode}`,
    on: { workflow_dispatch: { inputs } },
    permissions: {},
    concurrency: releaseConcurrency('${{ inputs.environment }}'),
    jobs,
  };
}

import type { PlatformModel } from '../model/types';
import type { Job, Workflow, WorkflowContext } from './model';
import { runScript } from './scripts';
import { roleArn, scriptEnv } from './shared';
import { awsCredentials, checkout, installGantry, reportToSlack } from './steps';

/**
 * gantry-release.yml and gantry-rollback.yml: by hand, one tier of one environment. A job per
 * environment, behind its GitHub environment (the approval gate), runs only when chosen; they share
 * the deploy workflow's concurrency group, so no two of them update a stack at once.
 */
export function buildReleaseWorkflow(model: PlatformModel, context: WorkflowContext, mode: 'release' | 'rollback'): Workflow {
  const tiers = [...new Set(model.environments.flatMap((e) => e.regions.flatMap((r) => r.tiers.map((t) => t.name))))];
  const inputs: Record<string, unknown> = {
    environment: { description: 'Environment', required: true, type: 'choice', options: model.environments.map((e) => e.name) },
    tier: { description: 'Tier', required: true, type: 'choice', options: tiers },
    ami: {
      description: mode === 'release' ? 'AMI id to release (in the first region of the environment)' : 'AMI id to go back to (empty: each region\'s previous AMI)',
      required: false, type: 'string', default: '',
    },
  };
  if (mode === 'release') inputs.instance = { description: 'Or: a build instance id to bake the AMI from', required: false, type: 'string', default: '' };
  const jobs: Record<string, Job> = {};
  for (const environment of model.environments) {
    const regions = environment.regions.map((r) => r.region);
    jobs[`${mode}-${environment.name}`] = {
      name: `${mode === 'release' ? 'Release' : 'Roll back'} \${{ inputs.tier }} in ${environment.name}`,
      if: `inputs.environment == '${environment.name}'`,
      'runs-on': 'ubuntu-latest',
      environment: environment.name,
      permissions: { contents: 'read', 'id-token': 'write' },
      'timeout-minutes': 240,
      steps: [
        checkout(),
        ...installGantry({ idToken: true }),
        awsCredentials(roleArn(model, environment, 'deploy'), regions[0] as string, `gantry-${mode}-${environment.name}`),
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
          },
          run: runScript('gantry-release.sh'),
        },
        ...reportToSlack(environment.notifications.webhookSecret, `gantry ${mode} of \${{ inputs.tier }} in ${model.project} ${environment.name}`),
      ],
    };
  }
  return {
    file: `gantry-${mode}.yml`,
    name: `gantry: ${mode}`,
    on: { workflow_dispatch: { inputs } },
    permissions: {},
    concurrency: { group: 'gantry-deploy', 'cancel-in-progress': false },
    jobs,
  };
}

import type { EnvironmentModel, PlatformModel } from '../model/types';
import { originSecretOf, originSecretRegions } from '../stacks/origin-secret';
import type { Job, Workflow, WorkflowContext } from './model';
import { runScript } from './scripts';
import { deployTargets, roleArn, scriptEnv } from './shared';
import { awsCredentials, checkout, installGantry, reportToSlack } from './steps';
import { JOB_MINUTES } from './timeouts';

/** The steps of a rotation of the secret origin header (gantry-origin-secret.sh says what each does). */
export const ORIGIN_SECRET_ACTIONS = ['status', 'rotate', 'finish'] as const;

/**
 * gantry-origin-secret.yml: by hand, the rotation of an environment's secret origin header without
 * a refused request. `rotate` (a new current value, the old one kept as previous), then gantry:
 * deploy (the load balancers accept both, then CloudFront sends the new one), then `finish` (the
 * previous value dropped), then gantry: deploy again (the load balancers refuse the old value). A
 * job per environment with an API behind CloudFront, behind its GitHub environment (its reviewers
 * approve), with the deploy role. Undefined when no environment has one.
 */
export function buildOriginSecretWorkflow(model: PlatformModel, context: WorkflowContext): Workflow | undefined {
  const environments = model.environments.filter((e) => originSecretOf(e) !== undefined);
  if (environments.length === 0) return undefined;
  const jobs: Record<string, Job> = {};
  for (const environment of environments) jobs[`origin-secret-${environment.name}`] = originSecretJob(model, context, environment);
  return {
    file: 'gantry-origin-secret.yml',
    name: 'gantry: origin secret',
    on: {
      workflow_dispatch: {
        inputs: {
          environment: { description: 'Environment whose secret origin header to rotate', required: true, type: 'choice', options: environments.map((e) => e.name) },
          action: { description: 'rotate (then deploy), finish (then deploy again), or status', required: true, type: 'choice', options: [...ORIGIN_SECRET_ACTIONS] },
        },
      },
    },
    permissions: {},
    // Never while a deploy reads the secret's versions.
    concurrency: { group: 'gantry-deploy', 'cancel-in-progress': false },
    jobs,
  };
}

function originSecretJob(model: PlatformModel, context: WorkflowContext, environment: EnvironmentModel): Job {
  const env = scriptEnv(environment, context);
  return {
    name: `\${{ inputs.action }} the origin secret of ${environment.name}`,
    if: `inputs.environment == '${environment.name}'`,
    'runs-on': 'ubuntu-latest',
    environment: environment.name,
    permissions: { contents: 'read', 'id-token': 'write' },
    'timeout-minutes': JOB_MINUTES.originSecret,
    steps: [
      checkout(),
      ...installGantry({ idToken: true }),
      awsCredentials(roleArn(model, environment, 'deploy'), env.BOOTSTRAP_REGION as string, `gantry-origin-secret-${environment.name}`, JOB_MINUTES.originSecret),
      {
        name: 'Change the secret origin header',
        env: {
          ...env,
          ENVIRONMENT: environment.name,
          TARGETS: deployTargets(model, environment).join(' '),
          SECRET_ID: originSecretOf(environment) as string,
          SECRET_REGION: originSecretRegions(environment).primary,
          ACTION: '${{ inputs.action }}',
        },
        run: runScript('gantry-origin-secret.sh'),
      },
      ...reportToSlack(environment.notifications.webhookSecret, `gantry origin secret \${{ inputs.action }} of ${model.project} ${environment.name}`, context),
    ],
  };
}

import type { EnvironmentModel, PlatformModel } from '../model/types';
import { originSecretOf, originSecretRegions } from '../stacks/origin-secret';
import type { Job, Workflow, WorkflowContext } from './model';
import { runScript } from './scripts';
import { deployTargets, environmentConcurrency, roleArn, scriptEnv } from './shared';
import { awsCredentials, checkout, installGantry, reportToSlack } from './steps';
import { JOB_MINUTES } from './timeouts';

/** The steps of a rotation of the secret origin header (gantry-origin-secret.sh says what each does). */
export const ORIGIN_SECRET_ACTIONS = ['status', 'rotate', 'finish'] as const;

/**
 * gantry-origin-secret.yml: by hand, the rotation of an environment's secret origin header without
 * a refused request. `rotate` (a new current value, the old one kept as previous), then gantry:
 * deploy (the load balancers accept both, then CloudFront sends the new one), then `finish` (the
 * previous value dropped), then gantry: deploy again (the load balancers refuse the old value). One
 * job behind the chosen environment's GitHub environment (its reviewers approve), with that
 * environment's deploy role (which trusts only its own GitHub environment); what differs per
 * environment is one JSON map, so the file stays small. Undefined when no environment has one.
 */
export function buildOriginSecretWorkflow(model: PlatformModel, context: WorkflowContext): Workflow | undefined {
  const environments = model.environments.filter((e) => originSecretOf(e) !== undefined);
  if (environments.length === 0) return undefined;
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
    // Never while a deploy of the environment reads the secret's versions: its group.
    concurrency: environmentConcurrency('${{ inputs.environment }}'),
    jobs: { 'origin-secret': originSecretJob(model, context, environments) },
  };
}

/** What the job reads for each environment, by name. */
function settings(model: PlatformModel, context: WorkflowContext, environment: EnvironmentModel): Record<string, string> {
  const env = scriptEnv(environment, context);
  return {
    role: roleArn(model, environment, 'deploy'),
    bootstrapStack: env.BOOTSTRAP_STACK as string,
    bootstrapRegion: env.BOOTSTRAP_REGION as string,
    targets: deployTargets(model, environment).join(' '),
    secretId: originSecretOf(environment) as string,
    secretRegion: originSecretRegions(environment).primary,
  };
}

function originSecretJob(model: PlatformModel, context: WorkflowContext, environments: readonly EnvironmentModel[]): Job {
  const map = Object.fromEntries(environments.map((e) => [e.name, settings(model, context, e)]));
  const chosen = (key: string) => `\${{ fromJSON(env.ORIGIN_SECRET_SETTINGS)[inputs.environment].${key} }}`;
  const { GANTRY, GANTRY_SPEC, GANTRY_OUT, GANTRY_WORKFLOWS } = scriptEnv(environments[0]!, context);
  // The environments share the spec's notifications; Slack gets the report where the spec names a webhook.
  const webhook = environments[0]!.notifications.webhookSecret;
  return {
    name: '${{ inputs.action }} the origin secret of ${{ inputs.environment }}',
    'runs-on': 'ubuntu-latest',
    environment: '${{ inputs.environment }}',
    permissions: { contents: 'read', 'id-token': 'write' },
    'timeout-minutes': JOB_MINUTES.originSecret,
    env: { ORIGIN_SECRET_SETTINGS: JSON.stringify(map) },
    steps: [
      checkout(),
      ...installGantry({ idToken: true }),
      awsCredentials(chosen('role'), chosen('bootstrapRegion'), 'gantry-origin-secret-${{ inputs.environment }}', JOB_MINUTES.originSecret),
      {
        name: 'Change the secret origin header',
        env: {
          GANTRY: GANTRY as string, GANTRY_SPEC: GANTRY_SPEC as string, GANTRY_OUT: GANTRY_OUT as string, GANTRY_WORKFLOWS: GANTRY_WORKFLOWS as string,
          BOOTSTRAP_STACK: chosen('bootstrapStack'),
          BOOTSTRAP_REGION: chosen('bootstrapRegion'),
          ENVIRONMENT: '${{ inputs.environment }}',
          TARGETS: chosen('targets'),
          SECRET_ID: chosen('secretId'),
          SECRET_REGION: chosen('secretRegion'),
          ACTION: '${{ inputs.action }}',
        },
        run: runScript('gantry-origin-secret.sh'),
      },
      ...reportToSlack(webhook, `gantry origin secret \${{ inputs.action }} of ${model.project} \${{ inputs.environment }}`, context),
    ],
  };
}

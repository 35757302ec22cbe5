import type { PlatformModel } from '../model/types';
import type { Job, Workflow, WorkflowContext } from './model';
import { runScript } from './scripts';
import { deployTargets, roleArn } from './shared';
import { awsCredentials, checkout, GANTRY, gantryPaths, installGantry, reportToSlack } from './steps';
import { JOB_MINUTES } from './timeouts';

/**
 * gantry-drift.yml: daily and by hand, drift detection on every stack of every environment and
 * region, with the drift role (no approval gate needed: it can read and detect drift, nothing
 * else). A drifted resource, or a detection that failed, is listed in the job summary, reported
 * to Slack, and fails the run.
 */
export function buildDriftWorkflow(model: PlatformModel, context: WorkflowContext): Workflow {
  const jobs: Record<string, Job> = {};
  for (const environment of model.environments) {
    jobs[`drift-${environment.name}`] = {
      name: `Drift in ${environment.name} \${{ matrix.region }}`,
      'runs-on': 'ubuntu-latest',
      permissions: { contents: 'read', 'id-token': 'write' },
      'timeout-minutes': JOB_MINUTES.drift,
      strategy: { 'fail-fast': false, matrix: { region: deployTargets(model, environment) } },
      steps: [
        checkout(),
        ...installGantry({ idToken: true }),
        awsCredentials(roleArn(model, environment, 'drift'), "${{ matrix.region == 'global' && 'us-east-1' || matrix.region }}", `gantry-drift-${environment.name}`, JOB_MINUTES.drift),
        {
          name: 'Detect drift on every stack',
          env: { GANTRY, ...gantryPaths(context), ENVIRONMENT: environment.name, REGION: '${{ matrix.region }}' },
          run: runScript('gantry-drift.sh'),
        },
        ...reportToSlack(environment.notifications.webhookSecret, `gantry drift check of ${model.project} ${environment.name} \${{ matrix.region }}`, context),
      ],
    };
  }
  return {
    file: 'gantry-drift.yml',
    name: 'gantry: drift',
    on: { schedule: [{ cron: '17 6 * * *' }], workflow_dispatch: {} },
    permissions: {},
    jobs,
  };
}

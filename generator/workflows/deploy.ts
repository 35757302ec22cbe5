import type { PlatformModel } from '../model/types';
import type { Job, Workflow, WorkflowContext } from './model';
import { runScript } from './scripts';
import { awsRegionOf, deployTargets, roleArn, scriptEnv, watchedPaths } from './shared';
import { awsCredentials, checkout, installGantry, reportToSlack } from './steps';

/**
 * gantry-deploy.yml: on a merge to the branch (or by hand), environments one after another in the
 * spec's order, each behind its GitHub environment (the approval gate); the regions of one
 * environment in parallel, then its us-east-1 stacks (budget, edge), which read what the regions
 * created. A running deploy is never cancelled; the next one waits.
 */
export function buildDeployWorkflow(model: PlatformModel, context: WorkflowContext): Workflow {
  const jobs: Record<string, Job> = {};
  let previous: string | undefined;
  for (const environment of model.environments) {
    const targets = deployTargets(model, environment);
    const regions = targets.filter((t) => t !== 'global');
    const job = (id: string, needs: string[], matrixRegions: string[]): Job => ({
      name: `Deploy ${environment.name} \${{ matrix.region }}`,
      needs: needs.length > 0 ? needs : undefined,
      'runs-on': 'ubuntu-latest',
      environment: environment.name,
      permissions: { contents: 'read', 'id-token': 'write' },
      concurrency: { group: `gantry-deploy-${environment.name}-${id.endsWith('-global') ? 'global' : '${{ matrix.region }}'}`, 'cancel-in-progress': false },
      'timeout-minutes': 120,
      strategy: { 'fail-fast': false, matrix: { region: matrixRegions } },
      steps: [
        checkout(),
        ...installGantry({ idToken: true }),
        awsCredentials(roleArn(model, environment, 'deploy'), id.endsWith('-global') ? awsRegionOf('global') : '${{ matrix.region }}', `gantry-deploy-${environment.name}`),
        {
          name: 'Deploy the stacks in order',
          env: { ...scriptEnv(environment, context), ENVIRONMENT: environment.name, REGION: '${{ matrix.region }}', EXECUTION_ROLE_ARN: roleArn(model, environment, 'execution') },
          run: runScript('gantry-deploy.sh'),
        },
        ...reportToSlack(environment.notifications.webhookSecret, `gantry deploy of ${model.project} ${environment.name} \${{ matrix.region }}`),
      ],
    });
    const regionsJob = `deploy-${environment.name}`;
    jobs[regionsJob] = job(regionsJob, previous ? [previous] : [], regions);
    previous = regionsJob;
    if (targets.includes('global')) {
      const globalJob = `deploy-${environment.name}-global`;
      jobs[globalJob] = job(globalJob, [regionsJob], ['global']);
      previous = globalJob;
    }
  }
  return {
    file: 'gantry-deploy.yml',
    name: 'gantry: deploy',
    on: { push: { branches: [model.github.branch], paths: watchedPaths(context) }, workflow_dispatch: {} },
    permissions: {},
    // One deploy run at a time: a newer merge waits (replacing any older waiting run), and a
    // running deploy is never cancelled.
    concurrency: { group: 'gantry-deploy', 'cancel-in-progress': false },
    jobs,
  };
}

import type { PlatformModel } from '../model/types';
import { ACTIONS } from './actions';
import type { Job, Workflow, WorkflowContext } from './model';
import { runScript } from './scripts';
import { deployTargets, environmentConcurrency, roleArn, scriptEnv, watchedPaths } from './shared';
import { awsCredentials, checkout, cleanUp, installGantry, reportToSlack } from './steps';
import { JOB_MINUTES, STACK_DEPLOY_MINUTES } from './timeouts';

/**
 * gantry-deploy.yml: on a merge to the branch (or by hand from it), environments one after another
 * in the spec's order. Per environment, two jobs:
 * - plan-<env>: a change set per stack in each of its regions and global stacks, with the
 *   planning role and no approval; the job's summary lists what would change.
 * - deploy-<env>: ONE job behind the environment's GitHub environment, so one approval per
 *   environment per run (GitHub asks for an approval for every job that names an environment with
 *   required reviewers). It deploys the regions one after another, then the us-east-1 stacks
 *   (budget, edge), which read what the regions created, and executes only change sets that
 *   still match the plan the approver saw.
 * Both share the environment's concurrency group with its failover (environmentConcurrency): two
 * runs never change one environment at once, and a waiting deploy never blocks a release or
 * rollback (they share a group of their own, releaseConcurrency).
 * @see https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-deployments/reviewing-deployments
 *   ("Jobs that reference an environment configured with required reviewers will wait for an approval")
 */
export function buildDeployWorkflow(model: PlatformModel, context: WorkflowContext): Workflow {
  const jobs: Record<string, Job> = {};
  let previous: string | undefined;
  for (const environment of model.environments) {
    const targets = deployTargets(model, environment);
    const env = scriptEnv(environment, context);
    const group = environmentConcurrency(environment.name);
    const planJob = `plan-${environment.name}`;
    const deployJob = `deploy-${environment.name}`;
    // One plan job per environment (its targets one after another): matrix jobs in one concurrency
    // group would cancel each other (a group holds one running and one pending job).
    jobs[planJob] = {
      name: `Plan ${environment.name}`,
      needs: previous ? [previous] : undefined,
      // The planning role trusts the deploy branch only; a deploy started by hand from another branch plans nothing.
      if: `github.ref == 'refs/heads/${model.github.branch}'`,
      'runs-on': 'ubuntu-latest',
      permissions: { contents: 'read', 'id-token': 'write' },
      concurrency: group,
      'timeout-minutes': JOB_MINUTES.plan,
      steps: [
        checkout(),
        ...installGantry({ idToken: true }),
        awsCredentials(roleArn(model, environment, 'changeSets'), env.BOOTSTRAP_REGION as string, `gantry-plan-${environment.name}`, JOB_MINUTES.plan),
        {
          name: 'Create, describe and delete change sets',
          env: { ...env, ENVIRONMENT: environment.name, TARGETS: targets.join(' '), PLAN_DIR: 'plan', CHANGE_SET: 'gantry-plan-${{ github.run_id }}-${{ github.run_attempt }}', UPLOAD_PREFIX: 'plans' },
          run: runScript('gantry-plan.sh'),
        },
        {
          name: 'Keep the plan for the deploy',
          uses: ACTIONS.uploadArtifact,
          with: { name: `plan-${environment.name}`, path: 'plan/', 'if-no-files-found': 'error', 'retention-days': 7 },
        },
        cleanUp(context, 'gantry-plan-${{ github.run_id }}-${{ github.run_attempt }}'),
      ],
    };
    jobs[deployJob] = {
      name: `Deploy ${environment.name}`,
      needs: [planJob],
      'runs-on': 'ubuntu-latest',
      environment: environment.name,
      permissions: { contents: 'read', 'id-token': 'write' },
      concurrency: group,
      'timeout-minutes': JOB_MINUTES.deploy,
      steps: [
        checkout(),
        ...installGantry({ idToken: true }),
        awsCredentials(roleArn(model, environment, 'deploy'), env.BOOTSTRAP_REGION as string, `gantry-deploy-${environment.name}`, JOB_MINUTES.deploy),
        { name: 'The approved plan', uses: ACTIONS.downloadArtifact, with: { name: `plan-${environment.name}`, path: 'plan' } },
        {
          name: 'Deploy the stacks in order',
          env: {
            ...env,
            ENVIRONMENT: environment.name,
            TARGETS: targets.join(' '),
            APPROVED_DIR: `plan/${environment.name}`,
            CHANGE_SET: 'gantry-deploy-${{ github.run_id }}-${{ github.run_attempt }}',
            UPLOAD_PREFIX: 'deploys',
            DEPLOY_MINUTES: String(STACK_DEPLOY_MINUTES),
            EXECUTION_ROLE_ARN: roleArn(model, environment, 'execution'),
          },
          run: runScript('gantry-deploy.sh'),
        },
        cleanUp(context, 'gantry-deploy-${{ github.run_id }}-${{ github.run_attempt }}', { deleteUnusedStacks: true }),
        ...reportToSlack(environment.notifications.webhookSecret, `gantry deploy of ${model.project} ${environment.name}`, context),
      ],
    };
    previous = deployJob;
  }
  return {
    file: 'gantry-deploy.yml',
    name: 'gantry: deploy',
    on: { push: { branches: [model.github.branch], paths: watchedPaths(context) }, workflow_dispatch: {} },
    permissions: {},
    jobs,
  };
}

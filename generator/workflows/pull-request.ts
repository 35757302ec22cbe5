import type { PlatformModel } from '../model/types';
import { ACTIONS } from './actions';
import type { Workflow, WorkflowContext } from './model';
import { runScript } from './scripts';
import { awsRegionOf, deployTargets, roleArn, scriptEnv, watchedPaths } from './shared';
import { awsCredentials, checkout, cleanUp, GANTRY, gantryPaths, installGantry } from './steps';
import { JOB_MINUTES } from './timeouts';

/** Pull requests from forks run the check only: they never get an AWS role or a write token. */
const SAME_REPOSITORY = 'github.event.pull_request.head.repo.full_name == github.repository';

const CHANGE_SET = 'gantry-pr-${{ github.event.pull_request.number }}-${{ github.run_id }}-${{ github.run_attempt }}';

/**
 * gantry-pull-request.yml: `gantry check` with annotations; a change set per stack in every
 * environment and region (never executed, always deleted, also when the run is cancelled); one
 * sticky comment with what would change, the commit it describes, a link to the run, and whether
 * a bootstrap stack must be redeployed.
 */
export function buildPullRequestWorkflow(model: PlatformModel, context: WorkflowContext): Workflow {
  const include = model.environments.flatMap((environment) => deployTargets(model, environment).map((target) => ({
    environment: environment.name,
    region: target,
    'aws-region': awsRegionOf(target),
    role: roleArn(model, environment, 'changeSets'),
    'bootstrap-stack': environment.stackNames.bootstrap,
    'bootstrap-region': scriptEnv(environment, context).BOOTSTRAP_REGION,
  })));
  return {
    file: 'gantry-pull-request.yml',
    name: 'gantry: pull request',
    on: { pull_request: { branches: [model.github.branch], paths: watchedPaths(context) } },
    permissions: {},
    concurrency: { group: 'gantry-pr-${{ github.event.pull_request.number }}', 'cancel-in-progress': true },
    jobs: {
      check: {
        name: 'Generated files are current',
        'runs-on': 'ubuntu-latest',
        permissions: { contents: 'read' },
        'timeout-minutes': JOB_MINUTES.check,
        env: gantryPaths(context),
        steps: [
          checkout(),
          ...installGantry(),
          { name: 'gantry check', run: `${GANTRY} check --spec "$GANTRY_SPEC" --out "$GANTRY_OUT" --workflows "$GANTRY_WORKFLOWS"` },
        ],
      },
      plan: {
        name: 'Change sets: ${{ matrix.environment }} ${{ matrix.region }}',
        needs: ['check'],
        if: SAME_REPOSITORY,
        'runs-on': 'ubuntu-latest',
        permissions: { contents: 'read', 'id-token': 'write' },
        'timeout-minutes': JOB_MINUTES.plan,
        strategy: { 'fail-fast': false, matrix: { include } },
        steps: [
          checkout(),
          ...installGantry({ idToken: true }),
          awsCredentials('${{ matrix.role }}', '${{ matrix.aws-region }}', 'gantry-pr-${{ github.event.pull_request.number }}', JOB_MINUTES.plan),
          {
            name: 'Create, describe and delete change sets',
            env: {
              GANTRY,
              ...gantryPaths(context),
              ENVIRONMENT: '${{ matrix.environment }}',
              TARGETS: '${{ matrix.region }}',
              BOOTSTRAP_STACK: '${{ matrix.bootstrap-stack }}',
              BOOTSTRAP_REGION: '${{ matrix.bootstrap-region }}',
              PLAN_DIR: 'change-sets',
              CHANGE_SET,
              UPLOAD_PREFIX: 'pull-requests/${{ github.event.pull_request.number }}',
            },
            run: runScript('gantry-plan.sh'),
          },
          {
            name: 'Keep the change sets',
            if: 'always()',
            uses: ACTIONS.uploadArtifact,
            with: { name: 'change-sets-${{ matrix.environment }}-${{ matrix.region }}', path: 'change-sets/', 'if-no-files-found': 'ignore', 'retention-days': 7 },
          },
          cleanUp(context, CHANGE_SET),
        ],
      },
      comment: {
        name: 'Comment on the pull request',
        needs: ['plan'],
        if: `always() && ${SAME_REPOSITORY}`,
        'runs-on': 'ubuntu-latest',
        permissions: { contents: 'read', 'pull-requests': 'write' },
        'timeout-minutes': JOB_MINUTES.comment,
        steps: [
          checkout(),
          ...installGantry(),
          { name: 'Collect the change sets', uses: ACTIONS.downloadArtifact, with: { pattern: 'change-sets-*', path: 'change-sets', 'merge-multiple': true } },
          {
            name: 'gantry comment',
            // The head commit: for pull requests GITHUB_SHA is a merge commit nobody pushed.
            env: { GITHUB_TOKEN: '${{ github.token }}', PR_NUMBER: '${{ github.event.pull_request.number }}', GANTRY_COMMIT_SHA: '${{ github.event.pull_request.head.sha }}', GANTRY },
            // No artifact when every plan job failed early: an empty folder makes the comment say so
            // ("no change sets were produced"), where gantry refuses a folder that does not exist.
            run: 'mkdir -p change-sets\n"$GANTRY" comment --repository "$GITHUB_REPOSITORY" --pr "$PR_NUMBER" --change-sets change-sets',
          },
        ],
      },
    },
  };
}

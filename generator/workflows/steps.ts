import { ACTIONS, NODE_VERSION } from './actions';
import type { Step, WorkflowContext } from './model';

/** How the workflows run gantry: the version the repository's package-lock.json pins. */
export const GANTRY = 'npx --no-install gantry';

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

/** Short-lived AWS credentials through GitHub's OIDC token: no AWS keys anywhere. */
export function awsCredentials(roleArn: string, region: string, sessionName: string): Step {
  return {
    name: 'Assume the AWS role',
    uses: ACTIONS.configureAwsCredentials,
    with: { 'role-to-assume': roleArn, 'aws-region': region, 'role-session-name': sessionName, 'role-duration-seconds': 3600 },
  };
}

/** The flags every gantry command in a workflow gets, from where `generate` was told to write. */
export function gantryPaths(context: WorkflowContext): Record<string, string> {
  return { GANTRY_SPEC: context.specFile, GANTRY_OUT: context.outDir, GANTRY_WORKFLOWS: context.workflowsDir };
}

/**
 * A message to the Slack channel's incoming webhook, whatever the job's outcome. The webhook URL
 * stays in a GitHub secret; the step does nothing when the secret is not set.
 */
export function reportToSlack(secret: string | undefined, what: string): Step[] {
  if (!secret) return [];
  return [{
    name: 'Report to Slack',
    if: 'always()',
    env: {
      SLACK_WEBHOOK_URL: `\${{ secrets.${secret} }}`,
      JOB_STATUS: '${{ job.status }}',
      WHAT: what,
    },
    run: [
      'if [ -z "$SLACK_WEBHOOK_URL" ]; then echo "The Slack webhook secret is not set; nothing reported."; exit 0; fi',
      'case "$JOB_STATUS" in success) icon=":white_check_mark:" ;; cancelled) icon=":heavy_minus_sign:" ;; *) icon=":x:" ;; esac',
      'text="$icon $WHAT: $JOB_STATUS (<$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID|run $GITHUB_RUN_ID>)"',
      'curl --fail --silent --show-error --max-time 20 -H "Content-Type: application/json" --data "$(jq -n --arg text "$text" \'{text: $text}\')" "$SLACK_WEBHOOK_URL"',
    ].join('\n'),
  }];
}

import type { PlatformModel } from '../model/types';
import { markdownCode } from '../render/markdown';

/**
 * "Before the first deploy", for output/README.md: what the stacks need but cannot create, with this
 * spec's own names (the AMI parameters, the Slack workspace, the regions), and when the bootstrap
 * stack must be deployed again.
 */
export function prerequisitesSection(model: PlatformModel): string[] {
  const lines = [
    '## Before the first deploy',
    '',
    'Redeploy an environment\'s bootstrap stack with the command above whenever `gantry generate` reports that its `bootstrap.yaml` changed: the workflows assume the roles it holds, so they cannot update it.',
    '',
    'gantry cannot create these; do them once:',
    '',
  ];
  for (const environment of model.environments) {
    const tiers = environment.regions[0]?.tiers ?? [];
    const regions = environment.regions.map((r) => r.region);
    for (const tier of tiers) {
      lines.push(`- ${environment.name}: an AMI id in the SSM parameter ${markdownCode(tier.imageParameter)} in ${regions.join(', ')} (tier ${markdownCode(tier.name)} launches it; ${markdownCode(`aws ssm put-parameter --type String --data-type aws:ec2:image --name ${tier.imageParameter} --value ami-…`)}).`);
    }
  }
  const slack = model.environments.find((e) => e.notifications.slack)?.notifications.slack;
  if (slack) {
    const accounts = [...new Set(model.environments.filter((e) => e.notifications.slack).map((e) => e.account))];
    lines.push(`- The Slack workspace ${markdownCode(slack.workspaceId)} authorised in the AWS Chatbot console of account${accounts.length === 1 ? '' : 's'} ${accounts.map((a) => markdownCode(a)).join(', ')} (a browser step with no API).`);
  }
  const regions = [...new Set(model.environments.flatMap((e) => e.regions.map((r) => r.region)))];
  lines.push(
    `- The regions ${regions.map((r) => markdownCode(r)).join(', ')} enabled in each account that deploys there: regions launched since 2019 are opt-in (${markdownCode('aws account get-region-opt-status --region-name REGION')}).`,
    '- No other GitHub OIDC provider in the account: the first environment of each account creates the one for `token.actions.githubusercontent.com` in its bootstrap stack, and an account holds only one. Delete an old one that nothing uses, or import it into the bootstrap stack.',
    '',
  );
  return lines;
}

import type { EnvironmentModel, PlatformModel } from '../model/types';
import { markdownCode, markdownFence } from '../render/markdown';

/**
 * "Before the first deploy", for output/README.md: everything the stacks and workflows use but
 * cannot create, with this spec's own names and a command for each: the GitHub environments (and
 * the repository's ids), the Slack webhook secret, the AMI parameters, the certificates given by
 * ARN, the hosted zones (with the delegation of an environment's own zone), the Slack workspace,
 * a Shield Advanced subscription, the regions; and when the bootstrap stack must be deployed again.
 */
export function prerequisitesSection(model: PlatformModel): string[] {
  const lines = [
    '## Before the first deploy',
    '',
    'Redeploy an environment\'s bootstrap stack with the command above whenever `gantry generate` reports that its `bootstrap.yaml` changed: the workflows assume the roles it holds, so they cannot update it.',
    '',
    'gantry cannot create these; do them once:',
    '',
    ...githubItems(model),
  ];
  for (const environment of model.environments) lines.push(...imageItems(environment), ...certificateItems(environment));
  const zones = hostedZones(model);
  lines.push(...zones.map((zone) => zone.item));
  const slack = model.environments.find((e) => e.notifications.slack)?.notifications.slack;
  if (slack) {
    const accounts = [...new Set(model.environments.filter((e) => e.notifications.slack).map((e) => e.account))];
    lines.push(`- The Slack workspace ${markdownCode(slack.workspaceId)} authorised in the AWS Chatbot console of account${accounts.length === 1 ? '' : 's'} ${accounts.map((a) => markdownCode(a)).join(', ')} (a browser step with no API).`);
  }
  // "To configure this Shield Advanced protection through AWS CloudFormation, you must be subscribed
  // to Shield Advanced" (AWS::Shield::Protection); its API lives in us-east-1.
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-shield-protection.html
  const shielded = [...new Set(model.environments.filter((e) => e.edge?.shieldAdvanced).map((e) => e.account))];
  if (shielded.length > 0) {
    lines.push(`- An AWS Shield Advanced subscription in account${shielded.length === 1 ? '' : 's'} ${shielded.map((a) => markdownCode(a)).join(', ')} (${markdownCode('edge.shieldAdvanced')}; a one-year commitment with a monthly fee: ${markdownCode('aws shield create-subscription --region us-east-1')}), before the edge stack protects its distribution.`);
  }
  const regions = [...new Set(model.environments.flatMap((e) => e.regions.map((r) => r.region)))];
  lines.push(
    `- The regions ${regions.map((r) => markdownCode(r)).join(', ')} enabled in each account that deploys there: regions launched since 2019 are opt-in (${markdownCode('aws account get-region-opt-status --region-name REGION')}).`,
    '- No other GitHub OIDC provider in the account: the first environment of each account creates the one for `token.actions.githubusercontent.com` in its bootstrap stack, and an account holds only one. Delete an old one that nothing uses, or import it into the bootstrap stack.',
    '',
  );
  const delegations = zones.filter((zone) => zone.commands.length > 0);
  if (delegations.length > 0) {
    lines.push(
      '### Delegating an environment\'s own hosted zone',
      '',
      'Each of these zones is answered only once its parent zone holds an NS record with its name servers; until then ACM cannot validate the environment\'s certificates, and its first deploy waits until CloudFormation gives up. The fixed caller reference makes a second run refuse to create the zone twice. Then check the delegation with `dig +short NS <zone>`.',
      '',
      ...markdownFence('sh', delegations.flatMap((zone) => zone.commands)),
      '',
    );
  }
  return lines;
}

/**
 * The GitHub environments before anything names them: GitHub creates a missing environment the
 * first time a job references it, with no protection rules, so any branch could deploy with it.
 */
function githubItems(model: PlatformModel): string[] {
  const names = model.environments.map((e) => markdownCode(e.name)).join(', ');
  const approving = model.environments.filter((e) => e.approval).map((e) => markdownCode(e.name));
  const items = [
    `- The GitHub environment${model.environments.length === 1 ? '' : 's'} ${names} with deployments from ${markdownCode(model.github.branch)} only${approving.length > 0 ? ` and the required reviewers of ${approving.join(', ')}` : ''}, before the first push: ${markdownCode(`GITHUB_TOKEN=<token with admin rights> npx gantry github setup --spec ${model.specFile}`)} (${markdownCode('--dry-run')} shows what it would change). Without ${model.environments.length === 1 ? 'it' : 'them'} GitHub creates an environment when a workflow first names it, with no protection rules, and a workflow run from any branch could assume the deploy role.`,
  ];
  if (model.github.ownerId === undefined) {
    items.push(`- ${markdownCode('github.ownerId')} and ${markdownCode('github.repositoryId')} in the spec (${markdownCode('gantry github setup')} prints them; or ${markdownCode(`gh api repos/${model.github.repository} --jq '.owner.id, .id'`)}): then the roles accept GitHub's immutable OIDC subject (${markdownCode('repo:OWNER@OWNER_ID/REPO@REPO_ID:…')}) for this repository's ids only, instead of for any repository that has its names.`);
  }
  const secrets = [...new Set(model.environments.map((e) => e.notifications.webhookSecret).filter((s): s is string => s !== undefined))];
  for (const secret of secrets) {
    items.push(`- The Slack incoming-webhook URL as the repository secret ${markdownCode(secret)} (${markdownCode(`gh secret set ${secret} --repo ${model.github.repository}`)}), for the workflows' messages.`);
  }
  return items;
}

/** The first AMI of each tier, in every region of the environment. */
function imageItems(environment: EnvironmentModel): string[] {
  const regions = environment.regions.map((r) => r.region);
  return (environment.regions[0]?.tiers ?? []).map((tier) => {
    const commands = regions.map((region) => markdownCode(`aws ssm put-parameter --region ${region} --type String --data-type aws:ec2:image --name ${tier.imageParameter} --value ami-…`));
    return `- ${environment.name}: an AMI id in the SSM parameter ${markdownCode(tier.imageParameter)} in ${regions.join(', ')} (tier ${markdownCode(tier.name)} launches it; ${commands.join(', ')}).`;
  });
}

/** Certificates the spec gives by ARN: they must exist, issued in the listener's region and account. */
function certificateItems(environment: EnvironmentModel): string[] {
  const items: string[] = [];
  for (const region of environment.regions) {
    for (const tier of region.tiers) {
      const arn = tier.loadBalancer.certificateArn;
      if (!arn) continue;
      items.push(`- ${environment.name}: the ACM certificate ${markdownCode(arn)} in ${region.region} of account ${markdownCode(environment.account)}, for tier ${markdownCode(tier.name)}'s HTTPS listener. If it does not exist yet, request one for the name clients use (${markdownCode(`aws acm request-certificate --region ${region.region} --domain-name NAME --validation-method DNS`)}), create the CNAME record that ${markdownCode(`aws acm describe-certificate --region ${region.region} --certificate-arn ARN --query Certificate.DomainValidationOptions`)} shows, and put its ARN in the spec (${markdownCode(`tiers.${tier.name}.loadBalancer.certificateArn`)}, or the region entry's).`);
    }
  }
  return items;
}

interface HostedZoneItem {
  readonly item: string;
  /** The commands that create and delegate an environment's own zone; none for a zone the spec names. */
  readonly commands: string[];
}

/** Each public hosted zone the stacks look up (once per account and name), and how to make it. */
function hostedZones(model: PlatformModel): HostedZoneItem[] {
  const seen = new Set<string>();
  const out: HostedZoneItem[] = [];
  for (const environment of model.environments) {
    const edge = environment.edge;
    if (!edge || seen.has(`${environment.account}/${edge.zone}`)) continue;
    seen.add(`${environment.account}/${edge.zone}`);
    const users = model.environments.filter((e) => e.account === environment.account && e.edge?.zone === edge.zone);
    const domains = users.map((e) => markdownCode(e.edge!.domain)).join(', ');
    const reference = `gantry-${model.project}-${edge.zone}`.slice(0, 128);
    if (!edge.parentZone) {
      out.push({
        item: `- ${users.map((e) => e.name).join(', ')}: the public hosted zone ${markdownCode(edge.zone)} in account ${markdownCode(environment.account)}, which DNS must reach (the registrar, or the parent zone, lists its name servers: ${markdownCode(`aws route53 get-hosted-zone --id ZONE_ID --query DelegationSet.NameServers`)}); the stacks put the records of ${domains} and validate their certificates there. To create it: ${markdownCode(`aws route53 create-hosted-zone --name ${edge.zone} --caller-reference ${reference}`)}.`,
        commands: [],
      });
      continue;
    }
    const parent = edge.parentZone;
    const nameServers = `${edge.zone}.name-servers.json`;
    out.push({
      item: `- ${users.map((e) => e.name).join(', ')}: the public hosted zone ${markdownCode(edge.zone)} in account ${markdownCode(environment.account)}, delegated from ${markdownCode(parent.name)} (account ${markdownCode(parent.account)}) by an NS record (commands below). ${markdownCode(parent.name)} can be delegated to one account only, so the stacks of ${users.map((e) => e.name).join(', ')} put their records and validate their certificates in this zone of their own.`,
      commands: [
        `# ${edge.zone}: with credentials for account ${environment.account} (${users.map((e) => e.name).join(', ')}), create the zone and keep its name servers`,
        `aws route53 create-hosted-zone --name ${edge.zone} --caller-reference ${reference} --query DelegationSet.NameServers --output json > ${nameServers}`,
        `# then with credentials for account ${parent.account}, which holds ${parent.name}: the NS record that delegates it`,
        `parent=$(aws route53 list-hosted-zones-by-name --dns-name ${parent.name} --output json | jq -r '[.HostedZones[] | select(.Name == "${parent.name}." and (.Config.PrivateZone | not))][0].Id')`,
        `aws route53 change-resource-record-sets --hosted-zone-id "\${parent##*/}" --change-batch "$(jq -c '{Changes: [{Action: "UPSERT", ResourceRecordSet: {Name: "${edge.zone}", Type: "NS", TTL: 172800, ResourceRecords: map({Value: .})}}]}' ${nameServers})"`,
      ],
    });
  }
  return out;
}

import type { EnvironmentModel, PlatformModel } from '../model/types';
import { markdownCode, markdownFence, markdownInline, markdownParagraphs, mermaidLabel } from '../render/markdown';
import { markdownHeaderLine } from '../render/yaml';
import { stackOutline } from '../stacks/registry';
import { deployTargets } from '../workflows/shared';

/** What each kind of stack holds, for the stacks table. */
const STACK_PURPOSE: Record<string, string> = {
  notifications: 'encrypted SNS topic, e-mail and Slack delivery, EventBridge rules for scaling, stack and database events',
  network: 'VPC, public/private/isolated subnets per AZ, NAT, endpoints, flow logs',
  database: 'RDS instance, replicas, TLS-only parameters, managed master secret, alarms',
  budget: 'monthly cost budget and its alerts',
  edge: 'certificate, WAF, CloudFront, site bucket, DNS records',
};

/**
 * output/README.md: what the generated files deploy, for people. Text from the spec or the command
 * line is escaped for where it lands (render/markdown.ts): a description cannot open a code fence
 * or raw HTML, a path cannot break a Mermaid label. Per environment a Mermaid diagram
 * (GitHub renders it, in pull-request diffs too), the stacks in deploy order, then the workflows
 * and how to bootstrap an account.
 */
export function buildReadme(model: PlatformModel, outDir: string): string {
  const lines: string[] = [
    markdownHeaderLine(model.specFile),
    `# ${markdownInline(model.project)}`,
    '',
    ...(model.description ? [markdownParagraphs(model.description), ''] : []),
    `The platform that ${markdownCode(model.specFile)} describes, as gantry generated it. Environments deploy in this order: ${model.environments.map((e) => `**${e.name}**`).join(', then ')}.`,
    '',
  ];
  for (const environment of model.environments) lines.push(...environmentSection(model, environment));
  lines.push(
    '## Workflows',
    '',
    '| workflow | what it does |',
    '|---|---|',
    '| `gantry-pull-request.yml` | checks the generated files, then shows each stack\'s change set in one pull-request comment |',
    `| \`gantry-deploy.yml\` | on merge to \`${model.github.branch}\`: ${model.environments.map((e) => `${e.name}${e.approval ? ' (after approval)' : ''}`).join(', then ')}; per environment, change sets first (the approver reads them in the run), then one job executes them, region after region, then the us-east-1 stacks |`,
    '| `gantry-release.yml` | puts a new AMI in a tier, batch by batch, region by region |',
    '| `gantry-rollback.yml` | puts back the last release that succeeded in every region (or a given AMI) the same way |',
    '| `gantry-drift.yml` | daily drift detection on every stack |',
    '',
    '## Deploying without the workflows',
    '',
    `- ${markdownCode(`gantry export --spec ${model.specFile} --environment ENV --region REGION`)} writes a bundle of one environment and region: its templates in deploy order, parameter files and a \`deploy.sh\` of plain AWS CLI calls (a region the spec does not list yet gets the next free CIDR).`,
    `- ${markdownCode(`gantry export --spec ${model.specFile} --format stacksets --environment ENV`)} writes the environment as CloudFormation StackSets: templates that name no account or region, a manifest of stack sets with their deployment targets in rollout order, and a \`deploy.sh\` for the SELF_MANAGED or SERVICE_MANAGED permission model.`,
    '',
    '## Bootstrapping an account',
    '',
    'Once per environment, with administrator rights, in its first region (the first environment of an account first):',
    '',
    ...markdownFence('sh', model.environments.map((e) => `aws cloudformation deploy --region ${e.regions[0]?.region} --stack-name ${e.stackNames.bootstrap} --template-file ${outDir}/${e.name}/bootstrap.yaml --capabilities CAPABILITY_NAMED_IAM`)),
    '',
  );
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

function environmentSection(model: PlatformModel, environment: EnvironmentModel): string[] {
  const lines = [
    `## ${environment.name}`,
    '',
    `Account \`${environment.account}\`, ${environment.regions.map((r) => `${r.region} (\`${r.network.cidr}\`)`).join(', ')}${environment.approval ? '; deploys wait for approval' : ''}.`,
    '',
    ...markdownFence('mermaid', diagram(environment)),
    '',
    '| order | stack | region | template | holds |',
    '|---|---|---|---|---|',
  ];
  let order = 1;
  for (const target of deployTargets(model, environment)) {
    for (const stack of stackOutline(environment, target)) {
      const kind = stack.tier ? `tier ${stack.tier}: load balancer, Auto Scaling group, rolling AMI deploys, alarms` : STACK_PURPOSE[stack.file] ?? '';
      const template = `${environment.name}/${target}/${stack.file}.yaml`;
      lines.push(`| ${order++} | \`${stack.stackName}\` | ${target === 'global' ? 'us-east-1' : target} | [${template}](${template}) | ${kind} |`);
    }
  }
  lines.push('');
  return lines;
}

/**
 * A Mermaid flowchart of one environment: edge, regions as subgraphs, tiers, database,
 * notifications. Ids are made of [A-Za-z0-9_] only; every label goes through `mermaidLabel`.
 */
function diagram(environment: EnvironmentModel): string[] {
  const id = (...parts: string[]) => parts.join('_').replace(/[^A-Za-z0-9_]/g, '_');
  const label = mermaidLabel;
  const out = ['flowchart LR', '  users((Users))'];
  const edge = environment.edge;
  if (edge) {
    out.push(`  cdn["CloudFront + WAF<br/>${label(edge.domain)}"]`, '  users --> cdn');
    if (edge.site) out.push('  site[("S3 site")]', '  cdn --> site');
  }
  environment.regions.forEach((region, index) => {
    out.push(`  subgraph ${id(region.region)}["${label(region.region)} · ${region.network.availabilityZones} AZs"]`);
    for (const tier of region.tiers) {
      out.push(`    ${id('lb', tier.name, region.region)}{{"ALB ${label(tier.name)}${tier.loadBalancer.public ? '' : ' (internal)'}"}}`);
      out.push(`    ${id(tier.name, region.region)}["${label(tier.name)}<br/>${tier.capacity.min}-${tier.capacity.max} x ${label(tier.instanceType)}, ${label(tier.os)}"]`);
      out.push(`    ${id('lb', tier.name, region.region)} --> ${id(tier.name, region.region)}`);
      for (const caller of tier.from) out.push(`    ${id(caller, region.region)} --> ${id('lb', tier.name, region.region)}`);
    }
    if (region.database) {
      const db = region.database;
      out.push(`    ${id('db', region.region)}[("${label(`${db.engine} ${db.version}`)}${db.multiAz ? ', Multi-AZ' : ''}${db.readReplicas > 0 ? `, ${db.readReplicas} replica${db.readReplicas > 1 ? 's' : ''}` : ''}")]`);
      for (const client of db.clients) out.push(`    ${id(client, region.region)} --> ${id('db', region.region)}`);
    }
    out.push(`    ${id('topic', region.region)}(["SNS topic"])`, '  end');
    for (const tier of region.tiers.filter((t) => t.loadBalancer.public)) {
      if (edge?.originTier === tier.name && index < 2) out.push(`  cdn -- "${label(edge.api?.path ?? '/*')}${index > 0 ? ' (failover)' : ''}" --> ${id('lb', tier.name, region.region)}`);
      else if (edge?.originTier !== tier.name) out.push(`  users --> ${id('lb', tier.name, region.region)}`);
    }
  });
  const slack = environment.notifications.slack;
  if (slack || environment.notifications.emails.length > 0) {
    out.push(`  alerts>"${[slack ? 'Slack' : '', environment.notifications.emails.length > 0 ? 'e-mail' : ''].filter(Boolean).join(' + ')}"]`);
    for (const region of environment.regions) out.push(`  ${id('topic', region.region)} --> alerts`);
  }
  return out;
}

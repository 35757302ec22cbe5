import { apiOriginDomainName, masterSecretName, needsOwnMasterSecret } from '../stacks/names';
import type { EnvironmentModel, PlatformModel } from '../model/types';
import { markdownCode, markdownFence, markdownInline, markdownParagraphs, mermaidLabel } from '../render/markdown';
import { markdownHeaderLine } from '../render/yaml';
import { exportName, stackOutline } from '../stacks/kinds';
import { bootstrapDeployCommand } from './bootstrap-command';
import { prerequisitesSection } from './prerequisites';
import { awsRegionOf, deployTargets } from '../workflows/shared';
import { ORIGIN_HEADER, originSecretOf, originSecretRegions } from '../stacks/origin-secret';

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
    `| \`gantry-deploy.yml\` | on merge to \`${model.github.branch}\`: ${model.environments.map((e) => `${e.name}${e.approval ? ' (after approval)' : ''}`).join(', then ')}; per environment, change sets first (the approver reads them in the run), then one job executes them, region after region, then the us-east-1 stacks, then deletes the environment's stacks the spec no longer has (tagged \`gantry:project\`, \`gantry:environment\`; listed first in the plan and the pull request's comment) |`,
    '| `gantry-release.yml` | puts a new AMI in a tier, batch by batch, region by region |',
    '| `gantry-rollback.yml` | puts back the last release that succeeded in every region (or a given AMI) the same way |',
    '| `gantry-drift.yml` | daily drift detection on every stack |',
    ...(model.environments.some((e) => originSecretOf(e)) ? ['| `gantry-origin-secret.yml` | by hand: one step of a rotation of an environment\'s secret origin header (see its section) |'] : []),
    '',
    '## Deploying without the workflows',
    '',
    `- ${markdownCode(`gantry export --spec ${model.specFile} --environment ENV --region REGION`)} writes a bundle of one environment and region: its templates in deploy order, parameter files and a \`deploy.sh\` of plain AWS CLI calls (a region the spec does not list yet gets the next free CIDR).`,
    `- ${markdownCode(`gantry export --spec ${model.specFile} --layout stacksets --environment ENV`)} writes the environment as CloudFormation StackSets: templates that name no account or region, a manifest of stack sets with their deployment targets in rollout order, and a \`deploy.sh\` for the SELF_MANAGED or SERVICE_MANAGED permission model.`,
    '',
    '## Bootstrapping an account',
    '',
    'Once per environment, with administrator rights, in its first region (the first environment of an account first):',
    '',
    ...markdownFence('sh', model.environments.map((e) => bootstrapDeployCommand(e, outDir))),
    '',
    ...prerequisitesSection(model),
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
    '| order | stack | region | template | holds | exports |',
    '|---|---|---|---|---|---|',
  ];
  let order = 1;
  let example: string | undefined;
  for (const target of deployTargets(model, environment)) {
    for (const stack of stackOutline(environment, target)) {
      const template = `${environment.name}/${target}/${stack.file}.yaml`;
      example ??= stack.exports[0] && exportName(stack.stackName, stack.exports[0]);
      lines.push(`| ${order++} | \`${stack.stackName}\` | ${awsRegionOf(target)} | [${template}](${template}) | ${stack.kind.holds(stack.place)} | ${stack.exports.map((e) => `\`${e}\``).join(', ')} |`);
    }
  }
  // CloudFormation refuses to remove an export another stack imports, or to delete its stack.
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-exports.html
  if (example) {
    lines.push('', `Each export is named \`<stack>-<output>\` (such as \`${example}\`), for your own stacks to import with \`Fn::ImportValue\` in the same region. While one of your stacks imports an export, CloudFormation refuses to remove it, and a change of the spec that drops it fails its deploy until that import is gone.`);
  }
  lines.push('', ...databaseCredentialsSection(environment), ...multiRegionSection(model, environment), ...originSecretSection(environment));
  return lines;
}

/**
 * Where the master password lives, who may read it, how the client tiers connect with IAM
 * database authentication, and, where the stack owns the secret, how to rotate it.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.DBAccounts.html
 */
function databaseCredentialsSection(environment: EnvironmentModel): string[] {
  const primary = environment.regions.find((r) => r.primary);
  const database = primary?.database;
  if (!primary || !database) return [];
  const own = needsOwnMasterSecret(environment, database);
  const clients = database.clients.length > 0 ? database.clients.map((c) => `\`${c}\``).join(', ') : 'no tier';
  const iam = database.family !== 'sqlserver';
  const lines = [
    `### ${environment.name}: database credentials`,
    '',
    own
      ? `The master password is in the secret \`${masterSecretName(primary.stackNames.database)}\` (${primary.region}), which the database stack creates and keeps: RDS cannot manage the password of an instance with read replicas ([RDS: Secrets Manager limitations](https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html#rds-secrets-manager-limitations)).`
      : `RDS manages the master password in Secrets Manager and rotates it (the database stack's \`MasterSecretArn\` output).`,
    `Only the instances of ${clients} may read it${iam ? `, and connect with IAM database authentication as the database user named after their tier (create it once with \`GRANT rds_iam\` on PostgreSQL, \`IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'\` on MySQL and MariaDB)` : ''}.`,
  ];
  if (own) {
    lines.push('', `To rotate it: generate a password (\`aws secretsmanager get-random-password --password-length 32 --exclude-punctuation\`), `
      + `set it on the instance (\`aws rds modify-db-instance --region ${primary.region} --db-instance-identifier <DatabaseIdentifier output> --master-user-password <new> --apply-immediately\`), `
      + `then store it (\`aws secretsmanager put-secret-value --region ${primary.region} --secret-id ${masterSecretName(primary.stackNames.database)} --secret-string <the secret's JSON with the new password>\`); the replicas follow their source.`);
  }
  lines.push('');
  return lines;
}

/**
 * For an environment with an API behind CloudFront: what the secret origin header protects, where
 * its secret lives, and the rotation that never refuses a request (gantry-origin-secret.sh).
 */
function originSecretSection(environment: EnvironmentModel): string[] {
  const secret = originSecretOf(environment);
  const tier = environment.edge?.originTier;
  if (!secret || !tier) return [];
  const { primary, replicas } = originSecretRegions(environment);
  const name = environment.name;
  return [
    `### ${name}: the secret origin header`,
    '',
    `The load balancers of the \`${tier}\` tier (${environment.regions.map((r) => r.region).join(', ')}) forward only requests that carry \`${ORIGIN_HEADER}\` with the value of the Secrets Manager secret \`${secret}\`, which CloudFront adds to every request to the API origin; any other request gets a 403 from the listener, even one that another account's CloudFront distribution sends past the web ACL (the load balancers' security groups admit only CloudFront's origin-facing prefix list as well). The bootstrap stack creates the secret in ${primary}, where Secrets Manager generates its value${replicas.length > 0 ? `, and replicates it to ${replicas.join(', ')}` : ''}; the stacks read their region's copy through dynamic references by version id, so no template, parameter file or log holds the value.`,
    '',
    `**Rotating it without refusing a request** (the \`${name}\` GitHub environment's reviewers approve each run):`,
    '',
    `1. Run **gantry: origin secret** (\`gantry-origin-secret.yml\`) with \`${name}\` and \`rotate\`: Secrets Manager generates a new current value (AWSCURRENT) and the old one becomes the previous (AWSPREVIOUS). It refuses while a stack does not use the current value yet, or a rotation is not finished.`,
    '2. Run **gantry: deploy**: the load balancers of every region accept both values, then the edge stack (deployed after the regions) makes CloudFront send the new one.',
    `3. Run **gantry: origin secret** with \`finish\`: the previous value is dropped. It refuses while CloudFront or a load balancer still uses the old value.`,
    '4. Run **gantry: deploy** again: the load balancers refuse the old value.',
    '',
    '`status` prints the version each stack uses. The secret has no automatic rotation: a value changed without these deploys would reach CloudFront before the load balancers accept it.',
    '',
  ];
}

/**
 * For an environment with standby regions: which region is primary, how data reaches the
 * standbys, the recovery point and time to expect, and the failover runbook.
 */
function multiRegionSection(_model: PlatformModel, environment: EnvironmentModel): string[] {
  if (environment.regions.length < 2) return [];
  const primary = environment.regions.find((r) => r.primary)!;
  const standbys = environment.regions.filter((r) => !r.primary);
  const mode = primary.database && standbys.some((r) => r.database) ? primary.database.crossRegion : 'none';
  const data: Record<string, string> = {
    replica: `RDS replicates ${primary.database?.engine ?? ''} asynchronously to a cross-region read replica in ${standbys.map((r) => r.region).join(', ')} (encrypted with that region's key). Its lag is the \`ReplicaLag\` metric, alarmed above ${primary.alarms.replicaLagSeconds} s.`,
    backups: `The primary replicates its automated backups and transaction logs to ${standbys.map((r) => r.region).join(', ')} (\`AutomaticBackupReplicationRegion\`), where the database stack holds the key, subnet group, security groups and parameter group a restore needs; no instance runs there.`,
    none: 'No data reaches the standby regions: they serve without the database after a failover.',
  };
  const recovery: Record<string, string> = {
    replica: '| cross-region read replica | the replica\'s lag at the moment of loss: typically seconds ([RDS: cross-Region read replicas](https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.XRgn.html)) | the promotion, usually minutes ([promoting a read replica](https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html)); DNS follows after the health check\'s two failed minutes and the load balancer\'s 60-second DNS TTL ([Route 53 failover](https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-configuring.html)) |',
    backups: '| replicated automated backups | minutes: transaction logs are copied as they are written, and the latest restorable time of the replicated backups trails the source ([RDS: replicating automated backups](https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReplicateBackups.html)) | the restore: from tens of minutes to hours, growing with the database size ([restoring to a point in time](https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/AutomatedBackups.PiTR.html)) |',
    none: '| none | everything in the database | — |',
  };
  const origin = environment.edge?.originTier ? apiOriginDomainName(environment.edge.domain) : undefined;
  return [
    `### ${environment.name}: regions and failover`,
    '',
    `**Primary region: ${primary.region}.** It holds the writable database${origin ? ` and answers \`${origin}\`, the API origin CloudFront uses, while its load balancer's health check passes; Route 53 answers with ${standbys[0]!.region} otherwise` : ''}. Standby: ${standbys.map((r) => `${r.region} (${r.tiers.map((t) => `${t.name} ${t.capacity.min}-${t.capacity.max}`).join(', ')})`).join(', ')}.`,
    '',
    `**How data reaches the standby:** ${data[mode]}`,
    '',
    '| mode | recovery point (data lost) | recovery time |',
    '|---|---|---|',
    recovery[mode] as string,
    '',
    '**Runbook: the primary region is lost.**',
    '',
    `1. Confirm the loss (the \`OriginHealthAlarm\` of the ${primary.region} tier stacks, the AWS Health Dashboard); a replica or backups that are far behind mean more data lost.`,
    `2. Run **gantry: failover** (\`gantry-failover.yml\`) with environment \`${environment.name}\` and the standby region; the \`${environment.name}\` GitHub environment's reviewers approve it. It shares the concurrency group of \`${environment.name}\`'s deploy jobs, so it starts once a deploy of \`${environment.name}\` that runs or waits for approval has ended (reject a waiting one), and no deploy starts during it; if a later deploy's job takes its place in the queue, it shows as cancelled: run it again.`,
    `3. It ${mode === 'replica' ? 'promotes the cross-region replica' : mode === 'backups' ? 'restores the latest replicated backup into the standby\'s database subnets' : 'skips the database'} (waiting at most 60 minutes), has RDS keep the master password in the standby's Secrets Manager, ${origin ? `swaps the failover records of \`${origin}\` so the standby stays primary even when the old region returns, ` : ''}reports to Slack and prints the spec change.`,
    `4. ${mode === 'replica' ? 'The standby\'s tiers already use the promoted instance (its database stack exports the endpoint in that region); point them at the new master secret.' : mode === 'backups' ? 'Point the standby\'s applications at the restored instance\'s endpoint and master secret (the job summary names them).' : 'Check that the standby serves what it should without the data.'} Commit the printed spec change (\`role: primary\` on the promoted region), run \`gantry generate\` and merge: the old primary's stacks are rebuilt as the standby when its region is back.`,
    '',
  ];
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
    out.push(`  subgraph ${id(region.region)}["${label(region.region)} · ${region.network.availabilityZones} AZs${environment.regions.length > 1 ? ` · ${region.role}` : ''}"]`);
    for (const tier of region.tiers) {
      out.push(`    ${id('lb', tier.name, region.region)}{{"ALB ${label(tier.name)}${tier.loadBalancer.public ? '' : ' (internal)'}"}}`);
      out.push(`    ${id(tier.name, region.region)}["${label(tier.name)}<br/>${tier.capacity.min}-${tier.capacity.max} x ${label(tier.instanceType)}, ${label(tier.os)}"]`);
      out.push(`    ${id('lb', tier.name, region.region)} --> ${id(tier.name, region.region)}`);
      for (const caller of tier.from) out.push(`    ${id(caller, region.region)} --> ${id('lb', tier.name, region.region)}`);
    }
    if (region.database && region.databaseRole === 'backups') {
      out.push(`    ${id('db', region.region)}[("replicated backups<br/>restored on failover")]`);
    } else if (region.database) {
      const db = region.database;
      if (region.databaseRole === 'replica') out.push(`    ${id('db', region.region)}[("cross-region replica<br/>promoted on failover")]`);
      else out.push(`    ${id('db', region.region)}[("${label(`${db.engine} ${db.version}`)}${db.multiAz ? ', Multi-AZ' : ''}${db.readReplicas > 0 ? `, ${db.readReplicas} replica${db.readReplicas > 1 ? 's' : ''}` : ''}")]`);
      for (const client of db.clients) out.push(`    ${id(client, region.region)} --> ${id('db', region.region)}`);
    }
    out.push(`    ${id('topic', region.region)}(["SNS topic"])`, '  end');
    for (const tier of region.tiers.filter((t) => t.loadBalancer.public)) {
      if (edge?.originTier === tier.name && index < 2) out.push(`  cdn -- "${label(edge.api?.path ?? '/*')}${index > 0 ? ' (failover)' : ''}" --> ${id('lb', tier.name, region.region)}`);
      else if (edge?.originTier !== tier.name) out.push(`  users --> ${id('lb', tier.name, region.region)}`);
    }
  });
  // How data reaches the standbys.
  const primary = environment.regions.find((r) => r.primary);
  for (const standby of environment.regions.filter((r) => !r.primary && r.database)) {
    if (primary?.database) out.push(`  ${id('db', primary.region)} -. "${standby.databaseRole === 'replica' ? 'asynchronous replication' : 'backups + transaction logs'}" .-> ${id('db', standby.region)}`);
  }
  const slack = environment.notifications.slack;
  if (slack || environment.notifications.emails.length > 0) {
    out.push(`  alerts>"${[slack ? 'Slack' : '', environment.notifications.emails.length > 0 ? 'e-mail' : ''].filter(Boolean).join(' + ')}"]`);
    for (const region of environment.regions) out.push(`  ${id('topic', region.region)} --> alerts`);
  }
  return out;
}

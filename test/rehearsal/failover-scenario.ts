/**
 * The failover scenario (issue 16, item 3): on the deployed accounts, the primary region of an
 * environment with a standby is lost (its regional endpoints answer nothing, its health checks fail),
 * and the team runs gantry-failover.yml for the standby, approval granted. Checked as AWS and the team
 * would see it: the standby's replica was promoted (or, for `crossRegion: backups`, an instance
 * restored from the replicated backups), with the master secret in the standby; `api-origin.<domain>`
 * answers from the standby, and keeps doing so when the old primary comes back with its stale
 * database; Slack heard of it if the spec configures Slack; the run printed the spec change that makes
 * the standby the primary, and that change is a valid spec whose primary is the standby; no call went
 * to the lost region, and none was denied.
 */
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { readSpec } from '../../generator/pipeline';
import type { EnvironmentModel } from '../../generator/model/types';
import { apiOriginDomainName } from '../../generator/stacks/names';
import type { DbInstance } from './aws/rds';
import { Rehearsal, type EnvironmentPlan } from './rehearsal';
import { failures } from './scenarios';

type Outcome = string[] | { notApplicable: string };

function output(r: Rehearsal, account: string, region: string, stackName: string, key: string): string | undefined {
  const stack = r.standIn.world.region(account, region).stacks.find((s) => s.name === stackName && s.status !== 'DELETE_COMPLETE');
  return stack?.outputs.find((o) => o.OutputKey === key)?.OutputValue;
}

/** The region of the load balancer Route 53 answers `name` with, if it answers with one. */
function answeringRegion(r: Rehearsal, environment: EnvironmentModel, name: string): string | undefined {
  const zone = r.standIn.world.account(environment.account).hostedZones.find((z) => z.name === `${environment.edge?.zone}.`);
  const record = zone ? r.standIn.route53.answer(zone.id, name) : undefined;
  return record?.AliasTarget?.DNSName.match(/\.([a-z]{2}(?:-[a-z]+)+-\d)\.elb\.amazonaws\.com\.$/)?.[1] ?? (record ? `a record that is no load balancer (${JSON.stringify(record)})` : undefined);
}

/** The spec with the roles the run printed applied to the environment's regions (each entry keeps its name and cidr). */
function specWithRoles(specText: string, environment: string, roles: Map<string, string>): string {
  const spec = yaml.load(specText) as { environments: Record<string, { regions: (string | { name: string })[] }> };
  const regions = spec.environments[environment]?.regions ?? [];
  spec.environments[environment] = {
    ...spec.environments[environment],
    regions: regions.map((entry) => {
      const name = typeof entry === 'string' ? entry : entry.name;
      return { ...(typeof entry === 'string' ? { name } : entry), ...(roles.has(name) ? { role: roles.get(name) } : {}) };
    }),
  } as { regions: { name: string }[] };
  return yaml.dump(spec);
}

function databaseProblems(r: Rehearsal, environment: EnvironmentModel, standby: string, primary: string): string[] {
  const standbyRegion = environment.regions.find((x) => x.region === standby);
  const primaryDatabase = environment.regions.find((x) => x.primary)?.database;
  const mode = standbyRegion?.databaseRole;
  if (!standbyRegion || !primaryDatabase || (mode !== 'replica' && mode !== 'backups')) return [];
  const stackName = standbyRegion.stackNames.database;
  const keyArn = output(r, environment.account, standby, stackName, 'KeyArn');
  const problems: string[] = [];
  let instance: DbInstance | undefined;
  if (mode === 'replica') {
    const id = output(r, environment.account, standby, stackName, 'DatabaseIdentifier');
    instance = id ? r.standIn.rds.instance(environment.account, standby, id) : undefined;
    if (!instance) return [`the standby's database stack ${stackName} has no replica instance in ${standby}`];
    if (instance.readReplicaSource) problems.push(`${instance.identifier} in ${standby} is still a read replica of ${instance.readReplicaSource}: it was not promoted`);
  } else {
    instance = r.standIn.rds.instancesIn(environment.account, standby).find((i) => i.restoredFrom);
    if (!instance) return [`no instance in ${standby} was restored from the automated backups replicated from ${primary}`];
    const backup = r.standIn.rds.backups.find((b) => b.arn === instance?.restoredFrom);
    if (backup?.sourceRegion !== primary) problems.push(`${instance.identifier} was restored from ${instance.restoredFrom}, not from the backups of ${primary}'s database`);
    const subnetGroup = output(r, environment.account, standby, stackName, 'SubnetGroupName');
    if (instance.subnetGroup !== subnetGroup?.toLowerCase()) problems.push(`${instance.identifier} sits in the subnet group ${instance.subnetGroup}, not the standby stack's ${subnetGroup}`);
    const securityGroup = output(r, environment.account, standby, stackName, 'DatabaseSecurityGroupId');
    if (!securityGroup || !instance.securityGroups.includes(securityGroup)) problems.push(`${instance.identifier} is not in the standby stack's database security group ${securityGroup}`);
    if (instance.instanceClass !== primaryDatabase.instanceClass) problems.push(`${instance.identifier} runs ${instance.instanceClass}, not the spec's ${primaryDatabase.instanceClass}`);
    if (instance.multiAz !== primaryDatabase.multiAz) problems.push(`${instance.identifier} is ${instance.multiAz ? '' : 'not '}Multi-AZ, unlike the spec`);
    if (!instance.deletionProtection) problems.push(`${instance.identifier} has no deletion protection`);
    if (instance.monitoringInterval === 0) problems.push(`${instance.identifier} has no enhanced monitoring`);
  }
  if (instance.status !== 'available') problems.push(`${instance.identifier} in ${standby} is ${instance.status}`);
  if (instance.backupRetentionPeriod !== primaryDatabase.backupRetentionDays) {
    problems.push(`${instance.identifier} keeps automated backups for ${instance.backupRetentionPeriod} days, not the spec's ${primaryDatabase.backupRetentionDays}`);
  }
  if (!instance.masterUserSecret) problems.push(`RDS does not manage ${instance.identifier}'s master password in ${standby}'s Secrets Manager`);
  else if (instance.masterUserSecret.KmsKeyId !== keyArn) problems.push(`${instance.identifier}'s master secret is encrypted with ${instance.masterUserSecret.KmsKeyId}, not the standby's key ${keyArn}`);
  return problems;
}

export async function failoverScenario(r: Rehearsal, plan: EnvironmentPlan[]): Promise<Outcome> {
  const specFile = path.join(r.repository, r.layout.spec);
  const model = readSpec(specFile).model;
  if (!model) return ['the spec does not validate'];
  const environment = model.environments.find((e) => e.regions.some((x) => !x.primary) && plan.some((p) => p.name === e.name));
  if (!environment) return { notApplicable: 'no environment has a standby region' };
  const primary = environment.primaryRegion;
  const standby = environment.regions.find((x) => !x.primary)?.region as string;
  const workflow = path.join(r.repository, r.layout.workflows, 'gantry-failover.yml');
  if (!fs.existsSync(workflow)) return [`${environment.name} has the standby ${standby}, but there is no ${r.layout.workflows}/gantry-failover.yml`];
  const origin = environment.edge?.originTier ? apiOriginDomainName(environment.edge.domain) : undefined;
  const problems: string[] = [];
  const world = r.standIn.world;
  if (origin && answeringRegion(r, environment, origin) !== primary) problems.push(`before the loss, ${origin} answers from ${answeringRegion(r, environment, origin)}, not the primary ${primary}`);

  world.lostRegions.add(primary);
  const callsBefore = world.calls.length;
  const slackBefore = r.standIn.slackMessages.length;
  const webhook = environment.notifications.webhookSecret;
  const slack = webhook !== undefined && fs.readFileSync(workflow, 'utf8').includes(`secrets.${webhook}`);
  let run;
  try {
    if (origin && answeringRegion(r, environment, origin) !== standby) {
      problems.push(`with ${primary} lost, Route 53 answers ${origin} from ${answeringRegion(r, environment, origin)}, not the standby ${standby} (its health check does not fail)`);
    }
    run = await r.run('gantry-failover.yml', { name: 'workflow_dispatch', inputs: { environment: environment.name, region: standby } }, {
      approve: () => true, secrets: slack ? { [webhook as string]: `${r.standIn.url}/slack` } : {},
    });
    problems.push(...failures(r, run));
    if (!run.jobs.some((j) => j.status !== 'skipped')) problems.push(`gantry-failover.yml ran no job for ${environment.name} and ${standby}`);
    problems.push(...databaseProblems(r, environment, standby, primary));
    if (origin && answeringRegion(r, environment, origin) !== standby) problems.push(`after the failover, ${origin} answers from ${answeringRegion(r, environment, origin)}, not ${standby}`);
  } finally {
    world.lostRegions.delete(primary);
  }
  // The old primary comes back, its database stale: the API must stay with the promoted region.
  if (origin && answeringRegion(r, environment, origin) !== standby) {
    problems.push(`once ${primary} is back, ${origin} answers from ${answeringRegion(r, environment, origin)} again: the failover records were not swapped`);
  }
  const lostCalls = world.calls.slice(callsBefore).filter((c) => c.region === primary && c.service !== 'route53' && c.service !== 'sts');
  if (lostCalls.length) problems.push(`the failover called the lost region: ${[...new Set(lostCalls.map((c) => `${c.service}:${c.action}`))].join(', ')} in ${primary}`);
  if (slack) {
    const messages = r.standIn.slackMessages.slice(slackBefore);
    if (!messages.some((m) => /failover/i.test(m))) problems.push(`Slack heard nothing of the failover (${messages.length} messages)`);
  }

  // The spec change the run printed: applied to the spec, it validates and names the standby primary.
  const printed = run.jobs.flatMap((j) => j.steps).map((s) => s.output).join('\n');
  const roles = new Map([...printed.matchAll(/- \{ name: ([a-z0-9-]+), role: (primary|standby) \}/g)].map((m) => [m[1] as string, m[2] as string]));
  if (roles.get(standby) !== 'primary' || roles.get(primary) !== 'standby') {
    problems.push(`the run did not print the spec change that makes ${standby} the primary and ${primary} a standby`);
  } else {
    const changed = path.join(r.scratch, 'environment-after-failover.yaml');
    fs.writeFileSync(changed, specWithRoles(fs.readFileSync(specFile, 'utf8'), environment.name, roles));
    const report = readSpec(changed);
    const after = report.model?.environments.find((e) => e.name === environment.name);
    if (!after) problems.push(`the printed spec change does not validate: ${JSON.stringify(report.diagnostics).slice(0, 400)}`);
    else if (after.primaryRegion !== standby) problems.push(`with the printed spec change, ${environment.name}'s primary is ${after.primaryRegion}, not ${standby}`);
  }
  return problems;
}

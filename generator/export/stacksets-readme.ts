import { CONSTRAINED_ZONE_IDS } from '../aws/regions';
import type { EnvironmentModel, PlatformModel } from '../model/types';
import { headerFor } from '../write/header';
import type { Parameter, StackSetEntry, StackSetInstance, StackSetsManifest } from './stacksets';

type PermissionModel = 'SELF_MANAGED' | 'SERVICE_MANAGED';

const PREFERENCES = '--operation-preferences FailureToleranceCount=0,MaxConcurrentCount=1';

/** The bundle's README: prerequisites per permission model, the stack sets in order, and the calls. */
export function stackSetsReadme(model: PlatformModel, environment: EnvironmentModel, manifest: StackSetsManifest): string {
  const region = manifest.administrationRegion;
  const images = manifest.stackSets.flatMap((s) => s.instances.filter((i) => i.imageParameter).map((i) => `\`${i.imageParameter}\` in ${i.region}`));
  return [
    headerFor('README.md', model.specFile, 'gantry export --layout stacksets'),
    `# ${model.project} ${environment.name} as CloudFormation StackSets`,
    '',
    `Environment **${environment.name}** (account \`${environment.account}\`) as ${manifest.stackSets.length} stack sets. Their templates name no account and no region:`,
    "what differs between regions (the VPC's CIDRs, the regions of the edge's origins, a given certificate) is a parameter that each stack instance sets,",
    "the load balancers' log delivery account comes from a mapping by region, and names derived from the region use `AWS::Region`.",
    'The stack sets live in the administration region, ' + `\`${region}\`` + ', and are rolled out in the order below: a stack set\'s instances exist before those of the stack sets that import their outputs.',
    '',
    '```sh',
    './deploy.sh                                      # SELF_MANAGED',
    './deploy.sh --permission-model SERVICE_MANAGED   # AWS Organizations',
    '```',
    '',
    'rolls them out with the AWS CLI (v2) and jq: it creates each stack set or updates it when its template or parameters changed, then creates',
    'or updates its stack instances one region at a time, and waits for every operation. `stacksets.json` is the manifest it reads',
    '(each stack set\'s template, parameters, capabilities, deployment targets and per-instance overrides; its JSON Schema is gantry\'s `schemas/stacksets.schema.json`).',
    '',
    '## Before the first rollout',
    '',
    '- **SELF_MANAGED**: the administrator account (the one whose credentials run `deploy.sh`) needs the role `AWSCloudFormationStackSetAdministrationRole`,',
    `  and account \`${environment.account}\` the role \`AWSCloudFormationStackSetExecutionRole\` that trusts it`,
    '  ([Grant self-managed permissions](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-prereqs-self-managed.html)). Other role names: `--administration-role-arn`, `--execution-role-name`.',
    '- **SERVICE_MANAGED**: trusted access for StackSets is turned on in AWS Organizations, and `deploy.sh` runs in the management account',
    '  or in a delegated administrator with `--call-as DELEGATED_ADMIN`. StackSets never deploys to the management account itself. The target',
    '  account\'s OU is looked up (`organizations list-parents`) unless `--organizational-unit` names it; the stack sets never auto-deploy to other accounts of the OU.',
    `- A tier's instances boot from the AMI id in an SSM parameter of account \`${environment.account}\`; put one in each region first: ${images.join(', ') || 'none'}.`,
    '- The subnets of each region go in availability zones by id (the same physical zones in every account, unlike their names): `deploy.sh` looks them up',
    `  with \`aws ec2 describe-availability-zones\` in each region, leaving out ${CONSTRAINED_ZONE_IDS.map((z) => `\`${z}\``).join(', ')}, which cannot launch current instance types. It asks with the`,
    `  credentials running it: zone ids name the same zones in every account, and the zones open to account \`${environment.account}\` are taken to be those open to these credentials' account.`,
    ...(environment.edge ? [`- The hosted zone \`${environment.edge.zone}\` is looked up by name; where the credentials running \`deploy.sh\` cannot see it, pass \`--hosted-zone-id\`.`] : []),
    '',
    '## Stack sets, in rollout order',
    '',
    '| order | stack set | template | regions | set per instance | looked up |',
    '|---|---|---|---|---|---|',
    ...manifest.stackSets.map((s, i) => `| ${i + 1} | \`${s.name}\` | [${s.template}](${s.template}) | ${s.deploymentTargets.regions.join(', ')} | ${overriddenNames(s).join(', ') || '-'} | ${s.lookups.map((l) => l.name).join(', ') || '-'} |`),
    '',
    '## The calls',
    '',
    `What \`deploy.sh\` runs on a first rollout, in \`${region}\`. Wait for each operation before the next call:`,
    `\`aws cloudformation describe-stack-set-operation --region ${region} --stack-set-name NAME --operation-id ID\` until its status is SUCCEEDED.`,
    'Values in angle brackets are filled in by `deploy.sh`: looked up when it runs, or taken from its options.',
    '',
    ...calls(manifest, 'SELF_MANAGED'),
    '<details><summary>With SERVICE_MANAGED permissions (AWS Organizations)</summary>',
    '',
    ...calls(manifest, 'SERVICE_MANAGED'),
    '</details>',
    '',
  ].join('\n');
}

function overriddenNames(stackSet: StackSetEntry): string[] {
  return [...new Set(stackSet.instances.flatMap((i) => i.parameterOverrides.map((p) => p.ParameterKey)))];
}

function calls(manifest: StackSetsManifest, model: PermissionModel): string[] {
  const region = manifest.administrationRegion;
  const lines: string[] = [];
  for (const stackSet of manifest.stackSets) {
    const capabilities = stackSet.capabilities.map((c) => ` --capabilities ${c}`).join('');
    const permissions = model === 'SELF_MANAGED' ? '--permission-model SELF_MANAGED' : '--permission-model SERVICE_MANAGED --auto-deployment Enabled=false --call-as <SELF|DELEGATED_ADMIN>';
    const template = stackSet.upload ? `--template-url https://<bucket>.s3.amazonaws.com/${stackSet.name}.yaml` : `--template-body file://${stackSet.template}`;
    const parameters = [...stackSet.parameters, ...stackSet.lookups.map((l) => lookedUp(l.name))];
    lines.push(
      '```sh',
      `aws cloudformation create-stack-set --region ${region} --stack-set-name ${stackSet.name} \\`,
      `  ${template} ${permissions}${capabilities}${parameters.length > 0 ? ` \\\n  --parameters '${JSON.stringify(parameters)}'` : ''}`,
      ...stackSet.instances.map((instance) => instanceCall(region, stackSet, instance, model)),
      '```',
      '',
    );
  }
  return lines;
}

function instanceCall(region: string, stackSet: StackSetEntry, instance: StackSetInstance, model: PermissionModel): string {
  const targets = model === 'SELF_MANAGED'
    ? `--accounts ${instance.account}`
    : `--deployment-targets OrganizationalUnitIds=<ou of ${instance.account}>,Accounts=${instance.account},AccountFilterType=INTERSECTION`;
  const overrides: Parameter[] = [...instance.parameterOverrides, ...stackSet.lookups.filter((l) => l.perRegion).map((l) => lookedUp(l.name))];
  return [
    `aws cloudformation create-stack-instances --region ${region} --stack-set-name ${stackSet.name} \\`,
    `  ${targets} --regions ${instance.region} ${PREFERENCES}${model === 'SERVICE_MANAGED' ? ' --call-as <SELF|DELEGATED_ADMIN>' : ''}`
      + (overrides.length > 0 ? ` \\\n  --parameter-overrides '${JSON.stringify(overrides)}'` : ''),
  ].join('\n');
}

function lookedUp(name: string): Parameter {
  return { ParameterKey: name, ParameterValue: `<${name}>` };
}

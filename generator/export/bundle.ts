import type { Artifact } from '../artifact';
import type { EnvironmentModel, PlatformModel } from '../model/types';
import { deployPlan, ownershipTags, type StackDeployment } from '../stacks/plan';
import { globalStacks, regionStacks, type BuiltStack } from '../stacks/registry';
import { renderTemplate } from '../render/yaml';
import { headerFor } from '../write/header';
import { APPEND_PARAMETERS_JQ, LOOKUP_FUNCTION } from './lookup-script';

/**
 * A self-contained bundle for one environment and region: its templates (and the environment's
 * us-east-1 stacks), a parameter file per stack in the JSON form `aws cloudformation deploy
 * --parameter-overrides file://…` accepts, the tags, a README and a deploy.sh that deploys the
 * stacks in order with plain AWS CLI calls.
 */
export function buildExportBundle(model: PlatformModel, environment: EnvironmentModel, region: string): Artifact[] {
  const regionModel = environment.regions.find((r) => r.region === region);
  if (!regionModel) throw new Error(`gantry bug: ${region} is not a region of ${environment.name}`);
  // Each template built once, by its path in the output folder; the plan needs only their sizes.
  const templates = new Map<string, { template: Record<string, unknown>; rendered: string }>();
  const add = (target: string) => (stack: BuiltStack) =>
    templates.set(`${environment.name}/${target}/${stack.file}.yaml`, { template: stack.template, rendered: renderTemplate(stack.template, model.specFile) });
  regionStacks(model, environment, regionModel).forEach(add(region));
  globalStacks(model, environment).forEach(add('global'));
  const bytes = (template: string) => Buffer.byteLength(templates.get(template)?.rendered ?? '');
  const plan = [...deployPlan(environment, region, bytes), ...deployPlan(environment, 'global', bytes)];

  const files: Artifact[] = [];
  const entries = plan.map((stack, index) => {
    const file = `${String(index + 1).padStart(2, '0')}-${stack.template.split('/').slice(-1)[0]!.replace(/\.yaml$/, '')}`;
    const { template, rendered } = templates.get(stack.template) as { template: Record<string, unknown>; rendered: string };
    files.push({ path: `templates/${file}.yaml`, content: rendered });
    const lookedUp = new Set(stack.lookups.map((l) => l.name));
    files.push({ path: `parameters/${file}.json`, content: `${JSON.stringify(staticParameters(template).filter((p) => !lookedUp.has(p.ParameterKey)), null, 2)}\n` });
    return { ...stack, file };
  });
  // The environment's tags, and gantry's own, which let its workflows recognise these stacks as theirs.
  const tags = [...Object.entries(environment.tags).map(([Key, Value]) => ({ Key, Value })), ...ownershipTags(model.project, environment.name)];
  files.push({ path: 'tags.json', content: `${JSON.stringify(tags, null, 2)}\n` });
  files.push({ path: 'stacks.json', content: `${JSON.stringify(entries.map(({ file, stackName, region: r, lookups, upload }) => ({ file, stackName, region: r, lookups, upload })), null, 2)}\n` });
  files.push({ path: 'deploy.sh', content: deployScript(model) });
  files.push({ path: 'README.md', content: readme(model, environment, region, entries) });
  return files;
}

/** The parameters whose values the template already knows (their defaults), spelled out for review. */
function staticParameters(template: Record<string, unknown>): { ParameterKey: string; ParameterValue: string }[] {
  const parameters = (template.Parameters ?? {}) as Record<string, { Default?: unknown }>;
  return Object.entries(parameters)
    .filter(([, p]) => p.Default !== undefined)
    .map(([key, p]) => ({ ParameterKey: key, ParameterValue: String(p.Default) }));
}

function deployScript(model: PlatformModel): string {
  return `#!/usr/bin/env bash
${headerFor('deploy.sh', model.specFile, 'gantry export')}
# Deploys this bundle's stacks in order with the AWS CLI and the credentials of the caller, who
# needs rights to create them (an administrator, or the bootstrap's execution role).
# Needs: bash, the AWS CLI v2 and jq.
set -euo pipefail
cd "$(dirname "$0")"
tags=()
while read -r tag; do tags+=("$tag"); done < <(jq -r '.[] | "\\(.Key)=\\(.Value)"' tags.json)
${LOOKUP_FUNCTION}
# Each stack's fields, and each lookup's, with one jq, separated by the ASCII unit separator (none
# of them holds one); the looked-up values are added to the stack's parameters with one more jq.
while IFS=$'\\x1f' read -r file name region upload lookups; do
  parameters=$(mktemp)
  cp "parameters/$file.json" "$parameters"
  protect_after=false
  added=()
  while IFS=$'\\x1f' read -r kind key item; do
    if [ "$kind" = deletion-protection ]; then
      # Off while the stack is created, so that a failed create can roll back (a protected load
      # balancer or DB instance would leave it ROLLBACK_FAILED); turned on right after it.
      status=$(aws cloudformation describe-stacks --region "$region" --stack-name "$name" --query 'Stacks[0].StackStatus' --output text 2>/dev/null || echo NONE)
      case "$status" in NONE | REVIEW_IN_PROGRESS) value=false; protect_after=true ;; *) value=true ;; esac
    else
      value=$(lookup "$item" "$region")
    fi
    if [ -z "$value" ] || [ "$value" = None ]; then echo "cannot look up $key for $name" >&2; exit 1; fi
    added+=("$key" "$value")
  done < <(jq -r '.[] | [.lookup, .name, tojson] | join("\\u001f")' <<<"$lookups")
  if [ "\${#added[@]}" -gt 0 ]; then
    jq ${APPEND_PARAMETERS_JQ} --args "\${added[@]}" < "$parameters" > "$parameters.new"
    mv "$parameters.new" "$parameters"
  fi
  args=(--region "$region" --stack-name "$name" --template-file "templates/$file.yaml" --capabilities CAPABILITY_IAM --no-fail-on-empty-changeset)
  if [ "$(jq length "$parameters")" -gt 0 ]; then args+=(--parameter-overrides "file://$parameters"); fi
  if [ "\${#tags[@]}" -gt 0 ]; then args+=(--tags "\${tags[@]}"); fi
  if [ "$upload" = true ]; then
    if [ -z "\${ARTIFACTS_BUCKET:-}" ]; then echo "$name is over 51,200 bytes: set ARTIFACTS_BUCKET to a bucket in $region" >&2; exit 1; fi
    args+=(--s3-bucket "$ARTIFACTS_BUCKET")
  fi
  echo "== $name ($region)"
  aws cloudformation deploy "\${args[@]}"
  if [ "$protect_after" = true ]; then
    echo "== $name ($region): deletion protection on"
    jq 'map(if .ParameterKey == "DeletionProtection" then .ParameterValue = "true" else . end)' "$parameters" > "$parameters.new"
    mv "$parameters.new" "$parameters"
    aws cloudformation deploy "\${args[@]}"
  fi
  rm -f "$parameters"
done < <(jq -r '.[] | [.file, .stackName, .region, (.upload // false | tostring), (.lookups // [] | tojson)] | join("\\u001f")' stacks.json)
`;
}

function readme(model: PlatformModel, environment: EnvironmentModel, region: string, entries: (StackDeployment & { file: string })[]): string {
  return [
    headerFor('README.md', model.specFile, 'gantry export'),
    `# ${model.project} ${environment.name}, ${region}`,
    '',
    `The stacks of environment **${environment.name}** (account \`${environment.account}\`) in **${region}**, and the environment's us-east-1 stacks, ready to deploy without gantry's workflows.`,
    '',
    '```sh',
    './deploy.sh',
    '```',
    '',
    'deploys them in this order with the AWS CLI (v2) and jq, using your credentials. Parameters the templates cannot know (a hosted zone\'s id, CloudFront\'s prefix list) are looked up by `deploy.sh` at deploy time.',
    '',
    '| order | stack | region | template | parameters | looked up |',
    '|---|---|---|---|---|---|',
    ...entries.map((e, i) => `| ${i + 1} | \`${e.stackName}\` | ${e.region} | [templates/${e.file}.yaml](templates/${e.file}.yaml) | [parameters/${e.file}.json](parameters/${e.file}.json) | ${e.lookups.map((l) => l.name).join(', ') || '-'} |`),
    '',
    `A tier's instances boot from the AMI in its SSM parameter; put one there first (\`aws ssm put-parameter --region ${region} --name <parameter> --type String --data-type aws:ec2:image --value ami-…\`): ${entries.filter((e) => e.imageParameter).map((e) => `\`${e.imageParameter}\``).join(', ') || 'none'}.`,
    '',
  ].join('\n');
}

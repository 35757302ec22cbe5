import { headerLine } from '../render/yaml';

/**
 * The bash the workflows run, written beside them as gantry-*.sh (generated files like the rest,
 * so the workflow YAML stays short). It reads `gantry stacks` (the stack order, templates and
 * lookups, unit-tested in gantry) and calls the AWS CLI; it holds no knowledge of the platform
 * itself. Inputs arrive through environment variables, never through `${{ }}`.
 */

/** Prints `Key=Value` for each parameter of a stack that a deploy looks up in the account. */
const LOOKUP_PARAMETERS = `lookup_parameters() {
  local stack="$1" lookup name value
  while read -r lookup; do
    [ -n "$lookup" ] || continue
    name=$(jq -r .name <<<"$lookup")
    case "$(jq -r .lookup <<<"$lookup")" in
      hosted-zone-id)
        value=$(aws route53 list-hosted-zones-by-name --dns-name "$(jq -r .zone <<<"$lookup")" \\
          --query "HostedZones[?Name=='$(jq -r .zone <<<"$lookup").' && Config.PrivateZone==\\\`false\\\`] | [0].Id" --output text)
        value="\${value##*/}" ;;
      cloudfront-prefix-list-id)
        value=$(aws ec2 describe-managed-prefix-lists \\
          --filters Name=prefix-list-name,Values=com.amazonaws.global.cloudfront.origin-facing \\
          --query 'PrefixLists[0].PrefixListId' --output text) ;;
      stack-output)
        value=$(aws cloudformation describe-stacks --region "$(jq -r .region <<<"$lookup")" --stack-name "$(jq -r .stackName <<<"$lookup")" \\
          --query "Stacks[0].Outputs[?OutputKey=='$(jq -r .output <<<"$lookup")'].OutputValue | [0]" --output text 2>/dev/null || true) ;;
      *) echo "::error::unknown lookup $lookup" >&2; return 1 ;;
    esac
    if [ -z "$value" ] || [ "$value" = None ]; then echo "::error::cannot look up $name for $(jq -r .stackName <<<"$stack")" >&2; return 1; fi
    echo "$name=$value"
  done < <(jq -c '.lookups[]' <<<"$stack")
}`;

/** The artifacts bucket of the environment's bootstrap stack, for templates over 51,200 bytes. */
const ARTIFACTS_BUCKET = `artifacts_bucket() {
  aws cloudformation describe-stacks --region "$BOOTSTRAP_REGION" --stack-name "$BOOTSTRAP_STACK" \\
    --query "Stacks[0].Outputs[?OutputKey=='ArtifactsBucketName'].OutputValue" --output text
}`;

/**
 * Pull requests: a change set per stack, in deploy order, described to JSON and deleted again.
 * "Didn't contain changes" is no change; a missing import means an earlier stack of a new
 * environment is not deployed yet. Neither is a failure.
 */
export const PLAN_SCRIPT = `set -euo pipefail
${LOOKUP_PARAMETERS}
${ARTIFACTS_BUCKET}
describe_change_set() {
  local token="" page pages=""
  while :; do
    page=$(aws cloudformation describe-change-set --stack-name "$1" --change-set-name "$2" --output json \${token:+--next-token "$token"})
    pages="$pages$page"
    token=$(jq -r '.NextToken // empty' <<<"$page")
    [ -n "$token" ] || break
  done
  jq -s '.[0] + {Changes: (map(.Changes // []) | add)} | del(.NextToken)' <<<"$pages"
}
$GANTRY stacks --spec "$GANTRY_SPEC" --out "$GANTRY_OUT" --environment "$ENVIRONMENT" --region "$REGION" > "$RUNNER_TEMP/stacks.json"
dir="change-sets/$ENVIRONMENT/$REGION"
mkdir -p "$dir"
failed=0
while read -r stack; do
  name=$(jq -r .stackName <<<"$stack")
  template=$(jq -r .template <<<"$stack")
  change_set="gantry-pr-$PR_NUMBER-$GITHUB_RUN_ID-$GITHUB_RUN_ATTEMPT"
  status=$(aws cloudformation describe-stacks --stack-name "$name" --query 'Stacks[0].StackStatus' --output text 2>/dev/null || echo NONE)
  type=UPDATE
  if [ "$status" = NONE ] || [ "$status" = REVIEW_IN_PROGRESS ]; then type=CREATE; fi
  args=(--stack-name "$name" --change-set-name "$change_set" --change-set-type "$type" --capabilities CAPABILITY_IAM)
  if [ "$(jq -r .upload <<<"$stack")" = true ]; then
    key="pull-requests/$PR_NUMBER/$name.yaml"
    aws s3 cp --region "$BOOTSTRAP_REGION" "$template" "s3://$(artifacts_bucket)/$key"
    args+=(--template-url "https://$(artifacts_bucket).s3.$BOOTSTRAP_REGION.amazonaws.com/$key")
  else
    args+=(--template-body "file://$template")
  fi
  # A value from a stack not deployed yet (another region's, in a new environment) is waiting, not failed.
  if ! looked_up=$(lookup_parameters "$stack"); then
    jq -n --arg stack "$name" '{StackName: $stack, Status: "WAITING", StatusReason: "a parameter it looks up comes from a stack that is not deployed yet"}' > "$dir/$name.json"
    continue
  fi
  parameters=()
  while IFS='=' read -r key value; do [ -n "$key" ] && parameters+=("ParameterKey=$key,ParameterValue=$value"); done <<<"$looked_up"
  if [ "\${#parameters[@]}" -gt 0 ]; then args+=(--parameters "\${parameters[@]}"); fi
  echo "::group::$name ($type)"
  if ! aws cloudformation create-change-set "\${args[@]}" > /dev/null; then
    jq -n --arg stack "$name" '{StackName: $stack, Status: "FAILED", StatusReason: "CloudFormation refused the change set; see the job log"}' > "$dir/$name.json"
    failed=1
    echo "::endgroup::"
    continue
  fi
  if aws cloudformation wait change-set-create-complete --stack-name "$name" --change-set-name "$change_set" 2> /dev/null; then
    describe_change_set "$name" "$change_set" > "$dir/$name.json"
  else
    reason=$(aws cloudformation describe-change-set --stack-name "$name" --change-set-name "$change_set" --query StatusReason --output text)
    if [[ "$reason" == *"didn't contain changes"* || "$reason" == *"No updates are to be performed"* ]]; then
      jq -n --arg stack "$name" '{StackName: $stack, Status: "NO_CHANGES", Changes: []}' > "$dir/$name.json"
    elif [[ "$reason" == *"No export named"* ]]; then
      jq -n --arg stack "$name" --arg reason "$reason" '{StackName: $stack, Status: "WAITING", StatusReason: $reason}' > "$dir/$name.json"
    else
      jq -n --arg stack "$name" --arg reason "$reason" '{StackName: $stack, Status: "FAILED", StatusReason: $reason}' > "$dir/$name.json"
      failed=1
    fi
  fi
  aws cloudformation delete-change-set --stack-name "$name" --change-set-name "$change_set"
  echo "::endgroup::"
done < <(jq -c '.stacks[]' "$RUNNER_TEMP/stacks.json")
exit "$failed"`;

/**
 * Deploys: every stack of $ENVIRONMENT in $REGION in order (or only $ONLY_STACK) through the
 * CloudFormation execution role, waiting for each; an unchanged stack is not a failure. A failed
 * stack prints the reasons CloudFormation gives.
 */
const DEPLOY_STACKS = `deploy_stacks() {
  local stack name args overrides pair
  $GANTRY stacks --spec "$GANTRY_SPEC" --out "$GANTRY_OUT" --environment "$ENVIRONMENT" --region "$REGION" > "$RUNNER_TEMP/stacks-$REGION.json"
  while read -r stack; do
    name=$(jq -r .stackName <<<"$stack")
    if [ -n "\${ONLY_STACK:-}" ] && [ "$name" != "$ONLY_STACK" ]; then continue; fi
    args=(--stack-name "$name" --template-file "$(jq -r .template <<<"$stack")" --role-arn "$EXECUTION_ROLE_ARN"
      --capabilities CAPABILITY_IAM --no-fail-on-empty-changeset)
    overrides=()
    while read -r pair; do overrides+=("$pair"); done < <(lookup_parameters "$stack")
    if [ "\${#overrides[@]}" -gt 0 ]; then args+=(--parameter-overrides "\${overrides[@]}"); fi
    if [ "$(jq -r .upload <<<"$stack")" = true ]; then args+=(--s3-bucket "$(artifacts_bucket)" --s3-prefix "deploys/$GITHUB_SHA"); fi
    echo "::group::$name"
    if ! aws cloudformation deploy "\${args[@]}"; then
      echo "::endgroup::"
      echo "::error title=$name failed::CloudFormation rolled $name back; the reasons:"
      aws cloudformation describe-stack-events --stack-name "$name" --max-items 40 \\
        --query "StackEvents[?contains(ResourceStatus, 'FAILED')].[Timestamp, LogicalResourceId, ResourceStatusReason]" --output table
      return 1
    fi
    echo "::endgroup::"
  done < <(jq -c '.stacks[]' "$RUNNER_TEMP/stacks-$REGION.json")
}`;

export const DEPLOY_SCRIPT = `set -euo pipefail
${LOOKUP_PARAMETERS}
${ARTIFACTS_BUCKET}
${DEPLOY_STACKS}
deploy_stacks`;

/**
 * Releases and rollbacks of one tier ($MODE release or rollback). The AMI is the one given, one
 * baked from $INSTANCE_ID, or (rollback) each region's previous parameter value; it is copied to
 * every region, written to the tier's SSM parameter, and the tier's stack is updated region after
 * region, so CloudFormation replaces instances batch by batch. A failed rollout is rolled back by
 * CloudFormation; the parameter is then put back, so it names what runs.
 */
export const RELEASE_SCRIPT = `set -euo pipefail
${LOOKUP_PARAMETERS}
${ARTIFACTS_BUCKET}
${DEPLOY_STACKS}
read -r -a regions <<<"$REGIONS"
primary="\${regions[0]}"
stamp=$(date -u +%Y%m%d-%H%M%S)
wait_for_image() {
  until aws ec2 wait image-available --region "$1" --image-ids "$2"; do echo "$2 in $1 is not available yet"; done
}
ami=""
if [ "$MODE" = release ] && [ -n "$INSTANCE_ID" ]; then
  ami=$(aws ec2 create-image --region "$primary" --instance-id "$INSTANCE_ID" --name "$PROJECT-$ENVIRONMENT-$TIER-$stamp" \\
    --description "gantry release of $TIER" --query ImageId --output text)
  echo "Baking $ami from $INSTANCE_ID"
  wait_for_image "$primary" "$ami"
elif [ -n "$AMI_ID" ]; then
  ami="$AMI_ID"
elif [ "$MODE" = release ]; then
  echo "::error::give an AMI id or a build instance id to release"
  exit 1
fi
{
  echo "### $MODE of $TIER in $ENVIRONMENT"
  echo ""
  echo "| Region | Parameter | Before | After |"
  echo "|---|---|---|---|"
} >> "$GITHUB_STEP_SUMMARY"
for region in "\${regions[@]}"; do
  stack=$($GANTRY stacks --spec "$GANTRY_SPEC" --out "$GANTRY_OUT" --environment "$ENVIRONMENT" --region "$region" | jq -c --arg tier "$TIER" '.stacks[] | select(.tier == $tier)')
  if [ -z "$stack" ]; then echo "::error::$ENVIRONMENT has no tier $TIER in $region"; exit 1; fi
  name=$(jq -r .stackName <<<"$stack")
  parameter=$(jq -r .imageParameter <<<"$stack")
  before=$(aws ssm get-parameter --region "$region" --name "$parameter" --query Parameter.Value --output text 2>/dev/null || echo none)
  if [ -z "$ami" ]; then
    target=$(aws ssm get-parameter-history --region "$region" --name "$parameter" --query 'Parameters[-2].Value' --output text)
    if [ -z "$target" ] || [ "$target" = None ]; then echo "::error::$parameter in $region has no previous AMI to roll back to"; exit 1; fi
  elif [ "$region" = "$primary" ]; then
    target="$ami"
  else
    target=$(aws ec2 copy-image --region "$region" --source-region "$primary" --source-image-id "$ami" --name "$name-$stamp" --query ImageId --output text)
    echo "Copying $ami to $region as $target"
    wait_for_image "$region" "$target"
  fi
  aws ssm put-parameter --region "$region" --name "$parameter" --type String --data-type aws:ec2:image --value "$target" --overwrite > /dev/null
  echo "| $region | \\\`$parameter\\\` | $before | $target |" >> "$GITHUB_STEP_SUMMARY"
  if ! (export AWS_REGION="$region" AWS_DEFAULT_REGION="$region" REGION="$region" ONLY_STACK="$name"; deploy_stacks); then
    echo "::error title=$MODE failed::the rolling update of $name in $region failed; CloudFormation rolled it back to $before"
    if [ "$before" != none ]; then
      aws ssm put-parameter --region "$region" --name "$parameter" --type String --data-type aws:ec2:image --value "$before" --overwrite > /dev/null
    fi
    exit 1
  fi
done`;

/** Drift: detection on every stack of $ENVIRONMENT in $REGION; drifted resources go to the summary, and fail the run. */
export const DRIFT_SCRIPT = `set -euo pipefail
$GANTRY stacks --spec "$GANTRY_SPEC" --out "$GANTRY_OUT" --environment "$ENVIRONMENT" --region "$REGION" > "$RUNNER_TEMP/stacks.json"
drifted=0
echo "### Drift: $ENVIRONMENT $REGION" >> "$GITHUB_STEP_SUMMARY"
while read -r stack; do
  name=$(jq -r .stackName <<<"$stack")
  if ! aws cloudformation describe-stacks --stack-name "$name" > /dev/null 2>&1; then
    echo "- $name: not deployed" >> "$GITHUB_STEP_SUMMARY"
    continue
  fi
  id=$(aws cloudformation detect-stack-drift --stack-name "$name" --query StackDriftDetectionId --output text)
  while :; do
    read -r detection drift < <(aws cloudformation describe-stack-drift-detection-status --stack-drift-detection-id "$id" \\
      --query '[DetectionStatus, StackDriftStatus]' --output text)
    [ "$detection" = DETECTION_IN_PROGRESS ] || break
    sleep 5
  done
  if [ "$drift" = DRIFTED ]; then
    drifted=1
    echo "::error title=$name drifted::resources of $name no longer match its template"
    aws cloudformation describe-stack-resource-drifts --stack-name "$name" --stack-resource-drift-status-filters MODIFIED DELETED \\
      --query 'StackResourceDrifts[].[LogicalResourceId, ResourceType, StackResourceDriftStatus]' --output text |
      while read -r logical type status; do echo "- $name: \\\`$logical\\\` ($type) $status" >> "$GITHUB_STEP_SUMMARY"; done
  else
    echo "- $name: $drift ($detection)" >> "$GITHUB_STEP_SUMMARY"
  fi
done < <(jq -c '.stacks[]' "$RUNNER_TEMP/stacks.json")
exit "$drifted"`;


/** The script files, by name, each with gantry's header. */
export function scriptFiles(specFile: string): { path: string; content: string }[] {
  const scripts: Record<string, string> = {
    'gantry-plan.sh': PLAN_SCRIPT,
    'gantry-deploy.sh': DEPLOY_SCRIPT,
    'gantry-release.sh': RELEASE_SCRIPT,
    'gantry-drift.sh': DRIFT_SCRIPT,
  };
  return Object.entries(scripts).map(([path, script]) => ({ path, content: `${headerLine(specFile)}\n${script}\n` }));
}

/** How a workflow step runs one of the scripts. */
export function runScript(name: string): string {
  return `bash "$GANTRY_WORKFLOWS/${name}"`;
}

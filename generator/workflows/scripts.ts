/**
 * The bash the workflows run. It reads `gantry stacks` (the stack order, templates and lookups,
 * unit-tested in gantry) and calls the AWS CLI; it holds no knowledge of the platform itself.
 * Inputs arrive through environment variables, never through `${{ }}` in the script.
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
  parameters=()
  while IFS='=' read -r key value; do parameters+=("ParameterKey=$key,ParameterValue=$value"); done < <(lookup_parameters "$stack")
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
 * Deploys: every stack in order through the CloudFormation execution role, waiting for each; an
 * unchanged stack is not a failure. A failed stack prints the reasons CloudFormation gives.
 */
export const DEPLOY_SCRIPT = `set -euo pipefail
${LOOKUP_PARAMETERS}
${ARTIFACTS_BUCKET}
$GANTRY stacks --spec "$GANTRY_SPEC" --out "$GANTRY_OUT" --environment "$ENVIRONMENT" --region "$REGION" > "$RUNNER_TEMP/stacks.json"
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
    exit 1
  fi
  echo "::endgroup::"
done < <(jq -c '.stacks[]' "$RUNNER_TEMP/stacks.json")`;

# Deploys $ENVIRONMENT: the stacks of each target in $TARGETS (its regions in the spec's order,
# then 'global', its us-east-1 stacks, which read what the regions created), stack after stack,
# through change sets that the CloudFormation execution role ($EXECUTION_ROLE_ARN) runs. It runs
# in the one job per environment behind the approval gate, after the plan jobs described the
# change sets to the approver ($APPROVED_DIR); a change set that no longer matches is not run.
# Then it deletes the stacks of the environment that the spec no longer has and the approver saw
# listed for deletion, the last target first (its stacks may read the others'), after every target
# is deployed, so the stacks that used them no longer do.
# The first failure stops the deploy: later regions keep what they run.
set -euo pipefail
# shellcheck source=gantry-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/gantry-lib.sh"

read -r -a target_list <<<"${TARGETS:?the workflow sets TARGETS}"
{
  echo "### Deploy of $ENVIRONMENT"
  echo ""
  echo "Commit \`$GITHUB_SHA\`"
  echo ""
  echo "| Stack | Region | Result |"
  echo "|---|---|---|"
} >> "$GITHUB_STEP_SUMMARY"
# delete_stack NAME: deletes one stack with the execution role, turning deletion protection off
# first with an update of its parameter alone (a protected load balancer or DB instance would leave
# the stack DELETE_FAILED), and waits (bounded) until it is gone.
delete_stack() {
  local name=$1 described token status deadline others
  local -a parameters tags
  status=$(wait_stable "$name" "${DEPLOY_MINUTES:-90}") || return 1
  [ "$status" != NONE ] || return 0
  described=$(aws cloudformation describe-stacks --stack-name "$name" --output json) || return 1
  if jq -e 'any(.Stacks[0].Parameters[]?; .ParameterKey == "DeletionProtection" and .ParameterValue == "true")' <<<"$described" > /dev/null; then
    case "$status" in
      *_COMPLETE) ;;
      *)
        # No update starts from a failed state, so CloudFormation cannot turn the protection off.
        error "$name is $status and protected" "$name (no longer in the spec) is $status, so no update can turn its deletion protection off. With administrator credentials: aws elbv2 modify-load-balancer-attributes --load-balancer-arn ARN --attributes Key=deletion_protection.enabled,Value=false and aws rds modify-db-instance --db-instance-identifier ID --no-deletion-protection --apply-immediately for its load balancer or DB instance, then aws cloudformation delete-stack --region $AWS_REGION --stack-name $name"
        return 1 ;;
    esac
    echo "$name: turning deletion protection off"
    mapfile -t parameters < <(jq -r '.Stacks[0].Parameters[] | if .ParameterKey == "DeletionProtection" then "ParameterKey=DeletionProtection,ParameterValue=false" else "ParameterKey=\(.ParameterKey),UsePreviousValue=true" end' <<<"$described")
    mapfile -t tags < <(jq -r '.Stacks[0].Tags[]? | "Key=\(.Key),Value=\(.Value)"' <<<"$described")
    ledger open change-set "$name" "$CHANGE_SET-unprotect"
    aws cloudformation create-change-set --stack-name "$name" --change-set-name "$CHANGE_SET-unprotect" --change-set-type UPDATE \
      --use-previous-template --parameters "${parameters[@]}" --tags "${tags[@]}" --capabilities CAPABILITY_IAM --role-arn "$EXECUTION_ROLE_ARN" \
      --description "gantry: $GITHUB_REPOSITORY run $GITHUB_RUN_ID, deletion protection off before deleting $name" > /dev/null || return 1
    status=$(wait_change_set "$name" "$CHANGE_SET-unprotect")
    if [ "$status" = CREATE_COMPLETE ]; then
      describe_change_set "$name" "$CHANGE_SET-unprotect" > "$GANTRY_TMP/unprotect.json" || return 1
      # Only the protected resources may change: anything else (a newer AMI in its parameter, which
      # would roll the instances about to be deleted) is refused.
      others=$(jq -r '[.Changes[]? | select(.Type == "Resource") | .ResourceChange
        | select(.Action != "Modify" or .Replacement != "False" or (.ResourceType | IN("AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::RDS::DBInstance") | not))
        | .LogicalResourceId] | join(", ")' "$GANTRY_TMP/unprotect.json") || return 1
      if [ -n "$others" ]; then
        error "$name: unprotecting it would change more" "turning deletion protection off in $name would also change $others; nothing was executed or deleted. Turn the protection off by hand (aws elbv2 modify-load-balancer-attributes, aws rds modify-db-instance --no-deletion-protection) and deploy again"
        delete_change_set "$name" "$CHANGE_SET-unprotect" || true
        return 1
      fi
      execute_change_set "$name" "$CHANGE_SET-unprotect" || return 1
      status=$(wait_stable "$name" "${DEPLOY_MINUTES:-90}") || return 1
      if [ "$status" != UPDATE_COMPLETE ]; then
        error "$name still protected" "turning deletion protection off in $name ended $status; nothing was deleted"
        print_recent_failures "$name" >&2
        return 1
      fi
    elif [ "$status" != NO_CHANGES ]; then
      error "$name still protected" "the change set that turns deletion protection off in $name failed: ${status#FAILED }"
      delete_change_set "$name" "$CHANGE_SET-unprotect" || true
      return 1
    fi
  fi
  token="$CHANGE_SET-delete-$(printf '%s' "$name" | cksum | cut -d' ' -f1)"
  aws cloudformation delete-stack --stack-name "$name" --role-arn "$EXECUTION_ROLE_ARN" --client-request-token "$token" || {
    error "$name not deleted" "CloudFormation refused to delete $name"
    return 1
  }
  deadline=$((SECONDS + ${DEPLOY_MINUTES:-90} * 60))
  while :; do
    status=$(stack_status "$name") || return 1
    case "$status" in
      NONE)
        echo "$name: deleted"
        echo "| $name | $AWS_REGION | deleted |" >> "$GITHUB_STEP_SUMMARY"
        return 0 ;;
      DELETE_IN_PROGRESS) ;;
      *)
        echo "| $name | $AWS_REGION | :x: $status |" >> "$GITHUB_STEP_SUMMARY"
        stuck_error "$name" "$status" || error "$name not deleted" "deleting $name ended $status"
        print_failure_events "$name" "$token" >&2
        return 1 ;;
    esac
    if [ "$SECONDS" -ge "$deadline" ]; then
      error "$name timed out" "$name is still $status after ${DEPLOY_MINUTES:-90} minutes; CloudFormation goes on with it (see the console)"
      return 1
    fi
    sleep "$POLL_SECONDS"
  done
}

# delete_removed TARGET: deletes the stacks of TARGET's region that the spec no longer has, each only
# if the approved plan listed it for deletion; a stack whose exports another of them imports goes
# after that one. A stack still imported by a stack that stays is a failure that names the importer.
delete_removed() {
  local target=$1 name importers importer waiting progress
  local -a pending left
  export AWS_REGION AWS_DEFAULT_REGION
  AWS_REGION=$(aws_region_of "$target")
  AWS_DEFAULT_REGION=$AWS_REGION
  stacks_of "$target" > "$GANTRY_TMP/stacks-$target.json" || return 1
  removed_stacks "$GANTRY_TMP/stacks-$target.json" > "$GANTRY_TMP/removed-$target.json" || return 1
  mapfile -t pending < <(jq -r '.[].StackName' "$GANTRY_TMP/removed-$target.json")
  for name in "${pending[@]}"; do
    # The very stack the approver saw: one created again since has another id.
    if [ "$(jq -r '"\(.Status // "") \(.StackId // "")"' "$APPROVED_DIR/$target/$name.json" 2> /dev/null)" != "DELETE $(jq -r --arg name "$name" '.[] | select(.StackName == $name) | .StackId' "$GANTRY_TMP/removed-$target.json")" ]; then
      error "$name was not approved for deletion" "the spec no longer has $name, but the approved plan did not list this stack for deletion; nothing was deleted, run the deploy again"
      return 1
    fi
  done
  while [ "${#pending[@]}" -gt 0 ]; do
    progress=false
    left=()
    for name in "${pending[@]}"; do
      waiting=false
      importers=$(importers_of "$name") || return 1
      while read -r importer; do
        [ -n "$importer" ] || continue
        if [[ " ${pending[*]} " == *" $importer "* ]]; then waiting=true; continue; fi
        error "$name is still in use" "$importer imports an export of $name, which the spec no longer has; nothing of $name was deleted"
        return 1
      done <<<"$importers"
      if [ "$waiting" = true ]; then left+=("$name"); continue; fi
      echo "::group::delete $name ($target)"
      if ! delete_stack "$name"; then echo "::endgroup::"; return 1; fi
      echo "::endgroup::"
      progress=true
    done
    if [ "$progress" = false ]; then
      error "Stacks import from each other" "${pending[*]} import each other's exports; none was deleted"
      return 1
    fi
    pending=("${left[@]}")
  done
}

for target in "${target_list[@]}"; do
  deploy_target "$target"
done
# The last target first: the global stacks read the regions' (stack-output lookups).
for ((i = ${#target_list[@]} - 1; i >= 0; i--)); do
  delete_removed "${target_list[i]}"
done

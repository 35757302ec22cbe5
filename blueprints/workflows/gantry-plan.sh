# Plans every stack of $ENVIRONMENT in each target of $TARGETS (regions, or 'global' for its
# us-east-1 stacks): a change set per stack in deploy order, described to
# $PLAN_DIR/<environment>/<target>/<stack>.json and deleted again, and a summary in the job summary.
# Runs in pull requests, and in the deploy workflow before its approval gate, so what the approver
# approves is what the change sets say.
# "Didn't contain changes" is no change; a missing import means an earlier stack of a new
# environment is not deployed yet: neither is a failure. Every other failure fails the job.
# A stack of this environment that the spec no longer has (removed_stacks) is listed for deletion.
# A stack that does not exist yet is planned under a review name (see review_stack_name) and that
# empty REVIEW_IN_PROGRESS stack is deleted again; gantry-cleanup.sh does the same on cancel.
set -euo pipefail
# shellcheck source=gantry-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/gantry-lib.sh"

failed=0
read -r -a target_list <<<"${TARGETS:?the workflow sets TARGETS}"
for target in "${target_list[@]}"; do
  export AWS_REGION AWS_DEFAULT_REGION
  AWS_REGION=$(aws_region_of "$target")
  AWS_DEFAULT_REGION=$AWS_REGION
  stacks_of "$target" > "$GANTRY_TMP/stacks.json"
  dir="$PLAN_DIR/$ENVIRONMENT/$target"
  mkdir -p "$dir"
  {
    echo "### Change sets: $ENVIRONMENT $target"
    echo ""
    echo "Commit \`$GITHUB_SHA\`"
    echo ""
  } >> "$GITHUB_STEP_SUMMARY"
  while IFS=$'\x1f' read -r name stack; do
    echo "::group::$name"
    # Read in this shell, once: create_change_set runs in a subshell, protected_once_created after it.
    read_stack "$stack" || { failed=1; echo "::endgroup::"; continue; }
    status=$(wait_stable "$name" 30) || { failed=1; echo "::endgroup::"; continue; }
    if stuck_error "$name" "$status"; then
      # No change set can start from it: the deploy refuses it too, with the same steps.
      print_recent_failures "$name" >&2
      jq -n --arg stack "$name" --arg reason "the stack is $status: recover it by hand first (the plan job's log says how)" '{StackName: $stack, Status: "FAILED", StatusReason: $reason}' > "$dir/$name.json"
      echo "- **$name**: :x: $status, recover it by hand first (see the log)" >> "$GITHUB_STEP_SUMMARY"
      failed=1
      echo "::endgroup::"
      continue
    fi
    case "$status" in
      NONE | REVIEW_IN_PROGRESS | ROLLBACK_COMPLETE)
        # Not deployed (or its first creation failed, so the deploy creates it afresh).
        plan_stack=$(review_stack_name "$name")
        type=CREATE
        if [ "$(stack_status "$plan_stack")" = REVIEW_IN_PROGRESS ]; then aws cloudformation delete-stack --stack-name "$plan_stack"; fi ;;
      *) plan_stack=$name; type=UPDATE ;;
    esac
    result=$(create_change_set "$stack" "$plan_stack" "$type" "$CHANGE_SET") || { failed=1; echo "::endgroup::"; continue; }
    case "$result" in
      CREATE_COMPLETE)
        # A stack created with deletion protection off (DeletionProtection=false in this change
        # set) is protected by the same deploy right after: the plan says so.
        protect=false
        if [ "$type" = CREATE ] && protected_once_created "$stack"; then protect=true; fi
        describe_change_set "$plan_stack" "$CHANGE_SET" | jq --arg stack "$name" --arg type "$type" --argjson protect "$protect" '. + {StackName: $stack, ChangeSetType: $type} + (if $protect then {ProtectedOnceCreated: true} else {} end) | del(.NextToken)' > "$dir/$name.json"
        jq -r --arg stack "$name" '"- **\($stack)**: \(.Changes | length) change\(if (.Changes | length) == 1 then "" else "s" end)" + (if any(.Changes[]; .ResourceChange.Replacement == "True" or .ResourceChange.Action == "Remove") then " (**replaces or removes resources**)" else "" end)
          + (if .ProtectedOnceCreated then "; created without deletion protection, which the deploy turns on as soon as the stack exists" else "" end)' "$dir/$name.json" >> "$GITHUB_STEP_SUMMARY" ;;
      NO_CHANGES)
        jq -n --arg stack "$name" '{StackName: $stack, Status: "NO_CHANGES", Changes: []}' > "$dir/$name.json"
        echo "- **$name**: no changes" >> "$GITHUB_STEP_SUMMARY" ;;
      "WAITING "*)
        jq -n --arg stack "$name" --arg reason "${result#WAITING }" '{StackName: $stack, Status: "WAITING", StatusReason: $reason}' > "$dir/$name.json"
        echo "- **$name**: planned after ${result#WAITING }" >> "$GITHUB_STEP_SUMMARY" ;;
      "FAILED "*"No export named"*)
        jq -n --arg stack "$name" --arg reason "${result#FAILED }" '{StackName: $stack, Status: "WAITING", StatusReason: $reason}' > "$dir/$name.json"
        echo "- **$name**: planned after the stacks it imports from are deployed" >> "$GITHUB_STEP_SUMMARY" ;;
      *)
        jq -n --arg stack "$name" --arg reason "${result#FAILED }" '{StackName: $stack, Status: "FAILED", StatusReason: $reason}' > "$dir/$name.json"
        error "Change set of $name failed" "${result#FAILED }"
        echo "- **$name**: :x: ${result#FAILED }" >> "$GITHUB_STEP_SUMMARY"
        failed=1 ;;
    esac
    delete_change_set "$plan_stack" "$CHANGE_SET" || true
    if [ "$plan_stack" != "$name" ]; then
      if aws cloudformation delete-stack --stack-name "$plan_stack"; then ledger closed review-stack "$plan_stack"; else warning "Review stack left behind" "cannot delete $plan_stack"; fi
    fi
    echo "::endgroup::"
  done < <(jq -r '.stacks[] | [.stackName, tojson] | join("\u001f")' "$GANTRY_TMP/stacks.json")

  # gantry's stacks of this environment that the spec no longer has: the deploy deletes them once
  # approved, so the plan lists each with what it holds.
  removed_stacks "$GANTRY_TMP/stacks.json" > "$GANTRY_TMP/removed.json" || { failed=1; continue; }
  while read -r gone; do
    name=$(jq -r .StackName <<<"$gone")
    if ! resources=$(aws cloudformation list-stack-resources --stack-name "$name" --output json); then
      error "Cannot read stack $name" "cannot list the resources of $name, which the spec no longer has"
      failed=1
      continue
    fi
    jq -n --argjson stack "$gone" --argjson resources "$resources" '{StackName: $stack.StackName, StackId: $stack.StackId, Status: "DELETE", StackStatus: $stack.StackStatus,
        Unprotect: any($stack.Parameters[]?; .ParameterKey == "DeletionProtection" and .ParameterValue == "true"),
        Resources: [$resources.StackResourceSummaries[] | {LogicalResourceId, ResourceType, PhysicalResourceId}]}' > "$dir/$name.json"
    jq -r '"- **\(.StackName)**: no longer in the spec; the deploy **deletes** it and the \(.Resources | length) resources it holds (those its template retains are kept)"
      + (if .Unprotect then ", turning their deletion protection off first" else "" end)' "$dir/$name.json" >> "$GITHUB_STEP_SUMMARY"
  done < <(jq -c '.[]' "$GANTRY_TMP/removed.json")
done

# In the bootstrap's region: is the bootstrap stack what gantry generated? It is deployed by hand,
# so a change to output/<environment>/bootstrap.yaml (new roles' rights) reaches AWS only when
# someone redeploys it; the pull-request comment says so, with the command.
if [[ " $TARGETS " == *" $BOOTSTRAP_REGION "* ]]; then
  template="$GANTRY_OUT/$ENVIRONMENT/bootstrap.yaml"
  command="aws cloudformation deploy --region $BOOTSTRAP_REGION --stack-name $BOOTSTRAP_STACK --template-file $template --capabilities CAPABILITY_NAMED_IAM"
  if deployed=$(aws cloudformation get-template --region "$BOOTSTRAP_REGION" --stack-name "$BOOTSTRAP_STACK" --template-stage Original --output json 2> "$GANTRY_TMP/stderr"); then
    if [ "$(jq -r '.TemplateBody | if type == "string" then . else tojson end' <<<"$deployed")" = "$(cat "$template")" ]; then state=current; else state=outdated; fi
  elif grep -q "does not exist" "$GANTRY_TMP/stderr"; then
    state=missing
  else
    state=unknown
    warning "Bootstrap not compared" "cannot read the template of $BOOTSTRAP_STACK: $(tr '\n' ' ' < "$GANTRY_TMP/stderr")"
  fi
  jq -n --arg environment "$ENVIRONMENT" --arg stack "$BOOTSTRAP_STACK" --arg region "$BOOTSTRAP_REGION" --arg state "$state" --arg command "$command" \
    '{environment: $environment, stack: $stack, region: $region, state: $state, command: $command}' > "$PLAN_DIR/$ENVIRONMENT/bootstrap.state"
  if [ "$state" != current ]; then
    # shellcheck disable=SC2016 # the backquotes are Markdown
    printf -- '- **%s**: %s; redeploy it by hand: `%s`\n' "$BOOTSTRAP_STACK" "$state" "$command" >> "$GITHUB_STEP_SUMMARY"
  fi
fi
exit "$failed"

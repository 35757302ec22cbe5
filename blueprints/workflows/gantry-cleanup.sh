# Runs after every plan and deploy job, also when it failed or was cancelled: deletes the change
# sets named $CHANGE_SET (and $CHANGE_SET-protect) that the job may have left on the stacks of
# $ENVIRONMENT in $TARGETS (one or more regions, or 'global'); the empty review stacks of plans
# (with REVIEW_STACKS=true, in the plan jobs, whose role alone may read and delete them); and, with
# DELETE_UNUSED_STACKS=true in the deploy, a stack this run created in REVIEW_IN_PROGRESS and never
# executed, and the change set that turns deletion protection off in a stack the spec no longer has
# ($CHANGE_SET-unprotect), should the run stop before it deletes that stack. A stack in any other
# state is never touched. Problems are warnings: the job's own result already says what went wrong.
set -uo pipefail
# shellcheck source=gantry-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/gantry-lib.sh"

read -r -a target_list <<<"${TARGETS:?the workflow sets TARGETS}"
for target in "${target_list[@]}"; do
  export AWS_REGION AWS_DEFAULT_REGION
  AWS_REGION=$(aws_region_of "$target")
  AWS_DEFAULT_REGION=$AWS_REGION
  stacks_of "$target" > "$GANTRY_TMP/stacks.json" || continue
  while read -r name; do
    candidates=("$name")
    if [ "${REVIEW_STACKS:-false}" = true ]; then candidates+=("$(review_stack_name "$name")"); fi
    for stack in "${candidates[@]}"; do
      status=$(stack_status "$stack") || continue
      [ "$status" != NONE ] || continue
      delete_change_set "$stack" "$CHANGE_SET" || true
      # The update that turns deletion protection on after a create (deploy_stack) has its own name.
      if [ "$stack" = "$name" ]; then delete_change_set "$stack" "$CHANGE_SET-protect" || true; fi
      if [ "$status" = REVIEW_IN_PROGRESS ] && { [ "$stack" != "$name" ] || [ "${DELETE_UNUSED_STACKS:-false}" = true ]; }; then
        echo "Deleting $stack ($status, holds no resources)"
        aws cloudformation delete-stack --stack-name "$stack" || warning "Stack left behind" "cannot delete $stack in $AWS_REGION"
      fi
    done
  done < <(jq -r '.stacks[].stackName' "$GANTRY_TMP/stacks.json")
  if [ "${DELETE_UNUSED_STACKS:-false}" = true ]; then
    # The deploy turns deletion protection off in a stack the spec no longer has before deleting it.
    removed_stacks "$GANTRY_TMP/stacks.json" > "$GANTRY_TMP/removed.json" || continue
    while read -r name; do
      delete_change_set "$name" "$CHANGE_SET-unprotect" || true
    done < <(jq -r '.[].StackName' "$GANTRY_TMP/removed.json")
  fi
done
exit 0

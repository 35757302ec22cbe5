# Runs after every plan and deploy job, also when it failed or was cancelled: deletes what the job's
# ledger (gantry-lib.sh) lists as left open: change sets not executed or deleted (a cancel during
# their creation included), and stacks a CREATE change set brought into being that never ran,
# empty in REVIEW_IN_PROGRESS: the plans' review stacks always, the deploy's own stacks with
# DELETE_UNUSED_STACKS=true. A stack in any other state is never touched, and nothing the job did
# not make is. A job that left nothing open makes no AWS call here. Problems are warnings: the job's
# own result already says what went wrong.
set -uo pipefail
# shellcheck source=gantry-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/gantry-lib.sh"

while read -r kind region stack set_name; do
  export AWS_REGION=$region AWS_DEFAULT_REGION=$region
  case "$kind" in
    change-set) delete_change_set "$stack" "$set_name" || true ;;
    review-stack | new-stack)
      if [ "$kind" = new-stack ] && [ "${DELETE_UNUSED_STACKS:-false}" != true ]; then continue; fi
      status=$(stack_status "$stack") || continue
      [ "$status" = REVIEW_IN_PROGRESS ] || continue
      echo "Deleting $stack in $region ($status, holds no resources)"
      aws cloudformation delete-stack --stack-name "$stack" || warning "Stack left behind" "cannot delete $stack in $region"
      ;;
  esac
done < <(ledger_left)
exit 0

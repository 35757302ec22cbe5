# Deploys $ENVIRONMENT: the stacks of each target in $TARGETS (its regions in the spec's order,
# then 'global', its us-east-1 stacks, which read what the regions created), stack after stack,
# through change sets that the CloudFormation execution role ($EXECUTION_ROLE_ARN) runs. It runs
# in the one job per environment behind the approval gate, after the plan jobs described the
# change sets to the approver ($APPROVED_DIR); a change set that no longer matches is not run.
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
for target in "${target_list[@]}"; do
  deploy_target "$target"
done

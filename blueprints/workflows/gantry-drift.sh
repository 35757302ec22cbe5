# Drift detection on every stack of $ENVIRONMENT in $REGION (a region, or 'global'). Drifted
# resources go to the job summary and fail the run; so does a detection that failed (CloudFormation
# could not read some resource: that is not "in sync"). A stack not deployed yet, or only planned
# (REVIEW_IN_PROGRESS), is reported and skipped; an error reading a stack fails the run.
set -euo pipefail
# shellcheck source=gantry-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/gantry-lib.sh"

stacks_of "$REGION" > "$GANTRY_TMP/stacks.json"
result=0
echo "### Drift: $ENVIRONMENT $REGION" >> "$GITHUB_STEP_SUMMARY"
while read -r name; do
  status=$(stack_status "$name") || { result=1; echo "- $name: :x: cannot be read (see the log)" >> "$GITHUB_STEP_SUMMARY"; continue; }
  case "$status" in
    NONE) echo "- $name: not deployed" >> "$GITHUB_STEP_SUMMARY"; continue ;;
    REVIEW_IN_PROGRESS) echo "- $name: not deployed yet (only planned, $status)" >> "$GITHUB_STEP_SUMMARY"; continue ;;
    *_IN_PROGRESS) echo "- $name: skipped, an operation is running ($status)" >> "$GITHUB_STEP_SUMMARY"; continue ;;
  esac
  id=$(aws cloudformation detect-stack-drift --stack-name "$name" --output json | jq -r .StackDriftDetectionId) || {
    error "Drift detection refused" "CloudFormation refused to detect drift on $name"
    echo "- $name: :x: drift detection refused" >> "$GITHUB_STEP_SUMMARY"
    result=1
    continue
  }
  deadline=$((SECONDS + 20 * 60))
  while :; do
    detection=$(aws cloudformation describe-stack-drift-detection-status --stack-drift-detection-id "$id" --output json) || { detection='{"DetectionStatus": "UNKNOWN"}'; break; }
    [ "$(jq -r .DetectionStatus <<<"$detection")" = DETECTION_IN_PROGRESS ] || break
    if [ "$SECONDS" -ge "$deadline" ]; then detection='{"DetectionStatus": "TIMED_OUT"}'; break; fi
    sleep "$POLL_SECONDS"
  done
  state=$(jq -r .DetectionStatus <<<"$detection")
  drift=$(jq -r '.StackDriftStatus // "UNKNOWN"' <<<"$detection")
  if [ "$drift" = DRIFTED ]; then
    result=1
    error "$name drifted" "resources of $name no longer match its template"
    aws cloudformation describe-stack-resource-drifts --stack-name "$name" --stack-resource-drift-status-filters MODIFIED DELETED --output json |
      jq -r --arg stack "$name" '.StackResourceDrifts[] | "- \($stack): `\(.LogicalResourceId)` (\(.ResourceType)) \(.StackResourceDriftStatus)"' >> "$GITHUB_STEP_SUMMARY" \
      || echo "- $name: drifted (the resources could not be listed)" >> "$GITHUB_STEP_SUMMARY"
  fi
  if [ "$state" != DETECTION_COMPLETE ]; then
    result=1
    reason=$(jq -r '.DetectionStatusReason // "no reason given"' <<<"$detection")
    error "Drift detection of $name failed" "$state: $reason"
    echo "- $name: :x: drift detection $state: $reason" >> "$GITHUB_STEP_SUMMARY"
  elif [ "$drift" = IN_SYNC ]; then
    echo "- $name: in sync" >> "$GITHUB_STEP_SUMMARY"
  elif [ "$drift" != DRIFTED ]; then
    result=1
    echo "- $name: :x: $drift" >> "$GITHUB_STEP_SUMMARY"
  fi
done < <(jq -r '.stacks[].stackName' "$GANTRY_TMP/stacks.json")
exit "$result"

# Releases ($MODE=release) or rolls back ($MODE=rollback) the AMI of tier $TIER of $ENVIRONMENT in
# every region of $REGIONS, one region after another: the AMI is written to the tier's SSM
# parameter and the tier's stack is updated through a change set, so CloudFormation replaces the
# instances batch by batch and rolls back by itself when they do not signal healthy.
#
# Release history: when a release has succeeded in every region, the parameter version of each
# region gets the label gantry-release-<time>-<run> (the same in every region). A rollback reads those
# labels, not the parameter's previous version (which, after a failed release restored the old
# value, is the AMI that just failed): it restores the newest release that succeeded everywhere,
# or, when every region runs it as it was released (no failed release since), the one before; the releases it undoes lose their labels,
# so the next rollback goes further back. Regions never released by gantry have no labels and are
# left alone.
set -euo pipefail
# shellcheck source=gantry-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/gantry-lib.sh"

read -r -a regions <<<"${REGIONS:?the workflow sets REGIONS}"
primary="${regions[0]}"
stamp=$(date -u +%Y%m%d-%H%M%S)
# Labels sort as text, in the order the releases happened: the run id is zero-padded, so two runs in
# one second (or run ids of different lengths) still sort by run.
label="gantry-release-$stamp-$(printf '%015d' "$GITHUB_RUN_ID")"
# SSM keeps 100 versions of a parameter and cannot drop the oldest while it carries a label, so
# only the newest releases stay labelled.
KEEP_RELEASES=10
export REQUIRE_CHANGES=true

# image_state REGION AMI: the AMI's state (available, pending, failed, …), or "missing".
image_state() {
  local out
  out=$(aws ec2 describe-images --region "$1" --image-ids "$2" --output json 2> "$GANTRY_TMP/stderr") || {
    if grep -q -e InvalidAMIID "$GANTRY_TMP/stderr"; then echo missing; return 0; fi
    error "Cannot read $2" "$(tr '\n' ' ' < "$GANTRY_TMP/stderr")"
    return 1
  }
  jq -r '.Images[0].State // "missing"' <<<"$out"
}

# wait_for_image REGION AMI MINUTES: until the AMI is available; fails at once when it failed,
# and when it is still not available after MINUTES.
wait_for_image() {
  local deadline=$((SECONDS + $3 * 60)) state reason
  while :; do
    state=$(image_state "$1" "$2") || return 1
    case "$state" in
      available) echo "$2 is available in $1"; return 0 ;;
      pending) ;;
      missing) error "No such AMI" "$2 does not exist in $1 (or this account cannot use it)"; return 1 ;;
      *)
        reason=$(aws ec2 describe-images --region "$1" --image-ids "$2" --output json | jq -r '.Images[0].StateReason.Message // "no reason given"') || reason="unknown"
        error "AMI $2 is $state" "$2 in $1 is $state: $reason"
        return 1 ;;
    esac
    if [ "$SECONDS" -ge "$deadline" ]; then error "AMI not ready" "$2 in $1 is still $state after $3 minutes"; return 1; fi
    echo "$2 in $1 is $state; waiting"
    sleep "$POLL_SECONDS"
  done
}

# tier_stack REGION: the tier's stack in that region (empty when the region has no such tier).
tier_stack() {
  stacks_of "$1" > "$GANTRY_TMP/stacks-$1.json" || return 1
  jq -c --arg tier "$TIER" '.stacks[] | select(.tier == $tier)' "$GANTRY_TMP/stacks-$1.json"
}

# current_value REGION PARAMETER: the parameter's value, or "none" when it does not exist.
current_value() {
  local out
  out=$(aws ssm get-parameter --region "$1" --name "$2" --output json 2> "$GANTRY_TMP/stderr") || {
    if grep -q ParameterNotFound "$GANTRY_TMP/stderr"; then echo none; return 0; fi
    error "Cannot read $2" "$(tr '\n' ' ' < "$GANTRY_TMP/stderr")"
    return 1
  }
  jq -r .Parameter.Value <<<"$out"
}

# releases REGION PARAMETER: [{label, version, value}] of the parameter's labelled releases,
# newest first ([] when it has none). The CLI joins the history's pages; jq reads the whole.
releases() {
  local out
  out=$(aws ssm get-parameter-history --region "$1" --name "$2" --output json 2> "$GANTRY_TMP/stderr") || {
    if grep -q ParameterNotFound "$GANTRY_TMP/stderr"; then echo '[]'; return 0; fi
    error "Cannot read the history of $2" "$(tr '\n' ' ' < "$GANTRY_TMP/stderr")"
    return 1
  }
  jq -c '[.Parameters[] | .Version as $v | .Value as $value | (.Labels // [])[] | select(startswith("gantry-release-")) | {label: ., version: $v, value: $value}] | sort_by(.label) | reverse' <<<"$out"
}

# set_parameter REGION PARAMETER AMI: writes the AMI and prints the new version, once SSM shows
# it: parameters of data type aws:ec2:image are validated after the call returns.
set_parameter() {
  local out version deadline=$((SECONDS + 120))
  out=$(aws ssm put-parameter --region "$1" --name "$2" --type String --data-type aws:ec2:image --value "$3" --overwrite --output json) || {
    error "Cannot write $2" "put-parameter of $3 to $2 in $1 failed"
    return 1
  }
  version=$(jq -r .Version <<<"$out")
  until [ "$(current_value "$1" "$2")" = "$3" ]; do
    if [ "$SECONDS" -ge "$deadline" ]; then error "$2 not updated" "SSM did not accept $3 for $2 in $1 (the aws:ec2:image validation failed)"; return 1; fi
    sleep 5
  done
  echo "$version"
}

# roll REGION STACK PARAMETER AMI BEFORE: puts AMI in the parameter and updates the tier's stack;
# when that fails, CloudFormation has rolled the stack back and the parameter gets BEFORE again.
roll() {
  local region=$1 stack=$2 parameter=$3 ami=$4 before=$5 version
  version=$(set_parameter "$region" "$parameter" "$ami") || return 1
  if ! (export ONLY_STACK; ONLY_STACK=$(jq -r .stackName <<<"$stack"); deploy_target "$region") >&2; then
    error "$MODE failed in $region" "the rolling update of $TIER in $region failed; its stack runs $before again"
    if [ "$before" != none ]; then set_parameter "$region" "$parameter" "$before" > /dev/null || true; fi
    echo "| $region | \`$parameter\` | $before | :x: $ami (rolled back) |" >> "$GITHUB_STEP_SUMMARY"
    return 1
  fi
  echo "| $region | \`$parameter\` | $before | $ami |" >> "$GITHUB_STEP_SUMMARY"
  echo "$version"
}

{
  echo "### $MODE of $TIER in $ENVIRONMENT"
  echo ""
  echo "Commit \`$GITHUB_SHA\`"
  echo ""
  echo "| Region | Parameter | Before | After |"
  echo "|---|---|---|---|"
} >> "$GITHUB_STEP_SUMMARY"

declare -A stack_of parameter_of before_of version_of target_of
released_regions=()
for region in "${regions[@]}"; do
  stack=$(tier_stack "$region") || exit 1
  if [ -z "$stack" ]; then echo "$ENVIRONMENT has no tier $TIER in $region; skipped"; continue; fi
  stack_of[$region]=$stack
  parameter_of[$region]=$(jq -r .imageParameter <<<"$stack")
  before_of[$region]=$(current_value "$region" "${parameter_of[$region]}") || exit 1
  released_regions+=("$region")
done
if [ "${#released_regions[@]}" -eq 0 ]; then error "No tier $TIER" "$ENVIRONMENT has no tier $TIER"; exit 1; fi

if [ "$MODE" = release ] || [ -n "$AMI_ID" ]; then
  ami=""
  if [ -n "$INSTANCE_ID" ]; then
    out=$(aws ec2 describe-instances --region "$primary" --instance-ids "$INSTANCE_ID" --output json) || { error "No instance" "cannot read $INSTANCE_ID in $primary"; exit 1; }
    if jq -e '.Reservations[0].Instances[0].Tags[]? | select(.Key == "aws:autoscaling:groupName")' <<<"$out" > /dev/null; then
      error "Not a build instance" "$INSTANCE_ID belongs to an Auto Scaling group: baking an AMI from a serving instance would reboot it or image an inconsistent disk. Bake from a dedicated build instance."
      exit 1
    fi
    # A stopped instance's disks are consistent as they are; a running build instance is rebooted
    # so that the image holds a clean file system (it serves no traffic).
    reboot=--reboot
    if [ "$(jq -r '.Reservations[0].Instances[0].State.Name' <<<"$out")" = stopped ]; then reboot=--no-reboot; fi
    ami=$(aws ec2 create-image --region "$primary" --instance-id "$INSTANCE_ID" "$reboot" --name "$PROJECT-$ENVIRONMENT-$TIER-$stamp" \
      --description "gantry release of $TIER" --tag-specifications \
      "ResourceType=image,Tags=[{Key=gantry:tier,Value=$TIER},{Key=gantry:environment,Value=$ENVIRONMENT}]" \
      "ResourceType=snapshot,Tags=[{Key=gantry:tier,Value=$TIER},{Key=gantry:environment,Value=$ENVIRONMENT}]" --output json | jq -r .ImageId) \
      || { error "Cannot bake" "create-image of $INSTANCE_ID failed"; exit 1; }
    echo "Baking $ami from $INSTANCE_ID"
  elif [ -n "$AMI_ID" ]; then
    ami="$AMI_ID"
  else
    error "Nothing to release" "give an AMI id or a build instance id to release"
    exit 1
  fi
  wait_for_image "$primary" "$ami" 90 || exit 1
  if [ "${before_of[$primary]:-}" = "$ami" ]; then
    error "Nothing to release" "$TIER in $primary already runs $ami"
    exit 1
  fi
  for region in "${released_regions[@]}"; do
    if [ "$region" = "$primary" ]; then
      target="$ami"
    else
      target=$(aws ec2 copy-image --region "$region" --source-region "$primary" --source-image-id "$ami" \
        --name "$PROJECT-$ENVIRONMENT-$TIER-$stamp" --copy-image-tags --output json | jq -r .ImageId) \
        || { error "Cannot copy $ami" "copy-image to $region failed"; exit 1; }
      echo "Copying $ami to $region as $target"
      wait_for_image "$region" "$target" 90 || exit 1
    fi
    version_of[$region]=$(roll "$region" "${stack_of[$region]}" "${parameter_of[$region]}" "$target" "${before_of[$region]}") || exit 1
  done
  # Every region runs it: it becomes a release that a rollback can return to.
  for region in "${released_regions[@]}"; do
    aws ssm label-parameter-version --region "$region" --name "${parameter_of[$region]}" --parameter-version "${version_of[$region]}" --labels "$label" > /dev/null \
      || warning "Not recorded" "cannot label version ${version_of[$region]} of ${parameter_of[$region]} in $region"
    while read -r old; do
      aws ssm unlabel-parameter-version --region "$region" --name "${parameter_of[$region]}" --parameter-version "$(jq -r .version <<<"$old")" \
        --labels "$(jq -r .label <<<"$old")" > /dev/null || true
    done < <(releases "$region" "${parameter_of[$region]}" | jq -c --argjson keep "$KEEP_RELEASES" '.[$keep:][]')
  done
  echo "Released $ami as $label"
  exit 0
fi

# Rollback to the release history.
declare -A history_of
history_regions=()
for region in "${released_regions[@]}"; do
  history_of[$region]=$(releases "$region" "${parameter_of[$region]}") || exit 1
  if [ "$(jq length <<<"${history_of[$region]}")" -eq 0 ]; then
    warning "$region never released" "${parameter_of[$region]} in $region has no gantry release; $region is left as it is"
    continue
  fi
  history_regions+=("$region")
done
if [ "${#history_regions[@]}" -eq 0 ]; then error "Nothing to roll back to" "no region has a gantry release of $TIER yet"; exit 1; fi
# The releases that succeeded in every region that has a history, newest first.
common=$(for region in "${history_regions[@]}"; do jq -c '[.[].label]' <<<"${history_of[$region]}"; done | jq -s -c 'reduce .[1:][] as $l (.[0]; map(select(. as $x | $l | index($x)))) | sort | reverse')
newest=$(jq -r '.[0] // empty' <<<"$common")
if [ -z "$newest" ]; then error "Nothing to roll back to" "no release of $TIER succeeded in every region"; exit 1; fi
# Every region runs the newest release as it was released (its labelled version is the parameter's
# current one): the rollback undoes it. A failed release since then restored the value in a newer,
# unlabelled version: the newest release is what the rollback restores.
at_newest=true
for region in "${history_regions[@]}"; do
  version=$(jq -r --arg l "$newest" '.[] | select(.label == $l) | .version' <<<"${history_of[$region]}")
  out=$(aws ssm get-parameter --region "$region" --name "${parameter_of[$region]}" --output json) || {
    error "Cannot read ${parameter_of[$region]}" "get-parameter failed in $region"
    exit 1
  }
  current=$(jq -r .Parameter.Version <<<"$out")
  if [ "$current" != "$version" ]; then at_newest=false; fi
done
if [ "$at_newest" = true ]; then
  goal=$(jq -r '.[1] // empty' <<<"$common")
  if [ -z "$goal" ]; then error "Nothing to roll back to" "every region runs $newest, the only release of $TIER"; exit 1; fi
else
  goal=$newest
fi
echo "Rolling $TIER back to $goal"
for region in "${history_regions[@]}"; do
  target_of[$region]=$(jq -r --arg l "$goal" '.[] | select(.label == $l) | .value' <<<"${history_of[$region]}")
done
for region in "${history_regions[@]}"; do
  if [ "${before_of[$region]}" = "${target_of[$region]}" ]; then
    echo "| $region | \`${parameter_of[$region]}\` | ${before_of[$region]} | unchanged |" >> "$GITHUB_STEP_SUMMARY"
    continue
  fi
  wait_for_image "$region" "${target_of[$region]}" 5 || exit 1
  roll "$region" "${stack_of[$region]}" "${parameter_of[$region]}" "${target_of[$region]}" "${before_of[$region]}" > /dev/null || exit 1
done
# The releases after the goal are undone: they leave the history.
for region in "${history_regions[@]}"; do
  while read -r undone; do
    aws ssm unlabel-parameter-version --region "$region" --name "${parameter_of[$region]}" --parameter-version "$(jq -r .version <<<"$undone")" \
      --labels "$(jq -r .label <<<"$undone")" > /dev/null || warning "History not updated" "cannot unlabel $(jq -r .label <<<"$undone") in $region"
  done < <(jq -c --arg goal "$goal" '.[] | select(.label > $goal)' <<<"${history_of[$region]}")
done
echo "Rolled $TIER back to $goal"

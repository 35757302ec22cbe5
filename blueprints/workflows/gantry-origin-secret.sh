# Rotates the secret origin header of $ENVIRONMENT without refusing a request: CloudFront sends the
# secret's current version (AWSCURRENT) as X-Origin-Verify, and the API's load balancers accept the
# current and the previous version (AWSPREVIOUS). ACTION is one step of a rotation:
#   rotate  Secrets Manager generates a new value and makes it current; the old one becomes
#           previous. The next deploy brings both to the load balancers (the regions deploy first),
#           then the new one to CloudFront (the edge deploys last).
#   finish  After that deploy: the previous version is dropped, so the next deploy makes the load
#           balancers refuse the old value.
#   status  Prints which version each stack uses.
# Each step refuses when the deployed stacks are not where it expects them (a rotation twice before
# a deploy would have the load balancers refuse what CloudFront still sends). The secret lives in
# $SECRET_REGION (the bootstrap's region), replicated to the environment's other regions and
# us-east-1; $SECRET_ID is its name. No value is ever printed: only version ids.
set -euo pipefail
# shellcheck source=gantry-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/gantry-lib.sh"

: "${SECRET_ID:?the workflow sets SECRET_ID}" "${SECRET_REGION:?the workflow sets SECRET_REGION}" "${ENVIRONMENT:?the workflow sets ENVIRONMENT}"
action=${ACTION:?the workflow sets ACTION: rotate, finish or status}
read -r -a target_list <<<"${TARGETS:?the workflow sets TARGETS}"
# Seconds to wait for the replicas to hold a new version.
REPLICATION_SECONDS=${GANTRY_REPLICATION_SECONDS:-300}

# version_of REGION STAGE: the id of the secret's version with that staging label in the region, or nothing.
version_of() {
  local out
  out=$(aws secretsmanager describe-secret --region "$1" --secret-id "$SECRET_ID" --output json) || {
    error "Cannot read the origin secret" "$SECRET_ID in $1: deploy the bootstrap stack of $ENVIRONMENT first (see the README)"
    return 1
  }
  jq -r --arg stage "$2" '[.VersionIdsToStages // {} | to_entries[] | select(any(.value[]; . == $stage)) | .key][0] // empty' <<<"$out"
}

# used_versions: one line per stack that reads the secret: "STACK REGION PARAMETER STAGE DEPLOYED-VERSION-ID".
used_versions() {
  local target region stack name parameter stage deployed out
  for target in "${target_list[@]}"; do
    region=$(aws_region_of "$target")
    stacks_of "$target" > "$GANTRY_TMP/stacks-$target.json" || return 1
    while read -r stack; do
      name=$(jq -r .stackName <<<"$stack")
      out=$(aws cloudformation describe-stacks --region "$region" --stack-name "$name" --output json 2> "$GANTRY_TMP/stderr") || {
        if grep -q "does not exist" "$GANTRY_TMP/stderr"; then out='{"Stacks":[{"Parameters":[]}]}'; else error "Cannot read $name" "$(tr '\n' ' ' < "$GANTRY_TMP/stderr")"; return 1; fi
      }
      while read -r parameter stage; do
        deployed=$(jq -r --arg key "$parameter" '[.Stacks[0].Parameters[]? | select(.ParameterKey == $key) | .ParameterValue][0] // "none"' <<<"$out")
        echo "$name $region $parameter $stage $deployed"
      done < <(jq -r '.lookups[] | select(.lookup == "secret-version") | "\(.name) \(.stage)"' <<<"$stack")
    done < <(jq -c '.stacks[] | select(any(.lookups[]; .lookup == "secret-version"))' "$GANTRY_TMP/stacks-$target.json")
  done
}

# check_current_deployed: every stack's current-version parameter holds the secret's AWSCURRENT
# version id in its region; prints what differs and fails otherwise.
check_current_deployed() {
  local name region parameter stage deployed current wrong=0
  used_versions > "$GANTRY_TMP/used" || return 1
  while read -r name region parameter stage deployed; do
    [ "$stage" = AWSCURRENT ] || continue
    current=$(version_of "$region" AWSCURRENT) || return 1
    if [ "$deployed" != "$current" ]; then
      echo "$name ($region) uses version $deployed of the origin secret; the current one is $current" >&2
      wrong=1
    fi
  done < "$GANTRY_TMP/used"
  return "$wrong"
}

# wait_replicated: until every replica of the secret is in sync with the primary (bounded).
wait_replicated() {
  local deadline=$((SECONDS + REPLICATION_SECONDS)) out pending
  while :; do
    out=$(aws secretsmanager describe-secret --region "$SECRET_REGION" --secret-id "$SECRET_ID" --output json) || return 1
    pending=$(jq -r '[.ReplicationStatus[]? | select(.Status != "InSync") | "\(.Region): \(.Status)"] | join(", ")' <<<"$out")
    [ -n "$pending" ] || return 0
    if [ "$SECONDS" -ge "$deadline" ]; then
      error "Replicas not in sync" "the replicas of $SECRET_ID are still not in sync after $REPLICATION_SECONDS s ($pending); do not deploy until they are"
      return 1
    fi
    echo "waiting for the replicas of $SECRET_ID ($pending)" >&2
    sleep "$POLL_SECONDS"
  done
}

case "$action" in
  status)
    current=$(version_of "$SECRET_REGION" AWSCURRENT)
    previous=$(version_of "$SECRET_REGION" AWSPREVIOUS)
    echo "Origin secret $SECRET_ID: current version ${current:-none}, previous version ${previous:-none}"
    used_versions > "$GANTRY_TMP/used"
    while read -r name region parameter stage deployed; do echo "$name ($region): $parameter = $deployed ($stage)"; done < "$GANTRY_TMP/used" ;;
  rotate)
    if [ -n "$(version_of "$SECRET_REGION" AWSPREVIOUS)" ]; then
      error "A rotation is under way" "$SECRET_ID still has a previous version: deploy $ENVIRONMENT, then run this workflow with 'finish' before rotating again"
      exit 1
    fi
    if ! check_current_deployed; then
      error "Stacks behind the secret" "deploy $ENVIRONMENT first, so that CloudFront sends the current value before it becomes the previous one"
      exit 1
    fi
    umask 077
    value_file="$GANTRY_TMP/origin-secret"
    # Secrets Manager generates the value (lower case and digits: the load balancer compares header
    # values case-insensitively and reads * and ? as wildcards); it goes from file to file, never
    # into an argument list or a log.
    aws secretsmanager get-random-password --region "$SECRET_REGION" --password-length 64 --exclude-punctuation --exclude-uppercase \
      --require-each-included-type --output json | jq -j .RandomPassword > "$value_file"
    [ -s "$value_file" ] || { error "No value generated" "get-random-password returned nothing"; exit 1; }
    aws secretsmanager put-secret-value --region "$SECRET_REGION" --secret-id "$SECRET_ID" --secret-string "file://$value_file" --output json > /dev/null
    rm -f "$value_file"
    wait_replicated
    echo "The origin secret has a new current version $(version_of "$SECRET_REGION" AWSCURRENT); the old one is the previous version."
    {
      echo "### Origin secret of $ENVIRONMENT rotated"
      echo ""
      echo "Next: run **gantry: deploy** (the load balancers accept both values, then CloudFront sends the new one),"
      echo "then run this workflow again with \`finish\`."
    } >> "$GITHUB_STEP_SUMMARY" ;;
  finish)
    previous=$(version_of "$SECRET_REGION" AWSPREVIOUS)
    if [ -z "$previous" ]; then
      echo "$SECRET_ID has no previous version: no rotation to finish."
      exit 0
    fi
    if ! check_current_deployed; then
      error "Deploy first" "CloudFront or a load balancer does not use the current value yet: run gantry: deploy for $ENVIRONMENT, then finish"
      exit 1
    fi
    aws secretsmanager update-secret-version-stage --region "$SECRET_REGION" --secret-id "$SECRET_ID" --version-stage AWSPREVIOUS \
      --remove-from-version-id "$previous" --output json > /dev/null
    wait_replicated
    echo "Dropped the previous version $previous of the origin secret."
    {
      echo "### Rotation of the origin secret of $ENVIRONMENT finished"
      echo ""
      echo "Next: run **gantry: deploy**: the load balancers then refuse the old value."
    } >> "$GITHUB_STEP_SUMMARY" ;;
  *)
    error "Unknown action" "ACTION is $action; expected rotate, finish or status"
    exit 2 ;;
esac

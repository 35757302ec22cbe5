# shellcheck shell=bash
# What the gantry-*.sh scripts share; they source it, it runs nothing by itself. Every AWS call's
# failure is checked where it is made (`set -e` does not reach into `$(…)` used in a condition),
# every wait is bounded, and JSON is read with jq from whole responses: with `--output text`, the
# CLI applies `--query` to each page separately, so a paginated answer comes back garbled.
# Inputs arrive through environment variables, never through `${{ }}` expressions.

GANTRY_TMP=$(mktemp -d "${RUNNER_TEMP:-/tmp}/gantry.XXXXXX")
# Seconds between two polls of a long-running AWS operation.
POLL_SECONDS="${GANTRY_POLL_SECONDS:-10}"

# What this job makes that must not outlive it: its change sets, and the stacks a CREATE change set
# brings into being (empty, REVIEW_IN_PROGRESS, until it is executed). Each is written down before the
# call that makes it (a cancel can land during the call) and crossed out once it is executed or
# deleted, so gantry-cleanup.sh, which runs after the job's other steps even when they failed or were
# cancelled, deletes exactly what is left and asks AWS about nothing else. RUNNER_TEMP is the job's
# own folder (emptied at its end); $CHANGE_SET is unique per run and attempt.
GANTRY_LEDGER="${GANTRY_LEDGER:-${RUNNER_TEMP:-/tmp}/gantry-ledger-${CHANGE_SET:-none}}"

# ledger open|closed change-set STACK SET | ledger open|closed review-stack|new-stack STACK: one line
# about something in $AWS_REGION.
ledger() { echo "$1 $2 ${AWS_REGION:?} $3 ${4:--}" >> "$GANTRY_LEDGER"; }

# ledger_left: what the ledger lists as still open ("KIND REGION STACK SET", change sets first), in
# the order it was made.
ledger_left() {
  [ -f "$GANTRY_LEDGER" ] || return 0
  awk '{ key = $2 " " $3 " " $4 " " $5; if (!(key in state)) order[++n] = key; state[key] = $1 }
    END { for (pass = 1; pass <= 2; pass++) for (i = 1; i <= n; i++) if (state[order[i]] == "open" && ((order[i] ~ /^change-set /) == (pass == 1))) print order[i] }' "$GANTRY_LEDGER"
}

# error TITLE MESSAGE: a GitHub error annotation (on stderr, so it never mixes with a value).
error() { echo "::error title=$1::$2" >&2; }
warning() { echo "::warning title=$1::$2" >&2; }

# The AWS region of a deploy target: its own, or us-east-1 for the environment's global stacks.
aws_region_of() { if [ "$1" = global ]; then echo us-east-1; else echo "$1"; fi; }

# stacks_of TARGET: `gantry stacks` of the environment for TARGET, as JSON (asked once per run: the
# spec and the generated files do not change while a script runs).
stacks_of() {
  local listed="$GANTRY_TMP/stacks-of-$1.json"
  if [ ! -f "$listed" ]; then
    if ! "$GANTRY" stacks --spec "$GANTRY_SPEC" --out "$GANTRY_OUT" --environment "$ENVIRONMENT" --region "$1" > "$listed.part"; then
      error "gantry stacks failed" "cannot list the stacks of $ENVIRONMENT in $1"
      return 1
    fi
    mv "$listed.part" "$listed"
  fi
  cat "$listed"
}

# stack_status NAME: the stack's status, NONE when it does not exist; any other failure of the
# call (AccessDenied, throttling, a wrong region) is an error, never "does not exist".
stack_status() {
  # One stack, one page: --query with text output is safe here (see the top of this file).
  if aws cloudformation describe-stacks --stack-name "$1" --query 'Stacks[0].StackStatus' --output text 2> "$GANTRY_TMP/stderr"; then
    return 0
  fi
  if grep -q "Stack with id $1 does not exist" "$GANTRY_TMP/stderr"; then
    echo NONE
    return 0
  fi
  error "Cannot read stack $1" "$(tr '\n' ' ' < "$GANTRY_TMP/stderr")"
  return 1
}

# wait_stable NAME MINUTES: waits until no operation runs on the stack, and prints its status.
wait_stable() {
  local name=$1 deadline=$((SECONDS + $2 * 60)) status
  while :; do
    status=$(stack_status "$name") || return 1
    case "$status" in
      REVIEW_IN_PROGRESS | *_COMPLETE | *_FAILED | NONE) echo "$status"; return 0 ;;
    esac
    if [ "$SECONDS" -ge "$deadline" ]; then
      error "$name is busy" "$name is still $status after $2 minutes; another deploy, release or rollback is changing it"
      return 1
    fi
    echo "$name is $status; waiting" >&2
    sleep "$POLL_SECONDS"
  done
}

# aws_read ARGS...: the JSON answer of an AWS read whose answer does not change while this script
# runs (a hosted zone's id, an AWS-managed prefix list, a secret's version stages), asked once per
# run: every stack that looks it up gets the same answer, and AWS's API is not asked again for it.
aws_read() {
  local file
  file="$GANTRY_TMP/read.$(printf '%s\n' "${AWS_REGION:-}" "$@" | cksum | cut -d' ' -f1).json"
  if [ ! -f "$file" ]; then
    aws "$@" --output json > "$file.part" || return 1
    mv "$file.part" "$file"
  fi
  cat "$file"
}

# read_stack STACK_JSON: one stack of `gantry stacks`, read with one jq into
#   STACK_NAME, STACK_REGION, STACK_TEMPLATE, STACK_UPLOAD (true: too large for an inline template)
#   STACK_PROTECT   true when a deletion-protection lookup turns its protection on once it exists
#   STACK_TAGS      its tags as Key=…,Value=… arguments
#   STACK_LOOKUPS   one entry per looked-up parameter: its fields (see lookup_value), unit-separated
# Reading the same stack again reads nothing: deploy_stack, create_change_set and the plan all need it.
read_stack() {
  [ "$1" != "${STACK_READ:-}" ] || return 0
  local out kind rest
  # The unit separator never occurs in a name, a path or JSON (which escapes control characters).
  out=$(jq -r '([.stackName, .region, .template, .upload, any(.lookups[]?; .lookup == "deletion-protection")] | map(tostring) | join("\u001f")),
    (.tags[]? | "tag\u001fKey=\(.Key),Value=\(.Value)"),
    (.lookups[]? | [.name, .lookup, .zone, .secretId, .stage, .region, .stackName, .output] | map(. // "" | tostring) + [tojson] | "lookup\u001f" + join("\u001f"))' <<<"$1") || return 1
  STACK_TAGS=()
  STACK_LOOKUPS=()
  {
    IFS=$'\x1f' read -r STACK_NAME STACK_REGION STACK_TEMPLATE STACK_UPLOAD STACK_PROTECT
    while IFS=$'\x1f' read -r kind rest; do
      case "$kind" in
        tag) STACK_TAGS+=("$rest") ;;
        lookup) STACK_LOOKUPS+=("$rest") ;;
      esac
    done
  } <<<"$out"
  STACK_READ=$1
}

# lookup_value KIND ZONE SECRET STAGE FROM_REGION FROM_STACK OUTPUT TYPE: the value of one parameter
# a deploy looks up in the account (an entry of STACK_LOOKUPS without its name), for a change set of
# TYPE (CREATE or UPDATE).
lookup_value() {
  local kind=$1 zone=$2 secret=$3 stage=$4 from_region=$5 from_stack=$6 output=$7 type=$8 out
  case "$kind" in
    deletion-protection)
      # Off in the change set that creates the stack, so that the rollback of a failed create can
      # delete what it made (a protected load balancer or DB instance would leave the stack
      # ROLLBACK_FAILED); on in every later one. deploy_stack runs that update right after a create.
      if [ "$type" = CREATE ]; then echo false; else echo true; fi ;;
    hosted-zone-id)
      out=$(aws_read route53 list-hosted-zones-by-name --dns-name "$zone") || return 1
      jq -r --arg name "$zone." '[.HostedZones[] | select(.Name == $name and .Config.PrivateZone == false)][0].Id // empty | sub("^/hostedzone/"; "")' <<<"$out" ;;
    cloudfront-prefix-list-id)
      # AWS-managed prefix lists have the same id in every account of a region.
      out=$(aws_read ec2 describe-managed-prefix-lists --filters Name=prefix-list-name,Values=com.amazonaws.global.cloudfront.origin-facing) || return 1
      jq -r '.PrefixLists[0].PrefixListId // empty' <<<"$out" ;;
    secret-version)
      # The id of the secret origin header's version with this staging label in this region (the
      # bootstrap replicates the secret here); AWSPREVIOUS falls back to AWSCURRENT before the
      # first rotation. Only the id: CloudFormation resolves the value, which no log ever shows.
      out=$(aws_read secretsmanager describe-secret --secret-id "$secret") || return 1
      jq -r --arg stage "$stage" '.VersionIdsToStages // {} | to_entries
        | ((map(select(any(.value[]; . == $stage))) | first) // (map(select(any(.value[]; . == "AWSCURRENT"))) | first)) | .key // empty' <<<"$out" ;;
    stack-output)
      # Another region's stack (a standby's replica reads its primary's ARN). A stack that does not
      # exist yet yields nothing, which the caller reports; any other failure is a failure.
      if ! out=$(aws cloudformation describe-stacks --region "$from_region" --stack-name "$from_stack" --output json 2> "$GANTRY_TMP/lookup-stderr"); then
        if grep -q "does not exist" "$GANTRY_TMP/lookup-stderr"; then return 0; fi
        cat "$GANTRY_TMP/lookup-stderr" >&2
        return 1
      fi
      jq -r --arg key "$output" '[.Stacks[0].Outputs[]? | select(.OutputKey == $key)][0].OutputValue // empty' <<<"$out" ;;
    *)
      echo "gantry does not know the lookup $kind" >&2
      return 1 ;;
  esac
}

# lookup_parameters STACK_JSON TYPE: prints ParameterKey=…,ParameterValue=… for every lookup of the
# stack, for a change set of TYPE; fails, naming the parameter, when a call fails or finds nothing.
# Exit status 3: what it found nothing for is another stack's output, so that stack is not deployed yet.
lookup_parameters() {
  local type=$2 entry name kind zone secret stage from_region from_stack output json value
  read_stack "$1" || return 1
  for entry in "${STACK_LOOKUPS[@]}"; do
    IFS=$'\x1f' read -r name kind zone secret stage from_region from_stack output json <<<"$entry"
    if ! value=$(lookup_value "$kind" "$zone" "$secret" "$stage" "$from_region" "$from_stack" "$output" "$type"); then
      error "Lookup failed" "cannot look up $name for $STACK_NAME: the AWS call above failed"
      return 1
    fi
    if [ -z "$value" ] && [ "$kind" = stack-output ]; then
      echo "$name comes from $from_stack in $from_region, which is not deployed yet" > "$GANTRY_TMP/waiting"
      return 3
    fi
    if [ -z "$value" ]; then
      error "Lookup found nothing" "$name for $STACK_NAME ($json) does not exist in this account and region"
      return 1
    fi
    echo "ParameterKey=$name,ParameterValue=$value"
  done
}

# removed_stacks STACKS_FILE: gantry's stacks of $ENVIRONMENT in this region that the spec no longer
# has, as a JSON array of describe-stacks entries, newest first (so a stack goes before the older
# ones it was deployed after). A stack counts only if its name has the environment's prefix, it is
# in none of the environment's targets in this region (.removal.keep of `gantry stacks`), it
# carries every one of the environment's tags, and CloudFormation runs it as the environment's
# execution role: never by its name alone. Empty unless STACKS_FILE's
# target is the one that looks after this region's removed stacks (.removal).
removed_stacks() {
  local file=$1 listed name described found='[]'
  if ! jq -e .removal "$file" > /dev/null; then echo '[]'; return 0; fi
  listed=$(aws cloudformation list-stacks --output json) || { error "Cannot list stacks" "cannot list the stacks in $AWS_REGION to find those the spec no longer has"; return 1; }
  while read -r name; do
    described=$(aws cloudformation describe-stacks --stack-name "$name" --output json) || { error "Cannot read stack $name" "cannot read $name to tell whether it is gantry's"; return 1; }
    found=$(jq -c --slurpfile plan "$file" --argjson found "$found" '.Stacks[0] as $stack
      | if all($plan[0].removal.tags[]; . as $tag | any($stack.Tags[]?; . == $tag)) and $stack.RoleARN == $plan[0].removal.executionRole
        then $found + [$stack] else $found end' <<<"$described")
  done < <(jq -r --slurpfile plan "$file" '$plan[0].removal as $removal | .StackSummaries[]
    | select(.StackStatus != "DELETE_COMPLETE" and (.StackName | startswith($removal.prefix)) and (.StackName as $name | $removal.keep | index($name) | not))
    | .StackName' <<<"$listed" | sort -u)
  jq -c 'sort_by(.CreationTime) | reverse' <<<"$found"
}

# importers_of NAME: the stacks that import one of NAME's exports, one per line (none: nothing).
importers_of() {
  local described answer exported importers=''
  described=$(aws cloudformation describe-stacks --stack-name "$1" --output json) || return 1
  while read -r exported; do
    [ -n "$exported" ] || continue
    if answer=$(aws cloudformation list-imports --export-name "$exported" --output json 2> "$GANTRY_TMP/stderr"); then
      importers+="$(jq -r '.Imports[]' <<<"$answer")"$'\n'
    elif ! grep -q "is not imported by any stack" "$GANTRY_TMP/stderr"; then
      # AWS answers an export that no stack imports with this error, not with an empty list.
      error "Cannot list imports" "cannot tell which stacks import $exported: $(tr '\n' ' ' < "$GANTRY_TMP/stderr")"
      return 1
    fi
  done < <(jq -r '.Stacks[0].Outputs[]? | .ExportName // empty' <<<"$described")
  sort -u <<<"$importers" | sed '/^$/d'
}

# artifacts_bucket: the environment's artifacts bucket (bootstrap stack output), for large templates.
artifacts_bucket() {
  local out bucket
  out=$(aws cloudformation describe-stacks --region "$BOOTSTRAP_REGION" --stack-name "$BOOTSTRAP_STACK" --output json) || {
    error "Cannot read the bootstrap stack" "$BOOTSTRAP_STACK in $BOOTSTRAP_REGION: deploy it first (see the README)"
    return 1
  }
  bucket=$(jq -r '.Stacks[0].Outputs[]? | select(.OutputKey == "ArtifactsBucketName") | .OutputValue' <<<"$out")
  if [ -z "$bucket" ]; then error "No artifacts bucket" "$BOOTSTRAP_STACK has no ArtifactsBucketName output; redeploy the bootstrap"; return 1; fi
  echo "$bucket"
}

# create_change_set STACK_JSON TARGET_STACK TYPE CHANGE_SET [ROLE_ARN]: creates the change set
# and waits (bounded) until CloudFormation has computed it. Prints CREATE_COMPLETE, NO_CHANGES,
# WAITING followed by the stack not deployed yet that it reads an output of, or FAILED followed by
# CloudFormation's reason.
create_change_set() {
  local stack=$1 target=$2 type=$3 set_name=$4 role=${5:-} template name bucket key
  local -a args parameters
  read_stack "$stack" || return 1
  template=$STACK_TEMPLATE
  name=$STACK_NAME
  args=(--stack-name "$target" --change-set-name "$set_name" --change-set-type "$type" --capabilities CAPABILITY_IAM
    --description "gantry: $GITHUB_REPOSITORY run $GITHUB_RUN_ID, commit $GITHUB_SHA")
  # The tags mark the stack as gantry's, of this environment (see removed_stacks).
  if [ "${#STACK_TAGS[@]}" -gt 0 ]; then args+=(--tags "${STACK_TAGS[@]}"); fi
  if [ -n "$role" ]; then args+=(--role-arn "$role"); fi
  if [ "$STACK_UPLOAD" = true ]; then
    bucket=$(artifacts_bucket) || return 1
    key="$UPLOAD_PREFIX/$GITHUB_RUN_ID/$name.yaml"
    aws s3 cp --only-show-errors --region "$BOOTSTRAP_REGION" "$template" "s3://$bucket/$key" || { error "Upload failed" "cannot upload $template to s3://$bucket/$key"; return 1; }
    args+=(--template-url "https://$bucket.s3.$BOOTSTRAP_REGION.amazonaws.com/$key")
  else
    args+=(--template-body "file://$template")
  fi
  lookup_parameters "$stack" "$type" > "$GANTRY_TMP/parameters" || {
    local status=$?
    if [ "$status" = 3 ]; then echo "WAITING $(cat "$GANTRY_TMP/waiting")"; return 0; fi
    return 1
  }
  mapfile -t parameters < "$GANTRY_TMP/parameters"
  if [ "${#parameters[@]}" -gt 0 ]; then args+=(--parameters "${parameters[@]}"); fi
  if [ "$type" = CREATE ]; then
    if [ "$target" = "$name" ]; then ledger open new-stack "$target"; else ledger open review-stack "$target"; fi
  fi
  ledger open change-set "$target" "$set_name"
  if ! aws cloudformation create-change-set "${args[@]}" > /dev/null 2> "$GANTRY_TMP/stderr"; then
    echo "FAILED $(tr '\n' ' ' < "$GANTRY_TMP/stderr")"
    return 0
  fi
  wait_change_set "$target" "$set_name"
}

# wait_change_set TARGET_STACK CHANGE_SET: waits (bounded) until CloudFormation has computed the
# change set; prints CREATE_COMPLETE, NO_CHANGES, or FAILED followed by the reason. A computed
# change set's description (all of it: the CLI joins the pages) is kept for describe_change_set.
wait_change_set() {
  local target=$1 set_name=$2 out status reason deadline
  deadline=$((SECONDS + 15 * 60))
  while :; do
    out=$(aws cloudformation describe-change-set --stack-name "$target" --change-set-name "$set_name" --output json) || {
      echo "FAILED cannot describe the change set $set_name of $target"
      return 0
    }
    status=$(jq -r .Status <<<"$out")
    case "$status" in
      CREATE_COMPLETE)
        printf '%s\n' "$out" > "$(described_file "$target" "$set_name")"
        echo CREATE_COMPLETE
        return 0 ;;
      FAILED)
        reason=$(jq -r '.StatusReason // "no reason given"' <<<"$out")
        if [[ "$reason" == *"didn't contain changes"* || "$reason" == *"No updates are to be performed"* ]]; then echo NO_CHANGES; else echo "FAILED $reason"; fi
        return 0 ;;
    esac
    if [ "$SECONDS" -ge "$deadline" ]; then echo "FAILED the change set was still $status after 15 minutes"; return 0; fi
    sleep "$POLL_SECONDS"
  done
}

described_file() { echo "$GANTRY_TMP/$AWS_REGION.$1.$2.json"; }

# describe_change_set TARGET_STACK CHANGE_SET: the whole change set as JSON, as wait_change_set read
# it once computed (a change set does not change after that), or from CloudFormation.
describe_change_set() {
  if [ -f "$(described_file "$1" "$2")" ]; then cat "$(described_file "$1" "$2")"; return 0; fi
  aws cloudformation describe-change-set --stack-name "$1" --change-set-name "$2" --output json
}

# execute_change_set TARGET_STACK CHANGE_SET [TOKEN]: runs it (CloudFormation then deletes it).
execute_change_set() {
  aws cloudformation execute-change-set --stack-name "$1" --change-set-name "$2" ${3:+--client-request-token "$3"} > /dev/null || return 1
  ledger closed change-set "$1" "$2"
  ledger closed new-stack "$1"
}

# delete_change_set TARGET_STACK CHANGE_SET: deletes it; a change set already gone is not an error.
delete_change_set() {
  if ! aws cloudformation delete-change-set --stack-name "$1" --change-set-name "$2" 2> "$GANTRY_TMP/stderr"; then
    if ! grep -q -e "does not exist" -e "ChangeSetNotFound" "$GANTRY_TMP/stderr"; then
      warning "Change set left behind" "cannot delete $2 of $1: $(tr '\n' ' ' < "$GANTRY_TMP/stderr")"
      return 1
    fi
  fi
  ledger closed change-set "$1" "$2"
}

# The name under which a pull request plans a stack that does not exist yet: planning it under its
# own name would leave that stack behind in REVIEW_IN_PROGRESS. The planning role may delete only
# stacks of this name, which never hold resources, so it can never delete a deployed stack.
review_stack_name() { echo "gantry-review-$1"; }

# print_failure_events NAME TOKEN: the failed events of one stack operation (the events carry the
# client request token of the execution), oldest first, so earlier deploys' failures never show.
print_failure_events() {
  local out
  out=$(aws cloudformation describe-stack-events --stack-name "$1" --max-items 500 --output json) || { warning "No events" "cannot read the events of $1"; return 0; }
  jq -r --arg token "$2" '[.StackEvents[] | select(.ClientRequestToken == $token and (.ResourceStatus | test("FAILED")))] | reverse | .[]
    | "\(.Timestamp)  \(.LogicalResourceId) (\(.ResourceType)) \(.ResourceStatus): \(.ResourceStatusReason // "")"' <<<"$out"
}

# as_approved APPROVED CURRENT: true when the described change set CURRENT changes the same resources the
# same way as the approved plan's APPROVED, or when that plan could not show it: a stack planned as
# "waiting" (its imports did not exist yet), which the approver approved creating after the stacks before it.
as_approved() {
  jq -e --slurpfile approved "$1" 'def changes: [.Changes[]? | select(.Type == "Resource") | .ResourceChange | [.LogicalResourceId, .Action, (.Replacement // "")]] | sort;
    ($approved[0].Status // "") == "WAITING" or ($approved[0] | changes) == changes' "$2" > /dev/null
}

# protected_once_created STACK_JSON: true when the stack's deletion protection is turned on only
# once the stack exists (a deletion-protection lookup).
protected_once_created() {
  read_stack "$1" && [ "$STACK_PROTECT" = true ]
}

# stuck_error NAME STATUS: for a status that no change set can start from, an ::error:: with the
# recovery steps (and success); for any other status, nothing (and failure). An UPDATE change set
# on a stack whose creation never completed is refused by CloudFormation, and retried on every push.
# ROLLBACK_FAILED: a failed first create whose rollback could not delete everything it had made.
# DELETE_FAILED: a deletion that could not delete some resources; RetainResources is allowed only there.
# UPDATE_ROLLBACK_FAILED: the one state ContinueUpdateRollback applies to.
# @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/view-stack-events.html#cfn-console-view-stack-data-resources-status-codes
# @see https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeleteStack.html
# @see https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ContinueUpdateRollback.html
stuck_error() {
  local name=$1 status=$2 where=${AWS_REGION:-}
  case "$status" in
    ROLLBACK_FAILED)
      error "$name is ROLLBACK_FAILED" "creating $name failed and CloudFormation could not delete what it had created (the events below name it; often a load balancer or DB instance with deletion protection on). The stack holds no working deploy and cannot be updated. With administrator credentials: turn deletion protection off on those resources (aws elbv2 modify-load-balancer-attributes --load-balancer-arn ARN --attributes Key=deletion_protection.enabled,Value=false; aws rds modify-db-instance --db-instance-identifier ID --no-deletion-protection --apply-immediately), then aws cloudformation delete-stack --region $where --stack-name $name; if that ends DELETE_FAILED, repeat it with --retain-resources and the logical ids it could not delete (then remove those by hand). The next deploy creates the stack afresh." ;;
    DELETE_FAILED)
      error "$name is DELETE_FAILED" "a deletion of $name could not delete some resources (the events below name them), so it can be neither updated nor created again. With administrator credentials: remove what blocks them (deletion protection, a non-empty bucket), then aws cloudformation delete-stack --region $where --stack-name $name; or keep them outside the stack with aws cloudformation delete-stack --region $where --stack-name $name --retain-resources LOGICAL_ID ... The next deploy creates the stack afresh." ;;
    UPDATE_ROLLBACK_FAILED)
      error "$name is UPDATE_ROLLBACK_FAILED" "an update of $name failed and so did its rollback. Fix the resources named below, then aws cloudformation continue-update-rollback --region $where --stack-name $name (add --resources-to-skip LOGICAL_ID ... for those that cannot be fixed); once it is UPDATE_ROLLBACK_COMPLETE, deploy again." ;;
    *) return 1 ;;
  esac
}

# print_recent_failures NAME: the stack's last failed events (its current state's cause), oldest first.
print_recent_failures() {
  local out
  out=$(aws cloudformation describe-stack-events --stack-name "$1" --max-items 200 --output json) || { warning "No events" "cannot read the events of $1"; return 0; }
  jq -r '[.StackEvents[] | select(.ResourceStatus | test("FAILED"))][:10] | reverse | .[]
    | "\(.Timestamp)  \(.LogicalResourceId) (\(.ResourceType)) \(.ResourceStatus): \(.ResourceStatusReason // "")"' <<<"$out"
}

# only_in_place_changes CHANGE_SET_FILE: true when every change modifies a resource without replacing it.
only_in_place_changes() {
  jq -e '[.Changes[]? | select(.Type == "Resource") | .ResourceChange | select(.Action != "Modify" or .Replacement != "False")] | length == 0' "$1" > /dev/null
}

# deploy_stack STACK_JSON: deploys one stack through a change set run by the execution role.
#   CHANGE_SET        the change set's name (unique per run)
#   APPROVED_DIR      optional: where the plan the approver saw lies (<region>/<stack>.json); a
#                     change set that differs from it is not executed
#   REQUIRE_CHANGES   true: a stack without changes is a failure (a release that changes nothing)
#   DEPLOY_MINUTES    how long one stack may take
#   PROTECTING        set by deploy_stack itself: the update that turns deletion protection on
#                     right after the stack was created (nothing but in-place changes allowed)
# An unchanged stack is not a failure (unless REQUIRE_CHANGES). A failed stack prints what failed
# in this deploy, and says whether CloudFormation rolled it back. A stack in a state no change set
# can start from (stuck_error) is a failure with the steps that recover it, and is left alone.
deploy_stack() {
  : "${CHANGE_SET:?the workflow sets CHANGE_SET}" "${EXECUTION_ROLE_ARN:?the workflow sets EXECUTION_ROLE_ARN}"
  local stack=$1 name target_region status type result token approved deadline
  read_stack "$stack" || return 1
  name=$STACK_NAME
  target_region=$STACK_REGION
  status=$(wait_stable "$name" 60) || return 1
  if stuck_error "$name" "$status"; then
    echo "| $name | $target_region | :x: $status |" >> "$GITHUB_STEP_SUMMARY"
    print_recent_failures "$name" >&2
    return 1
  fi
  if [ "$status" = ROLLBACK_COMPLETE ]; then
    # Its first creation failed and holds nothing; CloudFormation cannot update it, only delete it.
    echo "$name is ROLLBACK_COMPLETE from a failed first deploy; deleting it before creating it again"
    aws cloudformation delete-stack --stack-name "$name" || return 1
    aws cloudformation wait stack-delete-complete --stack-name "$name" || { error "$name not deleted" "cannot delete the failed stack $name"; return 1; }
    status=NONE
  fi
  case "$status" in NONE | REVIEW_IN_PROGRESS) type=CREATE ;; *) type=UPDATE ;; esac
  result=$(create_change_set "$stack" "$name" "$type" "$CHANGE_SET" "$EXECUTION_ROLE_ARN") || return 1
  case "$result" in
    NO_CHANGES)
      delete_change_set "$name" "$CHANGE_SET" || true
      if [ "${REQUIRE_CHANGES:-false}" = true ]; then
        error "$name unchanged" "CloudFormation found nothing to change in $name: the new value did not reach the stack"
        return 1
      fi
      echo "$name: no changes"
      echo "| $name | $target_region | no changes |" >> "$GITHUB_STEP_SUMMARY"
      return 0 ;;
    CREATE_COMPLETE) ;;
    *)
      error "Change set of $name failed" "${result#FAILED }"
      delete_change_set "$name" "$CHANGE_SET" || true
      return 1 ;;
  esac
  describe_change_set "$name" "$CHANGE_SET" > "$GANTRY_TMP/change-set.json" || return 1
  if [ "${PROTECTING:-false}" = true ] && ! only_in_place_changes "$GANTRY_TMP/change-set.json"; then
    # The approver saw the creation; this update may only switch deletion protection on.
    error "$name: protecting it would change more" "turning deletion protection on in $name would add, remove or replace resources; nothing was executed, $name stays unprotected until the next deploy"
    delete_change_set "$name" "$CHANGE_SET" || true
    return 1
  fi
  if [ -n "${APPROVED_DIR:-}" ] && [ "${PROTECTING:-false}" != true ]; then
    approved="$APPROVED_DIR/$TARGET/$name.json"
    if [ ! -f "$approved" ]; then
      error "$name was not planned" "the approved plan has no change set for $name; re-run the deploy"
      delete_change_set "$name" "$CHANGE_SET" || true
      return 1
    fi
    if ! as_approved "$approved" "$GANTRY_TMP/change-set.json"; then
      error "$name changed since approval" "the change set of $name differs from the one approved (the stack or its parameters changed meanwhile); nothing was executed, run the deploy again"
      delete_change_set "$name" "$CHANGE_SET" || true
      return 1
    fi
  fi
  token="$CHANGE_SET-$(printf '%s' "$name" | cksum | cut -d' ' -f1)"
  jq -r '.Changes[]? | select(.Type == "Resource") | .ResourceChange | "  \(.Action) \(.LogicalResourceId) (\(.ResourceType))\(if .Replacement == "True" then " REPLACED" else "" end)"' "$GANTRY_TMP/change-set.json"
  execute_change_set "$name" "$CHANGE_SET" "$token" || {
    error "$name not executed" "CloudFormation refused to execute the change set of $name"
    return 1
  }
  deadline=$((SECONDS + ${DEPLOY_MINUTES:-90} * 60))
  while :; do
    sleep "$POLL_SECONDS"
    status=$(stack_status "$name") || return 1
    case "$status" in
      CREATE_COMPLETE | UPDATE_COMPLETE | IMPORT_COMPLETE)
        echo "$name: $status"
        echo "| $name | $target_region | $status$(if [ "${PROTECTING:-false}" = true ]; then echo ", deletion protection on"; fi) |" >> "$GITHUB_STEP_SUMMARY"
        if [ "$type" = CREATE ] && protected_once_created "$stack"; then
          # Created unprotected (lookup deletion-protection); protected before this deploy ends.
          echo "$name: turning deletion protection on"
          PROTECTING=true CHANGE_SET="$CHANGE_SET-protect" deploy_stack "$stack" || return 1
        fi
        return 0 ;;
      *_IN_PROGRESS) ;;
      *) break ;;
    esac
    if [ "$SECONDS" -ge "$deadline" ]; then
      error "$name timed out" "$name is still $status after ${DEPLOY_MINUTES:-90} minutes; CloudFormation goes on with it (see the console)"
      return 1
    fi
  done
  echo "| $name | $target_region | :x: $status |" >> "$GITHUB_STEP_SUMMARY"
  case "$status" in
    UPDATE_ROLLBACK_COMPLETE) error "$name failed and was rolled back" "the update of $name failed; CloudFormation put the stack back as it was. What failed:" ;;
    ROLLBACK_COMPLETE) error "$name could not be created" "creating $name failed; CloudFormation deleted what it had created (the next deploy creates it afresh). What failed:" ;;
    ROLLBACK_FAILED | DELETE_FAILED | UPDATE_ROLLBACK_FAILED) stuck_error "$name" "$status" ;;
    *) error "$name failed" "$name is $status. What failed:" ;;
  esac
  print_failure_events "$name" "$token" >&2
  return 1
}

# deploy_target TARGET: every stack of the environment in one region (or 'global') in order, or
# only $ONLY_STACK.
deploy_target() {
  local name stack
  TARGET=$1
  export AWS_REGION AWS_DEFAULT_REGION
  AWS_REGION=$(aws_region_of "$TARGET")
  AWS_DEFAULT_REGION=$AWS_REGION
  stacks_of "$TARGET" > "$GANTRY_TMP/stacks-$TARGET.json" || return 1
  while IFS=$'\x1f' read -r name stack; do
    if [ -n "${ONLY_STACK:-}" ] && [ "$name" != "$ONLY_STACK" ]; then continue; fi
    echo "::group::$name ($TARGET)"
    if ! deploy_stack "$stack"; then echo "::endgroup::"; return 1; fi
    echo "::endgroup::"
  done < <(jq -r '.stacks[] | [.stackName, tojson] | join("\u001f")' "$GANTRY_TMP/stacks-$TARGET.json")
}

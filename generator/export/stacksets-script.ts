import type { PlatformModel } from '../model/types';
import { headerFor } from '../write/header';
import { APPEND_PARAMETERS_JQ, LOOKUP_FUNCTION } from './lookup-script';

/**
 * The rollout of a stack sets bundle: for each stack set of stacksets.json in order, create it (or
 * update it when its template or parameters changed), then create each stack instance (or update
 * its parameter overrides), one region at a time, waiting for every operation before the next, so
 * a stack set's instances exist before the stack sets that import their outputs.
 */
export function stackSetsDeployScript(model: PlatformModel): string {
  return `#!/usr/bin/env bash
${headerFor('deploy.sh', model.specFile, 'gantry export --layout stacksets')}
# Rolls this environment's stack sets out in the order of stacksets.json with the AWS CLI.
# Needs: bash, the AWS CLI v2, jq, and credentials of the StackSets administrator account
# (SELF_MANAGED) or of the organization's management or delegated administrator account
# (SERVICE_MANAGED). See README.md for the roles each model needs.
set -euo pipefail
# Failures inside $(…) stop the script too: a lookup that fails must not deploy an empty value.
shopt -s inherit_errexit
cd "$(dirname "$0")"

usage() {
  cat <<'USAGE'
usage: ./deploy.sh [options]
  --permission-model SELF_MANAGED|SERVICE_MANAGED   (default SELF_MANAGED)
  --administration-role-arn ARN   SELF_MANAGED: the role StackSets assumes in this account
                                  (default: AWSCloudFormationStackSetAdministrationRole)
  --execution-role-name NAME      SELF_MANAGED: the role it assumes in the target account
                                  (default: AWSCloudFormationStackSetExecutionRole)
  --organizational-unit OU        SERVICE_MANAGED: the OU that holds the target account
                                  (default: looked up with organizations list-parents)
  --call-as SELF|DELEGATED_ADMIN  SERVICE_MANAGED: DELEGATED_ADMIN from a delegated administrator
  --region REGION                 where the stack sets live (default: administrationRegion)
  --hosted-zone-id ID             the hosted zone's id, when these credentials cannot list it
USAGE
}

model=SELF_MANAGED
admin_role=""
execution_role=""
organizational_unit=""
call_as=SELF
admin_region=$(jq -r .administrationRegion stacksets.json)
hosted_zone_id=""
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --permission-model|--administration-role-arn|--execution-role-name|--organizational-unit|--call-as|--region|--hosted-zone-id)
      if [ $# -lt 2 ]; then echo "$1 needs a value" >&2; exit 2; fi
      case "$1" in
        --permission-model) model=$2 ;;
        --administration-role-arn) admin_role=$2 ;;
        --execution-role-name) execution_role=$2 ;;
        --organizational-unit) organizational_unit=$2 ;;
        --call-as) call_as=$2 ;;
        --region) admin_region=$2 ;;
        --hosted-zone-id) hosted_zone_id=$2 ;;
      esac
      shift 2 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$model" in
  SELF_MANAGED|SERVICE_MANAGED) ;;
  *) echo "--permission-model must be SELF_MANAGED or SERVICE_MANAGED" >&2; exit 2 ;;
esac

# Every StackSets call goes to the administration region; SERVICE_MANAGED calls say whose they are.
cfn() {
  if [ "$model" = SERVICE_MANAGED ]; then
    aws cloudformation --region "$admin_region" "$@" --call-as "$call_as"
  else
    aws cloudformation --region "$admin_region" "$@"
  fi
}

# Sets \`where\` to the accounts and regions of one call, as each permission model spells them.
targets() {
  local account=$1 region=$2 ou
  if [ "$model" = SERVICE_MANAGED ]; then
    ou=$organizational_unit
    if [ -z "$ou" ]; then ou=$(aws organizations list-parents --child-id "$account" --query 'Parents[0].Id' --output text); fi
    if [ -z "$ou" ] || [ "$ou" = None ]; then echo "cannot find the OU of account $account: pass --organizational-unit" >&2; exit 1; fi
    where=(--deployment-targets "$(jq -cn --arg ou "$ou" --arg account "$account" '{OrganizationalUnitIds: [$ou], Accounts: [$account], AccountFilterType: "INTERSECTION"}')")
  else
    where=(--accounts "$account")
  fi
  where+=(--regions "$region")
}

${LOOKUP_FUNCTION}

# Appends the looked-up values to a parameter list: all of them, or only those that differ per region.
# Each item's fields come with one jq, the list's (and the item's JSON for lookup) with the unit
# separator between them; the values are added to the list with one more jq at the end.
with_lookups() {
  local parameters=$1 lookups=$2 region=$3 only_per_region=$4 per_region kind name count item value hint added=()
  [ "$lookups" != "[]" ] || { echo "$parameters"; return; }
  while IFS=$'\\x1f' read -r per_region kind name count item; do
    if [ "$only_per_region" = true ] && [ "$per_region" != true ]; then continue; fi
    if [ "$kind" = hosted-zone-id ]; then
      value=\${hosted_zone_id:-$(lookup "$item" "$region")}
      hint=": pass --hosted-zone-id for a zone these credentials cannot see"
    else
      value=$(lookup "$item" "$region")
      hint=""
      if [ "$kind" = availability-zone-ids ]; then hint=": it has fewer than $count zones open to this account that can launch current instance types"; fi
    fi
    if [ -z "$value" ] || [ "$value" = None ]; then echo "cannot look up $name in $region$hint" >&2; exit 1; fi
    added+=("$name" "$value")
  done < <(jq -r '.[] | [(.perRegion // false | tostring), .lookup, .name, (.count // "" | tostring), tojson] | join("\\u001f")' <<<"$lookups")
  if [ "\${#added[@]}" -eq 0 ]; then echo "$parameters"; return; fi
  jq -c ${APPEND_PARAMETERS_JQ} --args "\${added[@]}" <<<"$parameters"
}

# Waits for a stack set operation; on failure, prints why for each instance and stops.
wait_for() {
  local name=$1 operation=$2 status
  while true; do
    status=$(cfn describe-stack-set-operation --stack-set-name "$name" --operation-id "$operation" --query StackSetOperation.Status --output text)
    case "$status" in
      SUCCEEDED) return ;;
      FAILED|STOPPED)
        echo "$name: operation $operation $status" >&2
        cfn list-stack-set-operation-results --stack-set-name "$name" --operation-id "$operation" \\
          --query 'Summaries[].[Account, Region, Status, StatusReason]' --output text >&2
        exit 1 ;;
      *) sleep 15 ;;
    esac
  done
}

# A stack set created with custom roles must be given them again on every update.
roles=()
if [ "$model" = SELF_MANAGED ]; then
  if [ -n "$admin_role" ]; then roles+=(--administration-role-arn "$admin_role"); fi
  if [ -n "$execution_role" ]; then roles+=(--execution-role-name "$execution_role"); fi
fi
normalized='map({ParameterKey, ParameterValue}) | sort_by(.ParameterKey)'
preferences=(--operation-preferences "FailureToleranceCount=0,MaxConcurrentCount=1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Each stack set's fields with one jq, one line each, separated by the ASCII unit separator: none holds
# one or a line break (names, paths, the blueprints' one-line descriptions, compact JSON).
while IFS=$'\\x1f' read -r name first_region template upload description set_parameters lookups capability_list instances; do
  parameters=$(with_lookups "$set_parameters" "$lookups" "$first_region" false)
  printf '%s\\n' "$parameters" > "$work/parameters.json"
  body=(--template-body "file://$template")
  if [ "$parameters" != "[]" ]; then body+=(--parameters "file://$work/parameters.json"); fi
  if [ "$upload" = true ]; then
    if [ -z "\${TEMPLATE_BUCKET:-}" ]; then echo "$template is over 51,200 bytes: set TEMPLATE_BUCKET to a bucket StackSets can read" >&2; exit 1; fi
    aws s3 cp --only-show-errors "$template" "s3://$TEMPLATE_BUCKET/$name.yaml"
    body=(--template-url "https://$TEMPLATE_BUCKET.s3.amazonaws.com/$name.yaml")
  fi
  capabilities=()
  for capability in $capability_list; do capabilities+=(--capabilities "$capability"); done
  echo "== stack set $name"
  if current=$(cfn describe-stack-set --stack-set-name "$name" --output json 2>/dev/null); then
    if jq -e '.StackSet.Parameters // [] | any(.ParameterKey == "AvailabilityZoneIds") | not' <<<"$current" > /dev/null \\
      && jq -e 'any(.ParameterKey == "AvailabilityZoneIds")' <<<"$parameters" > /dev/null; then
      # Its subnets were placed by zone index; placing them by zone id replaces every subnet (with
      # the same CIDR, which fails) and would give every region the first region's zone ids.
      echo "$name was rolled out by an earlier gantry, with subnets placed by zone index: this bundle places them by zone id, which replaces every subnet. Keep that earlier bundle for $name, or move its instances to a new stack set (delete-stack-instances --retain-stacks, then import them); see Availability zones by id in gantry's docs/facts.md." >&2
      exit 1
    fi
    if [ "$(jq -r .StackSet.TemplateBody <<<"$current")" = "$(cat "$template")" ] \\
      && [ "$(jq -c ".StackSet.Parameters // [] | $normalized" <<<"$current")" = "$(jq -c "$normalized" <<<"$parameters")" ]; then
      echo "   unchanged"
    else
      operation=$(cfn update-stack-set --stack-set-name "$name" "\${body[@]}" \\
        \${capabilities[@]+"\${capabilities[@]}"} \${roles[@]+"\${roles[@]}"} "\${preferences[@]}" --query OperationId --output text)
      wait_for "$name" "$operation"
    fi
  else
    create=(--stack-set-name "$name" --description "$description" "\${body[@]}")
    if [ "$model" = SERVICE_MANAGED ]; then
      # Instances go only where this manifest says: never to accounts that later join the OU.
      create+=(--permission-model SERVICE_MANAGED --auto-deployment Enabled=false)
    else
      create+=(--permission-model SELF_MANAGED)
    fi
    cfn create-stack-set "\${create[@]}" \${capabilities[@]+"\${capabilities[@]}"} \${roles[@]+"\${roles[@]}"} > /dev/null
  fi

  while IFS=$'\\x1f' read -r account region instance_overrides; do
    overrides=$(with_lookups "$instance_overrides" "$lookups" "$region" true)
    printf '%s\\n' "$overrides" > "$work/overrides.json"
    targets "$account" "$region"
    call=(--stack-set-name "$name" "\${where[@]}")
    if [ "$overrides" != "[]" ]; then call+=(--parameter-overrides "file://$work/overrides.json"); fi
    if existing=$(cfn describe-stack-instance --stack-set-name "$name" --stack-instance-account "$account" --stack-instance-region "$region" --output json 2>/dev/null); then
      if [ "$(jq -c ".StackInstance.ParameterOverrides // [] | $normalized" <<<"$existing")" = "$(jq -c "$normalized" <<<"$overrides")" ]; then continue; fi
      echo "   updating $account $region"
      operation=$(cfn update-stack-instances "\${call[@]}" "\${preferences[@]}" --query OperationId --output text)
    else
      echo "   creating $account $region"
      operation=$(cfn create-stack-instances "\${call[@]}" "\${preferences[@]}" --query OperationId --output text)
    fi
    wait_for "$name" "$operation"
  done < <(jq -r '.[] | [.account, .region, (.parameterOverrides | tojson)] | join("\\u001f")' <<<"$instances")
done < <(jq -r '.stackSets[] | [.name, .instances[0].region, .template, (.upload // false | tostring), .description,
  (.parameters | tojson), (.lookups | tojson), (.capabilities | join(" ")), (.instances | tojson)] | join("\\u001f")' stacksets.json)
echo "All stack sets are rolled out."
`;
}

import { CONSTRAINED_ZONE_IDS } from '../aws/regions';

/**
 * bash: `lookup ITEM REGION` prints the value of a parameter a bundle looks up at deploy time, for
 * an item of a manifest's `lookups` (empty, or None, when the account has none). Shared by the
 * bundle's and the stack sets' deploy.sh; each says what to do when a value is missing.
 */
export const LOOKUP_FUNCTION = `lookup() {
  local item=$1 region=$2 kind zone secret stage count source_region stack stack_set output id
  # The item's fields with one jq, separated by the ASCII unit separator (none of them holds one).
  IFS=$'\\x1f' read -r kind zone secret stage count source_region stack stack_set output < <(jq -r \\
    '[.lookup, .zone, .secretId, .stage, .count, .region, .stackName, .stackSet, .output] | map(. // "" | tostring) | join("\\u001f")' <<<"$item")
  case "$kind" in
    hosted-zone-id)
      id=$(aws route53 list-hosted-zones-by-name --dns-name "$zone" --query "HostedZones[?Name=='$zone.' && Config.PrivateZone==\\\`false\\\`] | [0].Id" --output text)
      echo "\${id##*/}" ;;
    cloudfront-prefix-list-id)
      # AWS-managed prefix lists have the same id in every account of a region.
      aws ec2 describe-managed-prefix-lists --region "$region" --filters Name=prefix-list-name,Values=com.amazonaws.global.cloudfront.origin-facing \\
        --query 'PrefixLists[0].PrefixListId' --output text ;;
    secret-version)
      # The id of the secret's version with this staging label in the region (AWSPREVIOUS falls
      # back to AWSCURRENT before the first rotation); never its value.
      aws secretsmanager describe-secret --region "$region" --secret-id "$secret" --output json \\
        | jq -r --arg stage "$stage" '.VersionIdsToStages // {} | to_entries
          | ((map(select(any(.value[]; . == $stage))) | first) // (map(select(any(.value[]; . == "AWSCURRENT"))) | first)) | .key // empty' ;;
    availability-zone-ids)
      # The region's first COUNT zones by id (the same physical zones in every account, unlike
      # names), leaving out ${CONSTRAINED_ZONE_IDS.join(', ')}, which cannot launch current instance types.
      aws ec2 describe-availability-zones --region "$region" --filters Name=zone-type,Values=availability-zone Name=state,Values=available --output json \\
        | jq -r --argjson count "$count" --argjson constrained '${JSON.stringify(CONSTRAINED_ZONE_IDS)}' \\
          '[.AvailabilityZones[].ZoneId | select(IN($constrained[]) | not)] | sort | if length >= $count then .[:$count] | join(",") else empty end' ;;
    stack-output)
      # An output of the environment's stack in another region, deployed before this one: by its
      # name, or (stack sets) the stack of the source stack set's instance in that region.
      if [ -n "$stack_set" ]; then
        stack=$(aws cloudformation --region "\${admin_region:-$source_region}" list-stack-instances --stack-set-name "$stack_set" \\
          --query "Summaries[?Region=='$source_region'].StackId | [0]" --output text 2>/dev/null || true)
      fi
      aws cloudformation --region "$source_region" describe-stacks --stack-name "$stack" \\
        --query "Stacks[0].Outputs[?OutputKey=='$output'].OutputValue | [0]" --output text 2>/dev/null || true ;;
  esac
}`;

/**
 * jq: appends NAME VALUE pairs, given after `--args`, to a parameter list as ParameterKey and
 * ParameterValue; the list comes on stdin (every argument after --args is a value, not a file).
 */
export const APPEND_PARAMETERS_JQ = `'. + [$ARGS.positional | range(0; length; 2) as $i | {ParameterKey: .[$i], ParameterValue: .[$i + 1]}]'`;

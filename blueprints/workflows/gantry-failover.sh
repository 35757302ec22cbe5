# gantry-failover.sh: makes $TARGET_REGION the one that serves $ENVIRONMENT. The database first
# ($MODE replica: promote the cross-region read replica; backups: restore the latest replicated
# automated backup), each wait bounded by $WAIT_MINUTES; then RDS manages a master secret in this
# region; then the API's failover records are swapped, so Route 53 keeps answering with this
# region even when the old primary comes back with its stale database; last, the spec change that
# makes the next `gantry generate` match what now runs.
# @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html
# @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/AutomatedBackups.PiTR.html
set -euo pipefail
settings=()
output() {
  aws cloudformation describe-stacks --region "$TARGET_REGION" --stack-name "$1" \
    --query "Stacks[0].Outputs[?OutputKey=='$2'].OutputValue | [0]" --output text
}
# Waits until the instance is available (and, after a promotion, no longer a replica), at most $WAIT_MINUTES.
# A failed describe (denied, throttled) stops the failover here rather than being waited on as "not ready".
wait_for_database() {
  local id=$1 deadline=$(( $(date +%s) + WAIT_MINUTES * 60 )) described status source
  while :; do
    described=$(aws rds describe-db-instances --region "$TARGET_REGION" --db-instance-identifier "$id" \
      --query 'DBInstances[0].[DBInstanceStatus, ReadReplicaSourceDBInstanceIdentifier]' --output text)
    read -r status source <<<"$described"
    if [ "$status" = available ] && { [ "$source" = None ] || [ -z "$source" ]; }; then return 0; fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "::error title=database not ready::$id in $TARGET_REGION is still $status after $WAIT_MINUTES minutes; records were not changed"
      return 1
    fi
    echo "$id is $status; waiting"
    sleep 30
  done
}
case "$MODE" in
  replica)
    database=$(output "$DATABASE_STACK" DatabaseIdentifier)
    echo "Promoting the read replica $database in $TARGET_REGION"
    aws rds promote-read-replica --region "$TARGET_REGION" --db-instance-identifier "$database" \
      --backup-retention-period "$BACKUP_RETENTION_DAYS" > /dev/null
    wait_for_database "$database" ;;
  backups)
    # The whole (paginated) answer as JSON, filtered with jq: with --output text the CLI applies
    # --query to each page, so "[0]" would print one line per page. Of the primary's replicated
    # backups, the one restorable to the latest time (an instance replaced once leaves two).
    # https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-filter.html#cli-usage-filter-client-side-output
    backups=$(aws rds describe-db-instance-automated-backups --region "$TARGET_REGION" --output json)
    backup=$(jq -r --arg region "$PRIMARY_REGION" --arg prefix "$DATABASE_PREFIX" '[.DBInstanceAutomatedBackups[]?
      | select(.Region == $region and (.DBInstanceIdentifier | startswith($prefix)))]
      | sort_by(.RestoreWindow.LatestTime // "") | last | .DBInstanceAutomatedBackupsArn // empty' <<<"$backups")
    if [ -z "$backup" ]; then echo "::error::no automated backups of $DATABASE_STACK replicated from $PRIMARY_REGION to $TARGET_REGION"; exit 1; fi
    database="$DATABASE_PREFIX-restored-$(date -u +%Y%m%d%H%M)"
    echo "Restoring $backup to its latest restorable time as $database"
    args=(--region "$TARGET_REGION" --source-db-instance-automated-backups-arn "$backup" --use-latest-restorable-time
      --target-db-instance-identifier "$database" --db-instance-class "$INSTANCE_CLASS" --storage-type gp3
      --db-subnet-group-name "$(output "$DATABASE_STACK" SubnetGroupName)" --vpc-security-group-ids "$(output "$DATABASE_STACK" DatabaseSecurityGroupId)"
      --db-parameter-group-name "$(output "$DATABASE_STACK" ParameterGroupName)" --no-publicly-accessible --copy-tags-to-snapshot --deletion-protection)
    if [ "$MULTI_AZ" = true ]; then args+=(--multi-az); else args+=(--no-multi-az); fi
    aws rds restore-db-instance-to-point-in-time "${args[@]}" > /dev/null
    wait_for_database "$database"
    # Enhanced monitoring and the backup retention come with the master secret's modification below
    # (one modification, not two racing each other): restore-db-instance-to-point-in-time of older
    # CLIs (Debian's aws-cli 2.9) rejects --monitoring-interval; modify-db-instance takes it in all.
    settings=(--backup-retention-period "$BACKUP_RETENTION_DAYS" --monitoring-interval 60 --monitoring-role-arn "$(output "$DATABASE_STACK" MonitoringRoleArn)") ;;
  none) database="" ;;
  *) echo "::error::unknown mode $MODE"; exit 1 ;;
esac
if [ -n "$database" ]; then
  # The master password now lives in this region's Secrets Manager, encrypted with this region's key.
  aws rds modify-db-instance --region "$TARGET_REGION" --db-instance-identifier "$database" --manage-master-user-password \
    --master-user-secret-kms-key-id "$(output "$DATABASE_STACK" KeyArn)" ${settings[@]+"${settings[@]}"} --apply-immediately > /dev/null
  endpoint=$(aws rds describe-db-instances --region "$TARGET_REGION" --db-instance-identifier "$database" --query 'DBInstances[0].Endpoint.Address' --output text)
fi
if [ -n "$ORIGIN_NAME" ]; then
  zone=$(aws route53 list-hosted-zones-by-name --dns-name "$HOSTED_ZONE" --query "HostedZones[?Name=='$HOSTED_ZONE.' && Config.PrivateZone==\`false\`] | [0].Id" --output text)
  zone="${zone##*/}"
  records=$(aws route53 list-resource-record-sets --hosted-zone-id "$zone" --query "ResourceRecordSets[?Name=='$ORIGIN_NAME.' && Failover]" --output json)
  # One change batch, applied atomically: this region becomes PRIMARY, the old primary SECONDARY.
  batch=$(jq -c --arg target "$TARGET_REGION" '{Comment: "gantry failover", Changes: [.[] | {Action: "UPSERT",
    ResourceRecordSet: (. + {Failover: (if .SetIdentifier == $target then "PRIMARY" else "SECONDARY" end)})}]}' <<<"$records")
  if [ "$(jq '[.Changes[] | select(.ResourceRecordSet.Failover == "PRIMARY")] | length' <<<"$batch")" != 1 ]; then
    echo "::error::no failover record of $ORIGIN_NAME for $TARGET_REGION"; exit 1
  fi
  change=$(aws route53 change-resource-record-sets --hosted-zone-id "$zone" --change-batch "$batch" --query ChangeInfo.Id --output text)
  aws route53 wait resource-record-sets-changed --id "$change"
fi
{
  echo "### Failover of $ENVIRONMENT to $TARGET_REGION"
  echo ""
  if [ -n "$database" ]; then echo "- Database: \`$database\` ($MODE), endpoint \`${endpoint:-}\`"; fi
  if [ -n "$ORIGIN_NAME" ]; then echo "- \`$ORIGIN_NAME\` now answers with $TARGET_REGION first"; fi
  echo ""
  echo "Make the spec say what now runs, then run \`gantry generate\` and merge:"
  echo ""
  echo '~~~yaml'
  echo "environments:"
  echo "  $ENVIRONMENT:"
  echo "    regions:   # keep each entry's name and cidr; only the roles change"
  echo "      - { name: $TARGET_REGION, role: primary }"
  echo "      - { name: $PRIMARY_REGION, role: standby }"
  echo '~~~'
} | tee -a "$GITHUB_STEP_SUMMARY"

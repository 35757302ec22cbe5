import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { readSpec } from '../generator/pipeline';
import { buildWorkflows } from '../generator/workflows/registry';
import { REPO_ROOT, tempDir } from './helpers';

/**
 * A stand-in for the AWS CLI as a failover sees it: the standby's stack outputs, an instance that
 * is still a replica on the first look and available after, one replicated backup, and the two
 * failover records. It logs every call; DB_STUCK keeps the instance "modifying" forever.
 */
const FAKE_AWS = `#!/usr/bin/env bash
printf '%s\\n' "$*" >> "$AWS_LOG"
case "$*" in
  *describe-stacks*) echo "out-$(grep -o "OutputKey=='[A-Za-z]*'" <<<"$*" | cut -d"'" -f2)" ;;
  *promote-read-replica*|*restore-db-instance-to-point-in-time*|*modify-db-instance*) echo '{}' ;;
  *describe-db-instances*Endpoint*) echo db.standby.example ;;
  *describe-db-instances*)
    if [ -n "\${DB_DENIED:-}" ]; then echo 'An error occurred (AccessDenied) when calling the DescribeDBInstances operation' >&2; exit 254; fi
    if [ -n "\${DB_STUCK:-}" ]; then printf 'modifying\\tNone\\n'; exit 0; fi
    if [ -e "$AWS_LOG.seen" ]; then printf 'available\\tNone\\n'; else touch "$AWS_LOG.seen"; printf 'modifying\\tsource-db\\n'; fi ;;
  *describe-db-instance-automated-backups*)
    # JSON only (the script filters with jq; a --query would apply per page with --output text):
    # another region's backup, another database's, and two of this database, ab-1 the newer.
    if [[ "$*" == *--query* || "$*" != *"--output json"* ]]; then echo "a paginated call read per page: $*" >&2; exit 1; fi
    printf '{"DBInstanceAutomatedBackups":[%s,%s,%s,%s]}\n' \
      '{"Region":"eu-west-1","DBInstanceIdentifier":"'"$DATABASE_PREFIX"'-x","DBInstanceAutomatedBackupsArn":"arn:other-region","RestoreWindow":{"LatestTime":"2026-12-02T03:00:00Z"}}' \
      '{"Region":"'"$PRIMARY_REGION"'","DBInstanceIdentifier":"other-db","DBInstanceAutomatedBackupsArn":"arn:other-database","RestoreWindow":{"LatestTime":"2026-12-02T03:00:00Z"}}' \
      '{"Region":"'"$PRIMARY_REGION"'","DBInstanceIdentifier":"'"$DATABASE_PREFIX"'-old","DBInstanceAutomatedBackupsArn":"arn:older","RestoreWindow":{"LatestTime":"2026-11-01T00:00:00Z"}}' \
      '{"Region":"'"$PRIMARY_REGION"'","DBInstanceIdentifier":"'"$DATABASE_PREFIX"'-db","DBInstanceAutomatedBackupsArn":"arn:aws:rds:us-west-2:222222222222:auto-backup:ab-1","RestoreWindow":{"LatestTime":"2026-12-02T02:55:00Z"}}' ;;
  *list-hosted-zones-by-name*) echo /hostedzone/Z0123 ;;
  *list-resource-record-sets*) echo '[{"Name":"api-origin.portal.pharma-portal.example.","Type":"A","SetIdentifier":"us-east-1","Failover":"PRIMARY"},{"Name":"api-origin.portal.pharma-portal.example.","Type":"A","SetIdentifier":"us-west-2","Failover":"SECONDARY"}]' ;;
  *change-resource-record-sets*) echo /change/C1 ;;
  *"route53 wait"*) ;;
  *) echo "unexpected call: $*" >&2; exit 1 ;;
esac
`;

function failover(spec: string, env: Record<string, string> = {}) {
  const model = readSpec(path.join(REPO_ROOT, spec)).model!;
  const files = buildWorkflows(model, { specFile: 'environment.yaml', outDir: 'output', workflowsDir: '.github/workflows' });
  const workflow = load(files.find((f) => f.path === 'gantry-failover.yml')!.content) as { jobs: Record<string, { steps: { run?: string; env?: Record<string, string> }[] }> };
  const stepEnv = Object.values(workflow.jobs)[0]!.steps.find((s) => s.run?.includes('gantry-failover.sh'))!.env!;
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.writeFileSync(path.join(dir, 'bin', 'aws'), FAKE_AWS, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'bin', 'sleep'), '#!/usr/bin/env bash\n', { mode: 0o755 });
  const script = path.join(dir, 'gantry-failover.sh');
  fs.writeFileSync(script, files.find((f) => f.path === 'gantry-failover.sh')!.content);
  const log = path.join(dir, 'aws.log');
  fs.writeFileSync(log, '');
  const summary = path.join(dir, 'summary.md');
  const run = spawnSync('bash', [script], {
    encoding: 'utf8',
    env: { ...stepEnv, TARGET_REGION: 'us-west-2', PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`, AWS_LOG: log, GITHUB_STEP_SUMMARY: summary, ...env },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, calls: fs.readFileSync(log, 'utf8').trim().split('\n'), summary: fs.existsSync(summary) ? fs.readFileSync(summary, 'utf8') : '' };
}

describe('gantry-failover.sh against a stand-in AWS CLI', () => {
  const jq = spawnSync('jq', ['--version']);
  it('has jq, which it needs', () => expect(jq.error ? 'jq is not installed' : jq.status).toBe(0));

  it('restores the latest replicated backup (SQL Server Standard), then swaps the failover records and prints the spec change', () => {
    const { status, calls, summary, stderr } = failover('examples/pharma-portal.yaml');
    expect([status, stderr]).toEqual([0, '']);
    const verbs = calls.map((c) => c.split(' ').slice(0, 2).join(' '));
    expect(verbs.indexOf('rds restore-db-instance-to-point-in-time')).toBeGreaterThan(verbs.indexOf('rds describe-db-instance-automated-backups'));
    expect(verbs.indexOf('route53 change-resource-record-sets')).toBeGreaterThan(verbs.lastIndexOf('rds describe-db-instances'));
    const restore = calls.find((c) => c.includes('restore-db-instance-to-point-in-time'))!;
    expect(restore).toContain('--source-db-instance-automated-backups-arn arn:aws:rds:us-west-2:222222222222:auto-backup:ab-1 --use-latest-restorable-time');
    expect(restore).toContain('--db-subnet-group-name out-SubnetGroupName');
    expect(restore).toContain('--multi-az');
    expect(calls.find((c) => c.includes('--manage-master-user-password'))).toContain('--master-user-secret-kms-key-id out-KeyArn');
    // aws-cli 2.9 (Debian's) rejects --monitoring-interval on a restore; one modification sets it with the secret.
    expect(restore).not.toContain('--monitoring');
    expect(calls.filter((c) => c.includes('modify-db-instance'))).toEqual([expect.stringContaining('--backup-retention-period 14 --monitoring-interval 60 --monitoring-role-arn out-MonitoringRoleArn --apply-immediately')]);
    const batch = JSON.parse(/--change-batch (\{.*\}) --query/.exec(calls.find((c) => c.includes('change-resource-record-sets'))!)![1]!);
    expect(batch.Changes.map((c: { ResourceRecordSet: { SetIdentifier: string; Failover: string } }) => [c.ResourceRecordSet.SetIdentifier, c.ResourceRecordSet.Failover]))
      .toEqual([['us-east-1', 'SECONDARY'], ['us-west-2', 'PRIMARY']]);
    expect(summary).toContain('- { name: us-west-2, role: primary }');
    expect(summary).toContain('- { name: us-east-1, role: standby }');
  });

  it('promotes the cross-region replica (PostgreSQL) and waits until it is no longer one', () => {
    const { status, calls } = failover('examples/medical-logistics.yaml', { TARGET_REGION: 'eu-west-1', HOSTED_ZONE: '', ORIGIN_NAME: '' });
    expect(status).toBe(0);
    expect(calls.find((c) => c.includes('promote-read-replica'))).toContain('--db-instance-identifier out-DatabaseIdentifier --backup-retention-period 35');
    expect(calls.filter((c) => c.includes('describe-db-instances') && !c.includes('Endpoint'))).toHaveLength(2);
  });

  it('stops at once when the database cannot be described (denied), instead of waiting on it', () => {
    const { status, calls } = failover('examples/medical-logistics.yaml', { TARGET_REGION: 'eu-west-1', DB_DENIED: '1' });
    expect(status).not.toBe(0);
    expect(calls.filter((c) => c.includes('describe-db-instances'))).toHaveLength(1);
    expect(calls.some((c) => c.includes('change-resource-record-sets'))).toBe(false);
  });

  it('gives up after the bounded wait and leaves the records alone', () => {
    const { status, stdout, calls } = failover('examples/medical-logistics.yaml', { TARGET_REGION: 'eu-west-1', DB_STUCK: '1', WAIT_MINUTES: '0' });
    expect(status).toBe(1);
    expect(stdout).toContain('records were not changed');
    expect(calls.some((c) => c.includes('change-resource-record-sets'))).toBe(false);
  });
});

/**
 * The stand-in's RDS and Route 53, through the real AWS CLI, as gantry-failover.sh uses them: state
 * that CloudFormation created (told to the services as a deploy tells them), then promotion, restore
 * from a replicated backup, the master secret, the record swap and its wait, what Route 53 answers
 * when a region is lost, and the denials and refusals AWS would answer with.
 */
import { execFile } from 'node:child_process';
import { awsCliEnvironment } from './aws/cli';
import { StandIn } from './aws/server';
import type { Role } from './aws/iam';
import type { ResourceEvent } from './aws/world';
import { rdsEndpoint } from './aws/template';
import { tempDir } from '../helpers';

const ACCOUNT = '222222222222';
const ZONE = 'Z0TESTZONE';

function aws(env: Record<string, string>, key: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('aws', [...args, '--output', 'json'], { env: { ...env, AWS_ACCESS_KEY_ID: key, AWS_SECRET_ACCESS_KEY: 'x', AWS_SESSION_TOKEN: 't' } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` }));
  });
}

/** A session of a role with exactly these statements. */
function session(standIn: StandIn, name: string, statements: Role['policies'][number]['document']['Statement']): string {
  const role: Role = { name, arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, trust: { Statement: [] }, managedPolicyArns: [], maxSessionDuration: 3600, policies: [{ name: 'p', document: { Version: '2012-10-17', Statement: statements } }] };
  const key = `ASIA${name.toUpperCase().replace(/[^A-Z]/g, '')}${ACCOUNT}`;
  standIn.world.sessions.set(key, { account: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/test`, role });
  return key;
}

function deployed(standIn: StandIn, region: string, stackName: string, type: string, physicalId: string, properties: object): string | undefined {
  const event: ResourceEvent = { op: 'create', account: ACCOUNT, region, stackName, resource: { logicalId: physicalId, type, physicalId, properties } };
  const refusal = standIn.world.resourceChanged(event, true);
  if (!refusal) standIn.world.resourceChanged(event);
  return refusal;
}

describe('stand-in RDS and Route 53 (failover)', () => {
  const standIn = new StandIn();
  let env: Record<string, string>;
  let admin: string;
  beforeAll(async () => {
    await standIn.start();
    // The workflows' credentials step sets the region; Route 53 is signed for us-east-1 whatever it is.
    env = { ...awsCliEnvironment(tempDir(), standIn.url), AWS_REGION: 'us-west-2' };
    admin = standIn.world.adminKey(ACCOUNT);
    standIn.world.account(ACCOUNT).hostedZones.push({ id: ZONE, name: 'portal.example.', private: false });
    // The database keys, with the key policy gantry writes (the account administers them through IAM).
    const keyPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow' as const, Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }] };
    for (const [region, key] of [['af-south-1', 'k1'], ['eu-west-1', 'k2'], ['us-east-1', 'k3'], ['us-west-2', 'k4']]) deployed(standIn, region as string, 'db', 'AWS::KMS::Key', key as string, { KeyPolicy: keyPolicy });
    standIn.world.account(ACCOUNT).roles.set('monitoring', { name: 'monitoring', arn: `arn:aws:iam::${ACCOUNT}:role/monitoring`, trust: { Statement: [{ Effect: 'Allow', Principal: { Service: 'monitoring.rds.amazonaws.com' }, Action: 'sts:AssumeRole' }] }, policies: [], managedPolicyArns: [], maxSessionDuration: 3600 });
  });
  afterAll(() => standIn.stop());

  test('CloudFormation state: a replica needs its source; RDS refuses a replica of a source whose password Secrets Manager manages (not SQL Server)', () => {
    expect(deployed(standIn, 'eu-west-1', 'db', 'AWS::RDS::DBInstance', 'orphan', { SourceDBInstanceIdentifier: `arn:aws:rds:af-south-1:${ACCOUNT}:db:nothing`, KmsKeyId: 'k' }))
      .toMatch(/DBInstance arn:aws:rds:af-south-1:222222222222:db:nothing not found/);
    expect(deployed(standIn, 'af-south-1', 'db', 'AWS::RDS::DBInstance', 'managed', { Engine: 'postgres', BackupRetentionPeriod: 7, ManageMasterUserPassword: true, StorageEncrypted: true, KmsKeyId: 'k1' })).toBeUndefined();
    expect(deployed(standIn, 'eu-west-1', 'db', 'AWS::RDS::DBInstance', 'managed-replica', { SourceDBInstanceIdentifier: `arn:aws:rds:af-south-1:${ACCOUNT}:db:managed`, KmsKeyId: 'k2' }))
      .toMatch(/master user password is managed in AWS Secrets Manager/);
    expect(deployed(standIn, 'us-east-1', 'db', 'AWS::RDS::DBInstance', 'sql', { Engine: 'sqlserver-se', BackupRetentionPeriod: 14, StorageEncrypted: true, KmsKeyId: 'k3', AutomaticBackupReplicationRegion: 'us-west-2' }))
      .toMatch(/replicated only with a KMS key of us-west-2/);
  });

  test('promotion of a cross-region replica, then the master secret with the standby\'s key; the waiter returns at once', async () => {
    expect(deployed(standIn, 'af-south-1', 'db', 'AWS::RDS::DBInstance', 'primary', { Engine: 'postgres', EngineVersion: '16.4', DBInstanceClass: 'db.r6g.large', BackupRetentionPeriod: 35, StorageEncrypted: true, KmsKeyId: 'k1' })).toBeUndefined();
    expect(deployed(standIn, 'eu-west-1', 'db', 'AWS::RDS::DBInstance', 'replica', { SourceDBInstanceIdentifier: `arn:aws:rds:af-south-1:${ACCOUNT}:db:primary`, KmsKeyId: 'k2', MultiAZ: true })).toBeUndefined();
    standIn.world.lostRegions.add('af-south-1');
    const described = await aws(env, admin, ['rds', 'describe-db-instances', '--region', 'eu-west-1', '--db-instance-identifier', 'replica', '--query', 'DBInstances[0].[DBInstanceStatus,ReadReplicaSourceDBInstanceIdentifier,Engine,MultiAZ,KmsKeyId]']);
    expect(JSON.parse(described.out)).toEqual(['available', `arn:aws:rds:af-south-1:${ACCOUNT}:db:primary`, 'postgres', true, `arn:aws:kms:eu-west-1:${ACCOUNT}:key/k2`]);
    const lost = await aws(env, admin, ['rds', 'describe-db-instances', '--region', 'af-south-1']);
    expect(lost.code).not.toBe(0);
    expect(lost.out).toMatch(/ServiceUnavailable/);
    const promoted = await aws(env, admin, ['rds', 'promote-read-replica', '--region', 'eu-west-1', '--db-instance-identifier', 'replica', '--backup-retention-period', '35']);
    expect(JSON.parse(promoted.out).DBInstance.DBInstanceStatus).toBe('modifying');
    const secret = await aws(env, admin, ['rds', 'modify-db-instance', '--region', 'eu-west-1', '--db-instance-identifier', 'replica', '--manage-master-user-password',
      '--master-user-secret-kms-key-id', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/k2`, '--apply-immediately']);
    expect([secret.code, secret.out]).toEqual([0, expect.anything()]);
    expect((await aws(env, admin, ['rds', 'wait', 'db-instance-available', '--region', 'eu-west-1', '--db-instance-identifier', 'replica'])).code).toBe(0);
    const after = standIn.rds.instance(ACCOUNT, 'eu-west-1', 'replica');
    expect([after?.readReplicaSource, after?.backupRetentionPeriod, after?.masterUserSecret?.KmsKeyId]).toEqual([undefined, 35, `arn:aws:kms:eu-west-1:${ACCOUNT}:key/k2`]);
    const again = await aws(env, admin, ['rds', 'promote-read-replica', '--region', 'eu-west-1', '--db-instance-identifier', 'replica']);
    expect(again.out).toMatch(/InvalidDBInstanceState.*not a read replica/);
    standIn.world.lostRegions.clear();
  }, 60_000);

  test('restore from the automated backups replicated to the standby, with the standby\'s groups; a role without the permission is denied', async () => {
    deployed(standIn, 'us-west-2', 'db', 'AWS::RDS::DBSubnetGroup', 'db-subnetgroup-x', {});
    deployed(standIn, 'us-west-2', 'db', 'AWS::RDS::DBParameterGroup', 'db-parametergroup-x', { Family: 'sqlserver-se-15.0' });
    expect(deployed(standIn, 'us-east-1', 'db', 'AWS::RDS::DBInstance', 'db-database-abc', {
      Engine: 'sqlserver-se', EngineVersion: '15.00.4415.2.v1', BackupRetentionPeriod: 14, StorageEncrypted: true, KmsKeyId: 'k3', ManageMasterUserPassword: true,
      AutomaticBackupReplicationRegion: 'us-west-2', AutomaticBackupReplicationKmsKeyId: `arn:aws:kms:us-west-2:${ACCOUNT}:key/k4`, AutomaticBackupReplicationRetentionPeriod: 14,
    })).toBeUndefined();
    const query = "DBInstanceAutomatedBackups[?Region=='us-east-1' && starts_with(DBInstanceIdentifier, 'db-database')] | [0].DBInstanceAutomatedBackupsArn";
    const backup = JSON.parse((await aws(env, admin, ['rds', 'describe-db-instance-automated-backups', '--region', 'us-west-2', '--query', query])).out) as string;
    expect(backup).toMatch(/^arn:aws:rds:us-west-2:222222222222:auto-backup:ab-[a-z0-9]+$/);
    const restoreArgs = ['rds', 'restore-db-instance-to-point-in-time', '--region', 'us-west-2', '--source-db-instance-automated-backups-arn', backup, '--use-latest-restorable-time',
      '--target-db-instance-identifier', 'db-database-restored', '--db-instance-class', 'db.m5.large', '--db-subnet-group-name', 'db-subnetgroup-x',
      '--db-parameter-group-name', 'db-parametergroup-x', '--multi-az', '--deletion-protection'];
    const restricted = session(standIn, 'restricted', [{ Effect: 'Allow', Action: ['rds:Describe*'], Resource: '*' }]);
    const denied = await aws(env, restricted, restoreArgs);
    expect(denied.out).toMatch(/AccessDenied.*rds:RestoreDBInstanceToPointInTime/);
    expect(standIn.world.authorizer.denials.at(-1)?.action).toBe('rds:RestoreDBInstanceToPointInTime');
    const restored = await aws(env, admin, restoreArgs);
    if (restored.code !== 0) throw new Error(restored.out);
    expect(JSON.parse(restored.out).DBInstance.DBInstanceStatus).toBe('creating');
    const instance = standIn.rds.instance(ACCOUNT, 'us-west-2', 'db-database-restored');
    expect([instance?.engine, instance?.multiAz, instance?.kmsKeyId, instance?.restoredFrom, instance?.status]).toEqual(['sqlserver-se', true, `arn:aws:kms:us-west-2:${ACCOUNT}:key/k4`, backup, 'available']);
    const monitoring = await aws(env, admin, ['rds', 'modify-db-instance', '--region', 'us-west-2', '--db-instance-identifier', 'db-database-restored', '--monitoring-interval', '60',
      '--monitoring-role-arn', `arn:aws:iam::${ACCOUNT}:role/nothing`, '--apply-immediately']);
    expect(monitoring.out).toMatch(/ENHANCED_MONITORING/);
  }, 60_000);

  test('failover records: the answer follows health; the swap applies as one batch and its change is INSYNC at once', async () => {
    const zone = { HostedZoneId: ZONE, Name: 'api-origin.portal.example', Type: 'A' };
    for (const [region, role] of [['us-east-1', 'PRIMARY'], ['us-west-2', 'SECONDARY']] as const) {
      deployed(standIn, region, 'web', 'AWS::Route53::HealthCheck', `hc-${region}`, { HealthCheckConfig: { Type: 'CLOUDWATCH_METRIC', AlarmIdentifier: { Name: 'a', Region: region }, InsufficientDataHealthStatus: 'Unhealthy' } });
      expect(deployed(standIn, region, 'web', 'AWS::Route53::RecordSet', 'api-origin.portal.example', {
        ...zone, SetIdentifier: region, Failover: role, HealthCheckId: `hc-${region}`, AliasTarget: { HostedZoneId: 'Z35SXDOTRQ7X7K', DNSName: `lb.${region}.elb.amazonaws.com`, EvaluateTargetHealth: true },
      })).toBeUndefined();
    }
    expect(deployed(standIn, 'us-west-2', 'other', 'AWS::Route53::RecordSet', 'api-origin.portal.example', { ...zone, SetIdentifier: 'x', Failover: 'PRIMARY', AliasTarget: { HostedZoneId: 'Z', DNSName: 'x.', EvaluateTargetHealth: false } }))
      .toMatch(/2 PRIMARY failover records/);
    expect(standIn.route53.answer(ZONE, 'api-origin.portal.example')?.SetIdentifier).toBe('us-east-1');
    standIn.world.lostRegions.add('us-east-1');
    expect(standIn.route53.answer(ZONE, 'api-origin.portal.example')?.SetIdentifier).toBe('us-west-2');
    const list = await aws(env, admin, ['route53', 'list-resource-record-sets', '--hosted-zone-id', ZONE, '--query', "ResourceRecordSets[?Name=='api-origin.portal.example.' && Failover]"]);
    if (list.code !== 0) throw new Error(list.out);
    const listed = JSON.parse(list.out);
    expect(listed.map((r: { SetIdentifier: string; Failover: string }) => `${r.SetIdentifier}:${r.Failover}`)).toEqual(['us-east-1:PRIMARY', 'us-west-2:SECONDARY']);
    const swap = { Changes: listed.map((r: { SetIdentifier: string }) => ({ Action: 'UPSERT', ResourceRecordSet: { ...r, Failover: r.SetIdentifier === 'us-west-2' ? 'PRIMARY' : 'SECONDARY' } })) };
    const half = { Changes: [swap.Changes[1]] };
    expect((await aws(env, admin, ['route53', 'change-resource-record-sets', '--hosted-zone-id', ZONE, '--change-batch', JSON.stringify(half)])).out).toMatch(/InvalidChangeBatch.*2 PRIMARY/);
    const changed = JSON.parse((await aws(env, admin, ['route53', 'change-resource-record-sets', '--hosted-zone-id', ZONE, '--change-batch', JSON.stringify(swap)])).out);
    expect(changed.ChangeInfo.Status).toBe('PENDING');
    expect((await aws(env, admin, ['route53', 'wait', 'resource-record-sets-changed', '--id', changed.ChangeInfo.Id])).code).toBe(0);
    standIn.world.lostRegions.clear();
    // The old primary is back, with its stale database: Route 53 keeps answering with the promoted region.
    expect(standIn.route53.answer(ZONE, 'api-origin.portal.example')?.AliasTarget?.DNSName).toBe('lb.us-west-2.elb.amazonaws.com.');
    expect(rdsEndpoint('x', ACCOUNT, 'us-west-2')).toMatch(/^x\.c[0-9a-f]{12}\.us-west-2\.rds\.amazonaws\.com$/);
  }, 60_000);
});

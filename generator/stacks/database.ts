import { CfnDeletionPolicy, CfnOutput, Fn, type Stack } from 'aws-cdk-lib';
import { CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { CfnSecurityGroup, CfnSecurityGroupEgress } from 'aws-cdk-lib/aws-ec2';
import { CfnDBInstance, type CfnDBParameterGroup, type CfnDBSubnetGroup } from 'aws-cdk-lib/aws-rds';
import { CfnSecret, CfnSecretTargetAttachment } from 'aws-cdk-lib/aws-secretsmanager';
import type { DatabaseModel, EnvironmentModel, RegionModel } from '../model/types';
import { masterSecretName, needsOwnMasterSecret } from './names';
import { importValue, includeBlueprint, lookedUpParameter, newTemplateStack, templateOf } from './cdk';
import { databaseLookups, type ParameterLookup } from './kinds';
import { configureAlarms, DATABASE_ALARMS, pointAtTopic } from './alarms';
import { LITERAL_VALUES, type InstanceValues } from './instance-values';
import { deletionProtection } from './deletion-protection';
import { acknowledge, applyTags } from './tags';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

/** The parameter group family of an engine version: postgres16, mysql8.0, sqlserver-se-15.0. */
export function parameterGroupFamily(database: DatabaseModel): string {
  const [major = '', minor = '0'] = database.version.split('.');
  switch (database.family) {
    case 'postgres':
      return `postgres${major}`;
    case 'mysql':
    case 'mariadb':
      return `${database.family}${major}.${minor}`;
    case 'sqlserver':
      return `${database.engine}-${Number(major)}.0`;
  }
}

/**
 * The parameter that refuses unencrypted connections.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/mysql-ssl-connections.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/SQLServer.Concepts.General.SSL.Using.html
 */
const TLS_PARAMETERS: Record<DatabaseModel['family'], Record<string, string>> = {
  postgres: { 'rds.force_ssl': '1' },
  mysql: { require_secure_transport: 'ON' },
  mariadb: { require_secure_transport: 'ON' },
  sqlserver: { 'rds.force_ssl': '1' },
};

/** CloudWatch Logs exports each engine offers without extra options. */
const LOG_EXPORTS: Record<DatabaseModel['family'], string[]> = {
  postgres: ['postgresql', 'upgrade'],
  mysql: ['error', 'slowquery'],
  mariadb: ['error', 'slowquery'],
  sqlserver: ['agent', 'error'],
};

/** Performance Insights is not offered on the smallest burstable classes. */
export function supportsPerformanceInsights(instanceClass: string): boolean {
  return !/\.(micro|small)$/.test(instanceClass);
}

/**
 * Characters RDS refuses in a master password ("/", '"', "@", and for the open-source engines "'"
 * and spaces; a backslash breaks many client connection strings).
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html (MasterUserPassword)
 */
export const MASTER_PASSWORD_EXCLUDED = '"@/\\\' ';

/**
 * The database stack of one environment and region, from blueprints/database.yaml: the instance
 * in the isolated subnets, its key, TLS-only parameter group, monitoring, and read replicas. Its
 * client security group is exported; the tiers in `database.clients` attach it.
 */
export function buildDatabaseTemplate(environment: EnvironmentModel, region: RegionModel, values: InstanceValues = LITERAL_VALUES): Record<string, unknown> | undefined {
  const database = region.database;
  if (!database) return undefined;
  const stack = newTemplateStack();
  const blueprint = includeBlueprint(stack, 'database');
  const network = (output: string) => importValue('network', { environment, region }, output);
  const topic = importValue('notifications', { environment, region }, 'TopicArn');

  (blueprint.getResource('SubnetGroup') as CfnDBSubnetGroup).subnetIds = Fn.split(',', network('IsolatedSubnetIds'));
  for (const id of ['ClientSecurityGroup', 'DatabaseSecurityGroup']) {
    (blueprint.getResource(id) as CfnSecurityGroup).vpcId = network('VpcId');
  }
  const databaseGroup = blueprint.getResource('DatabaseSecurityGroup') as CfnSecurityGroup;
  databaseGroup.securityGroupIngress = [{
    ipProtocol: 'tcp', fromPort: database.port, toPort: database.port,
    sourceSecurityGroupId: blueprint.getResource('ClientSecurityGroup').getAtt('GroupId').toString(), description: 'The client tiers',
  }];
  const egress = blueprint.getResource('ClientEgressToDatabase') as CfnSecurityGroupEgress;
  egress.fromPort = database.port;
  egress.toPort = database.port;

  const parameters = blueprint.getResource('ParameterGroup') as CfnDBParameterGroup;
  parameters.family = parameterGroupFamily(database);
  parameters.parameters = TLS_PARAMETERS[database.family];

  const instance = blueprint.getResource('Database') as CfnDBInstance;
  instance.engine = database.engine;
  instance.engineVersion = database.version;
  instance.dbInstanceClass = database.instanceClass;
  instance.allocatedStorage = String(database.storageGb);
  instance.multiAz = database.multiAz;
  instance.backupRetentionPeriod = database.backupRetentionDays;
  // On from the first successful deploy, never while the stack is created (deletion-protection.ts).
  // (A backups standby keeps no instance, so it has no such parameter.)
  instance.deletionProtection = database.deletionProtection && region.databaseRole !== 'backups' ? deletionProtection(stack, databaseLookups(environment, region)).value : database.deletionProtection;
  instance.licenseModel = database.licenseModel;
  instance.enableCloudwatchLogsExports = LOG_EXPORTS[database.family];
  // IAM database authentication exists for PostgreSQL, MySQL and MariaDB only.
  instance.enableIamDatabaseAuthentication = database.family === 'sqlserver' ? undefined : true;
  applyPerformanceInsights(instance, database.instanceClass, blueprint.getResource('DatabaseKey').ref);
  if (!database.multiAz) {
    acknowledge(instance, [{ id: 'AwsSolutions-RDS3', reason: `The spec sets database.multiAz: false for environment ${environment.name}; backups still allow point-in-time restore.` }]);
  }
  if (!database.deletionProtection) {
    acknowledge(instance, [{ id: 'AwsSolutions-RDS10', reason: `The spec sets database.deletionProtection: false for environment ${environment.name}; DeletionPolicy Snapshot still keeps a final snapshot.` }]);
  } else if (region.databaseRole !== 'backups') {
    acknowledge(instance, [PROTECTED_BY_PARAMETER]);
  }

  const standbys = environment.regions.filter((r) => !r.primary && r.databaseRole !== undefined);
  if (region.databaseRole === 'replica') {
    makeCrossRegionReplica(stack, blueprint, instance, environment, region, values);
  } else if (region.databaseRole === 'backups') {
    keepOnlyWhatARestoreNeeds(stack, blueprint);
    applyTags(stack, environment.tags);
    return { ...templateOf(stack), Description: 'What restoring the primary region\'s replicated automated backups needs: key, subnet group, security groups, TLS-only parameter group' };
  } else {
    if (needsOwnMasterSecret(environment, database)) useOwnMasterSecret(stack, blueprint, instance, region);
    new CfnOutput(stack, 'KeyArn', {
      description: 'The database key, which also encrypts the master secret: its client tiers decrypt the secret with it, through Secrets Manager',
      value: blueprint.getResource('DatabaseKey').getAtt('Arn').toString(),
      exportName: Fn.sub('${AWS::StackName}-KeyArn'),
    }).overrideLogicalId('KeyArn');
    new CfnOutput(stack, 'DatabaseArn', {
      description: 'The database instance\'s ARN: the source of the standby regions\' cross-region read replicas',
      value: instance.attrDbInstanceArn,
    }).overrideLogicalId('DatabaseArn');
    const backupsTo = standbys.find((r) => r.databaseRole === 'backups');
    if (backupsTo) replicateBackups(stack, instance, database, values.string(stack, 'BackupReplicationRegion', backupsTo.region, { description: 'The standby region the automated backups are replicated to' }), databaseLookups(environment, region));
  }

  // IAM database authentication names the instance by its resource id (rds-db:connect on dbuser:<id>/<user>).
  // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html
  new CfnOutput(stack, 'DatabaseResourceId', {
    description: 'The instance\'s resource id, which IAM database authentication policies name',
    value: instance.attrDbiResourceId,
    exportName: Fn.sub('${AWS::StackName}-DatabaseResourceId'),
  }).overrideLogicalId('DatabaseResourceId');

  // Same-region read replicas serve the primary's reads; a standby's replica has none of its own.
  const sameRegionReplicas = region.databaseRole === 'primary' ? database.readReplicas : 0;
  for (let i = 1; i <= sameRegionReplicas; i++) {
    const replica = new CfnDBInstance(stack, `ReadReplica${i}`, {
      sourceDbInstanceIdentifier: instance.ref,
      dbInstanceClass: database.instanceClass,
      // A replica does not inherit its source's storage type: without it RDS picks its default
      // (gp2), slower and dearer than the source's gp3.
      storageType: 'gp3',
      publiclyAccessible: false,
      vpcSecurityGroups: [databaseGroup.attrGroupId],
      dbParameterGroupName: parameters.ref,
      copyTagsToSnapshot: true,
      deletionProtection: database.deletionProtection ? deletionProtection(stack, databaseLookups(environment, region)).value : database.deletionProtection,
      autoMinorVersionUpgrade: true,
      monitoringInterval: 60,
      monitoringRoleArn: blueprint.getResource('MonitoringRole').getAtt('Arn').toString(),
      enableCloudwatchLogsExports: LOG_EXPORTS[database.family],
      enableIamDatabaseAuthentication: database.family === 'sqlserver' ? undefined : true,
    });
    replica.overrideLogicalId(`ReadReplica${i}`);
    // A DB instance without DeletionPolicy defaults to Snapshot; a replica holds no data of its own
    // (it is rebuilt from its source), so it is deleted without a snapshot to pay for.
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html
    replica.cfnOptions.deletionPolicy = CfnDeletionPolicy.DELETE;
    replica.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.DELETE;
    applyPerformanceInsights(replica, database.instanceClass, blueprint.getResource('DatabaseKey').ref);
    if (region.alarms.enabled) {
      const lag = new CfnAlarm(stack, `ReadReplica${i}LagAlarm`, {
        alarmDescription: Fn.sub(`Read replica ${i} of \${AWS::StackName} fell behind its source`),
        namespace: 'AWS/RDS',
        metricName: 'ReplicaLag',
        dimensions: [{ name: 'DBInstanceIdentifier', value: replica.ref }],
        statistic: 'Maximum',
        period: 60,
        evaluationPeriods: 5,
        datapointsToAlarm: 5,
        threshold: region.alarms.replicaLagSeconds,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'missing',
      });
      lag.overrideLogicalId(`ReadReplica${i}LagAlarm`);
      pointAtTopic(lag, topic);
    }
    acknowledge(replica, [
      ...(database.deletionProtection ? [PROTECTED_BY_PARAMETER] : []),
      { id: 'AwsSolutions-RDS2', reason: 'A read replica inherits the encryption of its encrypted source; CloudFormation forbids StorageEncrypted on a replica.' },
      { id: 'AwsSolutions-RDS3', reason: 'A read replica scales reads; failover is the Multi-AZ standby of the source instance.' },
      { id: 'AwsSolutions-RDS11', reason: 'The engine\'s default port is kept, as on the source; only the client tiers\' security group reaches it.' },
      { id: 'AwsSolutions-RDS13', reason: 'Automated backups are taken from the source instance, which the replica can be rebuilt from.' },
    ]);
    new CfnOutput(stack, `ReadReplica${i}Endpoint`, {
      description: `Read replica ${i}'s DNS name`,
      value: replica.attrEndpointAddress,
      exportName: Fn.sub(`\${AWS::StackName}-ReadReplica${i}Endpoint`),
    }).overrideLogicalId(`ReadReplica${i}Endpoint`);
    new CfnOutput(stack, `ReadReplica${i}ResourceId`, {
      description: `Read replica ${i}'s resource id, which IAM database authentication policies name`,
      value: replica.attrDbiResourceId,
      exportName: Fn.sub(`\${AWS::StackName}-ReadReplica${i}ResourceId`),
    }).overrideLogicalId(`ReadReplica${i}ResourceId`);
  }

  const alarms = region.alarms;
  configureAlarms(blueprint, DATABASE_ALARMS, topic, alarms.enabled ? {
    DatabaseCpuAlarm: alarms.databaseCpuPercent,
    DatabaseFreeStorageAlarm: Math.round(database.storageGb * GIB * (alarms.databaseFreeStoragePercent / 100)),
    DatabaseFreeMemoryAlarm: alarms.databaseFreeMemoryMb * MIB,
    DatabaseConnectionsAlarm: alarms.databaseConnections,
  } : undefined);

  applyTags(stack, environment.tags);
  return templateOf(stack);
}

/** cdk-nag cannot read DeletionProtection from a parameter (its RDS10 check fails on the Ref). */
const PROTECTED_BY_PARAMETER = {
  id: 'AwsSolutions-RDS10',
  reason: 'Deletion protection is on from the first successful deploy: the DeletionProtection parameter is false only in the change set that creates the stack (so that its rollback can delete the instance), and the deploy workflow sets it true right after.',
};

/**
 * The master password in a secret this stack creates (Secrets Manager generates it, encrypted
 * with the database's key), which the instance resolves at deploy and a target attachment fills
 * with the instance's host, port and engine, as an RDS-managed secret holds them. Retained with
 * the stack: the final snapshot it leaves needs the password.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-secretsmanager-secrettargetattachment.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html
 */
function useOwnMasterSecret(stack: Stack, blueprint: ReturnType<typeof includeBlueprint>, instance: CfnDBInstance, region: RegionModel): void {
  const key = blueprint.getResource('DatabaseKey');
  const secret = new CfnSecret(stack, 'MasterSecret', {
    name: masterSecretName(region.stackNames.database),
    description: Fn.sub('The master user of ${AWS::StackName}\'s database: RDS cannot manage the password of a read replica\'s source'),
    kmsKeyId: key.ref,
    generateSecretString: {
      secretStringTemplate: JSON.stringify({ username: instance.masterUsername }),
      generateStringKey: 'password',
      passwordLength: 32,
      excludeCharacters: MASTER_PASSWORD_EXCLUDED,
    },
  });
  secret.overrideLogicalId('MasterSecret');
  // RetainExceptOnCreate, not Retain: a failed first create deletes the secret again, so the retry
  // does not fail on its fixed name (ResourceExistsException); every later operation keeps it. It is
  // a DeletionPolicy only (UpdateReplacePolicy knows Delete, Retain, Snapshot).
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html
  secret.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE;
  secret.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.RETAIN;
  acknowledge(secret, [{
    id: 'AwsSolutions-SMG4',
    reason: 'RDS cannot rotate (manage) the master password of an instance with read replicas; automatic rotation would need a rotation function inside the isolated subnets. The README\'s runbook rotates it by hand (new value, then modify-db-instance --master-user-password).',
  }]);
  instance.manageMasterUserPassword = undefined;
  instance.masterUserSecret = undefined;
  instance.addPropertyDeletionOverride('ManageMasterUserPassword');
  instance.addPropertyDeletionOverride('MasterUserSecret');
  instance.masterUserPassword = Fn.sub('{{resolve:secretsmanager:${MasterSecret}:SecretString:password}}');
  const attachment = new CfnSecretTargetAttachment(stack, 'MasterSecretAttachment', {
    secretId: secret.ref,
    targetId: instance.ref,
    targetType: 'AWS::RDS::DBInstance',
  });
  attachment.overrideLogicalId('MasterSecretAttachment');
  const output = blueprint.getOutput('MasterSecretArn');
  output.value = secret.ref;
  output.description = 'The Secrets Manager secret that holds the master user\'s password (created by this stack: RDS cannot manage the password of a read replica\'s source)';
}

/**
 * The standby region's database: a cross-region read replica of the primary region's instance,
 * which the failover workflow promotes. Its source is the primary's ARN (looked up at deploy from
 * the primary region's database stack); it is encrypted with this region's key (a KMS key serves
 * one region only) and uses this region's subnet and parameter groups. Engine, version, master
 * user and its secret come from the source, so the template does not set them.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.XRgn.html
 */
function makeCrossRegionReplica(stack: Stack, blueprint: ReturnType<typeof includeBlueprint>, instance: CfnDBInstance, environment: EnvironmentModel, region: RegionModel, values: InstanceValues): void {
  const source = lookedUpParameter(stack, databaseLookups(environment, region), 'SourceDatabaseArn');
  instance.sourceDbInstanceIdentifier = source.valueAsString;
  instance.sourceRegion = values.string(stack, 'SourceRegion', environment.primaryRegion, { description: 'The primary region, where the source database runs' });
  for (const property of ['Engine', 'EngineVersion', 'LicenseModel', 'MasterUsername', 'ManageMasterUserPassword', 'MasterUserSecret',
    'StorageEncrypted', 'BackupRetentionPeriod', 'PreferredBackupWindow']) {
    instance.addPropertyDeletionOverride(property);
  }
  instance.engine = undefined;
  instance.engineVersion = undefined;
  instance.licenseModel = undefined;
  instance.backupRetentionPeriod = undefined;
  // A replica may become the primary after a failover: keep it when the stack goes, as the primary's
  // policy would (RetainExceptOnCreate: unless the operation creating it rolls back, which leaves nothing to keep).
  instance.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE;
  instance.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.RETAIN;
  const reasons = [
    { id: 'AwsSolutions-RDS2', reason: `A cross-region read replica is encrypted with this region's key (KmsKeyId); CloudFormation forbids StorageEncrypted on a replica.` },
    { id: 'AwsSolutions-RDS13', reason: 'Automated backups are taken from the source in the primary region; the failover workflow enables them when it promotes this replica.' },
  ];
  acknowledge(instance, [...reasons, ...(region.database?.multiAz ? [] : [{ id: 'AwsSolutions-RDS3', reason: `The spec sets database.multiAz: false for environment ${environment.name}.` }])]);
  // The master secret lives in the primary region; the failover workflow has RDS manage a new one here, with this key.
  removeOutputs(blueprint, ['MasterSecretArn']);
  new CfnOutput(stack, 'KeyArn', {
    description: 'This region\'s database key: the replica\'s storage, and the master secret after a promotion',
    value: blueprint.getResource('DatabaseKey').getAtt('Arn').toString(),
  }).overrideLogicalId('KeyArn');
  if (region.alarms.enabled) {
    const lag = new CfnAlarm(stack, 'ReplicaLagAlarm', {
      alarmDescription: Fn.sub('The cross-region replica of ${AWS::StackName} fell behind its source in the primary region: a failover now would lose more data'),
      namespace: 'AWS/RDS',
      metricName: 'ReplicaLag',
      dimensions: [{ name: 'DBInstanceIdentifier', value: instance.ref }],
      statistic: 'Maximum',
      period: 60,
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      threshold: region.alarms.replicaLagSeconds,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'missing',
    });
    lag.overrideLogicalId('ReplicaLagAlarm');
    pointAtTopic(lag, importValue('notifications', { environment, region }, 'TopicArn'));
  }
}

/**
 * \`crossRegion: backups\` in a standby: no instance, only what restoring the replicated backups
 * needs (the key they are encrypted with, the subnet group, security groups, parameter group and
 * monitoring role), so the failover workflow restores into a network that is already there.
 */
function keepOnlyWhatARestoreNeeds(stack: Stack, blueprint: ReturnType<typeof includeBlueprint>): void {
  for (const id of ['Database', ...DATABASE_ALARMS]) blueprint.node.tryRemoveChild(id);
  removeOutputs(blueprint, ['Endpoint', 'Port', 'MasterSecretArn', 'DatabaseIdentifier']);
  const outputs: [string, string, string][] = [
    ['KeyArn', 'The key the replicated automated backups (and a database restored from them) are encrypted with', blueprint.getResource('DatabaseKey').getAtt('Arn').toString()],
    ['SubnetGroupName', 'The subnet group a restored database goes into', blueprint.getResource('SubnetGroup').ref],
    ['DatabaseSecurityGroupId', 'The security group a restored database uses', blueprint.getResource('DatabaseSecurityGroup').getAtt('GroupId').toString()],
    ['ParameterGroupName', 'The TLS-only parameter group a restored database uses', blueprint.getResource('ParameterGroup').ref],
    ['MonitoringRoleArn', 'The enhanced monitoring role a restored database uses', blueprint.getResource('MonitoringRole').getAtt('Arn').toString()],
  ];
  for (const [id, description, value] of outputs) {
    new CfnOutput(stack, id, { description, value, exportName: Fn.sub(`\${AWS::StackName}-${id}`) }).overrideLogicalId(id);
  }
}

/**
 * Automated backups and transaction logs copied to the standby region as they are taken, encrypted
 * with the standby's key (looked up at deploy from its database stack, which deploys first).
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/AutomatedBackups.Replicating.Enable.html
 */
function replicateBackups(stack: Stack, instance: CfnDBInstance, database: DatabaseModel, standby: string, lookups: readonly ParameterLookup[]): void {
  const key = lookedUpParameter(stack, lookups, 'BackupReplicationKeyArn');
  instance.automaticBackupReplicationRegion = standby;
  instance.automaticBackupReplicationKmsKeyId = key.valueAsString;
  instance.automaticBackupReplicationRetentionPeriod = database.backupRetentionDays;
}

/** cloudformation-include keeps a blueprint's outputs under its `$Outputs` scope. */
function removeOutputs(blueprint: ReturnType<typeof includeBlueprint>, ids: readonly string[]): void {
  const outputs = blueprint.node.tryFindChild('$Outputs');
  for (const id of ids) outputs?.node.tryRemoveChild(id);
}

function applyPerformanceInsights(instance: CfnDBInstance, instanceClass: string, keyId: string): void {
  const supported = supportsPerformanceInsights(instanceClass);
  instance.enablePerformanceInsights = supported ? true : undefined;
  instance.performanceInsightsKmsKeyId = supported ? keyId : undefined;
  instance.performanceInsightsRetentionPeriod = supported ? 7 : undefined;
}

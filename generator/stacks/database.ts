import { CfnDeletionPolicy, CfnOutput, Fn } from 'aws-cdk-lib';
import { CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { CfnSecurityGroup, CfnSecurityGroupEgress } from 'aws-cdk-lib/aws-ec2';
import { CfnDBInstance, type CfnDBParameterGroup, type CfnDBSubnetGroup } from 'aws-cdk-lib/aws-rds';
import type { DatabaseModel, EnvironmentModel, RegionModel } from '../model/types';
import { includeBlueprint, newTemplateStack, templateOf } from './cdk';
import { configureAlarms, DATABASE_ALARMS, pointAtTopic } from './alarms';
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
 * The database stack of one environment and region, from blueprints/database.yaml: the instance
 * in the isolated subnets, its key, TLS-only parameter group, monitoring, and read replicas. Its
 * client security group is exported; the tiers in `database.clients` attach it.
 */
export function buildDatabaseTemplate(environment: EnvironmentModel, region: RegionModel): Record<string, unknown> | undefined {
  const database = region.database;
  if (!database) return undefined;
  const stack = newTemplateStack();
  const blueprint = includeBlueprint(stack, 'database');
  const network = region.stackNames.network;

  (blueprint.getResource('SubnetGroup') as CfnDBSubnetGroup).subnetIds = Fn.split(',', Fn.importValue(`${network}-IsolatedSubnetIds`));
  for (const id of ['ClientSecurityGroup', 'DatabaseSecurityGroup']) {
    (blueprint.getResource(id) as CfnSecurityGroup).vpcId = Fn.importValue(`${network}-VpcId`);
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
  instance.deletionProtection = database.deletionProtection;
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
  }

  for (let i = 1; i <= database.readReplicas; i++) {
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
      deletionProtection: database.deletionProtection,
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
      pointAtTopic(lag, region.stackNames.notifications);
    }
    acknowledge(replica, [
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
  }

  const alarms = region.alarms;
  configureAlarms(blueprint, DATABASE_ALARMS, region.stackNames.notifications, alarms.enabled ? {
    DatabaseCpuAlarm: alarms.databaseCpuPercent,
    DatabaseFreeStorageAlarm: Math.round(database.storageGb * GIB * (alarms.databaseFreeStoragePercent / 100)),
    DatabaseFreeMemoryAlarm: alarms.databaseFreeMemoryMb * MIB,
    DatabaseConnectionsAlarm: alarms.databaseConnections,
  } : undefined);

  applyTags(stack, environment.tags);
  return templateOf(stack);
}

function applyPerformanceInsights(instance: CfnDBInstance, instanceClass: string, keyId: string): void {
  const supported = supportsPerformanceInsights(instanceClass);
  instance.enablePerformanceInsights = supported ? true : undefined;
  instance.performanceInsightsKmsKeyId = supported ? keyId : undefined;
  instance.performanceInsightsRetentionPeriod = supported ? 7 : undefined;
}

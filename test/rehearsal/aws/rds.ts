/**
 * The stand-in's RDS: DB instances and automated backups, created by CloudFormation when a stack with
 * AWS::RDS::DBInstance deploys (primaries, read replicas of a source by identifier or by ARN across
 * regions, automated backups replicated to another region when the template says
 * AutomaticBackupReplicationRegion), and the calls gantry-failover.sh makes: DescribeDBInstances (and
 * so the `aws rds wait` waiters), PromoteReadReplica, DescribeDBInstanceAutomatedBackups,
 * RestoreDBInstanceToPointInTime and ModifyDBInstance. Query protocol, XML answers with the element
 * names of botocore's RDS model (rds/2014-10-31/service-2.json). Every call is authorised against the
 * caller's policies, with the further permissions RDS checks on the caller's behalf (the KMS key, the
 * master secret, iam:PassRole of the monitoring role). Operations finish inside the call, as everywhere
 * in the stand-in: the answer shows the state AWS answers with ("modifying", "creating"), and the next
 * describe shows the result.
 */
import type { Authorizer, Caller, PolicyDocument } from './iam';
import { AwsError, Members, accessDenied, queryResponse, type QueryParams, type XmlValue } from './protocol';
import { rdsDefaultPort, rdsEndpoint, rdsResourceId, type Json } from './template';
import type { ResourceEvent, World } from './world';

export interface DbInstance {
  identifier: string;
  account: string;
  region: string;
  arn: string;
  resourceId: string;
  engine: string;
  engineVersion: string;
  instanceClass: string;
  status: string;
  multiAz: boolean;
  allocatedStorage: number;
  storageType: string;
  storageEncrypted: boolean;
  kmsKeyId?: string;
  port: number;
  masterUsername?: string;
  licenseModel?: string;
  subnetGroup?: string;
  securityGroups: string[];
  parameterGroup?: string;
  backupRetentionPeriod: number;
  /** The source of a read replica: its identifier in the same region, its ARN across regions. */
  readReplicaSource?: string;
  readReplicas: string[];
  backupReplications: string[];
  masterUserSecret?: { SecretArn: string; SecretStatus: string; KmsKeyId?: string };
  monitoringInterval: number;
  monitoringRoleArn?: string;
  deletionProtection: boolean;
  publiclyAccessible: boolean;
  copyTagsToSnapshot: boolean;
  createTime: string;
  /** Who made it: a stack (by name) or an API call; and, for a restore, the backup it came from. */
  createdBy: string;
  restoredFrom?: string;
}

export interface AutomatedBackup {
  arn: string;
  account: string;
  /** Where the backup is kept, and the region of the instance it backs up (the model's `Region`). */
  storedIn: string;
  sourceRegion: string;
  instanceIdentifier: string;
  instanceArn: string;
  resourceId: string;
  status: 'active' | 'replicating' | 'retained';
  engine: string;
  engineVersion: string;
  licenseModel?: string;
  allocatedStorage: number;
  storageType: string;
  port: number;
  masterUsername?: string;
  encrypted: boolean;
  kmsKeyId?: string;
  retentionPeriod: number;
  earliest: string;
  latest: string;
  instanceCreateTime: string;
}

const NAMESPACE = 'http://rds.amazonaws.com/doc/2014-10-31/';

function keyArn(key: string | undefined, account: string, region: string): string | undefined {
  if (!key) return undefined;
  return key.startsWith('arn:') ? key : `arn:aws:kms:${region}:${account}:key/${key}`;
}

function parseDbArn(arn: string): { region: string; account: string; identifier: string } | undefined {
  const match = arn.match(/^arn:aws[a-z-]*:rds:([a-z0-9-]+):(\d{12}):db:([a-z][a-z0-9-]*)$/);
  return match ? { region: match[1] as string, account: match[2] as string, identifier: match[3] as string } : undefined;
}

function bool(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  return value === true || value === 'true';
}

/** A stand-in fault, with RDS's code and HTTP status. */
function fault(code: string, message: string, status = 400): AwsError {
  return new AwsError(code, message, status);
}

export class Rds {
  /** By `account/region/identifier`. */
  readonly instances = new Map<string, DbInstance>();
  readonly backups: AutomatedBackup[] = [];
  /** Subnet and parameter groups CloudFormation created, by `account/region/name` (RDS stores names in lower case). */
  readonly subnetGroups = new Set<string>();
  readonly parameterGroups = new Map<string, string>();
  /** The KMS keys CloudFormation created, by ARN, with their key policies (RDS uses them on the caller's behalf). */
  readonly keyPolicies = new Map<string, PolicyDocument>();

  constructor(private readonly world: World, private readonly authorizer: Authorizer) {
    world.resourceHooks.push((event, check) => this.onResource(event, check));
  }

  instance(account: string, region: string, identifier: string): DbInstance | undefined {
    return this.instances.get(`${account}/${region}/${identifier.toLowerCase()}`);
  }

  instancesIn(account: string, region: string): DbInstance[] {
    return [...this.instances.values()].filter((i) => i.account === account && i.region === region);
  }

  private byArn(arn: string): DbInstance | undefined {
    const parsed = parseDbArn(arn);
    return parsed && this.instance(parsed.account, parsed.region, parsed.identifier);
  }

  /** CloudFormation's side: the instances, subnet groups and parameter groups its stacks hold. */
  private onResource(event: ResourceEvent, check: boolean): string | undefined {
    const { account, region, resource } = event;
    const key = `${account}/${region}/${resource.physicalId.toLowerCase()}`;
    if (resource.type === 'AWS::RDS::DBSubnetGroup') {
      if (!check) (event.op === 'delete' ? this.subnetGroups.delete(key) : this.subnetGroups.add(key));
      return undefined;
    }
    if (resource.type === 'AWS::KMS::Key') {
      const arn = `arn:aws:kms:${region}:${account}:key/${resource.physicalId}`;
      if (!check) (event.op === 'delete' ? this.keyPolicies.delete(arn) : this.keyPolicies.set(arn, resource.properties?.KeyPolicy as PolicyDocument));
      return undefined;
    }
    if (resource.type === 'AWS::RDS::DBParameterGroup') {
      if (!check) (event.op === 'delete' ? this.parameterGroups.delete(key) : this.parameterGroups.set(key, String(resource.properties?.Family ?? '')));
      return undefined;
    }
    if (resource.type !== 'AWS::RDS::DBInstance') return undefined;
    if (event.op === 'delete') {
      if (this.instances.get(key)?.deletionProtection) {
        return `Resource handler returned message: "Cannot delete protected DB Instance, please disable deletion protection and try again. (Service: Rds, Status Code: 400)" (HandlerErrorCode: InvalidRequest)`;
      }
      if (!check) this.instances.delete(key);
      return undefined;
    }
    const existing = this.instances.get(key);
    if (existing) {
      // An update keeps what the API changed since (a promotion, a managed secret): only the sizes move.
      if (!check) {
        const p = resource.properties ?? {};
        if (p.DBInstanceClass) existing.instanceClass = String(p.DBInstanceClass);
        if (p.AllocatedStorage) existing.allocatedStorage = Number(p.AllocatedStorage);
        if (p.MultiAZ !== undefined) existing.multiAz = bool(p.MultiAZ, existing.multiAz);
        // The deploy turns deletion protection on by an update right after creating the stack.
        if (p.DeletionProtection !== undefined) existing.deletionProtection = bool(p.DeletionProtection, existing.deletionProtection);
      }
      return undefined;
    }
    const created = this.fromTemplate(event);
    if (typeof created === 'string') return `Resource handler returned message: "${created}" (HandlerErrorCode: InvalidRequest)`;
    if (check) return undefined;
    this.instances.set(key, created);
    if (created.readReplicaSource) {
      const source = this.byArn(created.readReplicaSource) ?? this.instance(account, region, created.readReplicaSource);
      source?.readReplicas.push(source.region === region ? created.identifier : created.arn);
    }
    const p = resource.properties ?? {};
    if (p.AutomaticBackupReplicationRegion) this.replicateBackups(created, String(p.AutomaticBackupReplicationRegion), p);
    return undefined;
  }

  /** The instance a template's properties describe, or why RDS refuses it. */
  private fromTemplate(event: ResourceEvent): DbInstance | string {
    const { account, region, resource } = event;
    const p: Json = resource.properties ?? {};
    const identifier = resource.physicalId.toLowerCase();
    let source: DbInstance | undefined;
    if (p.SourceDBInstanceIdentifier) {
      const ref = String(p.SourceDBInstanceIdentifier);
      source = ref.startsWith('arn:') ? this.byArn(ref) : this.instance(account, region, ref);
      if (!source) return `DBInstance ${ref} not found (Service: Rds, Status Code: 404)`;
      if (ref.startsWith('arn:') && source.region === region) return `The source ARN ${ref} is in ${region}: a cross-region read replica needs a source in another region`;
      if (!ref.startsWith('arn:') && source.region !== region) return `DBInstance ${ref} not found in ${region}: a cross-region source is named by its ARN`;
      if (source.backupRetentionPeriod === 0) return `Automated backups are not enabled for the source ${source.identifier}; a read replica needs them (Service: Rds, Status Code: 400)`;
      // AWS: "Managing master user passwords with Secrets Manager isn't supported for: creating a read
      // replica when the source DB ... manages credentials with Secrets Manager. This applies to all DB
      // engines except RDS for SQL Server." (RDS User Guide, rds-secrets-manager.html, Limitations)
      if (source.masterUserSecret && !source.engine.startsWith('sqlserver')) {
        return `Creating a read replica of ${source.identifier} is not supported: its master user password is managed in AWS Secrets Manager, which RDS supports for read replicas only on SQL Server (Service: Rds, Status Code: 400)`;
      }
      if (source.storageEncrypted && source.region !== region && !p.KmsKeyId) return `A cross-region read replica of an encrypted instance needs a KmsKeyId in ${region} (Service: Rds, Status Code: 400)`;
    }
    const engine = String(p.Engine ?? source?.engine ?? '');
    if (!engine) return 'Engine is required when the instance is not a read replica';
    const kms = keyArn(p.KmsKeyId ? String(p.KmsKeyId) : source?.region === region ? source.kmsKeyId : undefined, account, region);
    if (kms && !kms.includes(`:kms:${region}:`)) return `The KMS key ${kms} is not in ${region} (Service: Rds, Status Code: 400, KMSKeyNotAccessibleFault)`;
    const manage = bool(p.ManageMasterUserPassword, false);
    if (manage && source && !engine.startsWith('sqlserver')) return 'ManageMasterUserPassword is not supported for a read replica (Service: Rds, Status Code: 400)';
    const resourceId = rdsResourceId(identifier, account, region);
    const instance: DbInstance = {
      identifier, account, region, arn: `arn:aws:rds:${region}:${account}:db:${identifier}`, resourceId,
      engine, engineVersion: String(p.EngineVersion ?? source?.engineVersion ?? ''), instanceClass: String(p.DBInstanceClass ?? source?.instanceClass ?? ''),
      status: 'available', multiAz: bool(p.MultiAZ, false), allocatedStorage: Number(p.AllocatedStorage ?? source?.allocatedStorage ?? 20),
      storageType: String(p.StorageType ?? source?.storageType ?? 'gp2'), storageEncrypted: source ? source.storageEncrypted : bool(p.StorageEncrypted, false) || Boolean(kms),
      ...(kms ? { kmsKeyId: kms } : {}),
      port: Number(p.Port ?? source?.port ?? rdsDefaultPort(engine)), ...(p.MasterUsername ?? source?.masterUsername ? { masterUsername: String(p.MasterUsername ?? source?.masterUsername) } : {}),
      ...(p.LicenseModel ?? source?.licenseModel ? { licenseModel: String(p.LicenseModel ?? source?.licenseModel) } : {}),
      ...(p.DBSubnetGroupName ? { subnetGroup: String(p.DBSubnetGroupName).toLowerCase() } : {}),
      securityGroups: (p.VPCSecurityGroups ?? []).map(String), ...(p.DBParameterGroupName ? { parameterGroup: String(p.DBParameterGroupName).toLowerCase() } : {}),
      // A read replica is created with backups off (AWS: "All read replica DB instances are created with backups disabled").
      backupRetentionPeriod: source ? 0 : Number(p.BackupRetentionPeriod ?? 1),
      ...(source ? { readReplicaSource: source.region === region ? source.identifier : source.arn } : {}),
      readReplicas: [], backupReplications: [],
      ...(manage ? { masterUserSecret: {
        SecretArn: `arn:aws:secretsmanager:${region}:${account}:secret:rds!db-${resourceId.slice(3).toLowerCase()}-${identifier.slice(-6)}`,
        SecretStatus: 'active', ...(p.MasterUserSecret?.KmsKeyId ? { KmsKeyId: keyArn(String(p.MasterUserSecret.KmsKeyId), account, region) as string } : {}),
      } } : {}),
      monitoringInterval: Number(p.MonitoringInterval ?? 0), ...(p.MonitoringRoleArn ? { monitoringRoleArn: String(p.MonitoringRoleArn) } : {}),
      deletionProtection: bool(p.DeletionProtection, false), publiclyAccessible: bool(p.PubliclyAccessible, false), copyTagsToSnapshot: bool(p.CopyTagsToSnapshot, false),
      createTime: this.world.now(), createdBy: event.stackName,
    };
    if (p.AutomaticBackupReplicationRegion) {
      const destination = String(p.AutomaticBackupReplicationRegion);
      if (destination === region) return `AutomaticBackupReplicationRegion ${destination} is the instance's own region`;
      if (instance.backupRetentionPeriod === 0) return 'Automated backup replication needs automated backups (BackupRetentionPeriod > 0)';
      const replicationKey = p.AutomaticBackupReplicationKmsKeyId ? String(p.AutomaticBackupReplicationKmsKeyId) : undefined;
      if (instance.storageEncrypted && !replicationKey) return `An encrypted instance's backups are replicated only with a KMS key of ${destination} (AutomaticBackupReplicationKmsKeyId)`;
      if (replicationKey && !replicationKey.includes(`:kms:${destination}:`)) return `AutomaticBackupReplicationKmsKeyId ${replicationKey} is not a key of ${destination}`;
    }
    return instance;
  }

  private replicateBackups(instance: DbInstance, destination: string, p: Json): void {
    const arn = `arn:aws:rds:${destination}:${instance.account}:auto-backup:ab-${rdsResourceId(`${instance.identifier}/${destination}`, instance.account, instance.region).slice(3).toLowerCase()}`;
    const now = this.world.now();
    this.backups.push({
      arn, account: instance.account, storedIn: destination, sourceRegion: instance.region, instanceIdentifier: instance.identifier, instanceArn: instance.arn,
      resourceId: instance.resourceId, status: 'replicating', engine: instance.engine, engineVersion: instance.engineVersion, ...(instance.licenseModel ? { licenseModel: instance.licenseModel } : {}),
      allocatedStorage: instance.allocatedStorage, storageType: instance.storageType, port: instance.port, ...(instance.masterUsername ? { masterUsername: instance.masterUsername } : {}),
      encrypted: instance.storageEncrypted, ...(p.AutomaticBackupReplicationKmsKeyId ? { kmsKeyId: String(p.AutomaticBackupReplicationKmsKeyId) } : {}),
      retentionPeriod: Number(p.AutomaticBackupReplicationRetentionPeriod ?? 7), earliest: now, latest: now, instanceCreateTime: instance.createTime,
    });
    instance.backupReplications.push(arn);
  }

  private async authorize(caller: Caller, region: string, action: string, resource: string, context: Record<string, string> = {}, resourcePolicy?: PolicyDocument): Promise<void> {
    const denial = await this.authorizer.check(caller, action, resource, { 'aws:RequestedRegion': region, ...context }, resourcePolicy);
    if (denial) throw accessDenied(denial.message);
  }

  /** RDS's calls to KMS on the caller's behalf (forward access sessions), through RDS in this region. */
  private async authorizeKey(caller: Caller, region: string, key: string, actions: string[]): Promise<void> {
    const policy = this.keyPolicies.get(key);
    if (!policy) throw fault('KMSKeyNotAccessibleFault', `The specified KMS key [${key}] does not exist, is not enabled or you do not have permissions to access it.`);
    for (const action of actions) await this.authorize(caller, region, action, key, { 'kms:ViaService': `rds.${region}.amazonaws.com` }, policy);
  }

  async handle(action: string, params: QueryParams, request: { caller: Caller; account: string; region: string }): Promise<string> {
    const { caller, account, region } = request;
    const dbArn = (id: string) => `arn:aws:rds:${region}:${account}:db:${id.toLowerCase()}`;
    const mustExist = (id: string) => {
      const found = this.instance(account, region, id);
      if (!found) throw fault('DBInstanceNotFound', `DBInstance ${id} not found.`, 404);
      return found;
    };
    const respond = (result: Record<string, XmlValue>) => queryResponse(action, NAMESPACE, result);
    switch (action) {
      case 'DescribeDBInstances': {
        const id = params.get('DBInstanceIdentifier');
        await this.authorize(caller, region, 'rds:DescribeDBInstances', id ? dbArn(id) : `arn:aws:rds:${region}:${account}:db:*`);
        const all = id ? [mustExist(id)] : this.instancesIn(account, region).sort((a, b) => a.identifier.localeCompare(b.identifier));
        const start = Number(params.get('Marker') ?? 0);
        const max = Number(params.get('MaxRecords') ?? 100);
        const page = all.slice(start, start + max);
        return respond({ DBInstances: new Members('DBInstance', page.map((i) => this.describe(i))), Marker: start + max < all.length ? String(start + max) : undefined });
      }
      case 'PromoteReadReplica': {
        const id = params.get('DBInstanceIdentifier') ?? '';
        await this.authorize(caller, region, 'rds:PromoteReadReplica', dbArn(id));
        const instance = mustExist(id);
        if (!instance.readReplicaSource) throw fault('InvalidDBInstanceState', `DB Instance ${id} is not a read replica.`);
        if (instance.status !== 'available') throw fault('InvalidDBInstanceState', `Instance ${id} is not in available state.`);
        const retention = params.get('BackupRetentionPeriod');
        if (retention !== undefined && (Number(retention) < 0 || Number(retention) > 35)) throw fault('InvalidParameterValue', 'The backup retention period must be between 0 and 35 days.');
        const answer = this.describe({ ...instance, status: 'modifying' });
        const source = this.byArn(instance.readReplicaSource) ?? this.instance(account, region, instance.readReplicaSource);
        if (source) source.readReplicas = source.readReplicas.filter((r) => r !== instance.arn && r !== instance.identifier);
        delete instance.readReplicaSource;
        instance.backupRetentionPeriod = Number(retention ?? 1);
        return respond({ DBInstance: answer });
      }
      case 'DescribeDBInstanceAutomatedBackups': {
        await this.authorize(caller, region, 'rds:DescribeDBInstanceAutomatedBackups', `arn:aws:rds:${region}:${account}:auto-backup:*`);
        const byArn = params.get('DBInstanceAutomatedBackupsArn');
        const byId = params.get('DBInstanceIdentifier');
        const byResource = params.get('DbiResourceId');
        const backups = this.backupsIn(account, region).filter((b) => (!byArn || b.arn === byArn) && (!byId || b.instanceIdentifier === byId) && (!byResource || b.resourceId === byResource));
        return respond({ DBInstanceAutomatedBackups: new Members('DBInstanceAutomatedBackup', backups.map((b) => this.describeBackup(b))) });
      }
      case 'RestoreDBInstanceToPointInTime': return respond({ DBInstance: this.describe(await this.restore(params, request)) });
      case 'ModifyDBInstance': {
        const id = params.get('DBInstanceIdentifier') ?? '';
        await this.authorize(caller, region, 'rds:ModifyDBInstance', dbArn(id));
        const instance = mustExist(id);
        if (instance.status !== 'available') throw fault('InvalidDBInstanceState', `Instance ${id} is not in available state.`);
        const change: Partial<DbInstance> = {};
        const retention = params.get('BackupRetentionPeriod');
        if (retention !== undefined) {
          if (instance.readReplicaSource && Number(retention) > 0 && !instance.engine.startsWith('postgres') && !instance.engine.startsWith('mysql') && !instance.engine.startsWith('mariadb')) {
            throw fault('InvalidParameterCombination', `Automated backups cannot be enabled on a read replica of ${instance.engine}.`);
          }
          change.backupRetentionPeriod = Number(retention);
        }
        const interval = params.get('MonitoringInterval');
        const monitoringRole = params.get('MonitoringRoleArn');
        if (monitoringRole) await this.passMonitoringRole(caller, account, region, monitoringRole);
        if (interval !== undefined) {
          if (Number(interval) > 0 && !(monitoringRole ?? instance.monitoringRoleArn)) throw fault('InvalidParameterCombination', 'A MonitoringRoleArn value is required if you specify a MonitoringInterval value other than 0.');
          change.monitoringInterval = Number(interval);
        }
        if (monitoringRole) change.monitoringRoleArn = monitoringRole;
        const manage = params.get('ManageMasterUserPassword');
        const secretKey = params.get('MasterUserSecretKmsKeyId');
        if (secretKey && manage !== 'true') throw fault('InvalidParameterCombination', 'MasterUserSecretKmsKeyId is valid only when ManageMasterUserPassword is turned on.');
        if (manage === 'true') {
          if (instance.readReplicaSource && !instance.engine.startsWith('sqlserver')) throw fault('InvalidParameterCombination', `${id} is a read replica: RDS does not manage the master user password of a read replica in Secrets Manager.`);
          if (instance.readReplicas.length > 0 && !instance.engine.startsWith('sqlserver')) throw fault('InvalidParameterCombination', `${id} has read replicas: RDS manages its master user password in Secrets Manager only without them.`);
          const key = keyArn(secretKey, account, region);
          if (instance.masterUserSecret) {
            if (key && key !== instance.masterUserSecret.KmsKeyId) throw fault('InvalidParameterCombination', `The master user secret of ${id} is already managed with another KMS key; it cannot be changed.`);
          } else {
            // RDS User Guide, "Permissions required for Secrets Manager integration".
            await this.authorize(caller, region, 'secretsmanager:CreateSecret', `arn:aws:secretsmanager:${region}:${account}:secret:rds!db-*`);
            await this.authorize(caller, region, 'secretsmanager:TagResource', `arn:aws:secretsmanager:${region}:${account}:secret:rds!db-*`);
            if (key) {
              if (!key.includes(`:kms:${region}:`)) throw fault('KMSKeyNotAccessibleFault', `The KMS key ${key} is not in ${region}.`);
              await this.authorizeKey(caller, region, key, ['kms:DescribeKey', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:CreateGrant']);
            }
            change.masterUserSecret = {
              SecretArn: `arn:aws:secretsmanager:${region}:${account}:secret:rds!db-${instance.resourceId.slice(3).toLowerCase()}-${this.world.next().slice(-6)}`,
              SecretStatus: 'active', ...(key ? { KmsKeyId: key } : {}),
            };
          }
        }
        if (params.get('ApplyImmediately') !== 'true' && Object.keys(change).some((k) => k !== 'masterUserSecret' && k !== 'backupRetentionPeriod')) {
          // Without ApplyImmediately the change waits for the maintenance window; nothing a failover can wait for.
          return respond({ DBInstance: this.describe(instance) });
        }
        Object.assign(instance, change);
        return respond({ DBInstance: this.describe({ ...instance, status: 'modifying' }) });
      }
      default:
        throw fault('InvalidAction', `the stand-in RDS does not implement ${action}`);
    }
  }

  /** The automated backups kept in a region: its own instances', and those replicated into it. */
  backupsIn(account: string, region: string): AutomatedBackup[] {
    const own = this.instancesIn(account, region).filter((i) => i.backupRetentionPeriod > 0).map((i): AutomatedBackup => ({
      arn: `arn:aws:rds:${region}:${account}:auto-backup:ab-${i.resourceId.slice(3).toLowerCase()}`, account, storedIn: region, sourceRegion: region,
      instanceIdentifier: i.identifier, instanceArn: i.arn, resourceId: i.resourceId, status: 'active', engine: i.engine, engineVersion: i.engineVersion,
      ...(i.licenseModel ? { licenseModel: i.licenseModel } : {}), allocatedStorage: i.allocatedStorage, storageType: i.storageType, port: i.port,
      ...(i.masterUsername ? { masterUsername: i.masterUsername } : {}), encrypted: i.storageEncrypted, ...(i.kmsKeyId ? { kmsKeyId: i.kmsKeyId } : {}),
      retentionPeriod: i.backupRetentionPeriod, earliest: i.createTime, latest: i.createTime, instanceCreateTime: i.createTime,
    }));
    return [...own, ...this.backups.filter((b) => b.account === account && b.storedIn === region)];
  }

  private async passMonitoringRole(caller: Caller, account: string, region: string, roleArn: string): Promise<void> {
    await this.authorize(caller, region, 'iam:PassRole', roleArn, { 'iam:PassedToService': 'monitoring.rds.amazonaws.com' });
    const role = [...this.world.account(account).roles.values()].find((r) => r.arn === roleArn);
    const trusted = role && JSON.stringify(role.trust).includes('monitoring.rds.amazonaws.com');
    if (!trusted) throw fault('InvalidParameterCombination', `IAM role ARN value is invalid or does not include the required permissions for: ENHANCED_MONITORING (${roleArn})`);
  }

  private async restore(params: QueryParams, request: { caller: Caller; account: string; region: string }): Promise<DbInstance> {
    const { caller, account, region } = request;
    const target = (params.get('TargetDBInstanceIdentifier') ?? '').toLowerCase();
    const targetArn = `arn:aws:rds:${region}:${account}:db:${target}`;
    await this.authorize(caller, region, 'rds:RestoreDBInstanceToPointInTime', targetArn);
    if (!/^[a-z](?!.*--)[a-z0-9-]{0,62}$/.test(target) || target.endsWith('-')) throw fault('InvalidParameterValue', `The parameter TargetDBInstanceIdentifier is not a valid identifier: ${target}`);
    if (this.instance(account, region, target)) throw fault('DBInstanceAlreadyExists', `DB instance already exists: ${target}`);
    const backupArn = params.get('SourceDBInstanceAutomatedBackupsArn');
    const sourceId = params.get('SourceDBInstanceIdentifier');
    const backups = this.backupsIn(account, region);
    const backup = backupArn ? backups.find((b) => b.arn === backupArn) : backups.find((b) => b.instanceIdentifier === sourceId && b.sourceRegion === region);
    if (!backup) throw fault('DBInstanceAutomatedBackupNotFound', `No automated backup ${backupArn ?? sourceId} in ${region}.`, 404);
    if (backupArn) await this.authorize(caller, region, 'rds:RestoreDBInstanceToPointInTime', backupArn);
    const latest = params.get('UseLatestRestorableTime') === 'true';
    const time = params.get('RestoreTime');
    if (latest === Boolean(time)) throw fault('InvalidParameterCombination', 'Exactly one of RestoreTime and UseLatestRestorableTime is required.');
    const subnetGroup = params.get('DBSubnetGroupName')?.toLowerCase();
    if (subnetGroup) {
      await this.authorize(caller, region, 'rds:RestoreDBInstanceToPointInTime', `arn:aws:rds:${region}:${account}:subgrp:${subnetGroup}`);
      if (!this.subnetGroups.has(`${account}/${region}/${subnetGroup}`)) throw fault('DBSubnetGroupNotFoundFault', `DBSubnetGroup ${subnetGroup} not found.`, 404);
    }
    const parameterGroup = params.get('DBParameterGroupName')?.toLowerCase();
    if (parameterGroup) {
      await this.authorize(caller, region, 'rds:RestoreDBInstanceToPointInTime', `arn:aws:rds:${region}:${account}:pg:${parameterGroup}`);
      const family = this.parameterGroups.get(`${account}/${region}/${parameterGroup}`);
      if (family === undefined) throw fault('DBParameterGroupNotFound', `DBParameterGroup ${parameterGroup} not found.`, 404);
      if (!family.startsWith(backup.engine)) throw fault('InvalidParameterCombination', `The parameter group ${parameterGroup} (family ${family}) does not fit the engine ${backup.engine}.`);
    }
    if (params.list('Tag', 'Tag').length || params.records('Tags', 'Tag').length) await this.authorize(caller, region, 'rds:AddTagsToResource', targetArn);
    if (backup.kmsKeyId) await this.authorizeKey(caller, region, backup.kmsKeyId, ['kms:DescribeKey', 'kms:CreateGrant']);
    const instance: DbInstance = {
      identifier: target, account, region, arn: targetArn, resourceId: rdsResourceId(target, account, region), engine: backup.engine, engineVersion: backup.engineVersion,
      instanceClass: params.get('DBInstanceClass') ?? '', status: 'available', multiAz: params.get('MultiAZ') === 'true', allocatedStorage: backup.allocatedStorage,
      storageType: params.get('StorageType') ?? backup.storageType, storageEncrypted: backup.encrypted, ...(backup.kmsKeyId ? { kmsKeyId: backup.kmsKeyId } : {}),
      port: Number(params.get('Port') ?? backup.port), ...(backup.masterUsername ? { masterUsername: backup.masterUsername } : {}), ...(backup.licenseModel ? { licenseModel: backup.licenseModel } : {}),
      ...(subnetGroup ? { subnetGroup } : {}), securityGroups: params.list('VpcSecurityGroupIds', 'VpcSecurityGroupId'), ...(parameterGroup ? { parameterGroup } : {}),
      backupRetentionPeriod: backup.retentionPeriod, readReplicas: [], backupReplications: [], monitoringInterval: 0,
      deletionProtection: params.get('DeletionProtection') === 'true', publiclyAccessible: params.get('PubliclyAccessible') === 'true', copyTagsToSnapshot: params.get('CopyTagsToSnapshot') === 'true',
      createTime: this.world.now(), createdBy: 'RestoreDBInstanceToPointInTime', restoredFrom: backup.arn,
    };
    if (!instance.instanceClass) instance.instanceClass = 'db.m5.large';
    this.instances.set(`${account}/${region}/${target}`, instance);
    return { ...instance, status: 'creating' };
  }

  private describe(i: DbInstance): XmlValue {
    return {
      DBInstanceIdentifier: i.identifier, DBInstanceClass: i.instanceClass, Engine: i.engine, DBInstanceStatus: i.status, MasterUsername: i.masterUsername,
      Endpoint: { Address: rdsEndpoint(i.identifier, i.account, i.region), Port: i.port, HostedZoneId: 'Z2R2ITUGPM61AM' },
      AllocatedStorage: i.allocatedStorage, InstanceCreateTime: i.createTime, BackupRetentionPeriod: i.backupRetentionPeriod,
      VpcSecurityGroups: new Members('VpcSecurityGroupMembership', i.securityGroups.map((g) => ({ VpcSecurityGroupId: g, Status: 'active' }))),
      DBParameterGroups: new Members('DBParameterGroup', i.parameterGroup ? [{ DBParameterGroupName: i.parameterGroup, ParameterApplyStatus: 'in-sync' }] : []),
      DBSubnetGroup: i.subnetGroup ? { DBSubnetGroupName: i.subnetGroup, SubnetGroupStatus: 'Complete' } : undefined,
      MultiAZ: i.multiAz, EngineVersion: i.engineVersion, ReadReplicaSourceDBInstanceIdentifier: i.readReplicaSource,
      ReadReplicaDBInstanceIdentifiers: new Members('ReadReplicaDBInstanceIdentifier', i.readReplicas), LicenseModel: i.licenseModel,
      PubliclyAccessible: i.publiclyAccessible, StorageType: i.storageType, DbInstancePort: 0, StorageEncrypted: i.storageEncrypted, KmsKeyId: i.kmsKeyId,
      DbiResourceId: i.resourceId, CopyTagsToSnapshot: i.copyTagsToSnapshot, MonitoringInterval: i.monitoringInterval, MonitoringRoleArn: i.monitoringRoleArn,
      DBInstanceArn: i.arn, DeletionProtection: i.deletionProtection,
      DBInstanceAutomatedBackupsReplications: new Members('DBInstanceAutomatedBackupsReplication', i.backupReplications.map((arn) => ({ DBInstanceAutomatedBackupsArn: arn }))),
      MasterUserSecret: i.masterUserSecret,
    };
  }

  private describeBackup(b: AutomatedBackup): XmlValue {
    return {
      DBInstanceArn: b.instanceArn, DbiResourceId: b.resourceId, Region: b.sourceRegion, DBInstanceIdentifier: b.instanceIdentifier,
      RestoreWindow: { EarliestTime: b.earliest, LatestTime: b.latest }, AllocatedStorage: b.allocatedStorage, Status: b.status, Port: b.port,
      InstanceCreateTime: b.instanceCreateTime, MasterUsername: b.masterUsername, Engine: b.engine, EngineVersion: b.engineVersion, LicenseModel: b.licenseModel,
      Encrypted: b.encrypted, StorageType: b.storageType, KmsKeyId: b.kmsKeyId, BackupRetentionPeriod: b.retentionPeriod, DBInstanceAutomatedBackupsArn: b.arn,
    };
  }
}

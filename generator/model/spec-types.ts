/**
 * The spec as written (version 1), after schema validation: optional fields are optional.
 * `schemas/environment.schema.json` is the source of truth for the shape; these types follow it.
 */
export interface SpecDocument {
  version: 1;
  project: string;
  description?: string;
  tags?: Record<string, string>;
  github: GithubSpec;
  notifications?: NotificationsSpec;
  network?: NetworkSpec;
  tiers: Record<string, TierSpec>;
  database?: DatabaseSpec;
  edge?: EdgeSpec;
  alarms?: AlarmsSpec;
  budget?: BudgetSpec;
  environments: Record<string, EnvironmentSpec>;
}

export interface GithubSpec {
  repository: string;
  branch?: string;
  ownerId?: number;
  repositoryId?: number;
}

export interface NotificationsSpec {
  slack?: { workspaceId?: string; channelId?: string; webhookSecret?: string };
  emails?: string[];
}

export type NatGateways = 'perAz' | 'single' | 'none';
export type Endpoint = 's3' | 'dynamodb' | 'ssm' | 'logs' | 'monitoring' | 'secretsmanager' | 'kms' | 'sts';

export interface NetworkSpec {
  cidr?: string;
  availabilityZones?: number;
  allowSingleAz?: boolean;
  natGateways?: NatGateways;
  flowLogs?: boolean;
  flowLogRetentionDays?: number;
  endpoints?: Endpoint[];
}

export type Os = 'linux' | 'windows';
export type DeployStrategy = 'rolling' | 'replacing';

export interface TierSpec {
  os?: Os;
  instanceType?: string;
  capacity?: { min?: number; max?: number; desired?: number };
  scaling?: { cpuPercent?: number; requestsPerTarget?: number };
  port?: number;
  healthCheck?: string;
  loadBalancer?: { public?: boolean; certificateArn?: string };
  from?: string[];
  image?: { parameter?: string };
  deploy?: { strategy?: DeployStrategy; batchSize?: number; minInService?: number; timeout?: string };
}

export type Engine = 'postgres' | 'mysql' | 'mariadb' | 'sqlserver-ex' | 'sqlserver-web' | 'sqlserver-se' | 'sqlserver-ee';

export interface DatabaseSpec {
  engine: Engine;
  version: string;
  instanceClass?: string;
  storageGb?: number;
  multiAz?: boolean;
  backupRetentionDays?: number;
  readReplicas?: number;
  clients?: string[];
  deletionProtection?: boolean;
  crossRegion?: CrossRegion;
}

/** How a multi-region environment's data reaches its standby regions. */
export type CrossRegion = 'replica' | 'backups' | 'none';

export type ManagedRule =
  | 'common' | 'knownBadInputs' | 'sqlInjection' | 'ipReputation' | 'anonymousIpList'
  | 'linux' | 'windows' | 'php' | 'wordpress' | 'adminProtection';

export interface EdgeSpec {
  domain: string;
  zone: string;
  site?: { spa?: boolean };
  api?: { tier: string; path?: string };
  waf?: { managedRules?: ManagedRule[]; ratePerFiveMinutes?: number };
  shieldAdvanced?: boolean;
}

export interface AlarmsSpec {
  enabled?: boolean;
  loadBalancer5xxPerFiveMinutes?: number;
  target5xxPerFiveMinutes?: number;
  responseTimeSeconds?: number;
  tierCpuPercent?: number;
  databaseCpuPercent?: number;
  databaseFreeStoragePercent?: number;
  databaseFreeMemoryMb?: number;
  databaseConnections?: number;
  replicaLagSeconds?: number;
}

export interface BudgetSpec {
  monthlyUsd: number;
  alertAtPercent?: number[];
}

export type RegionRole = 'primary' | 'standby';

/** What one region may set for a tier: a standby runs warm and small, and a certificate is regional. */
export interface RegionTierSpec {
  capacity?: { min?: number; max?: number; desired?: number };
  loadBalancer?: { certificateArn?: string };
}

export type RegionEntry = string | { name: string; cidr?: string; role?: RegionRole; tiers?: Record<string, RegionTierSpec> };

export interface EnvironmentSpec {
  account: string;
  regions: RegionEntry[];
  approval?: boolean;
  reviewers?: string[];
  overrides?: OverridesSpec;
}

/** The sections an environment may override, each partial. */
export interface OverridesSpec {
  description?: string;
  tags?: Record<string, string>;
  notifications?: NotificationsSpec;
  network?: NetworkSpec;
  tiers?: Record<string, TierSpec>;
  database?: Partial<DatabaseSpec>;
  edge?: Partial<EdgeSpec>;
  alarms?: AlarmsSpec;
  budget?: Partial<BudgetSpec>;
}

/** The top-level sections that `environments.<name>.overrides` may deep-merge over. */
export const OVERRIDABLE_SECTIONS = [
  'description', 'tags', 'notifications', 'network', 'tiers', 'database', 'edge', 'alarms', 'budget',
] as const;

import type { CrossRegion, DeployStrategy, Endpoint, Engine, ManagedRule, NatGateways, Os, RegionRole } from './spec-types';

export type { CrossRegion, DeployStrategy, Endpoint, Engine, ManagedRule, NatGateways, Os, RegionRole } from './spec-types';

/**
 * The resolved model: defaults applied, environment overrides merged, one immutable value per
 * environment and region. Stack and workflow builders read only this, never the raw spec.
 */
export interface PlatformModel {
  readonly project: string;
  readonly description?: string;
  /** The spec file as the user named it, for the generated files' header. */
  readonly specFile: string;
  readonly github: GithubModel;
  /** In the order the spec writes them: the deploy order. */
  readonly environments: readonly EnvironmentModel[];
}

export interface GithubModel {
  /** owner/name */
  readonly repository: string;
  readonly owner: string;
  readonly name: string;
  readonly branch: string;
  /** Both or neither: the immutable OIDC subject form `repo:OWNER@OWNER_ID/REPO@REPO_ID:…`. */
  readonly ownerId?: number;
  readonly repositoryId?: number;
}

export interface EnvironmentModel {
  readonly name: string;
  /** 0-based position in the spec: environments deploy in this order. */
  readonly order: number;
  readonly account: string;
  readonly approval: boolean;
  /** GitHub users and org/team slugs who approve deploys (the GitHub environment's required reviewers). */
  readonly reviewers: readonly string[];
  /** The first environment (in spec order) of its account: it creates what exists once per account. */
  readonly firstInAccount: boolean;
  readonly description?: string;
  /** The user's tags plus Project and Environment, sorted by key. */
  readonly tags: Readonly<Record<string, string>>;
  readonly notifications: NotificationsModel;
  readonly budget?: BudgetModel;
  readonly edge?: EdgeModel;
  /** In the spec's order; exactly one is the primary (the first, unless a region says `role: primary`). */
  readonly regions: readonly RegionModel[];
  /** The region that holds the writable database and answers the API while it is healthy. */
  readonly primaryRegion: string;
  readonly stackNames: EnvironmentStackNames;
}

export interface EnvironmentStackNames {
  /** Deployed once by hand per environment: the GitHub OIDC roles and the artifacts bucket. */
  readonly bootstrap: string;
  /** us-east-1: certificate, CloudFront, WAF, site bucket, DNS records. */
  readonly edge: string;
  /** us-east-1: the monthly cost budget of the environment's account. */
  readonly budget: string;
}

export interface RegionModel {
  readonly environment: string;
  readonly account: string;
  readonly region: string;
  readonly primary: boolean;
  readonly role: RegionRole;
  readonly network: NetworkModel;
  /** In the spec's order. */
  readonly tiers: readonly TierModel[];
  /** Absent in a standby region when `database.crossRegion` is `none`. */
  readonly database?: DatabaseModel;
  /**
   * What this region's database stack holds: the writable instance (the primary region), a
   * cross-region read replica of it (`replica`), or no instance, only what restoring the
   * replicated automated backups needs (`backups`).
   */
  readonly databaseRole?: DatabaseRole;
  readonly alarms: AlarmsModel;
  readonly stackNames: RegionStackNames;
}

export type DatabaseRole = 'primary' | 'replica' | 'backups';

export interface RegionStackNames {
  readonly notifications: string;
  readonly network: string;
  readonly database: string;
  /** By tier name. */
  readonly tiers: Readonly<Record<string, string>>;
}

export type SubnetKind = 'public' | 'private' | 'isolated';

export interface SubnetModel {
  readonly kind: SubnetKind;
  /** 0-based AZ index: the template picks `!Select [az, !GetAZs '']`. */
  readonly az: number;
  readonly cidr: string;
}

export interface NetworkModel {
  readonly cidr: string;
  readonly availabilityZones: number;
  readonly natGateways: NatGateways;
  readonly flowLogs: boolean;
  readonly flowLogRetentionDays: number;
  readonly endpoints: readonly Endpoint[];
  /** Public, then private, then isolated; each by AZ. */
  readonly subnets: readonly SubnetModel[];
}

export interface TierModel {
  readonly name: string;
  readonly os: Os;
  readonly instanceType: string;
  readonly capacity: { readonly min: number; readonly max: number; readonly desired: number };
  readonly scaling: { readonly metric: 'cpuPercent'; readonly target: number } | { readonly metric: 'requestsPerTarget'; readonly target: number };
  readonly port: number;
  readonly healthCheck: string;
  readonly loadBalancer: {
    readonly public: boolean;
    /** An existing certificate; absent when the edge's regional certificate (or none) is used. */
    readonly certificateArn?: string;
    /** How HTTPS is served: a given certificate, one issued for the edge domain, or none (HTTP only). */
    readonly tls: 'certificate' | 'edge' | 'none';
  };
  /** Tiers allowed to call this one through its load balancer, sorted. */
  readonly from: readonly string[];
  readonly imageParameter: string;
  readonly deploy: {
    readonly strategy: DeployStrategy;
    readonly batchSize: number;
    readonly minInService: number;
    readonly timeout: string;
  };
}

export type EngineFamily = 'postgres' | 'mysql' | 'mariadb' | 'sqlserver';

export interface DatabaseModel {
  readonly engine: Engine;
  readonly family: EngineFamily;
  readonly version: string;
  readonly port: number;
  readonly instanceClass: string;
  readonly storageGb: number;
  readonly multiAz: boolean;
  readonly backupRetentionDays: number;
  readonly readReplicas: number;
  /** Tier names, sorted. */
  readonly clients: readonly string[];
  readonly deletionProtection: boolean;
  /** SQL Server's licence model; the open-source engines have none to set. */
  readonly licenseModel?: 'license-included';
  /** How data reaches the standby regions (only meaningful with more than one region). */
  readonly crossRegion: CrossRegion;
}

export interface EdgeModel {
  /** The public tier CloudFront sends API (or, without a site, all) traffic to: `api.tier`, else the first public tier. */
  readonly originTier?: string;
  /**
   * With an origin tier: the Secrets Manager secret (same name in every region) whose value
   * CloudFront sends to that tier's load balancers as the secret origin header, `<project>-<env>/origin-verify`.
   */
  readonly originSecret?: string;
  readonly domain: string;
  /**
   * The public hosted zone, in this environment's account, that holds its records and validates its
   * certificates: `edge.zone`, or a zone named for the environment's domain when another account
   * holds `edge.zone` (model/edge-domains.ts).
   */
  readonly zone: string;
  /** When `zone` is the environment's own: the zone, and its account, that delegates it (an NS record). */
  readonly parentZone?: { readonly name: string; readonly account: string };
  readonly site?: { readonly spa: boolean };
  readonly api?: { readonly tier: string; readonly path: string };
  readonly waf: { readonly managedRules: readonly ManagedRule[]; readonly ratePerFiveMinutes: number };
  readonly shieldAdvanced: boolean;
}

export interface NotificationsModel {
  readonly slack?: { readonly workspaceId: string; readonly channelId: string };
  /** The GitHub Actions secret holding the Slack webhook URL for workflow messages. */
  readonly webhookSecret?: string;
  readonly emails: readonly string[];
}

/** Whether alarms exist, and the thresholds that raise them (see the schema for each). */
export interface AlarmsModel {
  readonly enabled: boolean;
  readonly loadBalancer5xxPerFiveMinutes: number;
  readonly target5xxPerFiveMinutes: number;
  readonly responseTimeSeconds: number;
  readonly tierCpuPercent: number;
  readonly databaseCpuPercent: number;
  readonly databaseFreeStoragePercent: number;
  readonly databaseFreeMemoryMb: number;
  readonly databaseConnections: number;
  readonly replicaLagSeconds: number;
}

export interface BudgetModel {
  readonly monthlyUsd: number;
  /** Sorted ascending. */
  readonly alertAtPercent: readonly number[];
}

import type {
  AlarmsSpec, BudgetSpec, DatabaseSpec, EdgeSpec, NetworkSpec, NotificationsSpec, RegionTierSpec, TierSpec,
} from './spec-types';
import { isPlainObject } from '../spec/path';
import type { CrossRegion, DeployStrategy, Endpoint, Engine, ManagedRule, NatGateways, Os } from './types';

/**
 * One environment's spec with overrides merged and every default filled in: what the semantic
 * rules check and what `resolve` turns into the model. The defaults here are the ones
 * `schemas/environment.schema.json` documents; a test keeps the two in step.
 */
export interface EnvironmentSpecView {
  readonly name: string;
  readonly description?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly notifications: { slack?: NotificationsSpec['slack']; emails: string[] };
  readonly network: Required<Omit<NetworkSpec, 'endpoints'>> & { endpoints: Endpoint[] };
  /** In the spec's order. */
  readonly tiers: readonly DefaultedTier[];
  readonly database?: DefaultedDatabase;
  readonly edge?: DefaultedEdge;
  readonly alarms: Required<AlarmsSpec>;
  readonly budget?: Required<BudgetSpec>;
}

export interface DefaultedTier {
  readonly name: string;
  readonly os: Os;
  readonly instanceType: string;
  readonly capacity: { min: number; max: number; desired: number };
  readonly scaling: { cpuPercent?: number; requestsPerTarget?: number };
  readonly port: number;
  readonly healthCheck: string;
  readonly loadBalancer: { public: boolean; certificateArn?: string };
  readonly from: string[];
  readonly imageParameter: string;
  readonly deploy: { strategy: DeployStrategy; batchSize: number; minInService: number; timeout: string };
}

export type DefaultedDatabase = Required<Omit<DatabaseSpec, 'clients'>> & { clients: string[] };

export interface ParentZone {
  readonly name: string;
  readonly account: string;
}

export interface DefaultedEdge {
  readonly domain: string;
  /** The public hosted zone this environment's records and certificate validation go to (model/edge-domains.ts decides it). */
  readonly zone: string;
  /** Set when gantry gave the environment a zone of its own: the zone (and account) that delegates it with an NS record. */
  readonly parentZone?: ParentZone;
  readonly site?: { spa: boolean };
  readonly api?: { tier: string; path: string };
  readonly waf: { managedRules: ManagedRule[]; ratePerFiveMinutes: number };
  readonly shieldAdvanced: boolean;
}

export const DEFAULTS = {
  network: {
    cidr: '10.0.0.0/16',
    availabilityZones: 2,
    allowSingleAz: false,
    natGateways: 'perAz' as NatGateways,
    flowLogs: true,
    flowLogRetentionDays: 90,
    endpoints: ['s3'] as Endpoint[],
  },
  tier: {
    os: 'linux' as Os,
    instanceType: 't3.small',
    capacity: { min: 2, max: 4 },
    scaling: { cpuPercent: 60 },
    port: 80,
    healthCheck: '/health',
    deploy: { strategy: 'rolling' as DeployStrategy, batchSize: 1, timeout: 'PT15M' },
  },
  database: {
    instanceClass: 'db.t3.medium',
    storageGb: 20,
    multiAz: true,
    backupRetentionDays: 7,
    readReplicas: 0,
    deletionProtection: true,
  },
  edge: {
    apiPath: '/api/*',
    managedRules: ['common', 'knownBadInputs', 'sqlInjection', 'ipReputation'] as ManagedRule[],
    ratePerFiveMinutes: 2000,
    shieldAdvanced: false,
  },
  alarms: {
    enabled: true,
    loadBalancer5xxPerFiveMinutes: 10,
    target5xxPerFiveMinutes: 10,
    responseTimeSeconds: 1,
    tierCpuPercent: 85,
    databaseCpuPercent: 80,
    databaseFreeStoragePercent: 10,
    databaseFreeMemoryMb: 256,
    databaseConnections: 400,
    replicaLagSeconds: 60,
  },
  budget: { alertAtPercent: [80, 100] },
} as const;

/** The default SSM parameter for a tier's AMI id. */
export function defaultImageParameter(project: string, environment: string, tier: string): string {
  return `/${project}/${environment}/${tier}/ami`;
}

/** Sections of one environment after overrides were merged, before defaults. */
export interface MergedSections {
  description?: string;
  tags?: Record<string, string>;
  notifications?: NotificationsSpec;
  network?: NetworkSpec;
  tiers?: Record<string, TierSpec>;
  database?: DatabaseSpec;
  edge?: EdgeSpec;
  alarms?: AlarmsSpec;
  budget?: BudgetSpec;
}

/**
 * Fills every default. Tolerates values of the wrong type (rules may run on a spec with schema
 * errors); it never throws on user input.
 */
export function applyDefaults(project: string, environment: string, input: MergedSections): EnvironmentSpecView {
  const sections = onlyMappings(input);
  const network = sections.network ?? {};
  const tiers = Object.entries(sections.tiers ?? {}).map(([name, tier]): [string, TierSpec] => [name, isPlainObject(tier) ? tier : {}]);
  return {
    name: environment,
    description: sections.description,
    tags: { ...(optionalMapping(sections.tags) ?? {}) },
    notifications: { slack: optionalMapping(sections.notifications?.slack), emails: list(sections.notifications?.emails, []) },
    network: {
      cidr: network.cidr ?? DEFAULTS.network.cidr,
      availabilityZones: network.availabilityZones ?? DEFAULTS.network.availabilityZones,
      allowSingleAz: network.allowSingleAz ?? DEFAULTS.network.allowSingleAz,
      natGateways: network.natGateways ?? DEFAULTS.network.natGateways,
      flowLogs: network.flowLogs ?? DEFAULTS.network.flowLogs,
      flowLogRetentionDays: network.flowLogRetentionDays ?? DEFAULTS.network.flowLogRetentionDays,
      endpoints: list(network.endpoints, DEFAULTS.network.endpoints),
    },
    tiers: tiers.map(([name, tier], index) => defaultTier(project, environment, name, tier, index === 0)),
    database: sections.database ? defaultDatabase(sections.database, tiers.map(([name]) => name)) : undefined,
    edge: sections.edge ? defaultEdge(sections.edge) : undefined,
    alarms: { ...DEFAULTS.alarms, ...definedOnly(mapping(sections.alarms)) },
    budget: sections.budget
      ? { monthlyUsd: sections.budget.monthlyUsd, alertAtPercent: list(sections.budget.alertAtPercent, DEFAULTS.budget.alertAtPercent) }
      : undefined,
  };
}

/** The fields that are set, so they override defaults and absent ones do not erase them. */
function definedOnly<T extends object>(value: Partial<T>): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A list as written, or the fallback when it is absent or not a list (the schema reports that). */
function list<T>(value: readonly T[] | undefined, fallback: readonly T[]): T[] {
  return [...(Array.isArray(value) ? value : fallback)];
}

/** A mapping as written, or an empty one when it is absent or not a mapping. */
function mapping<T extends object>(value: T | undefined): Partial<T> {
  return isPlainObject(value) ? value : {};
}

function optionalMapping<T extends object>(value: T | undefined): T | undefined {
  return isPlainObject(value) ? value : undefined;
}

/** Drops sections that are not mappings, so a spec with schema errors still gets defaults. */
function onlyMappings(sections: MergedSections): MergedSections {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(sections)) {
    if (key === 'description' ? typeof value === 'string' : isPlainObject(value)) out[key] = value;
  }
  return out as MergedSections;
}

function defaultTier(project: string, environment: string, name: string, tier: TierSpec, first: boolean): DefaultedTier {
  const capacity = mapping(tier.capacity);
  const min = capacity.min ?? DEFAULTS.tier.capacity.min;
  const max = capacity.max ?? Math.max(DEFAULTS.tier.capacity.max, typeof min === 'number' ? min : 0);
  const desired = capacity.desired ?? min;
  const loadBalancer = mapping(tier.loadBalancer);
  const deploy = mapping(tier.deploy);
  return {
    name,
    os: tier.os ?? DEFAULTS.tier.os,
    instanceType: tier.instanceType ?? DEFAULTS.tier.instanceType,
    capacity: { min, max, desired },
    scaling: { ...(optionalMapping(tier.scaling) ?? DEFAULTS.tier.scaling) },
    port: tier.port ?? DEFAULTS.tier.port,
    healthCheck: tier.healthCheck ?? DEFAULTS.tier.healthCheck,
    loadBalancer: { public: loadBalancer.public ?? first, certificateArn: loadBalancer.certificateArn },
    from: list(tier.from, []),
    imageParameter: mapping(tier.image).parameter ?? defaultImageParameter(project, environment, name),
    deploy: {
      strategy: deploy.strategy ?? DEFAULTS.tier.deploy.strategy,
      batchSize: deploy.batchSize ?? DEFAULTS.tier.deploy.batchSize,
      // Keep capacity.min serving, but always below max so a batch can be replaced at all.
      minInService: deploy.minInService ?? Math.max(0, Math.min(min, max - 1)),
      timeout: deploy.timeout ?? DEFAULTS.tier.deploy.timeout,
    },
  };
}

function defaultDatabase(database: DatabaseSpec, tierNames: string[]): DefaultedDatabase {
  return {
    engine: database.engine as Engine,
    version: database.version,
    instanceClass: database.instanceClass ?? DEFAULTS.database.instanceClass,
    storageGb: database.storageGb ?? DEFAULTS.database.storageGb,
    multiAz: database.multiAz ?? DEFAULTS.database.multiAz,
    backupRetentionDays: database.backupRetentionDays ?? DEFAULTS.database.backupRetentionDays,
    readReplicas: database.readReplicas ?? DEFAULTS.database.readReplicas,
    clients: list(database.clients, tierNames),
    deletionProtection: database.deletionProtection ?? DEFAULTS.database.deletionProtection,
    crossRegion: database.crossRegion ?? defaultCrossRegion(database.engine),
  };
}

/** Engines with cross-region read replicas; SQL Server has them in Enterprise Edition only. */
export const CROSS_REGION_REPLICA_ENGINES: readonly Engine[] = ['postgres', 'mysql', 'mariadb', 'sqlserver-ee'];

/**
 * A cross-region read replica where the engine has one (seconds of lag), else automated backups
 * replicated to the standby region (minutes): every RDS engine gantry offers has the latter.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.XRgn.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReplicateBackups.html
 */
export function defaultCrossRegion(engine: unknown): CrossRegion {
  return CROSS_REGION_REPLICA_ENGINES.includes(engine as Engine) ? 'replica' : 'backups';
}

function defaultEdge(edge: EdgeSpec): DefaultedEdge {
  return {
    domain: edge.domain,
    zone: edge.zone,
    site: isPlainObject(edge.site) ? { spa: edge.site.spa ?? false } : undefined,
    api: isPlainObject(edge.api) ? { tier: edge.api.tier, path: edge.api.path ?? DEFAULTS.edge.apiPath } : undefined,
    waf: {
      managedRules: list(mapping(edge.waf).managedRules, DEFAULTS.edge.managedRules),
      ratePerFiveMinutes: mapping(edge.waf).ratePerFiveMinutes ?? DEFAULTS.edge.ratePerFiveMinutes,
    },
    shieldAdvanced: edge.shieldAdvanced ?? DEFAULTS.edge.shieldAdvanced,
  };
}

/**
 * A tier as one region runs it: the region entry's `tiers.<name>` capacity and certificate over
 * the environment's. Values the environment left to their defaults follow the region's size
 * (desired follows min, minInService stays below max), so `capacity: { min: 1, max: 2 }` in a
 * standby region is all it takes to run it warm and small.
 */
export function applyRegionTier(tier: DefaultedTier, override: RegionTierSpec | undefined): DefaultedTier {
  if (!override || !isPlainObject(override)) return tier;
  const capacity = mapping((override as RegionTierSpec).capacity);
  const loadBalancer = mapping((override as RegionTierSpec).loadBalancer);
  const min = capacity.min ?? tier.capacity.min;
  const max = capacity.max ?? tier.capacity.max;
  const desiredWasDefault = tier.capacity.desired === tier.capacity.min;
  const desired = capacity.desired ?? (desiredWasDefault ? min : tier.capacity.desired);
  const minInServiceWasDefault = tier.deploy.minInService === Math.max(0, Math.min(tier.capacity.min, tier.capacity.max - 1));
  return {
    ...tier,
    capacity: { min, max, desired },
    loadBalancer: { ...tier.loadBalancer, certificateArn: loadBalancer.certificateArn ?? tier.loadBalancer.certificateArn },
    deploy: {
      ...tier.deploy,
      minInService: minInServiceWasDefault && typeof min === 'number' && typeof max === 'number' ? Math.max(0, Math.min(min, max - 1)) : tier.deploy.minInService,
    },
  };
}

/** The index of an environment's primary region: the one that says `role: primary`, else the first. */
export function primaryRegionIndex(regions: readonly unknown[]): number {
  const explicit = regions.findIndex((entry) => isPlainObject(entry) && entry.role === 'primary');
  return explicit >= 0 ? explicit : 0;
}

import { isDeprecatedForCreation, newestCreatable } from '../aws/engine-versions';
import { applyRegionTier, primaryRegionIndex, type DefaultedDatabase, type DefaultedTier, type EnvironmentSpecView } from './defaults';
import { planSubnets } from './subnets';
import type { RegionEntry, SpecDocument } from './spec-types';
import type {
  DatabaseModel, DatabaseRole, EdgeModel, EngineFamily, EnvironmentModel, PlatformModel, RegionModel, TierModel,
} from './types';

/**
 * Turns a valid spec into the immutable model: one environment after another in spec order, each
 * with its regions, every default applied and every override merged. Call it only on a spec that
 * validated without errors; it trusts the shapes the schema and rules guarantee.
 *
 * @param views each environment's merged, defaulted sections (from validation), by name.
 */
export function resolveModel(document: SpecDocument, views: ReadonlyMap<string, EnvironmentSpecView>, specFile: string): PlatformModel {
  const [owner = '', name = ''] = document.github.repository.split('/');
  const seenAccounts = new Set<string>();
  const environments = Object.entries(document.environments).map(([envName, environment], order): EnvironmentModel => {
    const view = views.get(envName);
    if (!view) throw new Error(`gantry bug: no merged spec for environment ${envName}`);
    const firstInAccount = !seenAccounts.has(environment.account);
    seenAccounts.add(environment.account);
    const stack = (kind: string) => `${document.project}-${envName}-${kind}`;
    const primaryIndex = primaryRegionIndex(environment.regions);
    const regions = environment.regions.map((entry, index) => resolveRegion(document.project, envName, environment.account, entry, index === primaryIndex, view));
    return {
      name: envName,
      order,
      account: environment.account,
      approval: environment.approval ?? false,
      reviewers: [...(environment.reviewers ?? [])],
      firstInAccount,
      description: view.description,
      tags: sortKeys({ ...view.tags, Project: document.project, Environment: envName }),
      notifications: {
        slack: view.notifications.slack?.workspaceId && view.notifications.slack.channelId
          ? { workspaceId: view.notifications.slack.workspaceId, channelId: view.notifications.slack.channelId }
          : undefined,
        webhookSecret: view.notifications.slack?.webhookSecret,
        emails: view.notifications.emails,
      },
      budget: view.budget ? { monthlyUsd: view.budget.monthlyUsd, alertAtPercent: [...view.budget.alertAtPercent].sort((a, b) => a - b) } : undefined,
      edge: view.edge ? edgeModel(view.edge, view.edge.api?.tier ?? view.tiers.find((t) => t.loadBalancer.public)?.name, `${document.project}-${envName}/origin-verify`) : undefined,
      regions,
      primaryRegion: regions[primaryIndex]?.region ?? '',
      stackNames: { bootstrap: stack('bootstrap'), edge: stack('edge'), budget: stack('budget') },
    };
  });
  return deepFreeze({
    project: document.project,
    description: document.description,
    specFile,
    github: {
      repository: document.github.repository,
      owner,
      name,
      branch: document.github.branch ?? 'main',
      ownerId: document.github.ownerId,
      repositoryId: document.github.repositoryId,
    },
    environments,
  });
}

function resolveRegion(project: string, environment: string, account: string, entry: RegionEntry, primary: boolean, view: EnvironmentSpecView): RegionModel {
  const region = typeof entry === 'string' ? entry : entry.name;
  const cidr = (typeof entry === 'string' ? undefined : entry.cidr) ?? view.network.cidr;
  const subnets = planSubnets(cidr, view.network.availabilityZones);
  if (!subnets) throw new Error(`gantry bug: ${cidr} passed validation but has no subnet plan`);
  const stack = (kind: string) => `${project}-${environment}-${kind}`;
  const regionTiers = typeof entry === 'string' ? undefined : entry.tiers;
  const tiers = view.tiers.map((tier) => applyRegionTier(tier, regionTiers?.[tier.name]));
  const databaseRole = view.database ? regionDatabaseRole(primary, view.database) : undefined;
  return {
    environment,
    account,
    region,
    primary,
    role: primary ? 'primary' : 'standby',
    network: {
      cidr,
      availabilityZones: view.network.availabilityZones,
      natGateways: view.network.natGateways,
      flowLogs: view.network.flowLogs,
      flowLogRetentionDays: view.network.flowLogRetentionDays,
      endpoints: [...view.network.endpoints].sort(),
      subnets,
    },
    tiers: tiers.map((tier) => resolveTier(tier, view)),
    database: view.database && databaseRole ? resolveDatabase(view.database) : undefined,
    databaseRole,
    alarms: { ...view.alarms },
    stackNames: {
      notifications: stack('notifications'),
      network: stack('network'),
      database: stack('database'),
      tiers: Object.fromEntries(view.tiers.map((tier) => [tier.name, stack(tier.name)])),
    },
  };
}

function resolveTier(tier: DefaultedTier, view: EnvironmentSpecView): TierModel {
  const certificateArn = tier.loadBalancer.certificateArn;
  return {
    name: tier.name,
    os: tier.os,
    instanceType: tier.instanceType,
    capacity: { ...tier.capacity },
    scaling: tier.scaling.requestsPerTarget !== undefined
      ? { metric: 'requestsPerTarget', target: tier.scaling.requestsPerTarget }
      : { metric: 'cpuPercent', target: tier.scaling.cpuPercent ?? 60 },
    port: tier.port,
    healthCheck: tier.healthCheck,
    loadBalancer: {
      public: tier.loadBalancer.public,
      certificateArn,
      // The edge's regional certificate is for a public origin; internal balancers need their own.
      tls: certificateArn ? 'certificate' : view.edge && tier.loadBalancer.public ? 'edge' : 'none',
    },
    from: [...tier.from].sort(),
    imageParameter: tier.imageParameter,
    deploy: { ...tier.deploy },
  };
}

/** A standby region never gets a database of its own: a replica, a restore target, or nothing. */
function regionDatabaseRole(primary: boolean, database: DefaultedDatabase): DatabaseRole | undefined {
  if (primary) return 'primary';
  return database.crossRegion === 'none' ? undefined : database.crossRegion;
}

const ENGINE_PORTS: Record<EngineFamily, number> = { postgres: 5432, mysql: 3306, mariadb: 3306, sqlserver: 1433 };

function resolveDatabase(database: DefaultedDatabase): DatabaseModel {
  const family: EngineFamily = database.engine.startsWith('sqlserver') ? 'sqlserver' : (database.engine as EngineFamily);
  return {
    engine: database.engine,
    family,
    // A minor RDS no longer creates instances with becomes the newest of its major (GNT234 warns).
    version: (isDeprecatedForCreation(database.engine, database.version) && newestCreatable(database.engine, database.version)) || database.version,
    port: ENGINE_PORTS[family],
    instanceClass: database.instanceClass,
    storageGb: database.storageGb,
    multiAz: database.multiAz,
    backupRetentionDays: database.backupRetentionDays,
    readReplicas: database.readReplicas,
    clients: [...database.clients].sort(),
    deletionProtection: database.deletionProtection,
    licenseModel: family === 'sqlserver' ? 'license-included' : undefined,
    crossRegion: database.crossRegion,
  };
}

/**
 * The edge, with the tier CloudFront sends the API to and, when there is one, the secret whose
 * value CloudFront sends it as the origin header (the bootstrap creates it; see stacks/origin-secret.ts).
 */
function edgeModel(edge: NonNullable<EnvironmentSpecView['edge']>, originTier: string | undefined, originSecret: string): EdgeModel {
  return { ...edge, originTier, ...(originTier ? { originSecret } : {}) };
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The model is shared by every builder; freezing it makes an accidental edit fail loudly. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}


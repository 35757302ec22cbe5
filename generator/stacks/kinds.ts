import type { EnvironmentModel, PlatformModel, RegionModel, TierModel } from '../model/types';
import type { InstanceValues } from './instance-values';
import { CURRENT_VERSION_PARAMETER, originSecretOf, PREVIOUS_VERSION_PARAMETER } from './origin-secret';

// Every kind of stack gantry deploys, each declared once: where it exists (per region, or once per
// environment in us-east-1), what its file and stack are called, its place in the deploy order,
// its blueprint, what it exports and what it may import, the parameters a deploy looks up for it
// and how, what it holds (for the README), and its builder.
// The outline, the deploy plan (`gantry stacks`, the workflows, export), the README's table and
// the builds all read this list. Nothing here loads aws-cdk-lib: a builder's module is required
// only when a template is built, so the commands that need names, order and lookups stay fast.

/**
 * How a deploy finds a parameter's value in the account, because it cannot be known when gantry
 * generates. The workflows' gantry-lib.sh and export's deploy scripts implement each kind.
 */
export type ParameterLookup =
  /** A public hosted zone's id, by the zone's name. */
  | { readonly name: string; readonly lookup: 'hosted-zone-id'; readonly zone: string }
  /** The region's managed prefix list com.amazonaws.global.cloudfront.origin-facing. */
  | { readonly name: string; readonly lookup: 'cloudfront-prefix-list-id' }
  /**
   * The id of a version of a Secrets Manager secret in the stack's region, by staging label: the
   * secret origin header's (the bootstrap creates it and replicates it to every region that reads
   * it). AWSPREVIOUS falls back to AWSCURRENT while the secret has no previous version. Never the
   * value: CloudFormation resolves that itself.
   */
  | { readonly name: string; readonly lookup: 'secret-version'; readonly secretId: string; readonly stage: 'AWSCURRENT' | 'AWSPREVIOUS' }
  /** An output of a stack in another region of the environment (which deploys first). */
  | { readonly name: string; readonly lookup: 'stack-output'; readonly region: string; readonly stackName: string; readonly output: string }
  /**
   * 'false' for the change set that creates the stack, 'true' for every later one: deletion
   * protection from the first successful deploy on, which then updates the stack at once
   * (deletion-protection.ts says why).
   */
  | { readonly name: string; readonly lookup: 'deletion-protection' };

export type LookupKind = ParameterLookup['lookup'];

/** The parameter a stack set instance's zone ids arrive in (the network's portable lookup). */
export const ZONE_IDS_PARAMETER = 'AvailabilityZoneIds';

/**
 * What a stack set's rollout looks up for each instance of a portable template (export
 * --layout stacksets), besides the kind's lookups: what a template for one region states itself.
 */
export type PortableLookup =
  /** The ids of the region's first `count` availability zones that can launch current instance types. */
  { readonly name: string; readonly lookup: 'availability-zone-ids'; readonly count: number };

/** Whether a lookup's value differs by region (a stack set's rollout looks it up per instance). */
export const LOOKUP_PER_REGION: Readonly<Record<LookupKind, boolean>> = {
  'hosted-zone-id': false,
  'cloudfront-prefix-list-id': true,
  'secret-version': true,
  'stack-output': false,
  'deletion-protection': false,
};

/** How a builder declares a looked-up parameter in its template. */
export interface LookedUpParameter {
  readonly type: string;
  readonly allowedPattern?: string;
  readonly allowedValues?: readonly string[];
  readonly constraintDescription?: string;
  /** For a deploy by hand (the workflows always pass the looked-up value). */
  readonly default?: string;
  readonly description: (lookup: ParameterLookup) => string;
}

/**
 * The template side of each looked-up parameter a builder declares (the edge blueprint declares
 * its HostedZoneId in edge.yaml). A test checks that every parameter a built template leaves to
 * the deploy is one its kind's lookups name, and the other way round.
 */
export const LOOKED_UP_PARAMETERS: Readonly<Record<string, LookedUpParameter>> = {
  // A String with a zone id's pattern, not AWS::Route53::HostedZone::Id: CloudFormation checks an
  // AWS-specific parameter type against the account with the caller's permissions, and the plan
  // and deploy roles may only call route53:ListHostedZonesByName (the workflows look the id up by
  // name, so it exists). A zone id is "Z" and up to 31 upper-case letters and digits. The edge
  // blueprint (edge.yaml) spells out the same; a test keeps both equal.
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-supplied-parameter-types.html
  // https://docs.aws.amazon.com/Route53/latest/APIReference/API_HostedZone.html
  HostedZoneId: {
    type: 'String',
    allowedPattern: '^Z[A-Z0-9]{1,31}$',
    constraintDescription: 'a Route 53 hosted zone id: Z followed by up to 31 upper-case letters and digits, without /hostedzone/',
    description: (lookup) => `The Route 53 public hosted zone ${lookup.lookup === 'hosted-zone-id' ? lookup.zone : ''}; the deploy workflow looks it up by name`,
  },
  CloudFrontPrefixListId: {
    type: 'String',
    allowedPattern: '^pl-[0-9a-f]+$',
    description: () => 'The managed prefix list com.amazonaws.global.cloudfront.origin-facing in this region; the deploy workflow looks it up',
  },
  SourceDatabaseArn: {
    type: 'String',
    allowedPattern: '^arn:aws[a-z-]*:rds:[a-z0-9-]+:[0-9]{12}:db:[a-z][a-z0-9-]*$',
    description: () => 'The primary region\'s database (the DatabaseArn output of its database stack); the deploy workflow looks it up',
  },
  DeletionProtection: {
    type: 'String',
    allowedValues: ['true', 'false'],
    default: 'true',
    description: () => 'Deletion protection: the deploy workflow passes false while it creates the stack (so a failed create can roll back) and true from the first successful deploy on',
  },
  BackupReplicationKeyArn: {
    type: 'String',
    allowedPattern: '^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-f0-9-]+$',
    description: () => 'The key in the standby region that encrypts the replicated backups (the KeyArn output of its database stack); the deploy workflow looks it up',
  },
};

/** Where one stack of a kind sits: its environment, its region (regional kinds), its tier (the tier kind). */
export interface StackPlace {
  readonly environment: EnvironmentModel;
  readonly region?: RegionModel;
  readonly tier?: TierModel;
}

/** Builds a stack's template (undefined: the kind has no stack there after all, which is a gantry bug). */
export type StackBuilder = (model: PlatformModel, place: StackPlace, values: InstanceValues) => Record<string, unknown> | undefined;

export type StackKindName = 'notifications' | 'network' | 'database' | 'tier' | 'budget' | 'edge';

/**
 * The export name of a stack's output: every output gantry exports is named `<stack name>-<output>`
 * (Export Name `${AWS::StackName}-<output>`), and the stacks after it import it by that name.
 */
export function exportName(stackName: string, output: string): string {
  return `${stackName}-${output}`;
}

/**
 * One kind of stack. Within a scope, the kinds deploy in the order of STACK_KINDS, and a kind may
 * import the outputs of the kinds it names in `after` (which come earlier). Regional stacks deploy
 * region by region (in deploy waves), then the global ones in us-east-1.
 */
export interface StackKind {
  readonly kind: StackKindName;
  /** 'regional': in each region of an environment; 'global': once per environment, in us-east-1. */
  readonly scope: 'regional' | 'global';
  /** The kinds whose stacks deploy before this one's. */
  readonly after: readonly StackKindName[];
  /** blueprints/<blueprint>.yaml: the template its builder includes and adapts. */
  readonly blueprint: string;
  /**
   * The outputs its stack exports (exportName), exactly: for the stacks after it and a team's own
   * stacks to import. The build fails when a template exports other outputs (cross-stack.ts).
   */
  exports(place: StackPlace): string[];
  /**
   * The outputs of the same region's earlier stacks that its stack may import, by their kind
   * (named in `after`, or its own kind); `<n>` stands for a number. The build fails when a template
   * imports anything else, or an output its exporter does not export there (cross-stack.ts).
   */
  readonly imports: Partial<Readonly<Record<StackKindName, readonly string[]>>>;
  /** Where this kind has a stack, in deploy order (a region for a regional kind; none for a global one). */
  places(environment: EnvironmentModel, region?: RegionModel): StackPlace[];
  /** The template's file name, without .yaml. */
  file(place: StackPlace): string;
  stackName(place: StackPlace): string;
  /** The parameters a deploy looks up, in the order the template declares them. */
  lookups(place: StackPlace): ParameterLookup[];
  /** The parameters a portable template (a stack set's) adds for its rollout to look up per instance. */
  portableLookups(place: StackPlace): PortableLookup[];
  /** What the stack holds, for the README's table. */
  holds(place: StackPlace): string;
  /** The builder, loaded on first use (its module loads aws-cdk-lib). */
  builder(): StackBuilder;
}

/* eslint-disable @typescript-eslint/no-require-imports */
const notifications: StackKind = {
  kind: 'notifications',
  scope: 'regional',
  after: [],
  blueprint: 'notifications',
  exports: () => ['TopicArn'],
  imports: {},
  places: (environment, region) => (region ? [{ environment, region }] : []),
  file: () => 'notifications',
  stackName: (place) => regionOf(place).stackNames.notifications,
  lookups: () => [],
  portableLookups: () => [],
  holds: () => 'encrypted SNS topic, e-mail and Slack delivery, EventBridge rules for scaling, stack and database events',
  builder: () => {
    const { buildNotificationsTemplate } = require('./notifications') as typeof import('./notifications');
    return (model, place, values) => buildNotificationsTemplate(model, place.environment, regionOf(place), values);
  },
};

const network: StackKind = {
  kind: 'network',
  scope: 'regional',
  after: [],
  blueprint: 'network',
  exports: () => ['VpcId', 'VpcCidr', 'PublicSubnetIds', 'PrivateSubnetIds', 'IsolatedSubnetIds'],
  imports: {},
  places: (environment, region) => (region ? [{ environment, region }] : []),
  file: () => 'network',
  stackName: (place) => regionOf(place).stackNames.network,
  lookups: () => [],
  // A portable template cannot name zones: each instance gets its region's zone ids (network.ts).
  portableLookups: (place) => [{ name: ZONE_IDS_PARAMETER, lookup: 'availability-zone-ids', count: regionOf(place).network.availabilityZones }],
  holds: () => 'VPC, public/private/isolated subnets per AZ, NAT, endpoints, flow logs',
  builder: () => {
    const { buildNetworkTemplate } = require('./network') as typeof import('./network');
    return (_model, place, values) => buildNetworkTemplate(place.environment, regionOf(place), values);
  },
};

const database: StackKind = {
  kind: 'database',
  scope: 'regional',
  after: ['notifications', 'network'],
  blueprint: 'database',
  exports: (place) => databaseExports(regionOf(place)),
  imports: { notifications: ['TopicArn'], network: ['VpcId', 'IsolatedSubnetIds'] },
  places: (environment, region) => (region?.database ? [{ environment, region }] : []),
  file: () => 'database',
  stackName: (place) => regionOf(place).stackNames.database,
  lookups: (place) => databaseLookups(place.environment, regionOf(place)),
  portableLookups: () => [],
  holds: () => 'RDS instance, replicas, TLS-only parameters, master secret in Secrets Manager, alarms',
  builder: () => {
    const { buildDatabaseTemplate } = require('./database') as typeof import('./database');
    return (_model, place, values) => buildDatabaseTemplate(place.environment, regionOf(place), values);
  },
};

const tier: StackKind = {
  kind: 'tier',
  scope: 'regional',
  after: ['notifications', 'network', 'database'],
  blueprint: 'tier',
  exports: (place) => [
    'LoadBalancerDnsName', 'LoadBalancerHostedZoneId', 'LoadBalancerFullName', 'TargetGroupFullName', 'AutoScalingGroupName', 'CallerSecurityGroupId',
    ...(hasOriginCertificate(place.environment, tierOf(place)) ? ['OriginDomainName'] : []),
  ],
  imports: {
    notifications: ['TopicArn'],
    network: ['VpcId', 'PublicSubnetIds', 'PrivateSubnetIds'],
    // A database client's role (database-access.ts) and security group.
    database: ['ClientSecurityGroupId', 'MasterSecretArn', 'KeyArn', 'DatabaseResourceId', 'ReadReplica<n>ResourceId'],
    // The caller security group of each tier it calls (which deploy first: tiersInDeployOrder).
    tier: ['CallerSecurityGroupId'],
  },
  places: (environment, region) => (region ? tiersInDeployOrder(region.tiers).map((t) => ({ environment, region, tier: t })) : []),
  file: (place) => tierOf(place).name,
  stackName: (place) => regionOf(place).stackNames.tiers[tierOf(place).name] as string,
  lookups: (place) => tierLookups(place.environment, tierOf(place)),
  portableLookups: () => [],
  holds: (place) => `tier ${tierOf(place).name}: load balancer, Auto Scaling group, rolling AMI deploys, alarms`,
  builder: () => {
    const { buildTierTemplate } = require('./tier') as typeof import('./tier');
    return (_model, place, values) => buildTierTemplate(place.environment, regionOf(place), tierOf(place), values);
  },
};

const budget: StackKind = {
  kind: 'budget',
  scope: 'global',
  // It alerts the first region's topic.
  after: ['notifications'],
  blueprint: 'budget',
  exports: () => [],
  imports: {},
  places: (environment) => (environment.budget ? [{ environment }] : []),
  file: () => 'budget',
  stackName: (place) => place.environment.stackNames.budget,
  lookups: () => [],
  portableLookups: () => [],
  holds: () => 'monthly cost budget and its alerts',
  builder: () => {
    const { buildBudgetTemplate } = require('./budget') as typeof import('./budget');
    return (model, place, values) => buildBudgetTemplate(model, place.environment, values);
  },
};

const edge: StackKind = {
  kind: 'edge',
  scope: 'global',
  after: ['tier'],
  blueprint: 'edge',
  exports: () => [],
  imports: {},
  places: (environment) => (environment.edge ? [{ environment }] : []),
  file: () => 'edge',
  stackName: (place) => place.environment.stackNames.edge,
  lookups: (place) => (place.environment.edge ? [hostedZone(place.environment.edge.zone), ...originVersions(place.environment, [CURRENT_VERSION_PARAMETER])] : []),
  portableLookups: () => [],
  holds: () => 'certificate, WAF, CloudFront, site bucket, DNS records',
  builder: () => {
    const { buildEdgeTemplate } = require('./edge') as typeof import('./edge');
    return (model, place, values) => buildEdgeTemplate(model, place.environment, values);
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * Every kind, in deploy order within its scope: an explicit, ordered list, as copilot's template
 * partials are, so output never depends on discovery order.
 */
export const STACK_KINDS: readonly StackKind[] = [notifications, network, database, tier, budget, edge];

/** The declaration of a kind. */
export function stackKind(name: StackKindName): StackKind {
  const kind = STACK_KINDS.find((k) => k.kind === name);
  if (!kind) throw new Error(`gantry bug: no stack kind ${name}`);
  return kind;
}

/** A stack's place in the deploy order, known from the model alone (nothing is built). */
export interface StackOutline {
  readonly kind: StackKind;
  readonly place: StackPlace;
  readonly file: string;
  readonly stackName: string;
  /** For a tier's stack. */
  readonly tier?: string;
  readonly lookups: readonly ParameterLookup[];
  /** The outputs it exports (StackKind.exports). */
  readonly exports: readonly string[];
}

/**
 * The stacks of a region ('global': the environment's us-east-1 stacks) in deploy order, without
 * building them: for the README, the deploy plan and the workflows, which need names and order.
 */
export function stackOutline(environment: EnvironmentModel, target: string): StackOutline[] {
  const region = target === 'global' ? undefined : environment.regions.find((r) => r.region === target);
  if (target !== 'global' && !region) return [];
  return STACK_KINDS.filter((kind) => kind.scope === (region ? 'regional' : 'global')).flatMap((kind) =>
    kind.places(environment, region).map((place) => ({
      kind, place, file: kind.file(place), stackName: kind.stackName(place),
      ...(place.tier ? { tier: place.tier.name } : {}),
      lookups: kind.lookups(place),
      exports: kind.exports(place),
    })));
}

/**
 * Tiers so that every tier deploys after the tiers it calls (a caller's instances import the
 * callee's caller security group). Among independent tiers, the spec's order.
 */
export function tiersInDeployOrder(tiers: readonly TierModel[]): TierModel[] {
  const ordered: TierModel[] = [];
  const placed = new Set<string>();
  const pending = [...tiers];
  while (pending.length > 0) {
    const next = pending.findIndex((candidate) =>
      tiers.every((callee) => !callee.from.includes(candidate.name) || placed.has(callee.name) || callee.name === candidate.name));
    // Validation rejects call cycles; fall back to spec order rather than loop if one slips through.
    const [t] = pending.splice(next >= 0 ? next : 0, 1) as [TierModel];
    ordered.push(t);
    placed.add(t.name);
  }
  return ordered;
}

function hostedZone(zone: string): ParameterLookup {
  return { name: 'HostedZoneId', lookup: 'hosted-zone-id', zone };
}

/**
 * A tier whose load balancer gets a certificate for the edge's domain (tls: edge, or CloudFront's
 * origin) validates it in the edge's hosted zone; CloudFront's origin admits CloudFront's
 * origin-facing prefix list only.
 */
export function tierLookups(environment: EnvironmentModel, t: TierModel): ParameterLookup[] {
  const edgeModel = environment.edge;
  const origin = edgeModel?.originTier === t.name;
  return [
    // The load balancer is protected where deploys need approval (tier.ts).
    ...(environment.approval ? [DELETION_PROTECTION] : []),
    ...(edgeModel && hasOriginCertificate(environment, t) ? [hostedZone(edgeModel.zone)] : []),
    ...(origin ? [{ name: 'CloudFrontPrefixListId', lookup: 'cloudfront-prefix-list-id' } as const] : []),
    ...(origin ? originVersions(environment, [CURRENT_VERSION_PARAMETER, PREVIOUS_VERSION_PARAMETER]) : []),
  ];
}

/**
 * Whether a tier's load balancer gets a certificate for its name under the edge's domain (validated
 * in the edge's hosted zone) and exports that name: with tls: edge, and as CloudFront's origin.
 */
export function hasOriginCertificate(environment: EnvironmentModel, t: TierModel): boolean {
  return environment.edge !== undefined && (environment.edge.originTier === t.name || t.loadBalancer.tls === 'edge');
}

/**
 * A database stack's exports: the instance's (a standby's replica has no secret or key of its own
 * to share), each same-region read replica's, or, where a standby keeps only what a restore of the
 * replicated backups needs, those parts.
 */
function databaseExports(region: RegionModel): string[] {
  if (region.databaseRole === 'backups') return ['ClientSecurityGroupId', 'KeyArn', 'SubnetGroupName', 'DatabaseSecurityGroupId', 'ParameterGroupName', 'MonitoringRoleArn'];
  const instance = ['Endpoint', 'Port', 'DatabaseIdentifier', 'ClientSecurityGroupId', 'DatabaseResourceId'];
  if (region.databaseRole === 'replica') return instance;
  const replicas = Array.from({ length: region.database?.readReplicas ?? 0 }, (_, i) => [`ReadReplica${i + 1}Endpoint`, `ReadReplica${i + 1}ResourceId`]).flat();
  return [...instance, 'MasterSecretArn', 'KeyArn', ...replicas];
}

/** Deletion protection of a stack's load balancer or DB instances, off while the stack is created. */
const DELETION_PROTECTION: ParameterLookup = { name: 'DeletionProtection', lookup: 'deletion-protection' };

/**
 * The secret origin header's version ids (origin-secret.ts): the edge sends the current one, the
 * origin tier's listener accepts the current and the previous one. The builders declare these
 * parameters (edge.ts, tier.ts); the plan test checks both agree.
 */
function originVersions(environment: EnvironmentModel, parameters: string[]): ParameterLookup[] {
  const secretId = originSecretOf(environment);
  if (!secretId) return [];
  return parameters.map((name) => ({ name, lookup: 'secret-version', secretId, stage: name === PREVIOUS_VERSION_PARAMETER ? 'AWSPREVIOUS' : 'AWSCURRENT' }));
}

/**
 * A standby's replica reads its source's ARN from the primary region's database stack; a primary
 * replicating its backups reads the key of the standby's database stack. Each of those deploys first.
 */
export function databaseLookups(environment: EnvironmentModel, region: RegionModel): ParameterLookup[] {
  if (!region.database) return [];
  // Its instances' deletion protection, where the spec asks for it (a backups standby has none).
  const protection = region.database.deletionProtection && region.databaseRole !== 'backups' ? [DELETION_PROTECTION] : [];
  const primary = environment.regions.find((r) => r.primary);
  const backupsTarget = environment.regions.find((r) => !r.primary && r.databaseRole === 'backups');
  if (region.databaseRole === 'replica') {
    return [...protection, ...(primary ? [{ name: 'SourceDatabaseArn', lookup: 'stack-output', region: primary.region, stackName: primary.stackNames.database, output: 'DatabaseArn' } as const] : [])];
  }
  if (region.databaseRole === 'backups' || !backupsTarget) return protection;
  return [...protection, { name: 'BackupReplicationKeyArn', lookup: 'stack-output', region: backupsTarget.region, stackName: backupsTarget.stackNames.database, output: 'KeyArn' }];
}

/** The lookup of a parameter a builder is about to declare; a gantry bug when its kind does not list it. */
export function declaredLookup(lookups: readonly ParameterLookup[], name: string): ParameterLookup {
  const lookup = lookups.find((l) => l.name === name);
  if (!lookup) throw new Error(`gantry bug: a template declares the looked-up parameter ${name}, which its stack kind (kinds.ts) does not look up`);
  return lookup;
}

function regionOf(place: StackPlace): RegionModel {
  if (!place.region) throw new Error('gantry bug: a regional stack without its region');
  return place.region;
}

function tierOf(place: StackPlace): TierModel {
  if (!place.tier) throw new Error('gantry bug: a tier stack without its tier');
  return place.tier;
}

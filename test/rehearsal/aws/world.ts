/**
 * The state of the stand-in AWS: accounts, each with its IAM roles and, per region, its stacks, SSM
 * parameters and images; S3 buckets (global names, as in AWS). Also what a scenario arranges outside
 * the workflows: an image that fails its health check, a resource changed out of band.
 */
import type { Authorizer, Caller, Role } from './iam';
import type { Json } from './template';

export interface StackEvent {
  EventId: string;
  StackId: string;
  StackName: string;
  LogicalResourceId: string;
  PhysicalResourceId: string;
  ResourceType: string;
  Timestamp: string;
  ResourceStatus: string;
  ResourceStatusReason?: string;
}

export interface StackResource {
  logicalId: string;
  type: string;
  physicalId: string;
  properties: Json;
  status: string;
  /** The properties with their dynamic references resolved, as the resource's handler received them. */
  resolved?: Json;
}

export interface Change {
  Action: 'Add' | 'Modify' | 'Remove';
  LogicalResourceId: string;
  PhysicalResourceId?: string;
  ResourceType: string;
  Replacement?: 'True' | 'False' | 'Conditional';
  Scope: string[];
}

export interface ChangeSet {
  id: string;
  name: string;
  type: 'CREATE' | 'UPDATE';
  status: 'CREATE_COMPLETE' | 'FAILED' | 'DELETE_COMPLETE';
  executionStatus: 'AVAILABLE' | 'UNAVAILABLE' | 'EXECUTE_COMPLETE' | 'EXECUTE_FAILED' | 'OBSOLETE';
  statusReason?: string;
  changes: Change[];
  template: Json;
  templateBody: string;
  parameters: Record<string, string>;
  evaluated?: import('./template').Evaluated;
  roleArn?: string;
  capabilities: string[];
  /** The stack tags the change set was given; undefined leaves the stack's tags as they are. */
  tags?: { Key: string; Value: string }[];
  /** The exports its template imports. */
  imports: string[];
  creationTime: string;
  caller: Caller;
}

export interface Stack {
  name: string;
  id: string;
  status: string;
  statusReason?: string;
  template?: Json;
  templateBody?: string;
  parameters: { ParameterKey: string; ParameterValue: string; ResolvedValue?: string }[];
  resources: Map<string, StackResource>;
  outputs: { OutputKey: string; OutputValue: string; ExportName?: string; Description?: string }[];
  roleArn?: string;
  capabilities: string[];
  events: StackEvent[];
  changeSets: Map<string, ChangeSet>;
  /** Stack-level tags: what the last change set that gave any said (as CloudFormation keeps them). */
  tags: { Key: string; Value: string }[];
  /** The exports its template imports (Fn::ImportValue), as last deployed: what ListImports and DeleteStack read. */
  imports: string[];
  creationTime: string;
  lastUpdatedTime?: string;
  deletionTime?: string;
}

export interface Image {
  id: string;
  name: string;
  state: 'available' | 'pending' | 'failed';
  /** A copy's source image (CopyImage), as AWS records it in the copy's SourceImageId. */
  source?: string;
  /** Why a failed image failed (its StateReason). */
  reason?: string;
}

/** An EC2 instance a team bakes AMIs from (the stand-in runs none of the tiers' instances). */
export interface Instance {
  id: string;
  state: 'running' | 'stopped';
  tags: { Key: string; Value: string }[];
  /** Set: an image made from it fails, with this reason (a volume that cannot be snapshotted). */
  imagesFail?: string;
}

export interface Parameter {
  name: string;
  type: string;
  dataType: string;
  versions: { version: number; value: string; labels: string[]; modified: string }[];
}

export interface DriftDetection {
  id: string;
  stackId: string;
  drifted: { logicalId: string; type: string; physicalId: string; status: 'MODIFIED' | 'DELETED' }[];
}

export interface RegionState {
  stacks: Stack[];
  parameters: Map<string, Parameter>;
  images: Map<string, Image>;
  instances: Map<string, Instance>;
}

export interface Account {
  id: string;
  roles: Map<string, Role>;
  oidcProviders: Set<string>;
  /** The services whose service-linked role exists (created by the first resource that needs it). */
  serviceLinkedRoles: Set<string>;
  hostedZones: { id: string; name: string; private: boolean }[];
  regions: Map<string, RegionState>;
  drifts: Map<string, DriftDetection>;
}

export interface Bucket {
  name: string;
  account: string;
  region: string;
  objects: Map<string, Buffer>;
}

/**
 * What CloudFormation did to a resource, for the services that keep state of their own (RDS
 * instances, Route 53 records): they add a hook. A hook may refuse a create or update with the
 * message the resource's handler would return (checked before anything is changed).
 */
export interface ResourceEvent {
  op: 'create' | 'update' | 'delete';
  account: string;
  region: string;
  stackName: string;
  resource: { logicalId: string; type: string; physicalId: string; properties: Json };
}
export type ResourceHook = (event: ResourceEvent, check: boolean) => string | undefined;
/**
 * How CloudFormation resolves a service's dynamic references in a resource's properties, as the
 * identity it acts as: the resolved properties, or the handler's failure message.
 */
export type ReferenceResolver = (actor: Caller, account: string, region: string, properties: Json) => Promise<{ resolved: Json } | { error: string }>;

export interface Call { service: string; action: string; caller: string; region: string; error?: string }

export class World {
  readonly accounts = new Map<string, Account>();
  readonly buckets = new Map<string, Bucket>();
  readonly sessions = new Map<string, Caller>();
  /** Every call the stand-in answered, in order: `service:Action` with the caller and region. */
  readonly calls: Call[] = [];
  /** Told of each call the stand-in has acted on, before its answer leaves (a scenario cancels a run there). */
  readonly answered: ((call: Call) => void)[] = [];
  /** Images whose instances never pass the load balancer's health check. */
  readonly unhealthyImages = new Set<string>();
  /** Resources changed outside CloudFormation, by physical id. */
  readonly changedOutOfBand = new Set<string>();
  /** Regions a scenario declared lost (an outage): their regional endpoints and health checks fail. */
  readonly lostRegions = new Set<string>();
  readonly resourceHooks: ResourceHook[] = [];
  readonly referenceResolvers: ReferenceResolver[] = [];
  private sequence = 0;
  private clock = Date.parse('2026-01-05T09:00:00Z');

  constructor(readonly authorizer: Authorizer) {}

  account(id: string): Account {
    let account = this.accounts.get(id);
    if (!account) {
      account = { id, roles: new Map(), oidcProviders: new Set(), serviceLinkedRoles: new Set(), hostedZones: [], regions: new Map(), drifts: new Map() };
      this.accounts.set(id, account);
    }
    return account;
  }

  region(accountId: string, region: string): RegionState {
    const account = this.account(accountId);
    let state = account.regions.get(region);
    if (!state) {
      state = { stacks: [], parameters: new Map(), images: new Map(), instances: new Map() };
      account.regions.set(region, state);
    }
    return state;
  }

  /** A fresh id; deterministic, so two rehearsals of the same files print the same thing. */
  next(prefix = ''): string {
    this.sequence += 1;
    return `${prefix}${this.sequence.toString(16).padStart(8, '0')}`;
  }

  /** Time moves one second per event, so ordering by timestamp is meaningful and no call ever waits. */
  now(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }

  /**
   * Tells the services what CloudFormation does to a resource. With `check`, nothing changes: the
   * first hook's refusal is returned, as the handler's failure message.
   */
  resourceChanged(event: ResourceEvent, check = false): string | undefined {
    for (const hook of this.resourceHooks) {
      const refusal = hook(event, check);
      if (refusal) return refusal;
    }
    return undefined;
  }

  /** An administrator of the account (the person who deploys the bootstrap, as the README says). */
  adminKey(account: string): string {
    const key = `AKIAADMIN${account}`;
    this.sessions.set(key, { account, arn: `arn:aws:iam::${account}:user/admin`, admin: true });
    return key;
  }
}

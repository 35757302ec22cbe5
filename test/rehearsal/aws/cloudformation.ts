/**
 * The stand-in's CloudFormation: change sets (CREATE and UPDATE), their execution, stacks and their
 * events, exports, drift detection and deletion. Every operation finishes before the call returns, so
 * the CLI's waiters see the final state on their first poll and nothing sleeps.
 *
 * Each resource CloudFormation creates, updates or deletes is authorised against the role it acts as
 * (the stack's execution role, or else the caller) with the handler permissions AWS publishes for the
 * type (data/cfn-handler-permissions.json), the way a handler would be refused on AWS.
 */
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import type { Authorizer, Caller, PolicyDocument, Role } from './iam';
import { trustAllows } from './iam';
import { AwsError, accessDenied, type QueryParams, type XmlValue } from './protocol';
import { evaluateTemplate, type EvaluatedResource, type Json } from './template';
import type { Change, ChangeSet, Stack, StackResource, World } from './world';

const HANDLER_PERMISSIONS: Record<string, Record<string, string[]> | { handlers: null }> = {
  ...JSON.parse(fs.readFileSync(path.join(__dirname, '../../../data/cfn-handler-permissions.json'), 'utf8')).types,
  // Not a registry type in AWS's data of that date (no handler lists): the calls CloudFormation makes to
  // attach a database's connection details to its secret.
  // @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-secretsmanager-secrettargetattachment.html
  'AWS::SecretsManager::SecretTargetAttachment': {
    create: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'rds:DescribeDBInstances'],
    update: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'rds:DescribeDBInstances'],
    delete: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
  },
};

/** Which service principal a type's handler passes roles to and creates service-linked roles for. */
/**
 * What a handler answers when CloudFormation deletes a load balancer whose deletion protection is
 * on (RDS instances are refused by the RDS stand-in, which knows their current setting).
 */
function deletionProtected(resource: StackResource): string | undefined {
  if (resource.type !== 'AWS::ElasticLoadBalancingV2::LoadBalancer') return undefined;
  const attributes = ((resource.resolved ?? resource.properties)?.LoadBalancerAttributes ?? []) as Json[];
  const on = attributes.some((a) => a.Key === 'deletion_protection.enabled' && String(a.Value) === 'true');
  return on ? `Resource handler returned message: "Load balancer '${resource.physicalId}' cannot be deleted because deletion protection is enabled (Service: ElasticLoadBalancingV2, Status Code: 400)" (HandlerErrorCode: InvalidRequest)` : undefined;
}

function serviceOf(type: string): string {
  const service = type.split('::')[1] ?? '';
  const names: Record<string, string> = {
    ElasticLoadBalancingV2: 'elasticloadbalancing', AutoScaling: 'autoscaling', RDS: 'rds', EC2: 'ec2', Lambda: 'lambda',
    Events: 'events', Logs: 'logs', CloudFront: 'cloudfront', Chatbot: 'chatbot', Budgets: 'budgets',
  };
  return `${names[service] ?? service.toLowerCase()}.amazonaws.com`;
}

/**
 * The service names of service-linked roles (iam:AWSServiceName), where they are not the service's
 * principal: AWSServiceRoleForAWSChatbot is management.chatbot.amazonaws.com.
 * @see https://docs.aws.amazon.com/chatbot/latest/adminguide/slr-permissions.html
 */
const SERVICE_LINKED_ROLE_NAMES: Record<string, string> = { Chatbot: 'management.chatbot.amazonaws.com', WAFv2: 'wafv2.amazonaws.com' };

const CREATE_ONLY = (JSON.parse(fs.readFileSync(path.join(__dirname, 'create-only-properties.json'), 'utf8')) as {
  types: Record<string, { createOnly: string[]; conditionalCreateOnly?: string[] }>;
}).types;

function at(value: Json | undefined, pointer: string): string {
  let node: unknown = value;
  for (const key of pointer.split('/')) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  return JSON.stringify(node ?? null);
}

/**
 * What a change set says of a modified resource: replaced when a create-only property of its type
 * changes, maybe replaced when a conditionally create-only one does (the provider schema's lists).
 * @see https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-schema.html
 */
export function replacement(type: string, before: Json | undefined, after: Json | undefined): 'True' | 'False' | 'Conditional' {
  const entry = CREATE_ONLY[type];
  if (!entry) return 'Conditional';
  const changed = (pointers: string[] | undefined) => (pointers ?? []).some((p) => at(before, p) !== at(after, p));
  if (changed(entry.createOnly)) return 'True';
  return changed(entry.conditionalCreateOnly) ? 'Conditional' : 'False';
}

/**
 * The name property of a resource that must be replaced, when the template sets it and keeps it:
 * CloudFormation cannot create the new resource under the old one's name.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-name.html
 */
/**
 * Names that make a resource custom-named without being create-only: RDS renames an instance in place,
 * but cannot replace one under its name; a budget's name sits inside its Budget property, and a
 * replacement under it fails with "the budget already exists".
 * @see https://github.com/aws-cloudformation/cloudformation-coverage-roadmap/issues/365
 */
const NAMES_OUTSIDE_CREATE_ONLY: Record<string, string[]> = { 'AWS::RDS::DBInstance': ['DBInstanceIdentifier'], 'AWS::Budgets::Budget': ['Budget/BudgetName'] };

export function unchangedCustomName(type: string, before: Json | undefined, after: Json | undefined): string | undefined {
  const names = [...(CREATE_ONLY[type]?.createOnly ?? []).filter((p) => /^[A-Za-z]*Name$/.test(p)), ...(NAMES_OUTSIDE_CREATE_ONLY[type] ?? [])];
  const name = names.find((p) => at(after, p) !== 'null' && at(before, p) === at(after, p));
  return name ? `${name.split('/').pop()} ${JSON.parse(at(after, name)) as string}` : undefined;
}

/**
 * Calls made with the caller's rights that the handler lists leave out: the first load balancer of an
 * account creates ELB's service-linked role.
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/elb-service-linked-roles.html
 */
const CALLS_OUTSIDE_HANDLER_LISTS: Record<string, string[]> = { 'AWS::ElasticLoadBalancingV2::LoadBalancer': ['iam:CreateServiceLinkedRole'] };

/** The IAM namespace of a resource type's own service. */
function ownNamespace(type: string): string {
  const service = type.split('::')[1] ?? '';
  const names: Record<string, string> = { ElasticLoadBalancingV2: 'elasticloadbalancing', CertificateManager: 'acm' };
  return names[service] ?? service.toLowerCase();
}

const KNOWN_NAMESPACES = new Set(['acm', 'autoscaling', 'budgets', 'chatbot', 'cloudformation', 'cloudfront', 'cloudwatch', 'ec2', 'elasticloadbalancing', 'events',
  'iam', 'kms', 'lambda', 'logs', 'rds', 'route53', 's3', 'secretsmanager', 'shield', 'sns', 'ssm', 'sqs', 'wafv2', 'firehose', 'elasticfilesystem', 'sts', 'tag', 'ce',
  'organizations', 'ssm-contacts', 'backup', 'application-autoscaling', 'cognito-idp', 'ec2messages']);

/**
 * Whether a handler permission is one this resource needs. AWS's lists are the union of every call a
 * handler may make, whatever the properties (a log group's lists firehose:TagDeliveryStream for delivery
 * to Firehose). So: every action of the type's own service; iam:PassRole when the properties name a role;
 * another service's actions when the properties point at that service (an ARN of it, or for EC2 a
 * subnet, security group or VPC id, for KMS a key property). Actions of namespaces IAM does not have
 * (managed-fleets:*, s3:REST.PUT.OBJECT-style entries) are not IAM permissions and are skipped.
 */
function requiredFor(type: string, action: string, properties: string, passesRole: boolean): boolean {
  const [namespace = '', name = ''] = action.split(':');
  if (!KNOWN_NAMESPACES.has(namespace) || name.includes('.')) return false;
  if (namespace === ownNamespace(type)) return true;
  if (action === 'iam:PassRole') return passesRole;
  if (properties.includes(`arn:aws:${namespace}:`)) return true;
  if (namespace === 'ec2') return /"(subnet|sg|vpc)-[0-9a-f]/.test(properties);
  if (namespace === 'kms') return /"[A-Za-z]*(Kms|KMS)[A-Za-z]*":"[^"]+"/.test(properties);
  return false;
}

export interface CloudFormationRequest {
  caller: Caller;
  account: string;
  region: string;
  params: QueryParams;
}

const TERMINAL_NO_CHANGES = "The submitted information didn't contain changes. Submit different information to create a change set.";

export class CloudFormation {
  constructor(private readonly world: World, private readonly authorizer: Authorizer) {}

  private live(account: string, region: string, nameOrId: string): Stack | undefined {
    return this.world.region(account, region).stacks.find((s) => (s.name === nameOrId || s.id === nameOrId) && s.status !== 'DELETE_COMPLETE');
  }

  private async authorize(request: CloudFormationRequest, action: string, stackName?: string, context: Record<string, string> = {}): Promise<void> {
    const stack = stackName ? this.live(request.account, request.region, stackName) : undefined;
    const resource = stackName ? (stack?.id ?? `arn:aws:cloudformation:${request.region}:${request.account}:stack/${stackName}/*`) : '*';
    // A stack's tags are its aws:ResourceTag/<key> condition keys.
    const tags = Object.fromEntries((stack?.tags ?? []).map((t) => [`aws:ResourceTag/${t.Key}`, t.Value]));
    const denial = await this.authorizer.check(request.caller, `cloudformation:${action}`, resource, { 'aws:RequestedRegion': request.region, ...tags, ...context });
    if (denial) throw accessDenied(denial.message);
  }

  private mustExist(request: CloudFormationRequest, name: string): Stack {
    const stack = this.live(request.account, request.region, name);
    if (!stack) throw new AwsError('ValidationError', `Stack with id ${name} does not exist`);
    return stack;
  }

  async handle(action: string, request: CloudFormationRequest): Promise<Record<string, XmlValue>> {
    const p = request.params;
    switch (action) {
      case 'DescribeStacks': {
        const name = p.get('StackName');
        await this.authorize(request, action, name);
        const stacks = name ? [this.mustExist(request, name)] : this.world.region(request.account, request.region).stacks.filter((s) => s.status !== 'DELETE_COMPLETE');
        return { Stacks: stacks.map((s) => this.describe(s)) };
      }
      case 'ListStacks': {
        await this.authorize(request, action);
        const filters = p.list('StackStatusFilter');
        return {
          StackSummaries: this.world.region(request.account, request.region).stacks
            .filter((s) => filters.length === 0 || filters.includes(s.status))
            .map((s) => ({ StackId: s.id, StackName: s.name, StackStatus: s.status, CreationTime: s.creationTime })),
        };
      }
      case 'ListImports': {
        await this.authorize(request, action);
        const name = p.get('ExportName') ?? '';
        const region = this.world.region(request.account, request.region);
        if (!region.stacks.some((s) => s.status !== 'DELETE_COMPLETE' && s.outputs.some((o) => o.ExportName === name))) {
          throw new AwsError('ValidationError', `Export '${name}' does not exist.`);
        }
        const importers = region.stacks.filter((s) => s.status !== 'DELETE_COMPLETE' && s.imports.includes(name)).map((s) => s.name);
        // AWS answers an export nobody imports with an error, not an empty list.
        if (importers.length === 0) throw new AwsError('ValidationError', `Export '${name}' is not imported by any stack.`);
        return { Imports: importers };
      }
      case 'CreateChangeSet': return this.createChangeSet(request);
      case 'DescribeChangeSet': {
        const stackName = p.get('StackName') ?? '';
        await this.authorize(request, action, stackName);
        const changeSet = this.changeSet(request, stackName, p.get('ChangeSetName') ?? '');
        const stack = this.mustExist(request, stackName);
        // Pages of ten changes, so the scripts' pagination is exercised as it is on large stacks.
        const start = Number(p.get('NextToken') ?? 0);
        const page = changeSet.changes.slice(start, start + 10);
        const next = start + 10 < changeSet.changes.length ? String(start + 10) : undefined;
        return {
          ChangeSetName: changeSet.name, ChangeSetId: changeSet.id, StackId: stack.id, StackName: stack.name,
          Status: changeSet.status, StatusReason: changeSet.statusReason, ExecutionStatus: changeSet.executionStatus,
          CreationTime: changeSet.creationTime, Capabilities: changeSet.capabilities,
          Parameters: Object.entries(changeSet.parameters).map(([k, v]) => ({ ParameterKey: k, ParameterValue: v })),
          Changes: page.map((c) => ({ Type: 'Resource', ResourceChange: { ...c, Scope: c.Scope, Details: [] } })),
          NextToken: next,
        };
      }
      case 'ListChangeSets': {
        const stack = this.mustExist(request, p.get('StackName') ?? '');
        await this.authorize(request, action, stack.name);
        return {
          Summaries: [...stack.changeSets.values()].filter((c) => c.status !== 'DELETE_COMPLETE').map((c) => ({
            StackId: stack.id, StackName: stack.name, ChangeSetId: c.id, ChangeSetName: c.name, ExecutionStatus: c.executionStatus, Status: c.status, CreationTime: c.creationTime,
          })),
        };
      }
      case 'DeleteChangeSet': {
        const stackName = p.get('StackName') ?? '';
        await this.authorize(request, action, stackName);
        const changeSet = this.changeSet(request, stackName, p.get('ChangeSetName') ?? '');
        this.mustExist(request, stackName).changeSets.delete(changeSet.name);
        return {};
      }
      case 'ExecuteChangeSet': {
        const stackName = p.get('StackName') ?? '';
        await this.authorize(request, action, stackName);
        const changeSet = this.changeSet(request, stackName, p.get('ChangeSetName') ?? '');
        if (changeSet.executionStatus !== 'AVAILABLE') {
          throw new AwsError('InvalidChangeSetStatus', `ChangeSet [${changeSet.id}] cannot be executed in its current status of [${changeSet.status}]`);
        }
        await this.execute(request, this.mustExist(request, stackName), changeSet);
        return {};
      }
      case 'DescribeStackEvents': {
        const stack = this.mustExist(request, p.get('StackName') ?? '');
        await this.authorize(request, action, stack.name);
        const start = Number(p.get('NextToken') ?? 0);
        const events = [...stack.events].reverse();
        const page = events.slice(start, start + 100);
        return { StackEvents: page as unknown as XmlValue, NextToken: start + 100 < events.length ? String(start + 100) : undefined };
      }
      case 'DescribeStackResources':
      case 'ListStackResources': {
        const stack = this.mustExist(request, p.get('StackName') ?? '');
        await this.authorize(request, action, stack.name);
        const resources = [...stack.resources.values()].map((r) => ({
          StackName: stack.name, StackId: stack.id, LogicalResourceId: r.logicalId, PhysicalResourceId: r.physicalId,
          ResourceType: r.type, ResourceStatus: r.status, Timestamp: stack.lastUpdatedTime ?? stack.creationTime, LastUpdatedTimestamp: stack.lastUpdatedTime ?? stack.creationTime,
        }));
        return action === 'ListStackResources' ? { StackResourceSummaries: resources } : { StackResources: resources };
      }
      case 'GetTemplate': {
        const stack = this.mustExist(request, p.get('StackName') ?? '');
        await this.authorize(request, action, stack.name);
        return { TemplateBody: stack.templateBody ?? '' };
      }
      case 'ContinueUpdateRollback': {
        const stack = this.mustExist(request, p.get('StackName') ?? '');
        await this.authorize(request, action, stack.name);
        if (stack.status !== 'UPDATE_ROLLBACK_FAILED') throw new AwsError('ValidationError', `Stack ${stack.name} is in ${stack.status} state and can not continue update rollback`);
        stack.status = 'UPDATE_ROLLBACK_COMPLETE';
        this.event(stack, stack.name, stack.id, 'AWS::CloudFormation::Stack', stack.status);
        return {};
      }
      case 'GetTemplateSummary': {
        const stackName = p.get('StackName');
        await this.authorize(request, action, stackName);
        const template = stackName ? this.mustExist(request, stackName).template ?? {} : await this.templateOf(request);
        return {
          Parameters: Object.entries<Json>(template.Parameters ?? {}).map(([key, d]) => ({
            ParameterKey: key, ParameterType: d.Type, DefaultValue: d.Default !== undefined ? String(d.Default) : undefined, NoEcho: Boolean(d.NoEcho), Description: d.Description,
          })),
          ResourceTypes: [...new Set(Object.values<Json>(template.Resources ?? {}).map((r) => String(r.Type)))],
          Version: '2010-09-09',
        };
      }
      case 'ValidateTemplate': {
        await this.authorize(request, action);
        const template = await this.templateOf(request);
        return { Parameters: Object.keys(template.Parameters ?? {}).map((k) => ({ ParameterKey: k })) };
      }
      case 'DeleteStack': {
        const stack = this.live(request.account, request.region, p.get('StackName') ?? '');
        await this.authorize(request, action, p.get('StackName'));
        if (stack) await this.deleteStack(request, stack, p.get('RoleARN'));
        return {};
      }
      case 'DetectStackDrift': {
        const stack = this.mustExist(request, p.get('StackName') ?? '');
        await this.authorize(request, action, stack.name);
        const id = `${this.world.next('drift-')}-0000-0000-0000-000000000000`;
        // AWS reads each resource with the caller's own permissions; a resource it may not read is
        // reported as a failed detection rather than guessed.
        const drifted = [...stack.resources.values()].filter((r) => this.world.changedOutOfBand.has(r.physicalId))
          .map((r) => ({ logicalId: r.logicalId, type: r.type, physicalId: r.physicalId, status: 'MODIFIED' as const }));
        this.world.account(request.account).drifts.set(id, { id, stackId: stack.id, drifted });
        return { StackDriftDetectionId: id };
      }
      case 'DescribeStackDriftDetectionStatus': {
        await this.authorize(request, action);
        const detection = this.world.account(request.account).drifts.get(p.get('StackDriftDetectionId') ?? '');
        if (!detection) throw new AwsError('ValidationError', 'No drift detection found');
        return {
          StackId: detection.stackId, StackDriftDetectionId: detection.id, DetectionStatus: 'DETECTION_COMPLETE',
          StackDriftStatus: detection.drifted.length > 0 ? 'DRIFTED' : 'IN_SYNC', DriftedStackResourceCount: detection.drifted.length, Timestamp: this.world.now(),
        };
      }
      case 'DescribeStackResourceDrifts': {
        const stack = this.mustExist(request, p.get('StackName') ?? '');
        await this.authorize(request, action, stack.name);
        const filters = p.list('StackResourceDriftStatusFilters');
        const detections = [...this.world.account(request.account).drifts.values()].filter((d) => d.stackId === stack.id);
        const latest = detections[detections.length - 1];
        const drifts = [...stack.resources.values()].map((r) => {
          const found = latest?.drifted.find((d) => d.logicalId === r.logicalId);
          return {
            StackId: stack.id, LogicalResourceId: r.logicalId, PhysicalResourceId: r.physicalId, ResourceType: r.type,
            StackResourceDriftStatus: found ? found.status : 'IN_SYNC', Timestamp: this.world.now(),
          };
        }).filter((d) => filters.length === 0 || filters.includes(d.StackResourceDriftStatus));
        return { StackResourceDrifts: drifts };
      }
      default:
        throw new AwsError('InvalidAction', `the stand-in CloudFormation does not implement ${action}`);
    }
  }

  private describe(stack: Stack): XmlValue {
    return {
      StackId: stack.id, StackName: stack.name, StackStatus: stack.status, StackStatusReason: stack.statusReason,
      CreationTime: stack.creationTime, LastUpdatedTime: stack.lastUpdatedTime, RoleARN: stack.roleArn,
      Parameters: stack.parameters, Capabilities: stack.capabilities, Tags: stack.tags,
      Outputs: stack.outputs.map((o) => ({ OutputKey: o.OutputKey, OutputValue: o.OutputValue, ExportName: o.ExportName, Description: o.Description })),
      DisableRollback: false, EnableTerminationProtection: false,
      DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
    };
  }

  private changeSet(request: CloudFormationRequest, stackName: string, name: string): ChangeSet {
    const stack = this.live(request.account, request.region, stackName);
    const changeSet = stack && ([...stack.changeSets.values()].find((c) => c.name === name || c.id === name));
    if (!changeSet) throw new AwsError('ChangeSetNotFound', `ChangeSet [${name}] does not exist`);
    return changeSet;
  }

  /** The template of a request: its body, or the object its TemplateURL names, read with the caller's rights. */
  private async templateOf(request: CloudFormationRequest): Promise<Json & { __body: string }> {
    let body = request.params.get('TemplateBody');
    const url = request.params.get('TemplateURL');
    if (body === undefined && url) {
      const parsed = new URL(url);
      const virtual = parsed.hostname.match(/^(.+)\.s3[.-]/);
      const [bucketName, ...key] = virtual ? [virtual[1] as string, ...parsed.pathname.slice(1).split('/')] : parsed.pathname.slice(1).split('/');
      const bucket = this.world.buckets.get(bucketName ?? '');
      const object = bucket?.objects.get(key.join('/'));
      const denial = await this.authorizer.check(request.caller, 's3:GetObject', `arn:aws:s3:::${bucketName}/${key.join('/')}`);
      if (denial) throw new AwsError('ValidationError', `S3 error: Access Denied (${denial.message})`);
      if (!object) throw new AwsError('ValidationError', `S3 error: The specified key does not exist. (${url})`);
      body = object.toString('utf8');
    }
    if (body === undefined) throw new AwsError('ValidationError', 'Either Template URL or Template Body must be specified.');
    if (request.params.get('TemplateBody') !== undefined && Buffer.byteLength(body) > 51200) {
      throw new AwsError('ValidationError', `1 validation error detected: Value '...' at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to 51200`);
    }
    const template = yaml.load(body) as Json;
    return Object.assign(template, { __body: body });
  }

  private async createChangeSet(request: CloudFormationRequest): Promise<Record<string, XmlValue>> {
    const p = request.params;
    const stackName = p.get('StackName') ?? '';
    const type = (p.get('ChangeSetType') ?? 'UPDATE') as 'CREATE' | 'UPDATE';
    await this.authorize(request, 'CreateChangeSet', stackName);
    const roleArn = p.get('RoleARN');
    if (roleArn) await this.passRole(request, roleArn);
    const region = this.world.region(request.account, request.region);
    let stack = this.live(request.account, request.region, stackName);
    if (type === 'CREATE') {
      if (stack && stack.status !== 'REVIEW_IN_PROGRESS') throw new AwsError('AlreadyExistsException', `Stack [${stackName}] already exists and cannot be created again with the changeSet [${p.get('ChangeSetName')}].`);
      if (!stack) {
        stack = {
          name: stackName, id: `arn:aws:cloudformation:${request.region}:${request.account}:stack/${stackName}/${this.world.next()}-0000-0000-0000-000000000000`,
          status: 'REVIEW_IN_PROGRESS', parameters: [], resources: new Map(), outputs: [], capabilities: [], events: [], changeSets: new Map(), tags: [], imports: [], creationTime: this.world.now(),
        };
        region.stacks.push(stack);
        this.event(stack, stackName, stack.id, 'AWS::CloudFormation::Stack', 'REVIEW_IN_PROGRESS', 'User Initiated');
      }
    } else if (!stack || stack.status === 'REVIEW_IN_PROGRESS') {
      throw new AwsError('ValidationError', `Stack [${stackName}] does not exist`);
    } else if (/_IN_PROGRESS$|^ROLLBACK_COMPLETE$|_FAILED$/.test(stack.status)) {
      // UPDATE_ROLLBACK_FAILED included: only ContinueUpdateRollback or a deletion starts from it.
      throw new AwsError('ValidationError', `Stack:${stack.id} is in ${stack.status} state and can not be updated.`);
    }
    // An update may keep the deployed template and change parameters only (the deploy does that to
    // turn deletion protection off before it deletes a stack the spec no longer has).
    const template = p.get('UsePreviousTemplate') === 'true'
      ? Object.assign(structuredClone(stack.template ?? {}), { __body: stack.templateBody ?? '' })
      : await this.templateOf(request);
    const given: Record<string, string> = {};
    for (const record of p.records('Parameters')) {
      const key = record.ParameterKey ?? '';
      if (record.UsePreviousValue === 'true') given[key] = stack.parameters.find((x) => x.ParameterKey === key)?.ParameterValue ?? '';
      else given[key] = record.ParameterValue ?? '';
    }
    const capabilities = p.list('Capabilities');
    const id = `arn:aws:cloudformation:${request.region}:${request.account}:changeSet/${p.get('ChangeSetName')}/${this.world.next()}-0000-0000-0000-000000000000`;
    const changeSet: ChangeSet = {
      id, name: p.get('ChangeSetName') ?? '', type, status: 'CREATE_COMPLETE', executionStatus: 'AVAILABLE', changes: [], template, templateBody: template.__body,
      parameters: given, roleArn: roleArn ?? stack.roleArn, capabilities, creationTime: this.world.now(), caller: request.caller, imports: [],
      ...(p.records('Tags').length > 0 ? { tags: p.records('Tags').map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' })) } : {}),
    };
    stack.changeSets.set(changeSet.name, changeSet);
    try {
      const resourcesNeedingIam = Object.values<Json>(template.Resources ?? {}).filter((r) => String(r.Type).startsWith('AWS::IAM::'));
      const named = resourcesNeedingIam.some((r) => r.Properties?.RoleName || r.Properties?.InstanceProfileName || r.Properties?.ManagedPolicyName);
      if (resourcesNeedingIam.length > 0 && !capabilities.includes('CAPABILITY_NAMED_IAM') && (named || !capabilities.includes('CAPABILITY_IAM'))) {
        throw new AwsError('InsufficientCapabilitiesException', `Requires capabilities : [${named ? 'CAPABILITY_NAMED_IAM' : 'CAPABILITY_IAM'}]`);
      }
      const evaluated = await this.evaluate(request, stack, template, given, changeSet.imports);
      changeSet.evaluated = evaluated;
      changeSet.changes = this.diff(stack, evaluated.resources);
      if (changeSet.changes.length === 0 && JSON.stringify(evaluated.outputs) === JSON.stringify(stack.outputs) && stack.status !== 'REVIEW_IN_PROGRESS') {
        changeSet.status = 'FAILED';
        changeSet.executionStatus = 'UNAVAILABLE';
        changeSet.statusReason = TERMINAL_NO_CHANGES;
      }
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      if (error.code === 'InsufficientCapabilitiesException') {
        stack.changeSets.delete(changeSet.name);
        throw error;
      }
      changeSet.status = 'FAILED';
      changeSet.executionStatus = 'UNAVAILABLE';
      changeSet.statusReason = error.message;
    }
    return { Id: id, StackId: stack.id };
  }

  /** iam:PassRole of a role to CloudFormation, with the condition key AWS sets on that call. */
  private async passRole(request: CloudFormationRequest, roleArn: string): Promise<void> {
    const denial = await this.authorizer.check(request.caller, 'iam:PassRole', roleArn, { 'iam:PassedToService': 'cloudformation.amazonaws.com', 'aws:RequestedRegion': request.region });
    if (denial) throw accessDenied(denial.message);
  }

  private async evaluate(request: CloudFormationRequest, stack: Stack, template: Json, given: Record<string, string>, imports: string[]) {
    const regionState = this.world.region(request.account, request.region);
    const ssmDenials: string[] = [];
    const pendingSsm: string[] = [];
    const evaluated = evaluateTemplate(template, given, {
      account: request.account, region: request.region, stackName: stack.name, stackId: stack.id, parameters: given,
      existing: new Map([...stack.resources.values()].map((r) => [r.logicalId, { type: r.type, physicalId: r.physicalId }])),
      importValue: (name) => {
        if (!imports.includes(name)) imports.push(name);
        for (const other of regionState.stacks) {
          if (other.status === 'DELETE_COMPLETE' || other === stack) continue;
          const output = other.outputs.find((o) => o.ExportName === name);
          if (output) return output.OutputValue;
        }
        return undefined;
      },
      resolveSsm: (name) => {
        pendingSsm.push(name);
        const parameter = regionState.parameters.get(name);
        const latest = parameter?.versions[parameter.versions.length - 1];
        if (!latest) throw new AwsError('ValidationError', `Unable to fetch parameters [${name}] from parameter store for this account.`);
        return latest.value;
      },
    });
    // CloudFormation reads SSM parameter types with the caller's credentials (ssm:GetParameters).
    for (const name of pendingSsm) {
      const arn = `arn:aws:ssm:${request.region}:${request.account}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
      const denial = await this.authorizer.check(request.caller, 'ssm:GetParameters', arn, { 'aws:RequestedRegion': request.region });
      if (denial) ssmDenials.push(denial.message);
    }
    if (ssmDenials.length > 0) throw new AwsError('ValidationError', `Unable to fetch parameters from parameter store: ${ssmDenials.join('; ')}`);
    return evaluated;
  }

  private diff(stack: Stack, desired: EvaluatedResource[]): Change[] {
    const changes: Change[] = [];
    for (const resource of desired) {
      const current = stack.resources.get(resource.logicalId);
      if (!current || current.status.endsWith('DELETE_COMPLETE')) {
        changes.push({ Action: 'Add', LogicalResourceId: resource.logicalId, ResourceType: resource.type, Scope: [] });
      } else if (current.type !== resource.type) {
        changes.push({ Action: 'Modify', LogicalResourceId: resource.logicalId, PhysicalResourceId: current.physicalId, ResourceType: resource.type, Replacement: 'True', Scope: ['Properties'] });
      } else if (JSON.stringify(current.properties) !== JSON.stringify(resource.properties)) {
        changes.push({ Action: 'Modify', LogicalResourceId: resource.logicalId, PhysicalResourceId: current.physicalId, ResourceType: resource.type, Replacement: replacement(resource.type, current.properties, resource.properties), Scope: ['Properties'] });
      }
    }
    for (const current of stack.resources.values()) {
      if (!desired.some((d) => d.logicalId === current.logicalId)) {
        changes.push({ Action: 'Remove', LogicalResourceId: current.logicalId, PhysicalResourceId: current.physicalId, ResourceType: current.type, Scope: [] });
      }
    }
    return changes;
  }

  private event(stack: Stack, logicalId: string, physicalId: string, type: string, status: string, reason?: string): void {
    stack.events.push({
      EventId: this.world.next('event-'), StackId: stack.id, StackName: stack.name, LogicalResourceId: logicalId, PhysicalResourceId: physicalId,
      ResourceType: type, Timestamp: this.world.now(), ResourceStatus: status, ...(reason ? { ResourceStatusReason: reason } : {}),
    });
  }

  /** The identity CloudFormation acts as: the execution role if one is given (assumed through its trust policy), else the caller. */
  private actingAs(account: string, roleArn: string | undefined, caller: Caller): Caller | string {
    if (!roleArn) return caller;
    const role = [...this.world.account(account).roles.values()].find((r) => r.arn === roleArn);
    if (!role || !trustAllows(role.trust, 'sts:AssumeRole', { Service: 'cloudformation.amazonaws.com' }, { 'aws:SourceAccount': account })) {
      return `Role ${roleArn} is invalid or cannot be assumed`;
    }
    return { account, arn: `arn:aws:sts::${account}:assumed-role/${role.name}/AWSCloudFormation`, role };
  }

  /** The first handler permission `actor` lacks to `op` a resource, as the handler's error message. */
  private async handlerDenial(actor: Caller, account: string, region: string, resource: EvaluatedResource | StackResource, op: 'create' | 'update' | 'delete'): Promise<string | undefined> {
    if (resource.type.startsWith('Custom::') || resource.type === 'AWS::CloudFormation::CustomResource') {
      // CloudFormation invokes a custom resource's function as the stack's role (AWS docs: "Lambda-backed
      // custom resources"; a service role needs lambda:InvokeFunction).
      const token = String(resource.properties?.ServiceToken ?? '');
      if (!token.startsWith('arn:aws:lambda:')) return `the stand-in runs only Lambda-backed custom resources, not ${token}`;
      const denial = await this.authorizer.check(actor, 'lambda:InvokeFunction', token, { 'aws:RequestedRegion': region });
      return denial ? `Received response status [FAILED] from custom resource. Message returned: ${denial.message}` : undefined;
    }
    const entry = HANDLER_PERMISSIONS[resource.type];
    if (!entry) return `the stand-in has no handler permissions for ${resource.type}; add the type to data/cfn-handler-permissions.json`;
    if ('handlers' in entry && entry.handlers === null) return undefined;
    const text = JSON.stringify(resource.properties ?? {});
    const passedRoles = [...new Set(text.match(/arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+/g) ?? [])];
    // A service-linked role is created once per account, by the first resource that needs it.
    const linkedService = SERVICE_LINKED_ROLE_NAMES[resource.type.split('::')[1] ?? ''] ?? serviceOf(resource.type);
    const linkedRoles = this.world.account(account).serviceLinkedRoles;
    const actions = [...((entry as Record<string, string[]>)[op] ?? []), ...(op === 'create' ? CALLS_OUTSIDE_HANDLER_LISTS[resource.type] ?? [] : [])]
      .filter((action) => action === 'iam:CreateServiceLinkedRole' ? !linkedRoles.has(linkedService) : requiredFor(resource.type, action, text, passedRoles.length > 0));
    for (const action of actions) {
      let resources = ['*'];
      const context: Record<string, string> = { 'aws:RequestedRegion': region };
      if (action === 'iam:PassRole') {
        if (passedRoles.length === 0) continue; // nothing to pass
        resources = passedRoles;
        context['iam:PassedToService'] = serviceOf(resource.type);
      } else if (action === 'iam:CreateServiceLinkedRole') {
        context['iam:AWSServiceName'] = linkedService;
      } else if (action.startsWith('iam:') && resource.type === 'AWS::IAM::Role') {
        resources = [`arn:aws:iam::${account}:role/${resource.physicalId}`];
        // IAM sets iam:PermissionsBoundary to the boundary the request sets (CreateRole) or the role
        // already has (AttachRolePolicy, PutRolePolicy, ...); the handler creates the role with it first.
        const boundary = resource.properties?.PermissionsBoundary;
        if (typeof boundary === 'string') context['iam:PermissionsBoundary'] = boundary;
      } else if (action.startsWith('iam:') && resource.type === 'AWS::IAM::InstanceProfile') {
        resources = [`arn:aws:iam::${account}:instance-profile/${resource.physicalId}`];
        if (/Role/.test(action)) resources.push(...passedRoles);
      } else if (action.startsWith('iam:') && passedRoles.length > 0) {
        resources = passedRoles;
      }
      for (const target of resources) {
        const denial = await this.authorizer.check(actor, action, target, context);
        if (denial) {
          return `Resource handler returned message: "${denial.message} (Service: ${action.split(':')[0]}, Status Code: 403, Request ID: 00000000)" (HandlerErrorCode: AccessDenied)`;
        }
      }
      if (action === 'iam:CreateServiceLinkedRole') linkedRoles.add(linkedService);
    }
    return undefined;
  }

  /**
   * The resource's properties with their dynamic references resolved, as the identity CloudFormation
   * acts as (each service's resolver checks its own permission: secretsmanager:GetSecretValue). The
   * stack keeps the unresolved properties, as CloudFormation compares templates, not values.
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html
   */
  private async resolveReferences(actor: Caller, account: string, region: string, properties: Json): Promise<{ resolved: Json } | { error: string }> {
    let current: Json = properties;
    for (const resolver of this.world.referenceResolvers) {
      const outcome = await resolver(actor, account, region, current);
      if ('error' in outcome) return outcome;
      current = outcome.resolved;
    }
    return { resolved: current };
  }

  /** Runtime failures a scenario arranged: an Auto Scaling group whose new instances never get healthy. */
  private runtimeFailure(resource: EvaluatedResource): string | undefined {
    const text = JSON.stringify(resource.properties ?? {});
    for (const image of this.world.unhealthyImages) {
      if (text.includes(image) && resource.type === 'AWS::EC2::LaunchTemplate') {
        return `Received 0 SUCCESS signal(s) out of 1. Unable to satisfy 100% MinSuccessfulInstancesPercent requirement (instances from ${image} failed the ELB health check)`;
      }
    }
    return undefined;
  }

  private async execute(request: CloudFormationRequest, stack: Stack, changeSet: ChangeSet): Promise<void> {
    const creating = stack.status === 'REVIEW_IN_PROGRESS';
    const verb = creating ? 'CREATE' : 'UPDATE';
    const before = { resources: new Map([...stack.resources].map(([k, v]) => [k, { ...v }])), outputs: stack.outputs, parameters: stack.parameters, template: stack.template, templateBody: stack.templateBody, roleArn: stack.roleArn };
    const evaluated = changeSet.evaluated;
    if (!evaluated) throw new AwsError('InvalidChangeSetStatus', 'change set has nothing to execute');
    for (const other of stack.changeSets.values()) if (other !== changeSet) other.executionStatus = 'OBSOLETE';
    changeSet.executionStatus = 'EXECUTE_COMPLETE';
    stack.status = `${verb}_IN_PROGRESS`;
    stack.roleArn = changeSet.roleArn;
    this.event(stack, stack.name, stack.id, 'AWS::CloudFormation::Stack', stack.status, 'User Initiated');
    const actor = this.actingAs(request.account, changeSet.roleArn, changeSet.caller);
    let failure: string | undefined;
    const done: string[] = [];
    const replaced: StackResource[] = [];
    if (typeof actor === 'string') failure = actor;
    for (const change of changeSet.changes) {
      if (failure || typeof actor === 'string') break;
      if (change.Action === 'Remove') continue;
      const resource = evaluated.resources.find((r) => r.logicalId === change.LogicalResourceId) as EvaluatedResource;
      // A replacement creates the new resource here and deletes the old one in the cleanup phase.
      const replacing = change.Replacement === 'True';
      const op = change.Action === 'Add' || replacing ? 'create' : 'update';
      const status = change.Action === 'Add' ? 'CREATE' : 'UPDATE';
      this.event(stack, resource.logicalId, '', resource.type, `${status}_IN_PROGRESS`, replacing ? 'Requested update requires the creation of a new physical resource; hence creating one.' : undefined);
      const previous = stack.resources.get(resource.logicalId);
      const event = { op: op as 'create' | 'update', account: request.account, region: request.region, stackName: stack.name, resource };
      const customName = replacing && previous ? unchangedCustomName(resource.type, previous.properties, resource.properties) : undefined;
      const denied = (customName ? `CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename ${customName} and update the stack again.` : undefined)
        ?? await this.handlerDenial(actor, request.account, request.region, resource, op) ?? this.runtimeFailure(resource) ?? this.world.resourceChanged(event, true);
      const resolved = denied ? undefined : await this.resolveReferences(actor, request.account, request.region, resource.properties);
      const refused = denied ?? (resolved && 'error' in resolved ? resolved.error : undefined);
      if (refused) {
        this.event(stack, resource.logicalId, '', resource.type, `${status}_FAILED`, refused);
        failure = `The following resource(s) failed to ${op}: [${resource.logicalId}]. `;
        break;
      }
      if (replacing && previous) replaced.push(previous);
      stack.resources.set(resource.logicalId, {
        logicalId: resource.logicalId, type: resource.type, physicalId: resource.physicalId, properties: resource.properties, status: `${status}_COMPLETE`,
        ...(resolved && 'resolved' in resolved && resolved.resolved !== resource.properties ? { resolved: resolved.resolved } : {}),
      });
      this.applySideEffects(request.account, request.region, resource);
      this.world.resourceChanged(event);
      done.push(resource.logicalId);
      this.event(stack, resource.logicalId, resource.physicalId, resource.type, `${status}_COMPLETE`);
    }
    if (!failure) {
      // Removals run last, in reverse dependency order, during the cleanup phase.
      for (const change of [...changeSet.changes].reverse()) {
        if (change.Action !== 'Remove' || typeof actor === 'string') continue;
        const current = stack.resources.get(change.LogicalResourceId) as StackResource;
        const denied = await this.handlerDenial(actor, request.account, request.region, current, 'delete');
        if (denied) {
          this.event(stack, current.logicalId, current.physicalId, current.type, 'DELETE_FAILED', denied);
          continue;
        }
        stack.resources.delete(current.logicalId);
        this.world.resourceChanged({ op: 'delete', account: request.account, region: request.region, stackName: stack.name, resource: current });
        this.event(stack, current.logicalId, current.physicalId, current.type, 'DELETE_COMPLETE');
      }
      for (const old of replaced.reverse()) {
        const denied = await this.handlerDenial(actor as Caller, request.account, request.region, old, 'delete');
        this.event(stack, old.logicalId, old.physicalId, old.type, denied ? 'DELETE_FAILED' : 'DELETE_COMPLETE', denied);
        if (!denied && stack.resources.get(old.logicalId)?.physicalId !== old.physicalId) this.world.resourceChanged({ op: 'delete', account: request.account, region: request.region, stackName: stack.name, resource: old });
      }
      stack.status = `${verb}_COMPLETE`;
      stack.outputs = evaluated.outputs;
      stack.parameters = evaluated.parameters;
      stack.template = changeSet.template;
      stack.templateBody = changeSet.templateBody;
      stack.capabilities = changeSet.capabilities;
      stack.imports = changeSet.imports;
      if (changeSet.tags) stack.tags = changeSet.tags;
      if (!creating) stack.lastUpdatedTime = this.world.now();
      this.event(stack, stack.name, stack.id, 'AWS::CloudFormation::Stack', stack.status);
      return;
    }
    // Roll back: what was created goes, what was updated returns to its previous properties.
    const rollback = creating ? 'ROLLBACK' : 'UPDATE_ROLLBACK';
    stack.status = `${rollback}_IN_PROGRESS`;
    stack.statusReason = failure;
    this.event(stack, stack.name, stack.id, 'AWS::CloudFormation::Stack', stack.status, failure);
    for (const logicalId of [...done].reverse()) {
      const previous = before.resources.get(logicalId);
      const undone = stack.resources.get(logicalId);
      if (undone) this.world.resourceChanged({ op: previous ? 'update' : 'delete', account: request.account, region: request.region, stackName: stack.name, resource: previous ?? undone });
      if (previous) stack.resources.set(logicalId, previous);
      else stack.resources.delete(logicalId);
      this.event(stack, logicalId, '', stack.resources.get(logicalId)?.type ?? '', previous ? 'UPDATE_COMPLETE' : 'DELETE_COMPLETE');
    }
    stack.status = `${rollback}_COMPLETE`;
    if (!creating) {
      stack.outputs = before.outputs;
      stack.parameters = before.parameters;
      stack.roleArn = before.roleArn;
    }
    this.event(stack, stack.name, stack.id, 'AWS::CloudFormation::Stack', stack.status);
  }

  private async deleteStack(request: CloudFormationRequest, stack: Stack, roleArn: string | undefined): Promise<void> {
    if (roleArn) await this.passRole(request, roleArn);
    const region = this.world.region(request.account, request.region);
    const exports = stack.outputs.filter((o) => o.ExportName).map((o) => o.ExportName as string);
    for (const other of region.stacks) {
      if (other === stack || other.status === 'DELETE_COMPLETE') continue;
      const used = exports.find((name) => other.imports.includes(name));
      if (used) throw new AwsError('ValidationError', `Export ${used} cannot be deleted as it is in use by ${other.name}`);
    }
    stack.status = 'DELETE_IN_PROGRESS';
    this.event(stack, stack.name, stack.id, 'AWS::CloudFormation::Stack', 'DELETE_IN_PROGRESS', 'User Initiated');
    const actor = this.actingAs(request.account, roleArn ?? stack.roleArn, request.caller);
    const order = [...stack.resources.values()].reverse();
    for (const resource of order) {
      // A retained resource outlives its stack: CloudFormation skips it and calls no handler.
      const policy = String(stack.template?.Resources?.[resource.logicalId]?.DeletionPolicy ?? 'Delete');
      if (policy === 'Retain' || policy === 'RetainExceptOnCreate') {
        stack.resources.delete(resource.logicalId);
        this.event(stack, resource.logicalId, resource.physicalId, resource.type, 'DELETE_SKIPPED');
        continue;
      }
      const event = { op: 'delete' as const, account: request.account, region: request.region, stackName: stack.name, resource };
      const denied = typeof actor === 'string' ? actor
        : await this.handlerDenial(actor, request.account, request.region, resource, 'delete') ?? deletionProtected(resource) ?? this.world.resourceChanged(event, true);
      if (denied) {
        this.event(stack, resource.logicalId, resource.physicalId, resource.type, 'DELETE_FAILED', denied);
        stack.status = 'DELETE_FAILED';
        stack.statusReason = `The following resource(s) failed to delete: [${resource.logicalId}]. `;
        return;
      }
      stack.resources.delete(resource.logicalId);
      this.world.resourceChanged(event);
      this.event(stack, resource.logicalId, resource.physicalId, resource.type, 'DELETE_COMPLETE');
    }
    stack.status = 'DELETE_COMPLETE';
    stack.deletionTime = this.world.now();
    stack.outputs = [];
    this.event(stack, stack.name, stack.id, 'AWS::CloudFormation::Stack', 'DELETE_COMPLETE');
  }

  /** What creating a resource means to the other services of the stand-in: roles to assume, buckets to write. */
  private applySideEffects(account: string, region: string, resource: EvaluatedResource): void {
    const props = resource.properties ?? {};
    if (resource.type === 'AWS::IAM::Role') {
      const role: Role = {
        name: resource.physicalId, arn: `arn:aws:iam::${account}:role/${resource.physicalId}`,
        trust: props.AssumeRolePolicyDocument as PolicyDocument,
        policies: (props.Policies ?? []).map((p: Json) => ({ name: String(p.PolicyName), document: p.PolicyDocument as PolicyDocument })),
        managedPolicyArns: (props.ManagedPolicyArns ?? []).map(String),
        maxSessionDuration: Number(props.MaxSessionDuration ?? 3600),
      };
      this.world.account(account).roles.set(role.name, role);
    } else if (resource.type === 'AWS::IAM::ManagedPolicy') {
      // A customer managed policy attached through its own Roles property (the execution role's
      // handler permissions are attached this way): it applies to each of those roles as written.
      for (const name of (props.Roles ?? []).map(String)) {
        const role = this.world.account(account).roles.get(name);
        if (role) role.policies.push({ name: String(props.ManagedPolicyName ?? resource.logicalId), document: props.PolicyDocument as PolicyDocument });
      }
    } else if (resource.type === 'AWS::IAM::OIDCProvider') {
      this.world.account(account).oidcProviders.add(String(props.Url).replace(/^https:\/\//, ''));
    } else if (resource.type === 'AWS::S3::Bucket') {
      if (!this.world.buckets.has(resource.physicalId)) this.world.buckets.set(resource.physicalId, { name: resource.physicalId, account, region, objects: new Map() });
    }
  }
}

import fs from 'node:fs';
import path from 'node:path';
import { Fn } from 'aws-cdk-lib';
import { PACKAGE_ROOT } from '../paths';
import { DATABASE_CLIENT_BOUNDARY_ACTIONS, databaseBoundaryStatement } from './database-access';

/**
 * Every resource type the stacks that deploy through the execution role may contain (the
 * bootstrap, deployed by hand, is not one of them). A test fails when a generated template holds a
 * type missing here, so a new resource cannot deploy without its permissions.
 */
export const GENERATED_RESOURCE_TYPES: readonly string[] = [
  'AWS::AutoScaling::AutoScalingGroup', 'AWS::AutoScaling::ScalingPolicy',
  'AWS::Budgets::Budget',
  'AWS::CertificateManager::Certificate',
  'AWS::Chatbot::SlackChannelConfiguration',
  'AWS::CloudFront::Distribution', 'AWS::CloudFront::Function', 'AWS::CloudFront::OriginAccessControl', 'AWS::CloudFront::ResponseHeadersPolicy',
  'AWS::CloudWatch::Alarm',
  'AWS::EC2::EIP', 'AWS::EC2::FlowLog', 'AWS::EC2::InternetGateway', 'AWS::EC2::LaunchTemplate', 'AWS::EC2::NatGateway', 'AWS::EC2::Route',
  'AWS::EC2::RouteTable', 'AWS::EC2::SecurityGroup', 'AWS::EC2::SecurityGroupEgress', 'AWS::EC2::SecurityGroupIngress', 'AWS::EC2::Subnet',
  'AWS::EC2::SubnetRouteTableAssociation', 'AWS::EC2::VPC', 'AWS::EC2::VPCEndpoint', 'AWS::EC2::VPCGatewayAttachment',
  'AWS::ElasticLoadBalancingV2::Listener', 'AWS::ElasticLoadBalancingV2::ListenerCertificate', 'AWS::ElasticLoadBalancingV2::ListenerRule',
  'AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::ElasticLoadBalancingV2::TargetGroup',
  'AWS::Events::Rule',
  'AWS::IAM::InstanceProfile', 'AWS::IAM::Role',
  'AWS::KMS::Key',
  'AWS::Lambda::Function',
  'AWS::Logs::LogGroup',
  'AWS::RDS::DBInstance', 'AWS::RDS::DBParameterGroup', 'AWS::RDS::DBSubnetGroup',
  'AWS::Route53::HealthCheck', 'AWS::Route53::RecordSet', 'AWS::Route53::RecordSetGroup',
  'AWS::S3::Bucket', 'AWS::S3::BucketPolicy',
  // Its read handler's secretsmanager:GetSecretValue is also what CloudFormation resolves the secret
  // origin header's dynamic references with (the bootstrap holds that secret; origin-secret.ts).
  'AWS::SecretsManager::Secret', 'AWS::SecretsManager::SecretTargetAttachment',
  'AWS::Shield::Protection',
  'AWS::SNS::Subscription', 'AWS::SNS::Topic', 'AWS::SNS::TopicPolicy',
  'AWS::WAFv2::LoggingConfiguration', 'AWS::WAFv2::WebACL', 'AWS::WAFv2::WebACLAssociation',
  'Custom::DefaultSecurityGroupClosed',
];

/** The handler operations CloudFormation runs while it creates, updates, replaces and deletes a resource. */
export const DEPLOY_OPERATIONS = ['create', 'read', 'update', 'delete'] as const;

/**
 * Types whose provider schema lists no handler permissions (they are not registry resources, or
 * are custom), with the calls CloudFormation makes for them.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */
export const NON_REGISTRY_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  // RequestCertificate, then waits for validation; deletes on removal. (ACM's actions)
  'AWS::CertificateManager::Certificate': ['acm:AddTagsToCertificate', 'acm:DeleteCertificate', 'acm:DescribeCertificate', 'acm:ListTagsForCertificate', 'acm:RemoveTagsFromCertificate', 'acm:RequestCertificate', 'route53:ChangeResourceRecordSets', 'route53:GetChange', 'route53:ListResourceRecordSets'],
  'AWS::SNS::Subscription': ['sns:GetSubscriptionAttributes', 'sns:ListSubscriptionsByTopic', 'sns:SetSubscriptionAttributes', 'sns:Subscribe', 'sns:Unsubscribe'],
  'AWS::Route53::RecordSet': ['route53:ChangeResourceRecordSets', 'route53:GetChange', 'route53:GetHostedZone', 'route53:ListResourceRecordSets'],
  'AWS::Route53::RecordSetGroup': ['route53:ChangeResourceRecordSets', 'route53:GetChange', 'route53:GetHostedZone', 'route53:ListResourceRecordSets'],
  'AWS::Budgets::Budget': ['budgets:ModifyBudget', 'budgets:ViewBudget'],
  'AWS::ElasticLoadBalancingV2::ListenerCertificate': ['elasticloadbalancing:AddListenerCertificates', 'elasticloadbalancing:DescribeListenerCertificates', 'elasticloadbalancing:RemoveListenerCertificates'],
  // Reads the instance's address and writes it into the secret; removing it writes the secret again.
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-secretsmanager-secrettargetattachment.html
  'AWS::SecretsManager::SecretTargetAttachment': ['rds:DescribeDBInstances', 'secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
  // CloudFormation invokes a custom resource's function with the stack's role.
  'Custom::DefaultSecurityGroupClosed': ['lambda:InvokeFunction'],
};

/**
 * Handler permissions the role is denied on purpose: AWS::IAM::Role's update handler removes a
 * boundary a template drops, and no role of the platform may lose it.
 */
export const WITHHELD_ACTIONS: readonly string[] = ['iam:DeleteRolePermissionsBoundary'];

interface HandlerData {
  readonly types: Readonly<Record<string, Partial<Record<string, readonly string[]>> & { handlers?: null }>>;
}

let handlerData: HandlerData | undefined;
function loadHandlerData(): HandlerData {
  handlerData ??= JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'data', 'cfn-handler-permissions.json'), 'utf8')) as HandlerData;
  return handlerData;
}

/** Service prefixes are case-insensitive; one schema writes `S3:`. */
function normalise(action: string): string {
  const [service = '', name = ''] = action.split(':');
  return `${service.toLowerCase()}:${name}`;
}

/**
 * What IAM accepts as an action: `service:Name`, the name of letters, digits and wildcards. AWS's
 * lists hold a few entries that are not IAM actions (AWS::Logs::LogGroup lists the S3 operation
 * `s3:REST.PUT.OBJECT`); IAM would refuse the whole policy (MalformedPolicyDocument), so they are left out.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 */
const IAM_ACTION = /^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/;

/**
 * Tag writes that a type's handler lists leave out although the type takes tags: the stack tags
 * every change set carries (plan.ts ownershipTags) propagate to its resources, and in accounts
 * where CloudFormation enforces tagging permissions a stack operation without them fails.
 * @see https://repost.aws/knowledge-center/cloudformation-resource-tagging-errors
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-resource-tags.html
 */
export const TAGGING_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  'AWS::WAFv2::WebACL': ['wafv2:TagResource', 'wafv2:UntagResource'],
  'AWS::Events::Rule': ['events:TagResource', 'events:UntagResource'],
};

/** The IAM actions CloudFormation needs to create, update, replace and delete resources of these types. */
export function deployPermissions(types: Iterable<string>): string[] {
  const data = loadHandlerData();
  const actions = new Set<string>();
  for (const type of types) {
    for (const action of [...NON_REGISTRY_PERMISSIONS[type] ?? [], ...TAGGING_PERMISSIONS[type] ?? []]) actions.add(action);
    const handlers = data.types[type];
    if (!handlers) continue;
    for (const op of DEPLOY_OPERATIONS) for (const action of handlers[op] ?? []) if (IAM_ACTION.test(action)) actions.add(normalise(action));
  }
  return [...actions].sort();
}

/**
 * Actions a pattern (`ec2:Describe*`) already covers are left out: the policies stay under IAM's
 * size limits and say the same.
 */
function withoutCovered(actions: readonly string[]): string[] {
  const patterns = actions.filter((a) => a.includes('*')).map((a) => new RegExp(`^${a.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i'));
  return actions.filter((a) => a.includes('*') || !patterns.some((p) => p.test(a)));
}

/**
 * The service-linked role each generated type's handler may create (its lists name
 * iam:CreateServiceLinkedRole): on a fresh account the first Auto Scaling group, database, Slack
 * channel, load balancer, Shield protection or WAF log creates its service's role. Chatbot's is
 * not its principal's name.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html
 * @see https://docs.aws.amazon.com/chatbot/latest/adminguide/slr-permissions.html
 */
export const SERVICE_LINKED_ROLES: Readonly<Record<string, string>> = {
  'AWS::AutoScaling::AutoScalingGroup': 'autoscaling.amazonaws.com',
  'AWS::Chatbot::SlackChannelConfiguration': 'management.chatbot.amazonaws.com',
  'AWS::RDS::DBInstance': 'rds.amazonaws.com',
  'AWS::RDS::DBParameterGroup': 'rds.amazonaws.com',
  'AWS::RDS::DBSubnetGroup': 'rds.amazonaws.com',
  'AWS::Shield::Protection': 'shield.amazonaws.com',
  'AWS::WAFv2::LoggingConfiguration': 'wafv2.amazonaws.com',
  // Not in its handler's lists, but ELB creates AWSServiceRoleForElasticLoadBalancing with the
  // caller's rights. @see https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/elb-service-linked-roles.html
  'AWS::ElasticLoadBalancingV2::LoadBalancer': 'elasticloadbalancing.amazonaws.com',
};

/** IAM's limit for one managed policy, whitespace not counted. @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html */
const MANAGED_POLICY_CHARACTERS = 6144;

/** The boundary every role the execution role creates must carry. */
export function boundaryName(prefix: string): string {
  return `${prefix}-boundary`;
}

function boundaryArn(prefix: string): string {
  return Fn.sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:policy/${boundaryName(prefix)}`);
}

/**
 * The permissions boundary of the platform's own roles (instances, flow logs, the default
 * security group closer, RDS monitoring, Chatbot): the most any of them may do, whatever policy a
 * template attaches. Without it, a template deployed through the execution role could create a
 * role with AdministratorAccess. No IAM, STS or Organizations actions: a role the platform creates
 * can never widen its own rights or anyone else's. The database's client tiers read its secret and
 * connect with IAM database authentication: without those here no instance policy could grant them.
 */
export function boundaryDocument(prefix: string): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [{
      Sid: 'WhatThePlatformsRolesMayDo',
      Effect: 'Allow',
      Action: [
        // Session Manager (AmazonSSMManagedInstanceCore) and the CloudWatch agent (CloudWatchAgentServerPolicy).
        'ssm:*', 'ssmmessages:*', 'ec2messages:*', 'cloudwatch:PutMetricData', 'cloudwatch:Get*', 'cloudwatch:List*', 'cloudwatch:Describe*',
        'xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSampling*',
        'logs:*', 'ec2:Describe*', 's3:GetObject', 's3:GetEncryptionConfiguration', 'kms:Decrypt', 'kms:GenerateDataKey',
        // The default security group closer.
        'ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress',
        ...DATABASE_CLIENT_BOUNDARY_ACTIONS,
      ],
      Resource: '*',
    }, ...databaseBoundaryStatement(prefix)],
  };
}

/**
 * The execution role's policies: the handler permissions of the types gantry generates (split into
 * managed policies that fit IAM's size limit), and IAM rights limited to this environment's roles
 * and instance profiles, which may be created or given policies only with the boundary attached.
 */
export function executionPolicies(prefix: string, protectedRoles: readonly string[]): { inline: Record<string, unknown>; managed: Record<string, unknown>[] } {
  const all = deployPermissions(GENERATED_RESOURCE_TYPES);
  const handlerActions = withoutCovered(all.filter((a) => !a.startsWith('iam:')));
  const roleArn = (name: string) => Fn.sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${name}`);
  const roles = roleArn(`${prefix}-*`);
  const profiles = Fn.sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:instance-profile/${prefix}-*`);
  const boundary = boundaryArn(prefix);
  const iamActions = all.filter((a) => a.startsWith('iam:'));
  const needsBoundary = ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:PutRolePermissionsBoundary'];
  const roleActions = iamActions.filter((a) => /Role|PassRole/.test(a) && !/InstanceProfile|ServiceLinked|OpenIDConnect|ListRoles$/.test(a)
    && !needsBoundary.includes(a) && a !== 'iam:DeleteRolePermissionsBoundary');
  const profileActions = iamActions.filter((a) => /InstanceProfile/.test(a));
  // What is left takes no role (iam:ListRoles; iam:DescribeOrganization for WAF's logging handler).
  const accountReads = iamActions.filter((a) => ![...needsBoundary, ...roleActions, ...profileActions].includes(a)
    && !/ServiceLinked|OpenIDConnect|DeleteRolePermissionsBoundary/.test(a));

  // Managed policies of at most MANAGED_POLICY_CHARACTERS, whole services together where they fit.
  const chunks: string[][] = [];
  let current: string[] = [];
  // A policy's size grows by each action's JSON and a comma; measured as it grows (rendering the
  // whole policy again for every action was tens of milliseconds per environment).
  const emptySize = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'HandlerPermissions', Effect: 'Allow', Action: [], Resource: '*' }] }).length;
  let currentSize = emptySize;
  for (const action of handlerActions) {
    const actionSize = JSON.stringify(action).length;
    if (current.length > 0 && currentSize + 1 + actionSize > MANAGED_POLICY_CHARACTERS - 200) {
      chunks.push(current);
      current = [];
      currentSize = emptySize;
    }
    currentSize += (current.length > 0 ? 1 : 0) + actionSize;
    current.push(action);
  }
  if (current.length > 0) chunks.push(current);
  const managed = chunks.map((actions, i) => ({
    Version: '2012-10-17',
    Statement: [{ Sid: `HandlerPermissions${i + 1}`, Effect: 'Allow', Action: actions, Resource: '*' }],
  }));

  const inline = {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'ReadParameters', Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParameters'], Resource: '*' },
      { Sid: 'AccountWideIamReads', Effect: 'Allow', Action: accountReads, Resource: '*' },
      {
        Sid: 'CreateThisEnvironmentsRolesOnlyWithTheBoundary', Effect: 'Allow', Action: needsBoundary, Resource: roles,
        Condition: { StringEquals: { 'iam:PermissionsBoundary': boundary } },
      },
      { Sid: 'ManageThisEnvironmentsRoles', Effect: 'Allow', Action: roleActions, Resource: roles },
      { Sid: 'ManageThisEnvironmentsInstanceProfiles', Effect: 'Allow', Action: profileActions, Resource: profiles },
      { Sid: 'NeverRemoveTheBoundary', Effect: 'Deny', Action: 'iam:DeleteRolePermissionsBoundary', Resource: '*' },
      {
        Sid: 'NeverTheBootstrapRoles', Effect: 'Deny', Action: 'iam:*',
        Resource: [roleArn(`${prefix}-bootstrap-*`), ...protectedRoles.map(roleArn)],
      },
      {
        Sid: 'ServiceLinkedRoles', Effect: 'Allow', Action: 'iam:CreateServiceLinkedRole', Resource: '*',
        Condition: { StringEquals: { 'iam:AWSServiceName': [...new Set(Object.values(SERVICE_LINKED_ROLES))].sort() } },
      },
    ],
  };
  return { inline, managed };
}

/** Sets the environment's boundary on every IAM role of a template that deploys through the execution role. */
export function applyPermissionsBoundary(template: Record<string, unknown>, prefix: string): void {
  const resources = (template.Resources ?? {}) as Record<string, { Type?: string; Properties?: Record<string, unknown> }>;
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    resource.Properties = { ...resource.Properties, PermissionsBoundary: { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:policy/${boundaryName(prefix)}` } };
  }
}

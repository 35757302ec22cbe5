/**
 * What the drift role may read: drift detection reads each resource of a stack with the caller's
 * credentials, through the resource type's "read" handler. This is the union of the read-handler
 * permissions AWS publishes for the resource types gantry's stacks use
 * (../shared/data/cfn-handler-permissions.json, from AWS's resource provider schemas; see its
 * README), keeping only Describe*, Get* and List* calls, and leaving out
 * secretsmanager:GetSecretValue (drift detection must never read a secret's value) and the
 * services gantry creates nothing in (the WAF association handlers list App Runner, AppSync,
 * Cognito, API Gateway and Verified Access). test/drift-permissions.test.ts recomputes it from
 * that file. Object data is never readable: s3:ListBucket lists keys (HeadBucket needs it), no
 * s3:GetObject.
 */
export const DRIFT_READ_PERMISSIONS: readonly string[] = [
  'autoscaling:Describe*',
  'chatbot:DescribeSlackChannelConfigurations',
  'cloudfront:DescribeFunction',
  'cloudfront:GetCachePolicy',
  'cloudfront:GetDistribution',
  'cloudfront:GetDistributionConfig',
  'cloudfront:GetFunction',
  'cloudfront:GetOriginAccessControl',
  'cloudfront:GetOriginRequestPolicy',
  'cloudfront:GetResponseHeadersPolicy',
  'cloudwatch:DescribeAlarms',
  'cloudwatch:ListTagsForResource',
  'ec2:DescribeAccountAttributes',
  'ec2:DescribeAddresses',
  'ec2:DescribeAvailabilityZones',
  'ec2:DescribeFlowLogs',
  'ec2:DescribeInternetGateways',
  'ec2:DescribeLaunchTemplates',
  'ec2:DescribeNatGateways',
  'ec2:DescribeNetworkAcls',
  'ec2:DescribeRouteTables',
  'ec2:DescribeSecurityGroupRules',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeSubnets',
  'ec2:DescribeTags',
  'ec2:DescribeVpcAttribute',
  'ec2:DescribeVpcEndpoints',
  'ec2:DescribeVpcPeeringConnections',
  'ec2:DescribeVpcs',
  'ec2:DescribeVpnGateways',
  'elasticloadbalancing:DescribeListeners',
  'elasticloadbalancing:DescribeLoadBalancerAttributes',
  'elasticloadbalancing:DescribeLoadBalancers',
  'elasticloadbalancing:DescribeRules',
  'elasticloadbalancing:DescribeTags',
  'elasticloadbalancing:DescribeTargetGroupAttributes',
  'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeTargetHealth',
  'events:DescribeRule',
  'events:ListTargetsByRule',
  'iam:GetInstanceProfile',
  'iam:GetOpenIDConnectProvider',
  'iam:GetPolicy',
  'iam:GetPolicyVersion',
  'iam:GetRole',
  'iam:GetRolePolicy',
  'iam:ListAttachedRolePolicies',
  'iam:ListEntitiesForPolicy',
  'iam:ListRolePolicies',
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListAliases',
  'kms:ListResourceTags',
  'lambda:GetFunction',
  'lambda:GetFunctionCodeSigningConfig',
  'lambda:GetFunctionRecursionConfig',
  'lambda:GetPolicy',
  'logs:DescribeLogGroups',
  'logs:GetDataProtectionPolicy',
  'logs:ListTagsForResource',
  'rds:DescribeDBInstances',
  'rds:DescribeDBParameterGroups',
  'rds:DescribeDBParameters',
  'rds:DescribeDBSubnetGroups',
  'rds:DescribeEngineDefaultParameters',
  'rds:DescribeOptionGroups',
  'rds:ListTagsForResource',
  'route53:GetHealthCheck',
  'route53:ListTagsForResource',
  's3:GetAccelerateConfiguration',
  's3:GetAnalyticsConfiguration',
  's3:GetBucketCORS',
  's3:GetBucketLogging',
  's3:GetBucketNotification',
  's3:GetBucketObjectLockConfiguration',
  's3:GetBucketOwnershipControls',
  's3:GetBucketPolicy',
  's3:GetBucketPublicAccessBlock',
  's3:GetBucketTagging',
  's3:GetBucketVersioning',
  's3:GetBucketWebsite',
  's3:GetEncryptionConfiguration',
  's3:GetIntelligentTieringConfiguration',
  's3:GetInventoryConfiguration',
  's3:GetLifecycleConfiguration',
  's3:GetMetricsConfiguration',
  's3:GetReplicationConfiguration',
  's3:ListBucket',
  'secretsmanager:DescribeSecret',
  'shield:DescribeProtection',
  'shield:ListTagsForResource',
  'sns:GetDataProtectionPolicy',
  'sns:GetTopicAttributes',
  'sns:ListSubscriptionsByTopic',
  'sns:ListTagsForResource',
  'ssm:GetParameters',
  'wafv2:GetLoggingConfiguration',
  'wafv2:GetWebACL',
  'wafv2:GetWebACLForResource',
  'wafv2:ListTagsForResource',
];

/**
 * Types whose schema has no read handler (see the data's README): what CloudFormation's drift
 * detection calls to read them, from each service's API reference.
 */
export const DRIFT_READS_WITHOUT_HANDLER: Readonly<Record<string, readonly string[]>> = {
  'AWS::CertificateManager::Certificate': ['acm:DescribeCertificate', 'acm:ListTagsForCertificate'],
  'AWS::SNS::Subscription': ['sns:GetSubscriptionAttributes'],
  'AWS::SNS::TopicPolicy': ['sns:GetTopicAttributes'],
  'AWS::IAM::Policy': ['iam:GetRolePolicy'],
  'AWS::Route53::RecordSet': ['route53:GetHostedZone', 'route53:ListResourceRecordSets'],
  'AWS::Route53::RecordSetGroup': ['route53:GetHostedZone', 'route53:ListResourceRecordSets'],
  'AWS::RDS::DBInstanceAutomatedBackupsReplication': ['rds:DescribeDBInstanceAutomatedBackups'],
  'AWS::Budgets::Budget': ['budgets:ViewBudget'],
  'AWS::EC2::NetworkAclEntry': ['ec2:DescribeNetworkAcls'],
};

/**
 * Services whose Describe calls return configuration only, never data a resource holds: their reads
 * are granted as one `Describe*` (as AWS's ViewOnlyAccess does), which keeps the bootstrap under
 * CloudFormation's 51,200-byte inline template limit.
 * @see https://docs.aws.amazon.com/aws-managed-policy/latest/reference/ViewOnlyAccess.html
 */
export const CONFIGURATION_ONLY_DESCRIBES: readonly string[] = ['ec2', 'elasticloadbalancing', 'rds'];

/** Every read the drift role gets, sorted and deduplicated. */
export function driftReadActions(): string[] {
  const collapse = (action: string) => {
    const [service = '', name = ''] = action.split(':');
    return CONFIGURATION_ONLY_DESCRIBES.includes(service) && name.startsWith('Describe') ? `${service}:Describe*` : action;
  };
  return [...new Set([...DRIFT_READ_PERMISSIONS, ...Object.values(DRIFT_READS_WITHOUT_HANDLER).flat()].map(collapse))].sort();
}

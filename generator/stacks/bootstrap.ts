import { CfnRole } from 'aws-cdk-lib/aws-iam';
import { Fn, type Stack } from 'aws-cdk-lib';
import type { EnvironmentModel, GithubModel, PlatformModel } from '../model/types';
import { includeBlueprint, newTemplateStack, templateOf } from './cdk';
import { acknowledge, applyTags } from './tags';

/**
 * GitHub's OIDC subjects for this repository: the legacy `repo:OWNER/REPO:…` form, and the
 * immutable `repo:OWNER@OWNER_ID/REPO@REPO_ID:…` form when the spec gives both ids (repositories
 * created or renamed after mid-2026 send only that one).
 * @see https://docs.github.com/en/actions/reference/security/oidc
 */
export function oidcSubjects(github: GithubModel, context: string): string[] {
  const subjects = [`repo:${github.owner}/${github.name}:${context}`];
  if (github.ownerId !== undefined && github.repositoryId !== undefined) {
    subjects.push(`repo:${github.owner}@${github.ownerId}/${github.name}@${github.repositoryId}:${context}`);
  }
  return subjects;
}

/**
 * The bootstrap roles have fixed names, so a workflow knows their ARNs from the spec's account alone.
 * IAM role names are at most 64 characters: project (30) + environment (20) + suffix (10) fit.
 */
export function bootstrapRoleNames(project: string, environment: string) {
  const prefix = `${project}-${environment}`;
  return { deploy: `${prefix}-gh-deploy`, changeSets: `${prefix}-gh-plan`, drift: `${prefix}-gh-drift`, execution: `${prefix}-cfn-exec`, failover: `${prefix}-gh-failover` };
}

/** Services whose resources the generated stacks create; the execution role may manage them. */
const MANAGED_SERVICES = [
  'acm', 'autoscaling', 'budgets', 'chatbot', 'cloudfront', 'cloudwatch', 'ec2', 'elasticloadbalancing', 'events',
  'kms', 'logs', 'rds', 'route53', 's3', 'secretsmanager', 'shield', 'sns', 'wafv2',
];
const STACK_READS = [
  'cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents', 'cloudformation:DescribeStackResource',
  'cloudformation:DescribeStackResources', 'cloudformation:ListStackResources', 'cloudformation:GetTemplate',
  'cloudformation:GetTemplateSummary', 'cloudformation:ListChangeSets', 'cloudformation:DescribeChangeSet',
];
const CHANGE_SET_WRITES = ['cloudformation:CreateChangeSet', 'cloudformation:DeleteChangeSet'];
const DEPLOY_WRITES = [
  'cloudformation:CreateStack', 'cloudformation:UpdateStack', 'cloudformation:ExecuteChangeSet', 'cloudformation:ContinueUpdateRollback',
  'cloudformation:CancelUpdateStack', 'cloudformation:TagResource', 'cloudformation:DetectStackDrift',
  'cloudformation:DetectStackResourceDrift', 'cloudformation:DescribeStackResourceDrifts',
];
const ACCOUNT_READS = [
  'cloudformation:ValidateTemplate', 'cloudformation:ListStacks', 'cloudformation:DescribeStackDriftDetectionStatus',
  'route53:ListHostedZonesByName', 'ec2:DescribeImages', 'autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeScalingActivities',
];

/**
 * The bootstrap stack of one environment, from blueprints/bootstrap.yaml. Deployed once by hand
 * (see the README); after it, no long-lived AWS key exists anywhere.
 */
export function buildBootstrapTemplate(model: PlatformModel, environment: EnvironmentModel): Record<string, unknown> {
  const stack = newTemplateStack();
  const blueprint = includeBlueprint(stack, 'bootstrap');
  const prefix = `${model.project}-${environment.name}`;
  const partitionArn = (service: string, region: string, resource: string) => Fn.sub(`arn:\${AWS::Partition}:${service}:${region}:\${AWS::AccountId}:${resource}`);
  const regions = environment.regions.map((r) => r.region);
  const stacks = regions.map((region) => partitionArn('cloudformation', region, `stack/${prefix}-*/*`));
  const imageParameters = [...new Set(environment.regions.flatMap((r) => r.tiers.map((t) => t.imageParameter)))].sort();
  const parameters = regions.flatMap((region) => imageParameters.map((name) => partitionArn('ssm', region, `parameter${name}`)));
  const bucket = blueprint.getResource('ArtifactsBucket');
  const roleNames = bootstrapRoleNames(model.project, environment.name);
  blueprint.getResource('DeployRole').addPropertyOverride('RoleName', roleNames.deploy);
  blueprint.getResource('ChangeSetRole').addPropertyOverride('RoleName', roleNames.changeSets);
  blueprint.getResource('ExecutionRole').addPropertyOverride('RoleName', roleNames.execution);
  const drift = blueprint.getResource('DriftRole');
  drift.addPropertyOverride('RoleName', roleNames.drift);
  drift.addPropertyOverride('AssumeRolePolicyDocument.Statement.0.Condition.StringEquals.token\\.actions\\.githubusercontent\\.com:sub',
    oidcSubjects(model.github, `ref:refs/heads/${model.github.branch}`));
  drift.addPropertyOverride('Policies', [{
    PolicyName: 'detect-drift',
    PolicyDocument: {
      Version: '2012-10-17',
      Statement: [{
        Sid: 'DetectDriftOnThisEnvironmentsStacks', Effect: 'Allow',
        Action: ['cloudformation:DetectStackDrift', 'cloudformation:DetectStackResourceDrift', 'cloudformation:DescribeStackResourceDrifts'],
        Resource: stacks,
      }],
    },
  }]);
  const bucketArn = bucket.getAtt('Arn').toString();

  // Environments sharing an account share its one GitHub OIDC provider; the first creates it.
  if (!environment.firstInAccount) blueprint.node.tryRemoveChild('GitHubOidcProvider');
  acknowledge(drift, [{ id: 'AwsSolutions-IAM5', reason: `Drift detection is limited to this environment's stacks (stack/${prefix}-*), whose ids are not known beforehand.` }]);
  const trusting = ['DeployRole', 'ChangeSetRole', 'DriftRole'].map((id) => blueprint.getResource(id));
  // IAM checks that a trust policy's federated provider exists, so the roles wait for it.
  if (environment.firstInAccount) for (const role of trusting) role.addResourceDependency(blueprint.getResource('GitHubOidcProvider'));

  const deploy = blueprint.getResource('DeployRole');
  deploy.addPropertyOverride('AssumeRolePolicyDocument.Statement.0.Condition.StringEquals.token\\.actions\\.githubusercontent\\.com:sub',
    oidcSubjects(model.github, `environment:${environment.name}`));
  deploy.addPropertyOverride('Policies', [{
    PolicyName: 'deploy',
    PolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'DeployThisEnvironmentsStacks', Effect: 'Allow', Action: [...STACK_READS, ...CHANGE_SET_WRITES, ...DEPLOY_WRITES], Resource: stacks },
        { Sid: 'Read', Effect: 'Allow', Action: ACCOUNT_READS, Resource: '*' },
        {
          Sid: 'PassTheExecutionRoleToCloudFormation', Effect: 'Allow', Action: 'iam:PassRole', Resource: blueprint.getResource('ExecutionRole').getAtt('Arn'),
          Condition: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
        },
        ...(parameters.length > 0 ? [{
          Sid: 'ReleaseAndRollBackAmis', Effect: 'Allow',
          Action: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParameterHistory', 'ssm:PutParameter'], Resource: parameters,
        }] : []),
        { Sid: 'UploadLargeTemplates', Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: Fn.join('', [bucketArn, '/*']) },
        { Sid: 'BakeAndCopyAmis', Effect: 'Allow', Action: ['ec2:CreateImage', 'ec2:CopyImage', 'ec2:CreateTags', 'ec2:DescribeInstances'], Resource: '*' },
        { Sid: 'ListArtifacts', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn },
      ],
    },
  }]);
  acknowledge(deploy, [{
    id: 'AwsSolutions-IAM5',
    reason: `Wildcards are limited to this environment's stacks (stack/${prefix}-*), objects of its own artifacts bucket, read-only account-wide calls that accept no resource (ListStacks, ValidateTemplate, ListHostedZonesByName, Describe*), and baking and copying AMIs for releases, whose ids do not exist beforehand.`,
  }]);

  const changeSets = blueprint.getResource('ChangeSetRole');
  changeSets.addPropertyOverride('AssumeRolePolicyDocument.Statement.0.Condition.StringEquals.token\\.actions\\.githubusercontent\\.com:sub',
    oidcSubjects(model.github, 'pull_request'));
  changeSets.addPropertyOverride('Policies', [{
    PolicyName: 'change-sets',
    PolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'ChangeSetsOnThisEnvironmentsStacks', Effect: 'Allow', Action: [...STACK_READS, ...CHANGE_SET_WRITES], Resource: stacks },
        { Sid: 'Read', Effect: 'Allow', Action: ['cloudformation:ValidateTemplate', 'cloudformation:ListStacks', 'route53:ListHostedZonesByName'], Resource: '*' },
        ...(parameters.length > 0 ? [{ Sid: 'ResolveAmiParameters', Effect: 'Allow', Action: ['ssm:GetParameters'], Resource: parameters }] : []),
        { Sid: 'UploadLargeTemplates', Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: Fn.join('', [bucketArn, '/pull-requests/*']) },
      ],
    },
  }]);
  acknowledge(changeSets, [{
    id: 'AwsSolutions-IAM5',
    reason: `Wildcards are limited to this environment's stacks (stack/${prefix}-*), the pull-requests/ prefix of its artifacts bucket, and read-only calls that accept no resource.`,
  }]);

  const execution = blueprint.getResource('ExecutionRole');
  execution.addPropertyOverride('Policies', [{
    PolicyName: 'deploy-resources',
    PolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'ManageThePlatformsServices', Effect: 'Allow', Action: MANAGED_SERVICES.map((s) => `${s}:*`), Resource: '*' },
        { Sid: 'ReadParameters', Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParameters'], Resource: '*' },
        {
          Sid: 'ManageThisEnvironmentsRoles', Effect: 'Allow',
          Action: [
            'iam:CreateRole', 'iam:DeleteRole', 'iam:GetRole', 'iam:UpdateRole', 'iam:UpdateRoleDescription', 'iam:UpdateAssumeRolePolicy',
            'iam:TagRole', 'iam:UntagRole', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:GetRolePolicy', 'iam:AttachRolePolicy',
            'iam:DetachRolePolicy', 'iam:PassRole', 'iam:CreateInstanceProfile', 'iam:DeleteInstanceProfile', 'iam:GetInstanceProfile',
            'iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile', 'iam:TagInstanceProfile',
          ],
          Resource: [Fn.sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${prefix}-*`), Fn.sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:instance-profile/${prefix}-*`)],
        },
        {
          Sid: 'NeverTheBootstrapRoles', Effect: 'Deny', Action: 'iam:*',
          Resource: [`${prefix}-bootstrap-*`, roleNames.deploy, roleNames.changeSets, roleNames.drift, roleNames.execution, roleNames.failover]
            .map((name) => Fn.sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${name}`)),
        },
        {
          Sid: 'ServiceLinkedRoles', Effect: 'Allow', Action: 'iam:CreateServiceLinkedRole', Resource: '*',
          Condition: { StringEquals: { 'iam:AWSServiceName': ['autoscaling.amazonaws.com', 'elasticloadbalancing.amazonaws.com', 'rds.amazonaws.com'] } },
        },
      ],
    },
  }]);
  acknowledge(execution, [{
    id: 'AwsSolutions-IAM5',
    reason: `CloudFormation's execution role must create the platform's resources, whose ids are not known beforehand; only CloudFormation can assume it, only this environment's deploy role can pass it, it deploys only reviewed templates, and its IAM rights are limited to roles named ${prefix}-* and never the bootstrap's own.`,
  }]);

  if (environment.regions.length > 1) addFailoverRole(stack, blueprint, model, environment, roleNames.failover, stacks);

  applyTags(stack, environment.tags);
  return templateOf(stack);
}

/**
 * The role gantry-failover.yml assumes (trusted, like the deploy role, only by this repository's
 * GitHub environment, so its required reviewers approve a failover): promote or restore the
 * standby's database, hand its master password to Secrets Manager, and flip the API's failover
 * records. It cannot change stacks.
 */
function addFailoverRole(stack: Stack, blueprint: ReturnType<typeof includeBlueprint>, model: PlatformModel, environment: EnvironmentModel, roleName: string, stacks: unknown[]): void {
  const deploy = blueprint.getResource('DeployRole') as CfnRole;
  // The deploy role's trust (the GitHub OIDC provider, audience sts.amazonaws.com), for this environment's jobs only.
  const trust = structuredClone(deploy.assumeRolePolicyDocument) as { Statement: { Condition: { StringEquals: Record<string, unknown> } }[] };
  trust.Statement[0]!.Condition.StringEquals['token.actions.githubusercontent.com:sub'] = oidcSubjects(model.github, `environment:${environment.name}`);
  const role = new CfnRole(stack, 'FailoverRole', {
    roleName,
    description: `gantry-failover.yml: promotes a standby region of ${environment.name}`,
    assumeRolePolicyDocument: trust,
    policies: [{
      policyName: 'failover',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'ReadThisEnvironmentsStacks', Effect: 'Allow', Action: ['cloudformation:DescribeStacks'], Resource: stacks },
          {
            Sid: 'PromoteOrRestoreTheDatabase', Effect: 'Allow',
            Action: ['rds:DescribeDBInstances', 'rds:DescribeDBInstanceAutomatedBackups', 'rds:PromoteReadReplica', 'rds:ModifyDBInstance',
              'rds:RestoreDBInstanceToPointInTime', 'rds:AddTagsToResource'],
            Resource: '*',
          },
          { Sid: 'EncryptWithTheStandbysKey', Effect: 'Allow', Action: ['kms:DescribeKey', 'kms:CreateGrant', 'kms:Decrypt', 'kms:GenerateDataKey'], Resource: '*',
            Condition: { StringLike: { 'kms:ViaService': 'rds.*.amazonaws.com' } } },
          { Sid: 'LetRdsManageTheMasterSecret', Effect: 'Allow', Action: ['secretsmanager:CreateSecret', 'secretsmanager:TagResource'], Resource: '*' },
          { Sid: 'PassTheMonitoringRole', Effect: 'Allow', Action: 'iam:PassRole', Resource: Fn.sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/*`),
            Condition: { StringEquals: { 'iam:PassedToService': 'monitoring.rds.amazonaws.com' } } },
          { Sid: 'FlipTheFailoverRecords', Effect: 'Allow', Action: ['route53:ListHostedZonesByName', 'route53:ListResourceRecordSets', 'route53:ChangeResourceRecordSets', 'route53:GetChange'], Resource: '*' },
        ],
      },
    }],
  });
  role.overrideLogicalId('FailoverRole');
  if (environment.firstInAccount) role.addDependency(blueprint.getResource('GitHubOidcProvider'));
  acknowledge(role, [{
    id: 'AwsSolutions-IAM5',
    reason: 'A failover acts on the standby\'s database and records, whose ids CloudFormation generates; each statement is limited to the actions a promotion or restore needs, KMS only through RDS and PassRole only to RDS monitoring.',
  }]);
}

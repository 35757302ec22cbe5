import { Fn, type CfnResource, type Stack } from 'aws-cdk-lib';
import { CfnManagedPolicy, CfnRole } from 'aws-cdk-lib/aws-iam';
import { CfnSecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { EnvironmentModel, GithubModel, PlatformModel } from '../model/types';
import { includeBlueprint, newTemplateStack, templateOf } from './cdk';
import { boundaryDocument, boundaryName, executionPolicies } from './execution-role';
import { EDGE_REGION } from '../aws/regions';
import { ROLE_SESSION_SECONDS } from '../workflows/timeouts';
import { driftReadActions } from './drift-permissions';
import { originSecretOf, originSecretRegions } from './origin-secret';
import { bootstrapRoleNames } from './role-names';
import { acknowledge, applyTags } from './tags';

/**
 * GitHub's OIDC subjects for this repository and one context (`environment:prod`, `pull_request`,
 * `ref:refs/heads/main`). GitHub sends one of two forms (docs/facts.md, "GitHub OIDC subjects"):
 * the legacy `repo:OWNER/REPO:…`, and the immutable `repo:OWNER@OWNER_ID/REPO@REPO_ID:…` that
 * repositories created, renamed or transferred on or after 15 July 2026 (and those that opt in)
 * send instead. Both are accepted, so a repository keeps deploying when GitHub switches it. With
 * `github.ownerId` and `github.repositoryId` in the spec the immutable form is exact; without them
 * it is a pattern with a wildcard in place of each id, which pins the names but not the ids (as safe as the
 * legacy form: a recycled owner or repository name would match both).
 * @see https://docs.github.com/en/actions/reference/security/oidc#immutable-subject-claims
 * @see https://github.blog/changelog/2026-04-23-immutable-subject-claims-for-github-actions-oidc-tokens
 */
export function oidcSubjects(github: GithubModel, context: string): string[] {
  const immutable = github.ownerId !== undefined && github.repositoryId !== undefined
    ? `repo:${github.owner}@${github.ownerId}/${github.name}@${github.repositoryId}:${context}`
    : `repo:${github.owner}@*/${github.name}@*:${context}`;
  return [`repo:${github.owner}/${github.name}:${context}`, immutable];
}

/** True when the subjects hold a pattern, which IAM matches only with StringLike. */
function hasPattern(subjects: readonly string[]): boolean {
  return subjects.some((s) => /[*?]/.test(s));
}

/**
 * The trust condition of a role GitHub's workflows assume: the audience configure-aws-credentials
 * asks for, and the subjects of the given contexts. StringEquals when every subject is exact;
 * StringLike otherwise, where the exact subjects still match only themselves (owner, repository,
 * branch and environment names cannot hold `*` or `?`: git refuses them in ref names, and the spec
 * allows neither in an environment name).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub
 */
export function githubTrustCondition(github: GithubModel, contexts: readonly string[]): Record<string, Record<string, unknown>> {
  const subjects = contexts.flatMap((context) => oidcSubjects(github, context));
  const audience = { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' };
  const subject = { 'token.actions.githubusercontent.com:sub': subjects };
  return hasPattern(subjects) ? { StringEquals: audience, StringLike: subject } : { StringEquals: { ...audience, ...subject } };
}

/**
 * Replaces the blueprint's placeholder condition of a role's one trust statement. The whole
 * statement list is overridden: property overrides deep-merge objects, which would keep the
 * placeholder's StringEquals subject beside a StringLike one (both must then hold).
 */
function trustGithub(role: CfnResource, condition: Record<string, Record<string, unknown>>, provider: unknown): void {
  const statement = onlyTrustStatement(role as CfnRole);
  role.addPropertyOverride('AssumeRolePolicyDocument.Statement', [{ ...statement, ...(provider ? { Principal: { Federated: provider } } : {}), Condition: condition }]);
}

/**
 * The one statement of a blueprint role's trust policy (its GitHub OIDC trust), which gantry
 * replaces whole. A blueprint that gave the role a second statement is a gantry bug and fails the
 * build, rather than losing the statement from the template.
 */
function onlyTrustStatement(role: CfnRole): Record<string, unknown> {
  const statements = (role.assumeRolePolicyDocument as { Statement?: Record<string, unknown>[] } | undefined)?.Statement ?? [];
  if (statements.length !== 1) throw new Error(`gantry bug: the bootstrap blueprint's ${role.logicalId} trust policy has ${statements.length} statements, not one`);
  return statements[0] as Record<string, unknown>;
}

const STACK_READS = [
  'cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents', 'cloudformation:DescribeStackResource',
  'cloudformation:DescribeStackResources', 'cloudformation:ListStackResources', 'cloudformation:GetTemplate',
  'cloudformation:GetTemplateSummary', 'cloudformation:ListChangeSets', 'cloudformation:DescribeChangeSet',
];
/**
 * Change sets carry the stack tags that mark gantry's stacks (plan.ts ownershipTags); tagging a
 * stack is authorised as cloudformation:TagResource on it.
 */
const CHANGE_SET_WRITES = ['cloudformation:CreateChangeSet', 'cloudformation:DeleteChangeSet', 'cloudformation:TagResource'];
/**
 * The deploy runs change sets; it deletes a stack whose first creation failed (ROLLBACK_COMPLETE),
 * that a cancelled run left empty (REVIEW_IN_PROGRESS), or that the spec no longer has (approved).
 */
const DEPLOY_WRITES = [
  'cloudformation:ExecuteChangeSet', 'cloudformation:DeleteStack', 'cloudformation:ContinueUpdateRollback', 'cloudformation:CancelUpdateStack',
];
/**
 * Calls that accept no resource (IAM requires "*"), for the lookups that fill in stack parameters
 * (hosted zone ids, the CloudFront prefix list id of the api tier's security group) and reads.
 */
const LOOKUPS = ['cloudformation:ValidateTemplate', 'cloudformation:ListStacks', 'route53:ListHostedZonesByName', 'ec2:DescribeManagedPrefixLists'];
const RELEASE_READS = ['ec2:DescribeImages', 'ec2:DescribeInstances'];
const DRIFT_DETECTION = [
  'cloudformation:DetectStackDrift', 'cloudformation:DetectStackResourceDrift', 'cloudformation:DescribeStackResourceDrifts',
  'cloudformation:DescribeStacks', 'cloudformation:DescribeStackResource', 'cloudformation:DescribeStackResources',
  'cloudformation:ListStackResources', 'cloudformation:GetTemplate',
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
  // Every region the environment's stacks live in: its own, and us-east-1 for its global stacks
  // (budget, edge), which the workflows plan, deploy and check for drift there.
  const stackRegions = [...new Set([...regions, ...(environment.budget || environment.edge ? [EDGE_REGION] : [])])];
  const stacks = stackRegions.map((region) => partitionArn('cloudformation', region, `stack/${prefix}-*/*`));
  const reviewStacks = stackRegions.map((region) => partitionArn('cloudformation', region, `stack/gantry-review-${prefix}-*/*`));
  const ec2Arns = (kind: 'instance' | 'image' | 'snapshot') =>
    regions.map((region) => Fn.sub(`arn:\${AWS::Partition}:ec2:${region}:${kind === 'instance' ? '${AWS::AccountId}' : ''}:${kind}/*`));
  const imageParameters = [...new Set(environment.regions.flatMap((r) => r.tiers.map((t) => t.imageParameter)))].sort();
  const parameters = regions.flatMap((region) => imageParameters.map((name) => partitionArn('ssm', region, `parameter${name}`)));
  // Every AMI parameter of the environment, also of a tier the spec no longer has: CloudFormation
  // resolves a stack's AMI parameter with the caller's rights, also in the update that turns a
  // removed tier's deletion protection off before the deploy deletes its stack.
  // (A tier's own parameter outside the environment's path, image.parameter in the spec, is named as well.)
  const ownPath = `/${model.project}/${environment.name}/`;
  const anyImageParameter = imageParameters.length > 0 ? [
    ...regions.map((region) => partitionArn('ssm', region, `parameter${ownPath}*`)),
    ...regions.flatMap((region) => imageParameters.filter((name) => !name.startsWith(ownPath)).map((name) => partitionArn('ssm', region, `parameter${name}`))),
  ] : [];
  // The secret origin header's secret, in each region that reads it (its ARN ends in a random suffix).
  const secretName = originSecretOf(environment);
  const originSecret = secretName ? buildOriginSecret(stack, environment, secretName) : undefined;
  // In every region (the primary, its replicas); its ARN ends in a random suffix. One ARN with a
  // region wildcard: the bootstrap is deployed inline, so it must stay under CloudFormation's 51,200 bytes.
  const originSecretArn = secretName ? Fn.sub(`arn:\${AWS::Partition}:secretsmanager:*:\${AWS::AccountId}:secret:${secretName}-??????`) : undefined;
  // The deploys look up the secret's version ids (never its value): CloudFormation resolves the
  // value with the execution role, whose handler permissions for AWS::SecretsManager::Secret hold
  // secretsmanager:GetSecretValue (a test checks it does).
  const originSecretLookup = originSecretArn ? [{ Sid: 'OriginSecretVersions', Effect: 'Allow', Action: 'secretsmanager:DescribeSecret', Resource: originSecretArn }] : [];
  const bucket = blueprint.getResource('ArtifactsBucket');
  const roleNames = bootstrapRoleNames(model.project, environment.name);
  blueprint.getResource('DeployRole').addPropertyOverride('RoleName', roleNames.deploy);
  blueprint.getResource('ChangeSetRole').addPropertyOverride('RoleName', roleNames.changeSets);
  blueprint.getResource('ExecutionRole').addPropertyOverride('RoleName', roleNames.execution);
  const drift = blueprint.getResource('DriftRole');
  drift.addPropertyOverride('RoleName', roleNames.drift);
  // The first environment in the account creates the GitHub OIDC provider: its roles trust it by
  // Ref (its ARN), which also makes them wait for it (IAM checks that a trust policy's federated
  // provider exists), in fewer bytes than the ARN and a DependsOn: the bootstrap is deployed inline
  // and must stay under CloudFormation's 51,200 bytes. The others name the account's provider by ARN.
  // @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-oidcprovider.html#aws-resource-iam-oidcprovider-return-values
  const provider = environment.firstInAccount ? blueprint.getResource('GitHubOidcProvider').ref : undefined;
  trustGithub(drift, githubTrustCondition(model.github, [`ref:refs/heads/${model.github.branch}`]), provider);
  drift.addPropertyOverride('MaxSessionDuration', ROLE_SESSION_SECONDS.drift);
  drift.addPropertyOverride('Policies', [{
    PolicyName: 'detect-drift',
    PolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'DetectDriftOnThisEnvironmentsStacks', Effect: 'Allow', Action: DRIFT_DETECTION, Resource: stacks },
        { Sid: 'DriftDetectionStatus', Effect: 'Allow', Action: 'cloudformation:DescribeStackDriftDetectionStatus', Resource: '*' },
        // Drift detection reads every resource with the caller's credentials: the configuration
        // reads of gantry's resource types, never object data or secret values (see drift-permissions.ts).
        { Sid: 'ReadResourceConfiguration', Effect: 'Allow', Action: driftReadActions(), Resource: '*' },
      ],
    },
  }]);
  const bucketArn = bucket.getAtt('Arn').toString();
  // Objects of the artifacts bucket as one Fn::Sub, as its bucket policy writes them (shorter than Fn::Join).
  const objects = (prefix: string) => Fn.sub(`\${ArtifactsBucket.Arn}/${prefix}*`);

  // Environments sharing an account share its one GitHub OIDC provider; the first creates it.
  if (!environment.firstInAccount) blueprint.node.tryRemoveChild('GitHubOidcProvider');
  acknowledge(drift, [{
    id: 'AwsSolutions-IAM5',
    reason: `Drift detection is limited to this environment's stacks (stack/${prefix}-*), whose ids are not known beforehand; it reads each resource's configuration through Describe/Get/List calls, most of which accept no resource ARN, and no object data or secret values.`,
  }]);

  const deploy = blueprint.getResource('DeployRole');
  trustGithub(deploy, githubTrustCondition(model.github, [`environment:${environment.name}`]), provider);
  deploy.addPropertyOverride('MaxSessionDuration', ROLE_SESSION_SECONDS.deploy);
  deploy.addPropertyOverride('Policies', [{
    PolicyName: 'deploy',
    PolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'DeployThisEnvironmentsStacks', Effect: 'Allow', Action: [...STACK_READS, ...CHANGE_SET_WRITES, ...DEPLOY_WRITES], Resource: stacks },
        // gantry-origin-secret.yml has Secrets Manager generate a value (a call without a resource).
        // ListImports: which stacks still import a removed stack's exports (it accepts no resource).
        { Sid: 'LookupsAndReads', Effect: 'Allow', Action: [...LOOKUPS, ...RELEASE_READS, 'cloudformation:ListImports', ...(originSecret ? ['secretsmanager:GetRandomPassword'] : [])], Resource: '*' },
        // The version lookups, and gantry-origin-secret.yml's new value and dropping of the previous one.
        ...(originSecretArn ? [{
          Sid: 'OriginSecret', Effect: 'Allow', Action: ['secretsmanager:DescribeSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'], Resource: originSecretArn,
        }] : []),
        {
          Sid: 'PassTheExecutionRoleToCloudFormation', Effect: 'Allow', Action: 'iam:PassRole', Resource: blueprint.getResource('ExecutionRole').getAtt('Arn'),
          Condition: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
        },
        ...(parameters.length > 0 ? [{
          // Releases write the AMI, and label the versions that succeeded everywhere: the history rollbacks read.
          Sid: 'ReleaseAndRollBackAmis', Effect: 'Allow',
          Action: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParameterHistory', 'ssm:PutParameter', 'ssm:LabelParameterVersion', 'ssm:UnlabelParameterVersion'],
          Resource: parameters,
        }, {
          // Baking from a build instance, and copying the AMI to the other regions, in this environment's regions only.
          Sid: 'BakeAndCopyAmis', Effect: 'Allow', Action: ['ec2:CreateImage', 'ec2:CopyImage'],
          Resource: [...ec2Arns('instance'), ...ec2Arns('image'), ...ec2Arns('snapshot')],
        }, {
          // Tags only on the AMIs and snapshots that a release creates, never on other EC2 resources.
          Sid: 'TagNewAmis', Effect: 'Allow', Action: 'ec2:CreateTags', Resource: [...ec2Arns('image'), ...ec2Arns('snapshot')],
          Condition: { StringEquals: { 'ec2:CreateAction': ['CreateImage', 'CopyImage'] } },
        }] : []),
        ...(anyImageParameter.length > 0 ? [{ Sid: 'ResolveAmiParameters', Effect: 'Allow', Action: 'ssm:GetParameters', Resource: anyImageParameter }] : []),
        { Sid: 'UploadLargeTemplates', Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: objects('') },
        { Sid: 'ListArtifacts', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn },
      ],
    },
  }]);
  acknowledge(deploy, [{
    id: 'AwsSolutions-IAM5',
    reason: `Wildcards are limited to this environment's stacks (stack/${prefix}-*), objects of its own artifacts bucket, read-only account-wide calls that accept no resource (ListStacks, ValidateTemplate, ListHostedZonesByName, Describe*), and baking, copying and tagging AMIs and their snapshots in this environment's regions for releases, whose ids do not exist beforehand.`,
  }]);

  const changeSets = blueprint.getResource('ChangeSetRole');
  // Pull requests plan with it, and so does the deploy workflow on the deploy branch before its
  // approval gate (a job without an environment); neither can execute a change set.
  trustGithub(changeSets, githubTrustCondition(model.github, ['pull_request', `ref:refs/heads/${model.github.branch}`]), provider);
  changeSets.addPropertyOverride('MaxSessionDuration', ROLE_SESSION_SECONDS.changeSets);
  changeSets.addPropertyOverride('Policies', [{
    PolicyName: 'change-sets',
    PolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'ChangeSetsOnThisEnvironmentsStacks', Effect: 'Allow', Action: [...STACK_READS, ...CHANGE_SET_WRITES], Resource: [...stacks, ...reviewStacks] },
        // A stack not deployed yet is planned as gantry-review-<stack>, an empty REVIEW_IN_PROGRESS
        // stack deleted after the plan: the only stacks this role may delete, so it never deletes a deployed one.
        { Sid: 'DeleteEmptyReviewStacks', Effect: 'Allow', Action: 'cloudformation:DeleteStack', Resource: reviewStacks },
        { Sid: 'Lookups', Effect: 'Allow', Action: LOOKUPS, Resource: '*' },
        ...originSecretLookup,
        ...(anyImageParameter.length > 0 ? [{ Sid: 'ResolveAmiParameters', Effect: 'Allow', Action: ['ssm:GetParameters'], Resource: anyImageParameter }] : []),
        {
          Sid: 'UploadLargeTemplates', Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'],
          Resource: [objects('pull-requests/'), objects('plans/')],
        },
      ],
    },
  }]);
  acknowledge(changeSets, [{
    id: 'AwsSolutions-IAM5',
    reason: `Wildcards are limited to this environment's stacks (stack/${prefix}-*) and their review stacks (stack/gantry-review-${prefix}-*), the pull-requests/ and plans/ prefixes of its artifacts bucket, and read-only calls that accept no resource.`,
  }]);

  buildExecutionRole(stack, blueprint, prefix, [roleNames.deploy, roleNames.changeSets, roleNames.drift, roleNames.execution, roleNames.failover]);

  if (environment.regions.length > 1) addFailoverRole(stack, blueprint, model, environment, roleNames.failover, stacks);

  applyTags(stack, environment.tags);
  return templateOf(stack);
}

/**
 * The CloudFormation execution role: the handler permissions of exactly the resource types gantry
 * generates (managed policies, which fit IAM's size limits), and IAM rights over this
 * environment's roles only, each of which must carry the boundary that bootstrap defines here.
 */
function buildExecutionRole(stack: Stack, blueprint: ReturnType<typeof includeBlueprint>, prefix: string, protectedRoles: readonly string[]): void {
  const execution = blueprint.getResource('ExecutionRole');
  const { inline, managed } = executionPolicies(prefix, protectedRoles);
  execution.addPropertyOverride('Policies', [{ PolicyName: 'deploy-resources', PolicyDocument: inline }]);
  const boundary = new CfnManagedPolicy(stack, 'PermissionsBoundary', {
    managedPolicyName: boundaryName(prefix),
    description: `The most any role of ${prefix}'s stacks may do; the execution role creates roles only with it`,
    policyDocument: boundaryDocument(prefix),
  });
  boundary.overrideLogicalId('PermissionsBoundary');
  acknowledge(boundary, [{
    id: 'AwsSolutions-IAM5',
    reason: 'A permissions boundary caps what the platform\'s roles may do (Session Manager, the CloudWatch agent, logs, reading their own objects); each role\'s own policy grants far less, and the boundary grants no IAM, STS or Organizations action.',
  }]);
  managed.forEach((document, i) => {
    const policy = new CfnManagedPolicy(stack, `ExecutionRolePolicy${i + 1}`, {
      description: `CloudFormation handler permissions of the resource types gantry generates (part ${i + 1} of ${managed.length}), from AWS's resource provider schemas`,
      policyDocument: document,
      roles: [execution.ref],
    });
    policy.overrideLogicalId(`ExecutionRolePolicy${i + 1}`);
    acknowledge(policy, [{
      id: 'AwsSolutions-IAM5',
      reason: 'Exactly the actions AWS lists for the create, read, update and delete handlers of the resource types gantry generates, on resources whose ids do not exist before the deploy; some of AWS\'s own lists hold Describe* patterns.',
    }]);
  });
  acknowledge(execution, [{
    id: 'AwsSolutions-IAM5',
    reason: `CloudFormation's execution role creates the platform's resources, whose ids are not known beforehand; only CloudFormation can assume it, only this environment's deploy role can pass it, and it creates roles only named ${prefix}-*, only with the ${boundaryName(prefix)} permissions boundary, never the bootstrap's own.`,
  }]);
}

/**
 * The secret CloudFront sends to the API's load balancers as the X-Origin-Verify header: 64
 * lower-case letters and digits that Secrets Manager generates (the value is in no template,
 * parameter or log). Lower case and no punctuation, because a listener rule compares header values
 * case-insensitively, treats `*` and `?` as wildcards, and takes at most 128 characters.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-elasticloadbalancingv2-listenerrule-httpheaderconfig.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-secretsmanager-secret-replicaregion.html
 */
function buildOriginSecret(stack: Stack, environment: EnvironmentModel, name: string): { primary: string; replicas: string[] } {
  const regions = originSecretRegions(environment);
  const secret = new CfnSecret(stack, 'OriginSecret', {
    name,
    // No Description: the bootstrap is deployed inline and has little room left under 51,200 bytes.
    generateSecretString: { passwordLength: 64, excludePunctuation: true, excludeUppercase: true },
    replicaRegions: regions.replicas.length > 0 ? regions.replicas.map((region) => ({ region })) : undefined,
  });
  secret.overrideLogicalId('OriginSecret');
  acknowledge(secret, [{
    id: 'AwsSolutions-SMG4',
    reason: 'Rotated by gantry-origin-secret.yml with a deploy between its steps (see the README); a rotation Lambda would change the value before the load balancers accept it.',
  }]);
  return regions;
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
  const statement: Record<string, unknown> = { ...structuredClone(onlyTrustStatement(deploy)), Condition: githubTrustCondition(model.github, [`environment:${environment.name}`]) };
  // Trusts the provider by Ref when this stack creates it, as the other roles do (buildBootstrapTemplate).
  if (environment.firstInAccount) statement.Principal = { Federated: blueprint.getResource('GitHubOidcProvider').ref };
  const trust = { ...structuredClone(deploy.assumeRolePolicyDocument as Record<string, unknown>), Statement: [statement] };
  const role = new CfnRole(stack, 'FailoverRole', {
    roleName,
    description: `gantry-failover.yml: promotes a standby region of ${environment.name}`,
    assumeRolePolicyDocument: trust,
    maxSessionDuration: ROLE_SESSION_SECONDS.failover,
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
          // The standby's key reaches KMS two ways: RDS uses it for the storage of a restored or
          // promoted instance (via rds.<region>), and `modify-db-instance --manage-master-user-password
          // --master-user-secret-kms-key-id` has RDS create the secret with the caller's rights, so
          // Secrets Manager generates and encrypts its data key (via secretsmanager.<region>). Written
          // as rds.* and secretsmanager.*: the bootstrap template must stay under 51,200 bytes.
          // https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html#security-encryption-authz
          // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html#rds-secrets-manager-permissions
          { Sid: 'EncryptWithTheStandbysKey', Effect: 'Allow', Action: ['kms:DescribeKey', 'kms:CreateGrant', 'kms:Decrypt', 'kms:GenerateDataKey'], Resource: '*',
            Condition: { StringLike: { 'kms:ViaService': ['rds.*', 'secretsmanager.*'] } } },
          { Sid: 'LetRdsManageTheMasterSecret', Effect: 'Allow', Action: ['secretsmanager:CreateSecret', 'secretsmanager:TagResource'], Resource: '*' },
          { Sid: 'PassTheMonitoringRole', Effect: 'Allow', Action: 'iam:PassRole', Resource: Fn.sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/*`),
            Condition: { StringEquals: { 'iam:PassedToService': 'monitoring.rds.amazonaws.com' } } },
          { Sid: 'FlipTheFailoverRecords', Effect: 'Allow', Action: ['route53:ListHostedZonesByName', 'route53:ListResourceRecordSets', 'route53:ChangeResourceRecordSets', 'route53:GetChange'], Resource: '*' },
        ],
      },
    }],
  });
  role.overrideLogicalId('FailoverRole');
  acknowledge(role, [{
    id: 'AwsSolutions-IAM5',
    reason: 'A failover acts on the standby\'s database and records, whose ids CloudFormation generates; each statement holds only what a promotion or restore needs, KMS only via RDS and Secrets Manager, PassRole only to RDS monitoring.',
  }]);
}

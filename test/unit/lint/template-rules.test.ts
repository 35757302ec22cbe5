import { dump } from 'js-yaml';
import { checkTemplateRules, stackNameOf } from '../../../generator/lint/template-rules';
import { TEMPLATE_RULES } from '../../../generator/lint/rules';

/** A template file from resources (and more), as gantry writes them: long-form intrinsics. */
function template(resources: Record<string, unknown>, file = 'prod/eu-west-1/web.yaml') {
  return { path: file, content: dump({ AWSTemplateFormatVersion: '2010-09-09', Resources: resources }) };
}

const tags = [{ Key: 'Environment', Value: 'prod' }, { Key: 'Project', Value: 'shop' }];
const distribution = (target: string, methods: string[]) => ({
  Type: 'AWS::CloudFront::Distribution',
  Properties: {
    DistributionConfig: {
      Aliases: ['app.example.com'],
      Origins: [{ Id: 'a', DomainName: 'a.example.com' }, { Id: 'b', DomainName: 'b.example.com' }],
      OriginGroups: { Quantity: 1, Items: [{ Id: 'group', Members: { Quantity: 2, Items: [{ OriginId: 'a' }, { OriginId: 'b' }] } }] },
      DefaultCacheBehavior: { TargetOriginId: target, AllowedMethods: methods, ViewerProtocolPolicy: 'https-only' },
    },
  },
});
const key = (principal: unknown) => ({
  Type: 'AWS::KMS::Key',
  Properties: { KeyPolicy: { Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'kms:Decrypt', Resource: '*' }] } },
});
const loadBalancer = (dependsOn?: string) => ({
  Bucket: { Type: 'AWS::S3::Bucket' },
  BucketPolicy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'Bucket' }, PolicyDocument: {} } },
  LoadBalancer: {
    Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
    ...(dependsOn ? { DependsOn: dependsOn } : {}),
    Properties: { LoadBalancerAttributes: [{ Key: 'access_logs.s3.enabled', Value: 'true' }, { Key: 'access_logs.s3.bucket', Value: { Ref: 'Bucket' } }] },
  },
});
const role = (name: unknown) => ({ Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: name, Tags: tags } } });
const custom = (properties: Record<string, unknown>) => ({ Closer: { Type: 'Custom::Closer', Properties: { ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:x', ...properties } } });
const group = (egress?: unknown[]) => ({ Group: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'x', ...(egress ? { SecurityGroupEgress: egress } : {}) } } });
const logs = (keyRetained: boolean) => ({
  Key: { Type: 'AWS::KMS::Key', ...(keyRetained ? { DeletionPolicy: 'Retain' } : {}), Properties: {} },
  Logs: { Type: 'AWS::Logs::LogGroup', DeletionPolicy: 'Retain', Properties: { KmsKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } } },
});

const replicated = (managed: boolean) => ({
  Database: { Type: 'AWS::RDS::DBInstance', Properties: { Engine: 'postgres', ...(managed ? { ManageMasterUserPassword: true } : { MasterUserPassword: 'x' }) } },
  ReadReplica1: { Type: 'AWS::RDS::DBInstance', Properties: { SourceDBInstanceIdentifier: { Ref: 'Database' } } },
});

// GIVEN one template (or two) per case  WHEN gantry's rules run  THEN exactly the expected rule ids at the expected logical ids.
const cases: [string, string, { path: string; content: string }[], string[]][] = [
  ['GNT401', 'origin group with GET/HEAD only', [template({ Distribution: distribution('group', ['GET', 'HEAD']) })], []],
  ['GNT401', 'single origin with all methods', [template({ Distribution: distribution('a', ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']) })], []],
  ['GNT401', 'origin group with POST', [template({ Distribution: distribution('group', ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']) })], ['GNT401 Distribution']],
  ['GNT402', 'key policy naming the account', [template({ Key: key({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' }) })], []],
  ['GNT402', 'key policy naming the Auto Scaling service-linked role', [template({
    Key: key({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling' }),
  })], ['GNT402 Key']],
  ['GNT403', 'load balancer waiting for the log bucket policy', [template(loadBalancer('BucketPolicy'))], []],
  ['GNT403', 'load balancer not waiting for it', [template(loadBalancer())], ['GNT403 LoadBalancer']],
  ['GNT404', 'two environments with their own aliases', [
    template({ Distribution: distribution('a', ['GET', 'HEAD']) }, 'prod/global/edge.yaml'),
    { ...template({ Distribution: distribution('a', ['GET', 'HEAD']) }, 'preprod/global/edge.yaml'), content: template({ Distribution: distribution('a', ['GET', 'HEAD']) }).content.replace('app.example.com', 'preprod.app.example.com') },
  ], []],
  ['GNT404', 'two environments claiming one alias', [
    template({ Distribution: distribution('a', ['GET', 'HEAD']) }, 'prod/global/edge.yaml'),
    template({ Distribution: distribution('a', ['GET', 'HEAD']) }, 'preprod/global/edge.yaml'),
  ], ['GNT404 Distribution', 'GNT404 Distribution']],
  ['GNT405', 'role name of 64 characters', [template(role('r'.repeat(64)))], []],
  ['GNT405', 'role name of 65 characters', [template(role('r'.repeat(65)))], ['GNT405 Role']],
  ['GNT405', 'role name from a long stack name', [template(role({ 'Fn::Sub': '${AWS::StackName}-instances-' + 'x'.repeat(41) }))], ['GNT405 Role']],
  ['GNT406', 'custom resource with ServiceTimeout', [template(custom({ ServiceTimeout: 300 }))], []],
  ['GNT406', 'custom resource without it', [template(custom({}))], ['GNT406 Closer']],
  ['GNT407', 'security group with inline egress', [template(group([{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }]))], []],
  ['GNT407', 'security group without inline egress', [template(group())], ['GNT407 Group']],
  ['GNT408', 'retained log group, retained key', [template(logs(true))], []],
  ['GNT408', 'retained log group, key retained except on create', [template({ ...logs(true), Key: { Type: 'AWS::KMS::Key', DeletionPolicy: 'RetainExceptOnCreate', Properties: {} } })], []],
  ['GNT408', 'retained log group, key deleted with the stack', [template(logs(false))], ['GNT408 Key']],
  // GNT409's full table: replica-source-managed-password.test.ts.
  ['GNT409', 'replica of a source with its own secret', [template(replicated(false))], []],
  ['GNT409', 'replica of a source whose password RDS manages', [template(replicated(true))], ['GNT409 Database']],
  ['GNT410', 'secret retained except on create', [template({ Secret: { Type: 'AWS::SecretsManager::Secret', DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain', Properties: { Name: 'x' } } })], []],
  ['GNT410', 'secret retained even when its creation rolls back', [template({ Secret: { Type: 'AWS::SecretsManager::Secret', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { Name: 'x' } } })], ['GNT410 Secret']],
];

describe("gantry's deploy-time rules", () => {
  test.each(cases)('%s: %s', (id, _name, templates, expected) => {
    const rule = TEMPLATE_RULES.find((r) => r.id === id);
    expect(rule).toBeDefined();
    const found = checkTemplateRules(templates, [rule!]).map((f) => `${f.ruleId} ${f.logicalId}`);
    expect(found).toEqual(expected);
  });

  test('every rule has a table case that passes and one that fails', () => {
    for (const rule of TEMPLATE_RULES) {
      expect(cases.some(([id, , , e]) => id === rule.id && e.length === 0)).toBe(true);
      expect(cases.some(([id, , , e]) => id === rule.id && e.length > 0)).toBe(true);
      expect(rule.source).toMatch(/^https:\/\//);
    }
  });

  test('a match is placed at the line and column of the path it names', () => {
    const [finding] = checkTemplateRules([template(group())]);
    const content = template(group()).content;
    const line = content.split('\n').findIndex((l) => l.trim() === 'Properties:') + 1;
    expect(finding).toMatchObject({ file: 'prod/eu-west-1/web.yaml', ruleId: 'GNT407', logicalId: 'Group', line, column: 5 });
  });

  test('a resource may skip a rule only with a reason', () => {
    const withReason = { Group: { ...group().Group, Metadata: { gantry: { rules_to_suppress: [{ id: 'GNT407', reason: 'a test' }] } } } };
    const withoutReason = { Group: { ...group().Group, Metadata: { gantry: { rules_to_suppress: [{ id: 'GNT407' }] } } } };
    expect(checkTemplateRules([template(withReason)])).toEqual([]);
    expect(checkTemplateRules([template(withoutReason)]).map((f) => f.ruleId)).toEqual(['GNT407']);
  });

  test('a template that is not YAML is a finding, not a crash', () => {
    expect(checkTemplateRules([{ path: 'x.yaml', content: 'Resources: [' }]).map((f) => f.ruleId)).toEqual(['GNT400']);
  });

  test('the stack name comes from the Project and Environment tags and the file name', () => {
    expect(stackNameOf('prod/eu-west-1/web.yaml', { Resources: role('x') })).toBe('shop-prod-web');
    expect(stackNameOf('prod/eu-west-1/web.yaml', { Resources: group() })).toBeUndefined();
  });
});

import { loadSpecText } from '../../../generator/spec/load';
import { checkLoadedSpec } from '../../../generator/pipeline';
import type { PlatformModel } from '../../../generator/model/types';
import { buildBootstrapTemplate, githubTrustCondition } from '../../../generator/stacks/bootstrap';
import { buildDatabaseTemplate, parameterGroupFamily } from '../../../generator/stacks/database';
import { buildEdgeTemplate, SPA_FALLBACK_FUNCTION } from '../../../generator/stacks/edge';
import { LOOKED_UP_PARAMETERS } from '../../../generator/stacks/kinds';
import { buildNetworkTemplate } from '../../../generator/stacks/network';
import { tiersInDeployOrder } from '../../../generator/stacks/kinds';
import { buildTierTemplate, SUSPENDED_DURING_ROLLING_UPDATE } from '../../../generator/stacks/tier';

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, any>; UpdatePolicy?: any; CreationPolicy?: any; Metadata?: any; DependsOn?: any }>; Parameters?: Record<string, any>; Outputs?: Record<string, any> };

function model(extra = '', tiers = '  web: {}\n', environments = '  prod: { account: "123456789012", regions: [eu-west-1] }\n'): PlatformModel {
  const text = `version: 1\nproject: shop\ngithub: { repository: acme/shop }\n${extra}tiers:\n${tiers}environments:\n${environments}`;
  const loaded = loadSpecText('spec.yaml', Buffer.from(text));
  if (!loaded.ok) throw new Error(loaded.diagnostics[0]?.message);
  const report = checkLoadedSpec(loaded.spec);
  if (!report.model) throw new Error(report.diagnostics.map((d) => d.message).join('\n'));
  return report.model;
}
const first = (m: PlatformModel) => ({ environment: m.environments[0]!, region: m.environments[0]!.regions[0]! });
const ofType = (t: Template, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);

describe('network', () => {
  test.each([
    ['perAz', 3, 3],
    ['single', 3, 1],
    ['none', 2, 0],
  ])('natGateways %s over %i AZs makes %i NAT gateways', (nat, azs, count) => {
    const { environment, region } = first(model(`network: { natGateways: ${nat}, availabilityZones: ${azs} }\n`));
    const template = buildNetworkTemplate(environment, region) as Template;
    expect(ofType(template, 'AWS::EC2::NatGateway')).toHaveLength(count);
    expect(ofType(template, 'AWS::EC2::Subnet')).toHaveLength(3 * azs);
    expect(ofType(template, 'AWS::EC2::Route').filter(([id]) => id.startsWith('Private'))).toHaveLength(count === 0 ? 0 : azs);
  });

  it('adds the three Session Manager endpoints for ssm, and gateway endpoints on private and isolated tables', () => {
    const { environment, region } = first(model('network: { endpoints: [s3, ssm] }\n'));
    const template = buildNetworkTemplate(environment, region) as Template;
    expect(ofType(template, 'AWS::EC2::VPCEndpoint').map(([id]) => id).sort()).toEqual(['Ec2messagesEndpoint', 'S3GatewayEndpoint', 'SsmEndpoint', 'SsmmessagesEndpoint']);
    expect(template.Resources.S3GatewayEndpoint!.Properties!.RouteTableIds).toHaveLength(3);
  });

  it('keeps flow logs encrypted with a retention, or acknowledges their absence', () => {
    const on = buildNetworkTemplate(first(model()).environment, first(model()).region) as Template;
    expect(on.Resources.FlowLogGroup!.Properties).toMatchObject({ RetentionInDays: 90, KmsKeyId: expect.anything() });
    const off = first(model('network: { flowLogs: false }\n'));
    const template = buildNetworkTemplate(off.environment, off.region) as Template;
    expect(template.Resources.FlowLog).toBeUndefined();
    expect(template.Resources.Vpc!.Metadata.cdk_nag.rules_to_suppress[0].id).toBe('AwsSolutions-VPC7');
  });
});

describe('tier', () => {
  it('rolls out a new AMI batch by batch, waiting for signals, suspending what AWS advises', () => {
    const m = model('', '  web: { capacity: { min: 2, max: 6 }, deploy: { batchSize: 2, timeout: PT20M } }\n');
    const { environment, region } = first(m);
    const template = buildTierTemplate(environment, region, region.tiers[0]!) as Template;
    const group = template.Resources.AutoScalingGroup!;
    expect(group.UpdatePolicy.AutoScalingRollingUpdate).toEqual({
      MaxBatchSize: 2, MinInstancesInService: 2, PauseTime: 'PT20M', WaitOnResourceSignals: true, SuspendProcesses: SUSPENDED_DURING_ROLLING_UPDATE,
    });
    expect(group.CreationPolicy.ResourceSignal).toEqual({ Count: 2, Timeout: 'PT20M' });
    expect(group.Properties).toMatchObject({ MinSize: '2', MaxSize: '6', HealthCheckType: 'ELB' });
    expect(group.Properties!.DesiredCapacity).toBeUndefined();
    expect(template.Parameters!.ImageId).toMatchObject({ Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: '/shop/prod/web/ami' });
    const data = template.Resources.LaunchTemplate!.Properties!.LaunchTemplateData;
    expect(data.MetadataOptions.HttpTokens).toBe('required');
    expect(data.BlockDeviceMappings[0].Ebs).toMatchObject({ Encrypted: true, VolumeType: 'gp3' });
  });

  it('replaces the whole group with the replacing strategy', () => {
    const { environment, region } = first(model('', '  web: { deploy: { strategy: replacing } }\n'));
    const template = buildTierTemplate(environment, region, region.tiers[0]!) as Template;
    expect(template.Resources.AutoScalingGroup!.UpdatePolicy).toEqual({ AutoScalingReplacingUpdate: { WillReplace: true } });
  });

  test.each([
    ['linux', '/opt/aws/bin/cfn-signal', "curl --silent --fail --max-time 5 --output /dev/null 'http://127.0.0.1:8080/ready'"],
    ['windows', 'cfn-signal.exe', "Invoke-WebRequest -UseBasicParsing -TimeoutSec 5 -Uri 'http://127.0.0.1:8080/ready'"],
  ])('%s user data checks the health endpoint, then signals', (os, signal, probe) => {
    const { environment, region } = first(model('', `  web: { os: ${os}, port: 8080, healthCheck: /ready }\n`));
    const template = buildTierTemplate(environment, region, region.tiers[0]!) as Template;
    const script = template.Resources.LaunchTemplate!.Properties!.LaunchTemplateData.UserData['Fn::Base64']['Fn::Sub'] as string;
    expect(script).toContain(signal);
    expect(script).toContain(probe);
    expect(script).toContain('--resource AutoScalingGroup');
  });

  it('serves HTTPS with a given certificate and redirects HTTP', () => {
    const arn = 'arn:aws:acm:eu-west-1:123456789012:certificate/abc';
    const { environment, region } = first(model('', `  web: { loadBalancer: { certificateArn: "${arn}" } }\n`));
    const template = buildTierTemplate(environment, region, region.tiers[0]!) as Template;
    expect(template.Resources.ForwardListener!.Properties).toMatchObject({ Port: 443, Protocol: 'HTTPS', Certificates: [{ CertificateArn: arn }] });
    expect(template.Resources.RedirectListener!.Properties!.DefaultActions[0].RedirectConfig).toMatchObject({ Protocol: 'HTTPS', StatusCode: 'HTTP_301' });
  });

  it('issues a regional certificate for the edge domain, validated in its zone', () => {
    const { environment, region } = first(model('edge: { domain: app.example.com, zone: example.com }\n'));
    const template = buildTierTemplate(environment, region, region.tiers[0]!) as Template;
    expect(template.Resources.OriginCertificate!.Properties).toMatchObject({ DomainName: 'web.eu-west-1.app.example.com', ValidationMethod: 'DNS' });
    // A String with a zone id's pattern: CloudFormation would check an AWS::Route53::HostedZone::Id
    // against the account with the deploy role's permissions, which cannot list zones.
    expect(template.Parameters!.HostedZoneId).toMatchObject({ Type: 'String', AllowedPattern: '^Z[A-Z0-9]{1,31}$' });
    expect(template.Parameters!.HostedZoneId.ConstraintDescription).toMatch(/hosted zone id/);
  });

  it('opens an internal load balancer only to its callers, and never 22 or 3389 anywhere', () => {
    const { environment, region } = first(model('', '  web: {}\n  api: { from: [web] }\n'));
    const api = buildTierTemplate(environment, region, region.tiers[1]!) as Template;
    const ingress = api.Resources.LoadBalancerSecurityGroup!.Properties!.SecurityGroupIngress;
    expect(ingress).toEqual([expect.objectContaining({ FromPort: 80, SourceSecurityGroupId: { 'Fn::GetAtt': ['CallerSecurityGroup', 'GroupId'] } })]);
    const web = buildTierTemplate(environment, region, region.tiers[0]!) as Template;
    expect(web.Resources.LaunchTemplate!.Properties!.LaunchTemplateData.SecurityGroupIds).toContainEqual({ 'Fn::ImportValue': 'shop-prod-api-CallerSecurityGroupId' });
    expect(JSON.stringify([api, web])).not.toMatch(/"(FromPort|ToPort)":(22|3389)\b/);
  });

  it('deploys callees before their callers', () => {
    const { region } = first(model('', '  web: {}\n  api: { from: [web] }\n  db-proxy: { from: [api] }\n'));
    expect(tiersInDeployOrder(region.tiers).map((t) => t.name)).toEqual(['db-proxy', 'api', 'web']);
  });
});

describe('database', () => {
  test.each([
    ['postgres', '16.13', 'postgres16'],
    ['mysql', '8.0.46', 'mysql8.0'],
    ['mariadb', '10.11.9', 'mariadb10.11'],
    ['sqlserver-se', '15.00.4415.2.v1', 'sqlserver-se-15.0'],
  ])('%s %s uses the %s parameter group family', (engine, version, family) => {
    // SQL Server Standard and Enterprise run on db.t3.xlarge and larger, not gantry's default db.t3.medium.
    const instanceClass = engine.startsWith('sqlserver') ? ', instanceClass: db.m6i.xlarge' : '';
    const { region } = first(model(`database: { engine: ${engine}, version: "${version}"${instanceClass} }\n`));
    expect(parameterGroupFamily(region.database!)).toBe(family);
  });

  it('builds SQL Server with its licence, TLS and no IAM authentication, and replicas for Enterprise', () => {
    const { environment, region } = first(model('database: { engine: sqlserver-ee, version: 16.00.4165.4.v1, instanceClass: db.m6i.xlarge, readReplicas: 2 }\n'));
    const template = buildDatabaseTemplate(environment, region) as Template;
    expect(template.Resources.Database!.Properties).toMatchObject({
      Engine: 'sqlserver-ee', LicenseModel: 'license-included', StorageEncrypted: true, MultiAZ: true, ManageMasterUserPassword: true, StorageType: 'gp3',
    });
    expect(template.Resources.Database!.Properties!.EnableIAMDatabaseAuthentication).toBeUndefined();
    expect(template.Resources.ParameterGroup!.Properties!.Parameters).toEqual({ 'rds.force_ssl': '1' });
    expect(ofType(template, 'AWS::RDS::DBInstance').map(([id]) => id).sort()).toEqual(['Database', 'ReadReplica1', 'ReadReplica2']);
  });

  it('opens the database only to its client security group on the engine port', () => {
    const { environment, region } = first(model('database: { engine: mysql, version: "8.0.46" }\n'));
    const template = buildDatabaseTemplate(environment, region) as Template;
    expect(template.Resources.DatabaseSecurityGroup!.Properties!.SecurityGroupIngress).toEqual([
      expect.objectContaining({ FromPort: 3306, ToPort: 3306, SourceSecurityGroupId: { 'Fn::GetAtt': ['ClientSecurityGroup', 'GroupId'] } }),
    ]);
  });
});

describe('bootstrap', () => {
  it('trusts only the environment (deploys), and pull requests and the deploy branch (change sets) of this repository, in both subject forms', () => {
    const m = model('', '  web: {}\n').environments[0]!;
    const template = buildBootstrapTemplate(model(), m) as Template;
    const condition = (id: string) => template.Resources[id]!.Properties!.AssumeRolePolicyDocument.Statement[0].Condition;
    // Without the ids, the immutable form is a pattern (StringLike); the audience stays exact.
    expect(condition('DeployRole')).toEqual({
      StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
      StringLike: { 'token.actions.githubusercontent.com:sub': ['repo:acme/shop:environment:prod', 'repo:acme@*/shop@*:environment:prod'] },
    });
    expect(condition('ChangeSetRole').StringLike['token.actions.githubusercontent.com:sub']).toEqual([
      'repo:acme/shop:pull_request', 'repo:acme@*/shop@*:pull_request', 'repo:acme/shop:ref:refs/heads/main', 'repo:acme@*/shop@*:ref:refs/heads/main',
    ]);
    expect(condition('DriftRole').StringLike['token.actions.githubusercontent.com:sub']).toEqual(['repo:acme/shop:ref:refs/heads/main', 'repo:acme@*/shop@*:ref:refs/heads/main']);
  });

  it('matches what GitHub sends, in either form, and nothing else', () => {
    // IAM's StringLike: * is any run of characters, ? one character, everything else literal.
    const like = (pattern: string, value: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(value);
    const m = model('', '  web: {}\n');
    const allowed = (github: typeof m.github, sub: string) => {
      const condition = githubTrustCondition(github, ['environment:prod']);
      const subjects = (condition.StringLike ?? condition.StringEquals)!['token.actions.githubusercontent.com:sub'] as string[];
      return condition.StringLike ? subjects.some((p) => like(p, sub)) : subjects.includes(sub);
    };
    for (const github of [m.github, { ...m.github, ownerId: 123456, repositoryId: 456789 }]) {
      expect(allowed(github, 'repo:acme/shop:environment:prod')).toBe(true);
      expect(allowed(github, 'repo:acme@123456/shop@456789:environment:prod')).toBe(true);
      expect(allowed(github, 'repo:acme/shop:environment:preprod')).toBe(false);
      expect(allowed(github, 'repo:acme/shop:ref:refs/heads/main')).toBe(false);
      expect(allowed(github, 'repo:acme@123456/other@456789:environment:prod')).toBe(false);
      expect(allowed(github, 'repo:acme-evil@1/shop@2:environment:prod')).toBe(false);
      expect(allowed(github, 'repo:evil/shop:environment:prod')).toBe(false);
    }
    // With the ids, another repository that took over the names is refused.
    expect(allowed({ ...m.github, ownerId: 123456, repositoryId: 456789 }, 'repo:acme@999/shop@456789:environment:prod')).toBe(false);
    expect(allowed({ ...m.github, ownerId: 123456, repositoryId: 456789 }, 'repo:acme@123456/shop@1:environment:prod')).toBe(false);
  });

  it('accepts exactly the immutable subject of the given ids, and creates the OIDC provider once per account', () => {
    const m = model('', '  web: {}\n', '  dev: { account: "123456789012", regions: [eu-west-1] }\n  prod: { account: "123456789012", regions: [eu-west-1] }\n');
    const withIds = { ...m, github: { ...m.github, ownerId: 1, repositoryId: 2 } };
    const dev = buildBootstrapTemplate(withIds, m.environments[0]!) as Template;
    const prod = buildBootstrapTemplate(withIds, m.environments[1]!) as Template;
    expect(dev.Resources.GitHubOidcProvider).toBeDefined();
    expect(prod.Resources.GitHubOidcProvider).toBeUndefined();
    expect(prod.Resources.DeployRole!.Properties!.AssumeRolePolicyDocument.Statement[0].Condition).toEqual({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': ['repo:acme/shop:environment:prod', 'repo:acme@1/shop@2:environment:prod'],
      },
    });
  });

  it('lets the change-set role create, describe and delete change sets, and nothing that deploys', () => {
    const template = buildBootstrapTemplate(model(), model().environments[0]!) as Template;
    const actions = JSON.stringify(template.Resources.ChangeSetRole!.Properties!.Policies);
    expect(actions).toContain('cloudformation:CreateChangeSet');
    expect(actions).not.toMatch(/ExecuteChangeSet|UpdateStack|CreateStack|iam:PassRole/);
    // it deletes only the empty review stacks of its plans, never a deployed stack
    expect(JSON.stringify(template.Resources.ChangeSetRole!.Properties!.Policies[0].PolicyDocument.Statement.find((s: { Action: unknown }) => JSON.stringify(s.Action).includes('DeleteStack')).Resource)).not.toMatch(/stack\/shop-prod-\*/);
  });
});

describe('alarms', () => {
  it('watch each tier and database, with the thresholds of the spec, reporting to the topic', () => {
    const { environment, region } = first(model('alarms: { tierCpuPercent: 70, databaseFreeStoragePercent: 20 }\ndatabase: { engine: postgres, version: "16.13", storageGb: 100, readReplicas: 1 }\n'));
    const tier = buildTierTemplate(environment, region, region.tiers[0]!) as Template;
    expect(ofType(tier, 'AWS::CloudWatch::Alarm').map(([id]) => id).sort()).toEqual(['CpuAlarm', 'LoadBalancer5xxAlarm', 'ResponseTimeAlarm', 'Target5xxAlarm', 'UnhealthyHostsAlarm']);
    expect(tier.Resources.CpuAlarm!.Properties).toMatchObject({ Threshold: 70, AlarmActions: [{ 'Fn::ImportValue': 'shop-prod-notifications-TopicArn' }], OKActions: [{ 'Fn::ImportValue': 'shop-prod-notifications-TopicArn' }] });
    const database = buildDatabaseTemplate(environment, region) as Template;
    expect(database.Resources.DatabaseFreeStorageAlarm!.Properties!.Threshold).toBe(20 * 1024 ** 3);
    expect(database.Resources.ReadReplica1LagAlarm!.Properties).toMatchObject({ MetricName: 'ReplicaLag', Threshold: 60 });
  });

  it('are left out when alarms.enabled is false', () => {
    const { environment, region } = first(model('alarms: { enabled: false }\ndatabase: { engine: postgres, version: "16.13", readReplicas: 1 }\n'));
    expect(ofType(buildTierTemplate(environment, region, region.tiers[0]!) as Template, 'AWS::CloudWatch::Alarm')).toEqual([]);
    expect(ofType(buildDatabaseTemplate(environment, region) as Template, 'AWS::CloudWatch::Alarm')).toEqual([]);
  });

  it('take per-environment thresholds from overrides', () => {
    const m = model('alarms: { responseTimeSeconds: 2 }\n', '  web: {}\n',
      '  dev: { account: "123456789012", regions: [eu-west-1], overrides: { alarms: { responseTimeSeconds: 5 } } }\n  prod: { account: "123456789012", regions: [eu-west-1] }\n');
    expect(m.environments.map((e) => e.regions[0]!.alarms.responseTimeSeconds)).toEqual([5, 2]);
  });
});

describe('edge', () => {
  const edgeSpec = 'edge: { domain: app.example.com, zone: example.com, site: { spa: true }, api: { tier: web }, waf: { managedRules: [common, sqlInjection], ratePerFiveMinutes: 500 }, shieldAdvanced: true }\n';
  const twoRegions = '  prod: { account: "123456789012", regions: [eu-west-1, { name: us-east-1, cidr: 10.1.0.0/16 }] }\n';

  it('declares HostedZoneId as a String with a zone id\'s pattern, as the tiers do (the blueprint spells it out)', () => {
    const m = model(edgeSpec, '  web: {}\n', twoRegions);
    const template = buildEdgeTemplate(m, m.environments[0]!) as Template;
    const { type, allowedPattern, constraintDescription } = LOOKED_UP_PARAMETERS.HostedZoneId!;
    expect(template.Parameters!.HostedZoneId).toMatchObject({ Type: type, AllowedPattern: allowedPattern, ConstraintDescription: constraintDescription });
    expect(type).toBe('String');
    expect(new RegExp(allowedPattern!).test('Z23YXV4OVPL04A')).toBe(true);
    expect(new RegExp(allowedPattern!).test('/hostedzone/Z23YXV4OVPL04A')).toBe(false);
  });

  it('serves the site through origin access control and the API through one failover name, never an origin group', () => {
    const m = model(edgeSpec, '  web: {}\n', twoRegions);
    const template = buildEdgeTemplate(m, m.environments[0]!) as Template;
    const config = template.Resources.Distribution!.Properties!.DistributionConfig;
    expect(config.Origins.map((o: { Id: string; DomainName: unknown }) => [o.Id, o.DomainName])).toEqual([
      ['site', { 'Fn::GetAtt': ['SiteBucket', 'RegionalDomainName'] }],
      ['api', 'api-origin.app.example.com'],
    ]);
    expect(config.OriginGroups).toBeUndefined();
    expect(config.CacheBehaviors).toEqual([expect.objectContaining({ PathPattern: '/api/*', TargetOriginId: 'api', CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad' })]);
    expect(config.DefaultCacheBehavior.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': ['SpaFallback', 'FunctionARN'] } }]);
    expect(config.ViewerCertificate.MinimumProtocolVersion).toBe('TLSv1.2_2021');
    expect(template.Resources.SiteBucketPolicy!.Properties!.PolicyDocument.Statement[1].Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(template.Resources.ShieldProtection).toBeDefined();
  });

  it('puts the rate rule and the chosen managed rule groups in the web ACL', () => {
    const m = model(edgeSpec);
    const rules = (buildEdgeTemplate(m, m.environments[0]!) as Template).Resources.WebAcl!.Properties!.Rules;
    expect(rules.map((r: { Name: string; Priority: number }) => [r.Priority, r.Name])).toEqual([
      [0, 'rate-limit-per-ip'], [1, 'AWSManagedRulesCommonRuleSet'], [2, 'AWSManagedRulesSQLiRuleSet'],
    ]);
    expect(rules[0].Statement.RateBasedStatement.Limit).toBe(500);
  });

  it('opens the API tier\'s load balancer to CloudFront only', () => {
    const m = model(edgeSpec);
    const { environment, region } = first(m);
    const template = buildTierTemplate(environment, region, region.tiers[0]!) as Template;
    expect(template.Resources.LoadBalancerSecurityGroup!.Properties!.SecurityGroupIngress).toEqual([
      expect.objectContaining({ FromPort: 443, SourcePrefixListId: { Ref: 'CloudFrontPrefixListId' } }),
    ]);
    expect(JSON.stringify(template.Resources.LoadBalancerSecurityGroup)).not.toContain('0.0.0.0/0');
  });

  it('routes a path-less spa to index.html only for app routes', () => {
    // GIVEN CloudFront's function runtime semantics WHEN the function runs on a few URIs THEN files pass through
    const handler = new Function(`${SPA_FALLBACK_FUNCTION}; return handler;`)() as (e: { request: { uri: string } }) => { uri: string };
    expect(['/orders/42', '/', '/app.js', '/assets/logo.svg'].map((uri) => handler({ request: { uri } }).uri)).toEqual(['/index.html', '/index.html', '/app.js', '/assets/logo.svg']);
  });
});

describe('multi-region', () => {
  const edgeSpec = 'edge: { domain: app.example.com, zone: example.com, api: { tier: web } }\n';
  const twoRegions = '  prod: { account: "123456789012", regions: [eu-west-1, { name: eu-central-1, cidr: 10.1.0.0/16 }] }\n';
  const database = (engine: string) => `database: { engine: ${engine}, version: "1", multiAz: true, instanceClass: db.m5.large }\n`;
  const regions = (m: PlatformModel) => m.environments[0]!.regions;

  it('answers api-origin.<domain> with failover records and a health check on each region\'s load balancer', () => {
    const m = model(edgeSpec, '  web: {}\n', twoRegions);
    const [primary, standby] = regions(m).map((region) => buildTierTemplate(m.environments[0]!, region, region.tiers[0]!) as Template);
    for (const [template, failover, region] of [[primary!, 'PRIMARY', 'eu-west-1'], [standby!, 'SECONDARY', 'eu-central-1']] as const) {
      expect(template.Resources.ApiOriginRecord!.Properties).toMatchObject({
        Name: 'api-origin.app.example.com', Type: 'A', Failover: failover, SetIdentifier: region,
        HealthCheckId: { 'Fn::GetAtt': ['OriginHealthCheck', 'HealthCheckId'] },
        AliasTarget: { EvaluateTargetHealth: true },
      });
      expect(template.Resources.OriginHealthCheck!.Properties!.HealthCheckConfig).toEqual({
        Type: 'CLOUDWATCH_METRIC', AlarmIdentifier: { Name: { Ref: 'OriginHealthAlarm' }, Region: region }, InsufficientDataHealthStatus: 'Unhealthy',
      });
      expect(template.Resources.OriginHealthAlarm!.Properties).toMatchObject({ MetricName: 'HealthyHostCount', TreatMissingData: 'breaching' });
      expect(template.Resources.OriginCertificate!.Properties!.SubjectAlternativeNames).toEqual(['api-origin.app.example.com']);
    }
  });

  it('gives a single region a plain api-origin record, without a health check', () => {
    const m = model(edgeSpec);
    const template = buildTierTemplate(m.environments[0]!, regions(m)[0]!, regions(m)[0]!.tiers[0]!) as Template;
    expect(template.Resources.ApiOriginRecord!.Properties).not.toHaveProperty('Failover');
    expect(template.Resources.OriginHealthCheck).toBeUndefined();
  });

  it('makes the standby database a cross-region read replica of the primary, by ARN, with its own key and groups', () => {
    const m = model(database('postgres'), '  web: {}\n', twoRegions);
    const [primary, standby] = regions(m).map((region) => buildDatabaseTemplate(m.environments[0]!, region) as Template);
    expect(primary!.Outputs!.DatabaseArn.Value).toEqual({ 'Fn::GetAtt': ['Database', 'DBInstanceArn'] });
    const replica = standby!.Resources.Database!;
    expect(replica.Properties).toMatchObject({
      SourceDBInstanceIdentifier: { Ref: 'SourceDatabaseArn' }, SourceRegion: 'eu-west-1', KmsKeyId: { Ref: 'DatabaseKey' },
      DBSubnetGroupName: { Ref: 'SubnetGroup' }, DBParameterGroupName: { Ref: 'ParameterGroup' }, MultiAZ: true, StorageType: 'gp3',
    });
    for (const absent of ['Engine', 'MasterUsername', 'ManageMasterUserPassword', 'StorageEncrypted', 'BackupRetentionPeriod']) expect(replica.Properties).not.toHaveProperty(absent);
    expect(standby!.Parameters!.SourceDatabaseArn).toBeDefined();
    expect(standby!.Outputs!.Endpoint).toBeDefined();
    expect(standby!.Resources.ReplicaLagAlarm).toBeDefined();
  });

  it('replicates SQL Server Standard backups to the standby, which holds no instance, only what a restore needs', () => {
    const m = model(database('sqlserver-se'), '  web: { os: windows }\n', twoRegions);
    const [primary, standby] = regions(m).map((region) => buildDatabaseTemplate(m.environments[0]!, region) as Template);
    expect(primary!.Resources.Database!.Properties).toMatchObject({
      AutomaticBackupReplicationRegion: 'eu-central-1', AutomaticBackupReplicationKmsKeyId: { Ref: 'BackupReplicationKeyArn' }, AutomaticBackupReplicationRetentionPeriod: 7,
    });
    expect(ofType(standby!, 'AWS::RDS::DBInstance')).toEqual([]);
    expect(Object.keys(standby!.Outputs!).sort()).toEqual(['ClientSecurityGroupId', 'DatabaseSecurityGroupId', 'KeyArn', 'MonitoringRoleArn', 'ParameterGroupName', 'SubnetGroupName']);
  });
});

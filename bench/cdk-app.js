// The benchmark's point of comparison: the platform of bench/ten-environment-regions.yaml written
// as an idiomatic CDK app (L2 constructs, cross-stack references by object), synthesized with
// `app.synth()` as `cdk synth` would. Not a gantry test and not gantry's output: its templates
// differ in detail (CDK's defaults, not gantry's hardening), but it builds the same stacks and
// about as many resources. `npm run bench` times it; set GANTRY_BENCH_CDK_VALIDATION=off for CDK's
// synth without its built-in CloudFormation validation.
// Usage: node bench/cdk-app.js OUTDIR
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const cdk = require('aws-cdk-lib');
const ec2 = require('aws-cdk-lib/aws-ec2');
const elbv2 = require('aws-cdk-lib/aws-elasticloadbalancingv2');
const autoscaling = require('aws-cdk-lib/aws-autoscaling');
const rds = require('aws-cdk-lib/aws-rds');
const sns = require('aws-cdk-lib/aws-sns');
const subscriptions = require('aws-cdk-lib/aws-sns-subscriptions');
const chatbot = require('aws-cdk-lib/aws-chatbot');
const cloudwatch = require('aws-cdk-lib/aws-cloudwatch');
const actions = require('aws-cdk-lib/aws-cloudwatch-actions');
const s3 = require('aws-cdk-lib/aws-s3');
const cloudfront = require('aws-cdk-lib/aws-cloudfront');
const origins = require('aws-cdk-lib/aws-cloudfront-origins');
const acm = require('aws-cdk-lib/aws-certificatemanager');
const route53 = require('aws-cdk-lib/aws-route53');
const targets = require('aws-cdk-lib/aws-route53-targets');
const wafv2 = require('aws-cdk-lib/aws-wafv2');
const budgets = require('aws-cdk-lib/aws-budgets');
const iam = require('aws-cdk-lib/aws-iam');

const ENVIRONMENTS = [
  { name: 'dev', account: '100000000001', regions: ['eu-west-1'], azs: 2, nats: 1 },
  { name: 'test', account: '100000000002', regions: ['eu-west-1', 'eu-central-1'], azs: 3, nats: 3 },
  { name: 'staging', account: '100000000003', regions: ['eu-west-1', 'eu-central-1', 'us-east-1'], azs: 3, nats: 3 },
  { name: 'prod', account: '100000000004', regions: ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2'], azs: 3, nats: 3 },
];
const TIERS = [
  { name: 'web', public: true, from: [], instanceType: 't3.medium', min: 2, max: 6 },
  { name: 'api', public: false, from: ['web'], instanceType: 'c6i.large', min: 2, max: 12, requestsPerTarget: 800 },
  { name: 'worker', public: false, from: ['api'], instanceType: 'c6i.large', min: 1, max: 4 },
];

const outdir = process.argv[2] ?? fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'cdk-bench-'));
const context = {};
for (const e of ENVIRONMENTS) {
  for (const region of [...e.regions, 'us-east-1']) {
    context[`availability-zones:account=${e.account}:region=${region}`] = ['a', 'b', 'c'].map((z) => `${region}${z}`);
  }
}
const app = new cdk.App({ outdir, context, ...(process.env.GANTRY_BENCH_CDK_VALIDATION === 'off' ? { builtinCloudFormationValidation: false } : {}) });

for (const e of ENVIRONMENTS) {
  const origins_ = [];
  e.regions.forEach((region, r) => {
    const env = { account: e.account, region };
    const id = (kind) => `scale-${e.name}-${region}-${kind}`;

    const notifications = new cdk.Stack(app, id('notifications'), { env });
    const topic = new sns.Topic(notifications, 'Topic', { enforceSSL: true });
    topic.addSubscription(new subscriptions.EmailSubscription('oncall@scale.example'));
    new chatbot.SlackChannelConfiguration(notifications, 'Slack', {
      slackChannelConfigurationName: id('slack'), slackWorkspaceId: 'T0SCALE001', slackChannelId: 'C0SCALE001', notificationTopics: [topic],
    });

    const network = new cdk.Stack(app, id('network'), { env });
    const vpc = new ec2.Vpc(network, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(`10.${ENVIRONMENTS.indexOf(e) + r}.0.0/16`),
      maxAzs: e.azs,
      natGateways: e.nats,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 20 },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        { name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs() } },
    });
    for (const [name, service] of [['Ssm', ec2.InterfaceVpcEndpointAwsService.SSM], ['SsmMessages', ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES],
      ['Ec2Messages', ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES], ['Logs', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS]]) {
      vpc.addInterfaceEndpoint(name, { service, subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } });
    }

    const database = new cdk.Stack(app, id('database'), { env });
    const dbClients = new ec2.SecurityGroup(database, 'Clients', { vpc, description: 'Database clients' });
    const db = new rds.DatabaseInstance(database, 'Database', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }),
      instanceType: new ec2.InstanceType('r6g.large'), vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      multiAz: true, allocatedStorage: 100, storageEncrypted: true, backupRetention: cdk.Duration.days(35), deletionProtection: true,
      cloudwatchLogsExports: ['postgresql'], enablePerformanceInsights: true, iamAuthentication: true,
    });
    db.connections.allowDefaultPortFrom(dbClients);
    new rds.DatabaseInstanceReadReplica(database, 'Replica', {
      sourceDatabaseInstance: db, instanceType: new ec2.InstanceType('r6g.large'), vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    });
    for (const [name, metric, threshold] of [['Cpu', db.metricCPUUtilization(), 80], ['FreeStorage', db.metricFreeStorageSpace(), 10e9],
      ['FreeMemory', db.metricFreeableMemory(), 256e6], ['Connections', db.metricDatabaseConnections(), 200]]) {
      new cloudwatch.Alarm(database, `${name}Alarm`, { metric, threshold, evaluationPeriods: 3 }).addAlarmAction(new actions.SnsAction(topic));
    }

    const callers = new Map();
    for (const tier of TIERS) {
      const stack = new cdk.Stack(app, id(tier.name), { env });
      const logs = new s3.Bucket(stack, 'AccessLogs', { encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
      const lb = new elbv2.ApplicationLoadBalancer(stack, 'LoadBalancer', {
        vpc, internetFacing: tier.public, vpcSubnets: { subnetType: tier.public ? ec2.SubnetType.PUBLIC : ec2.SubnetType.PRIVATE_WITH_EGRESS }, dropInvalidHeaderFields: true,
      });
      lb.logAccessLogs(logs);
      const role = new iam.Role(stack, 'InstanceRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
      role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'));
      const group = new autoscaling.AutoScalingGroup(stack, 'AutoScalingGroup', {
        vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        launchTemplate: new ec2.LaunchTemplate(stack, 'LaunchTemplate', {
          instanceType: new ec2.InstanceType(tier.instanceType), machineImage: ec2.MachineImage.fromSsmParameter(`/scale/${e.name}/${tier.name}/ami`),
          role, requireImdsv2: true, blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(30, { encrypted: true }) }],
          securityGroup: new ec2.SecurityGroup(stack, 'InstanceSecurityGroup', { vpc }),
        }),
        minCapacity: tier.min, maxCapacity: tier.max, healthChecks: autoscaling.HealthChecks.withAdditionalChecks({ additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB], gracePeriod: cdk.Duration.minutes(15) }),
        signals: autoscaling.Signals.waitForMinCapacity({ timeout: cdk.Duration.minutes(15) }),
        updatePolicy: autoscaling.UpdatePolicy.rollingUpdate({ maxBatchSize: 1, minInstancesInService: tier.min, waitOnResourceSignals: true, pauseTime: cdk.Duration.minutes(15) }),
        notifications: [{ topic }],
      });
      if (tier.name !== 'worker') group.connections.allowTo(dbClients, ec2.Port.tcp(5432));
      const listener = lb.addListener('Listener', { port: 80, open: tier.public });
      const targetGroup = listener.addTargets('Targets', { port: 8080, protocol: elbv2.ApplicationProtocol.HTTP, targets: [group], healthCheck: { path: '/healthz' } });
      if (tier.requestsPerTarget) group.scaleOnRequestCount('Scaling', { targetRequestsPerMinute: tier.requestsPerTarget });
      else group.scaleOnCpuUtilization('Scaling', { targetUtilizationPercent: 60 });
      for (const from of tier.from) callers.get(from)?.connections.allowTo(lb, ec2.Port.tcp(80));
      callers.set(tier.name, group);
      const alarms = [
        ['LoadBalancer5xx', lb.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT), 10], ['Target5xx', lb.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT), 10],
        ['UnhealthyHosts', targetGroup.metrics.unhealthyHostCount(), 1], ['ResponseTime', lb.metrics.targetResponseTime(), 2],
        ['Cpu', new cloudwatch.Metric({ namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensionsMap: { AutoScalingGroupName: group.autoScalingGroupName } }), 85],
      ];
      for (const [name, metric, threshold] of alarms) new cloudwatch.Alarm(stack, `${name}Alarm`, { metric, threshold, evaluationPeriods: 3 }).addAlarmAction(new actions.SnsAction(topic));
      if (tier.public && r < 2) origins_.push(lb);
    }
  });

  const global = { account: e.account, region: 'us-east-1' };
  const budget = new cdk.Stack(app, `scale-${e.name}-budget`, { env: global });
  new budgets.CfnBudget(budget, 'Budget', {
    budget: { budgetType: 'COST', timeUnit: 'MONTHLY', budgetLimit: { amount: 5000, unit: 'USD' } },
    notificationsWithSubscribers: [80, 100].map((threshold) => ({
      notification: { notificationType: 'ACTUAL', comparisonOperator: 'GREATER_THAN', threshold },
      subscribers: [{ subscriptionType: 'EMAIL', address: 'oncall@scale.example' }],
    })),
  });

  const edge = new cdk.Stack(app, `scale-${e.name}-edge`, { env: global, crossRegionReferences: false });
  const zone = route53.HostedZone.fromHostedZoneAttributes(edge, 'Zone', { hostedZoneId: 'Z0000000000000000000', zoneName: 'scale.example' });
  const certificate = new acm.Certificate(edge, 'Certificate', { domainName: 'app.scale.example', validation: acm.CertificateValidation.fromDns(zone) });
  const acl = new wafv2.CfnWebACL(edge, 'WebAcl', {
    scope: 'CLOUDFRONT', defaultAction: { allow: {} }, visibilityConfig: { sampledRequestsEnabled: true, cloudWatchMetricsEnabled: true, metricName: `scale-${e.name}` },
    rules: ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesSQLiRuleSet', 'AWSManagedRulesAmazonIpReputationList'].map((name, i) => ({
      name, priority: i + 1, overrideAction: { none: {} }, statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: { sampledRequestsEnabled: true, cloudWatchMetricsEnabled: true, metricName: name },
    })),
  });
  const site = new s3.Bucket(edge, 'Site', { encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
  // The origins are the web tier's regional load balancers, by name (they live in other regions).
  const api = new origins.OriginGroup({
    primaryOrigin: new origins.HttpOrigin(`web.${e.regions[0]}.app.scale.example`),
    fallbackOrigin: new origins.HttpOrigin(`web.${e.regions[1] ?? e.regions[0]}.app.scale.example`),
  });
  const distribution = new cloudfront.Distribution(edge, 'Distribution', {
    defaultBehavior: { origin: origins.S3BucketOrigin.withOriginAccessControl(site), viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS },
    additionalBehaviors: { '/api/*': { origin: api, allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL, cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED } },
    domainNames: ['app.scale.example'], certificate, webAclId: acl.attrArn, defaultRootObject: 'index.html',
    minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
  });
  new route53.ARecord(edge, 'Alias', { zone, recordName: 'app.scale.example', target: route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(distribution)) });
}

const assembly = app.synth();
let resources = 0;
for (const stack of assembly.stacks) resources += Object.keys(stack.template.Resources ?? {}).length;
process.stdout.write(`${JSON.stringify({ stacks: assembly.stacks.length, resources })}\n`);

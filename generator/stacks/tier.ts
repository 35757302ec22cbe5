import { CfnCondition, CfnMapping, CfnOutput, CfnParameter, Fn, type CfnResource, type Stack } from 'aws-cdk-lib';
import { CfnCertificate } from 'aws-cdk-lib/aws-certificatemanager';
import { CfnListener, CfnListenerCertificate, CfnListenerRule } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { CfnHealthCheck, CfnRecordSet } from 'aws-cdk-lib/aws-route53';
import { ELB_LOG_DELIVERY_SERVICE, elbLogDeliveryAccount, elbLogDeliveryPrincipal } from '../aws/elb-log-delivery';
import { REGION_AVAILABILITY_ZONES } from '../aws/regions';
import type { EnvironmentModel, RegionModel, TierModel } from '../model/types';
import { durationSeconds } from '../validate/rules/deploy-timeout';
import { importValue, includeBlueprint, lookedUpParameter, newTemplateStack, propertyPath, templateOf } from './cdk';
import { hasOriginCertificate, tierLookups } from './kinds';
import { configureAlarms, TIER_ALARMS } from './alarms';
import { databaseClientStatements } from './database-access';
import { LITERAL_VALUES, type InstanceValues } from './instance-values';
import { CURRENT_VERSION_PARAMETER, ORIGIN_HEADER, originSecretOf, PREVIOUS_VERSION_PARAMETER, secretReferenceParts } from './origin-secret';
import { apiOriginDomainName } from './names';
import { acknowledge, applyTags } from './tags';
import { DEFAULT_WAF, protectLoadBalancer } from './waf';
import { deletionProtection } from './deletion-protection';

/** The processes AWS advises suspending during a rolling update (never Launch, Terminate or AddToLoadBalancer). */
export const SUSPENDED_DURING_ROLLING_UPDATE = ['HealthCheck', 'ReplaceUnhealthy', 'AZRebalance', 'AlarmNotification', 'ScheduledActions'];

const TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/** The DNS name CloudFront and callers use for a public tier's regional load balancer. */
export function originDomainName(tier: string, region: string, domain: string): string {
  return `${tier}.${region}.${domain}`;
}

/** The same name in a template for any region: its region part is the deploying region. */
function portableOriginDomainName(tier: string, domain: string): string {
  return Fn.sub(originDomainName(tier, '${AWS::Region}', domain));
}

/**
 * The stack of one tier in one environment and region, from blueprints/tier.yaml: load balancer,
 * target group, security groups, instance role, launch template with the AMI from SSM, the Auto
 * Scaling group with its creation and update policies, and target-tracking scaling.
 */
export function buildTierTemplate(environment: EnvironmentModel, region: RegionModel, tier: TierModel, values: InstanceValues = LITERAL_VALUES): Record<string, unknown> {
  const stack = newTemplateStack();
  const blueprint = includeBlueprint(stack, 'tier');
  const names = region.stackNames;
  const imported = (output: string) => importValue('network', { environment, region }, output);
  const resource = (id: string) => blueprint.getResource(id);
  const override = (id: string, property: string, value: unknown) => resource(id).addPropertyOverride(property, value);
  // List items by what they are (a statement's Sid, an attribute's Key), never by position.
  const keyed = (id: string, property: string) => propertyPath(blueprint, id, property);
  const timeoutSeconds = durationSeconds(tier.deploy.timeout) ?? 900;

  (blueprint.getParameter('ImageId') as CfnParameter).default = tier.imageParameter;
  for (const id of ['LoadBalancerSecurityGroup', 'InstanceSecurityGroup', 'CallerSecurityGroup', 'TargetGroup']) override(id, 'VpcId', imported('VpcId'));

  // Access logs: the region's log delivery principal may write under AWSLogs/<account>/.
  override('AccessLogsBucketPolicy', keyed('AccessLogsBucketPolicy', 'PolicyDocument.Statement[Sid=LoadBalancerLogDelivery].Principal'),
    values.portable ? portableLogDeliveryPrincipal(stack) : elbLogDeliveryPrincipal(region.region));

  // Instances: open to their load balancer on the application port only.
  override('InstancesFromLoadBalancer', 'FromPort', tier.port);
  override('InstancesFromLoadBalancer', 'ToPort', tier.port);
  const toInstances = 'SecurityGroupEgress[Description=The instances, on the application port]';
  override('LoadBalancerSecurityGroup', keyed('LoadBalancerSecurityGroup', `${toInstances}.FromPort`), tier.port);
  override('LoadBalancerSecurityGroup', keyed('LoadBalancerSecurityGroup', `${toInstances}.ToPort`), tier.port);

  const securityGroups: unknown[] = [resource('InstanceSecurityGroup').getAtt('GroupId')];
  if (region.database?.clients.includes(tier.name)) securityGroups.push(importValue('database', { environment, region }, 'ClientSecurityGroupId'));
  // A database client reads the master secret and connects with IAM database authentication; other tiers cannot.
  const databaseAccess = databaseClientStatements(environment, region, tier,
    () => values.string(stack, 'PrimaryRegion', environment.primaryRegion, { description: 'The primary region, where the database\'s master secret lives' }));
  if (databaseAccess.length > 0) {
    override('InstanceRole', 'Policies', [{ PolicyName: 'database-client', PolicyDocument: { Version: '2012-10-17', Statement: databaseAccess } }]);
    if (!region.primary) {
      acknowledge(resource('InstanceRole'), [{
        id: 'AwsSolutions-IAM5',
        reason: `The master secret lives in the primary region, whose ARN ends in six characters Secrets Manager picks, and whose key is known there only: the role reads that one secret by name, and decrypts only it (kms:EncryptionContext:SecretARN) through Secrets Manager.`,
      }]);
    }
  }
  for (const callee of region.tiers.filter((t) => t.from.includes(tier.name))) {
    securityGroups.push(importValue('tier', { environment, region, tier: callee }, 'CallerSecurityGroupId'));
  }
  override('LaunchTemplate', 'LaunchTemplateData.InstanceType', tier.instanceType);
  override('LaunchTemplate', 'LaunchTemplateData.SecurityGroupIds', securityGroups);
  override('LaunchTemplate', keyed('LaunchTemplate', 'LaunchTemplateData.BlockDeviceMappings[DeviceName=/dev/xvda].DeviceName'), tier.os === 'windows' ? '/dev/sda1' : '/dev/xvda');
  override('LaunchTemplate', keyed('LaunchTemplate', 'LaunchTemplateData.BlockDeviceMappings[DeviceName=/dev/xvda].Ebs.VolumeSize'), tier.os === 'windows' ? 50 : 30);
  override('LaunchTemplate', 'LaunchTemplateData.UserData', Fn.base64(Fn.sub(userData(tier, timeoutSeconds))));

  override('TargetGroup', 'Port', tier.port);
  override('TargetGroup', 'HealthCheckPath', tier.healthCheck);

  // The load balancer: public in the public subnets, or internal in the private ones.
  override('LoadBalancer', 'Scheme', tier.loadBalancer.public ? 'internet-facing' : 'internal');
  override('LoadBalancer', 'Subnets', Fn.split(',', imported(tier.loadBalancer.public ? 'PublicSubnetIds' : 'PrivateSubnetIds')));
  // Protected where deploys need approval, from the first successful deploy on (deletion-protection.ts).
  override('LoadBalancer', keyed('LoadBalancer', 'LoadBalancerAttributes[Key=deletion_protection.enabled].Value'), environment.approval ? deletionProtection(stack, tierLookups(environment, tier)).text : 'false');
  const listenerPort = buildListeners(stack, blueprint, environment, region, tier, values);
  const ingress = [];
  if (environment.edge?.originTier === tier.name) {
    // CloudFront's origin: reachable from CloudFront only, through its origin-facing prefix list.
    const prefixList = lookedUpParameter(stack, tierLookups(environment, tier), 'CloudFrontPrefixListId');
    ingress.push({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, SourcePrefixListId: prefixList.valueAsString, Description: 'HTTPS from CloudFront only' });
  } else if (tier.loadBalancer.public) {
    // Reached from the internet with no CloudFront (and its web ACL) in front: a web ACL of its own.
    protectLoadBalancer(stack, resource('LoadBalancer').ref, `${names.tiers[tier.name] ?? tier.name}`, environment.edge?.waf ?? DEFAULT_WAF);
    ingress.push({ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, CidrIp: '0.0.0.0/0', Description: listenerPort === 443 ? 'HTTP from the internet, redirected to HTTPS' : 'HTTP from the internet' });
    if (listenerPort === 443) ingress.push({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0', Description: 'HTTPS from the internet' });
    acknowledge(resource('LoadBalancerSecurityGroup'), [{
      id: 'AwsSolutions-EC23',
      reason: 'An internet-facing load balancer: only ports 80 (redirected to HTTPS when a certificate exists) and 443 are open to the internet; the instances behind it are not.',
    }]);
  }
  if (tier.from.length > 0) {
    ingress.push({ IpProtocol: 'tcp', FromPort: listenerPort, ToPort: listenerPort, SourceSecurityGroupId: resource('CallerSecurityGroup').getAtt('GroupId'), Description: `The tiers allowed to call this one: ${tier.from.join(', ')}` });
  }
  override('LoadBalancerSecurityGroup', 'SecurityGroupIngress', ingress);

  // The group: private subnets, ELB health checks, signals on creation and on every deploy.
  const group = resource('AutoScalingGroup');
  override('AutoScalingGroup', 'VPCZoneIdentifier', Fn.split(',', imported('PrivateSubnetIds')));
  override('AutoScalingGroup', 'MinSize', String(tier.capacity.min));
  override('AutoScalingGroup', 'MaxSize', String(tier.capacity.max));
  // Without DesiredCapacity, an update keeps what scaling decided; it is set only when the spec asks.
  if (tier.capacity.desired !== tier.capacity.min) override('AutoScalingGroup', 'DesiredCapacity', String(tier.capacity.desired));
  override('AutoScalingGroup', 'HealthCheckGracePeriod', Math.min(timeoutSeconds, 7200));
  // No NotificationConfigurations: the notification stack's EventBridge rule already reports every
  // launch and termination (both would deliver each event twice), and Auto Scaling would publish
  // through its service-linked role, which the topic's key policy cannot name on a fresh account.
  acknowledge(group, [{
    id: 'AwsSolutions-AS3',
    reason: "The notification stack's EventBridge rule delivers every launch and termination of this environment's groups, successful or not, to the notification topic; the group's own notifications would deliver each event twice and need Auto Scaling's service-linked role in the topic key's policy, which a fresh account does not have yet.",
  }]);
  group.cfnOptions.creationPolicy = {
    resourceSignal: { count: tier.capacity.desired, timeout: tier.deploy.timeout },
    autoScalingCreationPolicy: { minSuccessfulInstancesPercent: 100 },
  };
  group.cfnOptions.updatePolicy = tier.deploy.strategy === 'replacing'
    ? { autoScalingReplacingUpdate: { willReplace: true } }
    : {
      autoScalingRollingUpdate: {
        maxBatchSize: tier.deploy.batchSize,
        minInstancesInService: tier.deploy.minInService,
        pauseTime: tier.deploy.timeout,
        waitOnResourceSignals: true,
        suspendProcesses: SUSPENDED_DURING_ROLLING_UPDATE,
      },
      autoScalingScheduledAction: { ignoreUnmodifiedGroupSizeProperties: true },
    };

  // Target tracking on CPU, or on requests per target (which needs the listener in place).
  if (tier.scaling.metric === 'cpuPercent') {
    override('ScalingPolicy', 'TargetTrackingConfiguration.TargetValue', tier.scaling.target);
  } else {
    override('ScalingPolicy', 'TargetTrackingConfiguration', {
      PredefinedMetricSpecification: {
        PredefinedMetricType: 'ALBRequestCountPerTarget',
        ResourceLabel: Fn.join('/', [resource('LoadBalancer').getAtt('LoadBalancerFullName').toString(), resource('TargetGroup').getAtt('TargetGroupFullName').toString()]),
      },
      TargetValue: tier.scaling.target,
    });
    resource('ScalingPolicy').addResourceDependency(stack.node.findChild('ForwardListener') as CfnResource);
  }

  const alarms = region.alarms;
  configureAlarms(blueprint, TIER_ALARMS, importValue('notifications', { environment, region }, 'TopicArn'), alarms.enabled ? {
    LoadBalancer5xxAlarm: alarms.loadBalancer5xxPerFiveMinutes,
    Target5xxAlarm: alarms.target5xxPerFiveMinutes,
    ResponseTimeAlarm: alarms.responseTimeSeconds,
    CpuAlarm: alarms.tierCpuPercent,
  } : undefined);

  applyTags(stack, { ...environment.tags, Tier: tier.name });
  return templateOf(stack);
}

/**
 * HTTPS with the given certificate or one issued for the edge domain (HTTP redirected to it), or
 * plain HTTP where the spec gives no certificate and no edge. Returns the port callers use.
 */
function buildListeners(stack: Stack, blueprint: ReturnType<typeof includeBlueprint>, environment: EnvironmentModel, region: RegionModel, tier: TierModel, values: InstanceValues): number {
  const loadBalancerArn = blueprint.getResource('LoadBalancer').ref;
  const forward = [{ type: 'forward', targetGroupArn: blueprint.getResource('TargetGroup').ref }];
  const given = tier.loadBalancer.certificateArn;
  let certificateArn = given && values.string(stack, 'CertificateArn', given, {
    description: "The ACM certificate of the load balancer's HTTPS listener, issued in this region",
    allowedPattern: '^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[A-Za-z0-9-]+$',
  });
  const isOrigin = environment.edge?.originTier === tier.name;
  const secretName = isOrigin ? originSecretOf(environment) : undefined;
  let additionalCertificate: string | undefined;
  if (hasOriginCertificate(environment, tier) && environment.edge) {
    const zoneId = lookedUpParameter(stack, tierLookups(environment, tier), 'HostedZoneId');
    const name = values.portable ? portableOriginDomainName(tier.name, environment.edge.domain) : originDomainName(tier.name, region.region, environment.edge.domain);
    const apiOrigin = apiOriginDomainName(environment.edge.domain);
    const certificate = new CfnCertificate(stack, 'OriginCertificate', {
      domainName: name,
      // CloudFront connects to api-origin.<domain> (Route 53 picks the region), and checks the name.
      subjectAlternativeNames: isOrigin ? [apiOrigin] : undefined,
      validationMethod: 'DNS',
      domainValidationOptions: [
        { domainName: name, hostedZoneId: zoneId.valueAsString },
        ...(isOrigin ? [{ domainName: apiOrigin, hostedZoneId: zoneId.valueAsString }] : []),
      ],
    });
    certificate.overrideLogicalId('OriginCertificate');
    // A given certificate stays the listener's default; CloudFront's origin name is served by SNI.
    if (certificateArn) additionalCertificate = certificate.ref;
    else certificateArn = certificate.ref;
    new CfnRecordSet(stack, 'OriginRecord', {
      hostedZoneId: zoneId.valueAsString,
      name,
      type: 'A',
      aliasTarget: {
        dnsName: blueprint.getResource('LoadBalancer').getAtt('DNSName').toString(),
        hostedZoneId: blueprint.getResource('LoadBalancer').getAtt('CanonicalHostedZoneID').toString(),
        evaluateTargetHealth: true,
      },
    }).overrideLogicalId('OriginRecord');
    if (isOrigin) buildApiOriginRecord(stack, blueprint, environment, region, zoneId.valueAsString, values);
    new CfnOutput(stack, 'OriginDomainName', {
      description: 'The name CloudFront uses to reach this load balancer over HTTPS',
      value: name,
      exportName: Fn.sub('${AWS::StackName}-OriginDomainName'),
    }).overrideLogicalId('OriginDomainName');
  }
  if (!certificateArn) {
    new CfnListener(stack, 'ForwardListener', { loadBalancerArn, port: 80, protocol: 'HTTP', defaultActions: forward }).overrideLogicalId('ForwardListener');
    return 80;
  }
  // CloudFront's origin answers only requests that carry the secret origin header: the listener's
  // default is a fixed 403, and rules forward what carries the header (originHeaderRules).
  const listener = new CfnListener(stack, 'ForwardListener', {
    loadBalancerArn, port: 443, protocol: 'HTTPS', sslPolicy: TLS_POLICY, certificates: [{ certificateArn }],
    defaultActions: secretName ? [DENY_WITHOUT_ORIGIN_HEADER] : forward,
  });
  listener.overrideLogicalId('ForwardListener');
  if (secretName) originHeaderRules(stack, listener, blueprint.getResource('TargetGroup').ref, secretName);
  if (additionalCertificate) {
    new CfnListenerCertificate(stack, 'OriginListenerCertificate', {
      listenerArn: (stack.node.findChild('ForwardListener') as CfnListener).ref,
      certificates: [{ certificateArn: additionalCertificate }],
    }).overrideLogicalId('OriginListenerCertificate');
  }
  new CfnListener(stack, 'RedirectListener', {
    loadBalancerArn, port: 80, protocol: 'HTTP',
    defaultActions: [{ type: 'redirect', redirectConfig: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
  }).overrideLogicalId('RedirectListener');
  return 443;
}

/**
 * What CloudFront's origin answers a request without the secret origin header: someone else's
 * CloudFront distribution passes the origin-facing prefix list, but not this check.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-elasticloadbalancingv2-listener-fixedresponseconfig.html
 */
export const DENY_WITHOUT_ORIGIN_HEADER = {
  type: 'fixed-response',
  fixedResponseConfig: { statusCode: '403', contentType: 'text/plain', messageBody: 'Forbidden' },
};

/**
 * The listener rules that forward CloudFront's requests: one for the secret's current version (the
 * one CloudFront sends), one for its previous version, so a rotation never refuses a request. Two
 * rules rather than one rule with two values: until the first rotation both versions are the same,
 * and each rule then names one value. The version ids are parameters the deploy looks up; a new id
 * makes CloudFormation resolve the reference again.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-elasticloadbalancingv2-listenerrule-httpheaderconfig.html
 *   (an http-header condition; values compared case-insensitively, at most 128 characters)
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/restrict-access-to-load-balancer.html
 */
function originHeaderRules(stack: Stack, listener: CfnListener, targetGroupArn: string, secretName: string): void {
  const [before, after] = secretReferenceParts(secretName);
  const versions = [
    [CURRENT_VERSION_PARAMETER, 'OriginHeaderRule', 1, "The secret origin header's current version (AWSCURRENT), which CloudFront sends"],
    [PREVIOUS_VERSION_PARAMETER, 'OriginHeaderPreviousRule', 2, "The secret origin header's previous version (AWSPREVIOUS, or AWSCURRENT before the first rotation), accepted until a rotation finishes"],
  ] as const;
  for (const [parameterName, ruleId, priority, description] of versions) {
    const parameter = new CfnParameter(stack, parameterName, {
      type: 'String',
      allowedPattern: '^[A-Za-z0-9-]{32,64}$',
      description: `${description}; the deploy workflow looks its version id up`,
    });
    parameter.overrideLogicalId(parameterName);
    new CfnListenerRule(stack, ruleId, {
      listenerArn: listener.ref,
      priority,
      conditions: [{ field: 'http-header', httpHeaderConfig: { httpHeaderName: ORIGIN_HEADER, values: [Fn.join('', [before, parameter.valueAsString, after])] } }],
      actions: [{ type: 'forward', targetGroupArn }],
    }).overrideLogicalId(ruleId);
  }
}

/**
 * \`api-origin.<domain>\` for this region's load balancer. With one region, a plain alias. With
 * more, a failover record: PRIMARY in the primary region, SECONDARY in the first standby (Route 53
 * has one of each per name), each with a health check on this load balancer. The check follows a
 * CloudWatch alarm on the target group's healthy hosts, so no health checker needs a way through
 * the load balancer's security group (open to CloudFront only), and a region whose metrics stop
 * arriving counts as unhealthy. EvaluateTargetHealth adds the load balancer's own health.
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-types.html
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html#health-checks-creating-values-cloudwatch
 */
function buildApiOriginRecord(stack: Stack, blueprint: ReturnType<typeof includeBlueprint>, environment: EnvironmentModel, region: RegionModel, hostedZoneId: string, values: InstanceValues): void {
  const edge = environment.edge!;
  const loadBalancer = blueprint.getResource('LoadBalancer');
  const aliasTarget = {
    dnsName: loadBalancer.getAtt('DNSName').toString(),
    hostedZoneId: loadBalancer.getAtt('CanonicalHostedZoneID').toString(),
    evaluateTargetHealth: true,
  };
  const failoverRegions = [environment.primaryRegion, ...environment.regions.filter((r) => !r.primary).map((r) => r.region)].slice(0, 2);
  const role = failoverRegions.indexOf(region.region);
  if (environment.regions.length === 1 || role < 0) {
    if (environment.regions.length === 1) {
      new CfnRecordSet(stack, 'ApiOriginRecord', { hostedZoneId, name: apiOriginDomainName(edge.domain), type: 'A', aliasTarget }).overrideLogicalId('ApiOriginRecord');
    }
    return;
  }
  const alarm = new CfnAlarm(stack, 'OriginHealthAlarm', {
    alarmDescription: Fn.sub(`No healthy instance behind the load balancer of \${AWS::StackName}: Route 53 sends ${apiOriginDomainName(edge.domain)} to the other region`),
    namespace: 'AWS/ApplicationELB',
    metricName: 'HealthyHostCount',
    dimensions: [
      { name: 'LoadBalancer', value: loadBalancer.getAtt('LoadBalancerFullName').toString() },
      { name: 'TargetGroup', value: blueprint.getResource('TargetGroup').getAtt('TargetGroupFullName').toString() },
    ],
    statistic: 'Minimum',
    period: 60,
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    threshold: 1,
    comparisonOperator: 'LessThanThreshold',
    // No data from the region is an outage, not a reason to keep sending traffic there.
    treatMissingData: 'breaching',
  });
  alarm.overrideLogicalId('OriginHealthAlarm');
  const healthCheck = new CfnHealthCheck(stack, 'OriginHealthCheck', {
    healthCheckConfig: {
      type: 'CLOUDWATCH_METRIC',
      alarmIdentifier: { name: alarm.ref, region: values.portable ? Fn.ref('AWS::Region') : region.region },
      insufficientDataHealthStatus: 'Unhealthy',
    },
    healthCheckTags: [{ key: 'Name', value: Fn.sub('${AWS::StackName}-origin') }],
  });
  healthCheck.overrideLogicalId('OriginHealthCheck');
  const failover = values.string(stack, 'OriginFailover', role === 0 ? 'PRIMARY' : 'SECONDARY', {
    description: 'PRIMARY in the primary region, SECONDARY in the standby that takes over',
    allowedPattern: '^(PRIMARY|SECONDARY)$',
  });
  new CfnRecordSet(stack, 'ApiOriginRecord', {
    hostedZoneId,
    name: apiOriginDomainName(edge.domain),
    type: 'A',
    setIdentifier: values.portable ? Fn.ref('AWS::Region') : region.region,
    failover,
    healthCheckId: healthCheck.attrHealthCheckId,
    aliasTarget,
  }).overrideLogicalId('ApiOriginRecord');
}

/**
 * The log delivery principal of whichever region the template is deployed in: the region's Elastic
 * Load Balancing account from a mapping where it has one, the service principal elsewhere.
 */
function portableLogDeliveryPrincipal(stack: Stack): unknown {
  const mapping = new CfnMapping(stack, 'ElbLogDelivery', {
    mapping: Object.fromEntries(Object.keys(REGION_AVAILABILITY_ZONES).sort().map((r) => [r, { Account: elbLogDeliveryAccount(r) ?? 'none' }])),
  });
  mapping.overrideLogicalId('ElbLogDelivery');
  const account = mapping.findInMap(Fn.ref('AWS::Region'), 'Account');
  const legacy = new CfnCondition(stack, 'RegionHasElbAccount', { expression: Fn.conditionNot(Fn.conditionEquals(account, 'none')) });
  legacy.overrideLogicalId('RegionHasElbAccount');
  return Fn.conditionIf(legacy.logicalId, { AWS: Fn.sub('arn:${AWS::Partition}:iam::${Account}:root', { Account: account }) }, { Service: ELB_LOG_DELIVERY_SERVICE });
}

/**
 * Time an instance spends before its user data runs, which counts against its signal window:
 * Windows boots and runs EC2Launch first (several minutes on a fresh instance); Linux is up in
 * well under a minute. Plus a minute for the signal itself and the last attempt's own duration.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-windows-stacks-bootstrapping.html
 */
export const SIGNAL_MARGIN_SECONDS = { linux: 60, windows: 300 } as const;

/**
 * User data that waits for the application's health check on the instance itself, then signals
 * CloudFormation: success lets a rolling update go on, failure (or silence) rolls the stack back.
 * It polls until a deadline (not a count of attempts, whose requests and sleeps add up to more)
 * that leaves the OS's start-up and the signal inside deploy.timeout.
 */
export function userData(tier: TierModel, timeoutSeconds: number): string {
  const budget = Math.max(30, timeoutSeconds - SIGNAL_MARGIN_SECONDS[tier.os]);
  const url = `http://127.0.0.1:${tier.port}${tier.healthCheck}`;
  if (tier.os === 'windows') {
    return [
      '<powershell>',
      '# gantry: wait for the health check, then tell CloudFormation whether this instance is healthy.',
      `# Polls for at most ${budget} s: deploy.timeout less the time Windows takes to reach this script.`,
      '$status = 1',
      `$deadline = (Get-Date).AddSeconds(${budget})`,
      'while ((Get-Date) -lt $deadline) {',
      '  try {',
      `    $response = Invoke-WebRequest -UseBasicParsing -TimeoutSec 5 -Uri '${url}'`,
      '    if ($response.StatusCode -ge 200 -and $response.StatusCode -lt 400) { $status = 0; break }',
      '  } catch { }',
      '  Start-Sleep -Seconds 10',
      '}',
      "& 'C:\\Program Files\\Amazon\\cfn-bootstrap\\cfn-signal.exe' --exit-code $status --stack '${AWS::StackName}' --resource AutoScalingGroup --region '${AWS::Region}'",
      '</powershell>',
      '',
    ].join('\n');
  }
  return [
    '#!/bin/bash',
    '# gantry: wait for the health check, then tell CloudFormation whether this instance is healthy.',
    `# Polls for at most ${budget} s, so the signal arrives inside deploy.timeout.`,
    'set -u',
    'status=1',
    `deadline=$((SECONDS + ${budget}))`,
    'while [ "$SECONDS" -lt "$deadline" ]; do',
    `  if curl --silent --fail --max-time 5 --output /dev/null '${url}'; then status=0; break; fi`,
    '  sleep 10',
    'done',
    '# Amazon Linux 2023 AMIs ship cfn-signal in aws-cfn-bootstrap; install it when the AMI lacks it.',
    '[ -x /opt/aws/bin/cfn-signal ] || dnf install -y aws-cfn-bootstrap',
    '/opt/aws/bin/cfn-signal --exit-code "$status" --stack \'${AWS::StackName}\' --resource AutoScalingGroup --region \'${AWS::Region}\'',
    '',
  ].join('\n');
}

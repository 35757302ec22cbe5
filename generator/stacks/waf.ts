import { Fn, type Stack } from 'aws-cdk-lib';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import { CfnLoggingConfiguration, CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { DEFAULTS } from '../model/defaults';
import type { ManagedRule } from '../model/types';

/** AWS managed rule groups by spec name. @see https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-list.html */
export const MANAGED_RULE_GROUPS: Readonly<Record<ManagedRule, string>> = {
  common: 'AWSManagedRulesCommonRuleSet',
  knownBadInputs: 'AWSManagedRulesKnownBadInputsRuleSet',
  sqlInjection: 'AWSManagedRulesSQLiRuleSet',
  ipReputation: 'AWSManagedRulesAmazonIpReputationList',
  anonymousIpList: 'AWSManagedRulesAnonymousIpList',
  linux: 'AWSManagedRulesLinuxRuleSet',
  windows: 'AWSManagedRulesWindowsRuleSet',
  php: 'AWSManagedRulesPHPRuleSet',
  wordpress: 'AWSManagedRulesWordPressRuleSet',
  adminProtection: 'AWSManagedRulesAdminProtectionRuleSet',
};

export interface WafSettings {
  readonly managedRules: readonly ManagedRule[];
  readonly ratePerFiveMinutes: number;
}

/** The spec's defaults, for a load balancer of an environment without an edge. */
export const DEFAULT_WAF: WafSettings = { managedRules: DEFAULTS.edge.managedRules, ratePerFiveMinutes: DEFAULTS.edge.ratePerFiveMinutes };

const visibility = (name: string) => ({ SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: name });

/** The rate rule first, then the managed rule groups in the spec's order. */
export function webAclRules(waf: WafSettings): unknown[] {
  return [
    {
      Name: 'rate-limit-per-ip', Priority: 0, Action: { Block: {} },
      Statement: { RateBasedStatement: { Limit: waf.ratePerFiveMinutes, AggregateKeyType: 'IP' } },
      VisibilityConfig: visibility('rate-limit-per-ip'),
    },
    ...waf.managedRules.map((rule, i) => ({
      Name: MANAGED_RULE_GROUPS[rule], Priority: i + 1, OverrideAction: { None: {} },
      Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: MANAGED_RULE_GROUPS[rule] } },
      VisibilityConfig: visibility(MANAGED_RULE_GROUPS[rule]),
    })),
  ];
}

/**
 * Logs every request a web ACL sees to CloudWatch Logs. WAF requires the log group's name to start
 * with `aws-waf-logs-` and its ARN without the `:*` that Fn::GetAtt adds; WAF itself adds the log
 * group's resource policy for log delivery.
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/logging-cw-logs.html
 */
export function addWafLogging(stack: Stack, webAclArn: string, retentionDays = 365): void {
  const group = new CfnLogGroup(stack, 'WebAclLogs', {
    logGroupName: Fn.sub('aws-waf-logs-${AWS::StackName}'),
    retentionInDays: retentionDays,
  });
  group.overrideLogicalId('WebAclLogs');
  new CfnLoggingConfiguration(stack, 'WebAclLogging', {
    resourceArn: webAclArn,
    logDestinationConfigs: [Fn.sub('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${WebAclLogs}')],
    // Credentials never reach the logs.
    redactedFields: [{ singleHeader: { Name: 'authorization' } }, { singleHeader: { Name: 'cookie' } }],
  }).overrideLogicalId('WebAclLogging');
}

/**
 * A REGIONAL web ACL on a load balancer that the internet reaches directly (no CloudFront, whose
 * own web ACL would filter first), with logging.
 */
export function protectLoadBalancer(stack: Stack, loadBalancerArn: string, name: string, waf: WafSettings): void {
  const acl = new CfnWebACL(stack, 'LoadBalancerWebAcl', {
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: { sampledRequestsEnabled: true, cloudWatchMetricsEnabled: true, metricName: name },
  });
  acl.overrideLogicalId('LoadBalancerWebAcl');
  acl.addPropertyOverride('Rules', webAclRules(waf));
  new CfnWebACLAssociation(stack, 'LoadBalancerWebAclAssociation', { resourceArn: loadBalancerArn, webAclArn: acl.attrArn })
    .overrideLogicalId('LoadBalancerWebAclAssociation');
  addWafLogging(stack, acl.attrArn);
}

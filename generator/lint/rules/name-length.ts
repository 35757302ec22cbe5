import { isRecord, resourceRule, type LintTemplate } from '../template-rule';

/**
 * AWS's length limits on the names gantry sets, by resource type and property path. CloudFormation
 * shortens the names it makes up itself, never the ones a template gives.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html (role names: 64)
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html (load balancer names: 32)
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html (target group names: 32)
 */
export const NAME_LIMITS: readonly { type: string; path: readonly string[]; max: number }[] = [
  { type: 'AWS::IAM::Role', path: ['RoleName'], max: 64 },
  { type: 'AWS::IAM::InstanceProfile', path: ['InstanceProfileName'], max: 128 },
  { type: 'AWS::IAM::ManagedPolicy', path: ['ManagedPolicyName'], max: 128 },
  { type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', path: ['Name'], max: 32 },
  { type: 'AWS::ElasticLoadBalancingV2::TargetGroup', path: ['Name'], max: 32 },
  { type: 'AWS::Lambda::Function', path: ['FunctionName'], max: 64 },
  { type: 'AWS::CloudFront::Function', path: ['Name'], max: 64 },
  { type: 'AWS::CloudFront::OriginAccessControl', path: ['OriginAccessControlConfig', 'Name'], max: 64 },
  { type: 'AWS::CloudFront::ResponseHeadersPolicy', path: ['ResponseHeadersPolicyConfig', 'Name'], max: 128 },
  { type: 'AWS::Events::Rule', path: ['Name'], max: 64 },
  { type: 'AWS::SNS::Topic', path: ['TopicName'], max: 256 },
  { type: 'AWS::Chatbot::SlackChannelConfiguration', path: ['ConfigurationName'], max: 128 },
  { type: 'AWS::WAFv2::WebACL', path: ['Name'], max: 128 },
  { type: 'AWS::RDS::DBInstance', path: ['DBInstanceIdentifier'], max: 63 },
  { type: 'AWS::SecretsManager::Secret', path: ['Name'], max: 512 },
  { type: 'AWS::Logs::LogGroup', path: ['LogGroupName'], max: 512 },
  { type: 'AWS::Shield::Protection', path: ['Name'], max: 128 },
  { type: 'AWS::AutoScaling::AutoScalingGroup', path: ['AutoScalingGroupName'], max: 255 },
  { type: 'AWS::KMS::Alias', path: ['AliasName'], max: 256 },
];

/** Longest region name, for names built from a region the template does not know. */
const LONGEST_REGION = 'ap-southeast-7';

export const nameLengthRule = resourceRule({
  id: 'GNT405',
  description: 'Names a template gives stay within AWS\'s length limits (IAM role 64, load balancer and target group 32, ...)',
  source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html',
  types: NAME_LIMITS.map((limit) => limit.type),
  *check({ template, id, type, properties }) {
    for (const limit of NAME_LIMITS.filter((l) => l.type === type)) {
      let value: unknown = properties;
      for (const key of limit.path) value = isRecord(value) ? value[key] : undefined;
      const name = nameLength(value, template);
      if (!name || name.length <= limit.max) continue;
      yield {
        path: ['Properties', ...limit.path],
        message: `${id}'s ${limit.path.join('.')} is ${name.exact ? '' : 'at least '}${name.length} characters (${name.text}); ${limit.type} allows ${limit.max}`,
      };
    }
  },
});

/**
 * The length a name will have once deployed: literal text, the stack name where it is known,
 * the longest region for `${AWS::Region}`; other references count as nothing (a lower bound).
 */
export function nameLength(value: unknown, template: LintTemplate): { length: number; exact: boolean; text: string } | undefined {
  const pseudo = (name: string): string | undefined => {
    if (name === 'AWS::StackName') return template.stackName;
    if (name === 'AWS::Region') return LONGEST_REGION;
    if (name === 'AWS::AccountId') return '123456789012';
    if (name === 'AWS::Partition') return 'aws';
    if (name === 'AWS::URLSuffix') return 'amazonaws.com';
    return undefined;
  };
  if (typeof value === 'string') return { length: value.length, exact: true, text: value };
  if (!isRecord(value)) return undefined;
  if (typeof value.Ref === 'string') {
    const text = pseudo(value.Ref);
    return text === undefined ? undefined : { length: text.length, exact: true, text };
  }
  const sub = value['Fn::Sub'];
  const source = Array.isArray(sub) ? sub[0] : sub;
  if (typeof source === 'string') {
    let exact = true;
    const text = source.replace(/\$\{([^!}][^}]*)\}/g, (_, name: string) => {
      const known = pseudo(name);
      if (known === undefined) exact = false;
      return known ?? '';
    });
    return { length: text.length, exact, text };
  }
  return undefined;
}

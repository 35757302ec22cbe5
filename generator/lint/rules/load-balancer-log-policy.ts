import { dependenciesOf, isRecord, propertiesOf, referencedIds, resourcesOf, type RuleMatch, type TemplateRule } from '../template-rule';

/**
 * Elastic Load Balancing tests that it may write to the access log bucket when access logs are
 * turned on; without a dependency on the bucket policy, CloudFormation may create the load
 * balancer first and the create fails ("Access Denied for bucket: ... Please check S3bucket permission").
 */
export const loadBalancerLogPolicyRule: TemplateRule = {
  id: 'GNT403',
  description: 'A load balancer with access logs depends on its log bucket\'s policy',
  source: 'https://github.com/aws/aws-cdk/issues/1633',
  check(templates) {
    const matches: RuleMatch[] = [];
    for (const template of templates) {
      const policies = resourcesOf(template, 'AWS::S3::BucketPolicy');
      for (const [id, resource] of resourcesOf(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer')) {
        const attributes = propertiesOf(resource).LoadBalancerAttributes;
        if (!Array.isArray(attributes)) continue;
        const value = (key: string) => attributes.find((a) => isRecord(a) && a.Key === key) as Record<string, unknown> | undefined;
        if (String(value('access_logs.s3.enabled')?.Value) !== 'true') continue;
        const buckets = referencedIds(value('access_logs.s3.bucket')?.Value);
        const needed = policies.filter(([, policy]) => [...referencedIds(propertiesOf(policy).Bucket)].some((b) => buckets.has(b))).map(([policyId]) => policyId);
        const waitsFor = dependenciesOf(template, id);
        for (const policy of needed.filter((p) => !waitsFor.has(p))) {
          matches.push({
            file: template.file,
            path: ['Resources', id, 'DependsOn'],
            message: `${id} writes access logs to a bucket whose policy ${policy} it does not wait for; add DependsOn: ${policy}, or the first deploy may fail with "Access Denied for bucket"`,
          });
        }
      }
    }
    return matches;
  },
};

import { dependenciesOf, isRecord, referencedIds, resourceRule, resourcesOf } from '../template-rule';

/**
 * Elastic Load Balancing tests that it may write to the access log bucket when access logs are
 * turned on; without a dependency on the bucket policy, CloudFormation may create the load
 * balancer first and the create fails ("Access Denied for bucket: ... Please check S3bucket permission").
 */
export const loadBalancerLogPolicyRule = resourceRule({
  id: 'GNT403',
  description: 'A load balancer with access logs depends on its log bucket\'s policy',
  source: 'https://github.com/aws/aws-cdk/issues/1633',
  types: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
  *check({ template, id, properties }) {
    const attributes = properties.LoadBalancerAttributes;
    if (!Array.isArray(attributes)) return;
    const value = (key: string) => attributes.find((a) => isRecord(a) && a.Key === key) as Record<string, unknown> | undefined;
    if (String(value('access_logs.s3.enabled')?.Value) !== 'true') return;
    const buckets = referencedIds(value('access_logs.s3.bucket')?.Value);
    const needed = resourcesOf(template, 'AWS::S3::BucketPolicy').filter((policy) => [...referencedIds(policy.properties.Bucket)].some((b) => buckets.has(b))).map((policy) => policy.id);
    const waitsFor = dependenciesOf(template, id);
    for (const policy of needed.filter((p) => !waitsFor.has(p))) {
      yield {
        path: ['DependsOn'],
        message: `${id} writes access logs to a bucket whose policy ${policy} it does not wait for; add DependsOn: ${policy}, or the first deploy may fail with "Access Denied for bucket"`,
      };
    }
  },
});

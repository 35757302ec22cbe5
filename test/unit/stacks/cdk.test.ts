import { includeBlueprint, newTemplateStack, propertyPath, templateOf } from '../../../generator/stacks/cdk';

describe('propertyPath', () => {
  it('names a list item by one of its fields, and fails on a selector that matches none', () => {
    // GIVEN the tier blueprint WHEN items are named by Key and Sid THEN they become the positions the blueprint gives them
    const stack = newTemplateStack();
    const blueprint = includeBlueprint(stack, 'tier');
    expect(propertyPath(blueprint, 'LoadBalancer', 'LoadBalancerAttributes[Key=deletion_protection.enabled].Value')).toBe('LoadBalancerAttributes.3.Value');
    expect(propertyPath(blueprint, 'LoadBalancer', 'LoadBalancerAttributes[Key=access_logs.s3.enabled].Value')).toBe('LoadBalancerAttributes.0.Value');
    expect(propertyPath(blueprint, 'AccessLogsBucketPolicy', 'PolicyDocument.Statement[Sid=LoadBalancerLogDelivery].Principal')).toBe('PolicyDocument.Statement.1.Principal');
    expect(propertyPath(blueprint, 'LoadBalancer', 'Scheme')).toBe('Scheme');
    expect(() => propertyPath(blueprint, 'LoadBalancer', 'LoadBalancerAttributes[Key=idle_timeout.timeout_seconds].Value'))
      .toThrow(/tier blueprint's LoadBalancer.LoadBalancerAttributes has 0 items with Key idle_timeout.timeout_seconds, not one/);
    templateOf(stack);
  });
});

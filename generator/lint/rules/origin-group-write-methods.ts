import { isRecord, resourceRule } from '../template-rule';

const WRITE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * CloudFront fails over only GET, HEAD and OPTIONS, and rejects a cache behavior that targets an
 * origin group while allowing POST, PUT, PATCH or DELETE ("The parameter AllowedMethods cannot
 * include POST, PUT, PATCH, or DELETE for a cached behavior associated with an origin group").
 */
export const originGroupWriteMethodsRule = resourceRule({
  id: 'GNT401',
  description: 'A CloudFront cache behavior that targets an origin group allows only GET, HEAD and OPTIONS',
  source: 'https://github.com/aws/aws-cdk/issues/32450',
  types: 'AWS::CloudFront::Distribution',
  *check({ id, properties }) {
    const config = properties.DistributionConfig;
    if (!isRecord(config)) return;
    const groups = new Set<string>();
    const items = isRecord(config.OriginGroups) ? config.OriginGroups.Items : undefined;
    for (const group of Array.isArray(items) ? items : []) if (isRecord(group) && typeof group.Id === 'string') groups.add(group.Id);
    if (groups.size === 0) return;
    const behaviors: [(string | number)[], unknown][] = [[['DefaultCacheBehavior'], config.DefaultCacheBehavior]];
    if (Array.isArray(config.CacheBehaviors)) config.CacheBehaviors.forEach((b, i) => behaviors.push([['CacheBehaviors', i], b]));
    for (const [path, behavior] of behaviors) {
      if (!isRecord(behavior) || typeof behavior.TargetOriginId !== 'string' || !groups.has(behavior.TargetOriginId)) continue;
      const methods = Array.isArray(behavior.AllowedMethods) ? behavior.AllowedMethods : [];
      const writes = methods.filter((m): m is string => typeof m === 'string' && WRITE_METHODS.includes(m));
      if (writes.length === 0) continue;
      yield {
        path: ['Properties', 'DistributionConfig', ...path, 'AllowedMethods'],
        message: `${id} routes ${writes.join(', ')} to origin group ${behavior.TargetOriginId}; CloudFront rejects write methods on a behavior whose target is an origin group (use one origin, with DNS failover behind it)`,
      };
    }
  },
});

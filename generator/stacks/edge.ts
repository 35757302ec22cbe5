import { CfnDeletionPolicy, CfnParameter, Fn, type CfnResource } from 'aws-cdk-lib';
import { CfnDistribution, CfnFunction, CfnOriginAccessControl } from 'aws-cdk-lib/aws-cloudfront';
import { CfnBucket, CfnBucketPolicy } from 'aws-cdk-lib/aws-s3';
import { CfnProtection } from 'aws-cdk-lib/aws-shield';
import type { EnvironmentModel, PlatformModel } from '../model/types';
import { includeBlueprint, newTemplateStack, propertyPath, templateOf } from './cdk';
import { LITERAL_VALUES, type InstanceValues } from './instance-values';
import { CURRENT_VERSION_PARAMETER, ORIGIN_HEADER, originSecretOf, secretReferenceParts } from './origin-secret';
import { acknowledge, applyTags } from './tags';
import { apiOriginDomainName } from './names';
import { addWafLogging, webAclRules } from './waf';

export { MANAGED_RULE_GROUPS } from './waf';

/** CloudFront managed policies. @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html */
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';
const ALL_METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'];

/**
 * Serves a single-page app's routes with /index.html while files (a dot in the last segment) are
 * served as they are. Unlike custom error responses, it never turns the API's own 404s into HTML.
 */
export const SPA_FALLBACK_FUNCTION = [
  'function handler(event) {',
  '  var request = event.request;',
  "  var last = request.uri.split('/').pop();",
  "  if (last.indexOf('.') === -1) {",
  "    request.uri = '/index.html';",
  '  }',
  '  return request;',
  '}',
  '',
].join('\n');

/**
 * The edge stack of one environment, from blueprints/edge.yaml, deployed in us-east-1: certificate,
 * web ACL, CloudFront distribution with the site bucket and the API at \`api-origin.<domain>\` (which
 * Route 53 fails over between the regions' load balancers), Shield Advanced, DNS.
 */
export function buildEdgeTemplate(model: PlatformModel, environment: EnvironmentModel, _values: InstanceValues = LITERAL_VALUES): Record<string, unknown> | undefined {
  const edge = environment.edge;
  if (!edge) return undefined;
  const stack = newTemplateStack();
  const blueprint = includeBlueprint(stack, 'edge');
  const resource = (id: string) => blueprint.getResource(id);

  resource('Certificate').addPropertyOverride('DomainName', edge.domain);
  // List items by what they are (the placeholder domain's validation, each record's type), never by position.
  resource('Certificate').addPropertyOverride(propertyPath(blueprint, 'Certificate', 'DomainValidationOptions[DomainName=app.example.com].DomainName'), edge.domain);
  for (const type of ['A', 'AAAA']) resource('DnsRecords').addPropertyOverride(propertyPath(blueprint, 'DnsRecords', `RecordSets[Type=${type}].Name`), edge.domain);

  // Web ACL: the rate rule first, then the managed rule groups in the spec's order; every request logged.
  resource('WebAcl').addPropertyOverride('VisibilityConfig.MetricName', `${model.project}-${environment.name}`);
  resource('WebAcl').addPropertyOverride('Rules', webAclRules(edge.waf));
  addWafLogging(stack, resource('WebAcl').getAtt('Arn').toString());

  // The API's origin: one name per environment that Route 53 fails over between the regions' load
  // balancers (see the tier stacks). Not a CloudFront origin group: CloudFront rejects one on a
  // behaviour that allows POST, PUT, PATCH or DELETE, and would fail over reads only (aws/aws-cdk#32450).
  // @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/high_availability_origin_failover.html
  const originTier = edge.originTier;
  const origins: unknown[] = originTier ? [{
    Id: 'api',
    DomainName: apiOriginDomainName(edge.domain),
    CustomOriginConfig: { OriginProtocolPolicy: 'https-only', HTTPSPort: 443, OriginSSLProtocols: ['TLSv1.2'], OriginReadTimeout: 30 },
    OriginCustomHeaders: originHeader(stack, environment),
  }] : [];
  const apiTarget = 'api';
  const originGroups = undefined;
  const securityHeaders = resource('SecurityHeaders').ref;
  const apiBehavior = {
    TargetOriginId: apiTarget,
    ViewerProtocolPolicy: 'redirect-to-https',
    AllowedMethods: ALL_METHODS,
    CachedMethods: ['GET', 'HEAD'],
    Compress: true,
    CachePolicyId: CACHING_DISABLED,
    OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
    ResponseHeadersPolicyId: securityHeaders,
  };

  let defaultBehavior: Record<string, unknown> = apiBehavior;
  const cacheBehaviors: unknown[] = [];
  if (edge.site) {
    const site = buildSite(stack, model, environment, resource('Distribution'));
    origins.unshift(site.origin);
    defaultBehavior = {
      TargetOriginId: 'site',
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS'],
      CachedMethods: ['GET', 'HEAD'],
      Compress: true,
      CachePolicyId: CACHING_OPTIMIZED,
      ResponseHeadersPolicyId: securityHeaders,
      FunctionAssociations: site.spaFunction ? [{ EventType: 'viewer-request', FunctionARN: site.spaFunction }] : undefined,
    };
    if (originTier && edge.api) cacheBehaviors.push({ PathPattern: edge.api.path, ...apiBehavior });
  }
  const distribution = resource('Distribution') as CfnDistribution;
  distribution.addPropertyOverride('DistributionConfig.Aliases', [edge.domain]);
  distribution.addPropertyOverride('DistributionConfig.Comment', `${model.project} ${environment.name}: ${edge.domain}`);
  distribution.addPropertyOverride('DistributionConfig.Origins', origins);
  distribution.addPropertyOverride('DistributionConfig.OriginGroups', originGroups);
  distribution.addPropertyOverride('DistributionConfig.DefaultCacheBehavior', defaultBehavior);
  distribution.addPropertyOverride('DistributionConfig.CacheBehaviors', cacheBehaviors.length > 0 ? cacheBehaviors : undefined);
  distribution.addPropertyOverride('DistributionConfig.DefaultRootObject', edge.site ? 'index.html' : undefined);

  if (edge.shieldAdvanced) {
    new CfnProtection(stack, 'ShieldProtection', {
      name: Fn.sub('${AWS::StackName}-distribution'),
      resourceArn: Fn.sub(`arn:\${AWS::Partition}:cloudfront::\${AWS::AccountId}:distribution/\${${distribution.logicalId}}`),
    }).overrideLogicalId('ShieldProtection');
  }

  applyTags(stack, environment.tags);
  return templateOf(stack);
}

/**
 * The secret origin header CloudFront adds to every request to the API, which the origin tier's
 * listener requires (tier.ts): the current version of the secret the bootstrap replicates to
 * us-east-1, by a version id the deploy looks up, so a rotated secret reaches CloudFront on the
 * deploy after the regions' load balancers accept it (the workflows deploy the regions first).
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-cloudfront-distribution-origincustomheader.html
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/add-origin-custom-headers.html
 */
function originHeader(stack: ReturnType<typeof newTemplateStack>, environment: EnvironmentModel): unknown[] | undefined {
  const secretName = originSecretOf(environment);
  if (!secretName) return undefined;
  const version = new CfnParameter(stack, CURRENT_VERSION_PARAMETER, {
    type: 'String',
    allowedPattern: '^[A-Za-z0-9-]{32,64}$',
    description: "The secret origin header's current version (AWSCURRENT), which CloudFront sends; the deploy workflow looks its version id up",
  });
  version.overrideLogicalId(CURRENT_VERSION_PARAMETER);
  const [before, after] = secretReferenceParts(secretName);
  return [{ HeaderName: ORIGIN_HEADER, HeaderValue: Fn.join('', [before, version.valueAsString, after]) }];
}

/** The private site bucket, its origin access control and policy, and the SPA fallback function. */
function buildSite(stack: ReturnType<typeof newTemplateStack>, model: PlatformModel, environment: EnvironmentModel, distribution: CfnResource) {
  const bucket = new CfnBucket(stack, 'SiteBucket', {
    bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] },
    publicAccessBlockConfiguration: { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    ownershipControls: { rules: [{ objectOwnership: 'BucketOwnerEnforced' }] },
    versioningConfiguration: { status: 'Enabled' },
    lifecycleConfiguration: { rules: [{ id: 'expire-old-versions', status: 'Enabled', noncurrentVersionExpiration: { noncurrentDays: 30 } }] },
  });
  bucket.overrideLogicalId('SiteBucket');
  // RetainExceptOnCreate: kept when the stack goes, but deleted when the operation that created it
  // rolls back, so a retry is not blocked by an empty bucket left behind (aws-attribute-deletionpolicy.html).
  bucket.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE;
  bucket.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.RETAIN;
  acknowledge(bucket, [{ id: 'AwsSolutions-S1', reason: 'Only CloudFront reads this bucket (origin access control), and its access logs record every request to the site.' }]);
  const distributionArn = Fn.sub(`arn:\${AWS::Partition}:cloudfront::\${AWS::AccountId}:distribution/\${${distribution.logicalId}}`);
  new CfnBucketPolicy(stack, 'SiteBucketPolicy', {
    bucket: bucket.ref,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'TlsOnly', Effect: 'Deny', Principal: '*', Action: 's3:*',
          Resource: [bucket.attrArn, Fn.join('', [bucket.attrArn, '/*'])], Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
        {
          Sid: 'CloudFrontReads', Effect: 'Allow', Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject',
          Resource: Fn.join('', [bucket.attrArn, '/*']), Condition: { StringEquals: { 'AWS:SourceArn': distributionArn } },
        },
      ],
    },
  }).overrideLogicalId('SiteBucketPolicy');
  const access = new CfnOriginAccessControl(stack, 'SiteOriginAccessControl', {
    originAccessControlConfig: {
      name: Fn.sub('${AWS::StackName}-site'), originAccessControlOriginType: 's3', signingBehavior: 'always', signingProtocol: 'sigv4',
    },
  });
  access.overrideLogicalId('SiteOriginAccessControl');
  let spaFunction: string | undefined;
  if (environment.edge?.site?.spa) {
    const fn = new CfnFunction(stack, 'SpaFallback', {
      // CloudFront function names are at most 64 characters: the longest edge stack name (56) + "-spa".
      name: Fn.sub('${AWS::StackName}-spa'),
      autoPublish: true,
      functionCode: SPA_FALLBACK_FUNCTION,
      functionConfig: { comment: `${model.project} ${environment.name}: serve /index.html for app routes`, runtime: 'cloudfront-js-2.0' },
    });
    fn.overrideLogicalId('SpaFallback');
    spaFunction = fn.attrFunctionArn;
  }
  return {
    origin: { Id: 'site', DomainName: bucket.attrRegionalDomainName, S3OriginConfig: { OriginAccessIdentity: '' }, OriginAccessControlId: access.attrId },
    spaFunction,
  };
}

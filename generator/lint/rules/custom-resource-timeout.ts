import { resourceRule } from '../template-rule';

/**
 * A custom resource waits for its handler's response for ServiceTimeout seconds, 3600 by default:
 * a handler that never answers (a crash before cfnresponse, a missing permission) holds the stack
 * for an hour, and as long again on rollback.
 */
export const customResourceTimeoutRule = resourceRule({
  id: 'GNT406',
  description: 'A custom resource sets ServiceTimeout, so a silent handler fails the stack in minutes, not an hour',
  source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-customresource.html',
  types: /^(Custom::|AWS::CloudFormation::CustomResource$)/,
  *check({ id, properties }) {
    if (properties.ServiceTimeout !== undefined) return;
    yield { path: ['Properties'], message: `${id} has no ServiceTimeout: a handler that never answers holds the stack for an hour (set a few minutes, e.g. 300)` };
  },
});

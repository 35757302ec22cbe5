import { propertiesOf, resourcesOf, type RuleMatch, type TemplateRule } from '../template-rule';

/**
 * A custom resource waits for its handler's response for ServiceTimeout seconds, 3600 by default:
 * a handler that never answers (a crash before cfnresponse, a missing permission) holds the stack
 * for an hour, and as long again on rollback.
 */
export const customResourceTimeoutRule: TemplateRule = {
  id: 'GNT406',
  description: 'A custom resource sets ServiceTimeout, so a silent handler fails the stack in minutes, not an hour',
  source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-customresource.html',
  check(templates) {
    const matches: RuleMatch[] = [];
    for (const template of templates) {
      for (const [id, resource] of resourcesOf(template, /^(Custom::|AWS::CloudFormation::CustomResource$)/)) {
        if (propertiesOf(resource).ServiceTimeout !== undefined) continue;
        matches.push({
          file: template.file, path: ['Resources', id, 'Properties'],
          message: `${id} has no ServiceTimeout: a handler that never answers holds the stack for an hour (set a few minutes, e.g. 300)`,
        });
      }
    }
    return matches;
  },
};

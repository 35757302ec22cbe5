import { CfnSubscription } from 'aws-cdk-lib/aws-sns';
import type { EnvironmentModel, RegionModel } from '../model/types';
import { includeBlueprint, newTemplateStack, templateOf } from './cdk';
import { applyTags } from './tags';

/**
 * The notification stack of one environment and region, from blueprints/notifications.yaml: the
 * encrypted topic, and an e-mail subscription per address (each address confirms once).
 */
export function buildNotificationsTemplate(environment: EnvironmentModel, _region: RegionModel): Record<string, unknown> {
  const stack = newTemplateStack();
  const blueprint = includeBlueprint(stack, 'notifications');
  environment.notifications.emails.forEach((email, i) => {
    new CfnSubscription(stack, `EmailSubscription${i + 1}`, { topicArn: blueprint.getResource('Topic').ref, protocol: 'email', endpoint: email })
      .overrideLogicalId(`EmailSubscription${i + 1}`);
  });
  applyTags(stack, environment.tags);
  return templateOf(stack);
}

import { createHash } from 'node:crypto';
import { Fn } from 'aws-cdk-lib';
import type { CfnBudget } from 'aws-cdk-lib/aws-budgets';
import type { EnvironmentModel, PlatformModel } from '../model/types';
import { includeBlueprint, newTemplateStack, templateOf } from './cdk';
import { LITERAL_VALUES, type InstanceValues } from './instance-values';
import { topicArn } from './notifications';

/** AWS Budgets accepts at most ten e-mail subscribers per notification. */
export const MAX_EMAIL_SUBSCRIBERS = 10;

/**
 * The budget stack of one environment, from blueprints/budget.yaml: a monthly cost budget that
 * alerts the notification topic of the environment's first region, and the e-mails, at each
 * percentage of actual cost and at 100% of the forecast. For a stack set, the topic's region is a
 * parameter.
 */
export function buildBudgetTemplate(_model: PlatformModel, environment: EnvironmentModel, values: InstanceValues = LITERAL_VALUES): Record<string, unknown> | undefined {
  const budget = environment.budget;
  const primary = environment.regions[0];
  if (!budget || !primary) return undefined;
  const stack = newTemplateStack();
  const blueprint = includeBlueprint(stack, 'budget');
  const subscribers = [
    { SubscriptionType: 'SNS', Address: values.portable ? portableTopicArn() : topicArn(environment, primary) },
    ...environment.notifications.emails.slice(0, MAX_EMAIL_SUBSCRIBERS).map((email) => ({ SubscriptionType: 'EMAIL', Address: email })),
  ];
  function portableTopicArn(): string {
    const region = values.string(stack, 'TopicRegion', primary!.region, {
      description: "The region of the notification topic the budget alerts: the environment's first region",
      allowedPattern: '^[a-z]{2}(-[a-z]+)+-[0-9]$',
    });
    return Fn.sub(`arn:\${AWS::Partition}:sns:\${TopicRegion}:\${AWS::AccountId}:${primary!.stackNames.notifications}`, { TopicRegion: region });
  }
  const alert = (type: 'ACTUAL' | 'FORECASTED', threshold: number) => ({
    Notification: { NotificationType: type, ComparisonOperator: 'GREATER_THAN', Threshold: threshold, ThresholdType: 'PERCENTAGE' },
    Subscribers: subscribers,
  });
  const resource = blueprint.getResource('Budget') as CfnBudget;
  resource.addPropertyOverride('Budget.BudgetLimit.Amount', budget.monthlyUsd);
  // A change of NotificationsWithSubscribers replaces the budget, and a replacement under the same
  // BudgetName fails ("the budget already exists", DuplicateRecordException). The name carries a hash
  // of what the notifications are made of, so the new budget gets a new name and the old one goes.
  // @see https://github.com/aws-cloudformation/cloudformation-coverage-roadmap/issues/365
  // (A stack set's topic region is a parameter, so it is part of the name itself.)
  const notifications = { alertAtPercent: budget.alertAtPercent, emails: environment.notifications.emails.slice(0, MAX_EMAIL_SUBSCRIBERS), topic: primary.stackNames.notifications, topicRegion: values.portable ? undefined : primary.region };
  const hash = createHash('sha256').update(JSON.stringify(notifications)).digest('hex').slice(0, 8);
  resource.addPropertyOverride('Budget.BudgetName', Fn.sub(values.portable ? `\${AWS::StackName}-\${TopicRegion}-${hash}` : `\${AWS::StackName}-${hash}`));
  resource.addPropertyOverride('NotificationsWithSubscribers', [
    ...budget.alertAtPercent.map((percent) => alert('ACTUAL', percent)),
    alert('FORECASTED', 100),
  ]);
  return templateOf(stack);
}

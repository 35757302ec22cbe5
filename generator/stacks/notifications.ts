import { Fn } from 'aws-cdk-lib';
import { CfnSlackChannelConfiguration } from 'aws-cdk-lib/aws-chatbot';
import { CfnRole } from 'aws-cdk-lib/aws-iam';
import { CfnSubscription } from 'aws-cdk-lib/aws-sns';
import type { EnvironmentModel, PlatformModel, RegionModel } from '../model/types';
import { includeBlueprint, newTemplateStack, templateOf } from './cdk';
import { LITERAL_VALUES, type InstanceValues } from './instance-values';
import { applyTags } from './tags';

/**
 * CloudFormation names a stack set's stack instances `StackSet-<stack set>-<id>`, and what they
 * create without a name after them: so do Auto Scaling groups, and (lowercase) database instances.
 */
export const STACK_SET_INSTANCE_PREFIX = 'StackSet-';

/** The topic's ARN, known before deploys because the topic is named after its stack. */
export function topicArn(environment: EnvironmentModel, region: RegionModel): string {
  return `arn:aws:sns:${region.region}:${environment.account}:${region.stackNames.notifications}`;
}

/**
 * The notification stack of one environment and region, from blueprints/notifications.yaml: the
 * encrypted topic, the EventBridge rules that report this environment's scaling, stack and
 * database events to it, an e-mail subscription per address (each confirms once), and the AWS
 * Chatbot delivery to Slack.
 */
export function buildNotificationsTemplate(model: PlatformModel, environment: EnvironmentModel, _region: RegionModel, values: InstanceValues = LITERAL_VALUES): Record<string, unknown> {
  const stack = newTemplateStack();
  const blueprint = includeBlueprint(stack, 'notifications');
  const topic = blueprint.getResource('Topic');
  const prefix = `${model.project}-${environment.name}-`;
  // Stacks deployed one by one are named after the spec; a stack set's instances are not.
  const prefixes = values.portable ? [prefix, `${STACK_SET_INSTANCE_PREFIX}${prefix}`] : [prefix];
  blueprint.getResource('AutoScalingEvents').addPropertyOverride('EventPattern.detail.AutoScalingGroupName', prefixes.map((p) => ({ prefix: p })));
  blueprint.getResource('StackEvents').addPropertyOverride('EventPattern.detail.stack-id', prefixes.map((p) => (
    { prefix: Fn.sub(`arn:\${AWS::Partition}:cloudformation:\${AWS::Region}:\${AWS::AccountId}:stack/${p}`) })));
  blueprint.getResource('DatabaseEvents').addPropertyOverride('EventPattern.detail.SourceIdentifier', [
    { prefix: `${prefix}database-` },
    ...(values.portable ? [{ prefix: `${STACK_SET_INSTANCE_PREFIX.toLowerCase()}${prefix}` }] : []),
  ]);

  environment.notifications.emails.forEach((email, i) => {
    new CfnSubscription(stack, `EmailSubscription${i + 1}`, { topicArn: topic.ref, protocol: 'email', endpoint: email })
      .overrideLogicalId(`EmailSubscription${i + 1}`);
  });

  const slack = environment.notifications.slack;
  if (slack) {
    // Delivering notifications needs no AWS permissions; the guardrail caps what channel members
    // could do through Chatbot at reading CloudWatch.
    const role = new CfnRole(stack, 'ChatbotRole', {
      description: 'AWS Chatbot delivering the notification topic to Slack; it needs no permissions to deliver',
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'chatbot.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
    });
    role.overrideLogicalId('ChatbotRole');
    new CfnSlackChannelConfiguration(stack, 'SlackChannel', {
      // Unique in the account: the same stack name exists in each region of the environment.
      configurationName: Fn.sub('${AWS::StackName}-${AWS::Region}'),
      slackWorkspaceId: slack.workspaceId,
      slackChannelId: slack.channelId,
      iamRoleArn: role.attrArn,
      snsTopicArns: [topic.ref],
      guardrailPolicies: [Fn.sub('arn:${AWS::Partition}:iam::aws:policy/CloudWatchReadOnlyAccess')],
      loggingLevel: 'ERROR',
      userRoleRequired: false,
    }).overrideLogicalId('SlackChannel');
  }

  applyTags(stack, environment.tags);
  return templateOf(stack);
}
